"""llama.cpp's parallel decoding of one shared prompt by B sequences (llama-cpp-python's
low-level batch API): the prompt is decoded once into sequence 0 and its KV copied to the
other sequences; then each step decodes one token for every sequence in one batch."""
import ctypes, time
import numpy as np
from llama_cpp import llama_cpp as C


def parallel_decode(model_path, prompt_ids, batch, steps, threads):
    C.llama_backend_init()
    mparams = C.llama_model_default_params()
    model = C.llama_model_load_from_file(model_path.encode(), mparams)
    cparams = C.llama_context_default_params()
    cparams.n_ctx = batch * (len(prompt_ids) + steps + 8) + 64
    cparams.n_batch = max(len(prompt_ids), batch)
    cparams.n_ubatch = max(len(prompt_ids), batch)
    cparams.n_seq_max = batch
    cparams.n_threads = threads
    cparams.n_threads_batch = threads
    if hasattr(cparams, "kv_unified"):
        cparams.kv_unified = True
    if hasattr(cparams, "flash_attn_type"):
        cparams.flash_attn_type = 0  # disabled, as in the fixtures
    ctx = C.llama_init_from_model(model, cparams)
    vocab = C.llama_model_get_vocab(model)
    n_vocab = C.llama_vocab_n_tokens(vocab)
    b = C.llama_batch_init(max(len(prompt_ids), batch), 0, 1)
    # Prompt into sequence 0, logits for its last token only.
    b.n_tokens = len(prompt_ids)
    for i, t in enumerate(prompt_ids):
        b.token[i] = t; b.pos[i] = i; b.n_seq_id[i] = 1; b.seq_id[i][0] = 0; b.logits[i] = i == len(prompt_ids) - 1
    assert C.llama_decode(ctx, b) == 0
    first = int(np.argmax(np.ctypeslib.as_array(C.llama_get_logits_ith(ctx, -1), shape=(n_vocab,))))
    mem = C.llama_get_memory(ctx)
    for s in range(1, batch):
        C.llama_memory_seq_cp(mem, 0, s, -1, -1)
    tokens = [first] * batch
    t0 = time.perf_counter()
    for step in range(steps):
        b.n_tokens = batch
        for s in range(batch):
            b.token[s] = tokens[s]; b.pos[s] = len(prompt_ids) + step; b.n_seq_id[s] = 1; b.seq_id[s][0] = s; b.logits[s] = True
        assert C.llama_decode(ctx, b) == 0
        for s in range(batch):
            tokens[s] = int(np.argmax(np.ctypeslib.as_array(C.llama_get_logits_ith(ctx, s), shape=(n_vocab,))))
    dt = time.perf_counter() - t0
    C.llama_batch_free(b)
    C.llama_free(ctx)
    C.llama_model_free(model)
    return batch * steps / dt

#!/usr/bin/env python3
"""Micro random-weight models for the architecture table (issue 14), written with the `gguf`
package, and their log-probs from llama.cpp (llama-cpp-python 0.3.36 = llama.cpp b11312).

Runnable: qwen3 (per-head Q/K RMSNorm, NeoX rope, no biases), llama with Llama-3.1-style
rope_freqs.weight factors, llama with linear rope scaling, olmo2 (no pre-norms, post-attention
and post-FFN norms, Q/K RMSNorm over the projected width, NeoX rope), phi3 (fused QKV and
gate-up tensors, NeoX rope; its sliding window is not applied, as in llama.cpp b11312), gemma2
and gemma3 (embedding scale, GeGLU, pre- and post-norms, sliding-window layers with their own
RoPE, soft-caps, Gemma 3's Q/K norms and wide heads), OLMo 3 (olmo2 with sliding-window layers),
YaRN rope scaling (llama, and OLMo 3 with plain RoPE on its windowed layers).
Refused at load (each names what it lacks): sliding-window attention on llama, a MoE expert
tensor, LongRoPE scaling, Phi-3's LongRoPE factor tensors.

Writes Tests/GGUFTests/Fixtures/micro_*.gguf (arch files) and
Tests/InferenceTests/Fixtures/micro_arch_goldens.json. Run by `make fixtures`.
"""
import json, os
import numpy as np
import gguf
from gguf import GGMLQuantizationType as T
from gguf.quants import quantize

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
out = os.path.join(root, "Tests", "GGUFTests", "Fixtures")
rng = np.random.default_rng(2026)


def micro(name, arch="llama", extra_kv=None, extra_tensors=(), rope_freqs=False, qk_norm=False, pre="gpt-2",
          olmo2=False, phi3=False, gemma=False, hd=16, path=None):
    """2 layers, width 64, 4 query heads of `hd` (16), 2 KV heads; a 256-byte BPE vocabulary.
    gemma: pre-norms and post-norms, no output head (tied to the embedding)."""
    p = path or os.path.join(out, name)
    w = gguf.GGUFWriter(p, arch=arch)
    dim, ffn, heads, kv, layers = 64, 256, 4, 2, 2
    if hd != dim // heads: w.add_key_length(hd); w.add_value_length(hd)
    w.add_block_count(layers); w.add_context_length(256); w.add_embedding_length(dim)
    w.add_feed_forward_length(ffn); w.add_head_count(heads); w.add_head_count_kv(kv)
    w.add_layer_norm_rms_eps(1e-6); w.add_rope_freq_base(10000.0)
    for k, v in (extra_kv or {}).items():
        key = k.replace("%", arch)
        if isinstance(v, str): w.add_string(key, v)
        elif isinstance(v, list): w.add_array(key, v)
        elif isinstance(v, int): w.add_uint32(key, v)
        else: w.add_float32(key, v)
    byte_chars = [chr(c) for c in range(33, 127)] + [chr(c) for c in range(161, 173)] + [chr(c) for c in range(174, 256)]
    table, n = [], 0
    for b in range(256):
        if chr(b) in byte_chars: table.append(chr(b))
        else: table.append(chr(256 + n)); n += 1
    merges = ["\u0120 t", "h e", "\u0120t he", "l l", "\u0120 1"]
    tokens = table + ["\u0120t", "he", "\u0120the", "ll", "\u01201", "<|im_start|>", "<|im_end|>"]
    w.add_tokenizer_model("gpt2"); w.add_tokenizer_pre(pre)
    w.add_token_list(tokens); w.add_token_types([1] * 261 + [3, 3]); w.add_token_merges(merges)
    w.add_eos_token_id(262)
    vocab = len(tokens)

    def t(nm, shape, qt=None, scale=0.25, offset=0.0):
        x = (rng.standard_normal(shape) * scale + offset).astype(np.float32)
        if qt is None: w.add_tensor(nm, x)
        else: w.add_tensor(nm, quantize(x, qt), raw_dtype=qt)

    t("token_embd.weight", (vocab, dim), T.Q8_0)
    t("output_norm.weight", (dim,))
    if olmo2:   # OLMo 2: untied output head
        t("output.weight", (vocab, dim), T.Q8_0)
    if rope_freqs:   # Llama 3.1: low-frequency pairs slowed by up to 8x
        w.add_tensor("rope_freqs.weight", np.linspace(1.0, 8.0, hd // 2).astype(np.float32))
    for l in range(layers):
        if olmo2:   # no pre-norms: norms after attention and after the FFN, Q/K norms over their width
            t(f"blk.{l}.post_attention_norm.weight", (dim,), scale=0.5, offset=1.0)
            t(f"blk.{l}.post_ffw_norm.weight", (dim,), scale=0.5, offset=1.0)
            t(f"blk.{l}.attn_q_norm.weight", (heads * hd,), scale=0.5, offset=1.0)
            t(f"blk.{l}.attn_k_norm.weight", (kv * hd,), scale=0.5, offset=1.0)
        else:
            t(f"blk.{l}.attn_norm.weight", (dim,)); t(f"blk.{l}.ffn_norm.weight", (dim,))
        if gemma:   # norms of the attention and FFN outputs too
            t(f"blk.{l}.post_attention_norm.weight", (dim,), scale=0.5, offset=1.0)
            t(f"blk.{l}.post_ffw_norm.weight", (dim,), scale=0.5, offset=1.0)
        if phi3:   # Phi-3: fused QKV (queries, keys, values) and fused gate-up (gate rows first)
            t(f"blk.{l}.attn_qkv.weight", ((heads + 2 * kv) * hd, dim), T.Q8_0)
            t(f"blk.{l}.attn_output.weight", (dim, heads * hd), T.Q8_0)
            t(f"blk.{l}.ffn_up.weight", (2 * ffn, dim), T.Q4_1)
        else:
            t(f"blk.{l}.attn_q.weight", (heads * hd, dim), T.Q8_0); t(f"blk.{l}.attn_k.weight", (kv * hd, dim), T.Q8_0)
            t(f"blk.{l}.attn_v.weight", (kv * hd, dim), T.Q8_0); t(f"blk.{l}.attn_output.weight", (dim, heads * hd), T.Q8_0)
            t(f"blk.{l}.ffn_gate.weight", (ffn, dim), T.Q4_1); t(f"blk.{l}.ffn_up.weight", (ffn, dim), T.Q8_0)
        t(f"blk.{l}.ffn_down.weight", (dim, ffn))
        if qk_norm:   # around 1 with spread, so the norm's weights matter
            t(f"blk.{l}.attn_q_norm.weight", (hd,), scale=0.5, offset=1.0)
            t(f"blk.{l}.attn_k_norm.weight", (hd,), scale=0.5, offset=1.0)
    for nm, shape in extra_tensors: t(nm, shape)
    w.write_header_to_file(); w.write_kv_data_to_file(); w.write_tensors_to_file(); w.close()
    return p


runnable = [
    micro("micro_qwen3.gguf", arch="qwen3", qk_norm=True, pre="qwen2"),
    micro("micro_llama3_rope.gguf", rope_freqs=True, pre="llama-bpe"),
    micro("micro_llama_linear_rope.gguf", extra_kv={"%.rope.scaling.type": "linear", "%.rope.scaling.factor": 4.0}),
]
micro("refuse_sliding_window.gguf", extra_kv={"%.attention.sliding_window": 4096})
micro("refuse_moe_tensor.gguf", extra_tensors=[("blk.0.ffn_gate_exps.weight", (4, 256, 64))])
# (Was a refusal fixture before YaRN ran; still drawn, so the files after it keep their bytes.)
_scratch = os.path.join(out, "_discard.gguf")
micro("discard", extra_kv={"%.rope.scaling.type": "yarn", "%.rope.scaling.factor": 4.0}, path=_scratch)
os.remove(_scratch)
# Written last so the files above keep their bytes (one random stream).
runnable.append(micro("micro_olmo2.gguf", arch="olmo2", olmo2=True))
# (Was a refusal fixture before OLMo 3 ran; still drawn, so the files after it keep their bytes.)
_scratch = os.path.join(out, "_discard.gguf")
micro("discard", arch="olmo2", olmo2=True, extra_kv={"%.attention.sliding_window": 4096}, path=_scratch)
os.remove(_scratch)
# Phi-3 with its sliding window set, which llama.cpp b11312 reads and does not apply.
runnable.append(micro("micro_phi3.gguf", arch="phi3", phi3=True, pre="gpt-2",
                      extra_kv={"%.attention.sliding_window": 2047}))
micro("refuse_phi3_longrope.gguf", arch="phi3", phi3=True,
      extra_tensors=[("rope_factors_long.weight", (8,)), ("rope_factors_short.weight", (8,))])
# Gemma 2: layer 0 windowed (8 positions, its own RoPE base), layer 1 global; small soft-caps so
# they bind; embeddings times sqrt(64); GeGLU; pre- and post-norms; head tied to the embedding.
runnable.append(micro("micro_gemma2.gguf", arch="gemma2", gemma=True,
                      extra_kv={"%.attention.sliding_window": 8, "%.rope.freq_base_swa": 500.0,
                                "%.attn_logit_softcapping": 3.0, "%.final_logit_softcapping": 5.0}))
# Gemma 3: per-head Q/K norms, heads of 32 (4 x 32 = 128 wider than the 64 width), a window of 8
# on layer 0 (period 2 from the key), RoPE base 100 there and 10000 with linear scaling x2 on the
# global layer; no soft-caps.
runnable.append(micro("micro_gemma3.gguf", arch="gemma3", gemma=True, qk_norm=True, hd=32,
                      extra_kv={"%.attention.sliding_window": 8, "%.attention.sliding_window_pattern": 2,
                                "%.rope.freq_base_swa": 100.0, "%.rope.scaling.type": "linear",
                                "%.rope.scaling.factor": 2.0}))
# OLMo 3: an olmo2 file with sliding-window layers, one flag per layer (layer 0 windowed).
runnable.append(micro("micro_olmo3.gguf", arch="olmo2", olmo2=True,
                      extra_kv={"%.attention.sliding_window": 8, "%.attention.sliding_window_pattern": [True, False]}))
# YaRN (factor 4, fitted from 32 positions, so the ramp between its correction dimensions
# falls inside the 8 rotated pairs): a llama file, and OLMo 3 with windowed layers that
# rotate without it.
runnable.append(micro("micro_llama_yarn.gguf", extra_kv={
    "%.rope.scaling.type": "yarn", "%.rope.scaling.factor": 4.0, "%.rope.scaling.original_context_length": 32}))
runnable.append(micro("micro_olmo3_yarn.gguf", arch="olmo2", olmo2=True, extra_kv={
    "%.attention.sliding_window": 8, "%.attention.sliding_window_pattern": [True, False],
    "%.rope.scaling.type": "yarn", "%.rope.scaling.factor": 4.0, "%.rope.scaling.original_context_length": 32}))
micro("refuse_longrope.gguf", extra_kv={"%.rope.scaling.type": "longrope", "%.rope.scaling.factor": 4.0})
print("wrote micro architecture models")

import llama_cpp
from llama_cpp import Llama


def logsoftmax(v):
    m = v.max()
    return v - m - np.log(np.exp(v - m).sum())


# Long enough that positions reach ~60 (where the rope factors and scaling matter).
texts = ["Hello the micro model, 12 + 30 = 42.",
         "the the the ll 1 1 1 " * 6,
         "<|im_start|>user\nhe<|im_end|>"]
cases = []
for p in runnable:
    m = Llama(model_path=p, n_ctx=256, n_threads=2, n_batch=256, flash_attn=False, verbose=False)
    for text in texts:
        ids = m.tokenize(text.encode(), add_bos=False, special=True)
        m.reset(); m.eval(ids)
        lg = np.ctypeslib.as_array(llama_cpp.llama_get_logits_ith(m.ctx, -1), shape=(m.n_vocab(),)).astype(np.float64)
        cases.append({"model": os.path.basename(p), "text": text, "ids": ids,
                      "logprobs": [float(v) for v in logsoftmax(lg)]})
    del m
meta = {"llama_cpp_python": llama_cpp.__version__, "gguf": "0.17.1"}
d = os.path.join(root, "Tests", "InferenceTests", "Fixtures")
json.dump({"meta": meta, "cases": cases}, open(os.path.join(d, "micro_arch_goldens.json"), "w"))
print("micro architecture goldens:", len(cases), "cases")

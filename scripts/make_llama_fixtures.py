#!/usr/bin/env python3
"""Golden fixtures from llama.cpp (PyPI llama-cpp-python), an implementation independent
of Rollbook's, for the tokenizer and inference tests.

  make fixtures        (installs scripts/requirements-fixtures.txt, then runs this)

Settings, and why: n_threads=2, n_batch=512, flash_attn=False (llama-cpp-python's default;
the CLI tools default to on), F16 KV cache (llama.cpp's default). The prompt is evaluated
in one batch, as Rollbook prefills it. llama.cpp quantises activations to 8 bits for its
quantised matrix products; Rollbook keeps them in Float32, so logits differ slightly; the
script measures llama.cpp's own spread (batched vs token-by-token prompt evaluation) and
records it in the fixture's meta so the test tolerance can be stated against it.
"""
import argparse, datetime, hashlib, json, os, sys
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ap = argparse.ArgumentParser()
ap.add_argument("--model", default=os.path.join(ROOT, "data/models/SmolLM2-135M-Instruct.Q4_1.gguf"))
ap.add_argument("--out-dir", default=ROOT)
args = ap.parse_args()

import llama_cpp
from llama_cpp import Llama
import jinja2

SETTINGS = dict(n_ctx=2048, n_threads=2, n_threads_batch=2, n_batch=512, n_ubatch=512,
                flash_attn=False, logits_all=False, verbose=False, seed=0)
llm = Llama(model_path=args.model, **SETTINGS)
sha = hashlib.sha256(open(args.model, "rb").read()).hexdigest()
meta = {"llama_cpp_python": llama_cpp.__version__, "settings": {k: v for k, v in SETTINGS.items()},
        "model_sha256": sha, "date": datetime.date.today().isoformat()}

# ---------------------------------------------------------------- tokenizer
corpus = [l.rstrip("\n") for l in open(os.path.join(ROOT, "scripts/tokenizer_corpus.txt"), encoding="utf-8")]
corpus = [l.replace("\\t", "\t") for l in corpus if l != ""]
corpus += [
    "line one\nline two", "para one\n\npara two", "windows\r\nline\r\n", " \n ", "trailing newline\n",
    "\n\n\n", "\tindented\n\tcode\n", "def f(x):\n    return x * 2\n", "a  \n  b", "x\n \n y",
    "<|im_start|>user\nHello<|im_end|>\n", "multi\n\n\nblank\n\n", "tab\t\tsep\n", "  leading\n",
    "end with spaces   ", "\r\r\n\n", "emoji 😀\n🎉", "数字123\n", "one\ttwo\nthree\rfour", "{\n  \"k\": 1\n}",
]
cases = []
for text in corpus:
    b = text.encode("utf-8")
    ids = llm.tokenize(b, add_bos=False, special=False)
    ids_sp = llm.tokenize(b, add_bos=False, special=True)
    back = llm.detokenize(ids)
    cases.append({"text": text, "ids": ids, "ids_special": ids_sp, "roundtrip": back == b})
os.makedirs(os.path.join(args.out_dir, "Tests/TokenizerTests/Fixtures"), exist_ok=True)
json.dump({"meta": meta, "cases": cases},
          open(os.path.join(args.out_dir, "Tests/TokenizerTests/Fixtures/tokenizer_goldens.json"), "w"), ensure_ascii=False)
print(f"tokenizer: {len(cases)} cases, {sum(c['roundtrip'] for c in cases)} round-trip")

# ---------------------------------------------------------------- logits
template = jinja2.Environment().from_string(llm.metadata["tokenizer.chat_template"])
def chat(q):
    return template.render(messages=[{"role": "user", "content": q}], add_generation_prompt=True)

PROMPTS = [
    ("raw_capital", False, "The capital of France is"),
    ("raw_code", False, "def fibonacci(n):"),
    ("raw_math", False, "1 + 1 ="),
    ("raw_paragraph", False, "The history of mathematics spans thousands of years, from counting on fingers "
     "to the abstractions of modern algebra. Early civilisations in Mesopotamia and Egypt developed "
     "arithmetic for trade, taxation and astronomy; the Greeks turned geometry into a deductive science, "
     "and scholars in India and the Islamic world gave us the decimal place-value system, zero, and algebra. "
     "In the seventeenth century calculus arrived, and with it"),
    ("chat_mult", True, "What is 12 * 7?"),
    ("chat_haiku", True, "Write a haiku about the sea."),
    ("chat_gsm8k", True, "Natalia sold clips to 48 of her friends in April, and then she sold half as many "
     "clips in May. How many clips did Natalia sell altogether in April and May?"),
    ("chat_hi", True, "Hi"),
]

def logsoftmax(v):
    v = np.asarray(v, dtype=np.float64)
    m = v.max()
    return v - (m + np.log(np.exp(v - m).sum()))

def last_logits():
    # Read the context's logits for the last evaluated token directly.
    ptr = llama_cpp.llama_get_logits_ith(llm.ctx, -1)
    return np.ctypeslib.as_array(ptr, shape=(llm.n_vocab(),)).astype(np.float64)

def eval_batched(ids):
    llm.reset(); llm._ctx.kv_cache_clear() if hasattr(llm._ctx, "kv_cache_clear") else None
    llm.eval(ids)
    return last_logits()

def eval_stepwise(ids):
    llm.reset(); llm._ctx.kv_cache_clear() if hasattr(llm._ctx, "kv_cache_clear") else None
    for t in ids:
        llm.eval([t])
    return last_logits()

logit_cases, greedy_cases, spread = [], [], []
for name, is_chat, q in PROMPTS:
    text = chat(q) if is_chat else q
    ids = llm.tokenize(text.encode("utf-8"), add_bos=False, special=True)
    lg = eval_batched(ids)
    lp = logsoftmax(lg)
    top = np.argsort(-lp, kind="stable")[:10]
    logit_cases.append({"name": name, "chat": is_chat, "user": q if is_chat else None, "text": text, "ids": ids,
                        "top": [{"id": int(i), "logit": float(lg[i]), "logprob": float(lp[i])} for i in top]})
    lp2 = logsoftmax(eval_stepwise(ids))
    spread.append(float(np.max(np.abs(lp[top] - lp2[top]))))
    # 64-token greedy continuation, token by token after a batched prompt.
    eval_batched(ids)
    cont, margins = [], []
    for _ in range(64):
        l = logsoftmax(last_logits())
        o = np.argsort(-l, kind="stable")[:2]
        cont.append(int(o[0])); margins.append(float(l[o[0]] - l[o[1]]))
        llm.eval([int(o[0])])
    greedy_cases.append({"name": name, "ids": ids, "continuation": cont, "margins": margins})

meta_l = dict(meta, self_variation={"max_abs_logprob_diff_top10_batched_vs_stepwise": max(spread),
                                    "per_prompt": spread})
d = os.path.join(args.out_dir, "Tests/InferenceTests/Fixtures")
os.makedirs(d, exist_ok=True)
json.dump({"meta": meta_l, "prompts": logit_cases}, open(os.path.join(d, "logits_goldens.json"), "w"), ensure_ascii=False)
json.dump({"meta": meta, "prompts": greedy_cases}, open(os.path.join(d, "greedy_goldens.json"), "w"), ensure_ascii=False)
print("logits: llama.cpp self-variation (batched vs stepwise, top-10 logprobs): max %.4f" % max(spread), spread)

# ---------------------------------------------------------------- micro models (Llama and Qwen2 paths)
# Tiny random models written by make_gguf_fixtures.py: llama (Q4_1/Q4_0/Q8_0/Q5_0/F32 weights,
# adjacent-pair rope, tied head) and qwen2 (QKV biases, NeoX rope, separate output head).
micro = []
for f in ("micro_llama.gguf", "micro_qwen2.gguf"):
    m = Llama(model_path=os.path.join(ROOT, "Tests/GGUFTests/Fixtures", f), n_ctx=128, n_threads=2,
              n_batch=128, flash_attn=False, verbose=False)
    for text in ("Hello the micro model, 12 + 30 = 42.", "the the the ll 1 1 1", "<|im_start|>user\nhe<|im_end|>"):
        ids = m.tokenize(text.encode(), add_bos=False, special=True)
        m.reset(); m.eval(ids)
        lg = np.ctypeslib.as_array(llama_cpp.llama_get_logits_ith(m.ctx, -1), shape=(m.n_vocab(),)).astype(np.float64)
        micro.append({"model": f, "text": text, "ids": ids, "logprobs": [float(v) for v in logsoftmax(lg)]})
    del m
json.dump({"meta": meta, "cases": micro}, open(os.path.join(d, "micro_goldens.json"), "w"))
print("micro models:", len(micro), "cases")

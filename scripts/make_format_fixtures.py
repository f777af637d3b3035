#!/usr/bin/env python3
"""Greedy goldens for the default model re-quantised by llama.cpp (scripts/requantize.py) to
the formats people download: 64-token greedy continuations and llama.cpp's top-2 margin at
every step, from llama-cpp-python 0.3.36 (llama.cpp b11312), an implementation independent
of Rollbook's. Settings as make_llama_fixtures.py (2 threads, batched prompt, flash
attention off, F16 KV cache). Writes Tests/InferenceTests/Fixtures/format_goldens.json with
each file's sha256, so a test can tell a different quantiser output from a wrong kernel.

  .venv-server/bin/python scripts/make_format_fixtures.py
"""
import datetime, json, os, sys
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import llama_cpp
from llama_cpp import Llama
from requantize import requantize

FORMATS = ["Q4_K_M", "Q5_K_M", "Q6_K", "Q8_0", "F16"]
PROMPTS = [
    ("raw_capital", "The capital of France is"),
    ("raw_code", "def fibonacci(n):"),
    ("chat_mult", "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n"
                  "<|im_start|>user\nWhat is 12 * 7?<|im_end|>\n<|im_start|>assistant\n"),
]


def logsoftmax(v):
    v = np.asarray(v, dtype=np.float64)
    m = v.max()
    return v - (m + np.log(np.exp(v - m).sum()))


out = {"meta": {"llama_cpp_python": llama_cpp.__version__, "date": datetime.date.today().isoformat(),
                "settings": "n_ctx 256, 2 threads, n_batch 512, flash_attn off, F16 KV"}, "formats": []}
for fmt in FORMATS:
    path, sha = requantize(fmt)
    llm = Llama(model_path=path, n_ctx=256, n_threads=2, n_threads_batch=2, n_batch=512, flash_attn=False,
                verbose=False, seed=0)
    cases = []
    for name, text in PROMPTS:
        ids = llm.tokenize(text.encode(), add_bos=False, special=True)
        llm.reset()
        llm.eval(ids)
        cont, margins = [], []
        for _ in range(64):
            lg = np.ctypeslib.as_array(llama_cpp.llama_get_logits_ith(llm.ctx, -1), shape=(llm.n_vocab(),))
            l = logsoftmax(lg)
            o = np.argsort(-l, kind="stable")[:2]
            cont.append(int(o[0])); margins.append(float(l[o[0]] - l[o[1]]))
            llm.eval([int(o[0])])
        cases.append({"name": name, "ids": ids, "continuation": cont, "margins": margins})
    out["formats"].append({"format": fmt, "file": os.path.basename(path), "sha256": sha, "prompts": cases})
    print(fmt, sha, [c["continuation"][:6] for c in cases])
    del llm
d = os.path.join(ROOT, "Tests/InferenceTests/Fixtures")
json.dump(out, open(os.path.join(d, "format_goldens.json"), "w"))

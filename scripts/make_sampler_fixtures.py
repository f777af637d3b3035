#!/usr/bin/env python3
"""Sampler goldens from llama.cpp's own sampler chain (llama-cpp-python low-level API).

For tiny hand-made and random distributions and several (top_k, top_p, min_p, temperature)
settings, applies llama.cpp's chain in its default order (top-k, top-p, min-p, temperature)
and records the surviving token ids and their final probabilities (softmax of the
surviving logits after temperature). Rollbook's sampler must keep the same candidates with
the same probabilities; the final random draw is Rollbook's own (seeded per rollout).
"""
import ctypes, json, os
import numpy as np
from llama_cpp import llama_cpp as C

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
rng = np.random.default_rng(7)

dists = [
    [3.0, 2.0, 1.0, 0.5, 0.0, -1.0, -2.0, -5.0],
    [1.0, 1.0, 1.0, 1.0, 1.0, 1.0],                        # all tied
    [10.0, 0.0, 0.0, 0.0],                                  # one dominant
    [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0],     # ascending ids
    [2.0, 2.0, 1.0, 1.0, 0.0, 0.0, -1.0, -1.0],             # pairs of ties
] + [list(rng.normal(0, 2, size=n).round(3)) for n in (16, 32, 64, 128)]

configs = [
    dict(top_k=0, top_p=1.0, min_p=0.0, temp=1.0),
    dict(top_k=3, top_p=1.0, min_p=0.0, temp=1.0),
    dict(top_k=0, top_p=0.9, min_p=0.0, temp=1.0),
    dict(top_k=0, top_p=0.5, min_p=0.0, temp=0.7),
    dict(top_k=0, top_p=1.0, min_p=0.1, temp=1.0),
    dict(top_k=0, top_p=1.0, min_p=0.3, temp=1.5),
    dict(top_k=5, top_p=0.8, min_p=0.05, temp=0.8),
    dict(top_k=1, top_p=1.0, min_p=0.0, temp=1.0),
    dict(top_k=0, top_p=0.95, min_p=0.0, temp=2.0),
]

cases = []
for logits in dists:
    for cfg in configs:
        chain = C.llama_sampler_chain_init(C.llama_sampler_chain_default_params())
        if cfg["top_k"] > 0:
            C.llama_sampler_chain_add(chain, C.llama_sampler_init_top_k(cfg["top_k"]))
        if cfg["top_p"] < 1.0:
            C.llama_sampler_chain_add(chain, C.llama_sampler_init_top_p(cfg["top_p"], 1))
        if cfg["min_p"] > 0.0:
            C.llama_sampler_chain_add(chain, C.llama_sampler_init_min_p(cfg["min_p"], 1))
        C.llama_sampler_chain_add(chain, C.llama_sampler_init_temp(cfg["temp"]))
        n = len(logits)
        arr = (C.llama_token_data * n)(*[C.llama_token_data(i, float(l), 0.0) for i, l in enumerate(logits)])
        cur = C.llama_token_data_array(arr, n, -1, False)
        C.llama_sampler_apply(chain, ctypes.byref(cur))
        kept = [(cur.data[i].id, cur.data[i].logit) for i in range(cur.size)]
        C.llama_sampler_free(chain)
        ls = np.array([l for _, l in kept], dtype=np.float64)
        ps = np.exp(ls - ls.max()); ps /= ps.sum()
        probs = {int(i): float(p) for (i, _), p in zip(kept, ps)}
        cases.append({"logits": [float(x) for x in logits], **cfg,
                      "ids": sorted(probs), "probs": [probs[i] for i in sorted(probs)]})

out = os.path.join(ROOT, "Tests/InferenceTests/Fixtures/sampler_goldens.json")
json.dump({"order": "top_k, top_p, min_p, temperature (llama.cpp's default chain order)", "cases": cases}, open(out, "w"))
print(len(cases), "sampler cases ->", out)

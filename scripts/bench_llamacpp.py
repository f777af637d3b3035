#!/usr/bin/env python3
"""Measures llama.cpp (llama-cpp-python) and Rollbook on the same model, same thread count,
in the same run, and prints the ratios.

  make bench-compare            (or: python3 scripts/bench_llamacpp.py [--json])

Prefill: a deterministic 512-token prompt evaluated in one batch (best of 3).
Decode: 128 greedy tokens, one at a time, after an 8-token prompt (best of 3).
Batched: B sequences sharing a 128-token prompt, 64 greedy tokens each; for every B the two
engines run alternately, `--repeats` rounds, and each keeps its best round (this machine's
speed drifts by tens of percent within minutes, so back-to-back pairs are compared).
"""
import argparse, json, os, subprocess, sys, time
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ap = argparse.ArgumentParser()
ap.add_argument("--model", default=os.path.join(ROOT, "data/models/SmolLM2-135M-Instruct.Q4_1.gguf"))
ap.add_argument("--rollbook", default=os.path.join(ROOT, ".build/release/rollbook"))
ap.add_argument("--threads", type=int, default=os.cpu_count())
ap.add_argument("--prefill", type=int, default=512)
ap.add_argument("--decode", type=int, default=128)
ap.add_argument("--repeats", type=int, default=3)
ap.add_argument("--batches", default="1,4,8,16,32,64")
ap.add_argument("--batch-tokens", type=int, default=64)
ap.add_argument("--json", action="store_true")
args = ap.parse_args()

import llama_cpp
from llama_cpp import Llama

llm = Llama(model_path=args.model, n_ctx=args.prefill + args.decode + 16, n_threads=args.threads,
            n_threads_batch=args.threads, n_batch=args.prefill, n_ubatch=args.prefill,
            flash_attn=False, verbose=False)
text = "The quick brown fox jumps over the lazy dog while the farmer counts 17 sheep and 23 cows. "
ids = []
while len(ids) < args.prefill:
    ids += llm.tokenize(text.encode(), add_bos=False, special=False)
ids = ids[:args.prefill]

def logits():
    ptr = llama_cpp.llama_get_logits_ith(llm.ctx, -1)
    return np.ctypeslib.as_array(ptr, shape=(llm.n_vocab(),))

best_prefill = float("inf")
for _ in range(args.repeats):
    llm.reset()
    t0 = time.perf_counter(); llm.eval(ids); best_prefill = min(best_prefill, time.perf_counter() - t0)
best_decode = float("inf")
for _ in range(args.repeats):
    llm.reset(); llm.eval(ids[:8])
    t0 = time.perf_counter()
    for _ in range(args.decode):
        llm.eval([int(np.argmax(logits()))])
    best_decode = min(best_decode, time.perf_counter() - t0)
ref = {"prefill_tokens_per_s": args.prefill / best_prefill, "decode_tokens_per_s": args.decode / best_decode,
       "llama_cpp_python": llama_cpp.__version__, "threads": args.threads}
prompt128 = ids[:128]
del llm

# Parallel decoding: B sequences sharing one 128-token prompt (llama.cpp's low-level batch
# API), interleaved with Rollbook's engine on the same B.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from llamacpp_parallel import parallel_decode
batches = [int(b) for b in args.batches.split(",") if b]
have_rb = os.path.exists(args.rollbook)

def rollbook_bench(*extra):
    out = subprocess.run([args.rollbook, "bench", "--json", "--model", args.model,
                          "--prefill-tokens", str(args.prefill), "--decode-tokens", str(args.decode),
                          "--batch-tokens", str(args.batch_tokens), *extra],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)

lc_best = {b: 0.0 for b in batches}
rb_best = {b: 0.0 for b in batches}
for _ in range(args.repeats):
    for b in batches:
        lc_best[b] = max(lc_best[b], parallel_decode(args.model, prompt128, b, args.batch_tokens, args.threads))
        if have_rb:
            r = rollbook_bench("--batched-only", "--batches", str(b))
            rb_best[b] = max(rb_best[b], r["batched"][0]["tokens_per_s"])
ref["batched"] = [{"sequences": b, "tokens_per_s": lc_best[b]} for b in batches]

result = {"llama_cpp": ref}
if have_rb:
    rb = rollbook_bench("--repeats", str(args.repeats), "--batches", "")
    rb["batched"] = [{"sequences": b, "tokens_per_s": rb_best[b]} for b in batches]
    result["rollbook"] = rb
    result["ratios"] = {k: rb[k] / ref[k] for k in ("prefill_tokens_per_s", "decode_tokens_per_s")}
    result["ratios"]["batched"] = {b: rb_best[b] / lc_best[b] for b in batches}
else:
    print(f"note: {args.rollbook} not found; build it with `make build`", file=sys.stderr)

if args.json:
    print(json.dumps(result, indent=1))
else:
    print(f"same model, {args.threads} threads, best of {args.repeats} (batched rows: engines alternated per round)")
    print(f"{'metric':28} {'rollbook':>10} {'llama.cpp':>10} {'ratio':>7}")
    for k, label in (("prefill_tokens_per_s", f"prefill ({args.prefill} tokens) tok/s"),
                     ("decode_tokens_per_s", f"decode ({args.decode} tokens) tok/s")):
        rbv = result.get("rollbook", {}).get(k, float("nan"))
        print(f"{label:28} {rbv:10.1f} {ref[k]:10.1f} {rbv / ref[k]:7.2f}")
    if "rollbook" in result:
        rbb = {r["sequences"]: r["tokens_per_s"] for r in result["rollbook"]["batched"]}
        for r in ref["batched"]:
            b = r["sequences"]
            label = f"batched B={b} aggregate tok/s"
            print(f"{label:28} {rbb.get(b, float('nan')):10.1f} {r['tokens_per_s']:10.1f} {rbb.get(b, float('nan')) / r['tokens_per_s']:7.2f}")
        for e in result["rollbook"]["eglr"]:
            print(f"EGLR L={e['layers']}: {e['tokens_per_s']:.1f} tok/s, gate rate {e['gate_rate']:.2f}, "
                  f"{e['extra_layer_applications_per_token']:.2f} extra layer applications/token, cost {e['cost_vs_plain']:.2f}x plain")
        print(f"rollbook peak RSS: {result['rollbook']['peak_rss_bytes'] / 2**20:.1f} MiB")

#!/usr/bin/env python3
"""Rollbook against llama.cpp at its best, in the same run: llama.cpp's own C++ tools built
natively from the tree the llama-cpp-python 0.3.36 sdist vendors (b11312), same model, same
thread count.

  make bench-compare     (or: python3 scripts/bench_compare.py [--json] [--repeats 3]
                                [--batches 1,4,8,16,32,64] [--formats Q4_K_M,Q6_K,Q8_0,F16])

Rows (each engine's best of --repeats rounds; within a round the engines alternate, and which
goes first alternates by round, because this machine's speed drifts within minutes):
  prefill   llama-bench -p 512              rollbook bench (512-token prompt, one batch)
  decode    llama-bench -n 128              rollbook bench (128 greedy tokens, one stream)
  B=n       llama-batched-bench -npp 128 -ntg 64 -npl n -pps, S_TG (tokens after the shared
            prompt, per second)             rollbook bench --batched-only: B sequences through
            the rollout engine sharing a 128-token prompt, 64 tokens each, decode rate after the
            first token (the same count S_TG makes)
--formats re-quantises the default model with llama.cpp's own llama-quantize
(--allow-requantize, into data/models/requant/) and repeats the rows per format.

--workload quickstart instead times what a user waits for (best of --repeats rounds each,
alternated): rendering notebooks/quickstart.md
into an empty store (every rollout generated: mixed temperatures and EGLR cells, stop
strings, grading, store writes, analysis and the report), then, for llama.cpp, each problem's
rollouts as one llama-batched-bench run (-npp its prompt tokens, -npl its rollout count,
-ntg their mean generated tokens, -pps: the prompt shared), summed. llama.cpp does no EGLR
(its side decodes every token once), no sampling beyond its own, no grading and no writes,
so the ratio is a lower bound on Rollbook's advantage.
"""
import argparse, json, os, subprocess, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ap = argparse.ArgumentParser()
ap.add_argument("--model", default=os.path.join(ROOT, "data/models/SmolLM2-135M-Instruct.Q4_1.gguf"))
ap.add_argument("--rollbook", default=os.path.join(ROOT, ".build/release/rollbook"))
ap.add_argument("--threads", type=int, default=os.cpu_count())
ap.add_argument("--repeats", type=int, default=3)
ap.add_argument("--batches", default="1,4,8,16,32,64")
ap.add_argument("--formats", default="", help="also re-quantised copies, e.g. Q4_K_M,Q5_K_M,Q6_K,Q8_0,F16")
ap.add_argument("--workload", default="", help="quickstart: the end-to-end notebook workload")
ap.add_argument("--json", action="store_true")
args = ap.parse_args()

tools = subprocess.run([os.path.join(ROOT, "scripts/build-llamacpp-tools.sh")], check=True,
                       capture_output=True, text=True).stdout.strip().splitlines()[-1]
T = str(args.threads)
batches = [int(b) for b in args.batches.split(",") if b]


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{p.stderr[-2000:]}")
    return p.stdout


def llama_bench(model, kind):
    flags = ["-p", "512", "-n", "0"] if kind == "prefill" else ["-p", "0", "-n", "128"]
    out = json.loads(run([f"{tools}/llama-bench", "-m", model, "-t", T, "-r", "1", "-o", "json", *flags]))
    return out[0]["avg_ts"]


def llama_batched(model, b):
    ctx = 128 + 64 * b + 64
    out = run([f"{tools}/llama-batched-bench", "-m", model, "-t", T, "-tb", T, "-c", str(ctx), "-b", "2048",
               "-ub", "512", "-npp", "128", "-ntg", "64", "-npl", str(b), "-pps", "--output-format", "jsonl"])
    rows = [json.loads(l) for l in out.splitlines() if l.startswith("{")]
    return rows[-1]["speed_tg"]


def rollbook(model, *extra):
    return json.loads(run([args.rollbook, "bench", "--json", "--model", model, "--repeats", "1", *extra]))


def rb_single(model, kind):
    r = rollbook(model, "--single-only")
    return r["prefill_tokens_per_s" if kind == "prefill" else "decode_tokens_per_s"]


def rb_batched(model, b):
    return rollbook(model, "--batched-only", "--batches", str(b))["batched"][0]["decode_tokens_per_s"]


def compare(model):
    rows = [("prefill 512 tok/s", lambda: rb_single(model, "prefill"), lambda: llama_bench(model, "prefill")),
            ("decode 128 tok/s", lambda: rb_single(model, "decode"), lambda: llama_bench(model, "decode"))]
    rows += [(f"B={b} decode tok/s", (lambda b=b: rb_batched(model, b)), (lambda b=b: llama_batched(model, b)))
             for b in batches]
    best = {name: [0.0, 0.0] for name, _, _ in rows}
    for rnd in range(args.repeats):
        for name, rb, lc in rows:
            order = [(0, rb), (1, lc)] if rnd % 2 == 0 else [(1, lc), (0, rb)]
            for i, f in order:
                best[name][i] = max(best[name][i], f())
    return [{"row": n, "rollbook": best[n][0], "llama_cpp": best[n][1], "ratio": best[n][0] / best[n][1]}
            for n, _, _ in rows]


def workload(notebook):
    """Each engine's best of --repeats rounds, alternating which goes first by round."""
    import sqlite3, tempfile, time, shutil

    def rollbook_round():
        tmp = tempfile.mkdtemp(prefix="rollbook-workload-")
        store = os.path.join(tmp, "s.sqlite")
        t0 = time.perf_counter()
        run([args.rollbook, "render", os.path.join(ROOT, notebook), "--store", store, "--out",
             os.path.join(tmp, "out"), "--quiet"])
        seconds = time.perf_counter() - t0
        db = sqlite3.connect(store)
        groups = list(db.execute("select r.problem_id, count(*), cast(round(avg(r.prompt_tokens)) as int), "
                                 "sum(r.token_count) from rollouts r join run_members m on m.key = r.key "
                                 "group by r.problem_id order by r.problem_id"))
        db.close()
        shutil.rmtree(tmp)
        return seconds, groups

    def llama_round(groups):
        total = 0.0
        for _, n, p, tokens in groups:
            g = max(1, round(tokens / n))
            out = run([f"{tools}/llama-batched-bench", "-m", args.model, "-t", T, "-tb", T, "-c", str(p + n * g + 64),
                       "-b", "2048", "-ub", "512", "-npp", str(p), "-ntg", str(g), "-npl", str(n), "-pps",
                       "--output-format", "jsonl"])
            total += [json.loads(l) for l in out.splitlines() if l.startswith("{")][-1]["t"]
        return total

    rb, groups = rollbook_round()    # the first round also fixes the token counts llama.cpp replays
    lc = [llama_round(groups)]
    rbs = [rb]
    for r in range(1, args.repeats):
        if r % 2:
            lc.append(llama_round(groups)); rbs.append(rollbook_round()[0])
        else:
            rbs.append(rollbook_round()[0]); lc.append(llama_round(groups))
    rb_seconds, lc_seconds = min(rbs), min(lc)
    generated = sum(g[3] for g in groups)
    return {"notebook": notebook, "problems": len(groups), "rollouts": sum(g[1] for g in groups),
            "generated_tokens": generated, "rollbook_seconds": rb_seconds, "llama_cpp_seconds": lc_seconds,
            "rollbook_rounds": rbs, "llama_cpp_rounds": lc, "repeats": args.repeats,
            "rollbook_tokens_per_s": generated / rb_seconds, "llama_cpp_tokens_per_s": generated / lc_seconds,
            "ratio": lc_seconds / rb_seconds}


if args.workload:
    if args.workload != "quickstart":
        sys.exit("--workload: only quickstart is defined")
    w = workload("notebooks/quickstart.md")
    if args.json:
        print(json.dumps(w, indent=1))
    else:
        print(f"quickstart from an empty store: {w['rollouts']} rollouts over {w['problems']} problems, "
              f"{w['generated_tokens']} generated tokens; {args.threads} threads; best of {w['repeats']} rounds, "
              f"engines alternated")
        print(f"  rounds: rollbook {', '.join(f'{x:.1f}' for x in w['rollbook_rounds'])} s; "
              f"llama.cpp {', '.join(f'{x:.1f}' for x in w['llama_cpp_rounds'])} s")
        print(f"  rollbook render (generate, grade, store, analyse, report): {w['rollbook_seconds']:.1f} s "
              f"({w['rollbook_tokens_per_s']:.1f} tok/s)")
        print(f"  llama-batched-bench, same prompts and token counts, no EGLR: {w['llama_cpp_seconds']:.1f} s "
              f"({w['llama_cpp_tokens_per_s']:.1f} tok/s)")
        print(f"  ratio (llama.cpp time / rollbook time): {w['ratio']:.2f}")
    sys.exit(0)

models = [("default (" + os.path.basename(args.model) + ")", args.model)]
for fmt in [f for f in args.formats.split(",") if f]:
    out = os.path.join(ROOT, "data/models/requant", f"SmolLM2-135M-Instruct.{fmt}.gguf")
    if not os.path.exists(out):
        os.makedirs(os.path.dirname(out), exist_ok=True)
        run([f"{tools}/llama-quantize", "--allow-requantize", args.model, out, fmt, T])
    models.append((fmt, out))

result = {"llama_cpp": "b11312 (llama-cpp-python 0.3.36 sdist), native build", "threads": args.threads,
          "repeats": args.repeats, "models": []}
for label, path in models:
    result["models"].append({"model": label, "rows": compare(path)})

if args.json:
    print(json.dumps(result, indent=1))
else:
    print(f"llama.cpp {result['llama_cpp']}; {args.threads} threads; best of {args.repeats} rounds, engines alternated")
    for m in result["models"]:
        print(f"\n{m['model']}")
        print(f"  {'row':22} {'rollbook':>10} {'llama.cpp':>10} {'ratio':>7}")
        for r in m["rows"]:
            print(f"  {r['row']:22} {r['rollbook']:10.1f} {r['llama_cpp']:10.1f} {r['ratio']:7.2f}")

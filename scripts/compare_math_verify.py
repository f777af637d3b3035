#!/usr/bin/env python3
"""Rollbook's grader against Hugging Face's Math-Verify on the same (gold, response) pairs:
the committed grader table (Tests/TasksTests/Fixtures/grader_cases.jsonl, labels set by
construction). Run with `make grader-compare` (installs math-verify into .venv-mathverify).
Prints, per kind and overall, the share of equivalent pairs each recognises and the share of
wrong pairs each accepts."""
import json, subprocess, sys, collections, signal

from math_verify import parse, verify

TABLE = "Tests/TasksTests/Fixtures/grader_cases.jsonl"
cases = [json.loads(l) for l in open(TABLE) if l.strip()]

def mv(gold, response):
    def alarm(*_):
        raise TimeoutError
    signal.signal(signal.SIGALRM, alarm)
    signal.alarm(5)
    try:
        return bool(verify(parse("$" + gold + "$") or parse(gold), parse(response)))
    except Exception:
        return False
    finally:
        signal.alarm(0)

lines = "".join(json.dumps({"gold": c["gold"], "response": c["response"]}) + "\n" for c in cases)
out = subprocess.run([".build/release/rollbook", "grade"], input=lines, capture_output=True, text=True).stdout
ours = [json.loads(l)["correct"] for l in out.splitlines()]
assert len(ours) == len(cases), (len(ours), len(cases))

stats = collections.defaultdict(lambda: [0, 0, 0, 0, 0, 0])  # eq, rb_eq, mv_eq, wrong, rb_acc, mv_acc
for c, r in zip(cases, ours):
    m = mv(c["gold"], c["response"])
    for k in (c["kind"], "all"):
        s = stats[k]
        if c["expected"]:
            s[0] += 1; s[1] += r; s[2] += m
        else:
            s[3] += 1; s[4] += r; s[5] += m

print(f"{'kind':12s} {'pairs':>5s}  {'rollbook: recognised / accepted wrong':>38s}   {'math-verify: recognised / accepted wrong':>41s}")
for k in sorted(stats, key=lambda k: (k == "all", k)):
    e, re_, me, w, ra, ma = stats[k]
    pct = lambda a, b: f"{100 * a / b:5.1f}%" if b else "   - "
    print(f"{k:12s} {e + w:5d}  {pct(re_, e):>18s} / {pct(ra, w):>17s}   {pct(me, e):>20s} / {pct(ma, w):>18s}")

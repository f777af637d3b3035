#!/usr/bin/env python3
"""Code-shape metrics for Sources/: the longest functions (by lines, brace-matched) and the
lines over 120 characters. Usage: scripts/code_metrics.py [--top N] [DIR]"""
import re, sys, pathlib

def functions(path):
    lines = path.read_text().split("\n")
    out = []
    decl = re.compile(r"^\s*(?:@\w+(?:\([^)]*\))?\s+)*(?:(?:public|private|fileprivate|internal|static|final|override|mutating|nonisolated|@discardableResult)\s+)*(?:func\s+(\w+)|init\b|(?:public\s+)?var\s+(\w+)\s*:[^=]*\{\s*$)")
    for i, line in enumerate(lines):
        m = decl.match(line)
        if not m:
            continue
        name = m.group(1) or m.group(2) or "init"
        depth, started, j = 0, False, i
        while j < len(lines):
            code = re.sub(r'"(?:\\.|[^"\\])*"', '""', lines[j].split("//")[0])
            for ch in code:
                if ch == "{":
                    depth += 1; started = True
                elif ch == "}":
                    depth -= 1
            if started and depth <= 0:
                break
            if not started and j > i + 6:
                break
            j += 1
        if started:
            out.append((j - i + 1, f"{path}:{i + 1}", name))
    return out

def main():
    args = sys.argv[1:]
    top = 10
    if args[:1] == ["--top"]:
        top = int(args[1]); args = args[2:]
    root = pathlib.Path(args[0] if args else "Sources")
    funcs, long_lines = [], 0
    for p in sorted(root.rglob("*.swift")):
        funcs += functions(p)
        long_lines += sum(1 for l in p.read_text().split("\n") if len(l) > 120)
    funcs.sort(reverse=True)
    print(f"lines over 120 characters: {long_lines}")
    print(f"longest functions:")
    for n, where, name in funcs[:top]:
        print(f"  {n:4d}  {name}  {where}")

main()

#!/usr/bin/env python3
"""Re-quantises the default model with llama.cpp's own quantiser (llama_model_quantize from
llama-cpp-python 0.3.36 = llama.cpp b11312, what `llama-quantize --allow-requantize` runs):

  requantize.py FORMAT [FORMAT ...]     FORMAT: Q4_K_M Q5_K_M Q6_K Q8_0 F16

Writes data/models/requant/SmolLM2-135M-Instruct.FORMAT.gguf (skipped if present) and prints
each file's path and sha256. The format tests and `bench-compare --formats` use these files.
"""
import ctypes, hashlib, os, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SRC = os.path.join(ROOT, "data/models/SmolLM2-135M-Instruct.Q4_1.gguf")
OUT = os.path.join(ROOT, "data/models/requant")
import llama_cpp

FTYPES = {"Q4_K_M": llama_cpp.LLAMA_FTYPE_MOSTLY_Q4_K_M, "Q5_K_M": llama_cpp.LLAMA_FTYPE_MOSTLY_Q5_K_M,
          "Q6_K": llama_cpp.LLAMA_FTYPE_MOSTLY_Q6_K, "Q8_0": llama_cpp.LLAMA_FTYPE_MOSTLY_Q8_0,
          "F16": llama_cpp.LLAMA_FTYPE_MOSTLY_F16}


def path(fmt):
    return os.path.join(OUT, f"SmolLM2-135M-Instruct.{fmt}.gguf")


def requantize(fmt):
    dst = path(fmt)
    if not os.path.exists(dst):
        os.makedirs(OUT, exist_ok=True)
        params = llama_cpp.llama_model_quantize_default_params()
        params.ftype = FTYPES[fmt]
        params.allow_requantize = True
        params.nthread = 2
        tmp = dst + ".part"
        rc = llama_cpp.llama_model_quantize(SRC.encode(), tmp.encode(), ctypes.byref(params))
        if rc != 0:
            sys.exit(f"llama_model_quantize {fmt}: error {rc}")
        os.replace(tmp, dst)
    return dst, hashlib.sha256(open(dst, "rb").read()).hexdigest()


if __name__ == "__main__":
    for fmt in sys.argv[1:] or FTYPES:
        if fmt not in FTYPES:
            sys.exit(f"unknown format {fmt} (one of {' '.join(FTYPES)})")
        p, sha = requantize(fmt)
        print(p, sha)

#!/usr/bin/env python3
"""Writes the GGUF reader and dequantisation fixtures from the `gguf` package (llama.cpp's
own Python reference code), an implementation independent of Rollbook's.

  pip install gguf==0.17.1 numpy && python3 scripts/make_gguf_fixtures.py

Outputs (Tests/GGUFTests/Fixtures):
  quant_<TYPE>.bin        raw blocks: random bytes with sane f16 scale fields
  quant_goldens.json      per type: element count and gguf.quants.dequantize() output
  tiny.gguf               a small v3 file with every metadata type (nested arrays too)
                          and one tensor per supported type, written by gguf.GGUFWriter
  tiny_expected.json      what the reader must find in tiny.gguf
"""
import json, os, sys
import numpy as np
import gguf
from gguf import GGMLQuantizationType as T
from gguf.quants import dequantize, quantize

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
out = os.path.join(root, "Tests", "GGUFTests", "Fixtures")
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(1234)

# (type, blocks, byte offsets of f16 fields inside a block)
SPECS = [
    (T.F32, 64, []), (T.F16, 64, []), (T.BF16, 64, []),
    (T.Q4_0, 8, [0]), (T.Q4_1, 8, [0, 2]), (T.Q5_0, 8, [0]), (T.Q5_1, 8, [0, 2]),
    (T.Q8_0, 8, [0]), (T.Q4_K, 4, [0, 2]), (T.Q5_K, 4, [0, 2]), (T.Q6_K, 4, [208]),
]

goldens = {}
for qt, nblocks, f16_fields in SPECS:
    qk, bs = gguf.GGML_QUANT_SIZES[qt]
    if qt in (T.F32, T.F16, T.BF16):
        x = rng.standard_normal(nblocks * qk).astype(np.float32)
        if qt == T.F32:
            raw = x.tobytes()
        elif qt == T.F16:
            raw = x.astype(np.float16).tobytes()
        else:
            raw = (x.view(np.uint32) >> 16).astype(np.uint16).tobytes()
    else:
        blocks = rng.integers(0, 256, size=(nblocks, bs), dtype=np.uint8)
        for off in f16_fields:  # keep scales in a realistic range (no inf/nan)
            vals = (rng.uniform(0.001, 0.1, size=nblocks) * rng.choice([-1, 1], size=nblocks)).astype(np.float16)
            blocks[:, off:off + 2] = vals.view(np.uint8).reshape(nblocks, 2)
        raw = blocks.tobytes()
    deq = dequantize(np.frombuffer(raw, dtype=np.uint8), qt).astype(np.float32).reshape(-1)
    name = qt.name
    with open(os.path.join(out, f"quant_{name}.bin"), "wb") as f:
        f.write(raw)
    goldens[name] = {"count": int(deq.size), "values": [float(v) for v in deq]}

with open(os.path.join(out, "quant_goldens.json"), "w") as f:
    json.dump({"generator": f"gguf {gguf.__version__ if hasattr(gguf, '__version__') else '0.17.1'}",
               "types": goldens}, f)

# A tiny GGUF file exercising every metadata type and several tensor types.
path = os.path.join(out, "tiny.gguf")
w = gguf.GGUFWriter(path, arch="llama")
w.add_uint8("t.u8", 200); w.add_int8("t.i8", -100)
w.add_uint16("t.u16", 60000); w.add_int16("t.i16", -30000)
w.add_uint32("t.u32", 4000000000); w.add_int32("t.i32", -2000000000)
w.add_uint64("t.u64", 2**63 + 5); w.add_int64("t.i64", -(2**62))
w.add_float32("t.f32", 1.5); w.add_float64("t.f64", -2.25)
w.add_bool("t.bool", True); w.add_string("t.str", "héllo wörld ✓")
w.add_array("t.arr_i32", [1, -2, 3]); w.add_array("t.arr_str", ["a", "bc", ""])
w.add_array("t.nested", [[1, 2], [3, 4, 5]])
w.add_array("t.arr_f32", [0.5, 0.25])
tensors = {}
x = rng.standard_normal((4, 64)).astype(np.float32)
w.add_tensor("w.f32", x); tensors["w.f32"] = ("F32", [64, 4])
w.add_tensor("w.f16", x.astype(np.float16)); tensors["w.f16"] = ("F16", [64, 4])
for qt in (T.Q8_0, T.Q4_1, T.Q4_0):
    q = quantize(x, qt)
    w.add_tensor(f"w.{qt.name.lower()}", q, raw_dtype=qt); tensors[f"w.{qt.name.lower()}"] = (qt.name, [64, 4])
xk = rng.standard_normal((2, 256)).astype(np.float32)
w.add_tensor("w.k", xk); tensors["w.k"] = ("F32", [256, 2])
w.write_header_to_file(); w.write_kv_data_to_file(); w.write_tensors_to_file(); w.close()

r = gguf.GGUFReader(path)
exp = {"tensors": {}, "first_values": {}}
for t in r.tensors:
    exp["tensors"][t.name] = {"type": t.tensor_type.name, "dims": [int(d) for d in t.shape]}
    vals = dequantize(t.data.reshape(-1) if t.tensor_type in (T.F32, T.F16) else t.data, t.tensor_type).reshape(-1)
    exp["first_values"][t.name] = [float(v) for v in vals[:8]]
with open(os.path.join(out, "tiny_expected.json"), "w") as f:
    json.dump(exp, f)
print("wrote fixtures to", out)

# ---- malformed files for the bad-input tests ----
tiny = open(path, "rb").read()
open(os.path.join(out, "bad_magic.gguf"), "wb").write(b"GGUX" + tiny[4:])
open(os.path.join(out, "truncated_header.gguf"), "wb").write(tiny[:200])
open(os.path.join(out, "truncated_data.gguf"), "wb").write(tiny[:-100])


def micro_llama(name, arch="llama", drop=None, odd_type=None, tok_model="gpt2", pre="gpt-2"):
    """A tiny random Llama model (2 layers, width 64) with a 256-byte BPE vocabulary."""
    p = os.path.join(out, name)
    w = gguf.GGUFWriter(p, arch=arch)
    dim, ffn, heads, kv, layers = 64, 256, 4, 2, 2
    w.add_block_count(layers); w.add_context_length(256); w.add_embedding_length(dim)
    w.add_feed_forward_length(ffn); w.add_head_count(heads); w.add_head_count_kv(kv)
    w.add_layer_norm_rms_eps(1e-5); w.add_rope_freq_base(10000.0)
    byte_chars = [chr(c) for c in range(33, 127)] + [chr(c) for c in range(161, 173)] + [chr(c) for c in range(174, 256)]
    n = 0
    table = []
    for b in range(256):
        if chr(b) in byte_chars: table.append(chr(b))
        else: table.append(chr(256 + n)); n += 1
    merges = ["\u0120 t", "h e", "\u0120t he", "l l", "\u0120 1"]
    tokens = table + ["\u0120t", "he", "\u0120the", "ll", "\u01201", "<|im_start|>", "<|im_end|>"]
    w.add_tokenizer_model(tok_model); w.add_tokenizer_pre(pre)
    w.add_token_list(tokens); w.add_token_types([1] * 261 + [3, 3]); w.add_token_merges(merges)
    w.add_eos_token_id(262)
    vocab = len(tokens)
    def t(nm, shape, qt=None):
        if drop == nm: return
        x = (rng.standard_normal(shape) * 0.25).astype(np.float32)
        if odd_type == nm:
            qk, bs = gguf.GGML_QUANT_SIZES[T.Q2_K]
            raw = np.zeros((shape[0], shape[1] // qk * bs), dtype=np.uint8)
            w.add_tensor(nm, raw, raw_dtype=T.Q2_K)
        elif qt is None:
            w.add_tensor(nm, x)
        else:
            w.add_tensor(nm, quantize(x, qt), raw_dtype=qt)
    t("token_embd.weight", (vocab, dim), T.Q8_0)
    t("output_norm.weight", (dim,))
    if arch == "qwen2":   # Qwen2: separate output head, QKV biases, NeoX rope
        t("output.weight", (vocab, dim), T.Q6_K if dim % 256 == 0 else T.Q8_0)
    for l in range(layers):
        t(f"blk.{l}.attn_norm.weight", (dim,)); t(f"blk.{l}.ffn_norm.weight", (dim,))
        t(f"blk.{l}.attn_q.weight", (dim, dim), T.Q4_1); t(f"blk.{l}.attn_k.weight", (kv * 16, dim), T.Q4_1)
        t(f"blk.{l}.attn_v.weight", (kv * 16, dim), T.Q4_0); t(f"blk.{l}.attn_output.weight", (dim, dim), T.Q8_0)
        t(f"blk.{l}.ffn_gate.weight", (ffn, dim), T.Q4_1); t(f"blk.{l}.ffn_up.weight", (ffn, dim), T.Q5_0)
        t(f"blk.{l}.ffn_down.weight", (dim, ffn))
        if arch == "qwen2":
            t(f"blk.{l}.attn_q.bias", (dim,)); t(f"blk.{l}.attn_k.bias", (kv * 16,)); t(f"blk.{l}.attn_v.bias", (kv * 16,))
    w.write_header_to_file(); w.write_kv_data_to_file(); w.write_tensors_to_file(); w.close()

micro_llama("micro_llama.gguf")
micro_llama("unknown_arch.gguf", arch="mamba")
micro_llama("missing_tensor.gguf", drop="blk.1.ffn_up.weight")
micro_llama("unsupported_type.gguf", odd_type="blk.0.ffn_down.weight")
micro_llama("sentencepiece_vocab.gguf", tok_model="llama")
micro_llama("micro_qwen2.gguf", arch="qwen2", pre="qwen2")
print("wrote malformed-input fixtures")

#!/usr/bin/env bash
# llama.cpp's own tokenizer test cases (models/ggml-vocab-NAME.gguf, vocab-only GGUFs with no
# tensors, and their .inp/.out pairs as test-tokenizer-0 runs them) from the llama-cpp-python
# 0.3.36 sdist on PyPI (the llama.cpp tree it vendors is b11312), into data/vocab-tests/.
# Used by TokenizerTests.VocabConformanceTests; a second run downloads nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
out=data/vocab-tests
names="gpt-2 llama-bpe qwen2 qwen35 deepseek-llm deepseek-coder falcon mpt starcoder refact command-r llama-spm phi-3 gemma-4"
have=1
for n in $names; do [ -s "$out/ggml-vocab-$n.gguf" ] || have=0; done
[ "$have" = 1 ] && exit 0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "fetching llama.cpp's tokenizer test vocabularies (llama-cpp-python 0.3.36 sdist, 77 MB, once)"
python3 -m pip download --quiet --disable-pip-version-check --no-deps --no-binary llama-cpp-python \
  llama-cpp-python==0.3.36 -d "$tmp"
mkdir -p "$out"
pattern=()
for n in $names; do pattern+=("*/vendor/llama.cpp/models/ggml-vocab-$n.gguf*"); done
tar xzf "$tmp"/llama_cpp_python-0.3.36.tar.gz -C "$tmp" --wildcards "${pattern[@]}"
cp "$tmp"/llama_cpp_python-0.3.36/vendor/llama.cpp/models/ggml-vocab-* "$out"/
ls "$out" | wc -l | xargs echo "vocab test files:"

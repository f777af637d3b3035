#!/usr/bin/env bash
# Installs the Python reference tools for fixtures and benchmarks (llama-cpp-python builds
# llama.cpp from source: about 7 minutes on 2 cores the first time).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
python3 -c "import llama_cpp, gguf, jinja2, numpy" 2>/dev/null && exit 0
CMAKE_BUILD_PARALLEL_LEVEL=$(nproc) python3 -m pip install --quiet --disable-pip-version-check -r "$here/requirements-fixtures.txt"

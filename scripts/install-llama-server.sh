#!/usr/bin/env bash
# Installs llama.cpp's OpenAI-compatible server (llama-cpp-python[server] from PyPI) into
# .venv-server/, the real remote peer of the remote-engine tests. llama-cpp-python builds
# llama.cpp from source: about 7 minutes on 2 cores the first time; later runs are no-ops.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venv-server
if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "import llama_cpp.server, uvicorn" 2>/dev/null; then exit 0; fi
if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -c "import ensurepip" 2>/dev/null; then
  apt-get install -y -qq python3-venv >/dev/null
fi
if ! command -v c++ >/dev/null 2>&1; then apt-get install -y -qq build-essential >/dev/null; fi
echo "installing llama-cpp-python[server] into $venv (builds llama.cpp: ~7 min on 2 cores, once)"
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check --upgrade pip
CMAKE_BUILD_PARALLEL_LEVEL=$(nproc) "$venv/bin/pip" install --quiet --disable-pip-version-check \
  "llama-cpp-python[server]==0.3.36"
"$venv/bin/python" -c "import llama_cpp.server, uvicorn; print('llama-cpp-python server ready')"

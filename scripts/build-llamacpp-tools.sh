#!/usr/bin/env bash
# Builds llama.cpp's own C++ tools (llama-bench, llama-batched-bench, llama-quantize) from the
# llama.cpp tree vendored in the llama-cpp-python 0.3.36 sdist (llama.cpp b11312): the peer at
# its best for `make bench-compare`, built natively (GGML_NATIVE=ON, static, Release) with its
# own OpenMP threading. Cached under .tools/llama.cpp-b11312/ (git-ignored); a second run does
# nothing. Prints the folder holding the binaries.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD/.tools/llama.cpp-b11312
bin=$root/build/bin
tools="llama-bench llama-batched-bench llama-quantize"
ok=1
for t in $tools; do [ -x "$bin/$t" ] || ok=0; done
if [ "$ok" = 1 ]; then echo "$bin"; exit 0; fi
missing=()
for p in cmake g++ make libgomp1; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing Debian packages: ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
mkdir -p "$root"
if [ ! -f "$root/src/CMakeLists.txt" ]; then
  echo "fetching llama.cpp b11312 (llama-cpp-python 0.3.36 sdist, 77 MB, once)" >&2
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  python3 -m pip download --quiet --disable-pip-version-check --no-deps --no-binary llama-cpp-python \
    llama-cpp-python==0.3.36 -d "$tmp"
  tar xzf "$tmp"/llama_cpp_python-0.3.36.tar.gz -C "$tmp"
  rm -rf "$root/src"
  mv "$tmp"/llama_cpp_python-0.3.36/vendor/llama.cpp "$root/src"
fi
echo "building llama.cpp's $tools (native, Release; several minutes once)" >&2
cmake -S "$root/src" -B "$root/build" -DCMAKE_BUILD_TYPE=Release -DGGML_NATIVE=ON \
  -DBUILD_SHARED_LIBS=OFF -DLLAMA_CURL=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=ON \
  -DLLAMA_BUILD_TOOLS=ON -DLLAMA_BUILD_SERVER=OFF >"$root/cmake.log" 2>&1 \
  || { tail -30 "$root/cmake.log" >&2; exit 1; }
cmake --build "$root/build" --config Release -j "$(nproc)" --target $tools >"$root/build.log" 2>&1 \
  || { tail -30 "$root/build.log" >&2; exit 1; }
echo "$bin"

#!/usr/bin/env bash
# Installs the Debian packages Rollbook needs, only those missing (idempotent).
#   install-deps.sh runtime   build and run
#   install-deps.sh test      runtime + what the test suite uses
set -euo pipefail
pkgs=(libopenblas-dev libsqlite3-dev libcairo2-dev pkg-config fonts-dejavu-core)
if [ "${1:-runtime}" = "test" ]; then pkgs+=(poppler-utils chromium); fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
echo "installing Debian packages: ${missing[*]}"
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

#!/usr/bin/env bash
# Installs what lxemu needs on Debian (bookworm) when it is missing, then builds it.
# Usage: tools/setup.sh [BUILD_DIR [CMAKE_OPTIONS...]]   (default: build)
set -euo pipefail

PACKAGES=(build-essential cmake pkg-config python3 libunicorn-dev libcapstone-dev
          libelf-dev libcunit1-dev musl-tools busybox-static strace qemu-user)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
shift $(($# > 0))
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
cmake --build "$build" -j"$(nproc)"

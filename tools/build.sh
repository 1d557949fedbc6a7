#!/usr/bin/env bash
# Installs the Debian packages (tools/setup.sh) and builds evalflow into build/ (Release, Ninja).
# Usage: tools/build.sh [TARGET...]   (default: everything). Idempotent: a second call only rebuilds what
# changed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh --with-torch
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
targets=()
for target in "$@"; do targets+=(--target "$target"); done
cmake --build build -j "$(nproc)" "${targets[@]}"

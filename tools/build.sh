#!/usr/bin/env bash
# Installs the Debian packages (tools/setup.sh) and builds evalflow into build/ (Release, Ninja).
# Idempotent: a second call only rebuilds what changed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh --with-torch
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$(nproc)"

#!/usr/bin/env bash
# The test command: set-up, a build from scratch if needed, every ctest test, the include check (every
# translation unit once more with clang and libc++, tools/check_includes.py), then each libFuzzer target
# for a bounded time (FUZZ_SECONDS, default 60).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/build.sh
ctest --test-dir build --output-on-failure -j "$(nproc)" --timeout 900
python3 tools/check_includes.py build
FUZZ_SECONDS=${FUZZ_SECONDS:-60} bash tools/run_fuzzers.sh

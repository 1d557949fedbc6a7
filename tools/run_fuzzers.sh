#!/usr/bin/env bash
# Builds every libFuzzer target (each registered with evalflow_add_fuzzer, see cmake/EvalflowFuzzer.cmake)
# with clang-14, ASan and UBSan in build-fuzz/, then runs each one for a bounded time. Every fuzzer runs
# even when an earlier one fails; the script fails at the end, naming each fuzzer that found a crash, a
# hang or a leak. The input that caused it is kept in build-fuzz/artifacts/<fuzzer>/ (replay it with:
# build-fuzz/fuzzers/<fuzzer> <that file>).
#
# Usage: tools/run_fuzzers.sh [FUZZER...]      (default: every fuzzer found)
# Environment: FUZZ_SECONDS (per fuzzer, default 60), FUZZ_TIMEOUT (seconds one input may take, default 10),
#              FUZZ_BUILD_DIR (default <repo>/build-fuzz), FUZZ_JOBS (build jobs, default 2).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${FUZZ_BUILD_DIR:-$root/build-fuzz}
seconds=${FUZZ_SECONDS:-60}
timeout=${FUZZ_TIMEOUT:-10}
jobs=${FUZZ_JOBS:-2}

cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 \
  -DEVALFLOW_BUILD_FUZZERS=ON -DEVALFLOW_BUILD_TESTS=OFF -DEVALFLOW_BUILD_BENCHMARKS=OFF \
  -DEVALFLOW_WITH_TORCH=OFF >/dev/null
cmake --build "$build" --target evalflow_fuzzers -j "$jobs"

fuzzers=()
if (($# > 0)); then
  for name in "$@"; do fuzzers+=("$build/fuzzers/$name"); done
else
  for path in "$build"/fuzzers/*; do
    [[ -f "$path" && -x "$path" ]] && fuzzers+=("$path")
  done
fi
if ((${#fuzzers[@]} == 0)); then
  echo "run_fuzzers: no fuzzer in $build/fuzzers (register one with evalflow_add_fuzzer)" >&2
  exit 1
fi

failed=()
for fuzzer in "${fuzzers[@]}"; do
  name=$(basename "$fuzzer")
  if [[ ! -x "$fuzzer" ]]; then
    echo "run_fuzzers: $fuzzer was not built; known fuzzers are in $build/fuzzers" >&2
    exit 1
  fi
  corpus="$build/corpus/$name"
  artifacts="$build/artifacts/$name"
  mkdir -p "$corpus" "$artifacts"
  inputs=("$corpus")
  [[ -f "$fuzzer.seeds" ]] && inputs+=("$(cat "$fuzzer.seeds")")
  echo "== $name: ${seconds}s (corpus $corpus)"
  if ! "$fuzzer" -max_total_time="$seconds" -timeout="$timeout" -rss_limit_mb=2048 \
    -artifact_prefix="$artifacts/" -print_final_stats=1 "${inputs[@]}"; then
    failed+=("$name")
  fi
done
if ((${#failed[@]} > 0)); then
  echo "run_fuzzers: FAILED: ${failed[*]} (inputs in $build/artifacts/<fuzzer>/)" >&2
  exit 1
fi
echo "run_fuzzers: ${#fuzzers[@]} fuzzer(s) ran ${seconds}s each without a crash, hang or leak"

#!/usr/bin/env bash
# Everything issue 20 measures, in one device call (the device tool returns at most 8 files, so every log
# goes into $OUT/all.tgz): the whole-project build with the kernel benchmark and torch_local's CUDA tests
# (tools/device_build_and_test.sh; QUICK=1 there builds torch_local and the CLI alone), the seed-shaped
# workload (tools/bench_seed_workload.py; WORKLOAD="--requests N --length-scale F ..."), decode speed at
# long contexts (tools/bench_decode_contexts.sh; DECODE_ROWS picks the rows), the seed pipeline on a
# random-weight checkpoint (tools/device_seed_pipeline.sh), then the whole ctest suite.
# STEPS picks some of: build workload decode seed ctest (default all); BENCH=0 leaves out the kernel
# benchmark; BUDGET_S (560) bounds the whole. Usage, carrying .deps:
#   run(command="bash tools/device_all.sh", carry=[".deps"])
set -uo pipefail
root=$(pwd)
final=${OUT:-$root/device-out}
logs=$(mktemp -d)
steps=" ${STEPS:-build workload decode seed ctest} "
deadline=$((SECONDS + ${BUDGET_S:-560}))
left() { echo $((deadline - SECONDS)); }
export LD_LIBRARY_PATH=$root/.deps/root/usr/lib/x86_64-linux-gnu:${LD_LIBRARY_PATH:-}
export PATH=$root/.deps/root/usr/bin:$PATH
step() {  # step NAME SECONDS COMMAND...: at most SECONDS (and what is left of the budget), output in $logs/step_NAME.log
  local name=$1
  local cap=$2
  shift 2
  [[ $steps == *" $name "* ]] || return 0
  local limit
  limit=$(left)
  ((limit > cap)) && limit=$cap
  if ((limit <= 0)); then
    echo "== $name: skipped, no time left"
    return 0
  fi
  local start=$SECONDS
  # step_NAME.log: the scripts write their own logs (build.log, ...) into the same folder.
  OUT=$logs timeout "$limit" "$@" >"$logs/step_$name.log" 2>&1
  echo "== $name: exit $? in $((SECONDS - start)) s"
}
step build 300 env BENCH="${BENCH:-1}" CTEST=0 bash tools/device_build_and_test.sh
# shellcheck disable=SC2086  # WORKLOAD and DECODE_ROWS are lists of words
step workload 240 python3 tools/bench_seed_workload.py --evalflow build-device/bin/evalflow \
  --model tools/bench_models/deepseek-r1-distill-qwen-14b --out "$logs" ${WORKLOAD:-}
step decode 300 bash tools/bench_decode_contexts.sh 256 \
  ${DECODE_ROWS:-1x16384 1x32768 16x8192 64x4096 128x2048 16x16384 48x8192}
step seed 150 bash tools/device_seed_pipeline.sh 16 1024
step ctest 300 ctest --test-dir build-device -j16 --timeout 120
tail -n 45 "$logs/step_build.log" 2>/dev/null | grep -v '^{"shape"'
grep -ho '"batch": [0-9]*, "context": [0-9]*, "new_tokens": [0-9]*, "steady[^,]*, "limit[^,]*, "share[^,]*' \
  "$logs/decode_contexts.jsonl" 2>/dev/null
python3 -c 'import json, sys; s = json.load(open(sys.argv[1])); s.pop("timeline"); print(s)' \
  "$logs/seed_workload.json" 2>/dev/null
tail -n 12 "$logs/step_seed.log" 2>/dev/null
grep -E "tests passed|tests failed|\(Failed\)|\(Timeout\)|Not Run|Exception" "$logs/step_ctest.log" 2>/dev/null | tail -n 25
tar czf "$final/all.tgz" -C "$logs" .

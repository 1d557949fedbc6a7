#!/usr/bin/env bash
# torch_local's decode speed on the GPU machine, then transformers' generate() on the same GPU in the same
# session: a random-weight model with DeepSeek-R1-Distill-Qwen-14B's exact config, prompts of 128 random
# tokens, EOS ignored. Run after tools/device_build_and_test.sh (it uses build-device/).
# Usage: bash tools/bench_torch_local.sh NEW_TOKENS HF_NEW_TOKENS BATCH...
# Prints one JSON line per run; peak GPU memory is sampled with nvidia-smi every 200 ms (it includes the KV
# pool, sized to gpu_memory_utilization; the stats' kv_cache says how much of it the run used).
# KV_CACHE_TOKENS=N limits the KV pool to N positions (to measure admission control and preemption).
# DEVICES=cuda:0,cuda:1 runs one engine per listed GPU from one queue, with BATCH sequences per engine (BATCH x
# the number of devices prompts): the data-parallel figure on a machine with several GPUs (default cuda:0).
set -uo pipefail
root=$(pwd)
out=${OUT:-$root/device-out}
new_tokens=$1
hf_new_tokens=$2
shift 2
model=$root/tools/bench_models/deepseek-r1-distill-qwen-14b
export LD_LIBRARY_PATH=$root/.deps/root/usr/lib/x86_64-linux-gnu:${LD_LIBRARY_PATH:-}
evalflow=$root/build-device/bin/evalflow
devices=${DEVICES:-cuda:0}
engines=$(($(tr -cd , <<<"$devices" | wc -c) + 1))

peak_memory() {  # runs "$@" while sampling GPU memory; prints the peak in GiB on fd 3
  nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits -lms 200 >"$out/memory.samples" &
  local sampler=$!
  "$@"
  local status=$?
  kill "$sampler"
  wait "$sampler" 2>/dev/null
  sort -n "$out/memory.samples" | tail -n 1 | awk '{printf "%.1f\n", $1 / 1024}' >&3
  return "$status"
}

for batch in "$@"; do
  python3 -c "
import json, random
random.seed($batch)
for _ in range($batch * $engines):
    print(json.dumps({'prompt_ids': [random.randrange(152064) for _ in range(128)]}))" >"$out/prompts.jsonl"
  peak=$( { peak_memory "$evalflow" generate --model "$model" --random-weights --devices "$devices" --ignore-eos \
    --max-tokens "$new_tokens" --max-batch "$batch" --max-sequence-length $((128 + new_tokens)) --stats --warmup \
    ${KV_CACHE_TOKENS:+--kv-cache-tokens "$KV_CACHE_TOKENS"} \
    <"$out/prompts.jsonl" >/dev/null 2>"$out/stats_$batch.json"; } 3>&1 )
  echo "{\"engine\": \"torch_local\", \"devices\": \"$devices\", \"batch\": $batch, \"new_tokens\": $new_tokens, \"peak_gpu_memory_gib\": $peak, \"stats\": $(tail -n 1 "$out/stats_$batch.json")}" | tee -a "$out/bench.jsonl"
done
if ((hf_new_tokens > 0)); then
  PYTHONUNBUFFERED=1 python3 tools/bench_transformers.py "$model" --prompt 128 --new-tokens "$hf_new_tokens" \
    --batch "$@" 2>"$out/transformers.err" | tee -a "$out/bench.jsonl"
  tail -n 5 "$out/transformers.err"
fi

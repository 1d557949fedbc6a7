#!/usr/bin/env bash
# torch_local's steady decode speed at long contexts (issue 20's table) on the GPU machine: a random-weight
# model with DeepSeek-R1-Distill-Qwen-14B's config, BATCH prompts of CONTEXT - NEW_TOKENS random tokens each,
# NEW_TOKENS new tokens (EOS ignored), so the decode steps run at contexts CONTEXT - NEW_TOKENS .. CONTEXT.
# Prints one JSON line per row with the bandwidth limit: (weights + every sequence's KV at the mean decode
# context) read once per step at 4.3 TB/s. Run after tools/device_build_and_test.sh (it uses build-device/).
# Usage: bash tools/bench_decode_contexts.sh NEW_TOKENS BATCHxCONTEXT...   e.g. 256 1x16384 16x8192
set -uo pipefail
root=$(pwd)
out=${OUT:-$root/device-out}
new_tokens=$1
shift
model=$root/tools/bench_models/deepseek-r1-distill-qwen-14b
export LD_LIBRARY_PATH=$root/.deps/root/usr/lib/x86_64-linux-gnu:${LD_LIBRARY_PATH:-}
evalflow=$root/build-device/bin/evalflow
scratch=$(mktemp -d)
for row in "$@"; do
  batch=${row%x*}
  context=${row#*x}
  prompt=$((context - new_tokens))
  python3 -c "
import json, random
random.seed($batch * 7 + $context)
for _ in range($batch):
    print(json.dumps({'prompt_ids': [random.randrange(152064) for _ in range($prompt)]}))" >"$scratch/prompts.jsonl"
  start=$(date +%s)
  "$evalflow" generate --model "$model" --random-weights --device cuda:0 --ignore-eos --max-tokens "$new_tokens" \
    --max-batch "$batch" --max-sequence-length "$context" --stats --warmup <"$scratch/prompts.jsonl" >/dev/null \
    2>"$scratch/stats.json"
  seconds=$(($(date +%s) - start))
  python3 - "$scratch/stats.json" "$batch" "$context" "$new_tokens" "$seconds" <<'PY' | tee -a "$out/decode_contexts.jsonl"
import json, sys
path, batch, context, new_tokens, seconds = sys.argv[1], *map(int, sys.argv[2:])
lines = [l for l in open(path) if l.startswith("{")]
stats = json.loads(lines[-1]) if lines else {}
weights = 29.54e9  # bf16 parameters of the 14B model (embedding rows are not read per step)
kv_per_position = 48 * 8 * 128 * 2 * 2
mean_context = context - new_tokens / 2
limit = batch / ((weights + batch * mean_context * kv_per_position) / 4.3e12)
speed = stats.get("steady_decode_tokens_per_s", 0.0)
print(json.dumps({"batch": batch, "context": context, "new_tokens": new_tokens, "steady_decode_tokens_per_s":
                  round(speed, 1), "limit_tokens_per_s": round(limit, 1), "share_of_limit": round(speed / limit, 3),
                  "wall_s": seconds, "stats": stats}))
PY
done

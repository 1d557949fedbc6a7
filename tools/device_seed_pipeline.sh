#!/usr/bin/env bash
# The seed pipeline end to end on the GPU machine with the local engine: pipelines/r1_distill_qwen14b.yaml
# with --model pipelines/models/hf_chat_model.yaml, on a random-weight checkpoint of DeepSeek-R1-Distill-
# Qwen-14B's config written to disk in safetensors (the loader's real path), with the Qwen3 tokenizer of
# tests/data (same byte-level BPE family; the random model's answers are noise, so the scores are ~0).
# Run after tools/device_build_and_test.sh (it uses build-device/). Usage: bash tools/device_seed_pipeline.sh
# [PROMPTS_PER_DATASET [MAX_TOKENS]] (default 16 and 1024). Logs and the run's summary go to $OUT.
set -uo pipefail
root=$(pwd)
out=${OUT:-$root/device-out}
prompts=${1:-16}
max_tokens=${2:-1024}
checkpoint=${CHECKPOINT:-/tmp/r1-distill-qwen-14b-random}
export LD_LIBRARY_PATH=$root/.deps/root/usr/lib/x86_64-linux-gnu:${LD_LIBRARY_PATH:-}
export EVALFLOW_PLUGIN_PATH=$root/build-device/plugins
start=$(date +%s)
python3 - "$root/tools/bench_models/deepseek-r1-distill-qwen-14b/config.json" "$checkpoint" <<'PY'
import json, os, shutil, sys
import torch
from safetensors.torch import save_file
config_path, folder = sys.argv[1:]
config = json.load(open(config_path))
os.makedirs(folder, exist_ok=True)
shutil.copy(config_path, os.path.join(folder, "config.json"))
hidden, inter, layers = config["hidden_size"], config["intermediate_size"], config["num_hidden_layers"]
heads, kv = config["num_attention_heads"], config["num_key_value_heads"]
dim = hidden // heads
vocab = config["vocab_size"]
gen = torch.Generator(device="cuda").manual_seed(0)
def rand(*shape, std=0.02):
    return (torch.randn(*shape, generator=gen, device="cuda", dtype=torch.float32) * std).to(torch.bfloat16).cpu()
shards, index = [], {}
def flush(tensors):
    name = f"model-{len(shards) + 1:05d}.safetensors"
    save_file(tensors, os.path.join(folder, name), metadata={"format": "pt"})
    shards.append(name)
    for key in tensors:
        index[key] = name
shard = {"model.embed_tokens.weight": rand(vocab, hidden), "lm_head.weight": rand(vocab, hidden),
         "model.norm.weight": torch.ones(hidden, dtype=torch.bfloat16)}
flush(shard)
for layer in range(layers):
    p = f"model.layers.{layer}."
    shard = {p + "input_layernorm.weight": torch.ones(hidden, dtype=torch.bfloat16),
             p + "post_attention_layernorm.weight": torch.ones(hidden, dtype=torch.bfloat16),
             p + "self_attn.q_proj.weight": rand(heads * dim, hidden), p + "self_attn.q_proj.bias": rand(heads * dim),
             p + "self_attn.k_proj.weight": rand(kv * dim, hidden), p + "self_attn.k_proj.bias": rand(kv * dim),
             p + "self_attn.v_proj.weight": rand(kv * dim, hidden), p + "self_attn.v_proj.bias": rand(kv * dim),
             p + "self_attn.o_proj.weight": rand(hidden, heads * dim),
             p + "mlp.gate_proj.weight": rand(inter, hidden), p + "mlp.up_proj.weight": rand(inter, hidden),
             p + "mlp.down_proj.weight": rand(hidden, inter)}
    flush(shard)
json.dump({"metadata": {}, "weight_map": index}, open(os.path.join(folder, "model.safetensors.index.json"), "w"))
PY
cp "$root/tests/data/tokenizers/qwen3/tokenizer.json" "$root/tests/data/tokenizers/qwen3/tokenizer_config.json" \
  "$checkpoint/"
echo "== random checkpoint written in $(($(date +%s) - start)) s: $(du -sh "$checkpoint" | cut -f1)"
cd "$root/pipelines" || exit 1
start=$(date +%s)
"$root/build-device/bin/evalflow" run r1_distill_qwen14b.yaml --model models/hf_chat_model.yaml \
  -s model.path="$checkpoint" -s model.generation_kwargs.max_tokens="$max_tokens" --num-prompts "$prompts" \
  >"$out/seed_run.log" 2>&1
status=$?
echo "== seed pipeline: exit $status in $(($(date +%s) - start)) s"
tail -n 25 "$out/seed_run.log"
exit "$status"

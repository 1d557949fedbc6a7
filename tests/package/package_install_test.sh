#!/usr/bin/env bash
# The Debian package end to end: cpack builds the .debs from BUILD_DIR, the main one is unpacked into a
# scratch root (dpkg-deb -x: a clean prefix, no container, no root needed), and from there
#   - `evalflow run ROOT/usr/share/evalflow/pipelines/demo.yaml` finds its installed plugins and data and
#     writes the demo's figures and report.html;
#   - the out-of-tree plugin (tests/abi/out_of_tree) builds with find_package(evalflow) against ROOT/usr and
#     runs through the installed evalflow;
#   - in a build with libtorch (WITH_TORCH = torch), evalflow-torch unpacked into the same root adds
#     torch_local, which the installed evalflow finds and runs a pipeline with (a random-weight tiny Qwen2 on
#     the CPU with Qwen3's tokenizer and chat template).
# Usage: package_install_test.sh BUILD_DIR SOURCE_DIR WORK_DIR [WITH_TORCH]
set -euo pipefail
build_dir=$(cd "$1" && pwd)
source_dir=$(cd "$2" && pwd)
work=$3
rm -rf "$work"
mkdir -p "$work/packages" "$work/root"
work=$(cd "$work" && pwd)
unset EVALFLOW_PLUGIN_PATH  # only what the package installed may be found

(cd "$work/packages" && cpack -G DEB --config "$build_dir/CPackConfig.cmake" -B "$work/packages" >cpack.log) ||
  { cat "$work/packages/cpack.log"; exit 1; }
main_deb=$(ls "$work"/packages/evalflow_*.deb)
echo "packages: $(cd "$work/packages" && ls ./*.deb | tr '\n' ' ')"
dpkg-deb --field "$main_deb" Package Version Depends
dpkg-deb -x "$main_deb" "$work/root"
root=$work/root/usr

for path in bin/evalflow share/evalflow/pipelines/demo.yaml share/evalflow/data/math500/test.jsonl \
            include/evalflow/plugin.h include/evalflow/plugin.hpp; do
  [[ -e "$root/$path" ]] || { echo "missing from the package: /usr/$path"; exit 1; }
done
ls "$root"/lib/evalflow/plugins/libevalflow_math_verify.so >/dev/null
if ls "$root"/lib/evalflow/plugins/libevalflow_torch_local.so >/dev/null 2>&1; then
  echo "torch_local belongs to evalflow-torch, not evalflow"; exit 1
fi

"$root/bin/evalflow" run "$root/share/evalflow/pipelines/demo.yaml" --work-dir "$work/outputs" --no-progress \
  >"$work/demo.log" || { cat "$work/demo.log"; exit 1; }
grep -E "^math500 +[0-9a-f]+ +accuracy +gen +45.40" "$work/demo.log" >/dev/null ||
  { echo "the installed demo did not print MATH-500 45.40:"; cat "$work/demo.log"; exit 1; }
ls "$work"/outputs/*/report.html >/dev/null

cmake -S "$source_dir/tests/abi/out_of_tree" -B "$work/plugin_build" -G Ninja -DCMAKE_PREFIX_PATH="$root" >/dev/null
cmake --build "$work/plugin_build" >/dev/null
cp "$source_dir/tests/abi/out_of_tree/pipeline.yaml" "$source_dir/tests/abi/out_of_tree/words.jsonl" "$work/"
EVALFLOW_PLUGIN_PATH="$work/plugin_build/plugins" "$root/bin/evalflow" run "$work/pipeline.yaml" \
  --work-dir "$work/oot_outputs" --no-progress >/dev/null
grep -q '"accuracy": 100.0' "$work"/oot_outputs/*/results/no-model/words.json

if [[ "${4:-}" == torch ]]; then
  torch_deb=$(ls "$work"/packages/evalflow-torch_*.deb)
  dpkg-deb --field "$torch_deb" Package Depends
  dpkg-deb --field "$torch_deb" Depends | grep -qE '(^|, )evalflow( |,|$)' ||
    { echo "evalflow-torch does not depend on evalflow, the host torch_local plugs into"; exit 1; }
  dpkg-deb -x "$torch_deb" "$work/root"
  ls "$root"/lib/evalflow/plugins/libevalflow_torch_local.so >/dev/null
  model=$work/tiny_chat_model
  mkdir -p "$model"
  cp "$source_dir"/tests/data/tokenizers/qwen3/{tokenizer.json,tokenizer_config.json} "$model/"
  cat >"$model/config.json" <<'JSON'
{"model_type": "qwen2", "vocab_size": 151936, "hidden_size": 16, "intermediate_size": 32, "num_hidden_layers": 1,
 "num_attention_heads": 2, "num_key_value_heads": 1, "max_position_embeddings": 1024, "tie_word_embeddings": true,
 "eos_token_id": 151645}
JSON
  printf '%s\n' '{"question": "What is 1+1?", "answer": "2"}' '{"question": "Say hi.", "answer": "hi"}' \
    >"$work/questions.jsonl"
  cat >"$work/torch_pipeline.yaml" <<YAML
model: {abbr: tiny, type: torch_local, options: {path: $model, random_weights: true, generation_kwargs: {max_tokens: 4, seed: 1}}}
datasets:
  - abbr: qa
    nodes:
      - {name: load, type: jsonl_loader, options: {path: questions.jsonl, output_column: answer}}
      - {name: prompt, type: prompt_template, options: {template: "{question}"}}
      - {use: model}
      - {name: judge, type: exact_match}
YAML
  "$root/bin/evalflow" run "$work/torch_pipeline.yaml" --work-dir "$work/torch_outputs" --no-progress \
    >"$work/torch.log" 2>&1 || { cat "$work/torch.log"; exit 1; }
  rows=$(grep -c '"completion_tokens"' "$work"/torch_outputs/*/predictions/tiny/qa.jsonl)
  [[ "$rows" == 2 ]] || { echo "torch_local from evalflow-torch wrote $rows rows, not 2"; cat "$work/torch.log"; exit 1; }
fi
echo "package install: ok"

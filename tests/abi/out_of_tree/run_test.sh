#!/usr/bin/env bash
# Installs evalflow from BUILD_DIR into a scratch prefix, builds the out-of-tree plugin against it with
# find_package(evalflow), then runs a pipeline through that plugin with the installed evalflow.
set -euo pipefail
build_dir=$1
work=$2
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work"
mkdir -p "$work"
cmake --install "$build_dir" --prefix "$work/prefix" >/dev/null
cmake -S "$here" -B "$work/build" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/build" >/dev/null
export EVALFLOW_PLUGIN_PATH="$work/build/plugins"
"$work/prefix/bin/evalflow" plugins oot_reverse | grep -q "oot_reverse \[function"
cp "$here/pipeline.yaml" "$here/words.jsonl" "$work/"
"$work/prefix/bin/evalflow" run "$work/pipeline.yaml" --work-dir "$work/outputs" --no-progress
results=$(ls "$work"/outputs/*/results/no-model/words.json)
grep -q '"accuracy": 100.0' "$results" || { cat "$results"; exit 1; }
echo "out-of-tree plugin: ok"

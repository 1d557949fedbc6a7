#!/usr/bin/env bash
# The main job on its embedded default: builds evalflow and the plugins the demo uses, then replays
# recorded real model outputs over MATH-500 and AIME 2024 offline and prints the summary table
# (pipelines/demo.yaml). Extra arguments go to `evalflow run`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/build.sh evalflow jsonl_loader prompt_template replay math_boxed math_string math_verify accuracy \
  sample_metrics
build/bin/evalflow run pipelines/demo.yaml "$@"

#!/usr/bin/env bash
# The main job on its embedded default: builds evalflow, then replays recorded real model outputs over
# MATH-500 and AIME 2024 offline and prints the summary table (pipelines/demo.yaml).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/build.sh
build/bin/evalflow run pipelines/demo.yaml "$@"

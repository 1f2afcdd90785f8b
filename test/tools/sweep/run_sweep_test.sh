#!/usr/bin/env bash
# cim-sweep end to end on a tiny sweep: compiles the CNN once for rram-256, runs each point on
# the first 64 Fashion-MNIST test images with 2 chips, and checks the CSV and the PNG
# (check_sweep.py); then a grid over ADC bits and crossbar rows (a plan per row count) with
# energy on the x axis and its Pareto front (check_grid.py). Some 20 seconds with the
# reference CPU kernel.
#   run_sweep_test.sh SWEEP BIN_DIR MODEL_BASENAME DATASET_DIR WORK_DIR
set -euo pipefail
sweep=$1 bin=$2 model=$3 dataset=$4 work=$5
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work" && mkdir -p "$work"
"$sweep" "$model.onnx" --device rram-256 --dataset "$dataset" --limit 64 --chips 2 --jobs 2 \
  --spec "$here/tiny.json" --reference "$model.reference.npz" \
  --cim-opt "$bin/cim-opt" --cim-run "$bin/cim-run" \
  --csv "$work/sweep.csv" --png "$work/sweep.png" --work "$work/points"
python3 "$here/check_sweep.py" "$here/tiny.json" "$work/sweep.csv" "$work/sweep.png" 2 64

"$sweep" "$model.onnx" --device rram-256 --dataset "$dataset" --limit 32 --chips 1 \
  --spec "$here/grid.json" --x cost.energy_pj_per_sample --pareto \
  --cim-opt "$bin/cim-opt" --cim-run "$bin/cim-run" \
  --csv "$work/grid.csv" --png "$work/grid.png" --work "$work/grid"
python3 "$here/check_grid.py" "$here/grid.json" "$work/grid.csv" "$work/grid"
python3 -c "import sys; d = open(sys.argv[1], 'rb').read(); assert d[:8] == b'\\x89PNG\\r\\n\\x1a\\n' and len(d) > 10000" "$work/grid.png"
# Nothing but the outputs and the kept work folder: no temporary files left beside them.
leftover=$(ls -A "$work" | grep -vxE 'sweep\.csv|sweep\.png|points|grid\.csv|grid\.png|grid' || true)
[ -z "$leftover" ] || { echo "unexpected files in $work: $leftover" >&2; exit 1; }

#!/usr/bin/env bash
# One ONNX backend node test through cimlir: compile model.onnx (int64 inputs such as
# Reshape's shape frozen into constants), run every test_data_set_* and compare the
# outputs with output_*.pb within the ONNX backend tests' tolerances (rtol 1e-3,
# atol 1e-7; cim-run exits non-zero outside them).
#   run_onnx_node_test.sh BIN_DIR TEST_DIR WORK_DIR
set -euo pipefail
bin=$1 dir=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
freeze=()
rc=0
"$bin/freeze-shape-inputs" "$dir/test_data_set_0" "$work/frozen.npz" || rc=$?
if [ "$rc" -eq 0 ]; then freeze=(--freeze-inputs "$work/frozen.npz"); elif [ "$rc" -ne 3 ]; then exit 1; fi
"$bin/cim-opt" "$dir/model.onnx" "${freeze[@]}" -o "$work/plan.bin"
"$bin/cim-run" "$work/plan.bin" --dataset "$dir" --batch 1 --rtol 1e-3 --atol 1e-7

#!/usr/bin/env bash
# The full-size architectures of docs/onnx-support.md ("Real architectures"), on the GPU machine
# (PyTorch, timm, transformers, onnxruntime; no MLIR): exports each with
# scripts/export_models.py --full (both exporters), compiles it as exported with the
# self-contained tools of scripts/build_portable.sh, and runs it on onnxruntime's reference:
#  - digital: max|y - y_ref| <= 1e-4 * max|y_ref| (cim-run fails otherwise);
#  - rram-256: every linear layer on crossbars (random weights give no accuracy to assert; the
#    error is printed), with the CIM layer count and the wall time of each step.
# Exports already under WORK_DIR are reused. The models take 10 MB to 1.5 GB; exporting all of
# them takes minutes, and so do the rram-256 runs of the decoders on the CPU backend.
#   scripts/full_models.sh TOOLS_DIR WORK_DIR NAME...   (NAME: resnet18 resnet50 mobilenetv2
#                                                        deit_tiny bert gpt2 qwen3)
set -euo pipefail
tools=$1 work=$2
shift 2
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$work"
now() { date +%s.%N; }
secs() { python3 -c "print(f'{$2 - $1:.1f}')"; }

missing=()
for name in "$@"; do
  [ -f "$work/$name/model.onnx" ] || [ -f "$work/${name}_dynamo/model.onnx" ] || missing+=("$name")
done
if [ ${#missing[@]} -gt 0 ]; then
  ( IFS=,; python3 "$root/scripts/export_models.py" "$work" --full --only "${missing[*]}" )
fi

summary="$work/summary.txt"
for name in "$@"; do
  for case in "$name" "${name}_dynamo"; do
    dir=$work/$case
    [ -f "$dir/model.onnx" ] || continue
    bound=$(python3 - "$dir/test_data_set_0" <<'PY'
import glob, sys
import numpy as np
from onnx import TensorProto, numpy_helper
peak = 0.0
for path in glob.glob(sys.argv[1] + "/output_*.pb"):
    t = TensorProto()
    t.ParseFromString(open(path, "rb").read())
    peak = max(peak, float(np.abs(numpy_helper.to_array(t)).max()))
print(f"{1e-4 * peak:.6g}")
PY
)
    t0=$(now)
    "$tools/cim-opt" "$dir/model.onnx" -o "$dir/digital.plan"
    t1=$(now)
    "$tools/cim-run" "$dir/digital.plan" --dataset "$dir" --batch 1 --rtol 0 --atol "$bound" \
      --report "$dir/digital.json"
    t2=$(now)
    "$tools/cim-opt" "$dir/model.onnx" --device rram-256 -o "$dir/rram.plan"
    t3=$(now)
    "$tools/cim-run" "$dir/rram.plan" --dataset "$dir" --batch 1 --rtol 1e30 --atol 1e30 \
      --report "$dir/rram.json"
    t4=$(now)
    python3 - "$case" "$dir" "$bound" "$(secs "$t0" "$t1")" "$(secs "$t1" "$t2")" \
      "$(secs "$t2" "$t3")" "$(secs "$t3" "$t4")" >>"$summary" <<'PY'
import json, os, sys
case, d, bound, c_dig, r_dig, c_rram, r_rram = sys.argv[1:]
dig = json.load(open(os.path.join(d, "digital.json")))
rram = json.load(open(os.path.join(d, "rram.json")))
cim = [l for l in rram["layers"] if l["op"] == "CimLinear" and l["samples"] > 0]
mb = os.path.getsize(os.path.join(d, "model.onnx")) / 1e6
print(f"{case}: {mb:.0f} MB; digital max err {dig['max_abs_error']:.2g} (bound {float(bound):.2g}), "
      f"compile {c_dig} s, run {r_dig} s; rram-256 {len(cim)} CIM layers of "
      f"{len(rram['layers'])}, max err {rram['max_abs_error']:.2g}, compile {c_rram} s, "
      f"run {r_rram} s")
PY
    tail -1 "$summary"
    rm -f "$dir/digital.plan" "$dir/rram.plan"
  done
done

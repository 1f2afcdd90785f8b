#!/usr/bin/env bash
# A bundled model compiled for a CIM device and run on the first LIMIT Fashion-MNIST test
# images: its predictions must agree with the framework's on at least MIN_AGREEMENT of
# them (the CIM path end to end: lowering, mapping, plan, programming, DAC/ADC numerics).
# With DIGITAL_STEPS = yes the plan must also hold DigitalLinear steps (layers the device keeps
# digital in a reduced precision, cim-numerics.md §8).
# Arguments after DIGITAL_STEPS go to cim-opt (e.g. --calibration DIR).
#   run_cim_model_test.sh BIN_DIR MODEL_BASENAME DEVICE LIMIT MIN_AGREEMENT DATASET_DIR WORK_DIR
#                         [DIGITAL_STEPS [CIM_OPT_ARGS...]]
set -euo pipefail
bin=$1 model=$2 device=$3 limit=$4 min=$5 dataset=$6 work=$7 digital=${8:-no}
shift $(($# < 8 ? $# : 8))
rm -rf "$work" && mkdir -p "$work"
"$bin/cim-opt" "$model.onnx" --device "$device" "$@" -o "$work/plan.bin"
if [ "$digital" = yes ] && ! grep -q '"DigitalLinear"' "$work/plan.bin"; then
  echo "the plan has no DigitalLinear step" >&2
  exit 1
fi
"$bin/cim-run" "$work/plan.bin" --dataset "$dataset" --limit "$limit" \
  --reference "$model.reference.npz" --report "$work/report.json"
python3 - "$work/report.json" "$min" "$limit" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
assert report["samples"] == int(sys.argv[3]), report["samples"]
assert report["reference_agreement"] >= float(sys.argv[2]), report["reference_agreement"]
assert any(layer.get("per_sample") for layer in report["layers"]), "no CIM layer ran"
PY

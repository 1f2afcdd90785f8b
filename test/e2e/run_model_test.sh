#!/usr/bin/env bash
# A bundled model through cim-opt and cim-run on Fashion-MNIST's 10,000 test images:
# cimlir's predictions must agree with the framework's (models/*.reference.npz) on at
# least 99.9 % of the images, and the accuracy must match the framework's to 0.1 %.
#   run_model_test.sh BIN_DIR MODEL_BASENAME DATASET_DIR WORK_DIR
set -euo pipefail
bin=$1 model=$2 dataset=$3 work=$4
rm -rf "$work" && mkdir -p "$work"
"$bin/cim-opt" "$model.onnx" -o "$work/plan.bin"
"$bin/cim-run" "$work/plan.bin" --dataset "$dataset" --reference "$model.reference.npz" \
  --report "$work/report.json"
python3 - "$work/report.json" "$model.results.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
framework = json.load(open(sys.argv[2]))
assert report["samples"] == 10000, report
assert report["reference_agreement"] >= 0.999, f"agreement {report['reference_agreement']}"
expected = framework["test_accuracy_torch"]
assert abs(report["accuracy"] - expected) <= 0.001, f"accuracy {report['accuracy']} vs {expected}"
print(f"agreement {report['reference_agreement']:.4f}, accuracy {report['accuracy']:.4f} (framework {expected:.4f})")
PY

#!/usr/bin/env bash
# The main job, from a fresh Debian machine: install what is missing, build, compile the
# bundled Fashion-MNIST CNN with cim-opt and run the plan with cim-run on the 10,000 test
# images of Debian's dataset-fashion-mnist, printing the accuracy.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
build/bin/cim-opt models/fashion_cnn.onnx --device digital -o build/fashion_cnn.plan
build/bin/cim-run build/fashion_cnn.plan --dataset /usr/share/datasets/fashion-mnist \
  --reference models/fashion_cnn.reference.npz --report build/fashion_cnn.report.json

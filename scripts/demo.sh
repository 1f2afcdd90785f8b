#!/usr/bin/env bash
# The main job, from a fresh Debian machine: install what is missing, build, compile the
# bundled Fashion-MNIST CNN with cim-opt and run the plan with cim-run on the 10,000 test
# images of Debian's dataset-fashion-mnist, printing the accuracy: first every layer digital
# in fp32, then on the rram-256 device (RRAM crossbars, 8-bit ADC, 1 % read noise; about
# half a minute on 2 cores).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
build/bin/cim-opt models/fashion_cnn.onnx --device digital -o build/fashion_cnn.plan
build/bin/cim-run build/fashion_cnn.plan --dataset /usr/share/datasets/fashion-mnist \
  --reference models/fashion_cnn.reference.npz --report build/fashion_cnn.report.json
build/bin/cim-opt models/fashion_cnn.onnx --device rram-256 -o build/fashion_cnn.rram-256.plan
build/bin/cim-run build/fashion_cnn.rram-256.plan --dataset /usr/share/datasets/fashion-mnist \
  --reference models/fashion_cnn.reference.npz --report build/fashion_cnn.rram-256.report.json

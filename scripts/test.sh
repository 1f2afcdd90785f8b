#!/usr/bin/env bash
# Builds cimlir and runs every test: GoogleTest unit tests, the lit/FileCheck tests and
# the end-to-end tests (bundled models on Fashion-MNIST, ONNX backend node tests), all
# through ctest. GPU tests (label gpu) skip themselves where no GPU is present.
set -euo pipefail
cd "$(dirname "$0")/.."
export CCACHE_BASEDIR="$PWD" # as scripts/build.sh: another clone reuses the cache
scripts/setup.sh
scripts/check-format.sh
scripts/build.sh
# No LLVM or MLIR in the runtime: it must build without them.
if grep -rlE '#include[[:space:]]*[<"](mlir|llvm)/' core runtime kernels; then
  echo "core/, runtime/ or kernels/ include LLVM or MLIR headers" >&2
  exit 1
fi
jobs=${CIMLIR_JOBS:-$(nproc)}
(cd build && ctest --output-on-failure -j "$jobs")
# The Python wheel, built and installed into a fresh environment (docs/python.md).
python/tests/run_wheel_test.sh "$PWD/build/wheel-test"

# The runtime and cim-run alone, with no LLVM, MLIR, protobuf, ONNX or CUDA: they must build
# that way. Built under AddressSanitizer and UndefinedBehaviorSanitizer, they run their unit
# tests and the end-to-end tests (with the cim-opt built above) there.
cmake -S . -B build-runtime -G Ninja -DCIMLIR_BUILD_COMPILER=OFF -DCIMLIR_CUDA=OFF \
  -DCMAKE_DISABLE_FIND_PACKAGE_ONNX=ON -DCMAKE_DISABLE_FIND_PACKAGE_Protobuf=ON \
  -DCIMLIR_SANITIZE=address,undefined -DCIMLIR_CIM_OPT="$PWD/build/bin/cim-opt" > /dev/null
cmake --build build-runtime -j "$jobs"
(cd build-runtime && ctest --output-on-failure -j "$jobs")

# The self-contained tools for machines without MLIR (docs/portable-build.md): the same objects
# (ccache), no LLVM library loaded (build_portable.sh checks), and an exported model with a
# recurrent layer compiled and run through every check of the default build's test.
scripts/build_portable.sh > /dev/null
test/e2e/run_exported_model_test.sh build-portable/dist/bin models/export/crnn_small_dynamo \
  build-portable/e2e-crnn

# The readers of user files under libFuzzer, 20 seconds each (docs/reliability.md).
scripts/fuzz.sh 20

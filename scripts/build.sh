#!/usr/bin/env bash
# Configures and builds cimlir into build/ (tools at build/bin/cim-opt and build/bin/cim-run).
# Extra arguments go to CMake's configure step.
set -euo pipefail
cd "$(dirname "$0")/.."
# ccache: paths below the checkout count as relative, so another clone reuses the cache.
export CCACHE_BASEDIR="$PWD"
jobs=${CIMLIR_JOBS:-$(nproc)}
# The Python module (docs/python.md) is built with the virtual environment scripts/setup.sh
# makes (.venv: nanobind, numpy, pytest).
python=()
if [ -x .venv/bin/python ]; then
  python=(-DCIMLIR_PYTHON=ON -DPython_EXECUTABLE="$PWD/.venv/bin/python")
fi
if [ ! -f build/build.ninja ]; then
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
    -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit "${python[@]}" "$@"
fi
cmake --build build -j "$jobs"

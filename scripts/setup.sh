#!/usr/bin/env bash
# Installs everything cimlir needs on a fresh Debian (bookworm) machine, from Debian's
# packages and PyPI only. Safe to run again: it installs only what is missing.
# docs/dependencies.md says why each package is there.
set -euo pipefail

APT_PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config python3
  llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools
  protobuf-compiler libprotobuf-dev libonnx-dev
  libonnx-testdata
  dataset-fashion-mnist
  libgtest-dev
  nlohmann-json3-dev libcli11-dev
  zlib1g-dev libzip-dev libzstd-dev libopenblas-dev libjpeg62-turbo-dev libpng-dev
  python3-matplotlib python3-dev python3-venv
  openmpi-bin libopenmpi-dev
  clang-format-14
  clang-22 libclang-rt-22-dev
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The Python API's build and tests (docs/python.md), from PyPI into a virtual environment in the
# checkout (.venv, ignored by git): nanobind builds the extension (Debian has no package of
# it), numpy is its arrays, pytest runs its tests, scikit-build-core builds a wheel.
PY_PACKAGES=(nanobind==3.1.0 numpy==2.4.6 pytest==9.2.0 scikit-build-core==1.1.2)
cd "$(dirname "$0")/.."
if ! .venv/bin/python -c "import nanobind, numpy, pytest, scikit_build_core" 2>/dev/null; then
  echo "setup: installing ${PY_PACKAGES[*]} into .venv"
  /usr/bin/python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check "${PY_PACKAGES[@]}"
fi

#!/usr/bin/env bash
# Fills .device/ (ignored by git) with what scripts/gpu_check.sh runs on the GPU machine: the
# self-contained tools (scripts/build_portable.sh), the GPU test and benchmark binaries
# (bin.tar.xz), and the Fashion-MNIST test set; with Open MPI here, also the cim-run of
# scripts/gpu_scaling.sh (mpi/). The device tool carries for gpu_check.sh `carry:
# [".device/dist.tar.xz", ".device/bin.tar.xz", ".device/onnx_tests.tar.xz", ".device/data",
# ".device/wheels"]` (about 37 MB; its limit is 64 MiB with the working tree, about 18 MB: the
# archives are packed with xz -9e, which halves the binaries' size), and for gpu_scaling.sh
# `[".device/dist.tar.xz", ".device/data", ".device/mpi"]`.
set -euo pipefail
cd "$(dirname "$0")/.."
export CCACHE_BASEDIR="$PWD"
scripts/build.sh > /dev/null
cmake --build build -j "${CIMLIR_JOBS:-$(nproc)}" --target cimlir_cuda_tests cimlir_runtime_tests \
  cim_layer_cuda freeze-shape-inputs > /dev/null
scripts/build_portable.sh > /dev/null
grep -qx '/.device/' .git/info/exclude 2>/dev/null || echo '/.device/' >> .git/info/exclude
rm -rf .device
mkdir -p .device/data /tmp/gpu_pack_bin/bin
xz -dc build-portable/dist.tar.xz | xz -9e -T0 > .device/dist.tar.xz
# The test and benchmark binaries, stripped and compressed (uncompressed they pass the device
# tool's 64 MiB with the working tree); gpu_check.sh unpacks them.
for b in cimlir_cuda_tests cimlir_runtime_tests cim_layer_cuda freeze-shape-inputs; do
  strip -o "/tmp/gpu_pack_bin/bin/$b" "build/bin/$b"
done
tar -cf - -C /tmp/gpu_pack_bin bin | xz -9e -T0 > .device/bin.tar.xz
rm -rf /tmp/gpu_pack_bin
# cim-run with MPI for scripts/gpu_scaling.sh (docs/scale-out.md): the self-contained runtime
# without the compiler, linked to Open MPI's libmpi.so.40, which it loads from the GPU machine
# (whose mpirun must match it); the rest of its libraries are the bundle's. Not carried by
# gpu_check.sh (the device tool's 64 MiB): scale-out runs carry .device/mpi instead.
if command -v mpicc > /dev/null; then
  if [ ! -f build-portable-mpi/build.ninja ]; then
    cmake -S . -B build-portable-mpi -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DCIMLIR_SELF_CONTAINED=ON -DCIMLIR_BUILD_TESTS=OFF -DCIMLIR_BUILD_COMPILER=OFF \
      -DCIMLIR_MPI=ON > /dev/null
  fi
  cmake --build build-portable-mpi -j "${CIMLIR_JOBS:-$(nproc)}" --target cim-run > /dev/null
  mkdir -p .device/mpi
  strip -o /tmp/gpu_pack_cim_run build-portable-mpi/bin/cim-run
  xz -9e -T0 -c /tmp/gpu_pack_cim_run > .device/mpi/cim-run.xz
  rm /tmp/gpu_pack_cim_run
fi
# The ONNX conformance tests that pass on the CPU backend (test/e2e/onnx_conformance.txt), for
# scripts/gpu_onnx_suite.py (libonnx-dev's test data; the GPU machine's onnx wheel may differ).
data=/usr/include/onnx/backend/test/data
grep '^pass ' test/e2e/onnx_conformance.txt | awk '{print $2}' |
  tar -cJf .device/onnx_tests.tar.xz -C "$data" -T -
# The tests also load libopenblas.so.0, which the GPU machine has (the tools link it statically).
cp /usr/share/datasets/fashion-mnist/t10k-* .device/data/
# The peer simulators of bench/peers_gpu.sh (pure-Python wheels from PyPI; the GPU machine has no
# network).
mkdir -p .device/wheels
pip download --quiet --no-deps --dest .device/wheels memintelli==0.0.1.3 aihwkit-lightning==2.1.0
du -sh .device

#!/usr/bin/env bash
# Fills .device/ (ignored by git) with what scripts/gpu_check.sh runs on the GPU machine: the
# self-contained tools (scripts/build_portable.sh), the GPU test and benchmark binaries
# (bin.tar.xz), and the Fashion-MNIST test set. The device tool
# carries it with `carry: [".device"]` (about 32 MB; its limit is 64 MiB with the working tree,
# about 18 MB: the archives are packed with xz -9e, which halves the binaries' size).
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

#!/usr/bin/env bash
# Runs on a GPU machine with several GPUs and Open MPI (docs/scale-out.md, issue 15): cim-run
# over MPI ranks, one rank a GPU, against one rank on one GPU, for data-parallel throughput:
#   - the Fashion-MNIST CNN on rram-256, 10,000 test images × 20 chips;
#   - a ResNet-18 (torchvision's architecture, random weights, 224×224, exported here as
#     bench/resnet18_gpu.sh does) on rram-256, 512 random images × 2 chips.
# Each rank count's outputs and report must be the ones of one rank (check_same_run.py), and the
# figures are images/s and the scaling efficiency (images/s on N GPUs / N / images/s on one).
#   scripts/gpu_pack.sh                  (here: packs .device/, .device/mpi/cim-run.xz included)
#   scripts/gpu_scaling.sh .device       (there; device tool carry: .device/dist.tar.xz,
#                                         .device/data, .device/mpi)
set -uo pipefail
pack=${1:-.device}
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p /tmp/cimlir && tar -xJf "$pack/dist.tar.xz" -C /tmp/cimlir || exit 1
# cim-run built with MPI: it loads this machine's libmpi.so.40 (Open MPI 4 or 5), its other
# libraries from the bundle beside it.
xz -dc "$pack/mpi/cim-run.xz" > /tmp/cimlir/bin/cim-run-mpi && chmod +x /tmp/cimlir/bin/cim-run-mpi
bin=/tmp/cimlir/bin
export LD_LIBRARY_PATH="/tmp/cimlir/lib:/usr/local/cuda/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
gpus=$(nvidia-smi --query-gpu=name --format=csv,noheader | wc -l)
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader
mpirun --version | head -1
work=$(mktemp -d)
failed=0

# scale NAME PLAN DATASET ARGS...: one rank, then 2.. GPUs ranks; images/s and efficiency.
scale() {
  local name=$1 plan=$2 data=$3
  shift 3
  for n in $(seq 1 "$gpus"); do
    mpirun --bind-to none -np "$n" "$bin/cim-run-mpi" "$plan" --dataset "$data" --backend cuda \
      --report "$work/$name.$n.json" --quiet "$@" || { failed=1; return; }
    if [ "$n" -gt 1 ]; then
      python3 "$root/test/tools/mpi/check_same_run.py" "$work/$name.1" "$work/$name.$n" "$n" || failed=1
    fi
    python3 - "$work/$name" "$n" "$name" <<'PY'
import json, sys
base, n, name = sys.argv[1], int(sys.argv[2]), sys.argv[3]
r = json.load(open(f"{base}.{n}.json"))
one = json.load(open(f"{base}.1.json"))["samples_per_second"]
sps = r["samples_per_second"]
print(f"{name:10s} {n} GPU(s): {r['samples'] * r['repeats']} samples in {r['seconds']:.2f} s, "
      f"{sps:,.0f} samples/s, efficiency {sps / n / one:.3f} ({r['backend_details']['gpu']})")
PY
  done
}

"$bin/cim-opt" models/fashion_cnn.onnx --device rram-256 -o "$work/cnn.plan" || exit 1
scale fashion_cnn "$work/cnn.plan" "$pack/data" --batch 256 --repeats 20

# The ResNet-18 as bench/resnet18_gpu.sh makes it: torchvision's, seed 0, a dynamic batch.
python3 - "$work" <<'PY' || exit 1
import sys
import numpy as np
import torch, torchvision
work = sys.argv[1]
torch.manual_seed(0)
model = torchvision.models.resnet18(weights=None).eval()
x = torch.randn(512, 3, 224, 224)
torch.onnx.export(model, (x[:1],), f"{work}/resnet18.onnx", input_names=["input"],
                  output_names=["output"], opset_version=17, dynamo=False,
                  dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
np.savez(f"{work}/images.npz", input=x.numpy())
PY
"$bin/cim-opt" "$work/resnet18.onnx" --device rram-256 -o "$work/resnet18.plan" || exit 1
scale resnet18 "$work/resnet18.plan" "$work/images.npz" --batch 64 --repeats 2
exit $failed

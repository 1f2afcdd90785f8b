#!/usr/bin/env bash
# Benchmark 10b of issue 11, on the GPU machine (PyTorch, torchvision, onnx; no MLIR): a
# ResNet-18-architecture model with random weights (torchvision, seed 0, exported here with a
# dynamic batch), compiled by the self-contained cim-opt and timed by `cim-run --benchmark` on
# the CUDA and the CPU backend, beside the PyTorch module it was exported from in bfloat16 on
# the same GPU, in one job. Devices: rram-256 (2-bit cells, 1 % read noise: the int8 kernel with
# the noisy ADC) and bench/devices/onebit-full.json (one-bit slices, 8-bit full ADC, no noise:
# the one-bit kernel). Prints a Markdown table for docs/benchmarks.md. Takes about 2 minutes.
#   bench/resnet18_gpu.sh TOOLS_DIR WORK_DIR [BATCH]
set -euo pipefail
tools=$1 work=$2 batch=${3:-64}
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$work"

# The model, its inputs and the PyTorch bf16 timing (CUDA events, median of 20 after 5 warm-ups).
python3 - "$work" "$batch" <<'PY'
import json, sys
import numpy as np
import torch, torchvision
work, batch = sys.argv[1], int(sys.argv[2])
torch.manual_seed(0)
model = torchvision.models.resnet18(weights=None).eval()
x = torch.randn(batch, 3, 224, 224)
torch.onnx.export(model, (x[:1],), f"{work}/resnet18.onnx", input_names=["input"],
                  output_names=["output"], opset_version=17, dynamo=False,
                  dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
np.savez(f"{work}/images.npz", input=x.numpy())
gpu = model.to("cuda", torch.bfloat16)
xb = x.to("cuda", torch.bfloat16)
times = []
with torch.no_grad():
    for it in range(25):
        start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        gpu(xb)
        stop.record()
        torch.cuda.synchronize()
        if it >= 5:
            times.append(start.elapsed_time(stop))
ms = float(np.median(times))
json.dump({"ms": ms, "images_per_second": batch / ms * 1e3, "gpu": torch.cuda.get_device_name()},
          open(f"{work}/pytorch.json", "w"))
PY

run() { # device backend batch warmup iterations
  local plan="$work/$1.plan" report="$work/$1.$2.json"
  "$tools/cim-run" "$plan" --dataset "$work/images.npz" --backend "$2" --batch "$3" \
    --benchmark --warmup "$4" --iterations "$5" --report "$report" --quiet > /dev/null
}
for device in rram-256 "$root/bench/devices/onebit-full.json"; do
  name=$(basename "$device" .json)
  "$tools/cim-opt" "$work/resnet18.onnx" --device "$device" -o "$work/$name.plan"
  run "$name" cuda "$batch" 3 10
  run "$name" cpu 4 0 1
done

python3 - "$work" "$batch" <<'PY'
import json, sys
work, batch = sys.argv[1], int(sys.argv[2])
torch = json.load(open(f"{work}/pytorch.json"))
print(f"GPU: {torch['gpu']}; PyTorch bf16, batch {batch}: {torch['ms']:.2f} ms, "
      f"{torch['images_per_second']:,.0f} images/s\n")
print("| device | CUDA images/s (batch %d) | CPU images/s (batch 4) | CUDA / CPU | CUDA / PyTorch bf16 | "
      "CIM share of CUDA step time | peak device memory |" % batch)
print("|---|---:|---:|---:|---:|---:|---:|")
for name in ("rram-256", "onebit-full"):
    g = json.load(open(f"{work}/{name}.cuda.json"))["benchmark"]
    c = json.load(open(f"{work}/{name}.cpu.json"))["benchmark"]
    gt, ct = g["samples_per_second"], c["samples_per_second"]
    print(f"| {name} | {gt:,.0f} | {ct:,.1f} | {gt / ct:,.0f}× | {gt / torch['images_per_second']:.3f} | "
          f"{g.get('cim_share_of_step_time', float('nan')):.2f} | {g.get('peak_device_memory_bytes', 0) / 2**20:,.0f} MiB |")
PY

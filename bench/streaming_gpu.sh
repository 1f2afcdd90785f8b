#!/usr/bin/env bash
# Benchmark 10c of issue 11, on the GPU machine (PyTorch and onnx, no MLIR): weight streaming. A
# model of 16 equal layers (Linear 4096 -> 4096 and ReLU, random weights, seed 0, exported here)
# compiled for a CIM device, its cell arrays all resident against the same plan under
# --gpu-memory-budget of a quarter of them (the rest streamed from pinned host memory through
# two staging buffers, double-buffered on a copy stream), `cim-run --benchmark` at one batch size,
# both in one job. Prints a Markdown table with the PCIe bound: the images/s at which copying the
# streamed arrays once per batch, at the copies' measured rate, would take all the time.
# Takes about a minute.
#   bench/streaming_gpu.sh TOOLS_DIR WORK_DIR [BATCH]
set -euo pipefail
tools=$1 work=$2 batch=${3:-1024}
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$work"
python3 - "$work" "$batch" <<'PY'
import sys
import numpy as np
import torch
work, batch = sys.argv[1], int(sys.argv[2])
torch.manual_seed(0)
layers = []
for _ in range(16):
    layers += [torch.nn.Linear(4096, 4096), torch.nn.ReLU()]
model = torch.nn.Sequential(*layers).eval()
x = torch.randn(batch, 4096)
torch.onnx.export(model, (x[:1],), f"{work}/mlp16.onnx", input_names=["input"],
                  output_names=["output"], opset_version=17, dynamo=False,
                  dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
np.savez(f"{work}/inputs.npz", input=x.numpy())
PY
bench() { # name budget
  "$tools/cim-run" "$work/$1.plan" --dataset "$work/inputs.npz" --backend cuda --batch "$batch" \
    --benchmark --warmup 3 --iterations 10 --gpu-memory-budget "$2" \
    --report "$work/$1.$3.json" --quiet > /dev/null
}
for device in rram-256 "$root/bench/devices/onebit-full.json"; do
  name=$(basename "$device" .json)
  "$tools/cim-opt" "$work/mlp16.onnx" --device "$device" -o "$work/$name.plan"
  bench "$name" auto resident
  cells=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['backend_details']['weights']['resident_bytes'])" "$work/$name.resident.json")
  bench "$name" $((cells / 4)) streamed
done
python3 - "$work" "$batch" <<'PY'
import json, sys
work, batch = sys.argv[1], int(sys.argv[2])
print(f"16 x Linear(4096, 4096), batch {batch}\n")
print("| device | cell arrays | budget | streamed per batch | resident samples/s | streamed samples/s "
      "| streamed / resident | copies GB/s | overlap | PCIe bound samples/s |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for name in ("rram-256", "onebit-full"):
    r = json.load(open(f"{work}/{name}.resident.json"))
    s = json.load(open(f"{work}/{name}.streamed.json"))
    w = s["backend_details"]["weights"]
    rt, st = r["benchmark"]["samples_per_second"], s["benchmark"]["samples_per_second"]
    mib = lambda b: f"{b / 2**20:,.0f} MiB"
    gbps = w.get("copy_gb_per_second", float("nan"))
    per = w["streamed_bytes_per_batch"]
    bound = batch * gbps * 1e9 / per if per else float("inf")
    print(f"| {name} | {mib(r['backend_details']['weights']['resident_bytes'])} | {mib(w['budget_bytes'])} "
          f"| {mib(per)} | {rt:,.0f} | {st:,.0f} | {st / rt:.2f} | {gbps:.1f} "
          f"| {w.get('copy_overlap', float('nan')):.2f} | {bound:,.0f} |")
PY

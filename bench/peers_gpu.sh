#!/usr/bin/env bash
# Benchmark 10d of issue 11, on the GPU machine: cimlir's CUDA backend on rram-256 against the
# CIM simulators on PyPI (bench/peers_gpu.py: memintelli's bit-sliced engine, aihwkit-lightning)
# in one job on the same GPU: the Fashion-MNIST CNN at batch 256 and one 4096 x 4096 layer at
# M = 4096. The peers' wheels come from WHEELS_DIR (scripts/gpu_pack.sh downloads them: the GPU
# machine has no network) and are installed without dependencies beside the machine's PyTorch.
# IBM's aihwkit itself ships only as source on PyPI (a C++/CUDA build), so it is not here.
# Prints a Markdown table. Takes about five minutes (memintelli is slow).
#   bench/peers_gpu.sh TOOLS_DIR WHEELS_DIR FASHION_MNIST_DIR WORK_DIR
set -euo pipefail
tools=$1 wheels=$2 data=$3 work=$4
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$work"
pip install --quiet --no-deps --target "$work/peers" "$wheels"/*.whl
PYTHONPATH="$work/peers" python3 "$root/bench/peers_gpu.py" --batch 256 --size 4096 \
  2> "$work/peers.log" | tee "$work/peers.jsonl"

# cimlir: the same layer, exported by PyTorch, and the bundled CNN, on rram-256.
python3 - "$work" <<'PY'
import sys
import numpy as np
import torch
work = sys.argv[1]
torch.manual_seed(0)
layer = torch.nn.Linear(4096, 4096, bias=False).eval()
x = torch.randn(4096, 4096)
torch.onnx.export(layer, (x[:1],), f"{work}/layer.onnx", input_names=["input"],
                  output_names=["output"], opset_version=17, dynamo=False,
                  dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
np.savez(f"{work}/rows.npz", input=x.numpy())
PY
"$tools/cim-opt" "$work/layer.onnx" --device rram-256 -o "$work/layer.plan"
"$tools/cim-opt" "$root/models/fashion_cnn.onnx" --device rram-256 -o "$work/cnn.plan"
for normals in exact fast; do
  "$tools/cim-run" "$work/layer.plan" --dataset "$work/rows.npz" --batch 4096 --benchmark \
    --warmup 2 --iterations 5 --backend cuda --set noise.normals=$normals \
    --report "$work/layer.$normals.json" --quiet
  "$tools/cim-run" "$work/cnn.plan" --dataset "$data" --batch 256 --benchmark --warmup 5 \
    --iterations 50 --backend cuda --set noise.normals=$normals \
    --report "$work/cnn.$normals.json" --quiet
done
python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
rows = [json.loads(l) for l in open(f"{work}/peers.jsonl") if l.strip()]
peers = {(r["simulator"], r["workload"]): r for r in rows if "workload" in r}
for r in rows:
    if "error" in r:
        print(f"{r['simulator']}: {r['error']}")
ours = {}
for normals in ("exact", "fast"):
    for workload in ("cnn", "layer"):
        b = json.load(open(f"{work}/{workload}.{normals}.json"))["benchmark"]
        ours[(normals, workload)] = (b["latency_ms"]["p50"], b["samples_per_second"])
print("| simulator | CNN images/s (batch 256) | 4096 x 4096 layer, M = 4096 (ms) |")
print("|---|---:|---:|")
for normals in ("exact", "fast"):
    print(f"| cimlir CUDA, rram-256, {normals} normals | {ours[(normals, 'cnn')][1]:,.0f} "
          f"| {ours[(normals, 'layer')][0]:,.1f} |")
for name in ("memintelli", "aihwkit-lightning"):
    cnn, layer = peers.get((name, "cnn")), peers.get((name, "layer"))
    print(f"| {name} | {cnn['per_second']:,.0f} | {layer['ms']:,.1f} |" if cnn and layer
          else f"| {name} | failed | failed |")
m = peers.get(("memintelli", "cnn"))
if m:
    print(f"\ncimlir (exact normals) / memintelli on the CNN: "
          f"{ours[('exact', 'cnn')][1] / m['per_second']:,.0f}x")
PY

"""Benchmark 10d of issue 11: the CIM simulators on PyPI against cimlir, in one job on one GPU.

Runs on the GPU machine (PyTorch there; the peers' wheels carried, installed with --no-deps into
a folder of their own: bench/peers_gpu.sh does both). Each simulator gets the two workloads of
the issue with the closest settings it can express, random weights and inputs (speed only):

- the Fashion-MNIST CNN's architecture (Conv 1->16 5x5 pad 2, ReLU, MaxPool 2, Conv 16->32 5x5,
  ReLU, MaxPool 2, Linear 800->128, ReLU, Linear 128->10), images/s at batch 256;
- one layer of M = K = N = 4096, ms per call.

How each differs from cimlir's rram-256 (docs/benchmarks.md says it again):
- memintelli 0.0.1.3 (DPETensor, its bit-sliced engine): 8-bit inputs in eight 1-bit slices
  and 8-bit weights in slices [1, 1, 2, 2, 2] (its first slice is the sign), 256 x 256 arrays,
  one-bit DAC, 8-bit ADC, conductance noise `var` 0.01; weights quantised per matrix;
- aihwkit-lightning 2.1.0 (TorchInferenceRPUConfig): unsliced; 8-bit input DAC with the input
  range taken per row at run time, 8-bit output ADC with bound 10 per 256-row tile
  (max_input_size 256), output noise 0.01 per tile output.

Prints one JSON line per (simulator, workload): {"simulator", "workload", "ms", "per_second"}.
  python3 bench/peers_gpu.py [--device cuda|cpu] [--batch 256] [--size 4096] [--quick]
"""

import argparse
import json
import sys
import time
import types

import torch
import torch.nn as nn
import torch.nn.functional as F


def stub_matplotlib():
    """memintelli imports matplotlib.pyplot at import time and never draws here."""
    try:
        import matplotlib.pyplot  # noqa: F401
    except ImportError:
        pyplot = types.ModuleType("matplotlib.pyplot")
        package = types.ModuleType("matplotlib")
        package.pyplot = pyplot
        sys.modules["matplotlib"] = package
        sys.modules["matplotlib.pyplot"] = pyplot


def timed(fn, device, warmup, iterations):
    """Median seconds of fn() over `iterations` calls after `warmup`."""
    with torch.no_grad():
        for _ in range(warmup):
            fn()
        times = []
        for _ in range(iterations):
            if device == "cuda":
                torch.cuda.synchronize()
            start = time.perf_counter()
            fn()
            if device == "cuda":
                torch.cuda.synchronize()
            times.append(time.perf_counter() - start)
    times.sort()
    return times[len(times) // 2]


class Cnn(nn.Module):
    """The Fashion-MNIST CNN of models/fashion_cnn.onnx (its BatchNorm folded away)."""

    def __init__(self, conv=nn.Conv2d, linear=nn.Linear, **kw):
        super().__init__()
        self.conv1 = conv(in_channels=1, out_channels=16, kernel_size=5, padding=2, **kw)
        self.conv2 = conv(in_channels=16, out_channels=32, kernel_size=5, **kw)
        self.fc1 = linear(in_features=800, out_features=128, **kw)
        self.fc2 = linear(in_features=128, out_features=10, **kw)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = F.relu(self.fc1(x.flatten(1)))
        return self.fc2(x)


def memintelli_models(device, size):
    stub_matplotlib()
    from memintelli.NN_layers import Conv2dMem, LinearMem
    from memintelli.pimpy import DPETensor

    engine = DPETensor(var=0.01, g_level=4, rdac=2, radc=2**8, weight_quant_gran="per-matrix",
                       input_quant_gran="per-matrix", weight_paral_size=(256, 256),
                       input_paral_size=(1, 256), device=torch.device(device))
    kw = dict(engine=engine, input_slice=[1] * 8, weight_slice=[1, 1, 2, 2, 2],
              device=torch.device(device))
    cnn = Cnn(conv=Conv2dMem, linear=LinearMem, **kw).eval()
    layer = LinearMem(in_features=size, out_features=size, bias=False, **kw).eval()
    return cnn, layer


def lightning_models(device, size):
    from aihwkit_lightning.nn.conversion import convert_to_analog
    from aihwkit_lightning.simulator.configs import TorchInferenceRPUConfig

    config = TorchInferenceRPUConfig()
    config.forward.inp_res = 2**8 - 2
    config.forward.out_res = 2**8 - 2
    config.forward.out_noise = 0.01
    config.forward.out_bound = 10.0
    config.mapping.max_input_size = 256
    # Input ranges per row at run time (cimlir's dynamic_row), not learned.
    config.pre_post.input_range.enable = True
    config.pre_post.input_range.dynamic = True
    config.pre_post.input_range.init_from_data = 0
    cnn = convert_to_analog(Cnn().to(device), config).eval()
    layer = convert_to_analog(nn.Sequential(nn.Linear(size, size, bias=False)).to(device),
                              config).eval()
    return cnn, layer


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--size", type=int, default=4096)
    parser.add_argument("--quick", action="store_true", help="one timed call each (a smoke test)")
    a = parser.parse_args()
    # The layer takes seconds in memintelli: fewer calls.
    runs = {"cnn": (0, 1) if a.quick else (3, 10), "layer": (0, 1) if a.quick else (1, 3)}
    torch.manual_seed(0)
    images = torch.rand(a.batch, 1, 28, 28, device=a.device) * 255
    rows = torch.randn(a.size, a.size, device=a.device)
    for name, make in (("memintelli", memintelli_models), ("aihwkit-lightning", lightning_models)):
        try:
            cnn, layer = make(a.device, a.size)
            for workload, fn, count in (("cnn", lambda: cnn(images), a.batch),
                                        ("layer", lambda: layer(rows), 1)):
                seconds = timed(fn, a.device, *runs[workload])
                print(json.dumps({"simulator": name, "workload": workload, "ms": seconds * 1e3,
                                  "per_second": count / seconds, "batch": count}), flush=True)
        except Exception as e:  # a peer that cannot run says why, the others still run
            print(json.dumps({"simulator": name, "error": f"{type(e).__name__}: {e}"}),
                  flush=True)


if __name__ == "__main__":
    main()

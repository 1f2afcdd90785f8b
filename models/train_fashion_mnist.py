#!/usr/bin/env python3
"""Train and export the bundled Fashion-MNIST models of cimlir.

Produces, per model (fashion_mlp, fashion_cnn by default; fashion_vit, the small ViT of
issue 12, with --models fashion_vit), in --out:
  <name>.onnx            ONNX opset 17, input "image" float32 [N,1,28,28] of RAW
                         pixels (0..255), output "logits" float32 [N,10];
                         the normalisation (x/255 - 0.2860)/0.3530 is inside
                         the graph.
  <name>.reference.npz   predictions (int64 [10000], PyTorch argmax),
                         logits (float32 [10000,10], PyTorch), labels
                         (int64 [10000]), all in t10k file order.
  <name>.results.json    one JSON line: accuracies (PyTorch, onnxruntime),
                         agreement, epochs, seconds, versions, device.

Needs PyTorch, onnx, onnxruntime and numpy, and the four Fashion-MNIST IDX
files (*-ubyte.gz, e.g. from the Debian package dataset-fashion-mnist,
/usr/share/datasets/fashion-mnist) in --data. Nothing is downloaded.

    python3 models/train_fashion_mnist.py --data models/.data --out models

Only ops in ALLOWED_OPS (and, for the ViT, VIT_OPS) may appear in an exported graph; the
script fails otherwise.
"""
import argparse
import gzip
import json
import os
import random
import sys
import time

import numpy as np

# Must be set before CUDA/cuBLAS initialises, for deterministic GEMMs.
os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

MEAN = 0.2860
STD = 0.3530

ALLOWED_OPS = {
    "Gemm", "MatMul", "Conv", "Relu", "Add", "Sub", "Mul", "Div", "Reshape",
    "Flatten", "MaxPool", "AveragePool", "GlobalAveragePool",
    "BatchNormalization", "Softmax", "Constant", "Transpose", "Identity",
}


# ---------------------------------------------------------------- data
def read_idx(path):
    """Read a gzipped IDX file (ubyte data) into a numpy array."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    zero0, zero1, dtype_code, ndim = data[0], data[1], data[2], data[3]
    if zero0 != 0 or zero1 != 0 or dtype_code != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file")
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    arr = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    return arr.reshape(dims)


def load_split(data_dir, prefix):
    images = read_idx(os.path.join(data_dir, f"{prefix}-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(data_dir, f"{prefix}-labels-idx1-ubyte.gz"))
    assert images.shape[0] == labels.shape[0]
    # Raw pixels as float32 NCHW; normalisation happens inside the models.
    x = images.astype(np.float32).reshape(-1, 1, 28, 28)
    y = labels.astype(np.int64)
    return x, y


# ---------------------------------------------------------------- models
class Normalize(nn.Module):
    """(x/255 - MEAN)/STD with constant ops, exported as Div/Sub/Div."""

    def forward(self, x):
        return (x / 255.0 - MEAN) / STD


class FashionMLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.norm = Normalize()
        self.flatten = nn.Flatten()
        self.fc1 = nn.Linear(784, 256)
        self.fc2 = nn.Linear(256, 128)
        self.fc3 = nn.Linear(128, 10)

    def forward(self, x):
        x = self.flatten(self.norm(x))
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


class FashionCNN(nn.Module):
    """LeNet-style: conv5(16,pad2)-BN-ReLU-pool2, conv5(32)-ReLU-pool2, fc."""

    def __init__(self):
        super().__init__()
        self.norm = Normalize()
        self.conv1 = nn.Conv2d(1, 16, 5, padding=2)
        self.bn1 = nn.BatchNorm2d(16)
        self.conv2 = nn.Conv2d(16, 32, 5)
        self.flatten = nn.Flatten()
        self.fc1 = nn.Linear(32 * 5 * 5, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = self.norm(x)
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)  # 16x14x14
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)            # 32x5x5
        x = self.flatten(x)                                    # 800
        x = F.relu(self.fc1(x))
        return self.fc2(x)


class ViTBlock(nn.Module):
    """Pre-LayerNorm encoder block: multi-head self-attention, then a GELU MLP. The shapes are
    Python ints (tokens, dim), so that the export has constant Reshapes (-1 for the batch) and
    no shape arithmetic."""

    def __init__(self, tokens, dim, heads, hidden):
        super().__init__()
        self.tokens, self.dim, self.heads = tokens, dim, heads
        self.ln1 = nn.LayerNorm(dim)
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)
        self.ln2 = nn.LayerNorm(dim)
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        t, d, h = self.tokens, self.dim, self.heads
        dh = d // h
        qkv = self.qkv(self.ln1(x)).reshape(-1, t, 3, h, dh).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        att = torch.softmax(q @ k.transpose(-2, -1) / dh ** 0.5, dim=-1)
        x = x + self.proj((att @ v).transpose(1, 2).reshape(-1, t, d))
        return x + self.fc2(F.gelu(self.fc1(self.ln2(x))))


class FashionViT(nn.Module):
    """A small ViT: 16 patches of 7x7 embedded to 64 by a strided Conv, learned positions,
    2 encoder blocks (4 heads, MLP 128), LayerNorm, and a linear head on the mean of the
    tokens (global average pooling instead of a class token: a class token's batch-sized
    Expand exports as shape arithmetic on the batch)."""

    def __init__(self, dim=64, depth=2, heads=4, hidden=128):
        super().__init__()
        self.dim = dim
        self.norm = Normalize()
        self.patch = nn.Conv2d(1, dim, 7, stride=7)
        self.pos = nn.Parameter(torch.randn(1, 16, dim) * 0.02)
        self.blocks = nn.ModuleList([ViTBlock(16, dim, heads, hidden) for _ in range(depth)])
        self.ln = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, 10)

    def forward(self, x):
        x = self.patch(self.norm(x)).reshape(-1, self.dim, 16).transpose(1, 2) + self.pos
        for block in self.blocks:
            x = block(x)
        return self.head(self.ln(x).mean(1))


MODELS = {
    "fashion_mlp": FashionMLP,
    "fashion_cnn": FashionCNN,
    "fashion_vit": FashionViT,
}

# The transformer's plumbing: LayerNormalization, q, k and v taken apart (Split, Squeeze),
# attention's MatMuls and Softmax, the exact GELU's Erf and the mean over the tokens. No
# shape arithmetic (Shape, Gather, Concat, Expand, Where, ...): the script fails on it.
VIT_OPS = {"LayerNormalization", "Split", "Squeeze", "Gather", "Erf", "ReduceMean"}


# ---------------------------------------------------------------- helpers
def seed_everything(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.cuda.manual_seed_all(seed)
    torch.backends.cudnn.deterministic = True
    torch.backends.cudnn.benchmark = False
    # Plain fp32 everywhere (no TF32), so GPU training is closer to CPU maths.
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.use_deterministic_algorithms(True, warn_only=True)


def train(model, x_train, y_train, epochs, batch, lr, seed, device):
    model.to(device).train()
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    n = x_train.shape[0]
    steps = epochs * ((n + batch - 1) // batch)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=steps)
    gen = torch.Generator(device="cpu").manual_seed(seed)
    for epoch in range(epochs):
        perm = torch.randperm(n, generator=gen).to(device)
        total, correct, loss_sum = 0, 0, 0.0
        for i in range(0, n, batch):
            idx = perm[i:i + batch]
            xb, yb = x_train[idx], y_train[idx]
            out = model(xb)
            loss = F.cross_entropy(out, yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            loss_sum += loss.detach() * yb.shape[0]
            correct += (out.detach().argmax(1) == yb).sum()
            total += yb.shape[0]
        print(f"  epoch {epoch + 1}/{epochs}: loss {float(loss_sum) / total:.4f} "
              f"train acc {float(correct) / total:.4f}", flush=True)
    model.eval()
    return model


@torch.no_grad()
def torch_logits(model, x, batch=1000):
    """Reference logits: float32 on the CPU, in eval mode."""
    model = model.to("cpu").eval()
    xs = torch.from_numpy(x)
    outs = [model(xs[i:i + batch]) for i in range(0, xs.shape[0], batch)]
    return torch.cat(outs).numpy().astype(np.float32)


def export_onnx(model, path):
    import onnx
    model = model.to("cpu").eval()
    dummy = torch.zeros(1, 1, 28, 28, dtype=torch.float32)
    torch.onnx.export(
        model, (dummy,), path,
        dynamo=False,  # the TorchScript exporter: plain Gemm/Conv/Flatten graphs
        export_params=True,
        opset_version=17,
        input_names=["image"],
        output_names=["logits"],
        dynamic_axes={"image": {0: "N"}, "logits": {0: "N"}},
        do_constant_folding=True,
    )
    m = onnx.load(path)
    onnx.checker.check_model(m, full_check=True)
    ops = [n.op_type for n in m.graph.node]
    allowed = ALLOWED_OPS | (VIT_OPS if isinstance(model, FashionViT) else set())
    bad = sorted(set(ops) - allowed)
    return m, ops, bad


def describe_io(m):
    def dims(vi):
        return [d.dim_param if d.dim_param else d.dim_value
                for d in vi.type.tensor_type.shape.dim]
    return ({i.name: dims(i) for i in m.graph.input},
            {o.name: dims(o) for o in m.graph.output})


def ort_logits(path, x, batch=1000):
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    sess = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
    outs = [sess.run(["logits"], {"image": x[i:i + batch]})[0]
            for i in range(0, x.shape[0], batch)]
    return np.concatenate(outs).astype(np.float32)


# ---------------------------------------------------------------- main
def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True, help="folder with the four *-ubyte.gz files")
    ap.add_argument("--out", required=True, help="output folder")
    ap.add_argument("--models", default="fashion_mlp,fashion_cnn")
    ap.add_argument("--epochs-mlp", type=int, default=10)
    ap.add_argument("--epochs-cnn", type=int, default=10)
    ap.add_argument("--epochs-vit", type=int, default=20)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    import onnx
    import onnxruntime

    os.makedirs(args.out, exist_ok=True)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    device_name = torch.cuda.get_device_name(0) if device.type == "cuda" else "cpu"
    print(f"torch {torch.__version__}, onnx {onnx.__version__}, "
          f"onnxruntime {onnxruntime.__version__}, device {device_name}", flush=True)

    x_tr, y_tr = load_split(args.data, "train")
    x_te, y_te = load_split(args.data, "t10k")
    print(f"train {x_tr.shape}, test {x_te.shape}", flush=True)
    xt = torch.from_numpy(x_tr).to(device)
    yt = torch.from_numpy(y_tr).to(device)

    failed = False
    for name in args.models.split(","):
        epochs = {"fashion_mlp": args.epochs_mlp, "fashion_cnn": args.epochs_cnn,
                  "fashion_vit": args.epochs_vit}[name]
        print(f"== {name}: {epochs} epochs", flush=True)
        seed_everything(args.seed)
        model = MODELS[name]()
        n_params = sum(p.numel() for p in model.parameters())
        if device.type == "cuda":
            torch.cuda.synchronize()
        t0 = time.time()
        train(model, xt, yt, epochs, args.batch, args.lr, args.seed, device)
        if device.type == "cuda":
            torch.cuda.synchronize()
        seconds = time.time() - t0

        logits = torch_logits(model, x_te)
        preds = logits.argmax(1).astype(np.int64)
        acc_torch = float((preds == y_te).mean())

        onnx_path = os.path.join(args.out, f"{name}.onnx")
        m, ops, bad = export_onnx(model, onnx_path)
        if bad:
            # Keep going so that every model's problems show in one run.
            print(f"  ERROR: ops outside the allowed set: {bad}; graph: {ops}",
                  flush=True)
            failed = True
        ins, outs = describe_io(m)
        ort_out = ort_logits(onnx_path, x_te)
        ort_preds = ort_out.argmax(1).astype(np.int64)
        acc_ort = float((ort_preds == y_te).mean())
        agreement = float((ort_preds == preds).mean())
        max_diff = float(np.abs(ort_out - logits).max())

        np.savez(os.path.join(args.out, f"{name}.reference.npz"),
                 predictions=preds, logits=logits, labels=y_te)
        res = {
            "model": name,
            "test_accuracy_torch": acc_torch,
            "test_accuracy_onnxruntime": acc_ort,
            "agreement_torch_onnxruntime": agreement,
            "max_abs_logit_diff": max_diff,
            "epochs": epochs,
            "batch": args.batch,
            "lr": args.lr,
            "seed": args.seed,
            "params": n_params,
            "train_seconds": round(seconds, 2),
            "onnx_bytes": os.path.getsize(onnx_path),
            "ops": sorted(set(ops)),
            "disallowed_ops": bad,
            "nodes": ops,
            "inputs": ins,
            "outputs": outs,
            "torch": torch.__version__,
            "onnx": onnx.__version__,
            "onnxruntime": onnxruntime.__version__,
            "device": device_name,
        }
        line = json.dumps(res)
        with open(os.path.join(args.out, f"{name}.results.json"), "w") as f:
            f.write(line + "\n")
        print(line, flush=True)
        if agreement < 0.999:
            print(f"  WARNING: torch/onnxruntime agreement {agreement}", flush=True)
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

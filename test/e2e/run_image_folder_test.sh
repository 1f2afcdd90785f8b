#!/usr/bin/env bash
# An image folder end to end: the first 200 Fashion-MNIST test images written as PNGs into
# CLASS/NNNNN.png (classes 0..9, so ImageFolder's sorted class order is the label), then the
# bundled CNN run on the folder (grayscale, 28x28, no resize; x / 255 / (1 / 255) gives the raw
# pixels the model takes) must classify exactly as many correctly as on the same 200 images
# read from the IDX files, and report top-5 accuracy too.
#   run_image_folder_test.sh BIN_DIR MODELS_DIR FASHION_MNIST_DIR WORK_DIR
set -euo pipefail
bin=$1 models=$2 idx=$3 work=$4
rm -rf "$work" && mkdir -p "$work"
python3 - "$idx" "$work/folder" <<'PY'
import gzip, os, struct, sys, zlib
idx, out = sys.argv[1], sys.argv[2]
images = gzip.open(os.path.join(idx, "t10k-images-idx3-ubyte.gz")).read()[16:]
labels = gzip.open(os.path.join(idx, "t10k-labels-idx1-ubyte.gz")).read()[8:]
def chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))
for c in range(10):
    os.makedirs(os.path.join(out, str(c)), exist_ok=True)
for i in range(200):
    pixels = images[i * 784:(i + 1) * 784]
    raw = b"".join(b"\0" + pixels[r * 28:(r + 1) * 28] for r in range(28))  # filter 0 rows
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 28, 28, 8, 0, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    open(os.path.join(out, str(labels[i]), f"{i:05d}.png"), "wb").write(png)
PY
"$bin/cim-opt" "$models/fashion_cnn.onnx" -o "$work/cnn.plan"
"$bin/cim-run" "$work/cnn.plan" --dataset "$idx" --limit 200 --report "$work/idx.json"
"$bin/cim-run" "$work/cnn.plan" --dataset "$work/folder" --image-resize 28 --image-mean 0 \
  --image-std 0.00392156862745098 --report "$work/folder.json"
python3 - "$work/idx.json" "$work/folder.json" <<'PY'
import json, sys
idx, folder = (json.load(open(p)) for p in sys.argv[1:3])
print("IDX:", idx["accuracy"], "image folder:", folder["accuracy"], "top-5:", folder["top5_accuracy"])
assert folder["dataset"].startswith("images:"), folder["dataset"]
assert folder["samples"] == idx["samples"] == 200
assert folder["accuracy"] == idx["accuracy"] and idx["accuracy"] > 0.8
assert folder["top5_accuracy"] >= folder["accuracy"]
PY

"""Writes the seed corpora of the fuzz targets (test/fuzz/corpus/<target>/) from files the
project already has: device presets, lit-test models and tables, the bundled models compiled
to small plans, the NumPy fixtures, Debian's ONNX node tests. The outputs are committed; run
this again (with build/bin/cim-opt built) when a format changes:

    python3 test/fuzz/make_corpus.py build/bin/cim-opt
"""
import glob
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
cim_opt = os.path.abspath(sys.argv[1])
corpus = os.path.join(root, "test", "fuzz", "corpus")
node = "/usr/include/onnx/backend/test/data/node"


def target(name):
    d = os.path.join(corpus, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    return d


def copy(src, dst_dir, name=None):
    shutil.copy(src, os.path.join(dst_dir, name or os.path.basename(src)))


# Device files: the presets as cim-opt prints them, and the test devices.
d = target("fuzz_device_file")
for preset in ("digital", "cim-ideal", "rram-256", "harsh"):
    text = subprocess.run([cim_opt, "--print-device", preset], check=True,
                          capture_output=True).stdout
    open(os.path.join(d, preset + ".json"), "wb").write(text)
for f in glob.glob(os.path.join(root, "test", "e2e", "devices", "*.json")):
    copy(f, d)

# Calibration tables.
d = target("fuzz_calibration_table")
copy(os.path.join(root, "test", "lit", "passes", "Inputs", "calibration-table.json"), d)

# Images: the image-folder fixtures (JPEG 4:2:0, 4:4:4 and grayscale; PNG RGB, RGBA,
# palette and grayscale).
d = target("fuzz_image")
for f in sorted(glob.glob(os.path.join(root, "test", "unit", "data", "fixtures", "imagefolder",
                                       "*", "*"))):
    if f.endswith((".jpg", ".jpeg", ".png")):
        copy(f, d)

# Textual models: each model of the import tests (split-file parts one by one).
d = target("fuzz_onnx_text")
texts = []
for f in sorted(glob.glob(os.path.join(root, "test", "lit", "import", "*.onnxtext"))):
    body = "".join(l for l in open(f) if not l.startswith("#") or l.startswith("#---"))
    for i, part in enumerate(re.split(r"^#--- .*\n", body, flags=re.M)):
        if "agraph" in part or "=>" in part:
            name = "%s-%d.onnxtext" % (os.path.basename(f)[:-9], i)
            open(os.path.join(d, name), "w").write(part.strip() + "\n")
            texts.append(os.path.join(d, name))

# Binary models: small node tests from Debian's libonnx-testdata, and the external-data model.
d = target("fuzz_onnx_model")
node_models = ["test_relu", "test_conv_with_strides_padding", "test_gemm_default_matrix_bias",
               "test_maxpool_2d_default", "test_averagepool_2d_pads", "test_softmax_example",
               "test_reshape_extended_dims", "test_batchnorm_example", "test_flatten_axis1",
               "test_transpose_default", "test_add_bcast", "test_matmul_3d"]
for t in node_models:
    copy(os.path.join(node, t, "model.onnx"), d, t + ".onnx")
copy(os.path.join(root, "test", "lit", "import", "Inputs", "external", "model.onnx"), d,
     "external.onnx")

# ONNX test data: the tensors of the same node tests.
d = target("fuzz_onnx_tensor")
for t in node_models[:6]:
    for f in glob.glob(os.path.join(node, t, "test_data_set_0", "*.pb")):
        copy(f, d, t + "-" + os.path.basename(f))

# Plans: the textual models that compile, for a digital and a CIM device (small: their
# weights are a few numbers).
d = target("fuzz_plan")
with tempfile.TemporaryDirectory() as tmp:
    for f in texts:
        for device in ("digital", "rram-256"):
            out = os.path.join(d, os.path.basename(f)[:-9] + "-" + device + ".plan")
            if subprocess.run([cim_opt, f, "--device", device, "-o", out],
                              capture_output=True).returncode != 0 and os.path.exists(out):
                os.remove(out)

# NumPy files.
d = target("fuzz_npz")
for f in glob.glob(os.path.join(root, "test", "unit", "data", "fixtures", "*.np[yz]")):
    copy(f, d)

# IDX files: an image set and a label set, as Fashion-MNIST's, only smaller.
d = target("fuzz_idx")
open(os.path.join(d, "images-idx3-ubyte"), "wb").write(
    struct.pack(">IIII", 0x803, 2, 3, 3) + bytes(range(18)))
open(os.path.join(d, "labels-idx1-ubyte"), "wb").write(struct.pack(">II", 0x801, 4) + b"\0\1\2\3")
open(os.path.join(d, "floats-idx2-float"), "wb").write(
    struct.pack(">II", 0xD02, 2) + struct.pack(">I", 2) + struct.pack(">4f", 1, 2, 3, 4))

"""run_mpi_test.sh's data (Python standard library only):

    mpi_data.py inputs FASHION_MNIST_DIR COUNT OUT.npz
        the first COUNT test images as OUT.npz's float32 `image` [COUNT, 1, 28, 28]
    mpi_data.py bad-label FASHION_MNIST_DIR OUT_DIR SAMPLE LABEL
        the test labels with sample SAMPLE's set to LABEL, as OUT_DIR/t10k-labels-idx1-ubyte.gz
"""
import gzip
import os
import sys

# The lit tests' .npz writer (standard library only).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lit",
                                "import", "Inputs"))
from npz_stdlib import write_npz  # noqa: E402


mode, data = sys.argv[1], sys.argv[2]
if mode == "inputs":
    count, out = int(sys.argv[3]), sys.argv[4]
    with gzip.open(os.path.join(data, "t10k-images-idx3-ubyte.gz")) as f:
        pixels = f.read()[16:16 + count * 28 * 28]
    write_npz(out, {"image": ("<f4", (count, 1, 28, 28), [float(p) for p in pixels])})
elif mode == "bad-label":
    out, sample, label = sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
    with gzip.open(os.path.join(data, "t10k-labels-idx1-ubyte.gz")) as f:
        labels = bytearray(f.read())
    labels[8 + sample] = label
    with gzip.open(os.path.join(out, "t10k-labels-idx1-ubyte.gz"), "wb") as f:
        f.write(bytes(labels))
else:
    sys.exit("usage: see the docstring")

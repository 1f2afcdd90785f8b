"""Calibration recomputed independently, with the Python standard library only.

    calibration_check.py gen OUT.onnxtext OUT.json OUT.npz
    calibration_check.py check TABLE.json

`gen` writes a two-layer model x [N,6] -> Gemm `fc` (W1 [6,4]) -> Relu -> MatMul `out`
(W2 [4,2]), a device with static 4-bit inputs (DAC slices [1, 2]), 4-bit weights (slices
[1, 2]), 4-row arrays (fc has two row blocks) and a calibrated ADC at the 97.5th percentile,
and 16 samples. Inputs are multiples of 1/8 and W1 multiples of 1/4, so the float network
is exact in float32 and float64 alike. `check` recomputes what calibration must give
(docs/numerics.md "Calibration"; cim-numerics.md §1-§5): the static scale s_x = max|x| / 7
over the layer's fp32 inputs (for `out`, relu(x W1)), and FS[i, j] = the 97.5th percentile
(numpy's linear rule) of the noise-free |P[r, i, j][m, n]| over all r, m, n, and compares
them with the table cim-opt --save-calibration wrote.
"""
import json
import math
import random
import struct
import sys
import zipfile

rng = random.Random(7)
N = 16
X = [[rng.randint(-16, 16) / 8.0 for _ in range(6)] for _ in range(N)]
W1 = [[rng.randint(-4, 4) / 4.0 for _ in range(4)] for _ in range(6)]  # [K=6, N=4]
W2 = [[rng.randint(-8, 8) / 8.0 for _ in range(2)] for _ in range(4)]  # [K=4, N=2]
DEVICE = {
    "name": "lit-calibrated",
    "crossbar": {"rows": 4, "cols": 8},
    "weights": {"bits": 4, "slices": [1, 2]},
    "inputs": {"bits": 4, "slices": [1, 2], "scale": "static"},
    "adc": {"mode": "calibrated", "bits": 6, "percentile": 97.5},
}


def f32(v):
    return struct.unpack("<f", struct.pack("<f", v))[0]


def div32(a, b):
    """IEEE float32 division (a double quotient rounded once to float32 is exact)."""
    return f32(f32(a) / f32(b))


def rint(v):
    return float(round(v))  # Python rounds half to even


def quantize(v, s, qmax):
    return int(max(-qmax, min(qmax, rint(div32(v, s)))))


def percentile(values, p):
    v = sorted(values)
    h = (len(v) - 1) * p / 100.0
    lo, hi = math.floor(h), math.ceil(h)
    return f32(v[lo] + (h - lo) * (v[hi] - v[lo]))


def bits_of(q, offset, width):
    return (abs(q) >> offset) & ((1 << width) - 1)


def expected(rows, w):
    """s_x and FS[i·S + j] of a layer with float inputs `rows` [M,K] and W [K,N]."""
    K, Nout = len(w), len(w[0])
    qx, qw = 7, 7
    sx = div32(max(abs(v) for r in rows for v in r), qx)
    # §1 per-channel weights.
    sw = [div32(max(abs(w[k][n]) for k in range(K)), qw) or 1.0 for n in range(Nout)]
    wq = [[quantize(w[k][n], sw[n], qw) for n in range(Nout)] for k in range(K)]
    a, o = [1, 2], [0, 1]   # DAC slices
    b, p = [1, 2], [0, 1]   # weight slices
    R = DEVICE["crossbar"]["rows"]
    fs = []
    for i in range(len(a)):
        for j in range(len(b)):
            mags = []
            for r in rows:
                xq = [quantize(v, sx, qx) for v in r]
                u = [(1 if q > 0 else -1 if q < 0 else 0) * bits_of(q, o[i], a[i]) for q in xq]
                for r0 in range(0, K, R):
                    for n in range(Nout):
                        acc = 0
                        for k in range(r0, min(K, r0 + R)):
                            q = wq[k][n]
                            lp = bits_of(max(q, 0), p[j], b[j])
                            lm = bits_of(max(-q, 0), p[j], b[j])
                            acc += u[k] * (lp - lm)
                        mags.append(abs(acc))
            fs.append(percentile(mags, DEVICE["adc"]["percentile"]))
    return sx, fs


def npy(descr, shape, payload):
    header = "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }" % (
        descr, "".join("%d, " % d for d in shape))
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + payload


def initializer(shape, name, rows):
    return "float[%s] %s = {%s}" % (", ".join(map(str, shape)), name,
                                    ", ".join(repr(v) for r in rows for v in r))


if sys.argv[1] == "gen":
    model_path, device_path, npz_path = sys.argv[2:5]
    open(model_path, "w").write("""<
  ir_version: 8,
  opset_import: ["" : 17]
>
calnet (float[N, 6] x) => (float[N, 2] y) <%s, %s> {
  fc = Gemm (x, w1)
  hidden = Relu (fc)
  y = MatMul (hidden, w2)
}
""" % (initializer([6, 4], "w1", W1), initializer([4, 2], "w2", W2)))
    open(device_path, "w").write(json.dumps(DEVICE))
    with zipfile.ZipFile(npz_path, "w", zipfile.ZIP_STORED) as z:
        z.writestr("x.npy", npy("<f4", (N, 6), struct.pack("<%df" % (6 * N), *[v for r in X for v in r])))
    sys.exit(0)

table = json.load(open(sys.argv[2]))
assert table["format"] == "cimlir-calibration" and table["version"] == 1, table
assert table["samples"] == N, table["samples"]
hidden = [[max(sum(r[k] * W1[k][n] for k in range(6)), 0.0) for n in range(4)] for r in X]
for layer, rows, w in (("fc", X, W1), ("y", hidden, W2)):
    groups = table["layers"][layer]["groups"]
    assert len(groups) == 1, (layer, groups)
    sx, fs = expected(rows, w)
    got_sx, got_fs = groups[0]["input_scale"], groups[0]["adc_full_scales"]
    assert f32(got_sx) == sx, (layer, "input_scale", got_sx, sx)
    assert [f32(v) for v in got_fs] == fs, (layer, "adc_full_scales", got_fs, fs)
    print("%s: input_scale %.9g, adc_full_scales %s: match" % (layer, sx, fs))

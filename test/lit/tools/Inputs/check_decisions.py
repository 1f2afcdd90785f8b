"""Checks the CimLinear steps of a plan against cim-numerics.md, computed here independently:

    check_decisions.py CIM.plan FLOAT.plan

FLOAT.plan is the same model compiled for the digital device (its weights are the float32
originals, in constants of the same names). For every CimLinear step: W is Wq, int8 (int16
above 8 bits), of the original shape, and Wq and weights.scales are §1 of the float weights
(per output channel, max |W| / qmax in float32, rint half to even; clip percentile 100 only);
the slice offsets are the sums of the widths below each; hybrid.analog_qmax is 2^(h-1) - 1;
the mapping's row and column blocks, arrays and utilisation follow from k, n, rows, cols,
the weight slices and the groups (§2);
adc.full_scales are R_r·(2^a_i - 1)·(2^b_j - 1) at (r·T + i)·S + j; noise.layer_ids are
FNV-1a 64 of "<name>#g<g>". Prints one line per layer, or fails with an assertion.
"""
import json
import struct
import sys


def read_plan(path):
    data = open(path, "rb").read()
    count = struct.unpack_from("<I", data, 12)[0]
    sections = []
    for i in range(count):
        kind, _, offset, size, _ = struct.unpack_from("<IIQQ40s", data, 64 + 64 * i)
        sections.append(data[offset:offset + size])
    meta = json.loads(sections[0])
    constants = {}
    for c in meta["constants"]:
        value = meta["values"][c["value"]]
        constants[c["value"]] = (value, sections[c["section"]])
    return meta, constants


def f32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]


def fnv1a64(text):
    h = 0xcbf29ce484222325
    for b in text.encode():
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


def prefix_sums(widths):
    out, at = [], 0
    for w in widths:
        out.append(at)
        at += w
    return out


cim_meta, cim_constants = read_plan(sys.argv[1])
float_meta, float_constants = read_plan(sys.argv[2])
floats_by_name = {value["name"]: raw for value, raw in float_constants.values()
                  if value["dtype"] == "float32"}

steps = [s for s in cim_meta["steps"] if s["op"] == "CimLinear"]
assert steps, "no CimLinear step"
for step in steps:
    a, name = step["attrs"], step["name"]
    assert "settings" not in a, name
    weights, inputs, mapping, adc, noise = (a[k] for k in ("weights", "inputs", "mapping", "adc", "noise"))
    bits = weights["bits"]
    value, raw = cim_constants[step["inputs"][1]]
    assert value["dtype"] == ("int8" if bits <= 8 else "int16"), (name, value)
    fmt = "b" if bits <= 8 else "h"
    levels = struct.unpack("<%d%s" % (len(raw) // struct.calcsize(fmt), fmt), raw)
    w = struct.unpack("<%df" % len(levels), floats_by_name[value["name"]][:4 * len(levels)])

    # §1, per output channel. gemm with transB and conv: a channel is a row of W as stored.
    assert weights["granularity"] == "per_channel" and weights["clip_percentile"] == 100, name
    shape = value["shape"]
    if a["kind"] in ("rnn", "gru", "lstm"):  # R [D, G*H, H]: a channel is a row of R_d
        channels = shape[0] * shape[1]
    else:
        channels = shape[0] if a["kind"] == "conv" or a.get("transB") else shape[1]
    per = len(w) // channels
    index = (lambda c, k: c * per + k) if channels == shape[0] else (lambda c, k: k * channels + c)
    qmax = 2 ** (bits - 1) - 1
    assert len(weights["scales"]) == channels, name
    for c in range(channels):
        s = f32(max(abs(w[index(c, k)]) for k in range(per)) / qmax) or 1.0
        assert f32(weights["scales"][c]) == s, (name, c, weights["scales"][c], s)
        for k in range(per):
            q = max(-qmax, min(qmax, round(f32(w[index(c, k)] / s))))
            assert levels[index(c, k)] == q, (name, c, k, levels[index(c, k)], q)

    assert sum(weights["slices"]) == bits - 1 and weights["offsets"] == prefix_sums(weights["slices"])
    analog = a["hybrid"]["analog_bits"] if "hybrid" in a else inputs["bits"]
    if "hybrid" in a:
        assert a["hybrid"]["analog_qmax"] == 2 ** (analog - 1) - 1, name
    assert sum(inputs["slices"]) == analog - 1 and inputs["offsets"] == prefix_sums(inputs["slices"])

    # §2: the tiling. Row blocks of `rows`, column blocks of cols/2 outputs (a column pair per
    # output), one array per (row block, column block, weight slice, group).
    rows, cols, k, n, groups = (mapping[f] for f in ("rows", "cols", "k", "n", "groups"))
    assert mapping["slices"] == len(weights["slices"]), name
    row_blocks, col_blocks = -(-k // rows), -(-n // (cols // 2))
    arrays = row_blocks * col_blocks * len(weights["slices"]) * groups
    assert (mapping["row_blocks"], mapping["col_blocks"], mapping["arrays"]) == \
        (row_blocks, col_blocks, arrays), (name, mapping)
    cells = 2 * k * n * len(weights["slices"]) * groups
    assert abs(mapping["utilisation"] - cells / (arrays * rows * cols)) < 1e-12, (name, mapping)

    # §5: the full scale of every (row block, DAC slice, weight slice).
    expected = []
    for r in range((k + rows - 1) // rows):
        in_block = min(k, (r + 1) * rows) - r * rows
        for ai in inputs["slices"]:
            for bj in weights["slices"]:
                expected.append(in_block * (2 ** ai - 1) * (2 ** bj - 1))
    assert adc["full_scales"] == expected, (name, adc["full_scales"], expected)

    # §9: one layer id per group.
    ids = [fnv1a64("%s#g%d" % (name, g)) for g in range(mapping["groups"])]
    assert noise["layer_ids"] == ids, (name, noise["layer_ids"], ids)
    print("layer %s: Wq, %d scales, %d full scales, layer ids ok" % (name, channels, len(expected)))

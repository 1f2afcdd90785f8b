"""Independent checks of cim-opt --sensitivity's JSON report, with the Python standard library
only (npz_stdlib, beside the import tests):

    sensitivity_check.py devices DEV.json OUTDIR LAYER...
        writes OUTDIR/only-LAYER-cim.json (every other layer digital) and
        OUTDIR/only-LAYER-digital.json for each LAYER: the configurations as device files
    sensitivity_check.py metric REPORT.json REF.npz OUT.npz FIELD [LAYER]
        the report's kl or mse metric (as the report says) of FIELD (all_cim, only_on_cim,
        only_digital or budget) against the same metric computed here from cim-run's outputs
        (OUT.npz) and the all-digital outputs (REF.npz); prints "match FIELD LAYER"
    sensitivity_check.py output REPORT.json REF.npz OUT.npz LAYER
        LAYER's output_kl, output_mse and output_nmse for a layer whose output is the graph's
        `logits`: the all-digital outputs (REF.npz) are its fp32 outputs on the same inputs, and
        the run with only LAYER on CIM (OUT.npz) its CIM outputs; prints "output LAYER match"
    sensitivity_check.py saved DEVICE.json REPORT.json
        the device --save-device wrote has an entry {"digital": {"enabled": true}} for each
        layer the budget kept, and no other entry but the built-in /lm_head*; prints "saved N"
    sensitivity_check.py proxies REPORT.json MODEL.onnxtext DATA.npz INPUT_LAYER
        weight kurtosis and sigma1/sum(sigma) of every layer (from the model's initializers,
        singular values by Jacobi), range ratio and kurtosis of INPUT_LAYER's inputs (the
        graph input), and Spearman's rho of every proxy from the report's own columns;
        prints "proxies match"
"""
import json
import math
import os
import re
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "import",
                                "Inputs"))
from npz_stdlib import read_npz  # noqa: E402


def fail(message):
    print("MISMATCH: " + message)
    sys.exit(1)


def close(got, want, rtol, what):
    if got is None or want is None or not math.isfinite(want):
        if got != want and not (got is None and (want is None or not math.isfinite(want))):
            fail("%s: report %r, here %r" % (what, got, want))
        return
    if abs(got - want) > rtol * max(abs(want), 1e-12):
        fail("%s: report %r, here %r" % (what, got, want))


def f32(v):
    return struct.unpack("<f", struct.pack("<f", v))[0]


def softmax(row):
    top = max(row)
    e = [math.exp(v - top) for v in row]
    z = sum(e)
    return [v / z for v in e]


def metric(name, ref, out, classes):
    if name == "mse":
        return sum((a - b) ** 2 for a, b in zip(out, ref)) / len(ref)
    total, rows = 0.0, len(ref) // classes
    for r in range(rows):
        p = softmax(ref[r * classes:(r + 1) * classes])
        q = softmax(out[r * classes:(r + 1) * classes])
        total += sum(pi * math.log(pi / qi) for pi, qi in zip(p, q))
    return total / rows


def quantile(sorted_values, q):
    pos = q * (len(sorted_values) - 1)
    i = int(math.floor(pos))
    j = min(i + 1, len(sorted_values) - 1)
    return sorted_values[i] + (pos - i) * (sorted_values[j] - sorted_values[i])


def kurtosis(values):
    n = len(values)
    mean = sum(values) / n
    m2 = sum((v - mean) ** 2 for v in values)
    m4 = sum((v - mean) ** 4 for v in values)
    return n * m4 / (m2 * m2) - 3.0


def singular_values(rows, cols, a):
    """Of the row-major rows x cols matrix a: square roots of the eigenvalues of the smaller
    Gram matrix, by cyclic Jacobi rotations."""
    if rows > cols:
        a = [a[r * cols + c] for c in range(cols) for r in range(rows)]
        rows, cols = cols, rows
    g = [[sum(a[i * cols + k] * a[j * cols + k] for k in range(cols)) for j in range(rows)]
         for i in range(rows)]
    n = rows
    for _ in range(100):
        off = sum(g[i][j] ** 2 for i in range(n) for j in range(n) if i != j)
        if off < 1e-30:
            break
        for p in range(n):
            for q in range(p + 1, n):
                if abs(g[p][q]) < 1e-300:
                    continue
                theta = (g[q][q] - g[p][p]) / (2 * g[p][q])
                t = math.copysign(1.0, theta) / (abs(theta) + math.sqrt(theta * theta + 1))
                c = 1 / math.sqrt(t * t + 1)
                s = t * c
                for k in range(n):
                    gkp, gkq = g[k][p], g[k][q]
                    g[k][p], g[k][q] = c * gkp - s * gkq, s * gkp + c * gkq
                for k in range(n):
                    gpk, gqk = g[p][k], g[q][k]
                    g[p][k], g[q][k] = c * gpk - s * gqk, s * gpk + c * gqk
    return sorted((math.sqrt(max(g[i][i], 0.0)) for i in range(n)), reverse=True)


def ranks(values):
    out = []
    for v in values:
        less = sum(1 for w in values if w < v)
        equal = sum(1 for w in values if w == v)
        out.append(less + (equal + 1) / 2)
    return out


def spearman(a, b):
    pairs = [(x, y) for x, y in zip(a, b) if x is not None and y is not None]
    if len(pairs) < 3:
        return None
    rx, ry = ranks([p[0] for p in pairs]), ranks([p[1] for p in pairs])
    mx, my = sum(rx) / len(rx), sum(ry) / len(ry)
    sxy = sum((x - mx) * (y - my) for x, y in zip(rx, ry))
    sxx = sum((x - mx) ** 2 for x in rx)
    syy = sum((y - my) ** 2 for y in ry)
    if sxx <= 0 or syy <= 0:
        return None
    return sxy / math.sqrt(sxx * syy)


def devices(device, outdir, layers):
    base = json.load(open(device))
    for layer in layers:
        for kind, digital in (("cim", [l for l in layers if l != layer]), ("digital", [layer])):
            dev = dict(base)
            dev["layers"] = {name: {"digital": True} for name in digital}
            json.dump(dev, open(os.path.join(outdir, "only-%s-%s.json" % (layer, kind)), "w"))


def check_metric(report_path, ref_path, out_path, field, layer=None):
    report = json.load(open(report_path))
    ref = read_npz(ref_path)["logits"]
    out = read_npz(out_path)["logits"]
    want = metric(report["metric"], ref[2], out[2], ref[1][-1])
    if field == "all_cim":
        got = report["all_cim"]
    elif field == "budget":
        got = report["budget"][report["metric"]]
    else:
        got = next(l for l in report["layers"] if l["name"] == layer)[field]
    close(got, want, 1e-5, "%s %s" % (field, layer or ""))
    print("match %s %s" % (field, layer or ""))


def check_output(report_path, ref_path, out_path, name):
    layer = next(l for l in json.load(open(report_path))["layers"] if l["name"] == name)
    p, q = read_npz(ref_path)["logits"][2], read_npz(out_path)["logits"][2]
    lo, hi, bins = min(p), max(p), 2048
    scale = bins / (hi - lo)

    def histogram(values):
        h = [0.5] * bins
        for v in values:
            pos = (v - lo) * scale
            h[0 if not pos > 0 else min(int(pos), bins - 1)] += 1
        return h
    hp, hq = histogram(p), histogram(q)
    total = len(p) + 0.5 * bins
    kl = sum(a / total * math.log(a / b) for a, b in zip(hp, hq))
    se = sum((b - a) ** 2 for a, b in zip(p, q))
    close(layer["output_kl"], kl, 1e-6, name + " output_kl")
    close(layer["output_mse"], se / len(p), 1e-6, name + " output_mse")
    close(layer["output_nmse"], se / sum(a * a for a in p), 1e-6, name + " output_nmse")
    print("output %s match" % name)


def check_saved(device_path, report_path):
    layers = json.load(open(device_path))["layers"]
    kept = [k["layer"] for k in json.load(open(report_path))["budget"]["kept_digital"]]
    extra = [g for g in layers if g not in kept and g != "/lm_head*"]
    if extra:
        fail("entries for layers the budget did not keep: %r" % extra)
    for name in kept:
        if layers.get(name, {}).get("digital", {}).get("enabled") is not True:
            fail("no entry keeping %s digital: %r" % (name, layers.get(name)))
    print("saved %d" % len(kept))


def check_proxies(report_path, model_path, data_path, input_layer):
    report = json.load(open(report_path))
    text = open(model_path).read()
    weights = {}
    for shape, name, values in re.findall(r"float\[([\d, ]+)\] (\w+) = \{([^}]*)\}", text):
        dims = [int(d) for d in shape.split(",")]
        weights[name] = (dims, [f32(float(v)) for v in values.split(",")])
    by_layer = {"conv": "conv_w", "fc": "fc_w", "logits": "out_w"}
    for layer in report["layers"]:
        dims, w = weights[by_layer[layer["name"]]]
        rows = dims[0]
        close(layer["weight_kurtosis"], kurtosis(w), 1e-6, layer["name"] + " weight_kurtosis")
        s = singular_values(rows, len(w) // rows, w)
        close(layer["weight_energy_ratio"], s[0] / sum(s), 1e-4,
              layer["name"] + " weight_energy_ratio")
        close(layer["weights"], len(w), 0, layer["name"] + " weights")
        if layer["name"] == input_layer:
            x = read_npz(data_path)["image"][2]
            sx = sorted(x)
            ratio = (sx[-1] - sx[0]) / (quantile(sx, 0.75) - quantile(sx, 0.25))
            close(layer["input_range_ratio"], ratio, 1e-6, layer["name"] + " input_range_ratio")
            close(layer["input_kurtosis"], kurtosis(x), 1e-6, layer["name"] + " input_kurtosis")
        for key in ("output_kl", "output_mse", "output_nmse"):
            if not layer[key] >= 0:
                fail("%s %s is %r" % (layer["name"], key, layer[key]))
    lower_better = report["metric"] != "accuracy"

    def loss(v):
        return v if lower_better else 1.0 - v
    on_cim = [loss(l["only_on_cim"]) for l in report["layers"]]
    digital = [-loss(l["only_digital"]) for l in report["layers"]]
    for proxy, rho in report["spearman"].items():
        column = [l[proxy] for l in report["layers"]]
        close(rho["only_on_cim"], spearman(column, on_cim), 1e-9, proxy + " vs only_on_cim")
        close(rho["only_digital"], spearman(column, digital), 1e-9, proxy + " vs only_digital")
    print("proxies match")


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "devices":
        devices(sys.argv[2], sys.argv[3], sys.argv[4:])
    elif command == "metric":
        check_metric(*sys.argv[2:])
    elif command == "output":
        check_output(*sys.argv[2:])
    elif command == "saved":
        check_saved(*sys.argv[2:])
    elif command == "proxies":
        check_proxies(*sys.argv[2:])
    else:
        fail("unknown command " + command)

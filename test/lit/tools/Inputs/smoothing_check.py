"""The static input scale of make_cim_model.py's `conv` in a calibration table measured with
inputs.smooth_alpha 0.5 and 16-bit static inputs, computed here from the table's channel
maximum and the model's weights (standard library only):

    smoothing_check.py TABLE.json MODEL.onnxtext

conv has one input channel: s = m^0.5 / w^0.5 (m its max |x|, w its max |W|), the smoothed
input's maximum is m / s in float32, and the scale at the 100th percentile is that / 32767.
Prints "conv scale after smoothing" when the table holds it (within float rounding), else
both values."""
import json
import re
import struct
import sys


def f32(v):
    return struct.unpack("<f", struct.pack("<f", v))[0]


table = json.load(open(sys.argv[1]))["layers"]["conv"]
text = open(sys.argv[2]).read()
values = re.search(r"float\[[\d, ]+\] conv_w = \{([^}]*)\}", text).group(1)
w = max(abs(f32(float(v))) for v in values.split(","))
m = table["input_channel_max"][0]
s = f32(m ** 0.5 / w ** 0.5)
want = f32(f32(m / s) / 32767)
got = table["groups"][0]["input_scale"]
if abs(got - want) <= 1e-5 * want:
    print("conv scale after smoothing")
else:
    print("MISMATCH: table %r, smoothed %r, unsmoothed %r" % (got, want, f32(m / 32767)))
    sys.exit(1)

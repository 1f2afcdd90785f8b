"""cimlir in Python: compile an ONNX model for compute-in-memory hardware, run the plan on numpy
arrays, evaluate it on a dataset. docs/python.md is the reference.

    import cimlir, numpy as np
    plan = cimlir.compile("models/fashion_cnn.onnx", device="rram-256")
    out = plan.run({"image": np.zeros((4, 1, 28, 28), np.float32)}, set={"adc.bits": 6})
    report = plan.evaluate("/usr/share/datasets/fashion-mnist", limit=1000, repeats=3)
    report["accuracy"], report["cost"]["energy_pj_per_sample"]

The plans and numbers are cim-opt's and cim-run's: compile() runs the cim-opt this package
was built with, and Plan runs cim-run's runtime in this process.
"""

import json
import os
import shutil
import subprocess
import tempfile

import numpy as np

from ._cimlir import Error, PlanHandle, backends  # noqa: F401 (Error and backends are API)

__all__ = ["Error", "Plan", "compile", "load", "backends", "export_torch"]

_HERE = os.path.dirname(os.path.abspath(__file__))


def _cim_opt():
    """The cim-opt built with this package: beside it in a wheel (bin/), else in the build
    tree's bin/ (the module sits in BUILD/python/cimlir), else $CIMLIR_CIM_OPT or PATH."""
    for candidate in (os.environ.get("CIMLIR_CIM_OPT"), os.path.join(_HERE, "bin", "cim-opt"),
                      os.path.join(_HERE, "..", "..", "bin", "cim-opt")):
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return os.path.normpath(candidate)
    found = shutil.which("cim-opt")
    if not found:
        raise Error("cim-opt not found beside the cimlir package, in the build tree or on PATH "
                    "(set CIMLIR_CIM_OPT)")
    return found


def _tool_error(stderr, tool):
    """The tool's one-line error as Error's message, without the "TOOL: " and "error: " that
    start it ("cim-opt: model.onnx: error: ..." gives "model.onnx: error: ...")."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    message = lines[-1] if lines else f"{tool} failed without a message"
    for prefix in (f"{tool}: ", "error: "):
        if message.startswith(prefix):
            message = message[len(prefix):]
    return message


def _settings(values):
    """{"adc.bits": 6, "/conv1/*:noise.read": 0.02} or ["adc.bits=6"] as cim-run's --set list."""
    if values is None:
        return []
    if isinstance(values, dict):
        out = []
        for key, value in values.items():
            text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
            out.append(f"{key}={text}")
        return out
    if isinstance(values, str):
        raise TypeError("set: expected a dict of parameters or a list of 'KEY=VALUE' strings")
    return [str(v) for v in values]


def compile(model, device=None, *, calibration=None, options=(), output=None):
    """Compiles an ONNX model (a path, or the bytes of a .onnx file) for `device` (a preset
    name or a device file; None: digital) with cim-opt, and returns the Plan.

    calibration: a dataset for the calibration passes (cim-opt --calibration); options:
    further cim-opt arguments (["--keep-activations"]); output: also keep the plan at this
    path. Raises cimlir.Error with cim-opt's message."""
    with tempfile.TemporaryDirectory(prefix="cimlir.") as work:
        if isinstance(model, (bytes, bytearray, memoryview)):
            path = os.path.join(work, "model.onnx")
            with open(path, "wb") as f:
                f.write(model)
        else:
            path = os.fspath(model)
        plan_path = os.path.join(work, "model.plan")
        cmd = [_cim_opt(), path, "-o", plan_path]
        if device is not None:
            cmd += ["--device", os.fspath(device)]
        if calibration is not None:
            cmd += ["--calibration", os.fspath(calibration)]
        cmd += list(options)
        proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              errors="replace")
        if proc.returncode != 0:
            raise Error(_tool_error(proc.stderr, "cim-opt"))
        with open(plan_path, "rb") as f:
            data = f.read()
    if output is not None:
        with open(output, "wb") as f:
            f.write(data)
    return Plan(PlanHandle.from_bytes(data, os.fspath(output) if output else "<compiled>"))


def load(path):
    """The plan cim-opt wrote at `path`."""
    return Plan(PlanHandle.from_file(os.fspath(path)))


class Plan:
    """A compiled plan, loaded in this process."""

    def __init__(self, handle):
        self._handle = handle

    @property
    def inputs(self):
        """[(name, dtype, shape)]: the graph inputs; -1 in a shape is the batch."""
        return [(n, d, list(s)) for n, d, s in self._handle.inputs]

    @property
    def outputs(self):
        return [(n, d, list(s)) for n, d, s in self._handle.outputs]

    @property
    def device(self):
        """The resolved device file the plan was compiled for, as a dict (None: none)."""
        text = self._handle.device
        return json.loads(text) if text else None

    def run(self, inputs, *, seed=None, chip_seed=None, set=None, backend="auto",
            sample_offset=0, repeat=0):
        """The outputs of one run, {name: numpy array}, for `inputs` {name: numpy array}.

        An array of the input's dtype that is C-contiguous is read where it is, not copied;
        another is converted first. set: run-time parameters ({"adc.bits": 6}, as cim-run
        --set); seed, chip_seed: noise.seed and noise.chip_seed (cim-numerics.md §9);
        sample_offset: the dataset index of the first sample (the fresh noise is keyed by it);
        repeat: the repetition index (cim-run --repeats' r). The chips are programmed on the
        first run and again only when the backend or parameters change."""
        specs = {name: dtype for name, dtype, _ in self.inputs}
        arrays = {}
        for name, value in inputs.items():
            dtype = specs.get(name)
            # The runtime names an input the plan does not have; a dtype it has converts here.
            arrays[name] = (np.ascontiguousarray(value, dtype=dtype) if dtype and dtype != "bfloat16"
                            else np.ascontiguousarray(value))
        return self._handle.run(arrays, backend, _settings(set), seed, chip_seed, sample_offset,
                                repeat)

    def evaluate(self, dataset=None, *, inputs=None, split="test", limit=None, batch=64,
                 repeats=1, seed=None, chip_seed=None, set=None, reference=None,
                 backend="auto", perplexity=False):
        """Evaluates the plan on a dataset (a path cim-run's --dataset takes) or an .npz of
        inputs, over `repeats` chips, and returns cim-run's report as a dict (accuracy,
        over_repeats, layers with their counters and cost, the chip's cost, ...). perplexity:
        the first output is a causal language model's next-token logits (cim-run's
        --perplexity), and the report has `perplexity`."""
        if (dataset is None) == (inputs is None):
            raise Error("give exactly one of dataset and inputs")
        text = self._handle.evaluate(
            "" if dataset is None else os.fspath(dataset),
            "" if inputs is None else os.fspath(inputs), split, -1 if limit is None else limit,
            batch, repeats, _settings(set), seed, chip_seed,
            "" if reference is None else os.fspath(reference), backend, perplexity)
        return json.loads(text)


def export_torch(module, example_inputs, path, *, input_names=None, output_names=None,
                 dynamic_batch=True, opset=17):
    """Exports a torch.nn.Module to ONNX with torch.onnx.export, for compile(): the first axis
    of every input and output is the batch when dynamic_batch (cim-run's --batch). Needs
    PyTorch, which cimlir does not install. Returns `path`."""
    import torch  # noqa: F401 (imported here: the package itself does not need PyTorch)

    if not isinstance(example_inputs, tuple):
        example_inputs = (example_inputs,)
    input_names = input_names or [f"input{i}" for i in range(len(example_inputs))]
    output_names = output_names or ["output"]
    axes = None
    if dynamic_batch:
        axes = {name: {0: "batch"} for name in list(input_names) + list(output_names)}
    module.eval()
    torch.onnx.export(module, example_inputs, os.fspath(path), input_names=input_names,
                      output_names=output_names, dynamic_axes=axes, opset_version=opset,
                      dynamo=False)
    return path

"""The Python API against the command-line tools: the same plans, outputs and reports, inputs
read where numpy holds them, errors with the tools' messages (docs/python.md).

ctest runs it (python.api) with the build tree's module on PYTHONPATH and CIMLIR_BIN (the
folder of cim-opt and cim-run), CIMLIR_SOURCE_DIR and CIMLIR_FASHION_MNIST_DIR set."""
import gc
import gzip
import json
import os
import subprocess

import numpy as np
import pytest

import cimlir

BIN = os.environ["CIMLIR_BIN"]
SOURCE = os.environ["CIMLIR_SOURCE_DIR"]
MNIST = os.environ["CIMLIR_FASHION_MNIST_DIR"]
CNN = os.path.join(SOURCE, "models", "fashion_cnn.onnx")


def images(count, offset=0):
    """Fashion-MNIST test images [count, 1, 28, 28] as float32 raw pixels (the model's input)."""
    with gzip.open(os.path.join(MNIST, "t10k-images-idx3-ubyte.gz")) as f:
        raw = np.frombuffer(f.read(), np.uint8, offset=16)
    return raw[offset * 784:(offset + count) * 784].reshape(count, 1, 28, 28).astype(np.float32)


def tool(name, *args):
    proc = subprocess.run([os.path.join(BIN, name), *map(str, args)], capture_output=True,
                          text=True)
    return proc.returncode, proc.stdout, proc.stderr


@pytest.fixture(scope="module")
def cli_plan(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "cnn.plan"
    rc, _, err = tool("cim-opt", CNN, "--device", "rram-256", "-o", path)
    assert rc == 0, err
    return path


@pytest.fixture(scope="module")
def plan(tmp_path_factory):
    return cimlir.compile(CNN, device="rram-256",
                          output=tmp_path_factory.mktemp("api") / "cnn.plan")


def test_compile_gives_cim_opts_plan(plan, cli_plan, tmp_path):
    again = tmp_path / "again.plan"
    cimlir.compile(CNN, device="rram-256", output=again)
    assert again.read_bytes() == cli_plan.read_bytes()
    assert plan.inputs == [("image", "float32", [-1, 1, 28, 28])]
    assert plan.device["name"] == "rram-256"
    # From the model's bytes: the same plan but for the model's name in it.
    from_bytes = cimlir.compile(open(CNN, "rb").read(), device="rram-256")
    x = images(4)
    np.testing.assert_array_equal(from_bytes.run({"image": x})["logits"],
                                  plan.run({"image": x})["logits"])


def test_run_gives_cim_runs_outputs(plan, cli_plan, tmp_path):
    x = images(16)
    np.savez(tmp_path / "x.npz", image=x)
    for settings, args in (({}, []), ({"adc.bits": 5, "noise.read": 0.05},
                                      ["--set", "adc.bits=5", "--set", "noise.read=0.05"])):
        rc, _, err = tool("cim-run", cli_plan, "--inputs", tmp_path / "x.npz", "--outputs",
                          tmp_path / "y.npz", "--quiet", "--seed", 3, *args)
        assert rc == 0, err
        expected = np.load(tmp_path / "y.npz")
        got = plan.run({"image": x}, set=settings, seed=3)
        assert sorted(got) == sorted(expected.files)
        for name in expected.files:
            assert got[name].dtype == expected[name].dtype
            np.testing.assert_array_equal(got[name], expected[name])


def test_settings_seeds_and_samples_change_the_noise(plan):
    x = images(8)
    base = plan.run({"image": x})["logits"]
    np.testing.assert_array_equal(plan.run({"image": x})["logits"], base)  # deterministic
    assert not np.array_equal(plan.run({"image": x}, seed=1)["logits"], base)
    assert not np.array_equal(plan.run({"image": x}, sample_offset=8)["logits"], base)
    assert not np.array_equal(plan.run({"image": x}, set={"adc.bits": 4})["logits"], base)
    # The fresh noise of sample i is keyed by its index: samples 4.. alone, offset by 4, are
    # the last four of the batch.
    tail = plan.run({"image": x[4:]}, sample_offset=4)["logits"]
    np.testing.assert_array_equal(tail, base[4:])


def test_inputs_are_read_where_numpy_holds_them(tmp_path):
    # An Identity model: the runtime's output is its input tensor, so an output that shares the
    # caller's memory shows that the array was not copied on the way in.
    model = tmp_path / "identity.onnxtext"
    model.write_text('<ir_version: 8, opset_import: ["" : 17]>\n'
                     "agraph (float[N, 3] x) => (float[N, 3] y) {\n  y = Identity (x)\n}\n")
    identity = cimlir.compile(model)
    x = np.arange(12, dtype=np.float32).reshape(4, 3)
    y = identity.run({"x": x})["y"]
    np.testing.assert_array_equal(y, x)
    assert np.shares_memory(y, x), "the input was copied"
    del x  # the output keeps the input's memory alive: new arrays do not land on it
    gc.collect()
    junk = [np.full((4, 3), -1, np.float32) for _ in range(1000)]
    np.testing.assert_array_equal(y, np.arange(12, dtype=np.float32).reshape(4, 3))
    del junk
    # Other layouts and dtypes are converted first: the same values, a copy.
    strided = np.arange(24, dtype=np.float64).reshape(4, 6)[:, ::2]
    y = identity.run({"x": strided})["y"]
    np.testing.assert_array_equal(y, strided.astype(np.float32))
    assert not np.shares_memory(y, strided)


@pytest.mark.parametrize("onnx_type, dtype", [
    ("double", np.float64), ("float16", np.float16), ("int64", np.int64), ("int32", np.int32),
    ("int8", np.int8), ("uint8", np.uint8), ("int16", np.int16), ("uint16", np.uint16),
    ("bool", np.bool_)])
def test_every_dtype_goes_in_and_out(tmp_path, onnx_type, dtype):
    model = tmp_path / "identity.onnxtext"
    model.write_text('<ir_version: 8, opset_import: ["" : 17]>\n'
                     f"agraph ({onnx_type}[N, 5] x) => ({onnx_type}[N, 5] y) {{\n"
                     "  y = Identity (x)\n}\n")
    x = (np.arange(10) % 3).astype(dtype).reshape(2, 5)
    y = cimlir.compile(model).run({"x": x})["y"]
    assert y.dtype == x.dtype
    np.testing.assert_array_equal(y, x)
    # float16 is computed as float32 (docs/numerics.md): its output is new memory.
    assert np.shares_memory(y, x) == (dtype != np.float16)


def test_evaluate_gives_cim_runs_report(plan, cli_plan, tmp_path):
    args = dict(limit=48, repeats=2, batch=16, set={"noise.read": 0.02})
    report = plan.evaluate(MNIST, **args)
    rc, _, err = tool("cim-run", cli_plan, "--dataset", MNIST, "--limit", 48, "--repeats", 2,
                      "--batch", 16, "--set", "noise.read=0.02", "--report", tmp_path / "r.json",
                      "--quiet")
    assert rc == 0, err
    expected = json.load(open(tmp_path / "r.json"))
    for key in ("accuracy", "over_repeats", "samples", "repeats", "cost", "run_parameters",
                "dataset", "device", "model"):
        assert report[key] == expected[key], key
    assert report["plan"].endswith("cnn.plan"), report["plan"]  # where compile() wrote it
    assert len(report["layers"]) == len(expected["layers"]) == 4
    for got, want in zip(report["layers"], expected["layers"]):
        for key in ("name", "counters", "cost", "chip_seeds", "settings", "dac_activity"):
            assert got[key] == want[key], (got["name"], key)
    assert 0.5 < report["accuracy"] <= 1.0


def test_perplexity_is_cim_runs(tmp_path):
    # A GPT-2 layout (100 tokens, random weights, batch 1) on random token ids.
    model = os.path.join(SOURCE, "models", "export", "gpt2_small_dynamo", "model.onnx")
    ids = tmp_path / "ids.npz"
    np.savez(ids, input=np.random.default_rng(0).integers(0, 100, (4, 16), dtype=np.int64))
    report = cimlir.compile(model).evaluate(ids, perplexity=True)
    rc, _, err = tool("cim-opt", model, "-o", tmp_path / "lm.plan")
    assert rc == 0, err
    rc, _, err = tool("cim-run", tmp_path / "lm.plan", "--dataset", ids, "--perplexity",
                      "--report", tmp_path / "r.json", "--quiet")
    assert rc == 0, err
    expected = json.load(open(tmp_path / "r.json"))
    assert report["tokens"] == expected["tokens"] == 4 * 15
    assert report["perplexity"] == expected["perplexity"]
    assert 50 < report["perplexity"] < 200  # random weights: about the 100 tokens


@pytest.mark.parametrize("call, message", [
    (lambda p: p.run({"images": images(1)}), "image"),
    (lambda p: p.run({"image": images(2)[:, :, :27]}), "image"),
    (lambda p: p.run({"image": images(1)}, set={"adc.bitz": 5}), "--set: adc.bitz: unknown field"),
    (lambda p: p.run({"image": images(1)}, set={"crossbar.rows": 5}),
     "--set: crossbar.rows is fixed when the plan is compiled; recompile with cim-opt"),
    (lambda p: p.run({"image": images(1)}, backend="tpu"), "--backend"),
    (lambda p: p.evaluate("/no/such/dataset"), "/no/such/dataset"),
])
def test_errors_are_the_tools_messages(plan, cli_plan, tmp_path, call, message):
    with pytest.raises(cimlir.Error) as raised:
        call(plan)
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


def test_cli_and_api_errors_read_the_same(plan, cli_plan, tmp_path):
    np.savez(tmp_path / "bad.npz", image=images(2)[:, :, :27])
    rc, _, err = tool("cim-run", cli_plan, "--inputs", tmp_path / "bad.npz", "--quiet")
    assert rc == 1
    with pytest.raises(cimlir.Error) as raised:
        plan.run({"image": images(2)[:, :, :27]})
    assert err.strip() == "cim-run: error: " + str(raised.value)


def test_compile_errors(tmp_path):
    broken = tmp_path / "broken.onnx"
    broken.write_bytes(b"not a model")
    with pytest.raises(cimlir.Error) as raised:
        cimlir.compile(broken)
    rc, _, err = tool("cim-opt", broken, "-o", tmp_path / "x.plan")
    assert rc == 1 and err.strip() == f"cim-opt: {raised.value}", err
    assert "not a valid ONNX model" in str(raised.value)
    with pytest.raises(cimlir.Error, match="no-such-device"):
        cimlir.compile(CNN, device="no-such-device")
    with pytest.raises(cimlir.Error):
        cimlir.load(broken)


def test_backends_lists_the_cpu():
    names = dict(cimlir.backends())
    assert names["cpu"] == ""


def test_export_torch(tmp_path):
    torch = pytest.importorskip("torch")
    module = torch.nn.Sequential(torch.nn.Linear(6, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    x = torch.randn(3, 6)
    path = cimlir.export_torch(module, x, tmp_path / "mlp.onnx")
    plan = cimlir.compile(path)
    got = plan.run({"input0": x.numpy()})["output"]
    np.testing.assert_allclose(got, module(x).detach().numpy(), rtol=1e-5, atol=1e-6)

#!/usr/bin/env bash
# Runs on the GPU machine (docs/cuda-backend.md): the GPU tests and the CUDA backend against the
# CPU backend end to end, with binaries built elsewhere and carried in one folder:
#   scripts/gpu_pack.sh            (here: builds and fills .device/)
#   scripts/gpu_check.sh .device   (there; writes logs to $OUT when set)
# Steps: the CUDA kernel tests (label gpu), the runtime suite on the cuda backend, the ONNX
# conformance tests that pass on the CPU backend run on cuda (in the background), the bundled
# Fashion-MNIST models compiled for several devices and run on both backends (outputs compared,
# accuracies printed; rram-256 also with fast normals and with programming noise), the exported
# models of models/export (transformers, CNNs, recurrent nets) and the quantized, float16 and
# PyPI models on both backends with no step on the host, the CIM layers beyond Gemm, MatMul and
# Conv, the Python API's export_torch with the machine's PyTorch, CUDA graphs on and off, compute-sanitizer memcheck and racecheck on the kernel tests,
# and the one-layer benchmark (bench/cim_layer_cuda.cu). Runs every step; exits non-zero when
# any failed. About nine minutes on an H200 with compute-sanitizer's two tools one after the
# other (four minutes of it); they now run side by side.
set -uo pipefail
pack=${1:-.device}
out=${OUT:-/tmp/gpu_check}
mkdir -p "$out" /tmp/cimlir
tar -xJf "$pack/dist.tar.xz" -C /tmp/cimlir || exit 1
# The test and benchmark binaries (gpu_pack.sh compresses them).
mkdir -p /tmp/cimlir-tests && tar -xJf "$pack/bin.tar.xz" -C /tmp/cimlir-tests || exit 1
tests=/tmp/cimlir-tests/bin
# The tools find their bundled libraries and CUDA's cuBLAS through their RPATH; the test
# binaries are not bundled: they find the same libraries here.
export LD_LIBRARY_PATH="/tmp/cimlir/lib:/usr/local/cuda/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
bin=/tmp/cimlir/bin
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader

failed=()
step() { echo; echo "=== [${SECONDS} s] $*"; }
check() { "$@" || failed+=("$current"); }

current="CUDA kernel tests"
step "$current"
"$tests/cimlir_cuda_tests" --gtest_brief=1 > "$out/cuda_tests.log" 2>&1 || failed+=("$current")
tail -3 "$out/cuda_tests.log"

current="runtime suite on the cuda backend"
step "$current"
if ! CIMLIR_TEST_BACKEND=cuda stdbuf -oL "$tests/cimlir_runtime_tests" \
  > "$out/runtime_cuda.log" 2>&1; then
  failed+=("$current")
  # Where it stopped: a backtrace from cuda-gdb (the machine has no gdb).
  CIMLIR_TEST_BACKEND=cuda cuda-gdb -batch -ex run -ex bt --args \
    "$tests/cimlir_runtime_tests" > "$out/runtime_cuda_gdb.log" 2>&1
  grep -A12 -E "^(Thread|Program|#0)" "$out/runtime_cuda_gdb.log" | head -30
fi
grep -E "FAILED|PASSED" "$out/runtime_cuda.log" | tail -20
tail -2 "$out/runtime_cuda.log"

work=$(mktemp -d)
current="ONNX conformance on cuda"
# About three minutes of short runs: in the background, beside the end-to-end steps (whose
# comparisons do not depend on time), and waited for before the timed steps.
step "$current: the tests that pass on the CPU backend (scripts/gpu_onnx_suite.py), started"
mkdir -p "$work/onnx_tests"
tar -xJf "$pack/onnx_tests.tar.xz" -C "$work/onnx_tests"
cp "$tests/freeze-shape-inputs" "$bin/" # beside the tools, where the script looks
python3 scripts/gpu_onnx_suite.py "$bin" "$work/onnx_tests" "$work/onnx_runs" \
  > "$work/onnx_suite.log" 2>&1 &
onnx_suite=$!

current="end to end"
step "end to end: cpu against cuda (first ${CIMLIR_E2E_LIMIT:=2000} Fashion-MNIST test images)"
for model in fashion_mlp fashion_cnn fashion_vit; do
  for device in digital cim-ideal rram-256 harsh test/e2e/devices/mixed_bf16.json \
    test/e2e/devices/mixed_int8.json test/e2e/devices/mixed_w8a16.json \
    test/e2e/devices/rram256_hybrid.json test/e2e/devices/rram256_clipped.json; do
    # The mixed devices name the CNN's layers (/conv1/*): on the other models that glob matches
    # no layer, an error.
    [[ $model != fashion_cnn && $device == *mixed_* ]] && continue
    plan="$work/$model.$(basename "$device" .json).plan"
    check "$bin/cim-opt" "models/$model.onnx" --device "$device" -o "$plan"
    for backend in cpu cuda; do
      check "$bin/cim-run" "$plan" --dataset "$pack/data" --limit "$CIMLIR_E2E_LIMIT" \
        --batch 256 --backend "$backend" --outputs "$work/$backend.npz" \
        --report "$work/$backend.json" --quiet
    done
    check python3 - "$work" "$model" "$device" <<'PY'
import json, sys
import numpy as np
work, model, device = sys.argv[1:]
cpu, gpu = np.load(f"{work}/cpu.npz"), np.load(f"{work}/cuda.npz")
rc, rg = json.load(open(f"{work}/cpu.json")), json.load(open(f"{work}/cuda.json"))
name = cpu.files[0]
a, b = cpu[name], gpu[name]
diff = float(np.max(np.abs(a - b)))
scale = float(np.max(np.abs(a)))
same = float(np.mean(a == b))
agree = float(np.mean(a.argmax(-1) == b.argmax(-1)))
print(f"{model:12s} {device.split('/')[-1]:17s} max|cuda-cpu| {diff:.3g} (of {scale:.3g}), "
      f"identical {same:.4f}, same class {agree:.4f}, accuracy cpu {rc.get('accuracy')} "
      f"cuda {rg.get('accuracy')}, {rc['samples_per_second']:.0f} vs "
      f"{rg['samples_per_second']:.0f} samples/s, host steps "
      f"{rg.get('backend_details', {}).get('host_steps')}")
# CIM layers and int8 digital layers are exact on both backends: the same bits. Float digital
# layers (fp32, bf16, w8a16 GEMMs) sum in another order, and a CIM layer after one can round
# an input to the next level: the same classes then, nearly everywhere. So do the ViT's
# LayerNorm, softmax and GELU, whose exp and erf are each backend's own.
floats = model == "fashion_vit" or any(k in device for k in ("digital", "bf16", "w8a16"))
if not floats and same != 1.0:
    sys.exit(f"{model} on {device}: the backends disagree")
# The CIM layers' counters (active input digits, dynamic conversions, hybrid inputs' nonzero
# residuals) are the same where the inputs are: not after a float layer, whose sums in another
# order can move an input across a quantization level.
counters = lambda r: [l.get("counters") for l in r.get("layers", [])]
if not floats and counters(rc) != counters(rg):
    sys.exit(f"{model} on {device}: the layer counters differ: {counters(rc)} vs {counters(rg)}")
if rg.get("backend_details", {}).get("host_steps"):
    sys.exit(f"{model} on {device}: steps ran on the host")
if floats and (agree < 0.99 or abs(rc["accuracy"] - rg["accuracy"]) > 0.005):
    sys.exit(f"{model} on {device}: the backends disagree on classes")
PY
  done
done

current="end to end, fusions"
step "end to end: fashion_vit on rram-256 on cuda, fused (biases, normalisations, chains) against kept"
check "$bin/cim-opt" models/fashion_vit.onnx --device rram-256 --keep-activations \
  --keep-elementwise --keep-normalization -o "$work/fashion_vit.rram-256.kept.plan"
for plan in fashion_vit.rram-256 fashion_vit.rram-256.kept; do
  check "$bin/cim-run" "$work/$plan.plan" --dataset "$pack/data" --limit "$CIMLIR_E2E_LIMIT" \
    --batch 256 --backend cuda --outputs "$work/$plan.npz" --quiet
done
check cmp "$work/fashion_vit.rram-256.npz" "$work/fashion_vit.rram-256.kept.npz" &&
  echo "fashion_vit  rram-256 fused and kept: the same outputs on cuda"

current="end to end, noise settings"
# fast normals: the same Philox words through each backend's fast float functions, so a code
# differs only where a partial sum lies within about 1e-6 of an ADC threshold: the classes agree
# nearly always. Programming noise: float cells, partial sums in double on both backends (in
# another order), integer codes of the `full` ADC summed exactly: the same bits, on the GPU.
for setting in noise.normals=fast noise.program=0.05; do
  step "end to end: fashion_cnn on rram-256 with --set $setting, cpu against cuda"
  for backend in cpu cuda; do
    check "$bin/cim-run" "$work/fashion_cnn.rram-256.plan" --dataset "$pack/data" \
      --limit "$CIMLIR_E2E_LIMIT" --batch 256 --backend "$backend" --set "$setting" \
      --outputs "$work/$backend.npz" --report "$work/$backend.json" --quiet
  done
  check python3 - "$work" "$setting" <<'PY'
import json, sys
import numpy as np
work, setting = sys.argv[1:]
cpu, gpu = np.load(f"{work}/cpu.npz"), np.load(f"{work}/cuda.npz")
rc, rg = json.load(open(f"{work}/cpu.json")), json.load(open(f"{work}/cuda.json"))
a, b = cpu[cpu.files[0]], gpu[gpu.files[0]]
same = float(np.mean(a == b))
agree = float(np.mean(a.argmax(-1) == b.argmax(-1)))
host = rg.get("backend_details", {}).get("host_steps")
print(f"fashion_cnn  rram-256 {setting}: identical {same:.4f}, same class {agree:.4f}, "
      f"accuracy cpu {rc['accuracy']} cuda {rg['accuracy']}, {rc['samples_per_second']:.0f} vs "
      f"{rg['samples_per_second']:.0f} samples/s, host steps {host}")
if host:
    sys.exit(f"{setting}: steps ran on the host")
if setting.startswith("noise.program") and same != 1.0:
    sys.exit(f"{setting}: the backends disagree")
if agree < 0.999 or abs(rc["accuracy"] - rg["accuracy"]) > 0.002:
    sys.exit(f"{setting}: the backends disagree")
PY
done

current="end to end, bundled models"
step "end to end: the exported models (models/export) and the quantized, float16 and PyPI models, cpu against cuda, digital and rram-256"
# (models/zoo-light has no test inputs: test/e2e/run_zoo_light_model_test.sh makes them.)
for dir in models/export/{bert_small,gpt2_small_dynamo,qwen3_small_dynamo,deit_tiny_small} \
  models/export/{crnn_small,mobilenetv2_small,resnet18_small,gru_small,lstm_stateful} \
  models/quantized/* models/float16/* models/pypi/*; do
  # cim-opt's options from the model's test.json (input shapes, frozen inputs), as the e2e tests.
  mapfile -t options < <(python3 -c 'import json, os, sys
path = os.path.join(sys.argv[1], "test.json")
for o in (json.load(open(path)).get("cim_opt_options", []) if os.path.exists(path) else []):
    print(o.replace("@DIR@", sys.argv[1]))' "$dir")
  model=${dir#models/}
  for device in digital rram-256; do
    plan="$work/$(echo "$model" | tr / _).$device.plan"
    check "$bin/cim-opt" "$dir/model.onnx" --device "$device" -o "$plan" "${options[@]}"
    for backend in cpu cuda; do
      # --rtol/--atol: a CIM plan's outputs are not the float model's (the test data's).
      check "$bin/cim-run" "$plan" --dataset "$dir" --backend "$backend" --rtol 1e9 --atol 1e9 \
        --outputs "$work/$backend.npz" --report "$work/$backend.json" --quiet
    done
    check python3 - "$work" "$model" "$device" <<'PY'
import json, sys
import numpy as np
work, model, device = sys.argv[1:]
cpu, gpu = np.load(f"{work}/cpu.npz"), np.load(f"{work}/cuda.npz")
host = json.load(open(f"{work}/cuda.json")).get("backend_details", {}).get("host_steps")
worst = 0.0
for name in cpu.files:
    a, b = cpu[name].astype(np.float64), gpu[name].astype(np.float64)
    if a.size:
        worst = max(worst, float(np.max(np.abs(a - b)) / max(float(np.max(np.abs(a))), 1e-30)))
print(f"{model:36s} {device:9s} max|cuda-cpu|/max|cpu| {worst:.3g}, host steps {host}")
# Digital plans: float32 steps whose sums run in another order. CIM plans: an input that
# differs in the last bit can cross an ADC threshold, so they are compared loosely here (the
# kernel tests compare their codes exactly).
if worst > (1e-4 if device == "digital" else 5e-2):
    sys.exit(f"{model} on {device}: the backends disagree")
if host:
    sys.exit(f"{model} on {device}: steps ran on the host: {host}")
PY
  done
done

current="CIM layers beyond Gemm, MatMul and Conv"
step "$current: conv_transpose and recurrent (test/e2e/run_cim_layers_test.sh on the GPU, cpu against cuda)"
for model in conv_transpose recurrent; do
  check bash test/e2e/run_cim_layers_test.sh "$bin" test/e2e/devices "$work/layers_$model" "$model"
  for plan in precise rram; do
    for backend in cpu cuda; do
      check "$bin/cim-run" "$work/layers_$model/$plan.plan" --dataset "$work/layers_$model/inputs.npz" \
        --batch 5 --backend "$backend" --outputs "$work/$backend.npz" --report "$work/$backend.json" \
        --quiet
    done
    # conv_transpose: the CPU's codes and its col2im order, the same bits; recurrent: the cell's
    # activations are CUDA's (within 2 ulp), so close.
    check python3 - "$work" "$model" "$plan" <<'PY'
import json, sys
import numpy as np
work, model, plan = sys.argv[1:]
a, b = np.load(f"{work}/cpu.npz")["H"], np.load(f"{work}/cuda.npz")["H"]
host = json.load(open(f"{work}/cuda.json")).get("backend_details", {}).get("host_steps")
worst = float(np.max(np.abs(a - b)) / max(float(np.max(np.abs(a))), 1e-30))
print(f"{model:14s} {plan:8s} identical {float(np.mean(a == b)):.4f}, max|cuda-cpu|/max|cpu| "
      f"{worst:.3g}, host steps {host}")
if host or (model == "conv_transpose" and worst != 0.0) or worst > 1e-5:
    sys.exit(f"{model} on {plan}: the backends disagree or steps ran on the host")
PY
  done
done

current="export_torch"
step "$current: the Python API's torch.onnx export with this machine's PyTorch (scripts/gpu_export_torch.py)"
check python3 scripts/gpu_export_torch.py "$bin"

current="ONNX conformance on cuda"
step "$current: the result"
wait "$onnx_suite" || failed+=("$current")
cat "$work/onnx_suite.log"

current="cuda graphs"
step "CUDA graphs: fashion_cnn on rram-256 in batches of 64, graphs on against off; timings"
for graph in on off; do
  check "$bin/cim-run" "$work/fashion_cnn.rram-256.plan" --dataset "$pack/data" --limit 1000 \
    --batch 64 --backend cuda --cuda-graph "$graph" --outputs "$work/$graph.npz" \
    --report "$work/$graph.json" --quiet
done
check python3 - "$work" <<'PY'
import json, sys
import numpy as np
work = sys.argv[1]
on, off = np.load(f"{work}/on.npz"), np.load(f"{work}/off.npz")
graphs = json.load(open(f"{work}/on.json"))["backend_details"]["cuda_graphs"]
print(f"graphs on: {graphs}; outputs identical to graphs off: "
      f"{all(np.array_equal(on[k], off[k]) for k in on.files)}")
if not all(np.array_equal(on[k], off[k]) for k in on.files) or graphs["replays"] < 10:
    sys.exit("cuda graphs: replayed batches differ or did not replay")
PY
current="timings"
for args in "$work/export_bert_small.digital.plan --batch 1" \
  "$work/export_bert_small.rram-256.plan --batch 1" \
  "$work/fashion_cnn.rram-256.plan --batch 1" "$work/fashion_cnn.rram-256.plan --batch 256" \
  "$work/fashion_cnn.rram-256.plan --batch 256 --set noise.normals=fast" \
  "$work/fashion_cnn.rram-256.plan --batch 256 --set noise.program=0.05" \
  "$work/fashion_cnn.cim-ideal.plan --batch 256"; do
  for graph in on off; do
    data="$pack/data"
    [[ $args == *bert* ]] && data=models/export/bert_small
    # shellcheck disable=SC2086
    check "$bin/cim-run" $args --dataset "$data" --benchmark --warmup 20 --iterations 200 \
      --backend cuda --cuda-graph "$graph" --report "$work/bench.json" --quiet &&
      python3 -c "import json,sys; r=json.load(open(sys.argv[1])); b=r['benchmark']; print(sys.argv[2], 'graph', sys.argv[3], 'p50', b.get('latency_ms',{}).get('p50'), 'ms,', round(b.get('samples_per_second',0)), 'samples/s')" "$work/bench.json" "$args" "$graph" 2>&1 | sed "s|$work/||"
  done
done

# CIMLIR_GPU_CHECK_QUICK=1 leaves out the two slowest steps (four minutes), for a check of
# code that changed no kernel when device time is short.
if [[ -z ${CIMLIR_GPU_CHECK_QUICK:-} ]]; then
  current="compute-sanitizer"
  step "compute-sanitizer (memcheck, racecheck) on the kernel tests"
  filter='Modes/CudaCimLinear.*/full:Modes/CudaCimLinear.*/dynamic'
  tools=(memcheck racecheck)
  sanitizers=()
  # The two tools side by side: each is bound by the instrumentation on the host.
  for tool in "${tools[@]}"; do
    compute-sanitizer --tool "$tool" --error-exitcode 3 "$tests/cimlir_cuda_tests" \
      --gtest_filter="$filter" --gtest_brief=1 > "$out/sanitizer_$tool.log" 2>&1 &
    sanitizers+=($!)
  done
  for i in 0 1; do
    wait "${sanitizers[$i]}" || failed+=("compute-sanitizer ${tools[$i]}")
  done
  for tool in "${tools[@]}"; do tail -2 "$out/sanitizer_$tool.log"; done

  current="benchmark"
  step "one CIM layer, 4096^3 (bench/cim_layer_cuda.cu)"
  check "$tests/cim_layer_cuda" --size 4096 --iterations 10 > "$out/bench_cim_layer.md"
  cat "$out/bench_cim_layer.md"
else
  echo; echo "=== compute-sanitizer and the one-layer benchmark left out (CIMLIR_GPU_CHECK_QUICK)"
fi

echo
if ((${#failed[@]})); then
  printf 'gpu_check: FAILED: %s\n' "${failed[@]}"
  exit 1
fi
echo "gpu_check: every step passed"

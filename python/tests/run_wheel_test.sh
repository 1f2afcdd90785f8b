#!/usr/bin/env bash
# The wheel (docs/python.md): built from the checkout with scikit-build-core (pyproject.toml)
# on the build folder scripts/build.sh made (build-dir=build: nothing to compile again),
# installed into a fresh virtual environment with nothing else of the checkout, and used from
# outside the checkout: compile the bundled CNN with the cim-opt inside the wheel, run it,
# evaluate it.
#   run_wheel_test.sh WORK_DIR          (scripts/test.sh, after ctest; about 30 seconds)
set -euo pipefail
cd "$(dirname "$0")/../.."
work=$1
rm -rf "$work" && mkdir -p "$work"
export CCACHE_BASEDIR="$PWD"
.venv/bin/pip wheel --quiet --no-build-isolation --disable-pip-version-check \
  --config-settings=build-dir=build -w "$work/dist" .
/usr/bin/python3 -m venv "$work/env"
# numpy came with the wheel (pip wheel fetches the dependencies): nothing from the network.
"$work/env/bin/pip" install --quiet --no-index --find-links "$work/dist" cimlir
cd "$work"
CNN="$OLDPWD/models/fashion_cnn.onnx" MNIST=/usr/share/datasets/fashion-mnist ENV_DIR="$work/env" \
  env -u PYTHONPATH "$work/env/bin/python" - <<'PY'
import os
import numpy as np
import cimlir
here = os.path.dirname(cimlir.__file__)
assert here.startswith(os.environ["ENV_DIR"]), f"cimlir imported from {here}, not the wheel"
assert os.path.isfile(os.path.join(here, "bin", "cim-opt")), "no cim-opt in the wheel"
plan = cimlir.compile(os.environ["CNN"], device="rram-256")
report = plan.evaluate(os.environ["MNIST"], limit=64)
logits = plan.run({"image": np.zeros((2, 1, 28, 28), np.float32)})["logits"]
assert logits.shape == (2, 10) and report["accuracy"] > 0.5, report["accuracy"]
print(f"wheel: {os.path.basename(here)} from {here}; accuracy {report['accuracy']:.4f} on 64 "
      f"images, {report['cost']['energy_pj_per_sample']:.4g} pJ per image")
PY

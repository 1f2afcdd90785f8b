"""gpu_check.sh's check of cimlir.export_torch (python/cimlir) with a real PyTorch, which the
development machines do not have: the package's Python is loaded with a stand-in for its
extension (built for another Python), a small CNN and an MLP are exported with export_torch,
compiled by the bundled cim-opt (digital fp32), run by cim-run on fresh random inputs at two
batch sizes (the batch axis is dynamic), and compared with torch's outputs.

    python3 scripts/gpu_export_torch.py BIN_DIR
"""
import os
import subprocess
import sys
import tempfile
import types

import numpy as np
import torch

bin_dir = sys.argv[1]
stand_in = types.ModuleType("cimlir._cimlir")
stand_in.Error, stand_in.PlanHandle, stand_in.backends = RuntimeError, object, lambda: []
sys.modules["cimlir._cimlir"] = stand_in
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import cimlir  # noqa: E402

torch.manual_seed(0)
models = {
    "mlp": (torch.nn.Sequential(torch.nn.Linear(6, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2)),
            (6,)),
    "cnn": (torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.ReLU(),
                                torch.nn.MaxPool2d(2), torch.nn.Flatten(),
                                torch.nn.Linear(4 * 4 * 4, 3)), (1, 8, 8)),
}
failed = False
with tempfile.TemporaryDirectory() as work:
    for name, (module, shape) in models.items():
        path = cimlir.export_torch(module, torch.randn(2, *shape), os.path.join(work, name + ".onnx"))
        plan = os.path.join(work, name + ".plan")
        subprocess.run([os.path.join(bin_dir, "cim-opt"), path, "-o", plan], check=True)
        for batch in (1, 5):
            x = torch.randn(batch, *shape)
            np.savez(os.path.join(work, "x.npz"), input0=x.numpy())
            subprocess.run([os.path.join(bin_dir, "cim-run"), plan, "--inputs",
                            os.path.join(work, "x.npz"), "--outputs",
                            os.path.join(work, "y.npz"), "--quiet"], check=True)
            got = np.load(os.path.join(work, "y.npz"))["output"]
            want = module(x).detach().numpy()
            worst = float(np.max(np.abs(got - want)))
            ok = got.shape == want.shape and np.allclose(got, want, rtol=1e-5, atol=1e-5)
            failed |= not ok
            print(f"export_torch {name} batch {batch}: {'ok' if ok else 'DIFFERS'}, "
                  f"max|cim-run - torch| {worst:.3g}, torch {torch.__version__}")
sys.exit(1 if failed else 0)

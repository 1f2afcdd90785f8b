"""cim-run-perplexity.test's helper (Python standard library only):

    perplexity.py ids OUT.npz N T VOCAB SEED
        random token ids in [0, VOCAB) as OUT.npz's int64 `input` [N, T] (a model exported with
        batch 1 runs one row at a time)
    perplexity.py check REPORT.json OUTPUTS.npz IDS.npz
        the perplexity of the logits in OUTPUTS.npz's `output` [..., T, V] on IDS.npz's ids,
        computed here, against the report's `perplexity`, `nll_per_token` and `tokens`
"""
import json
import math
import os
import random
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "import",
                                "Inputs"))
from npz_stdlib import read_npz, write_npz  # noqa: E402

if sys.argv[1] == "ids":
    out, n, t, vocab, seed = sys.argv[2], *map(int, sys.argv[3:7])
    rng = random.Random(seed)
    write_npz(out, {"input": ("<i8", (n, t), [rng.randrange(vocab) for _ in range(n * t)])})
    sys.exit(0)

report = json.load(open(sys.argv[2]))
_, shape, logits = read_npz(sys.argv[3])["output"]
_, ids_shape, ids = read_npz(sys.argv[4])["input"]
t, v = shape[-2], shape[-1]
nll, tokens = 0.0, 0
for row in range(len(ids) // t):
    for p in range(1, t):
        x = logits[(row * t + p - 1) * v:(row * t + p) * v]
        top = max(x)
        # -log softmax(x)[id] = log sum exp(x - top) + top - x[id]
        nll += math.log(sum(math.exp(a - top) for a in x)) + top - x[ids[row * t + p]]
        tokens += 1
expected = math.exp(nll / tokens)
assert report["tokens"] == tokens, (report["tokens"], tokens)
assert math.isclose(report["perplexity"], expected, rel_tol=1e-9), (report["perplexity"], expected)
assert math.isclose(report["nll_per_token"], nll / tokens, rel_tol=1e-9)
print(f"perplexity {expected:.4f} over {tokens} tokens, as the report says")

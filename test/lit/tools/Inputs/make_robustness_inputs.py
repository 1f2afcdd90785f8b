"""Writes the .npz fixtures of cim-run-reference.test and cim-run-labels.test (needs numpy;
the outputs are committed). Model: ../../import/Inputs/external/model.onnx, X [N,4] float32
-> Y [N,8]."""
import numpy as np

rng = np.random.default_rng(11)
X = rng.standard_normal((3, 4)).astype(np.float32)
# A dataset of 3 samples with good labels, and one whose second label (9) is not one of the
# 8 classes of Y.
np.savez("dataset3.npz", X=X, labels=np.array([0, 5, 2], np.int64))
np.savez("labels_out_of_range.npz", X=X, labels=np.array([0, 9, 2], np.int64))
np.savez("labels_negative.npz", X=X, labels=np.array([1, 2, -1], np.int64))
# Framework predictions: 2 entries (one short of the 3 samples) and 3 entries.
np.savez("short_reference.npz", predictions=np.array([1, 2], np.int64))
np.savez("reference3.npz", predictions=np.array([1, 2, 3], np.int64))

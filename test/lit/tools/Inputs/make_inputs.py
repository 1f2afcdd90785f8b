"""Writes the .npz inputs of cim-run-errors.test (needs numpy; the outputs are committed)."""
import numpy as np

rng = np.random.default_rng(7)
np.savez("good.npz", X=rng.standard_normal((3, 4)).astype(np.float32))
np.savez("wrong_dtype.npz", X=rng.standard_normal((3, 4)))
np.savez("wrong_shape.npz", X=rng.standard_normal((3, 5)).astype(np.float32))
np.savez("wrong_name.npz", Z=rng.standard_normal((3, 4)).astype(np.float32))
np.savez("empty_batch.npz", X=np.zeros((0, 4), np.float32))

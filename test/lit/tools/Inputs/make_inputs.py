"""Writes the .npz inputs of cim-run-errors.test (needs numpy; the outputs are committed)."""
import numpy as np

rng = np.random.default_rng(7)
np.savez("good.npz", X=rng.standard_normal((3, 4)).astype(np.float32))
np.savez("wrong_dtype.npz", X=rng.standard_normal((3, 4)))
np.savez("wrong_shape.npz", X=rng.standard_normal((3, 5)).astype(np.float32))
np.savez("wrong_name.npz", Z=rng.standard_normal((3, 4)).astype(np.float32))
np.savez("empty_batch.npz", X=np.zeros((0, 4), np.float32))

# The first four Fashion-MNIST test images as the bundled models' input (raw pixels).
import gzip

raw = np.frombuffer(gzip.open("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz").read(),
                    np.uint8, offset=16)
np.savez("mnist_batch.npz", image=raw[:4 * 784].reshape(4, 1, 28, 28).astype(np.float32))

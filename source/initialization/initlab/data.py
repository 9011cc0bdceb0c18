"""Data sets, examples as columns: small two-dimensional ones, X (2, m) and Y (1, m), and the digits."""

import functools

import numpy as np


def _check_size(m, noise):
    if not isinstance(m, (int, np.integer)) or m < 2:
        raise ValueError(f"m must be an integer >= 2, got {m!r}")
    if noise < 0:
        raise ValueError(f"noise must be >= 0, got {noise!r}")


def make_moons(m=200, noise=0.15, rng=None):
    """Two interleaving half circles: X of shape (2, m), labels Y of shape (1, m)."""
    _check_size(m, noise)
    rng = np.random.default_rng() if rng is None else rng
    half = m // 2
    t = np.pi * rng.random(m)
    upper = np.arange(m) < half
    x1 = np.where(upper, np.cos(t), 1.0 - np.cos(t))
    x2 = np.where(upper, np.sin(t), 0.5 - np.sin(t))
    X = np.vstack([x1, x2]) + noise * rng.standard_normal((2, m))
    X = (X - X.mean(axis=1, keepdims=True)) / X.std(axis=1, keepdims=True)
    Y = (~upper).astype(np.float64).reshape(1, m)
    return X, Y


def make_circles(m=200, noise=0.1, factor=0.5, rng=None):
    """A small circle inside a large one: X of shape (2, m), labels Y of shape (1, m)."""
    _check_size(m, noise)
    if not 0 < factor < 1:
        raise ValueError(f"factor must be between 0 and 1, got {factor!r}")
    rng = np.random.default_rng() if rng is None else rng
    t = 2 * np.pi * rng.random(m)
    inner = np.arange(m) % 2 == 1
    radius = np.where(inner, factor, 1.0)
    X = np.vstack([radius * np.cos(t), radius * np.sin(t)]) + noise * rng.standard_normal((2, m))
    Y = inner.astype(np.float64).reshape(1, m)
    return X, Y


def make_spiral(m=200, noise=0.2, turns=1.5, rng=None):
    """Two interleaved spiral arms: X of shape (2, m), labels Y of shape (1, m)."""
    _check_size(m, noise)
    rng = np.random.default_rng() if rng is None else rng
    arm = np.arange(m) % 2
    r = rng.random(m)
    t = 2 * np.pi * turns * r + np.pi * arm
    X = 2 * r * np.vstack([np.cos(t), np.sin(t)]) + noise * r * rng.standard_normal((2, m))
    return X, arm.astype(np.float64).reshape(1, m)


def make_xor(m=200, noise=0.15, rng=None):
    """Four blobs at (±1, ±1); the label is 1 where x1 and x2 have opposite signs (XOR)."""
    _check_size(m, noise)
    rng = np.random.default_rng() if rng is None else rng
    corners = rng.integers(0, 2, size=(2, m)) * 2.0 - 1.0
    X = corners + noise * rng.standard_normal((2, m)) * 2
    Y = (corners[0] != corners[1]).astype(np.float64).reshape(1, m)
    return X, Y


def load_digits():
    """scikit-learn's bundled 8×8 handwritten digits (no download): X (64, 1797) standardized per pixel, labels (1797,).

    Pixels that are 0 in every image stay 0. The file that ships inside scikit-learn is read directly
    (importing ``sklearn.datasets`` takes about a second); read once, then new copies are returned.
    """
    X, labels = _digits()
    return X.copy(), labels.copy()


@functools.lru_cache(maxsize=1)
def _digits():
    import importlib.util
    import os

    spec = importlib.util.find_spec("sklearn")
    folders = spec.submodule_search_locations if spec else []
    path = next((os.path.join(folder, "datasets", "data", "digits.csv.gz") for folder in folders
                 if os.path.exists(os.path.join(folder, "datasets", "data", "digits.csv.gz"))), None)
    if path is not None:  # 1797 rows: 64 pixels (0..16), then the label
        table = np.loadtxt(path, delimiter=",")
        pixels, labels = table[:, :-1], table[:, -1]
    else:  # another layout of the package: its own loader
        from sklearn.datasets import load_digits as _load

        digits = _load()
        pixels, labels = digits.data, digits.target
    X = pixels.T.astype(np.float64)
    std = X.std(axis=1, keepdims=True)
    X = (X - X.mean(axis=1, keepdims=True)) / np.where(std > 0, std, 1.0)
    return X, labels.astype(np.int64)

"""Data sets and the small utilities that prepare them.

Everything here is offline: toy data made by code, and scikit-learn's bundled
8x8 handwritten digits. Randomness comes only from a ``Generator`` passed in.
"""

from __future__ import annotations

import numpy as np

from snippets._checks import as_float_array, check_ndim


# --8<-- [start:toy_data]
def toy_data() -> tuple[np.ndarray, np.ndarray]:
    """The classic 3-input toy set: the label is the XOR of the first two inputs.

    Returns x: (4, 3), y: (4, 1). No single straight line separates the classes,
    so a network needs its hidden layer.
    """
    x = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]], dtype=np.float64)
    y = np.array([[0], [1], [1], [0]], dtype=np.float64)
    return x, y
# --8<-- [end:toy_data]


# --8<-- [start:one_hot]
def one_hot(labels: np.ndarray, n_classes: int) -> np.ndarray:
    """Integer labels (n,) -> one-hot rows (n, n_classes)."""
    labels = np.asarray(labels)
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be a 1-D integer array, got shape {labels.shape}, dtype {labels.dtype}")
    if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
        raise ValueError(f"labels must lie in [0, {n_classes}), got range [{labels.min()}, {labels.max()}]")
    encoded = np.zeros((labels.size, n_classes))
    encoded[np.arange(labels.size), labels] = 1.0
    return encoded
# --8<-- [end:one_hot]


# --8<-- [start:split]
def train_test_split(x: np.ndarray, y: np.ndarray, test_fraction: float, rng: np.random.Generator):
    """Shuffle, then hold out ``test_fraction`` of the rows: (x_train, x_test, y_train, y_test)."""
    if len(x) != len(y):
        raise ValueError(f"x and y must have the same length, got {len(x)} and {len(y)}")
    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must lie in (0, 1), got {test_fraction}")
    order = rng.permutation(len(x))
    n_test = int(round(len(x) * test_fraction))
    test, train = order[:n_test], order[n_test:]
    return x[train], x[test], y[train], y[test]
# --8<-- [end:split]


# --8<-- [start:standardize]
def standardize(x_train: np.ndarray, x_test: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Scale each feature to mean 0, std 1 using the training set's statistics only.

    Features that never vary (a border pixel that is always 0) are left at 0.
    """
    x_train = as_float_array(x_train, "x_train")
    x_test = as_float_array(x_test, "x_test")
    check_ndim(x_train, 2, "(n, features)", "x_train")
    mean = x_train.mean(axis=0)
    std = x_train.std(axis=0)
    std[std == 0] = 1.0
    return (x_train - mean) / std, (x_test - mean) / std
# --8<-- [end:standardize]


# --8<-- [start:digits]
def load_digits_split(rng: np.random.Generator, test_fraction: float = 0.2):
    """scikit-learn's 1,797 handwritten digits (8x8 pixels, values 0..16), ready to train on.

    Returns x_train: (n_train, 64), x_test: (n_test, 64) standardized, and
    y_train, y_test one-hot: (n, 10).
    """
    from sklearn.datasets import load_digits  # bundled with scikit-learn: no download

    digits = load_digits()
    x_train, x_test, labels_train, labels_test = train_test_split(
        digits.data, digits.target, test_fraction, rng
    )
    x_train, x_test = standardize(x_train, x_test)
    return x_train, x_test, one_hot(labels_train, 10), one_hot(labels_test, 10)
# --8<-- [end:digits]

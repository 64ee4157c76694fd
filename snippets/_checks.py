"""Input checks shared by every layer: bad input fails loudly, naming what was expected."""

from __future__ import annotations

import numpy as np


def as_float_array(x, name: str = "x") -> np.ndarray:
    """Return ``x`` as a floating-point array; raise on non-numeric or non-finite values."""
    array = np.asarray(x)
    if array.dtype == object or not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
        raise TypeError(f"{name} must be a numeric array, got dtype {array.dtype}")
    if not np.issubdtype(array.dtype, np.floating):
        array = array.astype(np.float64)
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinity")
    return array


def check_ndim(x: np.ndarray, ndim: int, layout: str, name: str = "x") -> None:
    """Raise if ``x`` does not have ``ndim`` axes; ``layout`` names them, e.g. "(batch, features)"."""
    if x.ndim != ndim:
        raise ValueError(f"{name} must have shape {layout}, got shape {x.shape}")


def check_shape(x: np.ndarray, expected: tuple, name: str = "x") -> None:
    """Raise if ``x.shape`` differs from ``expected``; ``None`` in ``expected`` matches any size."""
    ok = x.ndim == len(expected) and all(
        want is None or want == got for want, got in zip(expected, x.shape, strict=True)
    )
    if not ok:
        shown = tuple("any" if want is None else want for want in expected)
        raise ValueError(f"{name} must have shape {shown}, got shape {x.shape}")

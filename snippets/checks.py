"""Input checks shared by the layer library: bad input fails loudly, naming what
was expected.

A post shows a layer's idea; these checks are what keeps its public entry points
safe. Each raises ``ValueError`` or ``TypeError`` with a message that names the
expected and the received value.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "as_float_array",
    "check_images",
    "check_ndim",
    "check_positive_int",
    "check_shape",
    "look_up",
]


def as_float_array(x, name: str = "x") -> np.ndarray:
    """``x`` as a floating-point array; raise on non-numeric or non-finite
    values."""
    array = np.asarray(x)
    numeric = np.issubdtype(array.dtype, np.number) or array.dtype == bool
    if array.dtype == object or not numeric:
        raise TypeError(
            f"{name} must be a numeric array, got dtype {array.dtype}"
        )
    if not np.issubdtype(array.dtype, np.floating):
        array = array.astype(np.float64)
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinity")
    return array


def check_ndim(x: np.ndarray, ndim: int, layout: str, name: str = "x") -> None:
    """Raise unless ``x`` has ``ndim`` axes; ``layout`` names them: "(batch,
    features)"."""
    if x.ndim != ndim:
        raise ValueError(
            f"{name} must have shape {layout}, got shape {x.shape}"
        )


def check_shape(x: np.ndarray, expected: tuple, name: str = "x") -> None:
    """Raise unless ``x.shape`` is ``expected``; ``None`` there matches any
    size."""
    ok = x.ndim == len(expected) and all(
        want is None or want == got
        for want, got in zip(expected, x.shape, strict=True)
    )
    if not ok:
        shown = tuple("any" if want is None else want for want in expected)
        raise ValueError(f"{name} must have shape {shown}, got shape {x.shape}")


def check_images(x: np.ndarray, channels: int, layer: str) -> None:
    """Raise unless x is (batch, channels, height, width) with ``channels``
    channels."""
    if x.ndim != 4 or x.shape[1] != channels:
        expected = f"(batch, {channels}, height, width)"
        raise ValueError(
            f"{layer} input must have shape {expected}, got shape {x.shape}"
        )


def check_positive_int(value, name: str, minimum: int = 1) -> int:
    """``value`` as an int; raise unless it is a whole number >= ``minimum``."""
    whole = isinstance(value, int | np.integer) and not isinstance(value, bool)
    if not whole or value < minimum:
        raise ValueError(
            f"{name} must be an integer >= {minimum}, got {value!r}"
        )
    return int(value)


def look_up(table: dict, name: str, kind: str):
    """``table[name]``; an unknown name raises, listing the known names."""
    try:
        return table[name]
    except KeyError:
        known = ", ".join(sorted(table))
        raise ValueError(
            f"unknown {kind} {name!r}; expected one of: {known}"
        ) from None

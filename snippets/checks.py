"""Input checks shared by the layer library: bad input fails loudly, naming what
was expected.

A post shows a layer's idea; these checks are what keeps its public entry points
safe. Each raises ``ValueError`` or ``TypeError`` with a message that names the
expected and the received value.
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = [
    "NonFiniteError",
    "as_float_array",
    "check_distributions",
    "check_float_dtype",
    "check_generator",
    "check_grad_out",
    "check_images",
    "check_ndim",
    "check_positive_int",
    "check_probabilities",
    "check_shape",
    "look_up",
]


class NonFiniteError(ValueError):
    """An array holds NaN or infinity; ``name``: the argument it came in as."""

    def __init__(self, message: str, name: str):
        super().__init__(message)
        self.name = name


# Kinds of the dtypes that np.issubdtype counts as numbers (timedelta is an
# integer there), and bool.
_NUMERIC_KINDS = frozenset("biufm")


def as_float_array(x, name: str = "x") -> np.ndarray:
    """``x`` as a floating-point array; raise on non-real or non-finite
    values."""
    array = np.asarray(x)
    # The dtype's kind letter, not np.issubdtype: this runs at every layer of
    # every training step, and issubdtype costs microseconds a call.
    kind = array.dtype.kind
    if kind == "c":
        raise TypeError(
            f"{name} must be real, got dtype {array.dtype}; pass {name}.real "
            f"or np.abs({name}) if that is what you mean"
        )
    if kind not in _NUMERIC_KINDS:
        raise TypeError(
            f"{name} must be a numeric array, got dtype {array.dtype}; "
            f"convert it first: np.asarray({name}, dtype=np.float64)"
        )
    if kind != "f":
        array = array.astype(np.float64)
    # One sum is finite only if every term is (NaN and infinity spread through
    # it), and it needs no temporary array; when it is not, perhaps from an
    # overflow, the element-wise test decides.
    if np.isfinite(array.sum()):
        return array
    finite = np.isfinite(array)
    if not finite.all():
        where = tuple(int(i) for i in np.argwhere(~finite)[0])
        raise NonFiniteError(
            f"{name} contains NaN or infinity (first at index {where}): "
            "clean the data, or if it came out of training, lower the "
            "learning rate",
            name,
        )
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
    whole = isinstance(value, numbers.Integral) and not isinstance(value, bool)
    if not whole or value < minimum:
        raise ValueError(
            f"{name} must be an integer >= {minimum}, got {value!r}"
        )
    return int(value)


def check_generator(rng, name: str = "rng") -> np.random.Generator:
    """Raise unless ``rng`` is a ``np.random.Generator``, the one source of
    randomness here."""
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"{name} must be a numpy.random.Generator, got "
            f"{type(rng).__name__}; pass np.random.default_rng(seed)"
        )
    return rng


def check_float_dtype(dtype, name: str = "dtype") -> np.dtype:
    """``dtype`` as a NumPy dtype, if it is float32 or float64: the dtypes
    parameters are kept in."""
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise TypeError(
            f"{name} must be np.float32 or np.float64, got {dtype}; pass "
            "dtype=np.float64 (integer weights would round to 0 and never "
            "learn)"
        )
    return dtype


def check_grad_out(grad_out, shape: tuple) -> np.ndarray:
    """``grad_out`` (d loss / d output) as a finite float array of ``shape``:
    NaN there would spread back through every layer without a word."""
    try:
        grad_out = as_float_array(grad_out, "grad_out")
    except NonFiniteError:
        raise NonFiniteError(
            "grad_out contains NaN or infinity: the loss or a later layer "
            "produced it; in training that means the steps were too big: try "
            "a smaller learning rate",
            "grad_out",
        ) from None
    check_shape(grad_out, shape, "grad_out")
    return grad_out


def check_probabilities(prob: np.ndarray, target: np.ndarray) -> None:
    """Raise unless prob and target lie in [0, 1]: a raw score is not a
    probability."""
    outside = (prob < 0) | (prob > 1)
    if outside.any():
        raise ValueError(
            "binary cross-entropy needs probabilities in [0, 1], got a value "
            f"of {prob[outside][0]}: did you forget the Sigmoid on the last "
            "layer? (raw scores need softmax_cross_entropy)"
        )
    outside = (target < 0) | (target > 1)
    if outside.any():
        raise ValueError(
            f"targets must lie in [0, 1], got a value of {target[outside][0]}: "
            "binary cross-entropy takes 0/1 labels; for classes 0..K-1 use "
            "one_hot(labels, K) and softmax_cross_entropy"
        )


def check_distributions(target: np.ndarray) -> None:
    """Raise unless every target row is one-hot or probabilities: entries >= 0
    that sum to 1."""
    advice = (
        "each target row must be one-hot or probabilities "
        "(entries >= 0 that sum to 1)"
    )
    fix = "encode class labels with one_hot(labels, n_classes)"
    # One reduction first: the index of the culprit is only needed on failure.
    if target.size and target.min() < 0:
        row, column = np.argwhere(target < 0)[0]
        value = target[row, column]
        raise ValueError(f"{advice}; row {row} holds {value}; {fix}")
    sums = target.sum(axis=1)
    off = np.abs(sums - 1)
    if off.size and off.max() > 1e-4:
        row = np.flatnonzero(off > 1e-4)[0]
        raise ValueError(f"{advice}; row {row} sums to {sums[row]:g}; {fix}")


def look_up(table: dict, name: str, kind: str):
    """``table[name]``; an unknown name raises, listing the known names."""
    try:
        return table[name]
    except KeyError:
        known = ", ".join(sorted(table))
        raise ValueError(
            f"unknown {kind} {name!r}; expected one of: {known}"
        ) from None

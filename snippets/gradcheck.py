"""Numerical gradient checking: compare backprop with finite differences."""

from __future__ import annotations

import numpy as np

__all__ = [
    "check_layer",
    "numerical_gradient",
    "relative_error",
]


# --8<-- [start:numerical_gradient]
def numerical_gradient(f, x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """d f / d x by central differences, one entry at a time. f: array -> float.

    ``x`` is nudged in place and restored, so ``f`` may read it through any
    reference (a layer's ``W``, say). Exact to O(eps^2); needs float64, or
    rounding swamps the difference.
    """
    if x.dtype != np.float64:
        raise TypeError(f"x must be a float64 array, got dtype {x.dtype}")
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        original = x[index]
        x[index] = original + eps
        f_plus = f(x)
        x[index] = original - eps
        f_minus = f(x)
        x[index] = original
        grad[index] = (f_plus - f_minus) / (2 * eps)
    return grad


# --8<-- [end:numerical_gradient]


# --8<-- [start:relative_error]
def relative_error(analytic: np.ndarray, numeric: np.ndarray) -> float:
    """||a - n|| / (||a|| + ||n||): scale-free, so one threshold fits every
    layer."""
    if np.shape(analytic) != np.shape(numeric):
        raise ValueError(
            f"gradients must have the same shape, got {np.shape(analytic)} "
            f"and {np.shape(numeric)}"
        )
    denominator = max(
        np.linalg.norm(analytic) + np.linalg.norm(numeric), 1e-300
    )
    return float(np.linalg.norm(analytic - numeric) / denominator)


# --8<-- [end:relative_error]


# --8<-- [start:check_layer]
def check_layer(
    layer, x: np.ndarray, rng: np.random.Generator, eps: float = 1e-6
) -> dict[str, float]:
    """Relative error of every gradient a layer computes, input included.

    The scalar being differentiated is sum(layer(x) * projection) for a fixed
    random projection, so every output element contributes with its own weight.
    """
    x = np.array(x, dtype=np.float64)
    projection = rng.standard_normal(layer.forward(x).shape)

    def scalar(_=None) -> float:
        return float(np.sum(layer.forward(x) * projection))

    layer.forward(x)
    errors = {
        "x": relative_error(
            layer.backward(projection), numerical_gradient(scalar, x, eps)
        )
    }
    for name, value, grad in list(layer.parameters()):
        analytic = np.array(grad, copy=True)
        errors[name] = relative_error(
            analytic, numerical_gradient(scalar, value, eps)
        )
    return errors


# --8<-- [end:check_layer]

"""A first model: fit a straight line y = m x + c to noisy data by gradient
descent.

The code of the post "An introduction to deep learning". Data points are 1-D
arrays of shape (n,); the parameters m and c are plain numbers.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "as_number",
    "as_pair",
    "as_vector",
    "gradient_descent",
    "gradients",
    "layer",
    "make_line_data",
    "mse",
    "neuron",
    "predict_line",
]


# --8<-- [start:checks]
def as_vector(values, name: str) -> np.ndarray:
    """values as a float64 array of shape (n,), n >= 1, no NaN or infinity."""
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 1 or array.size == 0:
        raise ValueError(
            f"{name} must have shape (n,) with n >= 1, got shape {array.shape}"
        )
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinity")
    return array


def as_pair(
    x, y, names: tuple[str, str] = ("x", "y")
) -> tuple[np.ndarray, np.ndarray]:
    """Two vectors of the same shape (n,)."""
    x, y = as_vector(x, names[0]), as_vector(y, names[1])
    if x.shape != y.shape:
        raise ValueError(
            f"{names[1]} must have the shape of {names[0]}, {x.shape}, got "
            f"shape {y.shape}"
        )
    return x, y


def as_number(value, name: str) -> float:
    """value as a finite float."""
    number = float(value)
    if not np.isfinite(number):
        raise ValueError(f"{name} must be a finite number, got {number}")
    return number


# --8<-- [end:checks]


# --8<-- [start:line_data]
def make_line_data(
    n: int,
    slope: float,
    intercept: float,
    noise: float,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """n points near the line y = slope * x + intercept, with x between -1 and
    1.

    Returns x: (n,) and y: (n,); y has Gaussian noise of standard deviation
    `noise`.
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"rng must be a numpy.random.Generator, got {type(rng).__name__}"
        )
    if n < 2 or noise < 0:
        raise ValueError(
            f"need n >= 2 points and noise >= 0, got n={n}, noise={noise}"
        )
    x = rng.uniform(-1.0, 1.0, size=n)
    y = slope * x + intercept + noise * rng.standard_normal(n)
    return x, y


# --8<-- [end:line_data]


# --8<-- [start:model]
def predict_line(x: np.ndarray, m: float, c: float) -> np.ndarray:
    """The model: a straight line. x: (n,) -> (n,)."""
    return m * x + c


def mse(y_pred: np.ndarray, y: np.ndarray) -> float:
    """The loss: mean squared error of the predictions. y_pred, y: (n,)."""
    return float(np.mean((y_pred - y) ** 2))


# --8<-- [end:model]


# --8<-- [start:gradients]
def gradients(
    x: np.ndarray, y: np.ndarray, m: float, c: float
) -> tuple[float, float]:
    """The slope of the loss in each direction: (dL/dm, dL/dc). x, y: (n,)."""
    error = predict_line(x, m, c) - y  # (n,): how far each prediction is off
    dm = 2.0 * np.mean(error * x)
    dc = 2.0 * np.mean(error)
    return float(dm), float(dc)


# --8<-- [end:gradients]


# --8<-- [start:gradient_descent]
def gradient_descent(
    x: np.ndarray,
    y: np.ndarray,
    learning_rate: float,
    steps: int,
    m: float = 0.0,
    c: float = 0.0,
) -> tuple[float, float, dict[str, np.ndarray]]:
    """Fit y ≈ m x + c by `steps` small steps downhill on the loss. x, y: (n,).

    Returns the final m and c, and the history: arrays "m", "c" and "loss" of
    shape (steps + 1,), where entry i holds the values after i steps.
    """
    x, y = as_pair(x, y)  # the checks: shapes (n,), no NaN (see the note above)
    m, c = as_number(m, "m"), as_number(c, "c")
    if not learning_rate > 0:
        raise ValueError(f"learning_rate must be positive, got {learning_rate}")
    if steps < 1:
        raise ValueError(f"steps must be at least 1, got {steps}")
    history = {"m": [m], "c": [c], "loss": [mse(predict_line(x, m, c), y)]}
    for step in range(1, steps + 1):
        dm, dc = gradients(x, y, m, c)
        m = m - learning_rate * dm  # a step against the gradient: downhill
        c = c - learning_rate * dc
        loss = mse(predict_line(x, m, c), y)
        if not np.isfinite(loss):
            raise ValueError(
                f"training diverged at step {step}: loss = {loss}; try a "
                f"smaller learning rate (now {learning_rate})"
            )
        history["m"].append(m)
        history["c"].append(c)
        history["loss"].append(loss)
    return m, c, {name: np.array(values) for name, values in history.items()}


# --8<-- [end:gradient_descent]


# --8<-- [start:neuron]
def neuron(x: np.ndarray, w: np.ndarray, b: float) -> np.ndarray:
    """One artificial neuron: a weighted sum of the inputs plus a bias, then
    ReLU.

    x: (batch, inputs), w: (inputs,), b: a number -> (batch,), one output per
    example.
    """
    x, w = np.asarray(x, dtype=np.float64), np.asarray(w, dtype=np.float64)
    if x.ndim != 2 or w.shape != (x.shape[-1],):
        raise ValueError(
            f"need x: (batch, inputs) and w: (inputs,), got {x.shape} and "
            f"{w.shape}"
        )
    z = x @ w + b  # the weighted sum: (batch,)
    return np.maximum(z, 0.0)  # the activation, ReLU: negative sums become 0


# --8<-- [end:neuron]


# --8<-- [start:layer]
def layer(x: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    """A layer: `units` neurons side by side, each with its own weights and
    bias.

    x: (batch, inputs), W: (inputs, units), b: (units,) -> (batch, units).
    """
    x, W, b = (np.asarray(a, dtype=np.float64) for a in (x, W, b))
    fits = x.ndim == 2 and b.ndim == 1 and W.shape == (x.shape[1], b.size)
    if not fits:
        raise ValueError(
            "need x: (batch, inputs), W: (inputs, units), b: (units,), got "
            f"{x.shape}, {W.shape}, {b.shape}"
        )
    # column j of W holds the weights of neuron j
    return np.maximum(x @ W + b, 0.0)


# --8<-- [end:layer]

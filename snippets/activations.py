"""Activation functions and their derivatives, each pair side by side.

Every function takes an array of any shape and works element-wise, except
``softmax``, which normalises over the last axis.
"""

from __future__ import annotations

import numpy as np

from snippets.checks import look_up

__all__ = [
    "ACTIVATIONS",
    "get_activation",
    "relu",
    "relu_derivative",
    "sigmoid",
    "sigmoid_derivative",
    "softmax",
    "tanh",
    "tanh_derivative",
]


# --8<-- [start:sigmoid]
def sigmoid(z: np.ndarray) -> np.ndarray:
    """Squash any real number into (0, 1): 1 / (1 + e^-z)."""
    # exp of -|z| only: it never overflows, and both tails keep full precision.
    exp_neg_abs = np.exp(-np.abs(z))
    return np.where(
        z >= 0, 1.0 / (1.0 + exp_neg_abs), exp_neg_abs / (1.0 + exp_neg_abs)
    )


def sigmoid_derivative(z: np.ndarray) -> np.ndarray:
    """d sigmoid / dz = sigmoid(z) * (1 - sigmoid(z))."""
    s = sigmoid(z)
    return s * (1.0 - s)


# --8<-- [end:sigmoid]


# --8<-- [start:tanh]
def tanh(z: np.ndarray) -> np.ndarray:
    """Squash into (-1, 1); zero-centred, unlike the sigmoid."""
    return np.tanh(z)


def tanh_derivative(z: np.ndarray) -> np.ndarray:
    """d tanh / dz = 1 - tanh(z)^2."""
    return 1.0 - np.tanh(z) ** 2


# --8<-- [end:tanh]


# --8<-- [start:relu]
def relu(z: np.ndarray) -> np.ndarray:
    """max(0, z): cheap, and its gradient does not vanish for z > 0."""
    return np.maximum(z, 0.0)


def relu_derivative(z: np.ndarray) -> np.ndarray:
    """1 where z > 0, else 0 (we take 0 at z = 0, as PyTorch does)."""
    z = np.asarray(z)
    # float32 stays float32, integers give float64
    return (z > 0).astype(np.result_type(z, np.float32))


# --8<-- [end:relu]


# --8<-- [start:softmax]
def softmax(z: np.ndarray) -> np.ndarray:
    """Turn scores into probabilities over the last axis: e^z_i / sum_j e^z_j.

    z: (batch, classes) -> (batch, classes), each row sums to 1.
    """
    # Subtracting the row maximum changes nothing mathematically and keeps exp()
    # finite.
    shifted = z - z.max(axis=-1, keepdims=True)
    exp_z = np.exp(shifted)
    return exp_z / exp_z.sum(axis=-1, keepdims=True)


# --8<-- [end:softmax]


ACTIVATIONS = {
    "sigmoid": (sigmoid, sigmoid_derivative),
    "tanh": (tanh, tanh_derivative),
    "relu": (relu, relu_derivative),
}


def get_activation(name: str):
    """Return ``(function, derivative)`` for a name in ``ACTIVATIONS``."""
    return look_up(ACTIVATIONS, name, "activation")

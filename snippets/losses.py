"""Loss functions, each with its gradient right beside it.

Every loss is summed over the outputs of a row and averaged over the batch, so
its gradient carries a 1 / batch factor. Predictions and targets: (batch,
outputs).
"""

from __future__ import annotations

import numpy as np

from snippets.activations import softmax
from snippets.checks import (
    as_float_array,
    check_distributions,
    check_ndim,
    check_probabilities,
    look_up,
)

__all__ = [
    "LOSSES",
    "binary_cross_entropy",
    "binary_cross_entropy_grad",
    "get_loss",
    "mean_squared_error",
    "mean_squared_error_grad",
    "softmax_cross_entropy",
    "softmax_cross_entropy_grad",
]


def _check_pair(pred, target) -> tuple[np.ndarray, np.ndarray]:
    """Both as float arrays of the same (batch, outputs) shape; NaN or a shape
    mismatch raises."""
    pred, target = (
        as_float_array(pred, "predictions"),
        as_float_array(target, "targets"),
    )
    check_ndim(pred, 2, "(batch, outputs)", "predictions")
    if pred.shape != target.shape:
        raise ValueError(
            f"targets must have the predictions' shape {pred.shape}, got "
            f"shape {target.shape}"
        )
    if len(pred) == 0:
        raise ValueError(
            "predictions have no rows: a loss needs at least one example, "
            f"got shape {pred.shape}"
        )
    # float32 predictions keep float32 gradients
    return pred, target.astype(pred.dtype, copy=False)


# --8<-- [start:mse]
def mean_squared_error(pred: np.ndarray, target: np.ndarray) -> float:
    """Mean over the batch of the summed squared error. pred, target: (batch,
    outputs)."""
    pred, target = _check_pair(pred, target)
    return float(np.sum((pred - target) ** 2) / pred.shape[0])


def mean_squared_error_grad(pred: np.ndarray, target: np.ndarray) -> np.ndarray:
    """d loss / d pred: (batch, outputs)."""
    pred, target = _check_pair(pred, target)
    return 2.0 * (pred - target) / pred.shape[0]


# --8<-- [end:mse]


# --8<-- [start:binary_cross_entropy]
def binary_cross_entropy(
    prob: np.ndarray, target: np.ndarray, eps: float = 1e-12
) -> float:
    """-sum[y log p + (1 - y) log(1 - p)] / batch. prob, target: (batch, 1),
    prob in (0, 1)."""
    prob, target = _check_pair(prob, target)
    check_probabilities(prob, target)
    prob = np.clip(prob, eps, 1.0 - eps)  # log(0) would be -inf
    return float(
        -np.sum(target * np.log(prob) + (1.0 - target) * np.log(1.0 - prob))
        / prob.shape[0]
    )


def binary_cross_entropy_grad(
    prob: np.ndarray, target: np.ndarray, eps: float = 1e-12
) -> np.ndarray:
    """d loss / d prob: (batch, 1)."""
    prob, target = _check_pair(prob, target)
    check_probabilities(prob, target)
    prob = np.clip(prob, eps, 1.0 - eps)
    return (prob - target) / (prob * (1.0 - prob)) / prob.shape[0]


# --8<-- [end:binary_cross_entropy]


# --8<-- [start:softmax_cross_entropy]
def softmax_cross_entropy(logits: np.ndarray, target: np.ndarray) -> float:
    """Cross-entropy of softmax(logits) against one-hot targets, averaged over
    the batch.

    logits, target: (batch, classes).
    """
    logits, target = _check_pair(logits, target)
    check_distributions(target)
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(-np.sum(target * log_probs) / logits.shape[0])


def softmax_cross_entropy_grad(
    logits: np.ndarray, target: np.ndarray
) -> np.ndarray:
    """d loss / d logits = (softmax(logits) - target) / batch.

    Returns (batch, classes).
    """
    logits, target = _check_pair(logits, target)
    check_distributions(target)
    return (softmax(logits) - target) / logits.shape[0]


# --8<-- [end:softmax_cross_entropy]


LOSSES = {
    "mse": (mean_squared_error, mean_squared_error_grad),
    "binary_cross_entropy": (binary_cross_entropy, binary_cross_entropy_grad),
    "softmax_cross_entropy": (
        softmax_cross_entropy,
        softmax_cross_entropy_grad,
    ),
}


def get_loss(name: str):
    """Return ``(loss, gradient)`` for a name in ``LOSSES``."""
    return look_up(LOSSES, name, "loss")

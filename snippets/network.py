"""A small Sequential model: layers in a list, a loss, and fit / predict /
evaluate."""

from __future__ import annotations

import numpy as np

from snippets.checks import as_float_array, check_ndim
from snippets.losses import get_loss
from snippets.optim import Optimizer

__all__ = [
    "Sequential",
    "minibatches",
]


# --8<-- [start:minibatches]
def minibatches(n_samples: int, batch_size: int, rng: np.random.Generator):
    """Yield index arrays that cover 0..n_samples-1 once, in a random order."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    order = rng.permutation(n_samples)
    for start in range(0, n_samples, batch_size):
        yield order[start : start + batch_size]


# --8<-- [end:minibatches]


class Sequential:
    """Layers applied in order. x: (batch, features) -> scores: (batch,
    outputs)."""

    def __init__(self, layers, loss: str = "softmax_cross_entropy"):
        self.layers = list(layers)
        self.loss_name = loss
        self.loss_fn, self.loss_grad = get_loss(loss)

    # --8<-- [start:forward_backward]
    def forward(self, x: np.ndarray) -> np.ndarray:
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        # the chain rule, from the loss back to the input
        for layer in reversed(self.layers):
            grad_out = layer.backward(grad_out)
        return grad_out

    # --8<-- [end:forward_backward]

    def loss(self, x: np.ndarray, y: np.ndarray) -> float:
        """Loss of the current parameters on (x, y), y one-hot or (batch,
        outputs)."""
        return self.loss_fn(self.forward(x), y)

    # --8<-- [start:train_step]
    def train_step(
        self, x: np.ndarray, y: np.ndarray, optimizer: Optimizer
    ) -> float:
        """One gradient step on one batch; returns the batch loss before the
        step."""
        scores = self.forward(x)
        loss = self.loss_fn(scores, y)
        self.backward(self.loss_grad(scores, y))
        optimizer.step(self.layers)
        return loss

    # --8<-- [end:train_step]

    # --8<-- [start:fit]
    def fit(
        self,
        x,
        y,
        optimizer: Optimizer,
        epochs: int,
        batch_size: int,
        rng: np.random.Generator,
        validation=None,
    ) -> dict[str, list[float]]:
        """Train for ``epochs`` passes over (x, y); return the per-epoch
        history.

        x: (n, features), y: (n, outputs). ``validation`` is an optional (x, y)
        pair evaluated after each epoch.
        """
        x, y = as_float_array(x), as_float_array(y, "y")
        if len(x) != len(y):
            raise ValueError(
                f"x and y must have the same length, got {len(x)} and {len(y)}"
            )
        history = {
            "loss": [],
            "accuracy": [],
            "val_loss": [],
            "val_accuracy": [],
        }
        for _ in range(epochs):
            for batch in minibatches(len(x), batch_size, rng):
                self.train_step(x[batch], y[batch], optimizer)
            loss, accuracy = self.evaluate(x, y)
            history["loss"].append(loss)
            history["accuracy"].append(accuracy)
            if validation is not None:
                val_loss, val_accuracy = self.evaluate(*validation)
                history["val_loss"].append(val_loss)
                history["val_accuracy"].append(val_accuracy)
        return history

    # --8<-- [end:fit]

    # --8<-- [start:predict]
    def predict(self, x: np.ndarray) -> np.ndarray:
        """Predicted class per row: (batch,)."""
        return self._classes(self.forward(x))

    def evaluate(self, x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
        """(mean loss, accuracy) on (x, y); y one-hot (n, classes) or (n, 1) for
        0/1 labels."""
        y = as_float_array(y, "y")
        check_ndim(y, 2, "(n, outputs)", "y")
        scores = self.forward(x)
        labels = y.argmax(axis=1) if y.shape[1] > 1 else y[:, 0].astype(int)
        accuracy = float(np.mean(self._classes(scores) == labels))
        return self.loss_fn(scores, y), accuracy

    def _classes(self, scores: np.ndarray) -> np.ndarray:
        if scores.shape[1] > 1:
            return scores.argmax(axis=1)
        # One output unit is a 0/1 decision: a probability (sigmoid output) or a
        # raw score.
        threshold = 0.0 if self.loss_name == "softmax_cross_entropy" else 0.5
        return (scores[:, 0] > threshold).astype(int)

    # --8<-- [end:predict]

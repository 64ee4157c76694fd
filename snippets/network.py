"""A small Sequential model: layers in a list, a loss, and fit / predict /
evaluate.

Training that diverges stops and says so: ``fit`` checks every step, and the
training loops of the posts call ``checked_train_step`` or ``stop_if_diverged``.
"""

from __future__ import annotations

import contextlib

import numpy as np

from snippets.checks import (
    NonFiniteError,
    as_float_array,
    check_generator,
    check_ndim,
    check_positive_int,
)
from snippets.losses import get_loss
from snippets.optim import Optimizer

__all__ = [
    "Sequential",
    "TrainingDiverged",
    "diverged_message",
    "minibatches",
    "named_parameters",
    "overflow_means_divergence",
    "stop_if_diverged",
]


# --8<-- [start:minibatches]
def minibatches(n_samples: int, batch_size: int, rng: np.random.Generator):
    """Yield index arrays that cover 0..n_samples-1 once, in a random order."""
    batch_size = check_positive_int(batch_size, "batch_size")
    order = check_generator(rng).permutation(n_samples)
    for start in range(0, n_samples, batch_size):
        yield order[start : start + batch_size]


# --8<-- [end:minibatches]


# --8<-- [start:diverged]
class TrainingDiverged(ArithmeticError):
    """The loss, or a parameter after a step, became NaN or infinite: the
    steps were too big."""


def diverged_message(
    epoch: int, batch: int, found: str, learning_rate: float
) -> str:
    """Where training diverged, what was found, and the fix."""
    return (
        f"training diverged at epoch {epoch}, batch {batch}: {found}; "
        f"try a smaller learning rate (now {learning_rate})"
    )


def stop_if_diverged(
    loss: float, epoch: int, batch: int, learning_rate: float, parameters=()
) -> None:
    """Raise ``TrainingDiverged`` unless ``loss`` and each (name, array) of
    ``parameters`` is finite.

    ``epoch`` and ``batch`` count from 1. Called after every step, so that
    training stops at once, not epochs later with an error that blames the
    input.
    """
    blown = [name for name, value in parameters if not np.isfinite(value).all()]
    if np.isfinite(loss) and not blown:
        return
    found = f"loss = {loss:.3g}"
    if blown:
        found += f", and the step left NaN or infinity in {', '.join(blown)}"
    raise TrainingDiverged(diverged_message(epoch, batch, found, learning_rate))


@contextlib.contextmanager
def overflow_means_divergence(x, y, epoch: int, batch: int, learning_rate):
    """Inside this block, NaN or infinity that the model computed from finite
    (x, y) raises ``TrainingDiverged``; NaN in the data keeps its own error."""
    try:
        yield
    except NonFiniteError as error:
        if not (_all_finite(x) and _all_finite(y)):
            raise  # the data's fault, and the error says so
        found = f"loss = inf or nan, as {error.name} overflowed in the model"
        message = diverged_message(epoch, batch, found, learning_rate)
        raise TrainingDiverged(message) from error


def _all_finite(values) -> bool:
    try:
        return bool(np.isfinite(np.asarray(values, dtype=np.float64)).all())
    except (TypeError, ValueError):
        return False


def named_parameters(layers):
    """Yield (name, array) for every parameter of ``layers``: "Dense.W of
    layer 0", ..."""
    for index, layer in enumerate(layers):
        for name, value, _ in layer.parameters():
            yield f"{type(layer).__name__}.{name} of layer {index}", value


# --8<-- [end:diverged]


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
        self.set_training(True)  # Dropout drops values only while training
        scores = self.forward(x)
        loss = self.loss_fn(scores, y)
        self.backward(self.loss_grad(scores, y))
        optimizer.step(self.layers)
        return loss

    # --8<-- [end:train_step]

    def checked_train_step(
        self, x, y, optimizer: Optimizer, epoch: int, batch: int
    ) -> float:
        """``train_step``, stopped with ``TrainingDiverged`` at the first
        non-finite number.

        ``epoch`` and ``batch`` (counted from 1) go into the message. A finite
        batch that gives NaN or infinity in the forward pass, the loss, the
        gradients or the parameters after the step means the steps are too big.
        """
        with overflow_means_divergence(x, y, epoch, batch, optimizer.lr):
            loss = self.train_step(x, y, optimizer)
        parameters = named_parameters(self.layers)
        stop_if_diverged(loss, epoch, batch, optimizer.lr, parameters)
        return loss

    def checked_evaluate(
        self, x, y, optimizer: Optimizer, epoch: int, batch: int
    ) -> tuple[float, float]:
        """``evaluate`` during training: overflow on finite data raises
        ``TrainingDiverged``."""
        with overflow_means_divergence(x, y, epoch, batch, optimizer.lr):
            return self.evaluate(x, y)

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
        callbacks=(),
        augment=None,
    ) -> dict[str, list[float]]:
        """Train for ``epochs`` passes over (x, y); return the per-epoch
        history.

        x: (n, features), y: (n, outputs). ``validation`` is an optional (x, y)
        pair evaluated after each epoch. Stops with ``TrainingDiverged`` at the
        first loss or parameter that is not finite. After each epoch, each
        callback's ``after_epoch(model, history)`` runs, and training stops if
        one returns True; ``at_end(model)`` runs once at the end (see
        ``snippets.callbacks.EarlyStopping``). ``augment(x_batch, rng)``, if
        given, returns a changed copy of each training batch.
        """
        x, y = as_float_array(x), as_float_array(y, "y")
        epochs = check_positive_int(epochs, "epochs")
        batch_size = check_positive_int(batch_size, "batch_size")
        check_generator(rng)
        if x.ndim < 2:
            raise ValueError(
                f"x must have shape (n, features, ...), got shape {x.shape}"
            )
        if len(x) == 0:
            raise ValueError(
                "x has no rows: fit needs at least one example, got shape "
                f"{x.shape}"
            )
        check_ndim(y, 2, "(n, outputs)", "y")
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
        for epoch in range(1, epochs + 1):
            batches = minibatches(len(x), batch_size, rng)
            for number, batch in enumerate(batches, start=1):
                xb, yb = x[batch], y[batch]
                if augment is not None:
                    xb = augment(xb, rng)
                self.checked_train_step(xb, yb, optimizer, epoch, number)
            where = (optimizer, epoch, number)
            loss, accuracy = self.checked_evaluate(x, y, *where)
            history["loss"].append(loss)
            history["accuracy"].append(accuracy)
            if validation is not None:
                val_loss, val_accuracy = self.checked_evaluate(
                    *validation, *where
                )
                history["val_loss"].append(val_loss)
                history["val_accuracy"].append(val_accuracy)
            stops = [
                callback.after_epoch(self, history) for callback in callbacks
            ]
            if any(stops):  # every callback saw the epoch before we stop
                break
        for callback in callbacks:
            callback.at_end(self)
        return history

    # --8<-- [end:fit]

    # --8<-- [start:set_training]
    def set_training(self, training: bool) -> None:
        """Switch every layer that has a ``training`` mode (Dropout) on or off.

        ``train_step`` switches it on; ``predict`` and ``evaluate`` off.
        """
        for layer in self.layers:
            if hasattr(layer, "training"):
                layer.training = training

    # --8<-- [end:set_training]

    # --8<-- [start:predict]
    def predict(self, x: np.ndarray) -> np.ndarray:
        """Predicted class per row: (batch,)."""
        self.set_training(False)
        return self._classes(self.forward(x))

    def evaluate(self, x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
        """(mean loss, accuracy) on (x, y); y one-hot (n, classes) or (n, 1) for
        0/1 labels."""
        y = as_float_array(y, "y")
        check_ndim(y, 2, "(n, outputs)", "y")
        labels = self._labels(y)
        self.set_training(False)
        scores = self.forward(x)
        loss = self.loss_fn(scores, y)  # also checks that y suits the loss
        return loss, float(np.mean(self._classes(scores) == labels))

    def _labels(self, y: np.ndarray) -> np.ndarray:
        """Class per row of y: the one-hot column, or a 0/1 label for one
        output."""
        if y.shape[1] > 1:
            return y.argmax(axis=1)
        is_binary = (y == 0) | (y == 1)
        if self.loss_name != "mse" and not is_binary.all():  # mse: any number
            raise ValueError(
                f"y of shape (n, 1) must hold 0/1 labels, got "
                f"{y[~is_binary][0]}; for classes 0..K-1 give the model K "
                "outputs and pass one_hot(labels, n_classes)"
            )
        return y[:, 0].astype(int)

    def _classes(self, scores: np.ndarray) -> np.ndarray:
        if scores.shape[1] > 1:
            return scores.argmax(axis=1)
        # One output unit is a 0/1 decision: a probability (sigmoid output) or a
        # raw score.
        threshold = 0.0 if self.loss_name == "softmax_cross_entropy" else 0.5
        return (scores[:, 0] > threshold).astype(int)

    # --8<-- [end:predict]

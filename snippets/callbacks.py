"""Callbacks that ``Sequential.fit`` calls after each epoch, and early stopping.

A callback has two methods: ``after_epoch(model, history)``, called after each
epoch with the history so far, returns True to stop training; ``at_end(model)``
is called once when training ends, stopped early or not.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = [
    "EarlyStopping",
    "copy_parameters",
    "restore_parameters",
]


# --8<-- [start:copy_parameters]
def copy_parameters(layers) -> list[np.ndarray]:
    """A copy of every parameter of ``layers``, in the order they yield them."""
    copies = []
    for layer in layers:
        copies += [value.copy() for _, value, _ in layer.parameters()]
    return copies


def restore_parameters(layers, saved: list[np.ndarray]) -> None:
    """Write copies made by ``copy_parameters`` back, in place.

    In place, so an optimiser that keeps state per parameter still finds it.
    """
    values = []
    for layer in layers:
        values += [value for _, value, _ in layer.parameters()]
    if len(values) != len(saved):
        raise ValueError(
            f"expected {len(values)} saved parameters, got {len(saved)}; "
            "restore into the layers that were copied"
        )
    for value, copy in zip(values, saved, strict=True):
        value[...] = copy


# --8<-- [end:copy_parameters]


# --8<-- [start:early_stopping]
class EarlyStopping:
    """Stop when the validation loss has not improved for ``patience`` epochs.

    Keeps a copy of the parameters of the epoch with the lowest validation
    loss and puts it back when training ends, stopped early or not. After
    ``fit``, ``best_epoch`` holds that epoch, counted from 1.
    """

    def __init__(self, patience: int = 10, monitor: str = "val_loss"):
        if patience < 1:
            got = f"got {patience}"
            raise ValueError(f"patience must be at least 1 epoch, {got}")
        self.patience = patience
        self.monitor = monitor
        self.best = math.inf
        self.best_epoch = None
        self.best_parameters = None

    def after_epoch(self, model, history: dict[str, list[float]]) -> bool:
        values = history.get(self.monitor)
        if not values:
            raise ValueError(
                f"EarlyStopping watches history[{self.monitor!r}], which is "
                "empty; pass validation=(x_val, y_val) to fit"
            )
        epoch = len(values)  # counted from 1
        if values[-1] < self.best:
            self.best, self.best_epoch = values[-1], epoch
            self.best_parameters = copy_parameters(model.layers)
        return epoch - self.best_epoch >= self.patience

    def at_end(self, model) -> None:
        if self.best_parameters is not None:
            restore_parameters(model.layers, self.best_parameters)
        self.best = math.inf  # a later fit starts afresh
        self.best_parameters = None


# --8<-- [end:early_stopping]

"""Exercises of "Overfitting and regularisation": reference solutions.

Both answers are classes: each trial builds one and uses it as the post does
(``run`` says how).
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np

from snippets.exercises import Exercise, register
from snippets.layers import Dense, Dropout, ReLU
from snippets.network import Sequential

__all__ = ["FrozenMaskDropout", "SquaredWeights"]


# --8<-- [start:frozen_mask_dropout]
class FrozenMaskDropout(Dropout):
    """Dropout with the same mask on every forward pass, for checks."""

    def __init__(self, p: float, seed: int):
        super().__init__(p, np.random.default_rng(seed))
        self.seed = seed

    def forward(self, x):
        self.rng = np.random.default_rng(self.seed)  # the same draws
        return super().forward(x)


# --8<-- [end:frozen_mask_dropout]


def _dropout_inputs(rng: np.random.Generator):
    """p, seed, x: (batch, features) and grad_out: x's shape."""
    shape = tuple(int(size) for size in rng.integers(1, 7, size=2))
    p = float(rng.uniform(0.1, 0.9))
    seed = int(rng.integers(0, 2**31))
    return p, seed, rng.standard_normal(shape), rng.standard_normal(shape)


def _run_dropout(definition, p, seed, x, grad_out):
    """Two forward passes on the same input, then backward."""
    layer = definition(p, seed)
    first = layer.forward(x)
    second = layer.forward(x)
    return first, second, layer.backward(grad_out)


register(
    Exercise(
        key="regularisation-3",
        title="dropout with a frozen mask",
        function="FrozenMaskDropout",
        reference=FrozenMaskDropout,
        make_inputs=_dropout_inputs,
        section="snippets/exercises/regularisation.py:frozen_mask_dropout",
        planted_mistake=(
            "self.rng = np.random.default_rng(self.seed)",
            "self.rng = self.rng",
        ),
        run=_run_dropout,
        results=(
            "the first forward pass",
            "a second forward pass on the same input",
            "backward after the second pass",
        ),
    )
)


# --8<-- [start:squared_weights]
class SquaredWeights:
    """A fit callback: the sum of squared weights after each epoch."""

    def __init__(self):
        self.values = []

    def after_epoch(self, model, history) -> bool:
        weights = [layer.W for layer in model.layers if hasattr(layer, "W")]
        self.values.append(float(sum(np.sum(W**2) for W in weights)))
        return False  # never stops training

    def at_end(self, model) -> None:
        pass


# --8<-- [end:squared_weights]


def _epochs_of_weights(rng: np.random.Generator):
    """Layer sizes, and the weights of each Dense layer after each epoch."""
    sizes = [
        int(size) for size in rng.integers(1, 6, size=int(rng.integers(2, 5)))
    ]
    epochs = int(rng.integers(1, 6))
    weights = [
        [rng.standard_normal((n_in, n_out)) for n_in, n_out in pairwise(sizes)]
        for _ in range(epochs)
    ]
    return sizes, weights


def _run_callback(definition, sizes, weights):
    """Call the callback as fit does, after each epoch and at the end.

    Returns the recorded values and whether each call asked to stop (1) or not.
    """
    rng = np.random.default_rng(0)
    layers = []
    for n_in, n_out in pairwise(sizes):
        layers += [Dense(n_in, n_out, rng), ReLU()]
    model = Sequential(layers[:-1])  # no ReLU after the last layer
    callback = definition()
    history, stops = {"loss": []}, []
    for epoch_weights in weights:
        dense = [layer for layer in model.layers if isinstance(layer, Dense)]
        for layer, W in zip(dense, epoch_weights, strict=True):
            layer.W[...] = W
        history["loss"].append(1.0 / (len(stops) + 1))
        stops.append(float(bool(callback.after_epoch(model, history))))
    callback.at_end(model)
    return np.asarray(callback.values, dtype=float), np.asarray(stops)


register(
    Exercise(
        key="regularisation-4",
        title="a callback that watches the weights",
        function="SquaredWeights",
        reference=SquaredWeights,
        make_inputs=_epochs_of_weights,
        section="snippets/exercises/regularisation.py:squared_weights",
        planted_mistake=("np.sum(W**2)", "np.sum(W) ** 2"),
        run=_run_callback,
        results=(
            "the squared weights after each epoch",
            "stop after each epoch (1) or not (0)",
        ),
    )
)

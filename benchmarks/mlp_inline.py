"""A ceiling for the MLP rows of the epoch table: the training step written inline.

The same 784-128-10 network, weights, batches, loss and Adam as ``epoch_pair("mlp")``,
in one function: no layer objects, no checks, the softmax computed once for the loss and
its gradient, the bias and the ReLU applied in place, and the site's ``Adam.update``
called on each array directly. It computes the same numbers as ``Sequential.train_step``
(tests/test_mlp_inline.py), so its time is what NumPy needs for this training at least,
however the network is written. It is not the site's code, and it is not something a
reader should write: it shows how far the site's layers are from NumPy's own floor.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from benchmarks.cnn_epoch import LEARNING_RATE, batch_order, workload
from snippets.layers import Dense
from snippets.optim import Adam


def inline_train_step(parameters: list[np.ndarray], states: list[dict], adam: Adam, x, y) -> float:
    """One step on the batch (x: (batch, 784), y: (batch, 10) one-hot); returns the loss.

    ``parameters``: [W1 (784, 128), b1 (128,), W2 (128, 10), b2 (10,)], moved in place by
    the site's own ``adam.update``, each with its state in ``states``: the optimizer's loop
    over layers and its checks are left out, its arithmetic is not."""
    weights1, bias1, weights2, bias2 = parameters
    hidden = x @ weights1
    hidden += bias1
    np.maximum(hidden, 0.0, out=hidden)
    scores = hidden @ weights2
    scores += bias2
    scores -= scores.max(axis=1, keepdims=True)
    probabilities = np.exp(scores)
    totals = probabilities.sum(axis=1, keepdims=True)
    loss = float(-np.sum(y * (scores - np.log(totals))) / len(x))
    probabilities /= totals
    grad_scores = probabilities
    grad_scores -= y
    grad_scores /= len(x)
    grad_weights2 = hidden.T @ grad_scores
    grad_bias2 = grad_scores.sum(axis=0)
    grad_hidden = grad_scores @ weights2.T
    grad_hidden *= hidden > 0  # the ReLU's gradient: its output is positive where it passes
    grad_weights1 = x.T @ grad_hidden
    grad_bias1 = grad_hidden.sum(axis=0)
    grads = (grad_weights1, grad_bias1, grad_weights2, grad_bias2)
    for value, grad, state in zip(parameters, grads, states, strict=True):
        adam.update(value, grad, state)
    return loss


def inline_mlp(dtype) -> tuple[list[np.ndarray], Callable[[], None]]:
    """(parameters, train): ``train()`` runs the epoch table's ten MLP epochs inline, from
    the same weights and in the same batch order as ``epoch_pair("mlp", dtype)``."""
    x, y, model, epochs = workload("mlp", dtype)
    dense = [layer for layer in model.layers if isinstance(layer, Dense)]
    parameters = [array for layer in dense for array in (layer.W, layer.b)]
    states: list[dict] = [{} for _ in parameters]
    adam = Adam(LEARNING_RATE)

    def train():
        for batch in batch_order(epochs):
            inline_train_step(parameters, states, adam, x[batch], y[batch])

    return parameters, train

"""A ceiling for the MLP rows of the epoch table: the training step written inline.

The same 784-128-10 network, weights, batches, loss and Adam as ``epoch_pair("mlp")``,
in one function: no layer objects, no checks, the softmax computed once for the loss and
its gradient, the bias and the ReLU applied in place, every Adam temporary kept from one
step to the next. It computes the same numbers as ``Sequential.train_step``
(tests/test_mlp_inline.py), so its time is what NumPy needs for this training at least,
however the network is written. It is not the site's code, and it is not something a
reader should write: it shows how far the site's layers are from NumPy's own floor.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from benchmarks.cnn_epoch import BATCH, LEARNING_RATE, N_IMAGES, numpy_mlp, synthetic_images
from snippets.layers import Dense
from snippets.network import minibatches

BETA1, BETA2, EPS = 0.9, 0.999, 1e-8  # snippets.optim.Adam's defaults


class InlineAdam:
    """Adam on one array, in the order of snippets.optim.Adam's passes."""

    def __init__(self, value: np.ndarray):
        self.value, self.t = value, 0
        self.m, self.v, self.scratch = (np.zeros_like(value) for _ in range(3))

    def step(self, grad: np.ndarray) -> None:
        self.t += 1
        m, v, scratch = self.m, self.v, self.scratch
        m *= BETA1
        m += np.multiply(grad, 1 - BETA1, out=scratch)
        v *= BETA2
        np.square(grad, out=scratch)
        v += np.multiply(scratch, 1 - BETA2, out=scratch)
        correction1, correction2 = 1 - BETA1**self.t, 1 - BETA2**self.t
        root2 = math.sqrt(correction2)
        denominator = np.sqrt(v, out=scratch)
        denominator += EPS * root2
        step = np.divide(m, denominator, out=scratch)
        step *= LEARNING_RATE * root2 / correction1
        self.value -= step


def inline_train_step(parameters: list[np.ndarray], optimizers: list[InlineAdam], x, y) -> float:
    """One step on the batch (x: (batch, 784), y: (batch, 10) one-hot); returns the loss.

    ``parameters``: [W1 (784, 128), b1 (128,), W2 (128, 10), b2 (10,)], moved in place."""
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
    for optimizer, grad in zip(
        optimizers, (grad_weights1, grad_bias1, grad_weights2, grad_bias2), strict=True
    ):
        optimizer.step(grad)
    return loss


def inline_mlp(dtype) -> tuple[list[np.ndarray], Callable[[], None]]:
    """(parameters, train): ``train()`` runs the epoch table's ten MLP epochs inline, from
    the same weights as ``epoch_pair("mlp", dtype)``'s networks."""
    rng = np.random.default_rng(0)
    x, y = synthetic_images(dtype, rng)
    x = x.reshape(N_IMAGES, -1)
    dense = [layer for layer in numpy_mlp(dtype, rng).layers if isinstance(layer, Dense)]
    parameters = [array for layer in dense for array in (layer.W, layer.b)]
    optimizers = [InlineAdam(array) for array in parameters]

    def train():
        order_rng = np.random.default_rng(1)
        for _ in range(10):
            for batch in minibatches(N_IMAGES, BATCH, order_rng):
                inline_train_step(parameters, optimizers, x[batch], y[batch])

    return parameters, train

"""Parity with PyTorch (CPU, float64): dropout with a fixed mask, and weight decay.

torch.optim.SGD and torch.optim.Adam take ``weight_decay`` as an L2 gradient (lambda W
added to the gradient); torch.optim.AdamW shrinks the weights apart from Adam's step.
Biases go in a parameter group without decay, as this site's optimisers leave them.
"""

import numpy as np
import pytest
import torch

from snippets.layers import Dense, Dropout, ReLU
from snippets.network import Sequential
from snippets.optim import SGD, Adam, AdamW, Momentum


class ChosenDraws(np.random.Generator):
    """A numpy Generator whose ``random`` returns the uniform draws we choose."""

    def __init__(self, draws: np.ndarray):
        super().__init__(np.random.PCG64(0))
        self.draws = draws

    def random(self, shape):
        assert shape == self.draws.shape
        return self.draws


def test_dropout_matches_torch_with_the_same_mask(rng):
    p = 0.3
    x = rng.uniform(0.5, 2.0, (6, 10))  # no zeros: the output's zeros are the mask's
    grad_out = rng.standard_normal(x.shape)
    torch.manual_seed(0)
    dropout_t = torch.nn.Dropout(p).train()
    x_t = torch.tensor(x, requires_grad=True)
    out_t = dropout_t(x_t)
    out_t.backward(torch.tensor(grad_out))
    kept = out_t.detach().numpy() != 0
    assert kept.any()
    assert (~kept).any()

    layer = Dropout(p, ChosenDraws(np.where(kept, p, 0.0)))  # kept where the draw >= p
    np.testing.assert_allclose(layer.forward(x), out_t.detach().numpy(), rtol=1e-15)
    np.testing.assert_allclose(layer.backward(grad_out), x_t.grad.numpy(), rtol=1e-15)


def test_dropout_eval_mode_matches_torch(rng):
    x = rng.standard_normal((4, 5))
    layer = Dropout(0.5, rng)
    layer.training = False
    np.testing.assert_array_equal(layer.forward(x), torch.nn.Dropout(0.5).eval()(torch.tensor(x)).numpy())


def _pair(rng):
    """The same two-layer network here and in torch, and a batch of data."""
    ours = Sequential([Dense(5, 7, rng), ReLU(), Dense(7, 3, rng)])
    for layer in ours.layers[::2]:
        layer.b[:] = rng.standard_normal(layer.b.shape)
    theirs = torch.nn.Sequential(torch.nn.Linear(5, 7), torch.nn.ReLU(), torch.nn.Linear(7, 3)).double()
    with torch.no_grad():
        for mine, linear in zip(ours.layers[::2], theirs[::2], strict=True):
            linear.weight.copy_(torch.tensor(mine.W.T))  # torch stores (out, in)
            linear.bias.copy_(torch.tensor(mine.b))
    x, labels = rng.standard_normal((8, 5)), rng.integers(0, 3, 8)
    return ours, theirs, x, labels


def _groups(theirs, weight_decay):
    weights = [linear.weight for linear in theirs[::2]]
    biases = [linear.bias for linear in theirs[::2]]
    return [{"params": weights, "weight_decay": weight_decay}, {"params": biases, "weight_decay": 0.0}]


OPTIMISERS = {
    "SGD": (lambda: SGD(lr=0.1, weight_decay=0.05), lambda g: torch.optim.SGD(g, lr=0.1)),
    "SGD with momentum": (
        lambda: Momentum(lr=0.1, beta=0.9, weight_decay=0.05),
        lambda g: torch.optim.SGD(g, lr=0.1, momentum=0.9),
    ),
    "Adam (L2)": (lambda: Adam(lr=0.01, weight_decay=0.05), lambda g: torch.optim.Adam(g, lr=0.01)),
    "AdamW (decoupled)": (
        lambda: AdamW(lr=0.01, weight_decay=0.05),
        lambda g: torch.optim.AdamW(g, lr=0.01),
    ),
}


@pytest.mark.parametrize("name", list(OPTIMISERS))
def test_weight_decay_matches_torch_over_several_steps(name, rng):
    make_ours, make_theirs = OPTIMISERS[name]
    ours, theirs, x, labels = _pair(rng)
    optimizer, optimizer_t = make_ours(), make_theirs(_groups(theirs, 0.05))
    y = np.eye(3)[labels]
    for _ in range(5):
        ours.train_step(x, y, optimizer)
        optimizer_t.zero_grad()
        torch.nn.functional.cross_entropy(theirs(torch.tensor(x)), torch.tensor(labels)).backward()
        optimizer_t.step()
    for mine, linear in zip(ours.layers[::2], theirs[::2], strict=True):
        np.testing.assert_allclose(mine.W, linear.weight.detach().numpy().T, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(mine.b, linear.bias.detach().numpy(), rtol=1e-10, atol=1e-12)


def test_adam_l2_and_adamw_differ_as_torch_says(rng):
    """The same lambda in the two places gives different weights, here and in torch."""
    ours_l2, ours_w = (Dense(3, 2, np.random.default_rng(0)) for _ in range(2))
    optimizers = (Adam(lr=0.01, weight_decay=0.5), AdamW(lr=0.01, weight_decay=0.5))
    for layer, optimizer in zip((ours_l2, ours_w), optimizers, strict=True):
        for _ in range(3):
            layer.dW, layer.db = np.full_like(layer.W, 0.1), np.zeros_like(layer.b)
            optimizer.step([layer])
    assert not np.allclose(ours_l2.W, ours_w.W)
    for layer, make in ((ours_l2, torch.optim.Adam), (ours_w, torch.optim.AdamW)):
        W_t = torch.tensor(Dense(3, 2, np.random.default_rng(0)).W, requires_grad=True)
        optimizer_t = make([W_t], lr=0.01, weight_decay=0.5)
        for _ in range(3):
            W_t.grad = torch.full_like(W_t, 0.1)
            optimizer_t.step()
        np.testing.assert_allclose(layer.W, W_t.detach().numpy(), rtol=1e-12)

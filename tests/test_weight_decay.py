"""Weight decay in the optimisers: the L2 gradient, decoupled decay, which parameters."""

import numpy as np
import pytest

from snippets.gradcheck import numerical_gradient, relative_error
from snippets.layers import Dense, ReLU
from snippets.network import Sequential
from snippets.optim import SGD, Adam, AdamW, Momentum


def test_l2_gradient_matches_finite_differences_of_the_penalised_loss(rng):
    """One SGD step with lr = 1 moves W by minus the gradient of loss + lambda/2 sum W^2."""
    weight_decay = 0.3
    model = Sequential([Dense(5, 6, rng), ReLU(), Dense(6, 3, rng)])
    x, y = rng.standard_normal((4, 5)), np.eye(3)[[0, 1, 2, 1]]

    def penalised_loss(_=None) -> float:
        penalty = sum(np.sum(layer.W**2) for layer in model.layers if hasattr(layer, "W"))
        return model.loss(x, y) + weight_decay / 2 * penalty

    numeric = {id(layer): numerical_gradient(penalised_loss, layer.W) for layer in model.layers[::2]}
    before = {id(layer): layer.W.copy() for layer in model.layers[::2]}
    model.train_step(x, y, SGD(lr=1.0, weight_decay=weight_decay))
    for layer in model.layers[::2]:
        applied = before[id(layer)] - layer.W
        assert relative_error(applied, numeric[id(layer)]) < 1e-7


def test_biases_are_not_decayed(rng):
    layer = Dense(3, 2, rng)
    layer.b[:] = [1.0, -1.0]
    layer.dW, layer.db = np.zeros_like(layer.W), np.zeros_like(layer.b)
    W_before = layer.W.copy()
    SGD(lr=0.1, weight_decay=0.5).step([layer])
    np.testing.assert_array_equal(layer.b, [1.0, -1.0])
    np.testing.assert_allclose(layer.W, 0.95 * W_before)


@pytest.mark.parametrize("make", [SGD, Momentum])
def test_with_a_zero_loss_gradient_sgd_decays_geometrically(make, rng):
    layer = Dense(3, 2, rng)
    W0 = layer.W.copy()
    optimizer = make(lr=0.1, weight_decay=0.2)
    for _ in range(5):
        layer.dW, layer.db = np.zeros_like(layer.W), np.zeros_like(layer.b)
        optimizer.step([layer])
    if make is SGD:
        np.testing.assert_allclose(layer.W, 0.98**5 * W0, rtol=1e-12)
    else:
        assert np.all(np.abs(layer.W) < np.abs(W0))


def test_adamw_shrinks_by_lr_times_decay_and_adam_l2_does_not(rng):
    """With no loss gradient: AdamW scales W by (1 - lr wd); Adam's L2 moves each weight by lr."""
    weights = np.array([[0.01, 1.0]])
    decoupled, coupled = Dense(1, 2, rng), Dense(1, 2, rng)
    optimizers = (AdamW(lr=0.01, weight_decay=0.1), Adam(lr=0.01, weight_decay=0.1))
    for layer, optimizer in zip((decoupled, coupled), optimizers, strict=True):
        layer.W[:] = weights
        layer.dW, layer.db = np.zeros_like(layer.W), np.zeros_like(layer.b)
        optimizer.step([layer])
    np.testing.assert_allclose(decoupled.W, weights * (1 - 0.01 * 0.1), rtol=1e-12)
    # Adam divides lambda * W by its own size: every weight moves by about lr.
    np.testing.assert_allclose(weights - coupled.W, [[0.01, 0.01]], rtol=1e-5)


def test_adamw_without_decay_is_adam(rng):
    first, second = Dense(2, 2, np.random.default_rng(0)), Dense(2, 2, np.random.default_rng(0))
    for layer, optimizer in ((first, Adam(lr=0.01)), (second, AdamW(lr=0.01, weight_decay=0.0))):
        layer.dW, layer.db = np.ones_like(layer.W), np.ones_like(layer.b)
        optimizer.step([layer])
    np.testing.assert_array_equal(first.W, second.W)


@pytest.mark.parametrize("weight_decay", [-0.1, float("nan")])
@pytest.mark.parametrize("make", [SGD, Momentum, Adam, AdamW])
def test_negative_or_nan_weight_decay_is_refused(make, weight_decay):
    with pytest.raises(ValueError, match="weight_decay must be finite and >= 0"):
        make(lr=0.1, weight_decay=weight_decay)

"""Optimisers: each update rule by hand, convergence, and loud failures."""

import numpy as np
import pytest

from snippets.layers import Dense, Layer
from snippets.optim import SGD, Adam, Momentum


class Parameter(Layer):
    """A bare parameter vector with a settable gradient."""

    param_names = ("w",)

    def __init__(self, values):
        self.w = np.array(values, dtype=np.float64)


def _step(optimizer, layer, grad):
    layer.dw = np.array(grad, dtype=np.float64)
    optimizer.step([layer])
    return layer.w.copy()


def test_sgd_moves_against_the_gradient():
    layer = Parameter([1.0, -2.0])
    np.testing.assert_allclose(_step(SGD(lr=0.1), layer, [10.0, -10.0]), [0.0, -1.0])


def test_momentum_accumulates_velocity():
    layer, optimizer = Parameter([0.0]), Momentum(lr=0.1, beta=0.5)
    np.testing.assert_allclose(_step(optimizer, layer, [1.0]), [-0.1])  # v = 1
    np.testing.assert_allclose(_step(optimizer, layer, [1.0]), [-0.25])  # v = 0.5 + 1


def test_adam_first_step_has_the_size_of_the_learning_rate():
    # After bias correction, m_hat / sqrt(v_hat) = g / |g| on the first step.
    layer = Parameter([0.0, 0.0, 0.0])
    np.testing.assert_allclose(
        _step(Adam(lr=0.01), layer, [3.0, -0.2, 1e-3]), [-0.01, 0.01, -0.01], rtol=1e-4
    )


def test_adam_two_steps_by_hand():
    layer, optimizer = Parameter([1.0]), Adam(lr=0.1, beta1=0.9, beta2=0.99, eps=0.0)
    _step(optimizer, layer, [2.0])
    w = _step(optimizer, layer, [1.0])
    m = 0.9 * 0.1 * 2.0 + 0.1 * 1.0
    v = 0.99 * 0.01 * 4.0 + 0.01 * 1.0
    expected = 1.0 - 0.1 - 0.1 * (m / (1 - 0.9**2)) / np.sqrt(v / (1 - 0.99**2))
    np.testing.assert_allclose(w, [expected], rtol=1e-12)


@pytest.mark.parametrize("optimizer", [SGD(lr=0.1), Momentum(lr=0.05), Adam(lr=0.1)])
def test_optimisers_minimise_a_quadratic(optimizer):
    target = np.array([3.0, -1.0])
    layer = Parameter([0.0, 0.0])
    for _ in range(300):
        layer.dw = 2 * (layer.w - target)
        optimizer.step([layer])
    np.testing.assert_allclose(layer.w, target, atol=1e-2)


def test_state_is_kept_per_parameter(rng):
    first, second = Dense(2, 2, rng), Dense(2, 2, rng)
    optimizer = Momentum(lr=0.1)
    for layer in (first, second):
        layer.forward(np.ones((1, 2)))
        layer.backward(np.ones((1, 2)))
    optimizer.step([first, second])
    assert sum(len(per_layer) for per_layer in optimizer.state.values()) == 4  # W and b of each layer


def test_step_before_backward_fails(rng):
    with pytest.raises(RuntimeError, match="no gradient"):
        SGD(lr=0.1).step([Dense(2, 2, rng)])


def test_gradient_of_the_wrong_shape_is_refused():
    layer = Parameter([0.0, 0.0])
    with pytest.raises(ValueError, match=r"Parameter.dw must have shape \(2,\), got shape \(3,\)"):
        _step(SGD(lr=0.1), layer, [1.0, 2.0, 3.0])


@pytest.mark.parametrize("make", [lambda: SGD(lr=0), lambda: Adam(lr=-1e-3)])
def test_learning_rate_must_be_positive(make):
    with pytest.raises(ValueError, match="learning rate must be positive"):
        make()


def test_betas_must_lie_in_the_unit_interval():
    with pytest.raises(ValueError, match="beta must lie in"):
        Momentum(lr=0.1, beta=1.0)
    with pytest.raises(ValueError, match=r"beta2 must lie in \[0, 1\), got 1.5"):
        Adam(beta2=1.5)

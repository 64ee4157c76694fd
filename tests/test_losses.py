"""Losses: known values, float64 gradient checks, and loud failures on bad input."""

import numpy as np
import pytest

from snippets.gradcheck import numerical_gradient, relative_error
from snippets.losses import (
    LOSSES,
    binary_cross_entropy,
    get_loss,
    mean_squared_error,
    softmax_cross_entropy,
    softmax_cross_entropy_grad,
)


def _inputs(name, rng, batch=5, outputs=3):
    """Valid (prediction, target) pairs for each loss."""
    if name == "binary_cross_entropy":
        return rng.uniform(0.05, 0.95, (batch, 1)), rng.integers(0, 2, (batch, 1)).astype(float)
    target = np.eye(outputs)[rng.integers(0, outputs, batch)]
    return rng.standard_normal((batch, outputs)), target


def test_mean_squared_error_value():
    pred = np.array([[1.0, 2.0], [3.0, 4.0]])
    target = np.array([[1.0, 0.0], [0.0, 4.0]])
    assert mean_squared_error(pred, target) == pytest.approx((4.0 + 9.0) / 2)


def test_binary_cross_entropy_value():
    prob = np.array([[0.5], [0.5]])
    assert binary_cross_entropy(prob, np.array([[1.0], [0.0]])) == pytest.approx(np.log(2))


def test_binary_cross_entropy_is_finite_at_0_and_1():
    assert np.isfinite(binary_cross_entropy(np.array([[0.0], [1.0]]), np.array([[1.0], [0.0]])))


def test_softmax_cross_entropy_value():
    logits = np.array([[0.0, 0.0, 0.0, 0.0]])
    assert softmax_cross_entropy(logits, np.array([[0.0, 1.0, 0.0, 0.0]])) == pytest.approx(np.log(4))


def test_softmax_cross_entropy_is_stable_for_huge_logits():
    logits = np.array([[1000.0, 0.0], [0.0, -1000.0]])
    target = np.array([[1.0, 0.0], [0.0, 1.0]])
    assert softmax_cross_entropy(logits, target) == pytest.approx(500.0)
    assert np.all(np.isfinite(softmax_cross_entropy_grad(logits, target)))


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_gradient_matches_finite_differences(name, rng):
    loss, gradient = get_loss(name)
    pred, target = _inputs(name, rng)
    numeric = numerical_gradient(lambda p: loss(p, target), pred.copy())
    assert relative_error(gradient(pred, target), numeric) < 1e-7


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_loss_is_a_mean_over_the_batch(name, rng):
    loss, _ = get_loss(name)
    pred, target = _inputs(name, rng)
    doubled = loss(np.vstack([pred, pred]), np.vstack([target, target]))
    assert doubled == pytest.approx(loss(pred, target), rel=1e-12)


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_shape_mismatch_names_both_shapes(name, rng):
    loss, gradient = get_loss(name)
    pred, target = _inputs(name, rng)
    for function in (loss, gradient):
        with pytest.raises(ValueError, match=r"shape \(5, \d\), got shape \(4, \d\)"):
            function(pred, target[:4])


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_nan_is_refused(name, rng):
    loss, gradient = get_loss(name)
    pred, target = _inputs(name, rng)
    pred[0, 0] = np.nan
    for function in (loss, gradient):
        with pytest.raises(ValueError, match="NaN"):
            function(pred, target)


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_one_dimensional_input_is_refused(name):
    loss, _ = get_loss(name)
    with pytest.raises(ValueError, match=r"\(batch, outputs\), got shape \(3,\)"):
        loss(np.array([0.2, 0.5, 0.7]), np.array([0.0, 1.0, 1.0]))


def test_float32_predictions_give_float32_gradients(rng):
    _, gradient = get_loss("softmax_cross_entropy")
    pred, target = _inputs("softmax_cross_entropy", rng)
    assert gradient(pred.astype(np.float32), target).dtype == np.float32


def test_unknown_loss_names_the_known_ones():
    with pytest.raises(ValueError, match=r"unknown loss 'hinge'.*binary_cross_entropy, mse"):
        get_loss("hinge")

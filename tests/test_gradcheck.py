"""Gradient checking itself: exact on known functions, and it catches a planted bug."""

import numpy as np
import pytest

from snippets.gradcheck import check_layer, numerical_gradient, relative_error
from snippets.layers import Dense
from snippets.numpy_net import DenseWithBiasBug


def test_numerical_gradient_of_a_quadratic(rng):
    x = rng.standard_normal((3, 4))
    np.testing.assert_allclose(numerical_gradient(lambda v: float(np.sum(v**2)), x), 2 * x, atol=1e-8)


def test_numerical_gradient_restores_its_input(rng):
    x = rng.standard_normal(6)
    before = x.copy()
    numerical_gradient(lambda v: float(np.sum(np.sin(v))), x)
    np.testing.assert_array_equal(x, before)


def test_numerical_gradient_of_a_non_contiguous_view(rng):
    base = rng.standard_normal((4, 3))
    view = base.T  # writes through the view must reach what f reads
    weights = rng.standard_normal((3, 4))
    grad = numerical_gradient(lambda _: float(np.sum(base.T * weights)), view)
    np.testing.assert_allclose(grad, weights, atol=1e-8)


def test_numerical_gradient_needs_float64():
    with pytest.raises(TypeError, match=r"float64.*float32"):
        numerical_gradient(lambda v: float(v.sum()), np.zeros(3, dtype=np.float32))


def test_relative_error_is_scale_free():
    a = np.array([1.0, 2.0, 3.0])
    assert relative_error(a, a) == 0.0
    assert relative_error(a, 1.1 * a) == pytest.approx(relative_error(1e6 * a, 1.1e6 * a))
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0


def test_relative_error_refuses_different_shapes():
    with pytest.raises(ValueError, match=r"same shape, got \(3,\) and \(3, 1\)"):
        relative_error(np.zeros(3), np.zeros((3, 1)))


def test_check_layer_passes_a_correct_layer(rng):
    errors = check_layer(Dense(5, 3, rng), rng.standard_normal((4, 5)), rng)
    assert max(errors.values()) < 1e-7


def test_check_layer_catches_the_planted_bias_bug(rng):
    errors = check_layer(DenseWithBiasBug(5, 3, rng), rng.standard_normal((4, 5)), rng)
    assert errors["x"] < 1e-7
    assert errors["W"] < 1e-7
    # The bug divides db by the batch size, 4: (1 - 1/4) / (1 + 1/4) = 0.6.
    assert errors["b"] == pytest.approx(0.6, abs=1e-6)

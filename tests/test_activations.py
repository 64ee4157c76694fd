"""Activation functions: values, derivatives (float64 gradient checks), bad names."""

import numpy as np
import pytest

from snippets.activations import (
    ACTIVATIONS,
    get_activation,
    relu,
    relu_derivative,
    sigmoid,
    sigmoid_derivative,
    softmax,
    tanh,
    tanh_derivative,
)
from snippets.gradcheck import numerical_gradient, relative_error


def test_sigmoid_values():
    z = np.array([-np.log(3.0), 0.0, np.log(3.0)])
    np.testing.assert_allclose(sigmoid(z), [0.25, 0.5, 0.75], rtol=1e-15)


def test_sigmoid_is_the_logistic_function():
    z = np.linspace(-30, 30, 61)
    # The tanh form is exact to rounding in absolute terms; far in the left tail its tiny
    # values keep fewer significant digits, which no gradient step can notice.
    np.testing.assert_allclose(sigmoid(z), 1 / (1 + np.exp(-z)), rtol=1e-13, atol=1e-16)


def test_sigmoid_saturates_without_overflow():
    # pytest turns RuntimeWarning (overflow) into an error for this whole suite.
    assert sigmoid(np.array([-1000.0]))[0] == 0.0
    assert sigmoid(np.array([1000.0]))[0] == 1.0


def test_tanh_and_relu_values():
    z = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
    np.testing.assert_allclose(tanh(z), np.tanh(z))
    np.testing.assert_array_equal(relu(z), [0.0, 0.0, 0.0, 0.5, 2.0])


def test_relu_derivative_is_zero_at_zero():
    np.testing.assert_array_equal(relu_derivative(np.array([-1.0, 0.0, 1.0])), [0.0, 0.0, 1.0])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_derivatives_keep_the_float_dtype(dtype):
    z = np.linspace(-2, 2, 5).astype(dtype)
    for function, derivative in ACTIVATIONS.values():
        assert function(z).dtype == dtype
        assert derivative(z).dtype == dtype


def test_relu_derivative_of_integers_is_float():
    assert relu_derivative(np.array([1, -1])).dtype == np.float64


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_derivative_matches_finite_differences(name, rng):
    function, derivative = get_activation(name)
    z = rng.standard_normal((5, 4))
    z[np.abs(z) < 1e-3] = 0.5  # ReLU has a kink at 0: keep finite differences off it
    weights = rng.standard_normal(z.shape)

    def scalar(values):
        return float(np.sum(function(values) * weights))

    assert relative_error(derivative(z) * weights, numerical_gradient(scalar, z.copy())) < 1e-7


def test_softmax_rows_are_probabilities(rng):
    z = rng.standard_normal((6, 10)) * 5
    p = softmax(z)
    assert p.shape == z.shape
    assert np.all(p > 0)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-14)


def test_softmax_ignores_a_shift_and_survives_huge_scores():
    z = np.array([[1.0, 2.0, 3.0]])
    np.testing.assert_allclose(softmax(z), softmax(z + 1000.0), rtol=1e-14)
    assert np.all(np.isfinite(softmax(np.array([[1e4, 0.0, -1e4]]))))


def test_softmax_jacobian_matches_finite_differences(rng):
    z = rng.standard_normal((3, 4))
    weights = rng.standard_normal(z.shape)
    p = softmax(z)
    # d/dz sum(w * softmax(z)) = p * (w - sum(w * p)) per row
    analytic = p * (weights - np.sum(weights * p, axis=1, keepdims=True))
    numeric = numerical_gradient(lambda values: float(np.sum(weights * softmax(values))), z.copy())
    assert relative_error(analytic, numeric) < 1e-7


def test_sigmoid_derivative_peaks_at_a_quarter():
    assert sigmoid_derivative(np.array(0.0)) == 0.25
    assert tanh_derivative(np.array(0.0)) == 1.0


def test_unknown_activation_names_the_known_ones():
    with pytest.raises(ValueError, match=r"unknown activation 'swish'.*relu, sigmoid, tanh"):
        get_activation("swish")

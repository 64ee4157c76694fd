"""Layers: shapes, values, float64 gradient checks, and loud failures on bad input."""

import numpy as np
import pytest

from snippets.gradcheck import check_layer
from snippets.layers import Activation, Dense, Layer, ReLU, Sigmoid, Tanh, init_weights


def test_dense_computes_x_at_w_plus_b(rng):
    layer = Dense(4, 3, rng)
    layer.b[:] = rng.standard_normal(3)
    x = rng.standard_normal((5, 4))
    np.testing.assert_allclose(layer.forward(x), x @ layer.W + layer.b)


def test_dense_shapes_and_parameters(rng):
    layer = Dense(4, 3, rng)
    assert layer.W.shape == (4, 3)
    assert layer.b.shape == (3,)
    np.testing.assert_array_equal(layer.b, 0.0)
    layer.forward(rng.standard_normal((2, 4)))
    grad_in = layer.backward(np.ones((2, 3)))
    assert grad_in.shape == (2, 4)
    names = [(name, value.shape, grad.shape) for name, value, grad in layer.parameters()]
    assert names == [("W", (4, 3), (4, 3)), ("b", (3,), (3,))]


@pytest.mark.parametrize("init", ["he", "xavier"])
def test_dense_gradient_check(init, rng):
    errors = check_layer(Dense(6, 4, rng, init=init), rng.standard_normal((5, 6)), rng)
    assert set(errors) == {"x", "W", "b"}
    assert max(errors.values()) < 1e-7, errors


@pytest.mark.parametrize("make", [ReLU, Tanh, Sigmoid])
def test_activation_gradient_check(make, rng):
    x = rng.standard_normal((5, 6))
    x[np.abs(x) < 1e-3] = 0.5  # off ReLU's kink
    errors = check_layer(make(), x, rng)
    assert set(errors) == {"x"}
    assert errors["x"] < 1e-7


def test_activation_layer_applies_its_function(rng):
    z = rng.standard_normal((3, 2))
    np.testing.assert_array_equal(ReLU().forward(z), np.maximum(z, 0))
    assert repr(Tanh()) == "Tanh()"
    assert list(Sigmoid().parameters()) == []


def test_named_activations_are_classes_of_their_own(rng):
    z = rng.standard_normal((3, 2))
    for cls, name in [(ReLU, "relu"), (Tanh, "tanh"), (Sigmoid, "sigmoid")]:
        assert isinstance(cls, type)
        layer = cls()
        assert isinstance(layer, cls)
        assert isinstance(layer, Activation)
        np.testing.assert_array_equal(layer.forward(z), Activation(name).forward(z))


def test_dense_keeps_float32(rng):
    layer = Dense(3, 2, rng, dtype=np.float32)
    out = layer.forward(rng.standard_normal((4, 3)).astype(np.float32))
    assert out.dtype == np.float32
    layer.backward(np.ones((4, 2), dtype=np.float32))
    assert layer.dW.dtype == np.float32
    assert layer.db.dtype == np.float32


def test_dense_wrong_width_names_expected_and_received_shape(rng):
    with pytest.raises(ValueError, match=r"x must have shape \(batch, 4\), got shape \(5, 3\)"):
        Dense(4, 2, rng).forward(np.zeros((5, 3)))


def test_dense_refuses_one_dimensional_input(rng):
    with pytest.raises(ValueError, match=r"\(batch, in_features\), got shape \(4,\)"):
        Dense(4, 2, rng).forward(np.zeros(4))


def test_dense_refuses_nan_and_strings(rng):
    x = np.zeros((2, 4))
    x[1, 2] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        Dense(4, 2, rng).forward(x)
    with pytest.raises(TypeError, match="numeric"):
        Dense(4, 2, rng).forward(np.array([["a", "b", "c", "d"]]))


def test_dense_backward_checks_the_gradient_shape(rng):
    layer = Dense(4, 2, rng)
    layer.forward(np.zeros((5, 4)))
    with pytest.raises(ValueError, match=r"grad_out must have shape \(5, 2\), got shape \(5, 3\)"):
        layer.backward(np.zeros((5, 3)))


def test_activation_backward_checks_the_gradient_shape():
    layer = Tanh()
    layer.forward(np.zeros((5, 4)))
    with pytest.raises(ValueError, match=r"grad_out must have shape \(5, 4\), got shape \(4, 5\)"):
        layer.backward(np.zeros((4, 5)))


@pytest.mark.parametrize("layer", [Dense(2, 2, np.random.default_rng(0)), ReLU()])
def test_backward_before_forward_fails(layer):
    with pytest.raises(RuntimeError, match="before forward"):
        layer.backward(np.zeros((1, 2)))


def test_dense_refuses_empty_sizes(rng):
    with pytest.raises(ValueError, match="positive sizes"):
        Dense(0, 3, rng)


def test_unknown_activation_and_init_names(rng):
    with pytest.raises(ValueError, match="unknown activation"):
        Activation("softplus")
    with pytest.raises(ValueError, match="unknown init scheme 'zeros'"):
        Dense(3, 2, rng, init="zeros")


@pytest.mark.parametrize(("scheme", "variance"), [("he", 2 / 200), ("xavier", 1 / 200)])
def test_init_weights_scale(scheme, variance, rng):
    weights = init_weights(200, 300, rng, scheme)
    assert weights.shape == (200, 300)
    assert weights.var() == pytest.approx(variance, rel=0.02)  # 60,000 draws: within 2%


def test_init_is_reproducible():
    first = init_weights(3, 4, np.random.default_rng(7))
    second = init_weights(3, 4, np.random.default_rng(7))
    np.testing.assert_array_equal(first, second)


def test_base_layer_is_abstract():
    with pytest.raises(NotImplementedError):
        Layer().forward(np.zeros((1, 1)))
    with pytest.raises(NotImplementedError):
        Layer().backward(np.zeros((1, 1)))

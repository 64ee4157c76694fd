"""Property-based tests (Hypothesis): the shape contracts hold for random configurations.

For random shapes and dtypes, every layer keeps its shape contract, forward then backward
gives back the input's shape and each parameter's, float64 gradient checks pass, and
each public entry point rejects three kinds of bad input (a NaN or infinity anywhere,
a missing or extra axis, a non-real dtype) with its documented error. The profile
(number of examples, no deadline) is set in tests/conftest.py.
"""

import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from snippets.autograd import Tensor, cross_entropy
from snippets.conv import Conv2D, Flatten, MaxPool2D
from snippets.data import standardize
from snippets.gradcheck import check_layer
from snippets.layers import Activation, Dense
from snippets.losses import (
    binary_cross_entropy,
    mean_squared_error,
    softmax_cross_entropy,
    softmax_cross_entropy_grad,
)
from snippets.network import Sequential
from snippets.optim import SGD

DTYPES = st.sampled_from([np.float32, np.float64])
SEEDS = st.integers(0, 2**32 - 1)


@st.composite
def dense_cases(draw):
    batch, fan_in, fan_out = draw(st.integers(1, 5)), draw(st.integers(1, 6)), draw(st.integers(1, 6))
    rng = np.random.default_rng(draw(SEEDS))
    dtype = draw(DTYPES)
    layer = Dense(fan_in, fan_out, rng, init=draw(st.sampled_from(["he", "xavier"])), dtype=dtype)
    return layer, rng.standard_normal((batch, fan_in)).astype(dtype), (batch, fan_out)


@st.composite
def activation_cases(draw):
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=4)))
    rng = np.random.default_rng(draw(SEEDS))
    layer = Activation(draw(st.sampled_from(["relu", "tanh", "sigmoid"])))
    return layer, rng.standard_normal(shape).astype(draw(DTYPES)), shape


@st.composite
def conv_cases(draw):
    """A Conv2D and an input size for which the output size comes out whole."""
    kernel, stride, padding = draw(st.integers(1, 3)), draw(st.integers(1, 2)), draw(st.integers(0, 1))
    out_h, out_w = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    height, width = (out_h - 1) * stride + kernel - 2 * padding, (out_w - 1) * stride + kernel - 2 * padding
    if height < 1 or width < 1:
        height, width, out_h, out_w = height + 2 * stride, width + 2 * stride, out_h + 2, out_w + 2
    batch, c_in, c_out = draw(st.integers(1, 2)), draw(st.integers(1, 2)), draw(st.integers(1, 3))
    rng = np.random.default_rng(draw(SEEDS))
    dtype = draw(DTYPES)
    layer = Conv2D(c_in, c_out, kernel, rng, stride=stride, padding=padding, dtype=dtype)
    x = rng.standard_normal((batch, c_in, height, width)).astype(dtype)
    return layer, x, (batch, c_out, out_h, out_w)


@st.composite
def pool_cases(draw):
    pool = draw(st.integers(1, 3))
    stride = draw(st.integers(1, 3))
    padding = draw(st.integers(0, pool // 2))
    out_h, out_w = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    height, width = (out_h - 1) * stride + pool - 2 * padding, (out_w - 1) * stride + pool - 2 * padding
    batch, channels = draw(st.integers(1, 2)), draw(st.integers(1, 3))
    rng = np.random.default_rng(draw(SEEDS))
    x = rng.standard_normal((batch, channels, height, width)).astype(draw(DTYPES))
    return MaxPool2D(pool, stride=stride, padding=padding), x, (batch, channels, out_h, out_w)


@st.composite
def flatten_cases(draw):
    shape = tuple(draw(st.lists(st.integers(0, 4), min_size=2, max_size=5)))
    x = np.random.default_rng(draw(SEEDS)).standard_normal(shape).astype(draw(DTYPES))
    return Flatten(), x, (shape[0], int(np.prod(shape[1:])))


LAYER_CASES = st.one_of(dense_cases(), activation_cases(), conv_cases(), pool_cases(), flatten_cases())


@given(LAYER_CASES)
def test_every_layer_keeps_its_shape_contract(case):
    layer, x, expected = case
    out = layer.forward(x)
    assert out.shape == expected, layer
    assert out.dtype == x.dtype, layer  # float32 in, float32 out; float64 likewise


@given(LAYER_CASES)
def test_forward_then_backward_round_trips_the_shapes(case):
    layer, x, _ = case
    out = layer.forward(x)
    grad_in = layer.backward(np.ones_like(out))
    assert grad_in.shape == x.shape, layer
    for name, value, grad in layer.parameters():
        assert grad.shape == value.shape, (layer, name)


def _as_float64(case):
    layer, x, _ = case
    for name in layer.param_names:
        setattr(layer, name, getattr(layer, name).astype(np.float64))
    return layer, x.astype(np.float64)


@given(st.one_of(dense_cases(), activation_cases(), conv_cases(), pool_cases(), flatten_cases()), SEEDS)
def test_float64_gradient_checks_pass_on_random_configurations(case, seed):
    layer, x = _as_float64(case)
    # Keep clear of ReLU's kink at 0 and of ties in a pooling window: there the
    # central difference straddles two different slopes.
    x = np.where(np.abs(x) < 1e-3, 1e-3, x)
    errors = check_layer(layer, x, np.random.default_rng(seed))
    assert max(errors.values(), default=0.0) < 1e-6, (layer, errors)


# --- Each public entry point rejects three kinds of bad input -----------------------------


def _rng():
    return np.random.default_rng(0)


# name: (call with one array, the array's good shape, the name the message uses)
ENTRY_POINTS = {
    "Dense.forward": (lambda x: Dense(3, 2, _rng()).forward(x), (4, 3), "x"),
    "Activation.forward": (lambda x: Activation("tanh").forward(x), (4, 3), "z"),
    "Conv2D.forward": (lambda x: Conv2D(1, 2, 3, _rng(), padding=1).forward(x), (2, 1, 4, 4), "x"),
    "MaxPool2D.forward": (lambda x: MaxPool2D(2).forward(x), (2, 1, 4, 4), "x"),
    "Flatten.forward": (lambda x: Flatten().forward(x), (2, 1, 4, 4), "x"),
    "Sequential.predict": (lambda x: Sequential([Dense(3, 2, _rng())]).predict(x), (4, 3), "x"),
    "Sequential.fit": (
        lambda x: Sequential([Dense(3, 2, _rng())]).fit(
            x, np.eye(2)[[0, 1, 0, 1]], SGD(lr=0.1), 1, 4, _rng()
        ),
        (4, 3),
        "x",
    ),
    "mean_squared_error": (lambda x: mean_squared_error(x, np.zeros((4, 3))), (4, 3), "predictions"),
    "binary_cross_entropy": (lambda x: binary_cross_entropy(x, np.zeros((4, 1))), (4, 1), "predictions"),
    "softmax_cross_entropy": (
        lambda x: softmax_cross_entropy(x, np.eye(3)[[0, 1, 2, 0]]),
        (4, 3),
        "predictions",
    ),
    "softmax_cross_entropy_grad": (
        lambda x: softmax_cross_entropy_grad(x, np.eye(3)[[0, 1, 2, 0]]),
        (4, 3),
        "predictions",
    ),
    "standardize": (lambda x: standardize(x, np.zeros((2, 3))), (4, 3), "x_train"),
    "cross_entropy (autograd)": (lambda x: cross_entropy(Tensor(x), np.eye(3)[[0, 1, 2, 0]]), (4, 3), "data"),
}

# An activation works element-wise on any shape, and a Flatten on any number of axes
# from 2 up: a missing or extra axis is never bad for the first, and only below 2 for the second.
ANY_NDIM = {"Activation.forward"}


@st.composite
def non_finite_arrays(draw, shape):
    x = np.random.default_rng(draw(SEEDS)).random(shape)
    x[tuple(draw(st.integers(0, size - 1)) for size in shape)] = draw(
        st.sampled_from([np.nan, np.inf, -np.inf])
    )
    return x


@pytest.mark.parametrize("name", ENTRY_POINTS)
@given(data=st.data())
def test_entry_points_reject_nan_or_infinity_anywhere(name, data):
    call, shape, argument = ENTRY_POINTS[name]
    x = data.draw(non_finite_arrays(shape))
    with pytest.raises(ValueError, match=rf"{argument} contains NaN or infinity"):
        call(x)


@pytest.mark.parametrize("name", sorted(set(ENTRY_POINTS) - ANY_NDIM))
@given(data=st.data())
def test_entry_points_reject_a_missing_or_extra_axis(name, data):
    call, shape, _ = ENTRY_POINTS[name]
    wrong = [0, 1] if name == "Flatten.forward" else [n for n in range(6) if n != len(shape)]
    ndim = data.draw(st.sampled_from(wrong))
    bad_shape = (*shape, *[2] * ndim)[:ndim]
    with pytest.raises(ValueError, match=re.escape(f"got shape {bad_shape}")):
        call(np.ones(bad_shape))


@pytest.mark.parametrize("name", ENTRY_POINTS)
@given(dtype=st.sampled_from([np.complex128, np.complex64, object, np.str_]))
def test_entry_points_reject_arrays_that_are_not_real_numbers(name, dtype):
    call, shape, argument = ENTRY_POINTS[name]
    x = np.ones(shape).astype(dtype)
    with pytest.raises(TypeError, match=rf"{argument} must be (real|a numeric array), got dtype"):
        call(x)

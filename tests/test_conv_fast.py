"""The fast paths: stride-1 convolution over long rows, first layers without an input gradient,
and Adam without temporaries. Each must give the numbers of the simple code."""

import numpy as np
import pytest

from snippets.conv import (
    Conv2D,
    col2im,
    col2im_rows,
    conv2d_naive,
    conv2d_naive_backward,
    im2col,
    im2col_rows,
)
from snippets.layers import Dense
from snippets.optim import Adam

# (channels, kernel_size, height, width) of a padded input
ROW_CASES = [(1, 1, 4, 4), (2, 3, 6, 6), (3, 3, 5, 8), (2, 5, 7, 6), (1, 2, 3, 9), (2, 4, 4, 4)]


@pytest.mark.parametrize(("channels", "k", "height", "width"), ROW_CASES)
def test_im2col_rows_holds_the_patches_of_im2col(channels, k, height, width, rng):
    x = rng.standard_normal((2, channels, height, width))
    out_h, out_w = height - k + 1, width - k + 1
    rows = im2col_rows(x, k).reshape(2, channels * k * k, out_h, width)
    patches = im2col(x, k, 1).reshape(2, channels * k * k, out_h, out_w)
    np.testing.assert_array_equal(rows[..., :out_w], patches)


@pytest.mark.parametrize(("channels", "k", "height", "width"), ROW_CASES)
def test_col2im_rows_is_the_adjoint_of_im2col_rows_on_real_patches(channels, k, height, width, rng):
    # <im2col_rows(x), c> == <x, col2im_rows(c)> for every c that is zero on the
    # wrapped-around columns, which belong to no patch.
    x = rng.standard_normal((2, channels, height, width))
    out_h, out_w = height - k + 1, width - k + 1
    columns = rng.standard_normal((2, channels * k * k, out_h, width))
    columns[..., out_w:] = 0.0
    columns = columns.reshape(2, channels * k * k, out_h * width)
    lhs = np.sum(im2col_rows(x, k) * columns)
    rhs = np.sum(x * col2im_rows(columns, x.shape, k))
    assert lhs == pytest.approx(rhs, rel=1e-12)
    # and it puts the same numbers back as col2im does
    real = columns.reshape(2, -1, out_h, width)[..., :out_w].reshape(2, channels * k * k, -1)
    np.testing.assert_allclose(col2im_rows(columns, x.shape, k), col2im(real, x.shape, k, 1), atol=1e-12)


@pytest.mark.parametrize("stride", [1, 2])
def test_a_first_layer_skips_the_input_gradient_and_keeps_the_others(stride, rng):
    x = rng.standard_normal((3, 2, 7, 7))
    full = Conv2D(2, 3, 3, np.random.default_rng(5), stride=stride, padding=1)
    first = Conv2D(2, 3, 3, np.random.default_rng(5), stride=stride, padding=1, input_grad=False)
    grad_out = rng.standard_normal(full.forward(x).shape)
    np.testing.assert_array_equal(first.forward(x), full.forward(x))
    assert full.backward(grad_out) is not None
    assert first.backward(grad_out) is None
    np.testing.assert_array_equal(first.dW, full.dW)
    np.testing.assert_array_equal(first.db, full.db)
    _, naive_dW, naive_db = conv2d_naive_backward(grad_out, x, full.W, stride, 1)
    np.testing.assert_allclose(first.dW, naive_dW, atol=1e-12)
    np.testing.assert_allclose(first.db, naive_db, atol=1e-12)


def test_a_first_dense_layer_skips_the_input_gradient(rng):
    x = rng.standard_normal((4, 5))
    full, first = (
        Dense(5, 3, np.random.default_rng(1)),
        Dense(5, 3, np.random.default_rng(1), input_grad=False),
    )
    grad_out = rng.standard_normal((4, 3))
    full.forward(x), first.forward(x)
    assert first.backward(grad_out) is None
    full.backward(grad_out)
    np.testing.assert_array_equal(first.dW, full.dW)
    np.testing.assert_array_equal(first.db, full.db)


def test_the_stride_1_output_is_that_of_the_loops_in_float32(rng):
    conv = Conv2D(3, 4, 3, rng, padding=1, dtype=np.float32)
    conv.b[:] = rng.standard_normal(4)
    x = rng.standard_normal((2, 3, 9, 6)).astype(np.float32)
    out = conv.forward(x)
    assert out.dtype == np.float32
    expected = conv2d_naive(
        x.astype(np.float64), conv.W.astype(np.float64), conv.b.astype(np.float64), padding=1
    )
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)


def test_adam_follows_the_textbook_formula(rng):
    # m_hat / (sqrt(v_hat) + eps) with explicit bias corrections, over several steps.
    value = rng.standard_normal(6)
    expected, m, v = value.copy(), np.zeros(6), np.zeros(6)
    optimizer, state = Adam(lr=0.05, beta1=0.8, beta2=0.95, eps=1e-3), {}
    for t in range(1, 6):
        grad = rng.standard_normal(6)
        optimizer.update(value, grad, state)
        m = 0.8 * m + 0.2 * grad
        v = 0.95 * v + 0.05 * grad**2
        m_hat, v_hat = m / (1 - 0.8**t), v / (1 - 0.95**t)
        expected -= 0.05 * m_hat / (np.sqrt(v_hat) + 1e-3)
        np.testing.assert_allclose(value, expected, rtol=1e-12, atol=1e-12)

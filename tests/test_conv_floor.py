"""Floor mode: a convolution or pooling whose stride does not divide the input drops the
last rows and columns, as PyTorch does, when asked to; the strict check stays the default."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from snippets.conv import Conv2D, MaxPool2D, conv_output_size
from snippets.gradcheck import check_layer

# (in_channels, out_channels, kernel_size, stride, padding, height, width): none divides.
CONV_CASES = [(1, 2, 3, 2, 0, 8, 8), (2, 3, 3, 2, 1, 8, 7), (2, 2, 2, 3, 0, 7, 9), (3, 2, 4, 2, 1, 9, 8)]
# (pool_size, stride, padding, height, width)
POOL_CASES = [(2, 2, 0, 7, 7), (3, 3, 0, 8, 7), (3, 2, 1, 8, 6), (2, 2, 1, 6, 9)]


def distinct_values(shape, rng) -> np.ndarray:
    """Values 0.1 apart, shuffled: no ties in a pooling window, even after a nudge."""
    return rng.permutation(int(np.prod(shape))).reshape(shape) * 0.1 - 1.0


def test_output_size_rounds_down_in_floor_mode():
    assert conv_output_size(7, 2, 2, 0, floor_mode=True) == 3
    assert conv_output_size(8, 3, 2, 0, floor_mode=True) == 3
    assert conv_output_size(8, 2, 2, 0, floor_mode=True) == 4  # exact: unchanged
    with pytest.raises(ValueError, match="pass floor_mode=True to drop the last 1 row"):
        conv_output_size(7, 2, 2, 0)


def test_a_7x7_map_can_be_pooled(rng):
    x = rng.standard_normal((2, 3, 7, 7))
    with pytest.raises(ValueError, match="not a multiple of stride 2"):
        MaxPool2D(2).forward(x)
    out = MaxPool2D(2, floor_mode=True).forward(x)
    np.testing.assert_array_equal(out, x[:, :, :6, :6].reshape(2, 3, 3, 2, 3, 2).max(axis=(3, 5)))


@pytest.mark.parametrize("case", CONV_CASES, ids=str)
def test_floor_mode_conv2d_matches_torch_and_passes_the_gradient_check(case, rng):
    in_ch, out_ch, k, stride, padding, height, width = case
    conv = Conv2D(in_ch, out_ch, k, rng, stride=stride, padding=padding, floor_mode=True)
    conv.b[:] = rng.standard_normal(out_ch)
    x = rng.standard_normal((2, in_ch, height, width))
    out = conv.forward(x)
    x_t = torch.tensor(x, requires_grad=True)
    W_t, b_t = torch.tensor(conv.W, requires_grad=True), torch.tensor(conv.b, requires_grad=True)
    out_t = F.conv2d(x_t, W_t, b_t, stride=stride, padding=padding)
    np.testing.assert_allclose(out, out_t.detach().numpy(), rtol=1e-12, atol=1e-12)
    grad_out = rng.standard_normal(out.shape)
    dx = conv.backward(grad_out)
    out_t.backward(torch.tensor(grad_out))
    np.testing.assert_allclose(dx, x_t.grad.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(conv.dW, W_t.grad.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(conv.db, b_t.grad.numpy(), rtol=1e-12, atol=1e-12)
    errors = check_layer(conv, rng.standard_normal(x.shape), rng)
    assert max(errors.values()) < 1e-7, errors


@pytest.mark.parametrize("case", POOL_CASES, ids=str)
def test_floor_mode_maxpool_matches_torch_and_passes_the_gradient_check(case, rng):
    pool_size, stride, padding, height, width = case
    pool = MaxPool2D(pool_size, stride=stride, padding=padding, floor_mode=True)
    x = distinct_values((2, 3, height, width), rng)
    out = pool.forward(x)
    x_t = torch.tensor(x, requires_grad=True)
    out_t = F.max_pool2d(x_t, pool_size, stride=stride, padding=padding)
    np.testing.assert_array_equal(out, out_t.detach().numpy())
    grad_out = rng.standard_normal(out.shape)
    out_t.backward(torch.tensor(grad_out))
    np.testing.assert_allclose(pool.backward(grad_out), x_t.grad.numpy(), rtol=1e-12, atol=1e-12)
    errors = check_layer(pool, distinct_values(x.shape, rng), rng)
    assert errors["x"] < 1e-7, errors


def test_floor_mode_shows_in_the_repr(rng):
    assert repr(MaxPool2D(2, floor_mode=True)) == "MaxPool2D(2, stride=2, padding=0, floor_mode=True)"
    assert "floor_mode=True" in repr(Conv2D(1, 1, 3, rng, floor_mode=True))
    assert "floor_mode" not in repr(Conv2D(1, 1, 3, rng))

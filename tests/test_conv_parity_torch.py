"""snippets.conv against PyTorch: conv2d and max_pool2d, forward and gradients, in float64."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from snippets.conv import Conv2D, Flatten, MaxPool2D, conv2d_naive, conv2d_naive_backward

# (batch, in_channels, out_channels, kernel_size, stride, padding, height, width)
CONV_CASES = [
    (2, 1, 1, 3, 1, 0, 5, 5),
    (2, 1, 8, 3, 1, 1, 8, 8),
    (3, 3, 4, 3, 2, 1, 9, 7),
    (2, 4, 2, 2, 2, 0, 6, 8),
    (1, 2, 5, 5, 1, 2, 7, 6),
    (2, 3, 3, 4, 2, 1, 6, 10),
    (2, 16, 32, 3, 1, 1, 4, 4),
    (1, 2, 3, 1, 3, 0, 7, 4),
]
# (batch, channels, pool_size, stride, padding, height, width)
POOL_CASES = [
    (2, 1, 2, 2, 0, 8, 8),
    (2, 3, 2, 2, 1, 6, 4),
    (1, 4, 3, 3, 0, 9, 6),
    (2, 2, 3, 2, 1, 7, 9),
    (3, 2, 2, 1, 0, 5, 6),
    (1, 5, 3, 1, 1, 4, 5),
]


def to_torch(array: np.ndarray) -> torch.Tensor:
    return torch.tensor(array, dtype=torch.float64, requires_grad=True)


@pytest.mark.parametrize("case", CONV_CASES, ids=str)
def test_conv2d_matches_torch(case, rng):
    batch, in_ch, out_ch, k, stride, padding, height, width = case
    conv = Conv2D(in_ch, out_ch, k, rng, stride=stride, padding=padding)
    conv.b[:] = rng.standard_normal(out_ch)
    x = rng.standard_normal((batch, in_ch, height, width))

    x_t, W_t, b_t = to_torch(x), to_torch(conv.W), to_torch(conv.b)
    out_t = F.conv2d(x_t, W_t, b_t, stride=stride, padding=padding)
    out = conv.forward(x)
    np.testing.assert_allclose(out, out_t.detach().numpy(), rtol=1e-10, atol=1e-12)

    grad_out = rng.standard_normal(out.shape)
    out_t.backward(torch.tensor(grad_out))
    dx = conv.backward(grad_out)
    np.testing.assert_allclose(dx, x_t.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(conv.dW, W_t.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(conv.db, b_t.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("case", CONV_CASES[:6], ids=str)
def test_naive_loops_match_torch(case, rng):
    batch, in_ch, out_ch, k, stride, padding, height, width = case
    x = rng.standard_normal((batch, in_ch, height, width))
    W = rng.standard_normal((out_ch, in_ch, k, k))
    b = rng.standard_normal(out_ch)
    x_t, W_t, b_t = to_torch(x), to_torch(W), to_torch(b)
    out_t = F.conv2d(x_t, W_t, b_t, stride=stride, padding=padding)
    np.testing.assert_allclose(
        conv2d_naive(x, W, b, stride, padding), out_t.detach().numpy(), rtol=1e-10, atol=1e-12
    )

    grad_out = rng.standard_normal(tuple(out_t.shape))
    out_t.backward(torch.tensor(grad_out))
    dx, dW, db = conv2d_naive_backward(grad_out, x, W, stride, padding)
    np.testing.assert_allclose(dx, x_t.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dW, W_t.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(db, b_t.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("case", POOL_CASES, ids=str)
def test_maxpool2d_matches_torch(case, rng):
    batch, channels, pool_size, stride, padding, height, width = case
    pool = MaxPool2D(pool_size, stride=stride, padding=padding)
    x = rng.standard_normal((batch, channels, height, width))  # continuous values: no ties

    x_t = to_torch(x)
    out_t = F.max_pool2d(x_t, pool_size, stride=stride, padding=padding)
    out = pool.forward(x)
    np.testing.assert_array_equal(out, out_t.detach().numpy())

    grad_out = rng.standard_normal(out.shape)
    out_t.backward(torch.tensor(grad_out))
    np.testing.assert_allclose(pool.backward(grad_out), x_t.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_flatten_matches_torch(rng):
    x = rng.standard_normal((3, 2, 4, 5))
    x_t = to_torch(x)
    out_t = torch.flatten(x_t, start_dim=1)
    flatten = Flatten()
    np.testing.assert_array_equal(flatten.forward(x), out_t.detach().numpy())
    grad_out = rng.standard_normal((3, 40))
    out_t.backward(torch.tensor(grad_out))
    np.testing.assert_array_equal(flatten.backward(grad_out), x_t.grad.numpy())


def test_float32_conv2d_matches_torch(rng):
    conv = Conv2D(1, 8, 3, rng, padding=1, dtype=np.float32)
    x = rng.standard_normal((4, 1, 28, 28)).astype(np.float32)
    x_t = torch.tensor(x, requires_grad=True)
    W_t = torch.tensor(conv.W, requires_grad=True)
    out_t = F.conv2d(x_t, W_t, torch.tensor(conv.b), padding=1)
    out = conv.forward(x)
    np.testing.assert_allclose(out, out_t.detach().numpy(), rtol=1e-5, atol=1e-5)
    out_t.backward(torch.ones_like(out_t))
    conv.backward(np.ones_like(out))
    np.testing.assert_allclose(conv.dW, W_t.grad.numpy(), rtol=1e-4)

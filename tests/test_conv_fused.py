"""ConvReLUPool, the fused fast path of Conv2D + ReLU + MaxPool2D: the same numbers as the three
layers, gradients checked against finite differences and against PyTorch, and fuse_conv_blocks."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from snippets.conv import Conv2D, Flatten, MaxPool2D
from snippets.conv_fused import ConvReLUPool, fuse_conv_blocks
from snippets.gradcheck import check_layer
from snippets.layers import Dense, ReLU, Tanh
from snippets.network import Sequential
from snippets.optim import Adam

# (batch, in_channels, out_channels, kernel_size, padding, pool_size, height, width)
CASES = [
    (2, 1, 3, 3, 1, 2, 8, 8),
    (3, 2, 4, 3, 1, 2, 6, 10),
    (2, 3, 2, 3, 0, 2, 6, 8),
    (1, 2, 3, 5, 2, 2, 4, 6),
    (2, 1, 2, 2, 0, 3, 7, 4),
    (2, 2, 2, 1, 0, 1, 3, 5),
    (2, 4, 3, 3, 2, 4, 6, 6),
]


def three_layers(case, dtype=np.float64, seed=0, input_grad=True):
    """(Conv2D, ReLU, MaxPool2D) of a case, with a bias that is not zero."""
    _, in_ch, out_ch, k, padding, pool, _, _ = case
    rng = np.random.default_rng(seed)
    conv = Conv2D(in_ch, out_ch, k, rng, padding=padding, dtype=dtype, input_grad=input_grad)
    conv.b[:] = rng.standard_normal(out_ch)
    return [conv, ReLU(), MaxPool2D(pool)]


def images(case, rng, dtype=np.float64):
    batch, in_ch, _, _, _, _, height, width = case
    return rng.standard_normal((batch, in_ch, height, width)).astype(dtype)


def forward_backward(layers, x, grad_out):
    out = x
    for layer in layers:
        out = layer.forward(out)
    grad = grad_out
    for layer in reversed(layers):
        grad = layer.backward(grad)
    return out, grad


@pytest.mark.parametrize("case", CASES, ids=str)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_the_block_gives_the_numbers_of_the_three_layers(case, dtype, rng):
    layers = three_layers(case, dtype)
    block = ConvReLUPool(layers[0], layers[2].pool_size)
    x = images(case, rng, dtype)
    expected = layers[0].forward(x)
    expected = layers[2].forward(layers[1].forward(expected))
    grad_out = rng.standard_normal(expected.shape).astype(dtype)
    expected, expected_dx = forward_backward(layers, x, grad_out)
    expected_dW, expected_db = layers[0].dW.copy(), layers[0].db.copy()
    out, dx = forward_backward([block], x, grad_out)
    tolerance = {"rtol": 1e-12, "atol": 1e-12} if dtype == np.float64 else {"rtol": 1e-5, "atol": 1e-5}
    assert out.dtype == dtype
    assert dx.dtype == dtype
    np.testing.assert_allclose(out, expected, **tolerance)
    np.testing.assert_allclose(dx, expected_dx, **tolerance)
    np.testing.assert_allclose(block.dW, expected_dW, **tolerance)
    np.testing.assert_allclose(block.db, expected_db, **tolerance)


def test_ties_send_the_gradient_to_the_first_maximum_as_the_layers_do(rng):
    # Blank images: every window of the convolution holds equal numbers, so only
    # the tie rule decides where the gradient goes; a positive bias lets it through.
    case = (2, 2, 3, 3, 1, 2, 6, 6)
    layers = three_layers(case)
    layers[0].b[:] = [0.5, 1.0, 2.0]
    block = ConvReLUPool(layers[0], 2)
    x = np.zeros((2, 2, 6, 6))
    x[1, :, :3] = 1.0  # and a half-blank one, whose border windows tie too
    grad_out = rng.standard_normal((2, 3, 3, 3))
    _, expected_dx = forward_backward(layers, x, grad_out)
    expected_dW = layers[0].dW.copy()
    _, dx = forward_backward([block], x, grad_out)
    np.testing.assert_allclose(dx, expected_dx, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(block.dW, expected_dW, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_the_gradients_pass_the_finite_difference_check(case, rng):
    layers = three_layers(case)
    block = ConvReLUPool(layers[0], layers[2].pool_size)
    errors = check_layer(block, images(case, rng), rng)
    assert set(errors) == {"x", "W", "b"}
    assert max(errors.values()) < 1e-7, errors


@pytest.mark.parametrize("case", CASES, ids=str)
def test_the_block_matches_torch(case, rng):
    conv, _, pool = three_layers(case)
    block = ConvReLUPool(conv, pool.pool_size)
    x = images(case, rng)
    x_t, W_t, b_t = (torch.tensor(a, requires_grad=True) for a in (x, conv.W, conv.b))
    out_t = F.max_pool2d(F.relu(F.conv2d(x_t, W_t, b_t, padding=conv.padding)), pool.pool_size)
    out = block.forward(x)
    np.testing.assert_allclose(out, out_t.detach().numpy(), rtol=1e-10, atol=1e-12)
    grad_out = rng.standard_normal(out.shape)
    out_t.backward(torch.tensor(grad_out))
    dx = block.backward(grad_out)
    np.testing.assert_allclose(dx, x_t.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(block.dW, W_t.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(block.db, b_t.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_a_first_block_skips_the_input_gradient(rng):
    case = (2, 1, 3, 3, 1, 2, 8, 8)
    full = ConvReLUPool(three_layers(case)[0])
    first = ConvReLUPool(three_layers(case, input_grad=False)[0])
    x = images(case, rng)
    grad_out = rng.standard_normal(full.forward(x).shape)
    first.forward(x)
    assert full.backward(grad_out) is not None
    assert first.backward(grad_out) is None
    np.testing.assert_array_equal(first.dW, full.dW)
    np.testing.assert_array_equal(first.db, full.db)


def test_outputs_and_gradients_survive_the_next_call(rng):
    # The block keeps buffers between batches; what it hands out must not be one of them.
    case = (3, 2, 4, 3, 1, 2, 6, 6)
    block = ConvReLUPool(three_layers(case)[0])
    x1, x2 = images(case, rng), images(case, rng)
    out1 = block.forward(x1)
    dx1 = block.backward(np.ones_like(out1))
    kept_out, kept_dx = out1.copy(), dx1.copy()
    out2 = block.forward(x2)
    block.backward(np.ones_like(out2))
    np.testing.assert_array_equal(out1, kept_out)
    np.testing.assert_array_equal(dx1, kept_dx)


def test_a_new_batch_size_gives_the_same_numbers_as_a_fresh_block(rng):
    case = (4, 2, 3, 3, 1, 2, 6, 8)
    layers = three_layers(case)
    block = ConvReLUPool(layers[0])
    small = images(case, rng)[:1]
    for x in (images(case, rng), small, images(case, rng)):
        grad_out = rng.standard_normal(block.forward(x).shape)
        out, dx = forward_backward([block], x, grad_out)
        expected, expected_dx = forward_backward(layers, x, grad_out)
        np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(dx, expected_dx, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(block.dW, layers[0].dW, rtol=1e-12, atol=1e-12)


def test_backward_answers_the_last_forward(rng):
    case = (2, 2, 3, 3, 1, 2, 6, 6)
    layers = three_layers(case)
    block = ConvReLUPool(layers[0])
    block.forward(images(case, rng))
    x = images(case, rng)
    grad_out = rng.standard_normal(block.forward(x).shape)
    dx = block.backward(grad_out)
    _, expected_dx = forward_backward(layers, x, grad_out)
    np.testing.assert_allclose(dx, expected_dx, rtol=1e-12, atol=1e-12)


def digits_layers(rng, **conv_options):
    return [
        Conv2D(1, 4, 3, rng, padding=1, **conv_options),
        ReLU(),
        MaxPool2D(2),
        Conv2D(4, 6, 3, rng, padding=1),
        ReLU(),
        MaxPool2D(2),
        Flatten(),
        Dense(6 * 2 * 2, 10, rng),
    ]


def test_fuse_conv_blocks_swaps_each_run_and_shares_the_parameters(rng):
    layers = digits_layers(rng)
    fused = fuse_conv_blocks(layers)
    assert [type(layer) for layer in fused] == [ConvReLUPool, ConvReLUPool, Flatten, Dense]
    assert fused[0].W is layers[0].W
    assert fused[0].b is layers[0].b
    assert fused[1].W is layers[3].W
    assert fused[1].b is layers[3].b
    assert fused[2] is layers[6]
    assert fused[3] is layers[7]


@pytest.mark.parametrize(
    "run",
    [
        lambda rng: [Conv2D(1, 2, 3, rng, stride=2, padding=1), ReLU(), MaxPool2D(2)],
        lambda rng: [Conv2D(1, 2, 3, rng, padding=1), Tanh(), MaxPool2D(2)],
        lambda rng: [Conv2D(1, 2, 3, rng, padding=1), ReLU(), MaxPool2D(2, stride=1)],
        lambda rng: [Conv2D(1, 2, 3, rng, padding=1), ReLU(), MaxPool2D(2, padding=1)],
        lambda rng: [Conv2D(1, 2, 3, rng, padding=1), ReLU(), MaxPool2D(2, floor_mode=True)],
        lambda rng: [Conv2D(1, 2, 3, rng, padding=1), MaxPool2D(2), ReLU()],
    ],
    ids=["stride 2", "tanh", "overlapping windows", "pool padding", "floor mode", "pool before relu"],
)
def test_fuse_conv_blocks_leaves_other_runs_alone(run, rng):
    layers = run(rng)
    assert fuse_conv_blocks(layers) == layers


def test_a_fused_model_trains_like_the_layers(rng):
    x = rng.standard_normal((16, 1, 8, 8))
    y = np.eye(10)[rng.integers(0, 10, 16)]
    plain = Sequential(digits_layers(np.random.default_rng(3)))
    fused = Sequential(fuse_conv_blocks(digits_layers(np.random.default_rng(3))))
    losses = {}
    for name, model in (("plain", plain), ("fused", fused)):
        optimizer = Adam(1e-2)
        losses[name] = [model.train_step(x[i : i + 4], y[i : i + 4], optimizer) for i in range(0, 16, 4)]
    np.testing.assert_allclose(losses["fused"], losses["plain"], rtol=1e-10)
    conv_weights = [layer.W for layer in plain.layers if isinstance(layer, Conv2D)]
    fused_weights = [layer.W for layer in fused.layers if isinstance(layer, ConvReLUPool)]
    for ours, theirs in zip(fused_weights, conv_weights, strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)


def test_bad_input_is_refused_with_a_message(rng):
    block = ConvReLUPool(Conv2D(2, 3, 3, rng, padding=1), 2)
    with pytest.raises(ValueError, match=r"ConvReLUPool input must have shape \(batch, 2, height, width\)"):
        block.forward(np.zeros((1, 3, 6, 6)))
    with pytest.raises(ValueError, match="not a multiple of stride 2"):
        block.forward(np.zeros((1, 2, 5, 6)))  # a 5x6 map has no whole number of 2x2 windows
    with pytest.raises(RuntimeError, match="backward called before forward"):
        ConvReLUPool(Conv2D(2, 3, 3, rng)).backward(np.zeros((1, 3, 2, 2)))
    with pytest.raises(ValueError, match="needs a Conv2D of stride 1"):
        ConvReLUPool(Conv2D(2, 3, 3, rng, stride=2))
    with pytest.raises(ValueError, match="pool_size must be an integer >= 1"):
        ConvReLUPool(Conv2D(2, 3, 3, rng), pool_size=0)
    block.forward(np.zeros((1, 2, 6, 6)))
    with pytest.raises(ValueError, match=r"grad_out must have shape \(1, 3, 3, 3\)"):
        block.backward(np.zeros((1, 3, 6, 6)))


@pytest.mark.parametrize("threads", [2, 3])
@pytest.mark.parametrize("input_grad", [True, False])
def test_a_batch_cut_over_threads_gives_the_numbers_of_one_thread(threads, input_grad, rng):
    # batch 5 over 2 or 3 threads: parts of unequal sizes; then batch 1: fewer parts than threads.
    case = (5, 2, 3, 3, 1, 2, 6, 8)
    conv = three_layers(case, input_grad=input_grad)[0]
    one, cut = ConvReLUPool(conv), ConvReLUPool(conv, threads=threads)
    for x in (images(case, rng), images(case, rng)[:1]):
        grad_out = rng.standard_normal(one.forward(x).shape)
        out, dx = forward_backward([one], x, grad_out)
        cut_out, cut_dx = forward_backward([cut], x, grad_out)
        np.testing.assert_array_equal(cut_out, out)
        if input_grad:
            np.testing.assert_array_equal(cut_dx, dx)
        else:
            assert cut_dx is None
        # The parameters' gradients are sums over the batch, added up part by part.
        np.testing.assert_allclose(cut.dW, one.dW, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(cut.db, one.db, rtol=1e-12, atol=1e-12)


def test_fuse_conv_blocks_passes_the_thread_count_on(rng):
    fused = fuse_conv_blocks(digits_layers(rng), threads=2)
    assert [layer.threads for layer in fused if isinstance(layer, ConvReLUPool)] == [2, 2]
    with pytest.raises(ValueError, match="threads must be an integer >= 1"):
        ConvReLUPool(digits_layers(rng)[0], threads=0)

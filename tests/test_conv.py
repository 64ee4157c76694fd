"""snippets.conv and snippets.cnn: gradient checks, naive against vectorised, shapes and errors."""

import numpy as np
import pytest

from snippets.cnn import (
    digits_cnn,
    gram_matrix,
    layer_outputs,
    load_digit_images,
    maximize_activation,
)
from snippets.conv import (
    Conv2D,
    Flatten,
    MaxPool2D,
    col2im,
    conv2d_naive,
    conv2d_naive_backward,
    conv_output_size,
    im2col,
    pad_images,
)
from snippets.data import load_digits_split
from snippets.gradcheck import check_layer
from snippets.layers import Dense, ReLU
from snippets.network import Sequential
from snippets.optim import SGD

# (in_channels, out_channels, kernel_size, stride, padding, height, width)
CONV_CASES = [
    (1, 1, 1, 1, 0, 4, 4),
    (1, 2, 3, 1, 1, 6, 6),
    (3, 4, 3, 2, 1, 7, 7),
    (2, 3, 2, 2, 0, 6, 8),
    (2, 2, 5, 1, 2, 5, 5),
    (3, 2, 3, 3, 0, 9, 6),
    (2, 3, 4, 2, 1, 6, 8),
]
# (pool_size, stride, padding, height, width)
POOL_CASES = [
    (2, 2, 0, 4, 6),
    (3, 3, 0, 6, 9),
    (3, 2, 1, 7, 5),
    (2, 1, 0, 5, 4),
    (3, 1, 1, 4, 4),
    (4, 2, 2, 6, 6),
]


def distinct_values(shape, rng) -> np.ndarray:
    """Values 0.1 apart, shuffled: max pooling then has no ties, even after a 1e-6 nudge."""
    return rng.permutation(int(np.prod(shape))).reshape(shape) * 0.1 - 1.0


def conv_with_bias(case, rng, dtype=np.float64) -> Conv2D:
    in_ch, out_ch, k, stride, padding, _, _ = case
    conv = Conv2D(in_ch, out_ch, k, rng, stride=stride, padding=padding, dtype=dtype)
    conv.b[:] = rng.standard_normal(out_ch)  # a zero bias would hide a bias bug
    return conv


# --- output sizes ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "kernel", "stride", "padding", "expected"),
    [(8, 3, 1, 1, 8), (8, 3, 1, 0, 6), (7, 3, 2, 0, 3), (8, 2, 2, 0, 4), (28, 5, 1, 2, 28), (3, 3, 1, 0, 1)],
)
def test_output_size(size, kernel, stride, padding, expected):
    assert conv_output_size(size, kernel, stride, padding) == expected


def test_output_size_refuses_a_kernel_larger_than_the_padded_input():
    with pytest.raises(
        ValueError, match=r"kernel 5x5 does not fit the padded input: size 2 \+ 2 \* padding 1 = 4"
    ):
        conv_output_size(2, 5, 1, 1)


def test_output_size_requires_exact_division_by_the_stride():
    with pytest.raises(ValueError, match="= 5 is not a multiple of stride 2"):
        conv_output_size(8, 3, 2, 0)


# --- naive loops against the vectorised layer -------------------------------------


@pytest.mark.parametrize("case", CONV_CASES)
def test_vectorised_forward_matches_the_loops(case, rng):
    conv = conv_with_bias(case, rng)
    x = rng.standard_normal((3, case[0], case[5], case[6]))
    expected = conv2d_naive(x, conv.W, conv.b, conv.stride, conv.padding)
    np.testing.assert_allclose(conv.forward(x), expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("case", CONV_CASES)
def test_vectorised_backward_matches_the_loops(case, rng):
    conv = conv_with_bias(case, rng)
    x = rng.standard_normal((3, case[0], case[5], case[6]))
    grad_out = rng.standard_normal(conv.forward(x).shape)
    dx = conv.backward(grad_out)
    naive_dx, naive_dW, naive_db = conv2d_naive_backward(grad_out, x, conv.W, conv.stride, conv.padding)
    np.testing.assert_allclose(dx, naive_dx, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(conv.dW, naive_dW, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(conv.db, naive_db, rtol=1e-12, atol=1e-12)


def test_im2col_columns_are_the_patches(rng):
    x = rng.standard_normal((2, 3, 5, 7))
    columns = im2col(x, 3, 2)  # out_h = 2, out_w = 3
    assert columns.shape == (2, 3 * 9, 2 * 3)
    patch = x[1, :, 2:5, 4:7]  # output position (i, j) = (1, 2): top 2, left 4
    np.testing.assert_array_equal(columns[1, :, 1 * 3 + 2], patch.reshape(-1))


def test_col2im_is_the_adjoint_of_im2col(rng):
    # <im2col(x), c> == <x, col2im(c)> for all x, c: col2im is the exact transpose.
    x = rng.standard_normal((2, 3, 7, 7))
    columns = rng.standard_normal(im2col(x, 3, 2).shape)
    lhs = np.sum(im2col(x, 3, 2) * columns)
    rhs = np.sum(x * col2im(columns, x.shape, 3, 2))
    assert lhs == pytest.approx(rhs, rel=1e-12)


# --- gradient checks (float64, relative error < 1e-7) ------------------------------


@pytest.mark.parametrize("case", CONV_CASES)
def test_conv2d_gradients(case, rng):
    conv = conv_with_bias(case, rng)
    x = rng.standard_normal((2, case[0], case[5], case[6]))
    errors = check_layer(conv, x, rng)
    assert set(errors) == {"x", "W", "b"}
    assert max(errors.values()) < 1e-7, errors


@pytest.mark.parametrize("case", POOL_CASES)
def test_maxpool2d_gradients(case, rng):
    pool_size, stride, padding, height, width = case
    pool = MaxPool2D(pool_size, stride=stride, padding=padding)
    errors = check_layer(pool, distinct_values((2, 3, height, width), rng), rng)
    assert set(errors) == {"x"}
    assert errors["x"] < 1e-7, errors


def test_flatten_gradients(rng):
    errors = check_layer(Flatten(), rng.standard_normal((2, 3, 4, 5)), rng)
    assert errors["x"] < 1e-7, errors


def test_a_small_cnn_gradients_end_to_end(rng):
    model = Sequential(
        [Conv2D(2, 3, 3, rng, padding=1), ReLU(), MaxPool2D(2), Flatten()],
    )

    class Whole:
        """The layers of ``model`` seen as one layer, so check_layer can test the chain."""

        def forward(self, x):
            return model.forward(x)

        def backward(self, grad):
            return model.backward(grad)

        def parameters(self):
            yield from model.layers[0].parameters()

    errors = check_layer(Whole(), distinct_values((2, 2, 4, 4), rng), rng)
    assert max(errors.values()) < 1e-7, errors


# --- shapes, dtypes and behaviour -----------------------------------------------------


def test_conv2d_shapes_and_initialisation(rng):
    conv = Conv2D(3, 8, 5, rng, stride=1, padding=2)
    assert conv.W.shape == (8, 3, 5, 5)
    assert conv.b.shape == (8,)
    assert conv.W.flags.c_contiguous  # optimisers update W in place through reshaped views
    assert conv.W.std() == pytest.approx(np.sqrt(2 / (3 * 25)), rel=0.15)  # He: fan-in is 3 * 5 * 5
    assert conv.forward(rng.standard_normal((4, 3, 10, 12))).shape == (4, 8, 10, 12)


def test_float32_stays_float32(rng):
    conv = Conv2D(2, 4, 3, rng, padding=1, dtype=np.float32)
    x = rng.standard_normal((3, 2, 6, 6)).astype(np.float32)
    out = conv.forward(x)
    dx = conv.backward(np.ones_like(out))
    assert out.dtype == dx.dtype == conv.dW.dtype == conv.db.dtype == np.float32
    pooled = MaxPool2D(2).forward(out)
    assert pooled.dtype == np.float32


def test_maxpool_picks_the_maximum_and_routes_the_gradient_to_it():
    x = np.array([[[[1.0, 5.0, 2.0, 0.0], [3.0, 4.0, 8.0, 7.0], [0.0, 0.0, 1.0, 1.0], [9.0, 0.0, 1.0, 6.0]]]])
    pool = MaxPool2D(2)
    np.testing.assert_array_equal(pool.forward(x), [[[[5.0, 8.0], [9.0, 6.0]]]])
    dx = pool.backward(np.array([[[[10.0, 20.0], [30.0, 40.0]]]]))
    expected = np.zeros_like(x)
    expected[0, 0, 0, 1], expected[0, 0, 1, 2], expected[0, 0, 3, 0], expected[0, 0, 3, 3] = 10, 20, 30, 40
    np.testing.assert_array_equal(dx, expected)


def test_overlapping_pool_windows_add_their_gradients():
    x = np.zeros((1, 1, 3, 3))
    x[0, 0, 1, 1] = 1.0  # the centre wins all four overlapping 2x2 windows
    pool = MaxPool2D(2, stride=1)
    pool.forward(x)
    dx = pool.backward(np.ones((1, 1, 2, 2)))
    assert dx[0, 0, 1, 1] == 4.0
    assert dx.sum() == 4.0


def test_maxpool_ties_go_to_the_first_maximum():
    pool = MaxPool2D(2)
    pool.forward(np.ones((1, 1, 2, 2)))
    np.testing.assert_array_equal(pool.backward(np.ones((1, 1, 1, 1)))[0, 0], [[1.0, 0.0], [0.0, 0.0]])


def test_maxpool_padding_never_wins(rng):
    x = -5.0 - rng.random((1, 2, 4, 4))  # all negative: a zero padding would win everywhere
    out = MaxPool2D(2, stride=2, padding=1).forward(x)
    assert out.shape == (1, 2, 3, 3)
    assert np.all(out < -5.0)


def test_flatten_round_trip(rng):
    x = rng.standard_normal((2, 3, 4, 5))
    flatten = Flatten()
    out = flatten.forward(x)
    assert out.shape == (2, 60)
    np.testing.assert_array_equal(flatten.backward(out), x)


def test_convolution_is_translation_equivariant(rng):
    conv = Conv2D(1, 4, 3, rng, padding=1)
    image = np.zeros((1, 1, 12, 12))
    image[0, 0, 3:7, 2:6] = rng.standard_normal((4, 4))  # away from the borders
    shifted = np.roll(image, (2, 3), axis=(2, 3))
    np.testing.assert_allclose(
        conv.forward(shifted), np.roll(conv.forward(image), (2, 3), axis=(2, 3)), atol=1e-12
    )


def test_a_cnn_learns_in_a_sequential(rng):
    # 4 channels x 2 x 2 = 16 features -> 2 classes
    model = Sequential([Conv2D(1, 4, 3, rng, padding=1), ReLU(), MaxPool2D(2), Flatten(), Dense(16, 2, rng)])
    x = rng.standard_normal((16, 1, 4, 4))
    y = np.eye(2)[(x[:, 0, :2].sum(axis=(1, 2)) > 0).astype(int)]
    optimizer = SGD(0.1)
    first = model.train_step(x, y, optimizer)
    for _ in range(50):
        last = model.train_step(x, y, optimizer)
    assert last < first / 2


def test_digits_cnn_maps_images_to_ten_scores(rng):
    model = digits_cnn(rng)
    outputs = layer_outputs(model.layers, rng.standard_normal((5, 1, 8, 8)))
    shapes = [out.shape for out in outputs]
    assert shapes[0] == (5, 16, 8, 8)
    assert shapes[2] == (5, 16, 4, 4)
    assert shapes[5] == (5, 32, 2, 2)
    assert shapes[-1] == (5, 10)


def test_maximize_activation_finds_the_best_image_of_a_linear_layer(rng):
    # One convolution is linear in its input: the mean of a channel is largest when every
    # pixel with a positive coefficient is at the top of the range and the rest at the bottom.
    conv = Conv2D(1, 3, 3, rng)
    grad = np.zeros((1, 3, 4, 4))
    grad[:, 1] = 1.0 / 16  # d mean(channel 1) / d output
    conv.forward(np.zeros((1, 1, 6, 6)))
    coefficients = conv.backward(grad)  # d mean(channel 1) / d pixel, the same for every input
    best = np.where(coefficients > 0, 2.0, -1.0)
    image = maximize_activation(
        [conv], channel=1, pixel_range=(-1.0, 2.0), rng=rng, shape=(1, 1, 6, 6), steps=1000
    )
    assert image.shape == (1, 1, 6, 6)
    np.testing.assert_allclose(image, best)


def test_gram_matrix(rng):
    maps = rng.standard_normal((2, 3, 4, 5))
    gram = gram_matrix(maps)
    assert gram.shape == (2, 3, 3)
    np.testing.assert_allclose(gram, np.einsum("nchw,ndhw->ncd", maps, maps) / 20)
    np.testing.assert_allclose(gram, gram.transpose(0, 2, 1))
    # The layout is summed away: shuffling the positions leaves the Gram matrix unchanged.
    order = rng.permutation(20)
    shuffled = maps.reshape(2, 3, 20)[:, :, order].reshape(maps.shape)
    np.testing.assert_allclose(gram_matrix(shuffled), gram)


def test_pad_images_pads_only_height_and_width(rng):
    x = rng.standard_normal((2, 3, 4, 5))
    padded = pad_images(x, 2, value=-1.0)
    assert padded.shape == (2, 3, 8, 9)
    assert np.all(padded[:, :, :2] == -1.0)
    np.testing.assert_array_equal(padded[:, :, 2:-2, 2:-2], x)


# --- errors ---------------------------------------------------------------------------


def test_conv2d_rejects_a_wrong_number_of_axes(rng):
    conv = Conv2D(1, 2, 3, rng)
    with pytest.raises(ValueError, match=r"shape \(batch, 1, height, width\), got shape \(8, 8\)"):
        conv.forward(np.zeros((8, 8)))
    with pytest.raises(ValueError, match=r"got shape \(4, 64\)"):
        conv.forward(np.zeros((4, 64)))


def test_conv2d_rejects_a_wrong_channel_count(rng):
    conv = Conv2D(3, 2, 3, rng)
    with pytest.raises(ValueError, match=r"shape \(batch, 3, height, width\), got shape \(2, 1, 8, 8\)"):
        conv.forward(np.zeros((2, 1, 8, 8)))


def test_conv2d_rejects_a_kernel_larger_than_the_padded_input(rng):
    conv = Conv2D(1, 1, 5, rng, padding=0)
    with pytest.raises(ValueError, match="does not fit the padded input"):
        conv.forward(np.zeros((1, 1, 4, 8)))


def test_conv2d_rejects_an_output_size_that_is_not_whole(rng):
    conv = Conv2D(1, 1, 3, rng, stride=2)
    with pytest.raises(ValueError, match="not a multiple of stride 2"):
        conv.forward(np.zeros((1, 1, 8, 8)))


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_layers_reject_nan_and_infinity(bad, rng):
    x = np.zeros((1, 1, 4, 4))
    x[0, 0, 1, 2] = bad
    for layer in (Conv2D(1, 1, 3, rng, padding=1), MaxPool2D(2), Flatten()):
        with pytest.raises(ValueError, match="NaN or infinity"):
            layer.forward(x)


def test_layers_reject_non_numeric_input(rng):
    with pytest.raises(TypeError, match="numeric"):
        Conv2D(1, 1, 3, rng).forward(np.array([["a"]]))


def test_maxpool_rejects_bad_shapes():
    with pytest.raises(ValueError, match=r"\(batch, channels, height, width\), got shape \(4, 4\)"):
        MaxPool2D(2).forward(np.zeros((4, 4)))
    with pytest.raises(ValueError, match="= 5 is not a multiple of stride 2"):
        MaxPool2D(2).forward(np.zeros((1, 1, 7, 8)))
    with pytest.raises(ValueError, match="does not fit"):
        MaxPool2D(3).forward(np.zeros((1, 1, 2, 2)))


def test_maxpool_rejects_padding_over_half_the_window():
    with pytest.raises(ValueError, match="padding must be at most pool_size // 2 = 1, got 2"):
        MaxPool2D(3, padding=2)


def test_flatten_rejects_a_vector():
    with pytest.raises(ValueError, match=r"got shape \(5,\)"):
        Flatten().forward(np.zeros(5))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"in_channels": 0}, "in_channels must be an integer >= 1, got 0"),
        ({"out_channels": 2.0}, "out_channels must be an integer >= 1, got 2.0"),
        ({"kernel_size": -1}, "kernel_size must be an integer >= 1"),
        ({"stride": 0}, "stride must be an integer >= 1"),
        ({"padding": -1}, "padding must be an integer >= 0"),
        ({"init": "zeros"}, "unknown init scheme"),
    ],
)
def test_conv2d_rejects_bad_settings(kwargs, message, rng):
    settings = {"in_channels": 1, "out_channels": 2, "kernel_size": 3, "rng": rng} | kwargs
    with pytest.raises(ValueError, match=message):
        Conv2D(**settings)


def test_backward_before_forward_fails(rng):
    for layer in (Conv2D(1, 2, 3, rng), MaxPool2D(2), Flatten()):
        with pytest.raises(RuntimeError, match="backward called before forward"):
            layer.backward(np.zeros((1, 2, 2, 2)))


def test_backward_rejects_a_gradient_of_the_wrong_shape(rng):
    conv = Conv2D(1, 2, 3, rng, padding=1)
    conv.forward(np.zeros((2, 1, 4, 4)))
    with pytest.raises(
        ValueError, match=r"grad_out must have shape \(2, 2, 4, 4\), got shape \(2, 3, 4, 4\)"
    ):
        conv.backward(np.zeros((2, 3, 4, 4)))
    pool = MaxPool2D(2)
    pool.forward(np.zeros((2, 1, 4, 4)))
    with pytest.raises(
        ValueError, match=r"grad_out must have shape \(2, 1, 2, 2\), got shape \(2, 1, 4, 4\)"
    ):
        pool.backward(np.zeros((2, 1, 4, 4)))
    flatten = Flatten()
    flatten.forward(np.zeros((2, 1, 4, 4)))
    with pytest.raises(ValueError, match=r"grad_out must have shape \(2, 16\), got shape \(2, 8\)"):
        flatten.backward(np.zeros((2, 8)))


def test_gram_matrix_rejects_rows():
    with pytest.raises(ValueError, match=r"feature_maps must have shape \(batch, channels, height, width\)"):
        gram_matrix(np.zeros((3, 4)))


def test_digit_images_are_the_split_of_load_digits_split_scaled_as_a_whole():
    x_train, x_test, y_train, y_test = load_digit_images(np.random.default_rng(5))
    _, _, rows_y_train, rows_y_test = load_digits_split(np.random.default_rng(5))
    assert x_train.shape[1:] == x_test.shape[1:] == (1, 8, 8)
    np.testing.assert_array_equal(y_train, rows_y_train)
    np.testing.assert_array_equal(y_test, rows_y_test)
    assert x_train.mean() == pytest.approx(0.0, abs=1e-12)
    assert x_train.std() == pytest.approx(1.0)
    assert np.unique(x_train).size == 17  # one scale for all pixels: ink levels 0..16 stay 17 values

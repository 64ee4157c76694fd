# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Convolutional networks
#
# This notebook goes with the post *Convolutional neural networks from scratch*. You
# write pieces of a convolutional network, of its feature pictures and of texture
# synthesis yourself, and check each one against the site's `snippets` package. Install
# the package first (`pip install -e .` in a clone of the repository), then run the
# cells in order.
#
# Each exercise has a cell for your answer and a check cell after it. The check raises an
# `AssertionError` if the answer is wrong. The answers filled in below are one solution:
# delete them and write your own.

# %%
# %matplotlib inline
# %config InlineBackend.figure_formats = ["svg"]
import numpy as np
from matplotlib.figure import Figure
from numpy.lib.stride_tricks import sliding_window_view

from snippets.cnn import gram_matrix
from snippets.conv import Conv2D, MaxPool2D, conv_output_size, pad_images
from snippets.features import channel_mean_and_gradient, top_images, train_large_digits, visualise_channel
from snippets.gradcheck import check_layer, numerical_gradient
from snippets.layers import Layer
from snippets.style import RandomFeatures, load_picture, style_loss, synthesise

rng = np.random.default_rng(0)
x = rng.standard_normal((2, 3, 9, 9))  # (batch, channels, height, width)
print(Conv2D(3, 4, kernel_size=3, rng=rng, stride=2, padding=1).forward(x).shape)

# %% [markdown]
# ## Exercise 1: output sizes, strict and floor mode
#
# A kernel of size $k$ slides over an input of height $H$ padded with $p$ zeros on each
# side, moving $s$ pixels at a time: $(H + 2p - k)/s + 1$ positions. Write
# `my_output_size(size, kernel_size, stride, padding, floor_mode=False)`. When $s$ does
# not divide $H + 2p - k$, raise a `ValueError` by default, as this site does; with
# `floor_mode=True`, round down and drop the last rows, as PyTorch and Keras do.

# %%
def my_output_size(size, kernel_size, stride, padding, floor_mode=False):
    room = size + 2 * padding - kernel_size  # how far the kernel can slide
    if room % stride and not floor_mode:
        raise ValueError(f"stride {stride} does not divide {room}; pass floor_mode=True")
    return room // stride + 1


# %%
def outcome(function, *arguments, **options):
    """The function's result, or the kind of error it raised."""
    try:
        return function(*arguments, **options)
    except ValueError:
        return "ValueError"


cases = [(9, 3, 2, 1), (8, 3, 1, 1), (8, 2, 2, 0), (7, 2, 2, 0), (8, 3, 2, 0), (28, 5, 3, 1)]
for size, kernel_size, stride, padding in cases:
    for floor_mode in (False, True):
        expected = outcome(conv_output_size, size, kernel_size, stride, padding, floor_mode=floor_mode)
        answer = outcome(my_output_size, size, kernel_size, stride, padding, floor_mode=floor_mode)
        case = f"size {size}, kernel {kernel_size}, stride {stride}, padding {padding}, floor {floor_mode}"
        assert answer == expected, f"{case}: expected {expected}, got {answer}"
print("Exercise 1 passed.")

# %% [markdown]
# A layer in floor mode uses the same count: a 7×7 map pooled by 2×2 windows gives 3×3,
# and the last row and column are never looked at.

# %%
seven = rng.standard_normal((1, 1, 7, 7))
print(outcome(MaxPool2D(2).forward, seven))
print(MaxPool2D(2, floor_mode=True).forward(seven).shape)

# %% [markdown]
# ## Exercise 2: convolution with `einsum`
#
# `sliding_window_view(x_padded, (k, k), axis=(2, 3))` has shape
# (batch, channels, rows, columns, k, k): every $k \times k$ patch, without a copy. Keep
# every `stride`-th row and column of patches, then contract the channel and the two
# kernel axes with `W` (out_channels, channels, k, k) in one `np.einsum`, and add the bias.
# The result must have shape (batch, out_channels, out_height, out_width), with the
# height counted in floor mode.

# %%
def my_conv2d(x, W, b, stride, padding):
    k = W.shape[2]
    patches = sliding_window_view(pad_images(x, padding), (k, k), axis=(2, 3))[:, :, ::stride, ::stride]
    return np.einsum("ncijuv,ocuv->noij", patches, W, optimize=True) + b[:, None, None]


# %%
for size, stride, padding in [(9, 1, 0), (9, 1, 1), (9, 2, 1), (9, 3, 0), (8, 2, 0), (8, 3, 1)]:
    conv = Conv2D(3, 4, kernel_size=3, rng=rng, stride=stride, padding=padding, floor_mode=True)
    conv.b[:] = rng.standard_normal(4)
    images = rng.standard_normal((2, 3, size, size))
    expected = conv.forward(images)
    answer = my_conv2d(images, conv.W, conv.b, stride, padding)
    case = f"size {size}, stride {stride}, padding {padding}"
    assert answer.shape == expected.shape, f"{case}: shape {answer.shape}, expected {expected.shape}"
    assert np.allclose(answer, expected), f"{case}: the numbers differ from Conv2D"
print("Exercise 2 passed.")

# %% [markdown]
# ## Exercise 3: average pooling, forward and backward
#
# Average pooling replaces each $k \times k$ window (side by side, stride $k$) by its mean.
# Every pixel of a window moved the mean by $1/k^2$ of its own change, so backward hands
# each pixel $1/k^2$ of its window's gradient. Complete the layer; assume the height and
# width are multiples of $k$. The check runs the float64 gradient check.

# %%
class MyAvgPool2D(Layer):
    def __init__(self, k):
        self.k = k

    def forward(self, x):
        batch, channels, height, width = x.shape
        windows = x.reshape(batch, channels, height // self.k, self.k, width // self.k, self.k)
        return windows.mean(axis=(3, 5))

    def backward(self, grad_out):
        share = grad_out / self.k**2
        return np.repeat(np.repeat(share, self.k, axis=2), self.k, axis=3)


# %%
pool_input = rng.standard_normal((2, 3, 6, 4))
out = MyAvgPool2D(2).forward(pool_input)
assert out.shape == (2, 3, 3, 2), f"expected shape (2, 3, 3, 2), got {out.shape}"
window = pool_input[1, 2, 0:2, 2:4]  # the window of output (row 0, column 1)
assert np.isclose(out[1, 2, 0, 1], window.mean()), "each output must be the mean of its window"
errors = check_layer(MyAvgPool2D(2), pool_input, rng)
assert errors["x"] < 1e-7, f"the input gradient is off: relative error {errors['x']:.2e}"
print("Exercise 3 passed: forward and backward agree with finite differences.")

# %% [markdown]
# Max pooling sends the whole gradient to one pixel per window instead:

# %%
pool = MaxPool2D(2)
pool.forward(pool_input)
print(pool.backward(np.ones((2, 3, 3, 2)))[0, 0])

# %% [markdown]
# ## Feature pictures: train the network on 24×24 digits
#
# The post's legible feature pictures come from a network trained on the digits enlarged
# to 24×24: 8 then 16 channels of 3×3, each followed by 2×2 pooling. Training it takes a
# few seconds.

# %%
trained = train_large_digits(seed=0)
up_to_conv2 = trained["model"].layers[:4]  # conv, ReLU, pool, conv: before the 2nd ReLU
print(f"held-out accuracy: {trained['accuracy']:.1%}")

# %% [markdown]
# ## Exercise 4: a jittered gradient
#
# Jitter shifts the image by a few pixels before each gradient step, so that no pattern
# can rely on exact pixel positions. Write `my_jittered_gradient(layers, image, channel,
# rng, jitter)`:
#
# 1. draw the shift with `dy, dx = rng.integers(-jitter, jitter + 1, size=2)`;
# 2. shift the image with `np.roll` over its two last axes;
# 3. take the gradient of the channel's mean with
#    `channel_mean_and_gradient(layers, shifted, channel)` (it returns the mean and the
#    gradient);
# 4. shift the gradient back, so that each value lands on the pixel it belongs to.

# %%
def my_jittered_gradient(layers, image, channel, rng, jitter):
    dy, dx = rng.integers(-jitter, jitter + 1, size=2)
    shifted = np.roll(image, (dy, dx), axis=(2, 3))
    _, grad = channel_mean_and_gradient(layers, shifted, channel)
    return np.roll(grad, (-dy, -dx), axis=(2, 3))


# %%
image = np.random.default_rng(1).normal(0.0, 0.5, size=(1, 1, 24, 24))
_, plain = channel_mean_and_gradient(up_to_conv2, image, 3)
answer = my_jittered_gradient(up_to_conv2, image, 3, np.random.default_rng(0), jitter=0)
assert answer.shape == image.shape, f"the gradient has shape {answer.shape}, the image {image.shape}"
assert np.allclose(answer, plain), "with jitter=0 the gradient must be the plain one"
for seed in range(5):
    dy, dx = np.random.default_rng(seed).integers(-2, 3, size=2)
    _, grad = channel_mean_and_gradient(up_to_conv2, np.roll(image, (dy, dx), axis=(2, 3)), 3)
    answer = my_jittered_gradient(up_to_conv2, image, 3, np.random.default_rng(seed), jitter=2)
    assert np.allclose(answer, np.roll(grad, (-dy, -dx), axis=(2, 3))), (
        f"seed {seed}, shift ({dy}, {dx}): the gradient is not the shifted image's, shifted back"
    )
print("Exercise 4 passed.")

# %% [markdown]
# `visualise_channel` takes such steps, with blur, decay and several starts. Without
# them (no jitter, no blur, no decay, one start), the picture fills with pixel-sized
# noise. Each row: the plain ascent, the regularised one, then the four training digits
# that excite the channel most.

# %%
def picture_rows(channels):
    ink = (float(trained["x_train"].min()), float(trained["x_train"].max()))
    fig = Figure(figsize=(6, 1.3 * len(channels)))
    axes = fig.subplots(len(channels), 6, squeeze=False)
    for index, (row, channel) in enumerate(zip(axes, channels, strict=True)):
        plain, _ = visualise_channel(
            up_to_conv2, channel, np.random.default_rng(channel), jitter=0, sigma=0.0, decay=0.0, starts=1
        )
        legible, _ = visualise_channel(up_to_conv2, channel, np.random.default_rng(channel))
        examples = top_images(up_to_conv2, trained["x_train"], channel)
        pictures = [plain[0, 0], legible[0, 0], *(example[0] for example in examples)]
        titles = ["plain", "regularised", "top digits", "", "", ""]
        for ax, picture, title in zip(row, pictures, titles, strict=True):
            ax.imshow(picture, cmap="gray_r", vmin=ink[0], vmax=ink[1], interpolation="nearest")
            ax.set_title(title if index == 0 else "", fontsize=8)
            ax.set_axis_off()
        row[0].text(-4, 12, f"channel {channel}", rotation=90, va="center", fontsize=8)
    return fig


picture_rows([2, 4])

# %% [markdown]
# ## Exercise 5: a Gram matrix
#
# Lay a layer's maps of one image out as $F$, of shape ($C$, $M$), one row per channel
# and $M = H \times H$ positions. The Gram matrix is $G = F F^\top / M$. For a batch of
# maps of shape (batch, C, H, W), write it with one `np.einsum`.

# %%
def my_gram(maps):
    return np.einsum("nchw,ndhw->ncd", maps, maps) / (maps.shape[2] * maps.shape[3])


# %%
first_maps = np.maximum(rng.standard_normal((3, 8, 5, 6)), 0)  # like maps after a ReLU
assert my_gram(first_maps).shape == (3, 8, 8), "one 8x8 matrix per image"
assert np.allclose(my_gram(first_maps), gram_matrix(first_maps)), "the numbers differ from gram_matrix"
print("Exercise 5 passed.")

# %% [markdown]
# ## Exercise 6: the style loss and its gradient
#
# Texture synthesis matches the Gram matrix $G$ of an image's maps to the style's,
# $S$. For one image and one layer, write `my_style_loss(maps, target)`, with `maps` of
# shape (1, C, H, W) and `target` $S$ of shape (1, C, C). Return the loss
# $\lVert G - S \rVert^2 / \lVert S \rVert^2$ and its gradient with respect to the maps,
# of their shape. Since $G$ and $S$ are symmetric, the gradient of
# $\lVert G - S \rVert^2$ with respect to $F$ is $4 (G - S) F / M$.

# %%
def my_style_loss(maps, target):
    channels, positions = maps.shape[1], maps.shape[2] * maps.shape[3]
    flat = maps.reshape(channels, positions)
    difference = flat @ flat.T / positions - target[0]
    norm = np.sum(target**2)
    loss = np.sum(difference**2) / norm
    grad = 4 * difference @ flat / (positions * norm)
    return loss, grad.reshape(maps.shape)


# %%
style_maps = np.maximum(rng.standard_normal((1, 4, 3, 5)), 0)
maps = rng.standard_normal((1, 4, 3, 5))
target = gram_matrix(style_maps)
loss, grad = my_style_loss(maps, target)
expected_loss, (expected_grad,) = style_loss([maps], [target])
assert np.isclose(loss, expected_loss), f"loss {loss:.6g}, expected {expected_loss:.6g}"
assert np.shape(grad) == maps.shape, f"the gradient has shape {np.shape(grad)}, the maps {maps.shape}"
numeric = numerical_gradient(lambda m: my_style_loss(m, target)[0], maps)
assert np.allclose(grad, numeric, atol=1e-7), "the gradient differs from finite differences"
assert np.allclose(grad, expected_grad), "the gradient differs from snippets.style.style_loss"
print("Exercise 6 passed.")

# %% [markdown]
# ## A texture from random filters
#
# `synthesise` runs L-BFGS on the pixels of a noise image until its Gram matrices, in a
# network of random filters at three scales, match those of a texture. A small picture
# and a few steps keep it quick; the post uses more of both.

# %%
texture_rng = np.random.default_rng(0)
network = RandomFeatures(texture_rng, channels=16)
brick = load_picture("brick", size=48)
noise = texture_rng.uniform(0.0, 1.0, size=brick.shape)
made, losses = synthesise(network, brick, noise, steps=40)
print(f"style loss: {losses[0]:.3f} after the first step, {losses[-1]:.3f} after the last")


def show_texture(style, made, losses):
    """The texture, the synthesised picture and the loss curve; a cell shows its last figure."""
    fig = Figure(figsize=(7, 2.3))
    axes = fig.subplots(1, 3)
    for ax, picture, title in zip(axes[:2], (style, made), ("texture", "synthesised"), strict=True):
        ax.imshow(picture[0, 0], cmap="gray", vmin=0, vmax=1)
        ax.set_title(title, fontsize=9)
        ax.set_axis_off()
    axes[2].semilogy(losses)
    axes[2].set_xlabel("L-BFGS step", fontsize=8)
    axes[2].set_title("style loss", fontsize=9)
    return fig


show_texture(brick, made, losses)

# %% [markdown]
# ## A figure from the post
#
# The feature maps of one held-out digit at every layer, drawn by a function of
# `snippets.figures`.

# %%
from snippets.figures.cnn import feature_maps

feature_maps()

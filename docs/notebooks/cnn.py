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
# write pieces of a convolutional network yourself and check each one against the site's
# `snippets.conv` and `snippets.cnn`. Install the package first (`pip install -e .` in a clone of the
# repository), then run the cells in order.
#
# Each exercise has a cell for your answer and a check cell after it. The check raises an
# `AssertionError` if the answer is wrong. The answers filled in below are one solution:
# delete them and write your own.

# %%
# %matplotlib inline
# %config InlineBackend.figure_formats = ["svg"]
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from snippets.cnn import (
    cnn_vs_mlp_experiment,
    gram_matrix,
    layer_outputs,
    maximize_activation,
)
from snippets.conv import Conv2D, MaxPool2D, pad_images
from snippets.gradcheck import check_layer
from snippets.layers import Layer

rng = np.random.default_rng(0)
x = rng.standard_normal((2, 3, 9, 9))  # (batch, channels, height, width)
print(Conv2D(3, 4, kernel_size=3, rng=rng, stride=2, padding=1).forward(x).shape)

# %% [markdown]
# ## Exercise 1: output sizes
#
# A kernel of size $k$ slides over an input of height $H$ padded with $p$ zeros on each
# side, moving $s$ pixels at a time. Write `my_output_size(size, kernel_size, stride, padding)`:
# how many positions it takes along one axis. (Assume the stride divides what is left.)

# %%
def my_output_size(size, kernel_size, stride, padding):
    return (size + 2 * padding - kernel_size) // stride + 1


# %%
cases = [(9, 3, 2, 1), (8, 3, 1, 1), (8, 2, 2, 0), (10, 5, 1, 0), (28, 4, 4, 0)]
for size, kernel_size, stride, padding in cases:
    layer = Conv2D(1, 1, kernel_size, rng, stride=stride, padding=padding)
    expected = layer.forward(np.zeros((1, 1, size, size))).shape[2]
    answer = my_output_size(size, kernel_size, stride, padding)
    case = f"size {size}, kernel {kernel_size}, stride {stride}, padding {padding}"
    assert answer == expected, f"{case}: expected {expected}, got {answer}"
print("Exercise 1 passed.")

# %% [markdown]
# ## Exercise 2: convolution with `einsum`
#
# `sliding_window_view(x_padded, (k, k), axis=(2, 3))` has shape
# (batch, channels, rows, columns, k, k): every $k \times k$ patch, without a copy. Keep
# every `stride`-th row and column of patches, then contract the channel and the two
# kernel axes with `W` (out_channels, channels, k, k) in one `np.einsum`, and add the bias.
# The result must have shape (batch, out_channels, out_height, out_width).

# %%
def my_conv2d(x, W, b, stride, padding):
    k = W.shape[2]
    patches = sliding_window_view(pad_images(x, padding), (k, k), axis=(2, 3))[:, :, ::stride, ::stride]
    return np.einsum("ncijuv,ocuv->noij", patches, W, optimize=True) + b[:, None, None]


# %%
for stride, padding in [(1, 0), (1, 1), (2, 1), (3, 0)]:
    conv = Conv2D(3, 4, kernel_size=3, rng=rng, stride=stride, padding=padding)
    conv.b[:] = rng.standard_normal(4)
    expected = conv.forward(x)
    answer = my_conv2d(x, conv.W, conv.b, stride, padding)
    case = f"stride {stride}, padding {padding}"
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
        self.shape = x.shape
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
# ## Train the small CNN
#
# `cnn_vs_mlp_experiment` trains the post's CNN and, on the same split, a fully connected
# network, and returns both with their histories. It takes a few seconds.

# %%
results = cnn_vs_mlp_experiment(seed=0)
cnn = results["cnn"]
for name in ("cnn", "mlp"):
    print(f"{name.upper()} held-out accuracy: {results[f'{name}_history']['val_accuracy'][-1]:.1%}")

# %% [markdown]
# ## Exercise 4: what excites a channel?
#
# Pick a channel of the second convolution (0 to 31) and a number of gradient-ascent
# steps for `maximize_activation`, so that your image excites that channel (its mean
# output) more than every one of the held-out digits does. Try 1 step first.

# %%
my_channel = 3
my_steps = 30

# %%
up_to_conv2 = cnn.layers[:4]  # conv, ReLU, pool, conv: the channel before its ReLU
ink = (float(results["x_test"].min()), float(results["x_test"].max()))
best = maximize_activation(up_to_conv2, my_channel, ink, np.random.default_rng(0), steps=my_steps)
yours = layer_outputs(up_to_conv2, best)[-1][0, my_channel].mean()
real = layer_outputs(up_to_conv2, results["x_test"])[-1][:, my_channel].mean(axis=(1, 2))
print(f"channel {my_channel}: {yours:.2f} for your image, at most {real.max():.2f} for a held-out digit")
assert yours > real.max(), "a real digit still beats your image: more steps"
print("Exercise 4 passed.")

# %%
from matplotlib.figure import Figure


def show_image(image):
    """A small figure of one (1, 1, 8, 8) image; a cell shows the figure it ends with."""
    fig = Figure(figsize=(2, 2))
    ax = fig.add_subplot()
    ax.imshow(image[0, 0], cmap="gray_r", vmin=ink[0], vmax=ink[1])
    ax.set_axis_off()
    return fig


show_image(best)

# %% [markdown]
# ## Exercise 5: a Gram matrix
#
# For feature maps $F$ of shape (batch, C, H, W), the Gram matrix is
# $G_{cd} = \frac{1}{HW} \sum_{h,w} F_{c,h,w} F_{d,h,w}$ for each image. Write it with one
# `np.einsum`.

# %%
def my_gram(maps):
    return np.einsum("nchw,ndhw->ncd", maps, maps) / (maps.shape[2] * maps.shape[3])


# %%
first_maps = layer_outputs(cnn.layers[:2], results["x_test"][:3])[-1]  # after conv 1 + ReLU
assert my_gram(first_maps).shape == (3, 16, 16), "one 16x16 matrix per image"
assert np.allclose(my_gram(first_maps), gram_matrix(first_maps)), "the numbers differ from gram_matrix"
print("Exercise 5 passed.")

# %% [markdown]
# ## A figure from the post
#
# The feature maps of one held-out digit at every layer, drawn by a function of
# `snippets.figures`.

# %%
from snippets.figures.cnn import feature_maps

feature_maps()

"""Convolutional layers: Conv2D, MaxPool2D and Flatten, plus the loops they
replace.

Every array of images is laid out (batch, channels, height, width), as in
PyTorch. Kernels and pooling windows are square. An output size must come out
whole: (height + 2 * padding - kernel_size) must be a multiple of the stride, or
the layer raises ``ValueError`` instead of silently dropping the last rows or
columns of the image.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from snippets.checks import (
    as_float_array,
    check_float_dtype,
    check_grad_out,
    check_images,
    check_ndim,
    check_positive_int,
)
from snippets.layers import Layer, init_weights

__all__ = [
    "Conv2D",
    "Flatten",
    "MaxPool2D",
    "col2im",
    "conv2d_naive",
    "conv2d_naive_backward",
    "conv_output_size",
    "im2col",
    "pad_images",
    "unpad_images",
]


# --8<-- [start:output_size]
def conv_output_size(
    size: int, kernel_size: int, stride: int, padding: int
) -> int:
    """Number of positions a kernel takes along one axis of length ``size``.

    The kernel must fit in the padded input, and the stride must divide what is
    left exactly; otherwise the last rows or columns would be silently ignored.
    """
    room = size + 2 * padding - kernel_size  # how far the kernel can slide
    if room < 0:
        raise ValueError(
            f"kernel {kernel_size}x{kernel_size} does not fit the padded "
            "input: "
            f"size {size} + 2 * padding {padding} = {size + 2 * padding} < "
            f"{kernel_size}"
        )
    if room % stride:
        raise ValueError(
            f"(size {size} + 2 * padding {padding} - kernel {kernel_size}) = "
            f"{room} is not a multiple "
            f"of stride {stride}: the output size would not be whole; change "
            "the padding or the stride"
        )
    return room // stride + 1


# --8<-- [end:output_size]


# --8<-- [start:pad]
def pad_images(x: np.ndarray, padding: int, value: float = 0.0) -> np.ndarray:
    """Add ``padding`` rows and columns of ``value`` on every side of each
    image.

    x: (batch, channels, height, width) -> (batch, channels, height + 2p, width
    + 2p).
    """
    if padding == 0:
        return x
    # batch, channels untouched
    pad_width = ((0, 0), (0, 0), (padding, padding), (padding, padding))
    return np.pad(x, pad_width, constant_values=value)


def unpad_images(x: np.ndarray, padding: int) -> np.ndarray:
    """Remove what ``pad_images`` added: the gradient of a padding pixel goes
    nowhere."""
    if padding == 0:
        return x
    return x[:, :, padding:-padding, padding:-padding]


# --8<-- [end:pad]


# --8<-- [start:conv_naive]
def conv2d_naive(
    x: np.ndarray,
    W: np.ndarray,
    b: np.ndarray,
    stride: int = 1,
    padding: int = 0,
) -> np.ndarray:
    """Convolution written as plain loops: one dot product per output number.

    x: (batch, in_channels, height, width), W: (out_channels, in_channels, k,
    k), b: (out_channels,) -> (batch, out_channels, out_height, out_width).
    """
    batch, _, height, width = x.shape
    out_channels, _, kernel_size, _ = W.shape
    out_height = conv_output_size(height, kernel_size, stride, padding)
    out_width = conv_output_size(width, kernel_size, stride, padding)
    x_padded = pad_images(x, padding)
    out = np.zeros(
        (batch, out_channels, out_height, out_width), dtype=np.result_type(x, W)
    )
    for n in range(batch):
        for o in range(out_channels):
            for i in range(out_height):
                for j in range(out_width):
                    top, left = i * stride, j * stride
                    patch = x_padded[
                        n, :, top : top + kernel_size, left : left + kernel_size
                    ]
                    out[n, o, i, j] = np.sum(patch * W[o]) + b[o]
    return out


# --8<-- [end:conv_naive]


# --8<-- [start:conv_naive_backward]
def conv2d_naive_backward(
    grad_out: np.ndarray,
    x: np.ndarray,
    W: np.ndarray,
    stride: int = 1,
    padding: int = 0,
):
    """Gradients of ``conv2d_naive`` by the same loops: returns (dx, dW, db).

    grad_out: (batch, out_channels, out_height, out_width), d loss / d output.
    Each output number was a dot product of W[o] with one patch, so it sends
    grad * W[o] back to that patch and grad * patch to W[o].
    """
    kernel_size = W.shape[2]
    x_padded = pad_images(x, padding)
    dx_padded = np.zeros_like(x_padded)
    dW = np.zeros_like(W)
    batch, out_channels, out_height, out_width = grad_out.shape
    for n in range(batch):
        for o in range(out_channels):
            for i in range(out_height):
                for j in range(out_width):
                    top, left = i * stride, j * stride
                    window = (
                        n,
                        slice(None),
                        slice(top, top + kernel_size),
                        slice(left, left + kernel_size),
                    )
                    dW[o] += grad_out[n, o, i, j] * x_padded[window]
                    # patches overlap: add, never assign
                    dx_padded[window] += grad_out[n, o, i, j] * W[o]
    # b[o] was added to every output of channel o
    db = grad_out.sum(axis=(0, 2, 3))
    return unpad_images(dx_padded, padding), dW, db


# --8<-- [end:conv_naive_backward]


# --8<-- [start:im2col]
def im2col(x_padded: np.ndarray, kernel_size: int, stride: int) -> np.ndarray:
    """Every patch the kernel visits, laid out as the columns of a matrix.

    x_padded: (batch, channels, height, width) -> (batch, channels * k * k,
    out_h * out_w): row (c, u, v) of column (i, j) holds x_padded[:, c, stride *
    i + u, stride * j + v].
    """
    batch, channels = x_padded.shape[:2]
    # A view (nothing copied yet): windows[n, c, i, j] is the k x k patch at (i,
    # j).
    windows = sliding_window_view(
        x_padded, (kernel_size, kernel_size), axis=(2, 3)
    )
    # (batch, channels, out_h, out_w, k, k)
    windows = windows[:, :, ::stride, ::stride]
    out_h, out_w = windows.shape[2:4]
    # The one copy: kernel offsets become rows, output positions the
    # (contiguous) columns.
    columns = windows.transpose(0, 1, 4, 5, 2, 3)
    return columns.reshape(
        batch, channels * kernel_size * kernel_size, out_h * out_w
    )


# --8<-- [end:im2col]


# --8<-- [start:col2im]
def col2im(
    columns: np.ndarray,
    padded_shape: tuple[int, ...],
    kernel_size: int,
    stride: int,
) -> np.ndarray:
    """The reverse bookkeeping of ``im2col``: add each column entry back onto
    its pixel.

    columns: (batch, channels * k * k, out_h * out_w) -> (batch, channels,
    height, width) of ``padded_shape``. Overlapping patches read a pixel several
    times, so it collects the sum of their gradients.
    """
    batch, channels, height, width = padded_shape
    out_h = (height - kernel_size) // stride + 1
    out_w = (width - kernel_size) // stride + 1
    columns = columns.reshape(
        batch, channels, kernel_size, kernel_size, out_h, out_w
    )
    x_padded = np.zeros(padded_shape, dtype=columns.dtype)
    # k * k passes, each over the whole batch and every channel at once: kernel
    # offset (u, v) read the pixels (stride * i + u, stride * j + v) for all
    # output positions (i, j).
    for u in range(kernel_size):
        for v in range(kernel_size):
            rows = slice(u, u + stride * out_h, stride)
            cols = slice(v, v + stride * out_w, stride)
            x_padded[:, :, rows, cols] += columns[:, :, u, v]
    return x_padded


# --8<-- [end:col2im]


class Conv2D(Layer):
    """2-D convolution (cross-correlation, as in every framework), vectorised
    with im2col.

    x: (batch, in_channels, height, width) -> (batch, out_channels, out_height,
    out_width) with out_height = (height + 2 * padding - kernel_size) / stride +
    1, which must be whole (else ``ValueError``); likewise for the width. W:
    (out_channels, in_channels, kernel_size, kernel_size), b: (out_channels,).
    """

    param_names = ("W", "b")

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int,
        rng: np.random.Generator,
        stride: int = 1,
        padding: int = 0,
        init: str = "he",
        dtype=np.float64,
    ):
        self.in_channels = check_positive_int(in_channels, "in_channels")
        self.out_channels = check_positive_int(out_channels, "out_channels")
        self.kernel_size = check_positive_int(kernel_size, "kernel_size")
        self.stride = check_positive_int(stride, "stride")
        self.padding = check_positive_int(padding, "padding", minimum=0)
        dtype = check_float_dtype(dtype)  # integer weights would round to 0
        # Each output sums in_channels * k * k products: that is the fan-in He
        # scaling needs.
        fan_in = in_channels * kernel_size * kernel_size
        # (out_channels, fan_in)
        weights = init_weights(fan_in, out_channels, rng, init).T
        weights = weights.reshape(
            out_channels, in_channels, kernel_size, kernel_size
        )
        # contiguous: W.reshape is then a view
        self.W = np.ascontiguousarray(weights, dtype=dtype)
        self.b = np.zeros(out_channels, dtype=dtype)
        self._cache = None

    # --8<-- [start:conv_forward]
    def forward(self, x: np.ndarray) -> np.ndarray:
        x = as_float_array(x)
        check_images(x, self.in_channels, "Conv2D")
        batch, _, height, width = x.shape
        out_h = conv_output_size(
            height, self.kernel_size, self.stride, self.padding
        )
        out_w = conv_output_size(
            width, self.kernel_size, self.stride, self.padding
        )
        x_padded = pad_images(x, self.padding)
        # (batch, K, out_h * out_w)
        columns = im2col(x_padded, self.kernel_size, self.stride)
        # (out_channels, K), K = in_ch * k * k
        kernels = self.W.reshape(self.out_channels, -1)
        # one matrix product per image: (batch, out_channels, out_h * out_w)
        out = kernels @ columns
        out += self.b[:, None]
        out_shape = (batch, self.out_channels, out_h, out_w)
        self._cache = (x_padded.shape, columns, out_shape)
        return out.reshape(out_shape)

    # --8<-- [end:conv_forward]

    # --8<-- [start:conv_backward]
    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        self._require_forward(self._cache)
        padded_shape, columns, out_shape = self._cache
        grad_out = check_grad_out(grad_out, out_shape)
        batch, out_channels = out_shape[:2]
        # (batch, out_channels, out_h * out_w)
        grad = grad_out.reshape(batch, out_channels, -1)
        # b[o] was added at every position of every image
        self.db = grad.sum(axis=(0, 2))
        # As in Dense: out = kernels @ columns, so d kernels = grad @ columns^T,
        # summed over images.
        self.dW = (
            (grad @ columns.transpose(0, 2, 1))
            .sum(axis=0)
            .reshape(self.W.shape)
        )
        # (batch, K, out_h * out_w)
        grad_columns = self.W.reshape(out_channels, -1).T @ grad
        grad_padded = col2im(
            grad_columns, padded_shape, self.kernel_size, self.stride
        )
        return unpad_images(grad_padded, self.padding)

    # --8<-- [end:conv_backward]

    def __repr__(self) -> str:
        return (
            f"Conv2D({self.in_channels}, {self.out_channels}, "
            f"kernel_size={self.kernel_size}, "
            f"stride={self.stride}, padding={self.padding})"
        )


class MaxPool2D(Layer):
    """Max pooling over square windows; no parameters.

    x: (batch, channels, height, width) -> (batch, channels, out_height,
    out_width), out_height = (height + 2 * padding - pool_size) / stride + 1,
    which must be whole. ``stride`` defaults to ``pool_size`` (windows side by
    side, no overlap). Padding counts as minus infinity, so it never wins; it
    may be at most pool_size // 2, so that every window holds a real pixel. Ties
    go to the first maximum in the window.
    """

    def __init__(
        self, pool_size: int = 2, stride: int | None = None, padding: int = 0
    ):
        self.pool_size = check_positive_int(pool_size, "pool_size")
        self.stride = (
            self.pool_size
            if stride is None
            else check_positive_int(stride, "stride")
        )
        self.padding = check_positive_int(padding, "padding", minimum=0)
        if self.padding > self.pool_size // 2:
            raise ValueError(
                "padding must be at most pool_size // 2 = "
                f"{self.pool_size // 2}, got {padding}: "
                "a window of padding alone would have no maximum"
            )
        self._cache = None

    # --8<-- [start:pool_forward]
    def forward(self, x: np.ndarray) -> np.ndarray:
        x = as_float_array(x)
        check_ndim(x, 4, "(batch, channels, height, width)")
        k, stride = self.pool_size, self.stride
        out_h = conv_output_size(x.shape[2], k, stride, self.padding)
        out_w = conv_output_size(x.shape[3], k, stride, self.padding)
        x_padded = pad_images(x, self.padding, value=-np.inf)
        windows = sliding_window_view(x_padded, (k, k), axis=(2, 3))[
            :, :, ::stride, ::stride
        ]
        # (batch, channels, out_h, out_w, k * k)
        flat_windows = windows.reshape(*windows.shape[:4], k * k)
        # which of the k * k pixels was the largest
        winner = flat_windows.argmax(axis=-1)
        out = np.take_along_axis(flat_windows, winner[..., None], axis=-1)[
            ..., 0
        ]
        self._cache = (x_padded.shape, winner, (out_h, out_w))
        return out

    # --8<-- [end:pool_forward]

    # --8<-- [start:pool_backward]
    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        self._require_forward(self._cache)
        padded_shape, winner, (out_h, out_w) = self._cache
        grad_out = check_grad_out(grad_out, (*padded_shape[:2], out_h, out_w))
        k, stride = self.pool_size, self.stride
        grad_padded = np.zeros(padded_shape, dtype=grad_out.dtype)
        # Only the winner of each window affected the output, so only it gets
        # gradient. k * k passes, one per position in the window; overlapping
        # windows add up.
        for u in range(k):
            for v in range(k):
                # (batch, channels, out_h, out_w)
                won_here = winner == u * k + v
                rows = slice(u, u + stride * out_h, stride)
                cols = slice(v, v + stride * out_w, stride)
                grad_padded[:, :, rows, cols] += np.where(
                    won_here, grad_out, 0.0
                )
        return unpad_images(grad_padded, self.padding)

    # --8<-- [end:pool_backward]

    def __repr__(self) -> str:
        return (
            f"MaxPool2D({self.pool_size}, stride={self.stride}, "
            f"padding={self.padding})"
        )


# --8<-- [start:flatten]
class Flatten(Layer):
    """(batch, d1, d2, ...) -> (batch, d1 * d2 * ...): feature maps become one
    row per image."""

    def __init__(self):
        self._shape = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = as_float_array(x)
        if x.ndim < 2:
            raise ValueError(
                "x must have shape (batch, ...) with at least 2 axes, got "
                f"shape {x.shape}"
            )
        self._shape = x.shape
        # the size, not -1: an empty batch has no size to infer it from
        return x.reshape(x.shape[0], int(np.prod(x.shape[1:])))

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        self._require_forward(self._shape)
        expected = (self._shape[0], int(np.prod(self._shape[1:])))
        grad_out = check_grad_out(grad_out, expected)
        # the same numbers, back in their places
        return grad_out.reshape(self._shape)


# --8<-- [end:flatten]

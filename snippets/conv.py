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
    "col2im_rows",
    "conv2d_naive",
    "conv2d_naive_backward",
    "conv_output_size",
    "im2col",
    "im2col_rows",
    "pad_images",
    "unpad_images",
    "window_slice",
]


# --8<-- [start:output_size]
def conv_output_size(
    size: int,
    kernel_size: int,
    stride: int,
    padding: int,
    floor_mode: bool = False,
) -> int:
    """Number of positions a kernel takes along one axis of length ``size``.

    The kernel must fit in the padded input. By default the stride must divide
    what is left exactly, or the last rows or columns would be silently
    ignored; ``floor_mode=True`` rounds down and drops them, as PyTorch and
    Keras do.
    """
    room = size + 2 * padding - kernel_size  # how far the kernel can slide
    if room < 0:
        raise ValueError(
            f"kernel {kernel_size}x{kernel_size} does not fit the padded "
            "input: "
            f"size {size} + 2 * padding {padding} = {size + 2 * padding} < "
            f"{kernel_size}"
        )
    if room % stride and not floor_mode:
        raise ValueError(
            f"(size {size} + 2 * padding {padding} - kernel {kernel_size}) = "
            f"{room} is not a multiple "
            f"of stride {stride}: the output size would not be whole; change "
            "the padding or the stride, or pass floor_mode=True to drop the "
            f"last {room % stride} row(s)"
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


# --8<-- [start:window_slice]
def window_slice(offset: int, stride: int, count: int) -> slice:
    """Where pixel ``offset`` of each of ``count`` windows sits along one axis.

    Window i starts at stride * i; its pixel ``offset`` is stride * i + offset.
    """
    return slice(offset, offset + stride * count, stride)


# --8<-- [end:window_slice]


# --8<-- [start:rows]
def im2col_rows(x_padded: np.ndarray, kernel_size: int) -> np.ndarray:
    """Stride-1 im2col that copies long rows: the fast path of ``Conv2D``.

    x_padded: (batch, C, height, width);
    returns: (batch, C * k * k, out_h * width).
    Each image is read as one long row of height * width pixels, so the
    pixel at offset (u, v) of the patch at (i, j) sits u * width + v after
    the patch's corner: one slice of the long row per offset, k * k slices
    in all. Column i * width + j is the patch at (i, j) for j < out_w; the
    other columns wrap around the right edge and are dropped later.
    """
    batch, channels, height, width = x_padded.shape
    k = kernel_size
    out_h = height - k + 1
    pixels = x_padded.reshape(batch, channels, height * width)
    length = out_h * width
    columns = np.empty((batch, channels, k, k, length), x_padded.dtype)
    for u in range(k):
        for v in range(k):
            start = u * width + v
            # The last offsets run past the last pixel: fill with zeros.
            stop = min(start + length, height * width)
            columns[:, :, u, v, : stop - start] = pixels[:, :, start:stop]
            columns[:, :, u, v, stop - start :] = 0.0
    return columns.reshape(batch, channels * k * k, length)


# --8<-- [end:rows]


# --8<-- [start:rows_backward]
def col2im_rows(
    columns: np.ndarray,
    padded_shape: tuple[int, ...],
    kernel_size: int,
) -> np.ndarray:
    """The reverse of ``im2col_rows``: add each column entry back onto its
    pixel.

    columns: (batch, C * k * k, out_h * width) -> (batch, C, height, width).
    The wrapped-around columns must hold zeros: they belong to no patch.
    """
    batch, channels, height, width = padded_shape
    k = kernel_size
    columns = columns.reshape(batch, channels, k, k, -1)
    pixels = np.zeros((batch, channels, height * width), dtype=columns.dtype)
    for u in range(k):
        for v in range(k):
            start = u * width + v
            stop = min(start + columns.shape[-1], height * width)
            pixels[:, :, start:stop] += columns[:, :, u, v, : stop - start]
    return pixels.reshape(padded_shape)


# --8<-- [end:rows_backward]


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
        input_grad: bool = True,
        floor_mode: bool = False,
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
        # A first layer's input is the data, whose gradient nobody uses: with
        # input_grad=False, backward skips it and returns None (as PyTorch
        # does for a tensor that does not require grad).
        self.input_grad = bool(input_grad)
        self.floor_mode = bool(floor_mode)  # drop what a stride cannot reach
        self._cache = None

    # --8<-- [start:conv_forward]
    def forward(self, x: np.ndarray) -> np.ndarray:
        x = as_float_array(x)
        check_images(x, self.in_channels, "Conv2D")
        batch, _, height, width = x.shape
        k, stride, pad = self.kernel_size, self.stride, self.padding
        out_h = conv_output_size(height, k, stride, pad, self.floor_mode)
        out_w = conv_output_size(width, k, stride, pad, self.floor_mode)
        x_padded = pad_images(x, pad)
        if stride == 1:  # the same numbers, faster: see "Making it fast"
            return self._forward_rows(x_padded, out_w)
        # (batch, K, out_h * out_w)
        columns = im2col(x_padded, k, stride)
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
    def backward(self, grad_out: np.ndarray) -> np.ndarray | None:
        self._require_forward(self._cache)
        padded_shape, columns, out_shape = self._cache
        grad_out = check_grad_out(grad_out, out_shape)
        if self.stride == 1:
            return self._backward_rows(grad_out)
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
        if not self.input_grad:
            return None
        # (batch, K, out_h * out_w)
        grad_columns = self.W.reshape(out_channels, -1).T @ grad
        grad_padded = col2im(
            grad_columns, padded_shape, self.kernel_size, self.stride
        )
        return unpad_images(grad_padded, self.padding)

    # --8<-- [end:conv_backward]

    # --8<-- [start:conv_rows]
    def _forward_rows(self, x_padded: np.ndarray, out_w: int) -> np.ndarray:
        """Stride 1: the product over long rows, then drop the wrapped-around
        columns."""
        batch, _, height, width = x_padded.shape
        out_h = height - self.kernel_size + 1
        # (batch, K, out_h * width)
        columns = im2col_rows(x_padded, self.kernel_size)
        out = self.W.reshape(self.out_channels, -1) @ columns
        out += self.b[:, None]
        out_shape = (batch, self.out_channels, out_h, out_w)
        self._cache = (x_padded.shape, columns, out_shape)
        out = out.reshape(batch, self.out_channels, out_h, width)
        return out[..., :out_w]  # a view: no copy

    def _backward_rows(self, grad_out: np.ndarray) -> np.ndarray | None:
        padded_shape, columns, (batch, out_channels, out_h, out_w) = self._cache
        width = padded_shape[3]
        # The wrapped-around columns made no output: their gradient is zero.
        grad = np.empty((batch, out_channels, out_h, width), grad_out.dtype)
        grad[..., :out_w] = grad_out
        grad[..., out_w:] = 0.0
        grad = grad.reshape(batch, out_channels, out_h * width)
        self.db = grad.sum(axis=(0, 2))
        self.dW = (
            (grad @ columns.transpose(0, 2, 1))
            .sum(axis=0)
            .reshape(self.W.shape)
        )
        if not self.input_grad:
            return None
        grad_columns = self.W.reshape(out_channels, -1).T @ grad
        grad_padded = col2im_rows(grad_columns, padded_shape, self.kernel_size)
        return unpad_images(grad_padded, self.padding)

    # --8<-- [end:conv_rows]

    def __repr__(self) -> str:
        return (
            f"Conv2D({self.in_channels}, {self.out_channels}, "
            f"kernel_size={self.kernel_size}, "
            f"stride={self.stride}, padding={self.padding}"
            + (", floor_mode=True)" if self.floor_mode else ")")
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
        self,
        pool_size: int = 2,
        stride: int | None = None,
        padding: int = 0,
        floor_mode: bool = False,
    ):
        self.pool_size = check_positive_int(pool_size, "pool_size")
        self.floor_mode = bool(floor_mode)  # drop what no window covers
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
        k, stride, floor = self.pool_size, self.stride, self.floor_mode
        out_h = conv_output_size(x.shape[2], k, stride, self.padding, floor)
        out_w = conv_output_size(x.shape[3], k, stride, self.padding, floor)
        x_padded = pad_images(x, self.padding, value=-np.inf)
        # The pixels at offset (u, v) of every window form one strided view, so
        # k * k passes cover all windows of all images and channels.
        out = None
        for u in range(k):
            for v in range(k):
                rows = window_slice(u, stride, out_h)
                cols = window_slice(v, stride, out_w)
                pixels = x_padded[:, :, rows, cols]  # (batch, C, out_h, out_w)
                if out is None:
                    out = pixels.copy()
                else:
                    np.maximum(out, pixels, out=out)
        self._cache = (x_padded, out)
        return out

    # --8<-- [end:pool_forward]

    # --8<-- [start:pool_backward]
    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        self._require_forward(self._cache)
        x_padded, out = self._cache
        grad_out = check_grad_out(grad_out, out.shape)
        k, stride = self.pool_size, self.stride
        out_h, out_w = out.shape[2:]
        grad_padded = np.zeros(x_padded.shape, dtype=grad_out.dtype)
        # Only the winner of each window reached the output, so only it gets
        # gradient. The first pixel equal to the maximum wins (PyTorch breaks
        # ties the same way); it claims its window: a later equal pixel gets 0.
        unclaimed = np.ones(out.shape, dtype=bool)
        won = np.empty(out.shape, dtype=bool)
        for u in range(k):
            for v in range(k):
                rows = window_slice(u, stride, out_h)
                cols = window_slice(v, stride, out_w)
                np.equal(x_padded[:, :, rows, cols], out, out=won)
                won &= unclaimed
                unclaimed ^= won  # won is inside unclaimed: removes the winners
                target = grad_padded[:, :, rows, cols]  # a view: writes land
                if stride >= k:  # windows apart: each pixel is in one window
                    np.multiply(grad_out, won, out=target)
                else:  # overlapping windows share pixels: add, never assign
                    target += grad_out * won
        return unpad_images(grad_padded, self.padding)

    # --8<-- [end:pool_backward]

    def __repr__(self) -> str:
        return (
            f"MaxPool2D({self.pool_size}, stride={self.stride}, "
            f"padding={self.padding}"
            + (", floor_mode=True)" if self.floor_mode else ")")
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

"""Convolution, ReLU and max pooling as one layer: the fast path of the
common CNN block.

``ConvReLUPool`` computes exactly what ``Conv2D`` (stride 1), ``ReLU`` and
``MaxPool2D`` compute one after the other, with the same parameters, and
fewer passes over the large arrays:

- Max pooling and ``x -> max(x + b, 0)`` commute, since the second is
  non-decreasing. So the block pools the convolution before its bias, and adds
  the bias and applies the ReLU to the pooled maps, a quarter of the size for
  2x2 windows.
- Its backward pass sends each pooled gradient straight to the winning
  position of the convolution's output, where the ReLU's gradient was already
  applied on the small maps.
- With several input channels the block copies no im2col columns: the
  convolution is a sum over the kernel's k * k offsets of W[:, :, u, v] times
  the padded long rows shifted by that offset, each shift a slice read in
  place (``ConvReLUPool.shifted``). Its backward pass is offset by offset too.
- The padded input, the columns and the gradient of the convolution's output
  live in buffers kept from one batch to the next: their zero borders are
  written once.

``fuse_conv_blocks`` swaps each (Conv2D, ReLU, MaxPool2D) run of a layer list
for the block, sharing the convolution's ``W`` and ``b``. Ties in a window go
to the first maximum, as in ``MaxPool2D`` and PyTorch.

With ``threads`` > 1 a block cuts each batch into that many parts and runs
them on as many threads (``ConvReLUPool.threads``): NumPy lets go of Python's
lock inside its matrix products and array passes, so the parts run at once.
The block's many small per-image products gain more so than from BLAS threads,
which share out each small product.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from functools import cache

import numpy as np

from snippets.checks import (
    as_float_array,
    check_grad_out,
    check_images,
    check_positive_int,
)
from snippets.conv import (
    Conv2D,
    MaxPool2D,
    col2im_rows,
    conv_output_size,
    window_slice,
)
from snippets.layers import Layer, ReLU

__all__ = ["ConvReLUPool", "fuse_conv_blocks", "kernel_offsets"]


def kernel_offsets(
    kernel_size: int, row_width: int
) -> list[tuple[int, int, int]]:
    """(u, v, start) of each kernel offset: in a long row of images
    ``row_width`` wide, the pixel at offset (u, v) of the patch at (i, j) sits
    u * row_width + v after the patch's corner, i * row_width + j."""
    return [
        (u, v, u * row_width + v)
        for u in range(kernel_size)
        for v in range(kernel_size)
    ]


class ConvReLUPool(Layer):
    """MaxPool2D(pool_size)(ReLU(conv(x))) for a stride-1 ``conv``, in one
    layer.

    x: (batch, in_channels, height, width) -> (batch, out_channels,
    out_height // pool_size, out_width // pool_size), where out_height and
    out_width are the convolution's output size: both must be multiples of
    ``pool_size`` (windows side by side, no padding). ``W`` and ``b`` are the
    convolution's own arrays: a step on the block moves the convolution too.
    """

    param_names = ("W", "b")

    def __init__(self, conv: Conv2D, pool_size: int = 2, threads: int = 1):
        if not isinstance(conv, Conv2D) or conv.stride != 1:
            raise ValueError(
                f"ConvReLUPool needs a Conv2D of stride 1, got {conv!r}"
            )
        self.conv = conv
        self.W, self.b = conv.W, conv.b
        self.pool_size = check_positive_int(pool_size, "pool_size")
        self.threads = check_positive_int(threads, "threads")
        self.input_grad = conv.input_grad
        # With one input channel, each shifted product would have an inner
        # size of 1, which BLAS cannot speed up: copy im2col's columns
        # instead, k * k times the input, and take one product.
        self.shifted = conv.in_channels > 1
        self._buffers: dict[str, np.ndarray] = {}
        self._cache = None
        # One single-threaded block per thread, on the same parameters, each
        # with buffers of its own.
        self._parts = (
            [ConvReLUPool(conv, pool_size) for _ in range(self.threads)]
            if self.threads > 1
            else []
        )
        self._split = None  # how many parts the last batch was cut into
        self._out_shape = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        if not self._parts:
            return self._forward(x)
        # Checked whole, so that an error names the batch's shape and index.
        x = as_float_array(x)
        check_images(x, self.conv.in_channels, "ConvReLUPool")
        chunks = np.array_split(x, min(self.threads, len(x)))
        self._split = len(chunks)
        parts = self._parts[: self._split]
        outs = _pool(self.threads).map(ConvReLUPool._forward, parts, chunks)
        out = np.concatenate(list(outs))
        self._out_shape = out.shape
        return out

    def backward(self, grad_out: np.ndarray) -> np.ndarray | None:
        if not self._parts:
            return self._backward(grad_out)
        self._require_forward(self._split)
        parts = self._parts[: self._split]
        grad_out = check_grad_out(grad_out, self._out_shape)
        chunks = np.array_split(grad_out, self._split)
        grads = list(
            _pool(self.threads).map(ConvReLUPool._backward, parts, chunks)
        )
        self.dW = sum(part.dW for part in parts)
        self.db = sum(part.db for part in parts)
        return None if grads[0] is None else np.concatenate(grads)

    def _buffer(self, name: str, shape: tuple, dtype) -> np.ndarray:
        """A zeroed array kept between calls; new when the shape changes.

        Parts that no pass writes (the padding, the wrapped-around columns)
        stay zero for good."""
        array = self._buffers.get(name)
        if array is None or array.shape != shape or array.dtype != dtype:
            array = self._buffers[name] = np.zeros(shape, dtype)
        return array

    def _forward(self, x: np.ndarray) -> np.ndarray:
        x = as_float_array(x)
        check_images(x, self.conv.in_channels, "ConvReLUPool")
        batch, channels, height, width = x.shape
        k, pad, q = self.conv.kernel_size, self.conv.padding, self.pool_size
        out_h = conv_output_size(height, k, 1, pad)
        out_w = conv_output_size(width, k, 1, pad)
        pooled_h = conv_output_size(out_h, q, q, 0)
        pooled_w = conv_output_size(out_w, q, q, 0)
        dtype = np.result_type(x, self.W)
        padded_h, padded_w = height + 2 * pad, width + 2 * pad
        # Each image as one long row, with k - 1 zeros after it: the last
        # kernel offsets of the wrapped-around columns read them.
        pixels = padded_h * padded_w
        flat = self._buffer("padded", (batch, channels, pixels + k - 1), dtype)
        inside = flat[:, :, :pixels].reshape(
            batch, channels, padded_h, padded_w
        )
        inside[:, :, pad : pad + height, pad : pad + width] = x
        length = out_h * padded_w
        # The convolution without its bias, which is added after pooling.
        conv = self._buffer(
            "conv", (batch, self.conv.out_channels, length), dtype
        )
        if self.shifted:
            source = flat  # what backward multiplies the gradient with
            self._shifted_products(flat, padded_w, conv)
        else:
            source = self._columns(flat, padded_w, length)
            kernels = self.W.reshape(self.conv.out_channels, -1)
            np.matmul(kernels, source, out=conv)
        conv = conv.reshape(batch, -1, out_h, padded_w)
        # Pool first: max over each window of the k x k offsets' views.
        views = [
            conv[
                :,
                :,
                window_slice(u, q, pooled_h),
                window_slice(v, q, pooled_w),
            ]
            for u in range(q)
            for v in range(q)
        ]
        pooled = np.maximum(views[0], views[1]) if q > 1 else views[0].copy()
        for view in views[2:]:
            np.maximum(pooled, view, out=pooled)
        # Then bias and ReLU on the pooled maps only.
        out = pooled + self.b[:, None, None]
        np.maximum(out, 0, out=out)
        active = out > 0  # where the ReLU passes the gradient
        self._cache = (x.shape, source, views, pooled, active)
        return out

    def _columns(self, flat, padded_w: int, length: int) -> np.ndarray:
        """im2col over long rows, as ``im2col_rows``, into a kept buffer:
        (batch, C, height * padded_w + k - 1) -> (batch, C * k * k, length)."""
        batch, channels = flat.shape[:2]
        k = self.conv.kernel_size
        columns = self._buffer(
            "columns", (batch, channels, k, k, length), flat.dtype
        )
        for u, v, start in kernel_offsets(k, padded_w):
            columns[:, :, u, v] = flat[:, :, start : start + length]
        return columns.reshape(batch, channels * k * k, length)

    def _shifted_products(self, flat, padded_w: int, conv) -> None:
        """conv = the sum over kernel offsets (u, v) of W[:, :, u, v] times
        the long rows shifted by that offset: no columns are copied.

        flat: (batch, C, pixels + k - 1); conv: (batch, out_channels,
        length), overwritten."""
        length, k = conv.shape[2], self.conv.kernel_size
        term = self._buffer("term", conv.shape, conv.dtype)
        for index, (u, v, start) in enumerate(kernel_offsets(k, padded_w)):
            shifted = flat[:, :, start : start + length]
            target = conv if index == 0 else term
            np.matmul(self.W[:, :, u, v], shifted, out=target)
            if index > 0:
                conv += term

    def _backward(self, grad_out: np.ndarray) -> np.ndarray | None:
        self._require_forward(self._cache)
        x_shape, source, views, pooled, active = self._cache
        grad_out = check_grad_out(grad_out, active.shape)
        batch, channels, height, width = x_shape
        k, pad, q = self.conv.kernel_size, self.conv.padding, self.pool_size
        out_channels = self.conv.out_channels
        grad = grad_out * active  # through the ReLU
        self.db = grad.sum(axis=(0, 2, 3))
        padded_h, padded_w = height + 2 * pad, width + 2 * pad
        out_h = padded_h - k + 1
        length = out_h * padded_w
        # The wrapped-around columns made no output: they stay zero.
        grad_conv = self._buffer(
            "grad_conv", (batch, out_channels, length), grad.dtype
        )
        grad_windows = grad_conv.reshape(batch, out_channels, out_h, padded_w)
        pooled_h, pooled_w = pooled.shape[2:]
        # Each window's gradient goes to its first maximum: ``unclaimed``
        # marks the windows whose maximum is not yet found.
        unclaimed = None
        for index, view in enumerate(views):
            u, v = divmod(index, q)
            if index == len(views) - 1:
                won = unclaimed if unclaimed is not None else True
            else:
                won = view == pooled
                if unclaimed is None:
                    unclaimed = ~won
                else:
                    won &= unclaimed
                    unclaimed ^= won
            target = grad_windows[
                :,
                :,
                window_slice(u, q, pooled_h),
                window_slice(v, q, pooled_w),
            ]
            np.multiply(grad, won, out=target)
        if self.shifted:
            self.dW = self._shifted_kernel_grad(grad_conv, source, padded_w)
        else:
            self.dW = (
                (grad_conv @ source.transpose(0, 2, 1))
                .sum(axis=0)
                .reshape(self.W.shape)
            )
        if not self.input_grad:
            return None
        padded_shape = (batch, channels, padded_h, padded_w)
        if self.shifted:
            grad_padded = self._shifted_input_grad(grad_conv, padded_shape)
        else:
            kernels = self.W.reshape(out_channels, -1)
            grad_columns = kernels.T @ grad_conv
            grad_padded = col2im_rows(grad_columns, padded_shape, k)
        return grad_padded[:, :, pad : pad + height, pad : pad + width]

    def _shifted_kernel_grad(self, grad_conv, flat, padded_w: int):
        """d loss / d W: for each offset (u, v), the output's gradient times
        the long rows shifted by it, summed over the batch.

        grad_conv: (batch, out_channels, length) -> W's shape."""
        length, k = grad_conv.shape[2], self.conv.kernel_size
        grad_kernels = np.empty(self.W.shape, grad_conv.dtype)
        for u, v, start in kernel_offsets(k, padded_w):
            shifted = flat[:, :, start : start + length]
            grad_kernels[:, :, u, v] = (
                grad_conv @ shifted.transpose(0, 2, 1)
            ).sum(axis=0)
        return grad_kernels

    def _shifted_input_grad(self, grad_conv, padded_shape) -> np.ndarray:
        """d loss / d padded input: each offset's W[:, :, u, v].T times the
        output's gradient, added back at that offset's shift.

        grad_conv: (batch, out_channels, length) -> padded_shape."""
        batch, channels, padded_h, padded_w = padded_shape
        length = grad_conv.shape[2]
        k = self.conv.kernel_size
        pixels = np.zeros(
            (batch, channels, padded_h * padded_w + k - 1), grad_conv.dtype
        )
        term = self._buffer(
            "grad_term", (batch, channels, length), grad_conv.dtype
        )
        for u, v, start in kernel_offsets(k, padded_w):
            np.matmul(self.W[:, :, u, v].T, grad_conv, out=term)
            pixels[:, :, start : start + length] += term
        return pixels[:, :, : padded_h * padded_w].reshape(padded_shape)

    def __repr__(self) -> str:
        threads = f", threads={self.threads}" if self.threads > 1 else ""
        return (
            f"ConvReLUPool({self.conv!r}, pool_size={self.pool_size}{threads})"
        )


@cache
def _pool(threads: int) -> ThreadPoolExecutor:
    """One pool per thread count, kept for the whole run: starting threads at
    every batch would cost more than the parts save."""
    return ThreadPoolExecutor(threads, thread_name_prefix="conv-relu-pool")


def _fusable(conv, relu, pool) -> bool:
    return (
        isinstance(conv, Conv2D)
        and conv.stride == 1
        and not conv.floor_mode
        and type(relu) is ReLU
        and isinstance(pool, MaxPool2D)
        and pool.stride == pool.pool_size
        and pool.padding == 0
        and not pool.floor_mode
    )


def fuse_conv_blocks(layers: list[Layer], threads: int = 1) -> list[Layer]:
    """``layers`` with each Conv2D (stride 1), ReLU, MaxPool2D (windows side
    by side, no padding) run replaced by one ``ConvReLUPool``.

    The blocks share the convolutions' parameter arrays, and each cuts its
    batches into ``threads`` parts; other layers are kept as they are."""
    layers = list(layers)
    fused: list[Layer] = []
    index = 0
    while index < len(layers):
        run = layers[index : index + 3]
        if len(run) == 3 and _fusable(*run):
            fused.append(ConvReLUPool(run[0], run[2].pool_size, threads))
            index += 3
        else:
            fused.append(layers[index])
            index += 1
    return fused

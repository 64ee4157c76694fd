"""One training epoch on 28x28 images, NumPy against PyTorch CPU, for ``bench_cnn``.

The workload: 8,000 synthetic 28x28 one-channel images in 10 classes, batch 64, Adam
(lr 1e-3), either the two-convolution CNN (8 then 16 channels, 3x3, padding 1, ReLU,
2x2 max pooling, dense to 10) for one epoch, or a 784-128-10 MLP for ten epochs. Both
frameworks start from the same weights and see the same batches in the same order.

The NumPy CNN trains its fast path: ``fuse_conv_blocks`` turns each Conv2D, ReLU,
MaxPool2D run into one ``ConvReLUPool`` with the same parameter arrays, which computes
the same numbers (tests/test_conv_fused.py). At N threads each block cuts a batch into
N parts and runs them on N threads, as PyTorch shares out a batch. PyTorch runs its own
three modules, eager, with its default settings.

Neither computes the gradient with respect to the images: PyTorch does not, because the
input tensor does not require grad, and the NumPy model's first layer is built with
``input_grad=False``. Epochs of the two frameworks alternate, so that a busy spell on a
shared machine slows both, and each number is the median of several.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import numpy as np

from snippets.conv import Conv2D, Flatten, MaxPool2D
from snippets.conv_fused import fuse_conv_blocks
from snippets.layers import Dense, ReLU
from snippets.network import Sequential, minibatches
from snippets.optim import Adam

N_IMAGES, SIZE, CLASSES, BATCH, LEARNING_RATE = 8000, 28, 10, 64, 1e-3


def synthetic_images(dtype, rng: np.random.Generator):
    """x: (N_IMAGES, 1, SIZE, SIZE) normal pixels, y: (N_IMAGES, CLASSES) one-hot."""
    x = rng.standard_normal((N_IMAGES, 1, SIZE, SIZE)).astype(dtype)
    y = np.eye(CLASSES, dtype=dtype)[rng.integers(0, CLASSES, N_IMAGES)]
    return x, y


def numpy_cnn(dtype, rng: np.random.Generator) -> Sequential:
    return Sequential(
        [
            Conv2D(1, 8, 3, rng, padding=1, dtype=dtype, input_grad=False),  # (n, 8, 28, 28)
            ReLU(),
            MaxPool2D(2),  # (n, 8, 14, 14)
            Conv2D(8, 16, 3, rng, padding=1, dtype=dtype),  # (n, 16, 14, 14)
            ReLU(),
            MaxPool2D(2),  # (n, 16, 7, 7)
            Flatten(),
            Dense(16 * 7 * 7, CLASSES, rng, dtype=dtype),
        ]
    )


def numpy_mlp(dtype, rng: np.random.Generator) -> Sequential:
    return Sequential(
        [
            Dense(SIZE * SIZE, 128, rng, dtype=dtype, input_grad=False),
            ReLU(),
            Dense(128, CLASSES, rng, dtype=dtype),
        ]
    )


def torch_copy(model: Sequential):
    """The same architecture in PyTorch, with the NumPy model's weights."""
    import torch
    from torch import nn

    layers = []
    for layer in model.layers:
        if isinstance(layer, Conv2D):
            torch_layer = nn.Conv2d(
                layer.in_channels, layer.out_channels, layer.kernel_size, padding=layer.padding
            )
            torch_layer.weight.data = torch.tensor(layer.W)
            torch_layer.bias.data = torch.tensor(layer.b)
        elif isinstance(layer, Dense):
            torch_layer = nn.Linear(*layer.W.shape)
            torch_layer.weight.data = torch.tensor(layer.W.T.copy())  # PyTorch keeps (out, in)
            torch_layer.bias.data = torch.tensor(layer.b)
        elif isinstance(layer, MaxPool2D):
            torch_layer = nn.MaxPool2d(layer.pool_size)
        elif isinstance(layer, Flatten):
            torch_layer = nn.Flatten()
        elif isinstance(layer, type(ReLU())):
            torch_layer = nn.ReLU()
        else:
            raise TypeError(f"no PyTorch counterpart for {layer!r}")
        layers.append(torch_layer)
    return nn.Sequential(*layers)


def workload(case: str, dtype) -> tuple[np.ndarray, np.ndarray, Sequential, int]:
    """(x, y, model, epochs) of a case, "cnn" or "mlp": the images (flattened for the MLP),
    the one-hot labels, the NumPy network with its first weights, and how many epochs it
    trains."""
    rng = np.random.default_rng(0)
    x, y = synthetic_images(dtype, rng)
    if case == "cnn":
        return x, y, numpy_cnn(dtype, rng), 1
    return x.reshape(N_IMAGES, -1), y, numpy_mlp(dtype, rng), 10


def batch_order(epochs: int):
    """The index arrays of ``epochs`` epochs' batches, in the order every trainer sees them."""
    order_rng = np.random.default_rng(1)
    for _ in range(epochs):
        yield from minibatches(N_IMAGES, BATCH, order_rng)


def epoch_pair(case: str, dtype, threads: int = 1) -> dict[str, Callable[[], None]]:
    """{"NumPy": train, "PyTorch": train}: each call trains the case's epochs once.

    ``threads``: how many parts each fused block cuts a batch into, one per thread
    (the thread count that PyTorch and BLAS are limited to, set by the caller)."""
    import torch

    x, y, model, epochs = workload(case, dtype)
    torch_model = torch_copy(model)
    # The NumPy side trains the fast path: each Conv2D, ReLU, MaxPool2D run as
    # one ConvReLUPool, the same numbers with the same parameter arrays.
    model = Sequential(fuse_conv_blocks(model.layers, threads))
    optimizer, torch_optimizer = (
        Adam(LEARNING_RATE),
        torch.optim.Adam(torch_model.parameters(), LEARNING_RATE),
    )
    x_torch, labels_torch = torch.from_numpy(x), torch.from_numpy(y.argmax(axis=1))
    loss_torch = torch.nn.CrossEntropyLoss()

    def numpy_epochs():
        for batch in batch_order(epochs):
            model.train_step(x[batch], y[batch], optimizer)

    def torch_epochs():
        for batch in batch_order(epochs):
            index = torch.from_numpy(batch)
            torch_optimizer.zero_grad()
            loss_torch(torch_model(x_torch[index]), labels_torch[index]).backward()
            torch_optimizer.step()

    return {"NumPy": numpy_epochs, "PyTorch": torch_epochs}


def alternating_seconds(functions: dict[str, Callable[[], None]], rounds: int) -> dict[str, float]:
    """Median wall seconds per call of each function, calls alternating, after one warm-up each."""
    for function in functions.values():
        function()
    times: dict[str, list[float]] = {name: [] for name in functions}
    for _ in range(rounds):
        for name, function in functions.items():
            start = time.perf_counter()
            function()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}

"""Convolutional networks: the digits CNN's accuracy, and Conv2D's speed.

Conv2D forward + backward is timed three ways on the same float32 arrays: the naive
loops of ``snippets.conv``, the vectorised ``Conv2D``, and PyTorch on the CPU. The
vectorised layer and PyTorch are timed in alternation, so that both see the same load
on a shared machine; each uses its library's default number of threads.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import numpy as np

from benchmarks import Table
from benchmarks.cnn_epoch import alternating_seconds, epoch_pair
from snippets.cnn import cnn_vs_mlp_experiment
from snippets.conv import Conv2D, conv2d_naive, conv2d_naive_backward
from snippets.conv_fused import kernel_offsets
from snippets.timing import best_time

BATCH, IN_CHANNELS, OUT_CHANNELS, SIZE, KERNEL, PADDING = 64, 1, 8, 28, 3, 1
DTYPE = np.float32


def alternating_medians(
    candidates: dict[str, tuple[Callable[[], None], Callable[[], object]]],
    rounds: int = 6,
    per_round: int = 10,
) -> dict[str, float]:
    """Median seconds per call of each candidate, timed in alternating blocks.

    ``candidates`` maps a name to (setup, function). Each round runs every candidate's
    setup, a short pause (so threads left spinning by the previous library go idle), two
    untimed calls, then ``per_round`` timed calls: a slow spell on a shared machine hits
    every candidate alike instead of whichever happened to run during it.
    """
    times: dict[str, list[float]] = {name: [] for name in candidates}
    for _ in range(rounds):
        for name, (setup, function) in candidates.items():
            setup()
            time.sleep(0.05)
            for _ in range(2):
                function()
            for _ in range(per_round):
                start = time.perf_counter()
                function()
                times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def accuracy_table() -> Table:
    start = time.perf_counter()
    results = cnn_vs_mlp_experiment(seed=0)
    seconds = time.perf_counter() - start
    table = Table(
        "Digits (8x8, held-out 20%): the post's CNN and MLP, trained by cnn_vs_mlp_experiment(seed=0)",
        ["model", "parameters", "held-out accuracy", "epochs"],
    )
    for name in ("cnn", "mlp"):
        parameters = sum(value.size for layer in results[name].layers for _, value, _ in layer.parameters())
        history = results[f"{name}_history"]
        table.rows.append([name.upper(), parameters, history["val_accuracy"][-1], len(history["loss"])])
    table.rows.append([f"(both trained in {seconds:.1f} s)", "", "", ""])
    cnn_accuracy = results["cnn_history"]["val_accuracy"][-1]
    table.targets.append((f"CNN held-out accuracy >= 98% (got {cnn_accuracy:.1%})", cnn_accuracy >= 0.98))
    return table


def speed_table() -> Table:
    import torch
    import torch.nn.functional as F

    rng = np.random.default_rng(0)
    conv = Conv2D(IN_CHANNELS, OUT_CHANNELS, KERNEL, rng, padding=PADDING, dtype=DTYPE)
    conv.b[:] = rng.standard_normal(OUT_CHANNELS)
    x = rng.standard_normal((BATCH, IN_CHANNELS, SIZE, SIZE)).astype(DTYPE)
    grad_out = rng.standard_normal(conv.forward(x).shape).astype(DTYPE)

    def numpy_step():
        conv.forward(x)
        return conv.backward(grad_out)

    x_t = torch.from_numpy(x).requires_grad_()
    W_t = torch.from_numpy(conv.W.copy()).requires_grad_()
    b_t = torch.from_numpy(conv.b.copy()).requires_grad_()
    grad_out_t = torch.from_numpy(grad_out)

    def torch_step():
        out = F.conv2d(x_t, W_t, b_t, padding=PADDING)
        return torch.autograd.grad(out, (x_t, W_t, b_t), grad_out_t)  # d x, d W, d b, like backward

    def naive_step():
        conv2d_naive(x, conv.W, conv.b, padding=PADDING)
        return conv2d_naive_backward(grad_out, x, conv.W, padding=PADDING)

    # The three compute the same gradients: a fast wrong answer would be worth nothing.
    dx, (dx_t, dW_t, db_t), (dx_naive, dW_naive, _) = numpy_step(), torch_step(), naive_step()
    for ours, theirs in ((dx, dx_t.numpy()), (conv.dW, dW_t.numpy()), (conv.db, db_t.numpy())):
        np.testing.assert_allclose(ours, theirs, rtol=1e-3, atol=1e-3)
    np.testing.assert_allclose(dx, dx_naive, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(conv.dW, dW_naive, rtol=1e-3, atol=1e-3)

    default_threads = torch.get_num_threads()

    def nothing():
        pass

    def torch_threads(count: int) -> Callable[[], None]:
        return lambda: torch.set_num_threads(count)

    candidates = {"numpy": (nothing, numpy_step), "torch": (torch_threads(default_threads), torch_step)}
    if default_threads > 1:  # on a busy machine one thread can beat several: compare with the faster
        candidates["torch, 1 thread"] = (torch_threads(1), torch_step)
    try:
        fast = alternating_medians(candidates)
    finally:
        torch.set_num_threads(default_threads)
    naive = best_time(naive_step, repeat=3, warmup=0)  # seconds per call: few repeats suffice
    table = Table(
        f"Conv2D forward + backward: batch {BATCH}, {IN_CHANNELS} -> {OUT_CHANNELS} channels, {SIZE}x{SIZE}, "
        f"{KERNEL}x{KERNEL} kernel, padding {PADDING}, {np.dtype(DTYPE).name} (PyTorch {torch.__version__})",
        ["implementation", "median ms", "x Conv2D time"],
    )
    table.rows.append(
        ["naive loops (conv2d_naive + conv2d_naive_backward)", naive * 1e3, naive / fast["numpy"]]
    )
    table.rows.append(["Conv2D (im2col, NumPy)", fast["numpy"] * 1e3, 1.0])
    for name in candidates:
        if name.startswith("torch"):
            threads = "1 thread" if name.endswith("1 thread") else f"{default_threads} threads (default)"
            label = f"PyTorch CPU, conv2d + autograd, {threads}"
            table.rows.append([label, fast[name] * 1e3, fast[name] / fast["numpy"]])
    best_torch = min(seconds for name, seconds in fast.items() if name.startswith("torch"))
    speedup, versus_torch = naive / fast["numpy"], fast["numpy"] / best_torch
    table.targets.append((f"Conv2D >= 20x faster than the naive loops (got {speedup:.0f}x)", speedup >= 20))
    table.targets.append(
        (
            f"Conv2D takes <= 2x the time of PyTorch CPU, its faster setting (got {versus_torch:.2f}x)",
            versus_torch <= 2.0,
        )
    )
    return table


# (case, dtype, target): NumPy's time as a multiple of PyTorch's, at most.
EPOCH_TARGETS = [
    ("cnn", np.float32, 0.5),
    ("cnn", np.float64, 1.0),
    ("mlp", np.float32, 0.5),
    ("mlp", np.float64, 1.0),
]
EPOCH_ROUNDS = 5


def epoch_table() -> Table:
    import os

    import torch

    from snippets.frameworks import thread_limit

    all_threads = os.cpu_count() or 1
    table = Table(
        "Training on 28x28 images, NumPy against PyTorch CPU "
        f"(PyTorch {torch.__version__}, NumPy {np.__version__}): CNN 1 -> 8 -> 16 channels, "
        "one epoch (NumPy: Conv2D + ReLU + MaxPool2D fused as ConvReLUPool, each batch cut into one part "
        "per thread); MLP 784-128-10, ten epochs; "
        "8,000 synthetic images, batch 64, Adam; "
        f"median of {EPOCH_ROUNDS} alternating runs",
        ["network", "dtype", "threads", "NumPy s", "PyTorch s", "NumPy / PyTorch", "target"],
    )
    for threads in sorted({1, all_threads}):
        with thread_limit(threads):
            for case, dtype, target in EPOCH_TARGETS:
                seconds = alternating_seconds(epoch_pair(case, dtype, threads), EPOCH_ROUNDS)
                ratio = seconds["NumPy"] / seconds["PyTorch"]
                name, dtype_name = case.upper(), np.dtype(dtype).name
                table.rows.append(
                    [
                        name,
                        dtype_name,
                        threads,
                        seconds["NumPy"],
                        seconds["PyTorch"],
                        f"{ratio:.2f}",
                        f"<= {target}",
                    ]
                )
                table.targets.append(
                    (
                        f"{name} {dtype_name}, {threads} thread(s): NumPy / PyTorch {ratio:.2f} <= {target}",
                        ratio <= target,
                    )
                )
    return table


def ceiling_table() -> Table:
    """The MLP rows again, with the training step written inline (benchmarks/mlp_inline.py)
    beside the site's layers: how much of NumPy's time the layers add, and how close to the
    target NumPy itself can get. The three run in alternation."""
    import os

    from benchmarks.mlp_inline import inline_mlp
    from snippets.frameworks import thread_limit

    table = Table(
        "The MLP of the table above (ten epochs), trained by the site's layers and by one inline "
        "step with no layers or checks (the same numbers: tests/test_mlp_inline.py); "
        f"median of {EPOCH_ROUNDS} alternating runs",
        ["dtype", "threads", "layers s", "inline s", "PyTorch s", "layers / PyTorch", "inline / PyTorch"],
    )
    for threads in sorted({1, os.cpu_count() or 1}):
        with thread_limit(threads):
            for dtype in (np.float32, np.float64):
                pair = epoch_pair("mlp", dtype, threads)
                _, inline = inline_mlp(dtype)
                trainings = {"layers": pair["NumPy"], "inline": inline, "PyTorch": pair["PyTorch"]}
                seconds = alternating_seconds(trainings, EPOCH_ROUNDS)
                torch_seconds = seconds["PyTorch"]
                table.rows.append(
                    [
                        np.dtype(dtype).name,
                        threads,
                        seconds["layers"],
                        seconds["inline"],
                        torch_seconds,
                        f"{seconds['layers'] / torch_seconds:.2f}",
                        f"{seconds['inline'] / torch_seconds:.2f}",
                    ]
                )
    return table


def block_shapes() -> list[dict]:
    """Each fused block of the epoch workload's CNN (``cnn_epoch.numpy_cnn``): the shape
    of its kernels, of what its products read (im2col's columns, or the padded long rows
    for a block of shifted products), and of its output's gradient, and whether it computes
    its input's gradient (tests/test_bench_shapes.py compares them with a real step)."""
    shapes = []
    size, in_channels = SIZE, 1
    for out_channels, input_grad in ((8, False), (16, True)):
        padded_w = size + 2 * PADDING
        length = size * padded_w  # out_h x padded_w: the block's long rows
        shifted = in_channels > 1
        if shifted:
            source = (BATCH, in_channels, padded_w * padded_w + KERNEL - 1)
        else:
            source = (BATCH, in_channels * KERNEL * KERNEL, length)
        shapes.append(
            {
                "kernels": (out_channels, in_channels, KERNEL, KERNEL),
                "source": source,
                "grad_conv": (BATCH, out_channels, length),
                "input_grad": input_grad,
                "shifted": shifted,
                "padded_width": padded_w,
            }
        )
        size, in_channels = size // 2, out_channels
    return shapes


def block_products(dtype, rng: np.random.Generator) -> list[Callable[[], object]]:
    """The matrix products of one training step of those blocks (``ConvReLUPool``), on
    random arrays of their shapes, one callable per block and pass: the convolution, the
    kernels' gradient, and the input's gradient where the block computes it. A block of
    shifted products makes one product per kernel offset in each pass."""
    products = []
    for shape in block_shapes():
        kernels, source, grad_conv = (
            rng.standard_normal(shape[name]).astype(dtype) for name in ("kernels", "source", "grad_conv")
        )
        conv = np.empty(shape["grad_conv"], dtype)
        if shape["shifted"]:
            length, padded_w = grad_conv.shape[2], shape["padded_width"]
            offsets = kernel_offsets(KERNEL, padded_w)

            def forward(k=kernels, f=source, o=conv, offsets=offsets, length=length):
                for u, v, start in offsets:
                    np.matmul(k[:, :, u, v], f[:, :, start : start + length], out=o)
                return o

            def kernel_grad(g=grad_conv, f=source, offsets=offsets, length=length):
                return [
                    (g @ f[:, :, start : start + length].transpose(0, 2, 1)).sum(axis=0)
                    for _, _, start in offsets
                ]

            def input_grad(k=kernels, g=grad_conv, offsets=offsets):
                return [k[:, :, u, v].T @ g for u, v, _ in offsets]

            block = [forward, kernel_grad] + ([input_grad] if shape["input_grad"] else [])
        else:
            matrix = kernels.reshape(kernels.shape[0], -1)
            block = [
                lambda k=matrix, c=source, o=conv: np.matmul(k, c, out=o),
                lambda g=grad_conv, c=source: (g @ c.transpose(0, 2, 1)).sum(axis=0),
            ]
            if shape["input_grad"]:
                block.append(lambda k=matrix, g=grad_conv: k.T @ g)
        products.extend(block)
    return products


def products_table() -> Table:
    """How much of the NumPy CNN's epoch its matrix products take; the rest is im2col,
    pooling, masks and element-wise passes, which BLAS threads do not share."""
    import os

    from benchmarks.cnn_epoch import N_IMAGES, epoch_pair
    from snippets.frameworks import thread_limit

    def nothing():
        pass

    steps = N_IMAGES // BATCH
    table = Table(
        "The NumPy CNN's epoch (the workload above), and its fused blocks' matrix products alone "
        f"({steps} steps of batch {BATCH}; products: median of 30 calls each; epoch: best of 3)",
        ["dtype", "threads", "products s / epoch", "whole epoch s", "products share"],
    )
    for threads in sorted({1, os.cpu_count() or 1}):
        with thread_limit(threads):
            for dtype in (np.float32, np.float64):
                products = block_products(dtype, np.random.default_rng(0))
                candidates = {str(index): (nothing, product) for index, product in enumerate(products)}
                per_step = sum(alternating_medians(candidates, rounds=3, per_round=10).values())
                epoch = best_time(epoch_pair("cnn", dtype)["NumPy"], repeat=3, warmup=1)
                share = f"{per_step * steps / epoch:.0%}"
                table.rows.append([np.dtype(dtype).name, threads, per_step * steps, epoch, share])
    return table


def run() -> list[Table]:
    return [accuracy_table(), speed_table(), epoch_table(), ceiling_table(), products_table()]

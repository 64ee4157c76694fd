"""The NumPy MLP of "Deep learning from NumPy": accuracy and training time on the digits,
and time per epoch against the same network in PyTorch on the CPU.

Fair comparison: the same layer sizes, batch size, optimiser (Adam, lr 2e-3), float32 in
both, and one thread in both (``torch.set_num_threads(1)``, NumPy's BLAS limited with
threadpoolctl). With batches of 64 rows and layers of at most 128 units, a matrix product
is too small for a second thread to pay for waking it, and on a shared machine a waiting
BLAS thread can slow everything down. Each epoch does the same work in both frameworks:
shuffle, then for each mini-batch forward, loss, backward and an Adam step.

Run it with ``python -m benchmarks numpy_mlp``.
"""

from __future__ import annotations

import statistics
import time
from itertools import pairwise

import numpy as np
from threadpoolctl import threadpool_limits

from benchmarks import Table
from snippets.data import load_digits_split
from snippets.network import Sequential, minibatches
from snippets.numpy_net import DIGITS_LAYER_SIZES, digits_mlp_experiment, mlp
from snippets.optim import Adam
from snippets.timing import best_time

SEEDS = range(5)
BATCH_SIZE = 64
LEARNING_RATE = 2e-3


def accuracy_table() -> Table:
    """The post's run (seed 0): held-out accuracy and wall time of the whole training."""
    digits_mlp_experiment(0, epochs=1)  # warm up: imports, the digits file, BLAS
    rows, targets = [], []
    for label, threads in [("as on the page (NumPy's default BLAS threads)", None), ("1 BLAS thread", 1)]:
        with threadpool_limits(limits=threads):
            times = []
            for _ in range(3):
                start = time.perf_counter()
                _, history, _ = digits_mlp_experiment(0)
                times.append(time.perf_counter() - start)
        seconds, accuracy = statistics.median(times), history["val_accuracy"][-1]
        rows.append([label, 0, f"{accuracy:.4f}", seconds])
        if threads is None:
            targets += [
                ("the post's digits MLP reaches >= 97% on the held-out 20% (seed 0)", accuracy >= 0.97),
                ("its training (20 epochs, split included) takes < 2 s", seconds < 2.0),
            ]
    accuracies = [digits_mlp_experiment(seed)[1]["val_accuracy"][-1] for seed in SEEDS]
    rows.append(
        [
            f"mean over seeds {SEEDS.start}-{SEEDS.stop - 1} (other splits)",
            "-",
            f"{np.mean(accuracies):.4f} (min {min(accuracies):.4f})",
            "-",
        ]
    )
    return Table(
        title=f"Digits MLP {DIGITS_LAYER_SIZES}, ReLU, Adam, batch {BATCH_SIZE}, float64: held-out accuracy",
        headers=["run", "seed", "test accuracy", "training seconds (median of 3)"],
        rows=rows,
        targets=targets,
    )


def numpy_epoch(x: np.ndarray, y: np.ndarray, seed: int = 0):
    """A function that runs one training epoch of the NumPy MLP in float32."""
    rng = np.random.default_rng(seed)
    model = Sequential(mlp(DIGITS_LAYER_SIZES, "relu", rng, dtype=np.float32), loss="softmax_cross_entropy")
    optimizer = Adam(lr=LEARNING_RATE)

    def epoch() -> None:
        for batch in minibatches(len(x), BATCH_SIZE, rng):
            model.train_step(x[batch], y[batch], optimizer)

    return epoch


def torch_epoch(x: np.ndarray, y: np.ndarray, seed: int = 0):
    """The same network, batch size, optimiser and dtype in PyTorch, as an epoch function."""
    import torch

    torch.manual_seed(seed)
    layers = []
    for fan_in, fan_out in pairwise(DIGITS_LAYER_SIZES):
        layers += [torch.nn.Linear(fan_in, fan_out), torch.nn.ReLU()]
    model = torch.nn.Sequential(*layers[:-1])  # float32 by default
    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    inputs, labels = torch.from_numpy(x), torch.from_numpy(y.argmax(axis=1))
    generator = torch.Generator().manual_seed(seed)

    def epoch() -> None:
        order = torch.randperm(len(inputs), generator=generator)
        for start in range(0, len(inputs), BATCH_SIZE):
            batch = order[start : start + BATCH_SIZE]
            optimizer.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(inputs[batch]), labels[batch])
            loss.backward()
            optimizer.step()

    return epoch


def speed_table() -> Table:
    import torch

    x_train, _, y_train, _ = load_digits_split(np.random.default_rng(0))
    x32, y32 = x_train.astype(np.float32), y_train.astype(np.float32)
    rows, targets = [], []
    previous_threads = torch.get_num_threads()
    try:
        for threads in (1, 2):
            torch.set_num_threads(threads)
            with threadpool_limits(limits=threads):
                numpy_seconds = best_time(numpy_epoch(x32, y32), repeat=15, warmup=3)
                torch_seconds = best_time(torch_epoch(x32, y32), repeat=15, warmup=3)
            ratio = numpy_seconds / torch_seconds
            rows.append([threads, numpy_seconds * 1e3, torch_seconds * 1e3, ratio])
            if threads == 1:
                targets.append(("NumPy / PyTorch time per epoch <= 1.5 (1 thread each)", ratio <= 1.5))
    finally:
        torch.set_num_threads(previous_threads)
    return Table(
        title=(
            f"Time per epoch, {len(x32)} digits, MLP {DIGITS_LAYER_SIZES}, batch {BATCH_SIZE}, Adam, "
            f"float32, CPU (torch {torch.__version__})"
        ),
        headers=["threads (each)", "NumPy ms/epoch", "PyTorch ms/epoch", "NumPy / PyTorch"],
        rows=rows,
        targets=targets,
    )


def run() -> list[Table]:
    return [accuracy_table(), speed_table()]

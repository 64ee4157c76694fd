"""Time per epoch of one MLP three ways: NumPy with backprop by hand, the autograd engine of
``snippets.autograd``, and PyTorch on the CPU (the post "Why frameworks?").

Fair comparison: the same layer sizes, the same initial weights, the same batches in the
same order, plain SGD, float32 everywhere (``snippets.frameworks.epoch_functions``). Each
implementation runs one warm-up epoch, then its timed epochs in a row, so that the
worker threads one library leaves spinning do not slow the next one down. Two data sets:
the digits (small matrices: Python overhead dominates) and a synthetic set with wider
layers and larger batches (BLAS kernels and threads matter), each on one thread and on
the libraries' default threads.

Run it with ``python -m benchmarks frameworks``.
"""

from __future__ import annotations

from benchmarks import Table
from snippets.frameworks import (
    SPEED_CASES,
    epoch_functions,
    speed_case,
    speed_settings,
    thread_limit,
)
from snippets.timing import best_time, machine_description

REPEAT = 5
ENGINE_TARGET = 3.0  # the autograd engine may take at most this many times NumPy's time per epoch


def run() -> list[Table]:
    rows, targets = [], []
    for case, threads in speed_settings():
        x, y, layer_sizes, batch_size = speed_case(case)
        with thread_limit(threads):
            seconds = {
                name: best_time(run_epoch, repeat=REPEAT, warmup=1)
                for name, run_epoch in epoch_functions(x, y, layer_sizes, batch_size).items()
            }
        numpy_seconds = seconds["NumPy by hand"]
        engine_seconds, torch_seconds = seconds["autograd engine"], seconds["PyTorch"]
        label = "1" if threads == 1 else "default"
        rows.append(
            [
                case,
                label,
                numpy_seconds * 1e3,
                engine_seconds * 1e3,
                torch_seconds * 1e3,
                f"{engine_seconds / numpy_seconds:.2f}",
                f"{torch_seconds / numpy_seconds:.2f}",
            ]
        )
        targets.append(
            (
                f"autograd engine within {ENGINE_TARGET:g}x of NumPy by hand per epoch "
                f"({case}, {'1 thread' if threads == 1 else 'default threads'})",
                engine_seconds <= ENGINE_TARGET * numpy_seconds,
            )
        )
    cases = "; ".join(
        f"{name}: layers {sizes}, batch {batch}" + (f", {n} samples" if n else "")
        for name, sizes, n, batch in SPEED_CASES
    )
    return [
        Table(
            title=(
                f"Why frameworks: ms per epoch, plain SGD, float32, fastest of {REPEAT} ({cases}) "
                f"on {machine_description()}"
            ),
            headers=[
                "data set",
                "threads",
                "NumPy by hand (ms)",
                "autograd engine (ms)",
                "PyTorch (ms)",
                "engine / NumPy",
                "PyTorch / NumPy",
            ],
            rows=rows,
            targets=targets,
        )
    ]

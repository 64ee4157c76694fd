"""The posts' comparisons repeated over five seeds: mean ± spread of each number.

A page trains each model once, on one split; the seed picks the split, the starting
weights and the order of the batches. These tables repeat the runs whose comparison a
post draws a conclusion from, for seeds 0 to 4, and give the mean and the sample
standard deviation. They take minutes, too long for the pages' own test run.
"""

from __future__ import annotations

import time

import numpy as np

from benchmarks import Table

SEEDS = range(5)


def mean_spread(values) -> str:
    """'mean ± sample standard deviation' of the values."""
    values = np.asarray(values, dtype=float)
    return f"{values.mean():.4f} ± {values.std(ddof=1):.4f}"


def cnn_vs_mlp_table() -> Table:
    from snippets.cnn import cnn_vs_mlp_experiment

    start = time.perf_counter()
    accuracies = {"CNN": [], "MLP": []}
    for seed in SEEDS:
        results = cnn_vs_mlp_experiment(seed=seed)
        accuracies["CNN"].append(results["cnn_history"]["val_accuracy"][-1])
        accuracies["MLP"].append(results["mlp_history"]["val_accuracy"][-1])
    seconds = time.perf_counter() - start
    gap = np.subtract(accuracies["CNN"], accuracies["MLP"])
    table = Table(
        f"CNN vs MLP on the 8x8 digits, the CNN post's recipe, seeds {SEEDS.start}-{SEEDS.stop - 1}",
        ["seed", "CNN held-out accuracy", "MLP held-out accuracy", "CNN - MLP"],
    )
    for seed, cnn, mlp, difference in zip(SEEDS, accuracies["CNN"], accuracies["MLP"], gap, strict=True):
        table.rows.append([seed, cnn, mlp, difference])
    table.rows.append(
        ["mean ± sd", mean_spread(accuracies["CNN"]), mean_spread(accuracies["MLP"]), mean_spread(gap)]
    )
    table.rows.append([f"({seconds:.0f} s)", "", "", ""])
    wins = int(np.sum(gap > 0))
    table.targets.append(
        (f"the CNN is ahead on every seed, as the post says (ahead on {wins} of 5)", wins == 5)
    )
    return table


def numpy_comparison_table() -> Table:
    from snippets.data import load_digits_split
    from snippets.numpy_net import train_digits_mlp
    from snippets.optim import SGD, Momentum

    runs = {
        "relu, Adam": lambda: {"activation": "relu"},
        "tanh, Adam": lambda: {"activation": "tanh"},
        "sigmoid, Adam": lambda: {"activation": "sigmoid"},
        "relu, SGD": lambda: {"optimizer": SGD(lr=0.1)},
        "relu, Momentum": lambda: {"optimizer": Momentum(lr=0.02)},
    }
    start = time.perf_counter()
    losses = {name: [] for name in runs}
    accuracies = {name: [] for name in runs}
    for seed in SEEDS:
        # The split comes from the seed, the start and the batches from 100 + seed.
        x_train, x_test, y_train, y_test = load_digits_split(np.random.default_rng(seed))
        for name, options in runs.items():
            rng = np.random.default_rng(100 + seed)
            _, history = train_digits_mlp(x_train, y_train, x_test, y_test, rng, **options())
            losses[name].append(history["loss"][-1])
            accuracies[name].append(history["val_accuracy"][-1])
    seconds = time.perf_counter() - start
    table = Table(
        f"The NumPy post's activations and optimisers, 20 epochs, seeds {SEEDS.start}-{SEEDS.stop - 1}",
        ["run", "final training loss", "test accuracy"],
    )
    for name in runs:
        table.rows.append([name, mean_spread(losses[name]), mean_spread(accuracies[name])])
    table.rows.append([f"({seconds:.0f} s)", "", ""])
    sigmoid_highest = all(
        min(losses["sigmoid, Adam"]) > max(values)
        for name, values in losses.items()
        if name != "sigmoid, Adam"
    )
    table.targets.append(("sigmoid ends with the highest training loss on every seed", sigmoid_highest))
    return table


def run() -> list[Table]:
    return [numpy_comparison_table(), cnn_vs_mlp_table()]

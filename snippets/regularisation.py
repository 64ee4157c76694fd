"""The experiments of the post "Overfitting and regularisation".

The bundled 8x8 digits, cut into a small training set, a validation set and a
test set; a one-hidden-layer network; and one function that trains it with any
mix of the regularisers of the post. The figures call the same functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np

from snippets.augment import random_shifts
from snippets.callbacks import EarlyStopping
from snippets.data import one_hot
from snippets.layers import Activation, Dense, Dropout
from snippets.network import Sequential
from snippets.optim import Adam, AdamW

__all__ = [
    "BATCH_SIZE",
    "EPOCHS",
    "HIDDEN",
    "LEARNING_RATE",
    "N_TEST",
    "N_TRAIN",
    "N_VALIDATION",
    "SPLIT_SEED",
    "Recipe",
    "capacity_experiment",
    "compare",
    "load_digit_splits",
    "mean_and_spread",
    "one_hidden_layer_mlp",
    "three_way_split",
    "train_recipe",
]


# --8<-- [start:three_way_split]
def three_way_split(n_examples: int, n_validation: int, n_test: int, rng):
    """Shuffle the row numbers 0..n_examples-1 and cut them into three parts.

    Returns index arrays (train, validation, test). The test rows are cut
    first: they are looked at once, after every choice has been made.
    """
    if n_validation < 1 or n_test < 1 or n_validation + n_test >= n_examples:
        raise ValueError(
            f"need 1 <= n_validation, 1 <= n_test and room left to train: got "
            f"n_validation={n_validation}, n_test={n_test} of {n_examples} rows"
        )
    order = rng.permutation(n_examples)
    test = order[:n_test]
    validation = order[n_test : n_test + n_validation]
    train = order[n_test + n_validation :]
    return train, validation, test


# --8<-- [end:three_way_split]


# --8<-- [start:digit_splits]
N_VALIDATION = 400  # the validation and test sets are cut first;
N_TEST = 400  # the training rows come from what is left
N_TRAIN = 150  # small on purpose, so that the network can learn it by heart
SPLIT_SEED = 0  # one split for the whole page; seeds vary the training only


def load_digit_splits(n_train: int = N_TRAIN, seed: int = SPLIT_SEED):
    """The 8x8 digits as {"train", "validation", "test"}: (x, y) pairs.

    x: (n, 64), pixels divided by 16: they lie in [0, 1], background 0
    (so a shifted digit is still a digit);
    y: (n, 10) one-hot. Only the first ``n_train`` training rows are kept.
    """
    from sklearn.datasets import load_digits  # bundled: no download

    digits = load_digits()
    x = digits.images.reshape(len(digits.images), -1) / 16.0
    y = one_hot(digits.target, 10)
    rng = np.random.default_rng(seed)
    train, validation, test = three_way_split(len(x), N_VALIDATION, N_TEST, rng)
    if not 1 <= n_train <= len(train):
        got = f"got {n_train}"
        raise ValueError(f"n_train must lie in [1, {len(train)}], {got}")
    train = train[:n_train]
    return {
        "train": (x[train], y[train]),
        "validation": (x[validation], y[validation]),
        "test": (x[test], y[test]),
    }


# --8<-- [end:digit_splits]


# --8<-- [start:recipe]
@dataclass(frozen=True)
class Recipe:
    """How to train. Each field switches on one regulariser; default: none.

    weight_decay: lambda, for each weight matrix W; decoupled: AdamW instead of
    Adam's L2 gradient; dropout: p after the hidden layer; patience: early
    stopping on the validation loss; max_shift: random shifts, in pixels.
    """

    weight_decay: float = 0.0
    decoupled: bool = False
    dropout: float = 0.0
    patience: int | None = None
    max_shift: int = 0


# --8<-- [end:recipe]


# --8<-- [start:one_hidden_layer_mlp]
HIDDEN = 128  # hidden units: far more capacity than 150 examples need


def one_hidden_layer_mlp(
    rng, hidden: int = HIDDEN, dropout: float = 0.0
) -> Sequential:
    """64 pixels -> ``hidden`` ReLU units (-> dropout if p > 0) -> 10 scores."""
    layers = [Dense(64, hidden, rng), Activation("relu")]
    if dropout > 0:
        layers.append(Dropout(dropout, rng))
    return Sequential([*layers, Dense(hidden, 10, rng)])


# --8<-- [end:one_hidden_layer_mlp]


# --8<-- [start:train_recipe]
EPOCHS = 100
BATCH_SIZE = 32
LEARNING_RATE = 1e-2


def train_recipe(
    recipe: Recipe,
    splits,
    seed: int,
    epochs: int = EPOCHS,
    hidden: int = HIDDEN,
):
    """Train a fresh network on splits["train"]; return (model, history).

    ``seed`` fixes the weights, the batches, the dropout masks and the shifts.
    The validation set is evaluated after every epoch; the test set is not used.
    """
    rng = np.random.default_rng(seed)
    model = one_hidden_layer_mlp(rng, hidden, recipe.dropout)
    optimizer_class = AdamW if recipe.decoupled else Adam
    optimizer = optimizer_class(LEARNING_RATE, weight_decay=recipe.weight_decay)
    callbacks = []
    if recipe.patience is not None:
        callbacks.append(EarlyStopping(recipe.patience))
    augment = None
    if recipe.max_shift > 0:
        augment = partial(random_shifts, max_shift=recipe.max_shift)
    history = model.fit(
        *splits["train"],
        optimizer,
        epochs,
        BATCH_SIZE,
        rng,
        validation=splits["validation"],
        callbacks=callbacks,
        augment=augment,
    )
    return model, history


# --8<-- [end:train_recipe]


# --8<-- [start:compare]
def compare(recipes: dict[str, Recipe], splits, seeds) -> dict[str, list]:
    """Train every recipe once per seed: {name: [(model, history), ...]}."""
    results = {}
    for name, recipe in recipes.items():
        results[name] = [train_recipe(recipe, splits, seed) for seed in seeds]
    return results


def mean_and_spread(values) -> str:
    """'mean ± standard deviation' of a few numbers, as percentages."""
    values = 100 * np.asarray(values, dtype=float)
    return f"{values.mean():4.1f} ± {values.std(ddof=1):3.1f}"


# --8<-- [end:compare]


def capacity_experiment(
    train_sizes=(50, 100, 200, 400, 800),
    widths=(4, 16, 128),
    seeds=(0, 1, 2),
    steps: int = 500,
) -> dict[str, np.ndarray]:
    """Training and validation accuracy for each (width, training-set size).

    Every run takes about ``steps`` gradient steps, however large its training
    set, so that a larger set is not also a longer training. Returns arrays of
    shape (len(widths), len(train_sizes), len(seeds)) under "train" and
    "validation".
    """
    shape = (len(widths), len(train_sizes), len(seeds))
    accuracy = {"train": np.zeros(shape), "validation": np.zeros(shape)}
    for j, n_train in enumerate(train_sizes):
        splits = load_digit_splits(n_train)
        epochs = max(1, round(steps * BATCH_SIZE / n_train))
        for i, width in enumerate(widths):
            for k, seed in enumerate(seeds):
                rng = np.random.default_rng(seed)
                model = one_hidden_layer_mlp(rng, width)
                model.fit(
                    *splits["train"],
                    Adam(LEARNING_RATE),
                    epochs,
                    BATCH_SIZE,
                    rng,
                )
                for part in accuracy:
                    accuracy[part][i, j, k] = model.evaluate(*splits[part])[1]
    return accuracy

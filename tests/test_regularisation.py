"""The post's experiment module: the three-way split, the recipes, the capacity runs."""

import numpy as np
import pytest

from snippets.layers import Dropout
from snippets.regularisation import (
    N_TEST,
    N_VALIDATION,
    Recipe,
    capacity_experiment,
    load_digit_splits,
    mean_and_spread,
    one_hidden_layer_mlp,
    three_way_split,
    train_recipe,
)


def test_three_way_split_covers_every_row_once(rng):
    train, validation, test = three_way_split(100, 20, 30, rng)
    assert (len(train), len(validation), len(test)) == (50, 20, 30)
    np.testing.assert_array_equal(np.sort(np.concatenate([train, validation, test])), np.arange(100))


@pytest.mark.parametrize(("n_validation", "n_test"), [(0, 10), (10, 0), (50, 50)])
def test_three_way_split_refuses_empty_parts(n_validation, n_test, rng):
    with pytest.raises(ValueError, match="room left to train"):
        three_way_split(100, n_validation, n_test, rng)


def test_digit_splits_are_disjoint_scaled_and_fixed():
    splits = load_digit_splits(150)
    assert [len(splits[part][0]) for part in ("train", "validation", "test")] == [150, N_VALIDATION, N_TEST]
    rows = {part: {row.tobytes() for row in splits[part][0]} for part in splits}
    assert not rows["test"] & rows["train"]
    x = splits["train"][0]
    assert x.min() == 0.0
    assert x.max() <= 1.0
    # The test set does not depend on how many training rows are kept.
    np.testing.assert_array_equal(load_digit_splits(50)["test"][0], splits["test"][0])


def test_digit_splits_refuse_too_many_training_rows():
    with pytest.raises(ValueError, match="n_train must lie in"):
        load_digit_splits(5000)


def test_mlp_has_dropout_only_when_asked(rng):
    assert not any(isinstance(layer, Dropout) for layer in one_hidden_layer_mlp(rng).layers)
    assert isinstance(one_hidden_layer_mlp(rng, dropout=0.5).layers[2], Dropout)


def test_train_recipe_is_reproducible_and_early_stopping_shortens_it():
    splits = load_digit_splits(60)
    _, first = train_recipe(Recipe(max_shift=1, dropout=0.5), splits, seed=3, epochs=4)
    _, second = train_recipe(Recipe(max_shift=1, dropout=0.5), splits, seed=3, epochs=4)
    assert first == second
    _, stopped = train_recipe(Recipe(patience=2), splits, seed=0, epochs=200)
    assert len(stopped["val_loss"]) < 200


def test_mean_and_spread_in_percent():
    assert mean_and_spread([0.9, 0.92, 0.94]) == "92.0 ± 2.0"


def test_capacity_experiment_shapes():
    accuracy = capacity_experiment(train_sizes=(20, 40), widths=(4,), seeds=(0,), steps=5)
    assert accuracy["train"].shape == accuracy["validation"].shape == (1, 2, 1)
    assert np.all((accuracy["validation"] >= 0) & (accuracy["validation"] <= 1))

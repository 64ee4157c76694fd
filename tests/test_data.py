"""Data utilities: the toy set, one-hot, split, standardize, and the bundled digits."""

import numpy as np
import pytest

from snippets.data import (
    load_digits_images_split,
    load_digits_split,
    one_hot,
    standardize,
    toy_data,
    train_test_split,
)


def test_toy_data_is_xor_of_the_first_two_inputs():
    x, y = toy_data()
    assert x.shape == (4, 3)
    assert y.shape == (4, 1)
    np.testing.assert_array_equal(y[:, 0], np.logical_xor(x[:, 0], x[:, 1]))
    np.testing.assert_array_equal(x[:, 2], 1.0)


def test_one_hot():
    np.testing.assert_array_equal(one_hot(np.array([2, 0]), 3), [[0, 0, 1], [1, 0, 0]])


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        (np.array([0.0, 1.0]), "1-D integer array"),
        (np.array([[0, 1]]), r"got shape \(1, 2\)"),
        (np.array([0, 3]), r"\[0, 3\), got range \[0, 3\]"),
        (np.array([-1, 0]), "must lie in"),
    ],
)
def test_one_hot_refuses_bad_labels(labels, message):
    with pytest.raises(ValueError, match=message):
        one_hot(labels, 3)


def test_split_is_a_seeded_partition(rng):
    x, y = np.arange(20).reshape(10, 2), np.arange(10)
    x_train, x_test, y_train, y_test = train_test_split(x, y, 0.3, rng)
    assert len(x_test) == 3
    assert len(x_train) == 7
    np.testing.assert_array_equal(np.sort(np.concatenate([y_train, y_test])), np.arange(10))
    np.testing.assert_array_equal(x_train[:, 0] // 2, y_train)  # rows stay paired
    again = train_test_split(x, y, 0.3, np.random.default_rng(1234))
    np.testing.assert_array_equal(again[3], y_test)


@pytest.mark.parametrize(
    ("n", "fraction", "message"),
    [(10, 0.0, "must lie in"), (10, 1.0, "must lie in"), (3, 0.1, "empty part"), (10, 0.99, "empty part")],
)
def test_split_refuses_empty_parts(n, fraction, message, rng):
    with pytest.raises(ValueError, match=message):
        train_test_split(np.zeros((n, 2)), np.zeros(n), fraction, rng)


def test_split_refuses_mismatched_lengths(rng):
    with pytest.raises(ValueError, match="same length, got 4 and 3"):
        train_test_split(np.zeros((4, 2)), np.zeros(3), 0.5, rng)


def test_standardize_uses_training_statistics_only(rng):
    x_train = rng.normal(5.0, 3.0, (100, 3))
    x_test = rng.normal(5.0, 3.0, (10, 3))
    train_scaled, test_scaled = standardize(x_train, x_test)
    np.testing.assert_allclose(train_scaled.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(train_scaled.std(axis=0), 1.0)
    np.testing.assert_allclose(test_scaled, (x_test - x_train.mean(axis=0)) / x_train.std(axis=0))


def test_standardize_leaves_constant_features_at_zero():
    x_train = np.array([[0.0, 1.0], [0.0, 3.0]])
    train_scaled, test_scaled = standardize(x_train, np.array([[2.0, 2.0]]))
    np.testing.assert_array_equal(train_scaled[:, 0], 0.0)
    assert np.all(np.isfinite(test_scaled))


def test_standardize_refuses_bad_input():
    with pytest.raises(ValueError, match=r"x_test must have shape \(n, 2\), got shape \(1, 3\)"):
        standardize(np.zeros((4, 2)), np.zeros((1, 3)))
    with pytest.raises(ValueError, match="NaN"):
        standardize(np.array([[np.nan, 1.0]]), np.zeros((1, 2)))
    with pytest.raises(ValueError, match=r"x_train must have shape \(n, features\), got shape \(4,\)"):
        standardize(np.zeros(4), np.zeros(4))


def test_digits_split_shapes_and_encoding():
    x_train, x_test, y_train, y_test = load_digits_split(np.random.default_rng(0))
    assert (x_train.shape, x_test.shape) == ((1438, 64), (359, 64))
    assert (y_train.shape, y_test.shape) == ((1438, 10), (359, 10))
    np.testing.assert_array_equal(y_train.sum(axis=1), 1.0)
    np.testing.assert_allclose(x_train.mean(axis=0), 0.0, atol=1e-12)


def test_digit_images_come_from_the_same_split():
    _, x_test, y_train, y_test = load_digits_split(np.random.default_rng(4))
    images_train, images_test, labels_train, labels_test = load_digits_images_split(np.random.default_rng(4))
    assert images_test.shape == (359, 8, 8)
    np.testing.assert_array_equal(labels_test, y_test.argmax(axis=1))
    np.testing.assert_array_equal(labels_train, y_train.argmax(axis=1))
    assert (images_train.min(), images_train.max()) == (0, 16)
    # Standardizing is a per-pixel affine map: undo it with the training statistics.
    pixels_train = images_train.reshape(len(images_train), -1)
    std = pixels_train.std(axis=0)
    std[std == 0] = 1.0
    recovered = x_test * std + pixels_train.mean(axis=0)
    np.testing.assert_array_equal(np.round(recovered), images_test.reshape(359, 64))  # pixels are integers

"""Shifts of images: direction, zero fill, randomness through the generator, bad input."""

import numpy as np
import pytest

from snippets.augment import random_shifts, shift_images
from snippets.layers import Dense
from snippets.network import Sequential
from snippets.optim import SGD


def test_shift_moves_down_and_right_filling_zeros():
    image = np.arange(1, 10, dtype=float).reshape(1, 3, 3)
    down = shift_images(image, np.array([[1, 0]]))
    np.testing.assert_array_equal(down[0], [[0, 0, 0], [1, 2, 3], [4, 5, 6]])
    left = shift_images(image, np.array([[0, -1]]))
    np.testing.assert_array_equal(left[0], [[2, 3, 0], [5, 6, 0], [8, 9, 0]])


def test_each_image_gets_its_own_shift_and_zero_is_the_identity(rng):
    images = rng.standard_normal((3, 4, 5))
    moved = shift_images(images, np.array([[0, 0], [1, 1], [-2, 0]]))
    np.testing.assert_array_equal(moved[0], images[0])
    np.testing.assert_array_equal(moved[1, 1:, 1:], images[1, :-1, :-1])
    np.testing.assert_array_equal(moved[2, :-2], images[2, 2:])
    assert not moved[2, -2:].any()


def test_random_shifts_stay_within_max_shift(rng):
    images = rng.uniform(0.1, 1.0, (50, 8, 8))  # no zeros: a shift shows in the border
    out = random_shifts(images.reshape(50, 64), rng).reshape(50, 8, 8)
    candidates = [(d, r) for d in (-1, 0, 1) for r in (-1, 0, 1)]
    for image, moved in zip(images, out, strict=True):
        matches = [
            (d, r)
            for d, r in candidates
            if np.array_equal(shift_images(image[None], np.array([[d, r]]))[0], moved)
        ]
        assert len(matches) == 1
    assert not np.array_equal(out, images)


def test_random_shifts_are_seeded_and_max_shift_zero_is_the_identity(rng):
    x = rng.standard_normal((10, 64))
    first = random_shifts(x, np.random.default_rng(3))
    np.testing.assert_array_equal(first, random_shifts(x, np.random.default_rng(3)))
    np.testing.assert_array_equal(random_shifts(x, rng, max_shift=0), x)


def test_random_shifts_refuse_rows_of_the_wrong_width(rng):
    expected = r"x must have shape \(batch, 64\) for 8x8 images, got shape \(2, 63\)"
    with pytest.raises(ValueError, match=expected):
        random_shifts(np.zeros((2, 63)), rng)
    with pytest.raises(ValueError, match="max_shift must be 0 or more"):
        random_shifts(np.zeros((2, 64)), rng, max_shift=-1)


def test_fit_trains_on_augmented_batches(rng):
    seen = []

    def augment(batch, generator):
        seen.append(len(batch))
        return batch * 0.0  # the network then sees only zeros

    model = Sequential([Dense(64, 10, rng)])
    x, y = rng.standard_normal((20, 64)), np.eye(10)[rng.integers(0, 10, 20)]
    W_before = model.layers[0].W.copy()
    model.fit(x, y, SGD(lr=0.1), 2, 8, rng, augment=augment)
    assert seen == [8, 8, 4, 8, 8, 4]
    np.testing.assert_array_equal(model.layers[0].W, W_before)  # zero inputs: dW = 0

"""snippets.features: the enlarged digits, and a regularised ascent that works."""

import numpy as np

from snippets.conv import Conv2D
from snippets.features import (
    blur,
    channel_mean_and_gradient,
    large_digits,
    top_images,
    visualise_channel,
)
from snippets.layers import ReLU


def test_large_digits_are_24x24_and_scaled_as_a_whole(rng):
    x_train, x_test, y_train, y_test = large_digits(rng)
    assert x_train.shape[1:] == (1, 24, 24)
    assert x_test.shape[1:] == (1, 24, 24)
    assert len(x_train) + len(x_test) == 1797
    assert abs(x_train.mean()) < 1e-9
    assert abs(x_train.std() - 1.0) < 1e-9
    assert y_train.shape == (len(x_train), 10)
    assert y_test.shape == (len(x_test), 10)


def test_channel_gradient_matches_finite_differences(rng):
    layers = [Conv2D(1, 2, 3, rng, padding=1), ReLU()]
    image = rng.standard_normal((1, 1, 5, 5))
    _, grad = channel_mean_and_gradient(layers, image, channel=1)
    numeric = np.zeros_like(image)
    for index in np.ndindex(image.shape):
        plus, minus = image.copy(), image.copy()
        plus[index] += 1e-6
        minus[index] -= 1e-6
        numeric[index] = (
            channel_mean_and_gradient(layers, plus, 1)[0] - channel_mean_and_gradient(layers, minus, 1)[0]
        ) / 2e-6
    np.testing.assert_allclose(grad, numeric, atol=1e-7)


def test_blur_keeps_the_mean_and_lowers_the_spread(rng):
    image = rng.standard_normal((1, 1, 16, 16))
    blurred = blur(image, 1.0)
    assert blurred.shape == image.shape
    assert abs(blurred.mean() - image.mean()) < 0.05
    assert blurred.std() < 0.6 * image.std()


def test_the_ascent_excites_the_channel_more_than_random_images(rng):
    layers = [Conv2D(1, 3, 3, np.random.default_rng(4), padding=1)]
    image, value = visualise_channel(layers, 0, rng, shape=(1, 1, 12, 12), steps=30, starts=2)
    assert image.shape == (1, 1, 12, 12)
    random_values = [
        channel_mean_and_gradient(layers, rng.uniform(-1, 3, (1, 1, 12, 12)), 0)[0] for _ in range(20)
    ]
    assert value > max(random_values)
    assert image.min() >= -1.0
    assert image.max() <= 3.0


def test_top_images_are_the_most_exciting(rng):
    layers = [Conv2D(1, 1, 1, rng)]
    layers[0].W[:] = 1.0  # the output is the image itself
    images = rng.standard_normal((10, 1, 4, 4))
    top = top_images(layers, images, 0, count=3)
    means = images.mean(axis=(1, 2, 3))
    np.testing.assert_array_equal(top, images[np.argsort(means)[::-1][:3]])

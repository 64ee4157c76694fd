"""snippets.style: pictures, the losses' gradients, and a synthesis that lowers the loss."""

import numpy as np
import pytest

from snippets.cnn import gram_matrix
from snippets.style import (
    RandomFeatures,
    content_loss,
    load_picture,
    shrink,
    shrink_backward,
    style_loss,
    synthesise,
)


@pytest.mark.parametrize("name", ["chelsea", "brick"])
def test_pictures_are_grey_squares_in_the_unit_range(name):
    picture = load_picture(name, 32)
    assert picture.shape == (1, 1, 32, 32)
    assert 0.0 <= picture.min() < picture.max() <= 1.0


def test_shrink_backward_is_the_adjoint_of_shrink(rng):
    x, grad = rng.standard_normal((1, 2, 8, 8)), rng.standard_normal((1, 2, 2, 2))
    assert np.sum(shrink(x, 4) * grad) == pytest.approx(np.sum(x * shrink_backward(grad, 4)), rel=1e-12)


def total_loss(network, image, target_grams, target_content, weight):
    features = network.forward(image)
    loss, grads = style_loss(features, target_grams)
    extra, grad = content_loss(features[0], target_content)
    grads[0] = grads[0] + weight * grad
    return loss + weight * extra, network.backward(grads)


def test_the_gradient_of_style_and_content_loss_matches_finite_differences(rng):
    network = RandomFeatures(rng, scales=(1, 2), channels=4, kernel_size=3, dtype=np.float64)
    style, content = rng.uniform(0, 1, (1, 1, 8, 8)), rng.uniform(0, 1, (1, 1, 8, 8))
    target_grams = [gram_matrix(maps) for maps in network.forward(style)]
    target_content = network.forward(content)[0]
    image = rng.uniform(0, 1, (1, 1, 8, 8))
    _, grad = total_loss(network, image, target_grams, target_content, 0.7)
    numeric = np.zeros_like(image)
    h = 1e-6
    for index in np.ndindex(image.shape):
        plus, minus = image.copy(), image.copy()
        plus[index] += h
        minus[index] -= h
        numeric[index] = (
            total_loss(network, plus, target_grams, target_content, 0.7)[0]
            - total_loss(network, minus, target_grams, target_content, 0.7)[0]
        ) / (2 * h)
    error = np.linalg.norm(grad - numeric) / (np.linalg.norm(grad) + np.linalg.norm(numeric))
    assert error < 1e-7, error


def test_synthesis_lowers_the_loss_and_keeps_pixels_in_range(rng):
    network = RandomFeatures(rng, channels=8)
    style = load_picture("gravel", 32)
    image, history = synthesise(network, style, rng.uniform(0.4, 0.6, style.shape), steps=20)
    assert image.shape == style.shape
    assert image.min() >= 0.0
    assert image.max() <= 1.0
    assert len(history) >= 5
    assert history[-1] < 0.1 * history[0]


def test_transfer_keeps_the_content_when_its_weight_dominates(rng):
    network = RandomFeatures(rng, channels=8)
    content, style = load_picture("chelsea", 32), load_picture("brick", 32)
    image, _ = synthesise(network, style, content.copy(), content=content, content_weight=1e4, steps=10)
    assert np.abs(image - content).mean() < 0.02

"""Texture synthesis and style transfer with a shallow network of random
filters.

Gatys et al. (2015, 2016) matched Gram matrices of a VGG network trained on
ImageNet. Ustyuzhaninov et al. (ICLR 2017) showed that one layer of random
filters at several scales already synthesises convincing textures. That is what
runs here: the reader's own ``Conv2D`` with random weights, on grey levels (one
channel), at three scales.

Images are (1, 1, height, width) arrays of grey levels in [0, 1].
"""

from __future__ import annotations

import numpy as np

from snippets.cnn import gram_matrix
from snippets.conv import Conv2D
from snippets.layers import ReLU

__all__ = [
    "RandomFeatures",
    "content_loss",
    "load_picture",
    "shrink",
    "shrink_backward",
    "style_loss",
    "synthesise",
]


# --8<-- [start:pictures]
def load_picture(name: str, size: int = 96) -> np.ndarray:
    """A picture that scikit-image ships, in grey: (1, 1, size, size) in [0, 1].

    The centre square is cut out, then shrunk to size x size, anti-aliased.
    """
    from skimage import data
    from skimage.color import rgb2gray
    from skimage.transform import resize

    picture = getattr(data, name)()
    grey = rgb2gray(picture) if picture.ndim == 3 else picture / 255.0
    height, width = grey.shape
    side = min(height, width)
    top, left = (height - side) // 2, (width - side) // 2
    square = grey[top : top + side, left : left + side]
    return resize(square, (size, size), anti_aliasing=True)[None, None]


# --8<-- [end:pictures]


# --8<-- [start:network]
def shrink(images: np.ndarray, factor: int) -> np.ndarray:
    """Block means, f = factor: (n, c, h, w) -> (n, c, h/f, w/f)."""
    n, c, h, w = images.shape
    blocks = images.reshape(n, c, h // factor, factor, w // factor, factor)
    return blocks.mean(axis=(3, 5))


def shrink_backward(grad: np.ndarray, factor: int) -> np.ndarray:
    """A pixel made 1 / factor^2 of its block's mean: share the gradient."""
    spread = np.repeat(np.repeat(grad, factor, axis=2), factor, axis=3)
    return spread / factor**2


class RandomFeatures:
    """Random filters (Conv2D + ReLU) at several scales; nothing is learned.

    At scale s the image is first shrunk s times, so a 5x5 kernel there covers
    5s x 5s pixels of the original: fine grain, motifs and larger structure.
    """

    def __init__(
        self,
        rng: np.random.Generator,
        scales=(1, 2, 4),
        channels: int = 32,
        kernel_size: int = 5,
        dtype=np.float32,
    ):
        self.scales, self.dtype = scales, dtype
        k = kernel_size  # padding k // 2 keeps the size: each pixel is a centre
        self.layers = []
        for _ in scales:
            conv = Conv2D(1, channels, k, rng, padding=k // 2, dtype=dtype)
            self.layers.append((conv, ReLU()))

    def forward(self, image: np.ndarray) -> list[np.ndarray]:
        """(1, 1, h, w) -> one map (1, channels, h / s, w / s) per scale s."""
        features = []
        for scale, (conv, relu) in zip(self.scales, self.layers, strict=True):
            # Grey levels around 0: filters answer to patterns, not brightness.
            small = shrink(image - 0.5, scale)
            features.append(relu.forward(conv.forward(small)))
        return features

    def backward(self, grads: list[np.ndarray]) -> np.ndarray:
        """d loss / d map, one per scale -> d loss / d image."""
        total = 0.0
        layers = zip(self.scales, self.layers, strict=True)
        for (scale, (conv, relu)), grad in zip(layers, grads, strict=True):
            grad_small = conv.backward(relu.backward(grad))
            total = total + shrink_backward(grad_small, scale)
        return total


# --8<-- [end:network]


# --8<-- [start:losses]
def style_loss(features, target_grams) -> tuple[float, list[np.ndarray]]:
    """Sum over scales of ||G - S||^2 / ||S||^2, and its gradient per map.

    G = F F^T / M: the Gram matrix of one image's (C, M) maps F; S: the
    style's. Dividing by ||S||^2 makes every scale count alike. G and S are
    symmetric, so d ||G - S||^2 / d F = 4 (G - S) F / M.
    """
    loss, grads = 0.0, []
    for maps, target in zip(features, target_grams, strict=True):
        channels, positions = maps.shape[1], maps.shape[2] * maps.shape[3]
        difference = gram_matrix(maps)[0] - target[0]  # (C, C)
        norm = float(np.sum(target**2))
        loss += float(np.sum(difference**2)) / norm
        flat = maps.reshape(channels, positions)
        grad = 4.0 * (difference @ flat) / (positions * norm)
        grads.append(grad.reshape(maps.shape))
    return loss, grads


def content_loss(maps, target) -> tuple[float, np.ndarray]:
    """||F - F_content||^2 / ||F_content||^2 and its gradient: what is where."""
    difference = maps - target
    norm = float(np.sum(target**2))
    return float(np.sum(difference**2)) / norm, 2.0 * difference / norm


# --8<-- [end:losses]


# --8<-- [start:synthesise]
def synthesise(
    network: RandomFeatures,
    style: np.ndarray,
    start: np.ndarray,
    content: np.ndarray | None = None,
    content_weight: float = 0.0,
    steps: int = 100,
) -> tuple[np.ndarray, list[float]]:
    """Change the pixels of ``start`` until its Gram matrices match the style's.

    With ``content``, also keep the finest scale's maps close to the content's,
    weighted by ``content_weight``. SciPy's L-BFGS-B does the descent and keeps
    every pixel in [0, 1]. Returns the image and the loss after each step.
    """
    from scipy.optimize import minimize

    target_grams = [gram_matrix(maps) for maps in network.forward(style)]
    if content is not None:
        target_content = network.forward(content)[0]

    def loss_and_gradient(pixels: np.ndarray):
        image = pixels.reshape(start.shape).astype(network.dtype)
        features = network.forward(image)
        loss, grads = style_loss(features, target_grams)
        if content is not None:
            extra, grad = content_loss(features[0], target_content)
            loss += content_weight * extra
            grads[0] = grads[0] + content_weight * grad
        grad_image = network.backward(grads)
        return loss, grad_image.astype(np.float64).ravel()

    history: list[float] = []

    def record(intermediate_result):  # SciPy passes the result by this name
        history.append(float(intermediate_result.fun))

    result = minimize(
        loss_and_gradient,
        start.astype(np.float64).ravel(),
        jac=True,  # loss_and_gradient returns the gradient too
        method="L-BFGS-B",
        bounds=[(0.0, 1.0)] * start.size,
        callback=record,
        options={"maxiter": steps},
    )
    return result.x.reshape(start.shape), history


# --8<-- [end:synthesise]

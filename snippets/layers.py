"""Layers: small classes with ``forward(x)`` and ``backward(grad_out)``.

``forward`` keeps what ``backward`` needs; ``backward`` takes d loss / d output
and returns d loss / d input, filling the gradient of each parameter on the way
(parameter ``W`` has gradient ``dW``). Batch first everywhere.
"""

from __future__ import annotations

import numpy as np

from snippets.activations import get_activation
from snippets.checks import (
    as_float_array,
    check_float_dtype,
    check_generator,
    check_grad_out,
    check_ndim,
)

__all__ = [
    "Activation",
    "Dense",
    "Dropout",
    "Layer",
    "ReLU",
    "Sigmoid",
    "Tanh",
    "init_weights",
]


class Layer:
    """Base class. ``param_names`` lists the attributes an optimiser updates."""

    param_names: tuple[str, ...] = ()

    def forward(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def parameters(self):
        """Yield ``(name, value, gradient)`` for each parameter; gradients exist
        after backward."""
        for name in self.param_names:
            yield name, getattr(self, name), getattr(self, "d" + name, None)

    def _require_forward(self, cache) -> None:
        if cache is None:
            raise RuntimeError(
                f"{type(self).__name__}.backward called before forward"
            )


# --8<-- [start:init]
def init_weights(
    fan_in: int, fan_out: int, rng: np.random.Generator, scheme: str = "he"
) -> np.ndarray:
    """Random weights (fan_in, fan_out) scaled so activations keep their
    variance.

    "he" (std sqrt(2 / fan_in), He et al. 2015) suits ReLU; "xavier" (std sqrt(1
    / fan_in)) suits tanh and sigmoid. That is the fan-in form often called
    Xavier (also LeCun's); Glorot and Bengio's own normalised scheme uses 2 /
    (fan_in + fan_out) as the variance. Zeros would make every unit of a layer
    compute the same thing forever.
    """
    check_generator(rng)
    scales = {"he": np.sqrt(2.0 / fan_in), "xavier": np.sqrt(1.0 / fan_in)}
    if scheme not in scales:
        raise ValueError(
            f"unknown init scheme {scheme!r}; expected 'he' or 'xavier'"
        )
    return rng.standard_normal((fan_in, fan_out)) * scales[scheme]


# --8<-- [end:init]


# --8<-- [start:dense]
class Dense(Layer):
    """Fully connected layer: out = x @ W + b.

    x: (batch, in_features) -> out: (batch, out_features);
    W: (in_features, out_features), b: (out_features,).
    """

    param_names = ("W", "b")

    def __init__(
        self,
        in_features: int,
        out_features: int,
        rng: np.random.Generator,
        init: str = "he",
        dtype=np.float64,
        input_grad: bool = True,
    ):
        if in_features < 1 or out_features < 1:
            raise ValueError(
                f"Dense needs positive sizes, got {in_features} -> "
                f"{out_features}"
            )
        dtype = check_float_dtype(dtype)  # integer weights would round to 0
        self.W = init_weights(in_features, out_features, rng, init).astype(
            dtype
        )
        self.b = np.zeros(out_features, dtype=dtype)
        # A first layer's input is the data, whose gradient nobody uses: with
        # input_grad=False, backward skips it and returns None.
        self.input_grad = bool(input_grad)
        self._x = None  # the last input, kept by forward for backward

    # --8<-- [start:dense_forward]
    def forward(self, x: np.ndarray) -> np.ndarray:
        x = as_float_array(x)
        check_ndim(x, 2, "(batch, in_features)")
        if x.shape[1] != self.W.shape[0]:
            raise ValueError(
                f"x must have shape (batch, {self.W.shape[0]}), got shape "
                f"{x.shape}"
            )
        self._x = x  # backward needs the input
        return x @ self.W + self.b

    # --8<-- [end:dense_forward]

    # --8<-- [start:dense_backward]
    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        self._require_forward(self._x)
        grad_out = check_grad_out(grad_out, (len(self._x), self.W.shape[1]))
        self.dW = self._x.T @ grad_out  # (in, batch) @ (batch, out)
        self.db = grad_out.sum(axis=0)  # b was added to every row
        if not self.input_grad:
            return None
        return grad_out @ self.W.T  # (batch, out) @ (out, in)

    # --8<-- [end:dense_backward]

    def __repr__(self) -> str:
        return f"Dense({self.W.shape[0]}, {self.W.shape[1]})"


# --8<-- [end:dense]


# --8<-- [start:activation_layer]
class Activation(Layer):
    """Element-wise activation by name ("relu", "tanh", "sigmoid"); no
    parameters."""

    def __init__(self, name: str):
        self.name = name
        self.function, self.derivative = get_activation(name)
        self._z = None

    def forward(self, z: np.ndarray) -> np.ndarray:
        self._z = as_float_array(z, "z")
        return self.function(self._z)

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        self._require_forward(self._z)
        grad_out = check_grad_out(grad_out, self._z.shape)
        # chain rule, element by element
        return grad_out * self.derivative(self._z)

    def __repr__(self) -> str:
        return f"Activation({self.name!r})"


# --8<-- [end:activation_layer]


# --8<-- [start:named_activations]
class ReLU(Activation):
    """max(0, z), element-wise: ``Activation("relu")`` under its own name."""

    def __init__(self):
        super().__init__("relu")

    def __repr__(self) -> str:
        return "ReLU()"


class Tanh(Activation):
    """tanh(z), element-wise: ``Activation("tanh")`` under its own name."""

    def __init__(self):
        super().__init__("tanh")

    def __repr__(self) -> str:
        return "Tanh()"


class Sigmoid(Activation):
    """1 / (1 + e^-z), element by element: ``Activation("sigmoid")``."""

    def __init__(self):
        super().__init__("sigmoid")

    def __repr__(self) -> str:
        return "Sigmoid()"


# --8<-- [end:named_activations]


# --8<-- [start:dropout]
class Dropout(Layer):
    """Inverted dropout: in training, zero each value with probability ``p``.

    The survivors are scaled by 1 / (1 - p): each value keeps its expected
    size, so evaluation needs no rescaling. With ``training = False`` the layer
    passes its input through. x: (batch, ...) -> out: the same shape.
    """

    def __init__(self, p: float, rng: np.random.Generator):
        if not 0 <= p < 1:
            hint = "p is the fraction to drop"
            raise ValueError(f"p must lie in [0, 1), got {p}; {hint}")
        self.p = p
        self.rng = check_generator(rng)
        self.training = True
        self._mask = None  # kept by forward for backward

    # --8<-- [start:dropout_forward]
    def forward(self, x: np.ndarray) -> np.ndarray:
        x = as_float_array(x)
        if not self.training:
            self._mask = np.ones_like(x)  # evaluation: the identity
            return x
        keep = self.rng.random(x.shape) >= self.p  # True with probability 1 - p
        self._mask = keep.astype(x.dtype) / (1 - self.p)
        return x * self._mask

    # --8<-- [end:dropout_forward]

    # --8<-- [start:dropout_backward]
    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        self._require_forward(self._mask)
        grad_out = check_grad_out(grad_out, self._mask.shape)
        return grad_out * self._mask  # the same mask, the same scale

    # --8<-- [end:dropout_backward]

    @property
    def training(self) -> bool:
        """True: drop values (training); False: pass them (evaluation)."""
        return self._training

    @training.setter
    def training(self, mode: bool) -> None:
        if not isinstance(mode, bool | np.bool_):
            hint = "False means evaluate"
            got = f"got {mode!r}"
            raise TypeError(f"training must be True or False, {got}; {hint}")
        self._training = bool(mode)

    def __repr__(self) -> str:
        return f"Dropout(p={self.p})"


# --8<-- [end:dropout]

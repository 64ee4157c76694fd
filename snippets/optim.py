"""Optimisers: each ``step(layers)`` moves every parameter against its gradient,
in place.

Hyper-parameters are checked on every assignment, not only at construction: a
training loop that sets ``optimizer.lr`` each epoch gets the same loud error for
a bad value.
"""

from __future__ import annotations

import math
import numbers
import weakref

import numpy as np

__all__ = [
    "SGD",
    "Adam",
    "AdamW",
    "Checked",
    "Momentum",
    "Optimizer",
    "non_negative",
    "positive_rate",
    "unit_fraction",
]


def _real(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"{name} must be a real number, got {value!r} "
            f"({type(value).__name__})"
        )
    return float(value)


def positive_rate(value, name: str = "learning rate") -> float:
    """A learning rate: finite and > 0. NaN would fill the weights with NaN; a
    negative rate climbs the loss instead of descending it."""
    rate = _real(value, name)
    if not (math.isfinite(rate) and rate > 0):
        raise ValueError(
            f"{name} must be positive and finite, got {rate}; try a small "
            "number such as 0.01"
        )
    return rate


def unit_fraction(value, name: str) -> float:
    """A decay rate such as momentum's beta: in [0, 1), or the average never
    forgets."""
    fraction = _real(value, name)
    if not 0 <= fraction < 1:
        raise ValueError(
            f"{name} must lie in [0, 1), got {fraction}; 0.9 is the usual "
            "choice"
        )
    return fraction


def non_negative(value, name: str) -> float:
    """A small constant such as Adam's eps: finite and >= 0."""
    number = _real(value, name)
    if not (math.isfinite(number) and number >= 0):
        raise ValueError(
            f"{name} must be finite and >= 0, got {number}; the default 1e-8 "
            "suits most uses"
        )
    return number


class Checked:
    """An attribute whose every assignment goes through ``check(value,
    name)``.

    It has no ``__get__``: Python then reads the checked value straight from
    the instance's ``__dict__``, without a call (Adam reads its rates at every
    update of every parameter)."""

    def __init__(self, check, label: str | None = None):
        self.check, self.label = check, label

    def __set_name__(self, owner, name: str) -> None:
        self.name = name

    def __set__(self, instance, value) -> None:
        checked = self.check(value, self.label or self.name)
        instance.__dict__[self.name] = checked


# --8<-- [start:optimizer]
class Optimizer:
    """Base class: ``step`` visits each (layer, parameter) pair once.

    ``weight_decay`` (lambda) pulls each weight matrix W towards zero; biases
    are left alone. By default lambda * W, the gradient of the L2 penalty
    (lambda / 2) * sum(W**2), is added to dW, as in torch.optim.SGD and Adam.
    A subclass with ``decoupled = True`` (AdamW) shrinks W apart instead.
    """

    lr = Checked(positive_rate, "learning rate")
    weight_decay = Checked(non_negative)
    decoupled = False
    decayed_names = ("W",)  # weights; a bias only shifts, so it is not decayed

    def __init__(self, lr: float, weight_decay: float = 0.0):
        self.lr = lr
        self.weight_decay = weight_decay
        # State per layer, held weakly: it goes when its layer goes, and a new
        # layer starts fresh even if Python gives it a dead layer's id.
        self.state: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def step(self, layers) -> None:
        for layer in layers:
            for name, value, grad in layer.parameters():
                if grad is None:
                    raise RuntimeError(
                        f"{type(layer).__name__}.{name} has no gradient: call "
                        "backward first"
                    )
                if grad.shape != value.shape:
                    owner = type(layer).__name__
                    raise ValueError(
                        f"{owner}.d{name} must have shape {value.shape}, got "
                        f"shape {grad.shape}"
                    )
                decay = self.weight_decay if name in self.decayed_names else 0.0
                if decay and self.decoupled:  # shrink W, apart from the update
                    value *= 1 - self.lr * decay
                elif decay:  # the gradient of (decay / 2) * sum(W**2)
                    grad = grad + decay * value
                per_layer = self.state.setdefault(layer, {})
                self.update(value, grad, per_layer.setdefault(name, {}))

    def update(self, value: np.ndarray, grad: np.ndarray, state: dict) -> None:
        raise NotImplementedError


# --8<-- [end:optimizer]


# --8<-- [start:sgd]
class SGD(Optimizer):
    """Plain gradient descent: w <- w - lr * dw."""

    def update(self, value, grad, state):
        value -= self.lr * grad


# --8<-- [end:sgd]


# --8<-- [start:momentum]
class Momentum(Optimizer):
    """Gradient descent with momentum: v <- beta v + dw; w <- w - lr v."""

    beta = Checked(unit_fraction)

    def __init__(self, lr: float, beta: float = 0.9, weight_decay: float = 0.0):
        super().__init__(lr, weight_decay)
        self.beta = beta

    def update(self, value, grad, state):
        velocity = state.setdefault("velocity", np.zeros_like(value))
        velocity *= self.beta
        velocity += grad
        value -= self.lr * velocity


# --8<-- [end:momentum]


# --8<-- [start:adam]
class Adam(Optimizer):
    """Adam: momentum on the gradient and its square, with bias correction."""

    beta1, beta2 = Checked(unit_fraction), Checked(unit_fraction)
    eps = Checked(non_negative)

    def __init__(
        self,
        lr: float = 1e-3,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ):
        super().__init__(lr, weight_decay)
        self.beta1, self.beta2, self.eps = beta1, beta2, eps

    def update(self, value, grad, state):
        if not state:
            state.update(t=0, m=np.zeros_like(value), v=np.zeros_like(value))
            state["scratch"] = np.empty_like(value)  # reused at every step
        state["t"] += 1
        m, v, t = state["m"], state["v"], state["t"]
        scratch = state["scratch"]
        # m <- beta1 m + (1 - beta1) grad, v <- beta2 v + (1 - beta2) grad^2,
        # in place: a large parameter would get a new temporary per term.
        m *= self.beta1
        m += np.multiply(grad, 1 - self.beta1, out=scratch)
        v *= self.beta2
        np.square(grad, out=scratch)
        v += np.multiply(scratch, 1 - self.beta2, out=scratch)
        # Early steps: m and v start at 0; dividing them by 1 - beta^t undoes
        # that bias. Both corrections are numbers, so they fold into the step
        # size and eps, as Kingma and Ba suggest (section 2 of their paper):
        # lr * m_hat / (sqrt(v_hat) + eps) with one pass fewer.
        correction1, correction2 = 1 - self.beta1**t, 1 - self.beta2**t
        root2 = math.sqrt(correction2)
        denominator = np.sqrt(v, out=scratch)
        denominator += self.eps * root2
        step = np.divide(m, denominator, out=scratch)
        step *= self.lr * root2 / correction1
        value -= step


# --8<-- [end:adam]


# --8<-- [start:adamw]
class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov and Hutter, 2019).

    Each step first shrinks W by the factor (1 - lr * weight_decay), then takes
    Adam's step on the loss gradient alone, as torch.optim.AdamW does.
    """

    decoupled = True

    def __init__(self, lr=1e-3, weight_decay=1e-2, **adam_options):
        super().__init__(lr, weight_decay=weight_decay, **adam_options)


# --8<-- [end:adamw]

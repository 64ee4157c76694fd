"""Optimisers: each ``step(layers)`` moves every parameter against its gradient,
in place."""

from __future__ import annotations

import numpy as np

__all__ = [
    "SGD",
    "Adam",
    "Momentum",
    "Optimizer",
]


class Optimizer:
    """Base class: ``step`` visits each (layer, parameter) pair once."""

    def __init__(self, lr: float):
        if not lr > 0:
            raise ValueError(f"learning rate must be positive, got {lr}")
        self.lr = lr
        self.state: dict[tuple[int, str], dict] = {}

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
                state = self.state.setdefault((id(layer), name), {})
                self.update(value, grad, state)

    def update(self, value: np.ndarray, grad: np.ndarray, state: dict) -> None:
        raise NotImplementedError


# --8<-- [start:sgd]
class SGD(Optimizer):
    """Plain gradient descent: w <- w - lr * dw."""

    def update(self, value, grad, state):
        value -= self.lr * grad


# --8<-- [end:sgd]


# --8<-- [start:momentum]
class Momentum(Optimizer):
    """Gradient descent with momentum: v <- beta v + dw; w <- w - lr v."""

    def __init__(self, lr: float, beta: float = 0.9):
        super().__init__(lr)
        if not 0 <= beta < 1:
            raise ValueError(f"beta must lie in [0, 1), got {beta}")
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

    def __init__(
        self,
        lr: float = 1e-3,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
    ):
        super().__init__(lr)
        if not (0 <= beta1 < 1 and 0 <= beta2 < 1):
            raise ValueError(
                f"beta1 and beta2 must lie in [0, 1), got {beta1} and {beta2}"
            )
        self.beta1, self.beta2, self.eps = beta1, beta2, eps

    def update(self, value, grad, state):
        if not state:
            state.update(t=0, m=np.zeros_like(value), v=np.zeros_like(value))
        state["t"] += 1
        m, v, t = state["m"], state["v"], state["t"]
        m *= self.beta1
        m += (1 - self.beta1) * grad
        v *= self.beta2
        v += (1 - self.beta2) * grad**2
        # early steps: m and v start at 0, undo that bias
        m_hat = m / (1 - self.beta1**t)
        v_hat = v / (1 - self.beta2**t)
        value -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


# --8<-- [end:adam]

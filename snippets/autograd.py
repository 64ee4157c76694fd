"""A tiny reverse-mode automatic differentiation engine over NumPy arrays.

A ``Tensor`` holds an array and remembers the operation that made it. Each
operation is a function that computes its result and, right beside it, a
``_backward`` closure that turns the gradient of the result into gradients of
its inputs. ``Tensor.backward()`` calls those closures from the output back to
the inputs: the chain rule, applied by the computer. The design follows
micrograd, on arrays instead of scalars.

Operations: ``add``, ``sub``, ``mul``, ``div`` (all with NumPy broadcasting),
``neg``, ``matmul``, and the ``tensor_`` functions ``tensor_exp``,
``tensor_log``, ``tensor_tanh``, ``tensor_relu``, ``tensor_sigmoid``,
``tensor_sum``, ``tensor_mean`` (each also a ``Tensor`` method without the
prefix, ``t.exp()``; the prefix keeps them apart from NumPy's), ``log_softmax``,
and ``cross_entropy`` built from them. ``MLP`` is a network on Tensors. The
engine imports no layer: ``snippets.frameworks.engine_mlp`` converts a
``Sequential`` of layers into an ``MLP``.
"""

from __future__ import annotations

import numpy as np

from snippets.activations import ACTIVATIONS
from snippets.activations import sigmoid as sigmoid_array
from snippets.checks import as_float_array

__all__ = [
    "MLP",
    "Tensor",
    "add",
    "as_tensor",
    "check_broadcast",
    "cross_entropy",
    "div",
    "log_softmax",
    "matmul",
    "mul",
    "neg",
    "normalize_axes",
    "operands",
    "sub",
    "tensor_exp",
    "tensor_log",
    "tensor_mean",
    "tensor_relu",
    "tensor_sigmoid",
    "tensor_sum",
    "tensor_tanh",
    "unbroadcast",
]


# --8<-- [start:tensor]
class Tensor:
    """An array that remembers how it was computed, so that gradients can flow
    back.

    data: any shape; float32 and float64 stay as they are, integers become
    float64. ``requires_grad=True`` marks a tensor whose gradient you want (a
    parameter); every result computed from it requires a gradient too. After
    ``backward()``, ``grad`` holds d output / d tensor, with the tensor's shape.
    """

    # array + tensor: NumPy steps aside and Tensor.__radd__ runs
    __array_ufunc__ = None

    def __init__(
        self,
        data,
        requires_grad: bool = False,
        parents: tuple[Tensor, ...] = (),
        op: str = "",
    ):
        # Results of operations are trusted; data you pass in is checked
        # (numeric, finite).
        self._data = (
            np.asarray(data) if parents else as_float_array(data, "data")
        )
        # counts assignments to data: backward needs the values it saw
        self._version = 0
        self.requires_grad = requires_grad or any(
            parent.requires_grad for parent in parents
        )
        self.grad = None
        self.parents = parents  # the tensors this one was computed from
        self._parent_versions = tuple(parent._version for parent in parents)
        # the name of the operation that made it, "" for a tensor you made
        self.op = op
        # set by that operation: sends self.grad on to the parents
        self._backward = None

    @property
    def data(self) -> np.ndarray:
        return self._data

    @data.setter
    def data(self, value) -> None:
        # `t.data = new` and `t.data -= step` both land here: new values.
        self._data = np.asarray(value)
        self._version += 1

    def _check_unchanged(self) -> None:
        """Raise if this result, or a tensor it was computed from, changed
        since the forward pass."""
        tensors = (self, *self.parents)
        versions = (0, *self._parent_versions)
        for tensor, version in zip(tensors, versions, strict=True):
            if tensor._version != version:
                raise RuntimeError(
                    "a tensor needed for the gradient was modified in place: "
                    f"a tensor of shape {tensor.shape} changed after "
                    f"'{self.op}' used it; change it after backward(), or run "
                    "the forward pass again"
                )

    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    def __repr__(self) -> str:
        details = f", op={self.op!r}" if self.op else ""
        details += (
            ", requires_grad=True" if self.requires_grad and not self.op else ""
        )
        return f"Tensor({self.data!r}{details})"

    def backward(self, grad=None) -> None:
        """Fill ``grad`` of every tensor this one was computed from, by the
        chain rule.

        On a scalar (a loss) the starting gradient is 1. On any other shape,
        pass ``grad``: the gradient of some scalar with respect to this tensor,
        same shape. Gradients of your own tensors add up over calls, as in
        PyTorch: set ``grad`` back to ``None`` between training steps.
        """
        if not self.requires_grad:
            raise RuntimeError(
                "backward() needs a tensor computed from one with "
                "requires_grad=True"
            )
        if grad is None:
            if self.data.size != 1:
                raise ValueError(
                    "backward() without grad needs a scalar, got shape "
                    f"{self.shape}"
                )
            grad = np.ones_like(self.data)
        else:
            grad = as_float_array(grad, "grad")
            if grad.shape != self.shape:
                raise ValueError(
                    f"grad must have shape {self.shape}, got shape {grad.shape}"
                )
        order = self.topological_order()
        for node in order:
            # results start from zero on every call; your tensors accumulate
            if node.parents:
                node.grad = None
        self._accumulate(grad)
        for node in reversed(order):  # from this tensor back to the inputs
            if node._backward is not None and node.grad is not None:
                # else the gradient would use the new values, silently
                node._check_unchanged()
                node._backward()

    def topological_order(self) -> list[Tensor]:
        """Every tensor that needs a gradient, each listed after all it was
        computed from.

        Iterative depth-first search, so that a long chain of operations cannot
        exceed Python's recursion limit.
        """
        order, visited = [], set()
        stack = [(self, False)]
        while stack:
            node, parents_done = stack.pop()
            if parents_done:
                order.append(node)
                continue
            if id(node) in visited:
                continue
            visited.add(id(node))
            stack.append((node, True))
            stack.extend(
                (p, False)
                for p in node.parents
                if p.requires_grad and id(p) not in visited
            )
        return order

    def _accumulate(self, grad: np.ndarray) -> None:
        """Add ``grad`` to ``self.grad``: a tensor used twice gets the sum of
        both gradients."""
        if grad.shape != self.data.shape:  # an engine bug, never the user's
            raise RuntimeError(
                f"{self.op or 'tensor'}: gradient of shape {grad.shape} for "
                f"{self.data.shape}"
            )
        if self.grad is None:
            # A tensor you made gets its own copy, safe to change; results may
            # share theirs.
            self.grad = grad if self.parents else np.array(grad)
        else:
            self.grad = self.grad + grad

    # Python operators call the operations defined below, one function each.
    def __add__(self, other):
        return add(self, other)

    def __radd__(self, other):
        return add(other, self)

    def __sub__(self, other):
        return sub(self, other)

    def __rsub__(self, other):
        return sub(other, self)

    def __mul__(self, other):
        return mul(self, other)

    def __rmul__(self, other):
        return mul(other, self)

    def __truediv__(self, other):
        return div(self, other)

    def __rtruediv__(self, other):
        return div(other, self)

    def __neg__(self):
        return neg(self)

    def __matmul__(self, other):
        return matmul(self, other)

    def __rmatmul__(self, other):
        return matmul(other, self)

    def exp(self):
        return tensor_exp(self)

    def log(self):
        return tensor_log(self)

    def tanh(self):
        return tensor_tanh(self)

    def relu(self):
        return tensor_relu(self)

    def sigmoid(self):
        return tensor_sigmoid(self)

    def sum(self, axis=None, keepdims: bool = False):
        return tensor_sum(self, axis, keepdims)

    def mean(self, axis=None, keepdims: bool = False):
        return tensor_mean(self, axis, keepdims)

    def log_softmax(self, axis: int = -1):
        return log_softmax(self, axis)


def as_tensor(value, like: Tensor | None = None) -> Tensor:
    """``value`` as a Tensor that needs no gradient (a constant), unless it is
    one already.

    A Python number takes the dtype of ``like``, so ``x * 2`` keeps float32
    float32.
    """
    if isinstance(value, Tensor):
        return value
    if like is not None and isinstance(value, int | float):
        return Tensor(np.asarray(value, dtype=like.dtype))
    return Tensor(value)


# --8<-- [end:tensor]


# --8<-- [start:unbroadcast]
def operands(a, b) -> tuple[Tensor, Tensor]:
    """Both operands as Tensors; a plain number takes the dtype of the other
    operand."""
    if isinstance(a, Tensor):
        return a, as_tensor(b, like=a)
    b = as_tensor(b)
    return as_tensor(a, like=b), b


def check_broadcast(op: str, a: Tensor, b: Tensor) -> None:
    """Raise a ValueError naming both shapes if NumPy cannot broadcast them
    together."""
    try:
        np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise ValueError(
            f"{op}: shapes {a.shape} and {b.shape} do not broadcast "
            "(aligned from the right, each pair of sizes must be equal or "
            "contain a 1)"
        ) from None


def unbroadcast(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum ``grad`` down to ``shape``: the backward of NumPy's broadcasting.

    An input broadcast over an axis was used once per position along it, so its
    gradient is the sum over that axis. grad: the broadcast shape -> ``shape``.
    """
    extra_axes = grad.ndim - len(shape)
    if extra_axes:  # axes that broadcasting added in front
        grad = grad.sum(axis=tuple(range(extra_axes)))
    stretched = tuple(
        axis
        for axis, size in enumerate(shape)
        if size == 1 and grad.shape[axis] != 1
    )
    if stretched:  # axes of size 1 that broadcasting stretched
        grad = grad.sum(axis=stretched, keepdims=True)
    return grad


# --8<-- [end:unbroadcast]


# --8<-- [start:add]
def add(a, b) -> Tensor:
    """a + b, with broadcasting. d(a + b)/da = 1 and d(a + b)/db = 1."""
    a, b = operands(a, b)
    check_broadcast("add", a, b)
    out = Tensor(a.data + b.data, parents=(a, b), op="add")

    def _backward():
        if a.requires_grad:
            a._accumulate(unbroadcast(out.grad, a.shape))
        if b.requires_grad:
            b._accumulate(unbroadcast(out.grad, b.shape))

    out._backward = _backward
    return out


# --8<-- [end:add]


# --8<-- [start:sub]
def sub(a, b) -> Tensor:
    """a - b, with broadcasting. The gradient reaches b sign-flipped."""
    a, b = operands(a, b)
    check_broadcast("sub", a, b)
    out = Tensor(a.data - b.data, parents=(a, b), op="sub")

    def _backward():
        if a.requires_grad:
            a._accumulate(unbroadcast(out.grad, a.shape))
        if b.requires_grad:
            b._accumulate(unbroadcast(-out.grad, b.shape))

    out._backward = _backward
    return out


# --8<-- [end:sub]


# --8<-- [start:neg]
def neg(a) -> Tensor:
    """-a. d(-a)/da = -1."""
    a = as_tensor(a)
    out = Tensor(-a.data, parents=(a,), op="neg")

    def _backward():
        a._accumulate(-out.grad)

    out._backward = _backward
    return out


# --8<-- [end:neg]


# --8<-- [start:mul]
def mul(a, b) -> Tensor:
    """a * b element-wise, with broadcasting. d(ab)/da = b and d(ab)/db = a."""
    a, b = operands(a, b)
    check_broadcast("mul", a, b)
    out = Tensor(a.data * b.data, parents=(a, b), op="mul")

    def _backward():
        if a.requires_grad:
            a._accumulate(unbroadcast(out.grad * b.data, a.shape))
        if b.requires_grad:
            b._accumulate(unbroadcast(out.grad * a.data, b.shape))

    out._backward = _backward
    return out


# --8<-- [end:mul]


# --8<-- [start:div]
def div(a, b) -> Tensor:
    """a / b element-wise, with broadcasting. d(a/b)/da = 1/b and d(a/b)/db =
    -a/b²."""
    a, b = operands(a, b)
    check_broadcast("div", a, b)
    if np.any(b.data == 0):
        raise ValueError("div: the divisor contains zeros")
    out = Tensor(a.data / b.data, parents=(a, b), op="div")

    def _backward():
        if a.requires_grad:
            a._accumulate(unbroadcast(out.grad / b.data, a.shape))
        if b.requires_grad:
            # a/b² = out/b
            b._accumulate(unbroadcast(-out.grad * out.data / b.data, b.shape))

    out._backward = _backward
    return out


# --8<-- [end:div]


# --8<-- [start:matmul]
def matmul(a, b) -> Tensor:
    """Matrix product a @ b. a: (n, k), b: (k, m) -> (n, m)."""
    a, b = as_tensor(a), as_tensor(b)
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[0]:
        raise ValueError(
            f"matmul needs shapes (n, k) and (k, m), got {a.shape} and "
            f"{b.shape}"
        )
    out = Tensor(a.data @ b.data, parents=(a, b), op="matmul")

    def _backward():
        if a.requires_grad:
            a._accumulate(out.grad @ b.data.T)  # (n, m) @ (m, k)
        if b.requires_grad:
            b._accumulate(a.data.T @ out.grad)  # (k, n) @ (n, m)

    out._backward = _backward
    return out


# --8<-- [end:matmul]


# --8<-- [start:elementwise]
def tensor_exp(a) -> Tensor:
    """e^a element-wise. Its derivative is itself."""
    a = as_tensor(a)
    out = Tensor(np.exp(a.data), parents=(a,), op="exp")

    def _backward():
        a._accumulate(out.grad * out.data)

    out._backward = _backward
    return out


def tensor_log(a) -> Tensor:
    """Natural logarithm element-wise, for a > 0. d log(a)/da = 1/a."""
    a = as_tensor(a)
    if np.any(a.data <= 0):
        raise ValueError(
            f"log needs positive values, got a minimum of {a.data.min()}"
        )
    out = Tensor(np.log(a.data), parents=(a,), op="log")

    def _backward():
        a._accumulate(out.grad / a.data)

    out._backward = _backward
    return out


def tensor_tanh(a) -> Tensor:
    """tanh element-wise. d tanh(a)/da = 1 - tanh(a)²."""
    a = as_tensor(a)
    out = Tensor(np.tanh(a.data), parents=(a,), op="tanh")

    def _backward():
        a._accumulate(out.grad * (1.0 - out.data**2))

    out._backward = _backward
    return out


# --8<-- [end:elementwise]


# --8<-- [start:activations]
def tensor_relu(a) -> Tensor:
    """max(a, 0) element-wise. Its derivative is 1 where a > 0, else 0."""
    a = as_tensor(a)
    out = Tensor(np.maximum(a.data, 0.0), parents=(a,), op="relu")

    def _backward():
        a._accumulate(out.grad * (a.data > 0))

    out._backward = _backward
    return out


def tensor_sigmoid(a) -> Tensor:
    """1 / (1 + e^-a) element-wise. Its derivative is sigmoid(a) (1 -
    sigmoid(a))."""
    a = as_tensor(a)
    out = Tensor(sigmoid_array(a.data), parents=(a,), op="sigmoid")

    def _backward():
        a._accumulate(out.grad * out.data * (1.0 - out.data))

    out._backward = _backward
    return out


# --8<-- [end:activations]


# --8<-- [start:reductions]
def normalize_axes(axis, ndim: int) -> tuple[int, ...]:
    """``axis`` (None, an int or a tuple; negative counts from the end) as
    sorted axes."""
    if axis is None:
        return tuple(range(ndim))
    axes = tuple(axis) if isinstance(axis, tuple | list) else (axis,)
    integers = (int, np.integer)
    if any(isinstance(ax, bool) or not isinstance(ax, integers) for ax in axes):
        raise TypeError(
            "axis must be None, an integer or a tuple of integers, got "
            f"{axis!r}"
        )
    axes = tuple(int(ax) for ax in axes)  # np.int64(1) works like 1
    if any(not -ndim <= ax < ndim for ax in axes):
        raise ValueError(
            f"axis {axis} is out of range for a tensor with {ndim} axes"
        )
    normalized = tuple(sorted(ax % ndim for ax in axes))
    if len(set(normalized)) != len(normalized):
        raise ValueError(f"axis {axis} repeats an axis")
    return normalized


def tensor_sum(a, axis=None, keepdims: bool = False) -> Tensor:
    """Sum over ``axis`` (None: all). Every summed entry gets the gradient of
    the sum."""
    a = as_tensor(a)
    axes = normalize_axes(axis, a.ndim)
    out = Tensor(
        a.data.sum(axis=axes, keepdims=keepdims), parents=(a,), op="sum"
    )

    def _backward():
        # put summed axes back
        grad = out.grad if keepdims else np.expand_dims(out.grad, axes)
        a._accumulate(np.broadcast_to(grad, a.shape))

    out._backward = _backward
    return out


def tensor_mean(a, axis=None, keepdims: bool = False) -> Tensor:
    """Mean over ``axis`` (None: all). Each entry gets 1/count of the mean's
    gradient."""
    a = as_tensor(a)
    axes = normalize_axes(axis, a.ndim)
    count = int(np.prod([a.shape[ax] for ax in axes]))
    out = Tensor(
        a.data.mean(axis=axes, keepdims=keepdims), parents=(a,), op="mean"
    )

    def _backward():
        grad = out.grad if keepdims else np.expand_dims(out.grad, axes)
        a._accumulate(np.broadcast_to(grad / count, a.shape))

    out._backward = _backward
    return out


# --8<-- [end:reductions]


# --8<-- [start:log_softmax]
def log_softmax(a, axis: int = -1) -> Tensor:
    """log(softmax(a)) over ``axis``: a - log(sum(e^a)), computed without
    overflow.

    With g the incoming gradient and p = softmax(a), the gradient is g - p
    sum(g).
    """
    a = as_tensor(a)
    (axis,) = normalize_axes(axis, a.ndim)
    # keeps exp() finite
    shifted = a.data - a.data.max(axis=axis, keepdims=True)
    out = Tensor(
        shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True)),
        parents=(a,),
        op="log_softmax",
    )

    def _backward():
        probabilities = np.exp(out.data)
        a._accumulate(
            out.grad - probabilities * out.grad.sum(axis=axis, keepdims=True)
        )

    out._backward = _backward
    return out


# --8<-- [end:log_softmax]


# --8<-- [start:cross_entropy]
def cross_entropy(logits, targets) -> Tensor:
    """Softmax cross-entropy, averaged over the batch: mean(-sum(targets *
    log_softmax)).

    logits: (batch, classes) Tensor; targets: (batch, classes) one-hot array.
    Built from the operations above, so it needs no backward of its own.
    """
    logits = as_tensor(logits)
    targets = as_float_array(targets, "targets").astype(
        logits.dtype, copy=False
    )
    if logits.ndim != 2:
        raise ValueError(
            f"logits must have shape (batch, classes), got shape {logits.shape}"
        )
    if targets.shape != logits.shape:
        raise ValueError(
            "cross_entropy needs targets of the logits' shape, got "
            f"{logits.shape} and {targets.shape}; encode class labels with "
            "one_hot(labels, n_classes)"
        )
    return -(log_softmax(logits, axis=1) * targets).sum(axis=1).mean()


# --8<-- [end:cross_entropy]


# --8<-- [start:mlp]
class MLP:
    """Dense layers on Tensors with an activation between them: x @ W + b, act,
    ...

    weights: [(W: (in, out), b: (out,)), ...], copied into Tensors that require
    gradients. x: (batch, in) -> logits: (batch, out of the last layer).
    """

    def __init__(self, weights, activation: str = "relu"):
        # "relu", "tanh", "sigmoid": Tensor methods too
        if activation not in ACTIVATIONS:
            known = ", ".join(ACTIVATIONS)
            raise ValueError(
                f"unknown activation {activation!r}; expected one of: {known}"
            )
        self.activation = activation
        self.layers = []
        for W, b in weights:
            W, b = as_float_array(W, "W"), as_float_array(b, "b")
            if W.ndim != 2 or b.shape != (W.shape[1],):
                raise ValueError(
                    f"need W: (in, out) and b: (out,), got shapes {W.shape} "
                    f"and {b.shape}"
                )
            if self.layers and self.layers[-1][0].shape[1] != W.shape[0]:
                previous = self.layers[-1][0].shape
                raise ValueError(
                    f"W of shape {W.shape} cannot follow W of shape {previous}"
                )
            self.layers.append(
                (
                    Tensor(W.copy(), requires_grad=True),
                    Tensor(b.copy(), requires_grad=True),
                )
            )
        if not self.layers:
            raise ValueError("MLP needs at least one (W, b) pair")

    def __call__(self, x) -> Tensor:
        h = as_tensor(x)
        for index, (W, b) in enumerate(self.layers):
            h = h @ W + b
            # no activation after the last layer: logits
            if index < len(self.layers) - 1:
                h = getattr(h, self.activation)()
        return h

    def parameters(self) -> list[Tensor]:
        return [tensor for pair in self.layers for tensor in pair]

    def train_step(self, x, y, learning_rate: float) -> float:
        """One step of plain gradient descent on a batch; returns the loss
        before the step."""
        loss = cross_entropy(self(x), y)
        for parameter in self.parameters():
            # gradients of your own tensors would add up otherwise
            parameter.grad = None
        loss.backward()
        for parameter in self.parameters():
            parameter.data -= learning_rate * parameter.grad
        return float(loss.data)


# --8<-- [end:mlp]

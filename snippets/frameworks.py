"""The digits MLP in NumPy, in PyTorch and in Keras, and what separates them.

The post "Why frameworks?" trains one network three ways from the same initial
weights and compares the code and the speed. This is the only module of
``snippets`` that needs PyTorch (imported here) and Keras 3 (imported where a
function needs it, on the PyTorch backend): the rest of the package runs on
NumPy alone.
"""

from __future__ import annotations

import ast
import inspect
import io
import os
import textwrap
import tokenize
from collections.abc import Callable
from contextlib import contextmanager
from itertools import pairwise

import numpy as np
import torch

from snippets.autograd import MLP
from snippets.layers import Activation, Dense
from snippets.network import Sequential, minibatches, stop_if_diverged
from snippets.numpy_net import DIGITS_LAYER_SIZES, mlp
from snippets.optim import SGD
from snippets.timing import best_time

__all__ = [
    "NOT_CODE",
    "SPEED_CASES",
    "SPEED_LEARNING_RATE",
    "SPEED_REPEAT",
    "TanhWithBug",
    "code_line_numbers",
    "count_code_lines",
    "dense_weights",
    "engine_mlp",
    "epoch_functions",
    "epoch_losses",
    "gradient_code_lines",
    "is_gradient_function",
    "keras_digits_mlp",
    "load_keras_weights",
    "load_torch_weights",
    "numpy_digits_mlp",
    "numpy_mlp",
    "seconds_per_epoch",
    "speed_case",
    "speed_settings",
    "synthetic_data",
    "thread_limit",
    "torch_digits_mlp",
    "torch_mlp",
    "train_keras",
    "train_numpy",
    "train_torch",
]

# Keras 3 chooses its backend once, when it is first imported; this module's
# Keras code runs on PyTorch unless you chose another backend before importing
# it.
os.environ.setdefault("KERAS_BACKEND", "torch")

# --8<-- [start:count_lines]
NOT_CODE = {
    tokenize.COMMENT,
    tokenize.NL,
    tokenize.NEWLINE,
    tokenize.INDENT,
    tokenize.DEDENT,
}
NOT_CODE |= {tokenize.ENCODING, tokenize.ENDMARKER}


def code_line_numbers(source: str) -> set[int]:
    """Numbers of the lines of ``source`` that hold code.

    Not code: blank lines, comments, docstrings, and the ``__all__`` list of
    names.
    """
    source = textwrap.dedent(source)
    not_code = set()
    for node in ast.walk(ast.parse(source)):
        kinds = ast.Module | ast.ClassDef | ast.FunctionDef
        if isinstance(node, kinds) and ast.get_docstring(node):
            docstring = node.body[0]
            not_code.update(range(docstring.lineno, docstring.end_lineno + 1))
        names = [
            t.id
            for t in getattr(node, "targets", [])
            if isinstance(t, ast.Name)
        ]
        if names == ["__all__"]:
            not_code.update(range(node.lineno, node.end_lineno + 1))
    lines = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type not in NOT_CODE:  # a string spanning lines counts on each
            lines.update(range(token.start[0], token.end[0] + 1))
    return lines - not_code


def count_code_lines(*objects) -> int:
    """Lines of code in the source of functions, classes or modules, summed."""
    return sum(
        len(code_line_numbers(inspect.getsource(obj))) for obj in objects
    )


def is_gradient_function(name: str) -> bool:
    """This site's names for derivative code: ``backward`` methods,
    ``*_derivative``, ``*_grad``."""
    return name == "backward" or name.endswith(("_derivative", "_grad"))


def gradient_code_lines(module) -> tuple[int, int]:
    """(lines of code in the module's derivative functions, lines of code in the
    module)."""
    source = inspect.getsource(module)
    code_lines = code_line_numbers(source)
    gradient_lines = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef) and is_gradient_function(
            node.name
        ):
            gradient_lines.update(range(node.lineno, node.end_lineno + 1))
    return len(code_lines & gradient_lines), len(code_lines)


# --8<-- [end:count_lines]


# --8<-- [start:planted_bug]
class TanhWithBug(Activation):
    """A tanh layer with a planted bug in its derivative, for the gradient check
    to catch."""

    def __init__(self):
        super().__init__("tanh")
        # wrong: d tanh(z)/dz = 1 - tanh(z)**2
        self.derivative = lambda z: 1.0 - np.tanh(z)


# --8<-- [end:planted_bug]


# --8<-- [start:numpy_mlp]
def numpy_digits_mlp(rng: np.random.Generator) -> Sequential:
    """64 pixels -> 128 -> 64 -> 10 scores, ReLU between, softmax cross-entropy
    loss."""
    return Sequential(
        [
            Dense(64, 128, rng),
            Activation("relu"),
            Dense(128, 64, rng),
            Activation("relu"),
            Dense(64, 10, rng),
        ],
        loss="softmax_cross_entropy",
    )


def train_numpy(
    model, x, y, epochs: int, batch_size: int, learning_rate: float, rng
) -> list[float]:
    """Plain gradient descent on mini-batches; returns each step's loss."""
    optimizer = SGD(lr=learning_rate)
    losses = []
    for epoch in range(1, epochs + 1):
        batches = minibatches(len(x), batch_size, rng)
        for number, batch in enumerate(batches, start=1):
            step = (optimizer, epoch, number)  # stops if training diverges
            losses.append(model.checked_train_step(x[batch], y[batch], *step))
    return losses


# --8<-- [end:numpy_mlp]


# --8<-- [start:torch_mlp]
def torch_digits_mlp() -> torch.nn.Sequential:
    """64 pixels -> 128 -> 64 -> 10 scores, ReLU between."""
    return torch.nn.Sequential(
        torch.nn.Linear(64, 128),
        torch.nn.ReLU(),
        torch.nn.Linear(128, 64),
        torch.nn.ReLU(),
        torch.nn.Linear(64, 10),
    )


def train_torch(
    model, x, y, epochs: int, batch_size: int, learning_rate: float, rng
) -> list[float]:
    """Plain gradient descent on mini-batches; returns each step's loss."""
    x, labels = torch.from_numpy(x), torch.from_numpy(y.argmax(axis=1))
    optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate)
    losses = []
    for _ in range(epochs):
        for batch in minibatches(len(x), batch_size, rng):
            batch = torch.from_numpy(batch)
            loss = torch.nn.functional.cross_entropy(
                model(x[batch]), labels[batch]
            )
            optimizer.zero_grad()
            loss.backward()  # autograd: no backward code of our own
            optimizer.step()
            losses.append(loss.item())
    return losses


# --8<-- [end:torch_mlp]


# --8<-- [start:keras_mlp]
def keras_digits_mlp(learning_rate: float):
    """64 pixels -> 128 -> 64 -> 10 scores, ReLU between, compiled with its loss
    and optimiser."""
    import keras  # here rather than at the top: importing Keras takes seconds

    model = keras.Sequential(
        [
            keras.Input(shape=(64,)),
            keras.layers.Dense(128, activation="relu"),
            keras.layers.Dense(64, activation="relu"),
            keras.layers.Dense(10),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.SGD(learning_rate=learning_rate),
        loss=keras.losses.CategoricalCrossentropy(from_logits=True),
    )
    return model


def train_keras(model, x, y, epochs: int, batch_size: int, rng) -> list[float]:
    """``fit``, one epoch at a time, on the batches of ``minibatches``; returns
    each epoch's mean loss.

    On your own, ``model.fit(x, y, batch_size, epochs)`` is all it takes; Keras
    then shuffles with its own random numbers.
    """
    losses = []
    for _ in range(epochs):
        # the same batches
        order = np.concatenate(list(minibatches(len(x), batch_size, rng)))
        history = model.fit(
            x[order], y[order], batch_size=batch_size, shuffle=False, verbose=0
        )
        losses += history.history["loss"]
    return losses


# --8<-- [end:keras_mlp]


# --8<-- [start:same_weights]
def dense_weights(model: Sequential) -> list[tuple[np.ndarray, np.ndarray]]:
    """Copies of (W: (in, out), b: (out,)) of each Dense layer of a NumPy model,
    in order."""
    return [
        (layer.W.copy(), layer.b.copy())
        for layer in model.layers
        if isinstance(layer, Dense)
    ]


def load_torch_weights(
    model: torch.nn.Sequential, weights
) -> torch.nn.Sequential:
    """Copy (W, b) pairs into the Linear layers of ``model``, which takes their
    dtype.

    PyTorch stores a Linear weight as (out, in), the transpose of W.
    """
    linears = [
        module for module in model if isinstance(module, torch.nn.Linear)
    ]
    if len(linears) != len(weights):
        raise ValueError(
            f"model has {len(linears)} Linear layers, got {len(weights)} (W, "
            "b) pairs"
        )
    model.to(torch.from_numpy(weights[0][0]).dtype)
    with torch.no_grad():  # copying weights is no step to differentiate
        for linear, (W, b) in zip(linears, weights, strict=True):
            if tuple(linear.weight.shape) != W.T.shape:
                raise ValueError(
                    f"W must have shape {tuple(linear.weight.shape)[::-1]}, "
                    f"got shape {W.shape}"
                )
            linear.weight.copy_(torch.from_numpy(W.T))
            linear.bias.copy_(torch.from_numpy(b))
    return model


def load_keras_weights(model, weights):
    """Copy (W, b) pairs into a Keras model; a Keras Dense kernel is (in, out),
    like W."""
    model.set_weights([array for pair in weights for array in pair])
    return model


# --8<-- [end:same_weights]


# --8<-- [start:epoch_losses]
def epoch_losses(step_losses, n_samples: int, batch_size: int) -> list[float]:
    """Mean loss of each epoch from the loss of each step, weighted by batch
    size, as Keras reports it.

    step_losses: (epochs * steps per epoch,) -> a list of one mean per epoch.
    """
    # The batch sizes of one epoch of minibatches: full batches, then the rest.
    sizes = [
        min(batch_size, n_samples - start)
        for start in range(0, n_samples, batch_size)
    ]
    if len(step_losses) % len(sizes):
        raise ValueError(
            f"{len(step_losses)} step losses do not make whole epochs of "
            f"{len(sizes)} steps"
        )
    per_epoch = np.reshape(step_losses, (-1, len(sizes)))
    return [float(np.dot(losses, sizes) / n_samples) for losses in per_epoch]


# --8<-- [end:epoch_losses]


# Speed: one epoch of plain SGD, in float32 (the frameworks' default), from the
# same weights.


def numpy_mlp(
    layer_sizes, rng: np.random.Generator, dtype=np.float32
) -> Sequential:
    """``numpy_net.mlp`` with ReLU, as a softmax cross-entropy Sequential."""
    return Sequential(
        mlp(layer_sizes, "relu", rng, dtype=dtype), loss="softmax_cross_entropy"
    )


def torch_mlp(layer_sizes) -> torch.nn.Sequential:
    """The same architecture as ``numpy_mlp``, in PyTorch."""
    modules = []
    for fan_in, fan_out in pairwise(layer_sizes):
        modules += [torch.nn.Linear(fan_in, fan_out), torch.nn.ReLU()]
    return torch.nn.Sequential(*modules[:-1])


def synthetic_data(
    n_samples: int, n_features: int, n_classes: int, rng: np.random.Generator
):
    """Random inputs x: (n, features) and one-hot labels y: (n, classes) of a
    random linear rule."""
    x = rng.standard_normal((n_samples, n_features))
    labels = (x @ rng.standard_normal((n_features, n_classes))).argmax(axis=1)
    return x, np.eye(n_classes)[labels]


# (name, layer sizes, samples, batch size): the digits, and a synthetic set
# whose matrices are large enough for BLAS kernels and threads to matter.
SPEED_CASES = (
    ("digits", DIGITS_LAYER_SIZES, None, 64),
    ("synthetic", (256, 512, 512, 10), 2048, 256),
)
SPEED_LEARNING_RATE = 0.01
SPEED_REPEAT = 5  # timed epochs per implementation, after one to warm up


def epoch_functions(
    x, y, layer_sizes, batch_size: int, seed: int = 0
) -> dict[str, Callable[[], None]]:
    """For each implementation, a function that trains one epoch in float32.

    All three start from the same weights and see the same batches in the same
    order. x: (n, layer_sizes[0]), y: (n, layer_sizes[-1]) one-hot.
    """
    x, y = np.asarray(x, dtype=np.float32), np.asarray(y, dtype=np.float32)
    numpy_model = numpy_mlp(layer_sizes, np.random.default_rng(seed))
    weights = dense_weights(numpy_model)
    engine_model = MLP(weights)
    torch_model = load_torch_weights(torch_mlp(layer_sizes), weights)
    lr = SPEED_LEARNING_RATE

    def engine_epoch(rng):
        batches = minibatches(len(x), batch_size, rng)
        for number, batch in enumerate(batches, start=1):
            loss = engine_model.train_step(x[batch], y[batch], lr)
            stop_if_diverged(loss, 1, number, lr)

    return {
        "NumPy by hand": lambda: train_numpy(
            numpy_model, x, y, 1, batch_size, lr, np.random.default_rng(1)
        ),
        "autograd engine": lambda: engine_epoch(np.random.default_rng(1)),
        "PyTorch": lambda: train_torch(
            torch_model, x, y, 1, batch_size, lr, np.random.default_rng(1)
        ),
    }


def speed_case(name: str):
    """(x, y, layer sizes, batch size) of a case of ``SPEED_CASES``."""
    cases = {case[0]: case for case in SPEED_CASES}
    if name not in cases:
        raise ValueError(
            f"unknown speed case {name!r}; expected one of: {', '.join(cases)}"
        )
    _, layer_sizes, n_samples, batch_size = cases[name]
    if n_samples is None:
        from snippets.data import load_digits_split

        x, _, y, _ = load_digits_split(np.random.default_rng(0))
    else:
        x, y = synthetic_data(
            n_samples, layer_sizes[0], layer_sizes[-1], np.random.default_rng(0)
        )
    return x, y, layer_sizes, batch_size


# --8<-- [start:measure]
@contextmanager
def thread_limit(threads: int | None):
    """Let NumPy's BLAS and PyTorch use at most ``threads`` threads; None
    changes nothing."""
    if threads is None:
        yield
        return
    from threadpoolctl import threadpool_limits  # installed with scikit-learn

    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        with threadpool_limits(limits=threads):
            yield
    finally:
        torch.set_num_threads(previous)


def seconds_per_epoch(
    case: str = "digits", threads: int | None = None, repeat: int = SPEED_REPEAT
) -> dict[str, float]:
    """Seconds per epoch of each implementation on a case of ``SPEED_CASES``:
    the fastest of ``repeat``.

    The fastest epoch is the one least disturbed by whatever else the machine
    was doing. ``threads=None`` leaves NumPy and PyTorch their default threads
    (one per logical CPU). Each implementation runs one epoch to warm up, then
    its timed epochs in a row: worker threads stay busy for a moment after a
    call, and taking turns would let one library slow the other down.
    """
    x, y, layer_sizes, batch_size = speed_case(case)
    seconds = {}
    with thread_limit(threads):
        for name, run_epoch in epoch_functions(
            x, y, layer_sizes, batch_size
        ).items():
            seconds[name] = best_time(run_epoch, repeat, warmup=1)
    return seconds


def speed_settings() -> list[tuple[str, int | None]]:
    """(case, threads) pairs to measure: every case on one thread and on the
    default threads."""
    threads = [1] if (os.cpu_count() or 1) == 1 else [1, None]
    return [(case[0], count) for case in SPEED_CASES for count in threads]


# --8<-- [end:measure]


# --8<-- [start:engine_mlp]
def engine_mlp(model: Sequential) -> MLP:
    """The autograd engine's ``MLP`` of a NumPy model, with copies of its
    weights.

    model: Dense, Activation, Dense, ..., Dense, with one kind of activation
    between the Dense layers and none after the last.
    """
    layers = model.layers
    dense, between = layers[::2], layers[1::2]
    names = {layer.name for layer in between if isinstance(layer, Activation)}
    if (
        len(layers) % 2 == 0
        or not all(isinstance(layer, Dense) for layer in dense)
        or not all(isinstance(layer, Activation) for layer in between)
        or len(names) > 1
    ):
        raise ValueError(
            "need Dense, Activation, Dense, ..., Dense with one activation, "
            f"got {layers}"
        )
    activation = names.pop() if names else "relu"
    return MLP([(layer.W, layer.b) for layer in dense], activation)


# --8<-- [end:engine_mlp]

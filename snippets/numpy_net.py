"""Deep learning from NumPy: a network built by hand, then grown into an L-layer
network.

First the classic toy network as plain functions: 3 inputs, a hidden layer of 4
sigmoid units, 1 sigmoid output, trained by gradient descent. Parameters live in
a dict, ``{"W1": (n_inputs, n_hidden), "b1": (n_hidden,), "W2": (n_hidden,
n_outputs), "b2": (n_outputs,)}``, and every function takes a batch ``x: (batch,
n_inputs)``.

Then the same steps with the layer classes of ``snippets.layers``: an L-layer
network with ReLU, tanh or sigmoid units, softmax cross-entropy and
mini-batches, trained on handwritten digits. Also here: why vectorised NumPy
beats Python loops, and a layer with a planted backprop bug for the gradient
check to catch.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np

from snippets.activations import sigmoid
from snippets.checks import as_float_array, check_shape
from snippets.data import load_digits_split
from snippets.layers import Activation, Dense, Layer
from snippets.network import Sequential, stop_if_diverged
from snippets.optim import Adam

__all__ = [
    "DIGITS_LAYER_SIZES",
    "DenseWithBiasBug",
    "accuracy",
    "backward",
    "cost",
    "dense_forward_loops",
    "dense_forward_rows",
    "dense_forward_vectorized",
    "digits_mlp_experiment",
    "forward",
    "init_parameters",
    "mlp",
    "predict",
    "train",
    "train_digits_mlp",
    "update",
]


# --8<-- [start:init_parameters]
def init_parameters(
    n_inputs: int, n_hidden: int, n_outputs: int, rng: np.random.Generator
) -> dict:
    """Random weights with std 1 / sqrt(fan_in), zero biases.

    W1: (n_inputs, n_hidden), b1: (n_hidden,), W2: (n_hidden, n_outputs), b2:
    (n_outputs,). Random weights make the hidden units differ from the start;
    the scale keeps each unit's input sum near 1 in size, where the sigmoid is
    not flat.
    """
    return {
        "W1": rng.standard_normal((n_inputs, n_hidden)) / np.sqrt(n_inputs),
        "b1": np.zeros(n_hidden),
        "W2": rng.standard_normal((n_hidden, n_outputs)) / np.sqrt(n_hidden),
        "b2": np.zeros(n_outputs),
    }


# --8<-- [end:init_parameters]


# --8<-- [start:forward]
def forward(x: np.ndarray, params: dict) -> tuple[np.ndarray, dict]:
    """Forward propagation. x: (batch, n_inputs) -> probabilities (batch,
    n_outputs).

    Also returns the cache: the values that backward propagation needs.
    """
    x = as_float_array(x)  # NaN or a non-numeric array fails here, loudly
    check_shape(x, (None, params["W1"].shape[0]))
    z1 = x @ params["W1"] + params["b1"]  # (batch, n_hidden)
    a1 = sigmoid(z1)
    z2 = a1 @ params["W2"] + params["b2"]  # (batch, n_outputs)
    a2 = sigmoid(z2)
    return a2, {"x": x, "a1": a1, "a2": a2}


# --8<-- [end:forward]


# --8<-- [start:cost]
def cost(prob: np.ndarray, y: np.ndarray, eps: float = 1e-12) -> float:
    """Binary cross-entropy, summed over outputs and averaged over the batch.

    prob, y: (batch, n_outputs), prob in (0, 1), y in {0, 1}.
    """
    check_shape(y, prob.shape, "y")
    prob = np.clip(prob, eps, 1 - eps)  # log(0) would be -inf
    return float(
        -np.sum(y * np.log(prob) + (1 - y) * np.log(1 - prob)) / len(prob)
    )


# --8<-- [end:cost]


# --8<-- [start:backward]
def backward(params: dict, cache: dict, y: np.ndarray) -> dict:
    """Backward propagation: the gradient of the cost for every parameter, by
    the chain rule.

    Returns a dict with the keys and shapes of ``params``.
    """
    x, a1, a2 = cache["x"], cache["a1"], cache["a2"]
    check_shape(y, a2.shape, "y")
    # sigmoid and cross-entropy together: their derivatives cancel to this
    dz2 = (a2 - y) / len(x)
    dW2 = a1.T @ dz2  # (n_hidden, batch) @ (batch, n_outputs)
    db2 = dz2.sum(axis=0)  # b2 was added to every row
    da1 = dz2 @ params["W2"].T  # (batch, n_outputs) @ (n_outputs, n_hidden)
    dz1 = da1 * a1 * (1 - a1)  # sigmoid'(z1) = a1 (1 - a1)
    dW1 = x.T @ dz1
    db1 = dz1.sum(axis=0)
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


# --8<-- [end:backward]


# --8<-- [start:update]
def update(params: dict, grads: dict, learning_rate: float) -> dict:
    """One step of gradient descent: each parameter moves a little against its
    gradient."""
    return {name: params[name] - learning_rate * grads[name] for name in params}


# --8<-- [end:update]


# --8<-- [start:train]
def train(
    x: np.ndarray,
    y: np.ndarray,
    params: dict,
    learning_rate: float,
    epochs: int,
):
    """Gradient descent on the whole data set, ``epochs`` times.

    Returns the trained parameters and the cost before each step: (params,
    costs).
    """
    costs = []
    for epoch in range(1, epochs + 1):
        prob, cache = forward(x, params)  # 1. forward propagation
        costs.append(cost(prob, y))  # 2. the cost
        grads = backward(params, cache, y)  # 3. backward propagation
        params = update(params, grads, learning_rate)  # 4. gradient descent
        # 5. stop at the first NaN or infinity: it would spread silently
        stop_if_diverged(costs[-1], epoch, 1, learning_rate, params.items())
    return params, costs


# --8<-- [end:train]


# --8<-- [start:predict]
def predict(x: np.ndarray, params: dict, threshold: float = 0.5) -> np.ndarray:
    """Class 1 where the predicted probability exceeds ``threshold``, else 0:
    (batch, n_outputs)."""
    prob, _ = forward(x, params)
    return (prob > threshold).astype(int)


def accuracy(predicted: np.ndarray, labels: np.ndarray) -> float:
    """Fraction of predictions equal to their labels; both arrays of the same
    shape."""
    predicted, labels = np.asarray(predicted), np.asarray(labels)
    check_shape(labels, predicted.shape, "labels")
    return float(np.mean(predicted == labels))


# --8<-- [end:predict]


# --8<-- [start:loops]
def dense_forward_loops(
    x: np.ndarray, W: np.ndarray, b: np.ndarray
) -> np.ndarray:
    """x @ W + b with three nested Python loops: one multiply-add at a time.

    x: (batch, n_in), W: (n_in, n_out), b: (n_out,) -> (batch, n_out).
    """
    batch, n_in = x.shape
    check_shape(W, (n_in, None), "W")
    n_out = W.shape[1]
    out = np.zeros((batch, n_out))
    for i in range(batch):
        for j in range(n_out):
            total = b[j]
            for k in range(n_in):
                total += x[i, k] * W[k, j]
            out[i, j] = total
    return out


def dense_forward_rows(
    x: np.ndarray, W: np.ndarray, b: np.ndarray
) -> np.ndarray:
    """One Python loop over the rows; NumPy computes each row's products."""
    check_shape(W, (x.shape[1], None), "W")
    return np.array([row @ W + b for row in x])


def dense_forward_vectorized(
    x: np.ndarray, W: np.ndarray, b: np.ndarray
) -> np.ndarray:
    """No Python loop: one matrix product for the whole batch, then b added to
    every row."""
    check_shape(W, (x.shape[1], None), "W")
    return x @ W + b


# --8<-- [end:loops]


# --8<-- [start:mlp]
def mlp(
    layer_sizes, activation: str, rng: np.random.Generator, dtype=np.float64
) -> list[Layer]:
    """Dense layers of ``layer_sizes`` (inputs, hidden..., outputs),
    ``activation`` between them.

    The last Dense layer has no activation: it gives raw scores (logits), which
    the softmax cross-entropy loss turns into probabilities.
    """
    if len(layer_sizes) < 2:
        raise ValueError(
            "layer_sizes needs at least (inputs, outputs), got "
            f"{tuple(layer_sizes)}"
        )
    # keeps the scale of activations steady
    init = "he" if activation == "relu" else "xavier"
    layers = []
    for fan_in, fan_out in pairwise(layer_sizes):
        layers += [
            Dense(fan_in, fan_out, rng, init=init, dtype=dtype),
            Activation(activation),
        ]
    return layers[:-1]  # no activation after the output layer


# --8<-- [end:mlp]


# --8<-- [start:train_digits]
# 8x8 pixels in, two hidden layers, 10 classes out
DIGITS_LAYER_SIZES = (64, 128, 64, 10)


def train_digits_mlp(
    x_train,
    y_train,
    x_test,
    y_test,
    rng: np.random.Generator,
    activation: str = "relu",
    optimizer=None,
    epochs: int = 20,
    batch_size: int = 64,
):
    """Build an MLP for the digits and train it on mini-batches; return (model,
    history).

    x: (n, 64), y: (n, 10) one-hot. ``history`` holds the loss and accuracy
    after each epoch on the training set ("loss", "accuracy") and on the test
    set ("val_loss", "val_accuracy"). The test set is only watched, never
    trained on.
    """
    model = Sequential(
        mlp(DIGITS_LAYER_SIZES, activation, rng), loss="softmax_cross_entropy"
    )
    optimizer = Adam(lr=2e-3) if optimizer is None else optimizer
    history = model.fit(
        x_train,
        y_train,
        optimizer,
        epochs,
        batch_size,
        rng,
        validation=(x_test, y_test),
    )
    return model, history


# --8<-- [end:train_digits]


def digits_mlp_experiment(seed: int = 0, **options):
    """The post's digits run in one call: split with ``default_rng(seed)``, then
    train.

    Returns (model, history, (x_test, y_test)). The same seed gives the same
    split as ``load_digits_images_split(np.random.default_rng(seed))``. Figures
    and benchmarks use it.
    """
    rng = np.random.default_rng(seed)
    x_train, x_test, y_train, y_test = load_digits_split(rng)
    model, history = train_digits_mlp(
        x_train, y_train, x_test, y_test, rng, **options
    )
    return model, history, (x_test, y_test)


# --8<-- [start:planted_bug]
class DenseWithBiasBug(Dense):
    """A Dense layer with a planted bug, for the gradient check to catch.

    Its backward averages the bias gradient over the batch instead of summing
    it.
    """

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        grad_in = super().backward(grad_out)
        # wrong: b is added to every row, so dL/db is the sum
        self.db = grad_out.mean(axis=0)
        return grad_in


# --8<-- [end:planted_bug]

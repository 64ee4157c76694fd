"""Figures of the post "Deep learning from NumPy"."""

from __future__ import annotations

from functools import cache

import numpy as np
from matplotlib.figure import Figure

from snippets.activations import (
    relu,
    relu_derivative,
    sigmoid,
    sigmoid_derivative,
    tanh,
    tanh_derivative,
)
from snippets.data import load_digits_images_split, toy_data
from snippets.figures import figure
from snippets.numpy_net import (
    dense_forward_loops,
    dense_forward_rows,
    dense_forward_vectorized,
    digits_mlp_experiment,
    init_parameters,
    train,
)
from snippets.timing import best_time

# The settings of the post, so that each figure shows what the page's code computes.
TOY_SEED, TOY_HIDDEN, TOY_LEARNING_RATE, TOY_EPOCHS = 0, 4, 1.0, 3000
DIGITS_SEED = 0


@figure("activation_functions")
def activation_functions() -> Figure:
    """Sigmoid, tanh and ReLU on [-4, 4], and their derivatives."""
    z = np.linspace(-4, 4, 401)
    pairs = [
        ("sigmoid", sigmoid, sigmoid_derivative),
        ("tanh", tanh, tanh_derivative),
        ("ReLU", relu, relu_derivative),
    ]
    fig = Figure(figsize=(7, 3))
    ax_function, ax_derivative = fig.subplots(1, 2, sharex=True)
    for name, function, derivative in pairs:
        ax_function.plot(z, function(z), label=name)
        ax_derivative.plot(z, derivative(z), label=name)
    ax_function.set_title("activation g(z)")
    ax_derivative.set_title("derivative g'(z)")
    for ax in (ax_function, ax_derivative):
        ax.set_xlabel("z")
        ax.axhline(0, color="grey", linewidth=0.5)
        ax.grid(alpha=0.3)
    ax_derivative.legend(frameon=False)
    fig.tight_layout()
    return fig


@figure("toy_cost")
def toy_cost() -> Figure:
    """The toy network's cost during training, from random, zero and constant weights."""
    x, y = toy_data()
    random_params = init_parameters(3, TOY_HIDDEN, 1, np.random.default_rng(TOY_SEED))
    starts = {
        "random weights": random_params,
        "all zeros": {name: np.zeros_like(value) for name, value in random_params.items()},
        "all 0.5": {name: np.full_like(value, 0.5) for name, value in random_params.items()},
    }
    fig = Figure(figsize=(6, 3))
    ax = fig.add_subplot()
    for label, params in starts.items():
        _, costs = train(x, y, params, TOY_LEARNING_RATE, TOY_EPOCHS)
        ax.plot(np.arange(TOY_EPOCHS), costs, label=label)
    ax.set_yscale("log")
    ax.set_xlabel("epoch (one gradient step on all four examples)")
    ax.set_ylabel("cost (cross-entropy)")
    ax.grid(alpha=0.3, which="both")
    ax.legend(frameon=False)
    return fig


@cache
def _digits_run():
    """One training run shared by the digits figures (the build draws them in one process)."""
    return digits_mlp_experiment(DIGITS_SEED)


@figure("digits_curves")
def digits_curves() -> Figure:
    """Loss and accuracy after each epoch, on the training and the test set."""
    _, history, _ = _digits_run()
    epochs = np.arange(1, len(history["loss"]) + 1)
    fig = Figure(figsize=(7, 3))
    ax_loss, ax_accuracy = fig.subplots(1, 2, sharex=True)
    ax_loss.plot(epochs, history["loss"], label="training set")
    ax_loss.plot(epochs, history["val_loss"], label="test set")
    ax_loss.set_yscale("log")
    ax_loss.set_title("loss (softmax cross-entropy)")
    ax_accuracy.plot(epochs, history["accuracy"], label="training set")
    ax_accuracy.plot(epochs, history["val_accuracy"], label="test set")
    ax_accuracy.set_title("accuracy")
    for ax in (ax_loss, ax_accuracy):
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3, which="both")
    ax_accuracy.legend(frameon=False)
    fig.tight_layout()
    return fig


@figure("digits_misclassified")
def digits_misclassified() -> Figure:
    """Test digits the trained network gets wrong, with their label and the prediction."""
    model, _, (x_test, y_test) = _digits_run()
    _, images_test, _, labels_test = load_digits_images_split(np.random.default_rng(DIGITS_SEED))
    if not np.array_equal(labels_test, y_test.argmax(axis=1)):
        raise RuntimeError("the images do not belong to the split the network was tested on")
    predicted = model.predict(x_test)
    wrong = np.flatnonzero(predicted != labels_test)[:8]
    fig = Figure(figsize=(1.1 * max(len(wrong), 1), 1.9))
    for column, index in enumerate(wrong, start=1):
        ax = fig.add_subplot(1, len(wrong), column)
        ax.imshow(images_test[index], cmap="gray_r", vmin=0, vmax=16)
        ax.set_title(f"label {labels_test[index]}\nnetwork {predicted[index]}", fontsize=9)
        ax.set_axis_off()
    return fig


@figure("loops_vs_numpy", measured=True)
def loops_vs_numpy() -> Figure:
    """Time of x @ W + b by Python loops, by a loop over rows, and by one matrix product."""
    rng = np.random.default_rng(0)
    x, W, b = rng.standard_normal((50, 64)), rng.standard_normal((64, 128)), rng.standard_normal(128)
    methods = {
        "three Python loops": (dense_forward_loops, 1),
        "loop over rows": (dense_forward_rows, 20),
        "one matrix product": (dense_forward_vectorized, 200),
    }
    seconds = {name: best_time(lambda f=f: f(x, W, b), repeat) for name, (f, repeat) in methods.items()}
    fig = Figure(figsize=(6, 2.4))
    ax = fig.add_subplot()
    names = list(seconds)
    ax.barh(names, [seconds[name] for name in names], color=["C3", "C1", "C2"])
    ax.set_xscale("log")
    ax.invert_yaxis()
    ax.set_xlabel("seconds (log scale), measured while this page was built")
    for row, name in enumerate(names):
        ax.annotate(f" {seconds[name] * 1e3:.3g} ms", (seconds[name], row), va="center")
    ax.set_xlim(right=max(seconds.values()) * 20)
    ax.grid(alpha=0.3, axis="x", which="both")
    return fig

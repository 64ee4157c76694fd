# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Deep learning from NumPy
#
# This notebook goes with the post *Deep learning from NumPy*. You write the pieces of a
# neural network yourself and check each one against the site's `snippets` package.
# Install the package first (`pip install -e .` in a clone of the repository), then run
# the cells in order.
#
# Each exercise has a cell for your answer and a check cell after it. The check raises an
# `AssertionError` if the answer is wrong. The answers filled in below are one solution:
# delete them and write your own.

# %%
# %matplotlib inline
# %config InlineBackend.figure_formats = ["svg"]
import numpy as np

from snippets.activations import sigmoid
from snippets.data import load_digits_split, toy_data
from snippets.gradcheck import check_layer, numerical_gradient, relative_error
from snippets.layers import Dense, Layer
from snippets.network import Sequential
from snippets.numpy_net import cost, forward, init_parameters, mlp, train
from snippets.optim import Adam

x, y = toy_data()
params = init_parameters(3, 4, 1, np.random.default_rng(0))
print(np.hstack([x, y]))

# %% [markdown]
# ## Exercise 1: forward propagation
#
# Write `my_forward(x, params)`: the output probabilities of the 3-4-1 network,
# $\hat{Y} = \sigma\bigl(\sigma(X W_1 + b_1) W_2 + b_2\bigr)$, with the sigmoid $\sigma$.
# `x` has shape (batch, 3); the result has shape (batch, 1).

# %%
def my_forward(x, params):
    hidden = sigmoid(x @ params["W1"] + params["b1"])
    return sigmoid(hidden @ params["W2"] + params["b2"])


# %%
expected, _ = forward(x, params)
assert my_forward(x, params).shape == (4, 1), "the output must have one row per example"
assert np.allclose(my_forward(x, params), expected), "the probabilities differ from numpy_net.forward"
print("Exercise 1 passed.")

# %% [markdown]
# ## Exercise 2: backward propagation
#
# Write `my_gradients(x, y, params)`, returning a dict with the gradient of the cost for
# `W1`, `b1`, `W2` and `b2`. The chain rule from the post:
# $dZ_2 = (A_2 - Y) / m$, $dW_2 = A_1^\top dZ_2$, $db_2 = \sum_i dZ_2$,
# $dZ_1 = dZ_2 W_2^\top \odot A_1 (1 - A_1)$, $dW_1 = X^\top dZ_1$, $db_1 = \sum_i dZ_1$.
# The check compares your gradients with finite differences.

# %%
def my_gradients(x, y, params):
    m = len(x)
    a1 = sigmoid(x @ params["W1"] + params["b1"])
    a2 = sigmoid(a1 @ params["W2"] + params["b2"])
    dz2 = (a2 - y) / m
    dz1 = (dz2 @ params["W2"].T) * a1 * (1 - a1)
    return {"W1": x.T @ dz1, "b1": dz1.sum(axis=0), "W2": a1.T @ dz2, "b2": dz2.sum(axis=0)}


# %%
def cost_of_params(_):
    return cost(forward(x, params)[0], y)


mine = my_gradients(x, y, params)
for name in params:
    error = relative_error(mine[name], numerical_gradient(cost_of_params, params[name]))
    assert error < 1e-7, f"d{name} is off: relative error {error:.2e}"
print("Exercise 2 passed: every gradient agrees with finite differences.")

# %% [markdown]
# ## Exercise 3: train the toy network
#
# Choose a learning rate and a number of epochs so that the cost ends below 0.01.
# Try a learning rate of 0.1 first and see what happens.

# %%
my_learning_rate = 1.0
my_epochs = 2000

# %%
trained, costs = train(x, y, params, my_learning_rate, my_epochs)
print(f"cost after {my_epochs} epochs: {costs[-1]:.4f}")
assert costs[-1] < 0.01, "the cost is still above 0.01: a larger learning rate, or more epochs"
print("Exercise 3 passed.")

# %% [markdown]
# The same training from equal weights: every hidden unit stays a copy of the others.

# %%
halves = {name: np.full_like(value, 0.5) for name, value in params.items()}
halves_trained, _ = train(x, y, halves, my_learning_rate, my_epochs)
print(halves_trained["W1"].round(3))

# %% [markdown]
# ## Exercise 4: vectorise
#
# This cost works one example at a time. Write `my_vectorised_cost` without a Python loop
# and check that it gives the same number.

# %%
def cost_with_a_loop(prob, y):
    total = 0.0
    for p, label in zip(prob[:, 0], y[:, 0], strict=True):
        total += -(label * np.log(p) + (1 - label) * np.log(1 - p))
    return total / len(prob)


def my_vectorised_cost(prob, y):
    return float(-np.mean(y * np.log(prob) + (1 - y) * np.log(1 - prob)))


# %%
prob, _ = forward(x, params)
assert np.isclose(my_vectorised_cost(prob, y), cost_with_a_loop(prob, y))
print("Exercise 4 passed.")

# %% [markdown]
# ## Exercise 5: fix a backward pass
#
# `Square` computes $x^2$ element by element. Its backward has a bug: fix
# `FixedSquare.backward`. The check runs the gradient check of the post.

# %%
class Square(Layer):
    """out = x ** 2, element by element; x: any shape."""

    def forward(self, x):
        self._x = x
        return x**2

    def backward(self, grad_out):
        return grad_out * self._x  # the bug is here


class FixedSquare(Square):
    def backward(self, grad_out):
        return grad_out * 2 * self._x


# %%
rng = np.random.default_rng(1)
inputs = rng.standard_normal((4, 3))
print("buggy:", check_layer(Square(), inputs, rng))
errors = check_layer(FixedSquare(), inputs, rng)
print("fixed:", errors)
assert errors["x"] < 1e-7, "the gradient check still fails"
print("Exercise 5 passed.")

# %% [markdown]
# ## Exercise 6: an L-layer network for the digits
#
# Choose the layer sizes, the activation, the optimiser and the number of epochs. The
# network must reach at least 95% accuracy on the held-out test digits.

# %%
rng = np.random.default_rng(0)
x_train, x_test, y_train, y_test = load_digits_split(rng)

my_layer_sizes = (64, 64, 10)
my_activation = "tanh"
model = Sequential(mlp(my_layer_sizes, my_activation, rng), loss="softmax_cross_entropy")
history = model.fit(x_train, y_train, Adam(lr=2e-3), epochs=15, batch_size=32, rng=rng)

# %%
_, test_accuracy = model.evaluate(x_test, y_test)
print(f"test accuracy: {test_accuracy:.3f}")
assert test_accuracy >= 0.95, "below 95%: try more epochs, a wider layer, or another activation"
print("Exercise 6 passed.")

# %% [markdown]
# ## Your network's training curve

# %%
from IPython.display import display
from matplotlib.figure import Figure

fig = Figure(figsize=(5, 3))
ax = fig.add_subplot()
ax.plot(np.arange(1, len(history["loss"]) + 1), history["loss"])
ax.set_yscale("log")
ax.set_xlabel("epoch")
ax.set_ylabel("training loss")
display(fig)

# %% [markdown]
# A layer from the site's package passes the same check as your `FixedSquare`:

# %%
print(check_layer(Dense(5, 3, rng), rng.standard_normal((4, 5)), rng))

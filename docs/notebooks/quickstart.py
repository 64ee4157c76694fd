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
# # Quick start
#
# This notebook runs the code of the site's first pages. Install the site's package
# first (`pip install -e .` in a clone of the repository), then run the cells in order.
#
# The sigmoid $\sigma(z) = 1 / (1 + e^{-z})$ squashes any number into $(0, 1)$.

# %%
# %matplotlib inline
# %config InlineBackend.figure_formats = ["svg"]
import numpy as np

from snippets.activations import sigmoid, sigmoid_derivative

z = np.linspace(-4, 4, 9)
print(sigmoid(z).round(3))

# %% [markdown]
# ## Exercise
#
# Check numerically that $\sigma'(z) = \sigma(z)(1 - \sigma(z))$: compare the formula with a
# central difference $(\sigma(z + h) - \sigma(z - h)) / 2h$. The cell raises an
# `AssertionError` if they disagree.

# %%
h = 1e-5
numeric = (sigmoid(z + h) - sigmoid(z - h)) / (2 * h)
assert np.allclose(numeric, sigmoid_derivative(z), atol=1e-9)
print("The derivative matches its finite-difference estimate.")

# %% [markdown]
# ## A figure from the site
#
# Every figure on the site is a function in `snippets.figures`; call one to see it here.

# %%
from snippets.figures.platform import sigmoid_and_derivative

sigmoid_and_derivative()

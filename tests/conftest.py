"""Fixtures shared by the unit tests."""

import numpy as np
import pytest


@pytest.fixture
def rng() -> np.random.Generator:
    """A fresh generator with a fixed seed: every test sees the same numbers."""
    return np.random.default_rng(1234)

"""Fixtures shared by the unit tests."""

import numpy as np
import pytest
from hypothesis import settings

# Property tests (tests/test_properties.py): enough random cases to find a broken shape
# contract, few enough for the suite's time budget. No deadline: a shared CI machine's
# timing varies, and speed is checked in benchmarks/, not here. Derandomized, so that a
# failure found in CI fails again on a contributor's machine.
settings.register_profile("deep-python", max_examples=20, deadline=None, derandomize=True)
settings.load_profile("deep-python")


@pytest.fixture
def rng() -> np.random.Generator:
    """A fresh generator with a fixed seed: every test sees the same numbers."""
    return np.random.default_rng(1234)

"""The inline MLP step of `make bench` computes what the site's layers compute, so that its
time is a fair floor for the MLP rows of the epoch table."""

import numpy as np
import pytest

from benchmarks.cnn_epoch import LEARNING_RATE, batch_order, workload
from benchmarks.mlp_inline import inline_mlp, inline_train_step
from snippets.layers import Dense
from snippets.optim import Adam


@pytest.mark.parametrize(("dtype", "tolerance"), [(np.float64, 1e-12), (np.float32, 1e-5)])
def test_inline_steps_give_the_losses_and_weights_of_sequential(dtype, tolerance):
    x, y, model, _ = workload("mlp", dtype)
    dense = [layer for layer in model.layers if isinstance(layer, Dense)]
    parameters = [array.copy() for layer in dense for array in (layer.W, layer.b)]
    states = [{} for _ in parameters]
    inline_adam, layers_adam = Adam(LEARNING_RATE), Adam(LEARNING_RATE)
    for batch in list(batch_order(1))[:20]:
        expected = model.train_step(x[batch], y[batch], layers_adam)
        loss = inline_train_step(parameters, states, inline_adam, x[batch], y[batch])
        assert loss == pytest.approx(expected, rel=tolerance)
    layer_parameters = [array for layer in dense for array in (layer.W, layer.b)]
    for inline, layered in zip(parameters, layer_parameters, strict=True):
        assert inline.dtype == layered.dtype == dtype
        np.testing.assert_allclose(inline, layered, rtol=tolerance, atol=tolerance)


def test_inline_mlp_trains_the_epoch_tables_network():
    parameters, train = inline_mlp(np.float32)
    start = [array.copy() for array in parameters]
    assert [array.shape for array in parameters] == [(784, 128), (128,), (128, 10), (10,)]
    train()
    assert all(np.all(np.isfinite(array)) for array in parameters)
    assert all(not np.array_equal(before, after) for before, after in zip(start, parameters, strict=True))

"""The network of "Deep learning from NumPy": plain functions, L-layer MLP, digits."""

from itertools import pairwise

import numpy as np
import pytest

from snippets.data import toy_data
from snippets.gradcheck import numerical_gradient, relative_error
from snippets.layers import Activation, Dense
from snippets.numpy_net import (
    DIGITS_LAYER_SIZES,
    accuracy,
    backward,
    cost,
    dense_forward_loops,
    dense_forward_rows,
    dense_forward_vectorized,
    digits_mlp_experiment,
    forward,
    init_parameters,
    mlp,
    predict,
    train,
    update,
)
from snippets.optim import SGD
from snippets.timing import best_time


@pytest.fixture
def toy():
    x, y = toy_data()
    return x, y, init_parameters(3, 4, 1, np.random.default_rng(0))


def test_init_parameters_shapes_and_scale(rng):
    params = init_parameters(400, 300, 2, rng)
    assert {name: value.shape for name, value in params.items()} == {
        "W1": (400, 300),
        "b1": (300,),
        "W2": (300, 2),
        "b2": (2,),
    }
    assert params["W1"].std() == pytest.approx(1 / np.sqrt(400), rel=0.02)
    np.testing.assert_array_equal(params["b1"], 0.0)


def test_forward_gives_probabilities_and_a_cache(toy):
    x, _, params = toy
    prob, cache = forward(x, params)
    assert prob.shape == (4, 1)
    assert np.all((prob > 0) & (prob < 1))
    assert cache["a1"].shape == (4, 4)
    assert cache["a2"] is prob


def test_forward_refuses_wrong_shapes_and_nan(toy):
    x, _, params = toy
    with pytest.raises(ValueError, match=r"x must have shape \('any', 3\), got shape \(4, 2\)"):
        forward(x[:, :2], params)
    bad = x.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        forward(bad, params)


def test_cost_of_an_undecided_network_is_log_2():
    assert cost(np.full((4, 1), 0.5), np.array([[0.0], [1.0], [1.0], [0.0]])) == pytest.approx(np.log(2))


def test_cost_refuses_mismatched_shapes():
    with pytest.raises(ValueError, match=r"y must have shape \(4, 1\), got shape \(4,\)"):
        cost(np.full((4, 1), 0.5), np.zeros(4))


@pytest.mark.parametrize("n_outputs", [1, 3])
def test_backward_matches_finite_differences(n_outputs, rng):
    x = rng.standard_normal((6, 3))
    y = rng.integers(0, 2, (6, n_outputs)).astype(float)
    params = init_parameters(3, 5, n_outputs, rng)
    params["b1"] += rng.standard_normal(5)  # non-zero biases exercise every term
    grads = backward(params, forward(x, params)[1], y)
    for name in params:
        numeric = numerical_gradient(lambda _: cost(forward(x, params)[0], y), params[name])
        assert relative_error(grads[name], numeric) < 1e-7, name


def test_update_steps_against_the_gradient_without_mutating(toy):
    _, _, params = toy
    grads = {name: np.ones_like(value) for name, value in params.items()}
    before = {name: value.copy() for name, value in params.items()}
    stepped = update(params, grads, 0.5)
    for name in params:
        np.testing.assert_array_equal(stepped[name], before[name] - 0.5)
        np.testing.assert_array_equal(params[name], before[name])


def test_training_learns_the_toy_set(toy):
    x, y, params = toy
    trained, costs = train(x, y, params, learning_rate=1.0, epochs=3000)
    assert len(costs) == 3000
    assert costs[-1] < 0.01 < costs[0]
    assert all(later <= earlier + 1e-12 for earlier, later in pairwise(costs[100:]))  # falls steadily
    np.testing.assert_array_equal(predict(x, trained), y)
    assert accuracy(predict(x, trained), y) == 1.0


def test_zero_weights_never_move_on_the_toy_set(toy):
    x, y, params = toy
    zeros = {name: np.zeros_like(value) for name, value in params.items()}
    trained, costs = train(x, y, zeros, 1.0, 200)
    assert costs[-1] == pytest.approx(np.log(2))
    for value in trained.values():
        np.testing.assert_array_equal(value, 0.0)


def test_equal_weights_keep_hidden_units_identical(toy):
    x, y, params = toy
    halves = {name: np.full_like(value, 0.5) for name, value in params.items()}
    trained, _ = train(x, y, halves, 1.0, 500)
    np.testing.assert_array_equal(trained["W1"], trained["W1"][:, :1] * np.ones((1, 4)))
    assert not np.allclose(trained["W1"], 0.5)  # they moved, together


def test_accuracy_refuses_mismatched_shapes():
    with pytest.raises(ValueError, match=r"labels must have shape \(4,\), got shape \(4, 1\)"):
        accuracy(np.zeros(4), np.zeros((4, 1)))


def test_three_ways_to_compute_a_dense_layer_agree(rng):
    x, W, b = rng.standard_normal((7, 5)), rng.standard_normal((5, 3)), rng.standard_normal(3)
    expected = x @ W + b
    for function in (dense_forward_loops, dense_forward_rows, dense_forward_vectorized):
        np.testing.assert_allclose(function(x, W, b), expected, rtol=1e-12)


@pytest.mark.parametrize("function", [dense_forward_loops, dense_forward_rows, dense_forward_vectorized])
def test_dense_forward_variants_refuse_mismatched_weights(function, rng):
    with pytest.raises(ValueError, match=r"W must have shape \(5, 'any'\), got shape \(4, 3\)"):
        function(rng.standard_normal((2, 5)), rng.standard_normal((4, 3)), np.zeros(3))


def test_best_time_runs_the_function_and_reports_seconds():
    calls = []
    seconds = best_time(lambda: calls.append(1), repeat=3)
    assert len(calls) == 3
    assert seconds >= 0.0


def test_mlp_structure(rng):
    layers = mlp((4, 8, 6, 2), "tanh", rng)
    assert [repr(layer) for layer in layers] == [
        "Dense(4, 8)",
        "Activation('tanh')",
        "Dense(8, 6)",
        "Activation('tanh')",
        "Dense(6, 2)",
    ]
    assert isinstance(layers[-1], Dense)
    assert all(isinstance(layer, Activation) for layer in layers[1::2])


def test_mlp_uses_he_init_for_relu():
    relu_weights = mlp((500, 400), "relu", np.random.default_rng(0))[0].W
    tanh_weights = mlp((500, 400), "tanh", np.random.default_rng(0))[0].W
    np.testing.assert_allclose(relu_weights, tanh_weights * np.sqrt(2))


def test_mlp_refuses_bad_arguments(rng):
    with pytest.raises(ValueError, match="at least"):
        mlp((4,), "relu", rng)
    with pytest.raises(ValueError, match="unknown activation 'gelu'"):
        mlp((4, 2), "gelu", rng)


def test_the_digits_run_of_the_post_reaches_97_percent():
    model, history, (x_test, y_test) = digits_mlp_experiment(0)
    assert [layer.W.shape for layer in model.layers[::2]] == list(pairwise(DIGITS_LAYER_SIZES))
    assert len(history["loss"]) == 20
    assert history["val_accuracy"][-1] >= 0.97
    assert model.evaluate(x_test, y_test)[1] == history["val_accuracy"][-1]


def test_digits_run_is_reproducible():
    _, first, _ = digits_mlp_experiment(1, epochs=2)
    _, second, _ = digits_mlp_experiment(1, epochs=2)
    assert first == second


def test_digits_run_accepts_another_optimiser():
    _, history, _ = digits_mlp_experiment(0, optimizer=SGD(lr=0.1), epochs=3, activation="sigmoid")
    assert history["loss"][-1] < history["loss"][0]

"""snippets.frameworks: PyTorch and Keras follow the NumPy network's loss curve from the same
weights and batches; line counting; the planted bug; the speed set-up compares like with like."""

import inspect
import os
import textwrap

os.environ.setdefault("KERAS_BACKEND", "torch")  # before keras is first imported, as the Makefile does

import numpy as np
import pytest
import torch

from snippets import activations, frameworks, layers, losses
from snippets.autograd import MLP
from snippets.data import load_digits_split
from snippets.frameworks import (
    TanhWithBug,
    code_line_numbers,
    count_code_lines,
    dense_weights,
    epoch_losses,
    gradient_code_lines,
    is_gradient_function,
    keras_digits_mlp,
    load_keras_weights,
    load_torch_weights,
    numpy_digits_mlp,
    numpy_mlp,
    seconds_per_epoch,
    speed_case,
    speed_settings,
    synthetic_data,
    thread_limit,
    torch_digits_mlp,
    torch_mlp,
    train_keras,
    train_numpy,
    train_torch,
)
from snippets.gradcheck import check_layer
from snippets.layers import Activation, Dense
from snippets.network import Sequential, minibatches
from snippets.numpy_net import DIGITS_LAYER_SIZES

EPOCHS, BATCH_SIZE, LEARNING_RATE = 4, 64, 0.1

# Keras turns torch tensors into arrays with np.array(tensor); NumPy 2 warns that torch's
# __array__ lacks a copy argument. Their deprecation, not ours: keep it out of the report.
pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
)


@pytest.fixture(scope="module")
def digits():
    x_train, _, y_train, _ = load_digits_split(np.random.default_rng(0))
    return x_train, y_train


@pytest.fixture
def keras_floatx():
    """Set Keras's default float type for one test, then put the previous one back."""
    import keras

    previous = keras.config.floatx()

    def set_floatx(name: str):
        keras.config.set_floatx(name)

    yield set_floatx
    keras.config.set_floatx(previous)


def relative_difference(a, b) -> float:
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape
    return float(np.max(np.abs(a - b) / np.abs(a)))


def numpy_run(digits, dtype=np.float64):
    x, y = (array.astype(dtype) for array in digits)
    model = numpy_mlp(DIGITS_LAYER_SIZES, np.random.default_rng(3), dtype=dtype)
    weights = dense_weights(model)
    losses = train_numpy(model, x, y, EPOCHS, BATCH_SIZE, LEARNING_RATE, np.random.default_rng(1))
    return x, y, weights, losses, dense_weights(model)


def test_numpy_digits_mlp_is_the_network_of_the_numpy_post(rng):
    model = numpy_digits_mlp(rng)
    assert [repr(layer) for layer in model.layers] == [
        "Dense(64, 128)",
        "Activation('relu')",
        "Dense(128, 64)",
        "Activation('relu')",
        "Dense(64, 10)",
    ]
    assert model.loss_name == "softmax_cross_entropy"
    torch_shapes = [tuple(p.shape) for p in torch_digits_mlp().parameters()]
    assert torch_shapes == [(128, 64), (128,), (64, 128), (64,), (10, 64), (10,)]


def test_pytorch_follows_the_numpy_loss_curve_step_by_step_in_float64(digits):
    x, y, weights, numpy_losses, numpy_final = numpy_run(digits)
    model = load_torch_weights(torch_digits_mlp(), weights)
    torch_losses = train_torch(model, x, y, EPOCHS, BATCH_SIZE, LEARNING_RATE, np.random.default_rng(1))
    assert (
        len(torch_losses)
        == len(numpy_losses)
        == EPOCHS * len(list(minibatches(len(x), BATCH_SIZE, np.random.default_rng())))
    )
    assert relative_difference(numpy_losses, torch_losses) < 1e-10
    linears = [m for m in model if isinstance(m, torch.nn.Linear)]
    for (W, b), linear in zip(numpy_final, linears, strict=True):
        np.testing.assert_allclose(linear.weight.detach().numpy().T, W, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(linear.bias.detach().numpy(), b, rtol=1e-9, atol=1e-12)


def test_pytorch_follows_the_numpy_loss_curve_in_float32(digits):
    x, y, weights, numpy_losses, _ = numpy_run(digits, np.float32)
    model = load_torch_weights(torch_digits_mlp(), weights)
    assert next(model.parameters()).dtype == torch.float32
    torch_losses = train_torch(model, x, y, EPOCHS, BATCH_SIZE, LEARNING_RATE, np.random.default_rng(1))
    assert relative_difference(numpy_losses, torch_losses) < 1e-5


def test_the_autograd_engine_follows_the_numpy_loss_curve(digits):
    x, y, weights, numpy_losses, _ = numpy_run(digits)
    engine = MLP(weights)
    rng = np.random.default_rng(1)
    engine_losses = []
    for _ in range(EPOCHS):
        for batch in minibatches(len(x), BATCH_SIZE, rng):
            engine_losses.append(engine.train_step(x[batch], y[batch], LEARNING_RATE))
    assert relative_difference(numpy_losses, engine_losses) < 1e-10


@pytest.mark.parametrize("floatx", ["float64", "float32"])
def test_keras_fit_follows_the_numpy_loss_curve(digits, keras_floatx, floatx):
    keras_floatx(floatx)
    x, y, weights, numpy_losses, numpy_final = numpy_run(digits, np.dtype(floatx))
    model = load_keras_weights(keras_digits_mlp(LEARNING_RATE), weights)
    keras_losses = train_keras(model, x, y, EPOCHS, BATCH_SIZE, np.random.default_rng(1))
    # Keras 3 multiplies matrices in float32 even when asked for float64: float32 agreement.
    assert relative_difference(epoch_losses(numpy_losses, len(x), BATCH_SIZE), keras_losses) < 1e-5
    keras_weights = model.get_weights()
    for index, (W, b) in enumerate(numpy_final):
        np.testing.assert_allclose(keras_weights[2 * index], W, rtol=1e-3, atol=1e-5)
        np.testing.assert_allclose(keras_weights[2 * index + 1], b, rtol=1e-3, atol=1e-5)


def test_keras_follows_the_numpy_loss_curve_step_by_step(digits, keras_floatx):
    keras_floatx("float64")
    x, y, weights, numpy_losses, _ = numpy_run(digits)
    model = load_keras_weights(keras_digits_mlp(LEARNING_RATE), weights)
    rng = np.random.default_rng(1)
    keras_losses = [
        float(model.train_on_batch(x[batch], y[batch]))  # the loss of this batch alone
        for _ in range(EPOCHS)
        for batch in list(minibatches(len(x), BATCH_SIZE, rng))
    ]
    assert relative_difference(numpy_losses, keras_losses) < 1e-5


def test_keras_takes_exactly_the_numpy_weights(keras_floatx, rng):
    keras_floatx("float64")
    weights = dense_weights(numpy_digits_mlp(rng))
    model = load_keras_weights(keras_digits_mlp(LEARNING_RATE), weights)
    for array, expected in zip(model.get_weights(), [a for pair in weights for a in pair], strict=True):
        np.testing.assert_array_equal(array, expected)


def test_epoch_losses_weights_each_step_by_its_batch_size():
    # 5 samples in batches of 2: sizes 2, 2, 1, so (1 * 2 + 2 * 2 + 4 * 1) / 5 = 2, not mean(1, 2, 4)
    assert epoch_losses([1.0, 2.0, 4.0, 0.0, 0.0, 5.0], 5, 2) == pytest.approx([2.0, 1.0])
    with pytest.raises(ValueError, match="4 step losses do not make whole epochs of 3 steps"):
        epoch_losses([1.0] * 4, 5, 2)


def test_load_torch_weights_checks_the_architecture(rng):
    weights = dense_weights(numpy_digits_mlp(rng))
    with pytest.raises(ValueError, match="model has 3 Linear layers, got 2"):
        load_torch_weights(torch_digits_mlp(), weights[:2])
    swapped = [weights[0], weights[1], (np.zeros((10, 64)), np.zeros(64))]
    with pytest.raises(ValueError, match=r"W must have shape \(64, 10\), got shape \(10, 64\)"):
        load_torch_weights(torch_digits_mlp(), swapped)


def test_load_torch_weights_copies_and_transposes(rng):
    weights = dense_weights(numpy_digits_mlp(rng))
    model = load_torch_weights(torch_digits_mlp(), weights)
    assert next(model.parameters()).dtype == torch.float64
    np.testing.assert_array_equal(model[0].weight.detach().numpy(), weights[0][0].T)
    weights[0][0][0, 0] += 1.0
    assert model[0].weight[0, 0].item() != weights[0][0][0, 0]


def test_code_line_numbers_skips_blanks_comments_and_docstrings():
    source = textwrap.dedent(
        '''
        def f(x):
            """A docstring
            on two lines."""
            # a comment

            y = """a string that is code,
            on two lines"""
            return x  # a trailing comment
        '''
    )
    assert code_line_numbers(source) == {2, 7, 8, 9}


def test_count_code_lines_adds_up_objects():
    assert count_code_lines(is_gradient_function) == 2
    assert count_code_lines(is_gradient_function, is_gradient_function) == 4
    assert count_code_lines(Activation) == len(code_line_numbers(inspect.getsource(Activation)))


def test_gradient_functions_are_found_by_name():
    assert is_gradient_function("backward")
    assert is_gradient_function("sigmoid_derivative")
    assert is_gradient_function("softmax_cross_entropy_grad")
    assert not is_gradient_function("forward")
    assert not is_gradient_function("gradient_check")


@pytest.mark.parametrize("module", [activations, losses, layers])
def test_gradient_code_lines_count_the_derivative_functions(module):
    gradient, total = gradient_code_lines(module)
    names = [
        name
        for name, value in vars(module).items()
        if callable(value) and getattr(value, "__module__", None) == module.__name__
    ]
    expected = 0
    for name in names:
        value = getattr(module, name)
        if isinstance(value, type):
            expected += sum(
                count_code_lines(member)
                for member_name, member in vars(value).items()
                if callable(member) and is_gradient_function(member_name)
            )
        elif is_gradient_function(name):
            expected += count_code_lines(value)
    assert 0 < gradient == expected < total == count_code_lines(module)


def test_the_gradient_check_catches_the_planted_bug(rng):
    x = rng.standard_normal((4, 5))
    assert max(check_layer(Activation("tanh"), x, rng).values()) < 1e-7
    assert check_layer(TanhWithBug(), x, rng)["x"] > 1e-2


def test_synthetic_data_shapes_and_labels(rng):
    x, y = synthetic_data(50, 8, 3, rng)
    assert x.shape == (50, 8)
    assert y.shape == (50, 3)
    np.testing.assert_array_equal(y.sum(axis=1), np.ones(50))


@pytest.mark.parametrize("case", ["digits", "synthetic"])
def test_speed_cases_fit_their_networks(case):
    x, y, layer_sizes, batch_size = speed_case(case)
    assert x.shape[1] == layer_sizes[0]
    assert y.shape[1] == layer_sizes[-1]
    assert len(x) == len(y)
    assert 1 <= batch_size <= len(x)


def test_unknown_speed_case_names_the_known_ones():
    with pytest.raises(ValueError, match="unknown speed case 'mnist'; expected one of: digits, synthetic"):
        speed_case("mnist")


def test_the_speed_comparison_trains_the_same_network_three_ways(rng):
    """What epoch_functions times: the same weights and batches give the same losses (float32)."""
    x, y = synthetic_data(256, 16, 4, rng)
    x, y = x.astype(np.float32), y.astype(np.float32)
    sizes = (16, 32, 32, 4)
    numpy_model = numpy_mlp(sizes, np.random.default_rng(0))
    weights = dense_weights(numpy_model)
    engine, torch_model = MLP(weights), load_torch_weights(torch_mlp(sizes), weights)
    numpy_losses = train_numpy(numpy_model, x, y, 2, 32, 0.01, np.random.default_rng(1))
    torch_losses = train_torch(torch_model, x, y, 2, 32, 0.01, np.random.default_rng(1))
    engine_rng = np.random.default_rng(1)
    engine_losses = [
        engine.train_step(x[batch], y[batch], 0.01)
        for _ in range(2)
        for batch in list(minibatches(256, 32, engine_rng))
    ]
    assert relative_difference(numpy_losses, torch_losses) < 1e-5
    assert relative_difference(numpy_losses, engine_losses) < 1e-5


def test_seconds_per_epoch_times_every_implementation():
    seconds = seconds_per_epoch("digits", threads=1, repeat=1)
    assert list(seconds) == ["NumPy by hand", "autograd engine", "PyTorch"]
    assert all(value > 0 for value in seconds.values())


def test_thread_limit_restores_pytorch_threads():
    before = torch.get_num_threads()
    with thread_limit(1):
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == before


def test_speed_settings_cover_every_case():
    cases = {case for case, _ in speed_settings()}
    assert cases == {name for name, *_ in frameworks.SPEED_CASES}
    assert all(threads in (1, None) for _, threads in speed_settings())


def test_sequential_built_by_numpy_mlp_has_no_activation_at_the_end(rng):
    model = numpy_mlp((4, 8, 3), rng)
    assert isinstance(model, Sequential)
    assert [type(layer) for layer in model.layers] == [Dense, Activation, Dense]

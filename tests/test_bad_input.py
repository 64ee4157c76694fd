"""Bad input fails loudly: each case names what was expected, what was found and the fix.

Covered: optimiser state that a new layer must never inherit; the learning rate and the
other hyper-parameters checked on every assignment; training that diverges stops at the
first non-finite loss, in ``fit`` and in every training loop the posts run; losses and
labels that do not match; degenerate arguments; and the autograd engine's axes and
in-place changes.
"""

import gc
import os

os.environ.setdefault("KERAS_BACKEND", "torch")  # before keras is first imported, as the Makefile does

import numpy as np
import pytest

from snippets import cnn, conv, frameworks, intro, numpy_net
from snippets.autograd import Tensor
from snippets.data import toy_data
from snippets.layers import Activation, Dense, Sigmoid
from snippets.losses import (
    binary_cross_entropy,
    binary_cross_entropy_grad,
    mean_squared_error,
    softmax_cross_entropy,
    softmax_cross_entropy_grad,
)
from snippets.network import Sequential, minibatches
from snippets.optim import SGD, Adam, Momentum

# --- 1. Optimiser state belongs to its layer, not to a reusable id ---------------------


def _stepped_copy(optimizer, seed: int, x: np.ndarray) -> np.ndarray:
    """A brand-new Dense layer, one backward pass and one step; returns its new weights."""
    layer = Dense(2, 2, np.random.default_rng(seed))
    layer.forward(x)
    layer.backward(np.ones((len(x), 2)))
    optimizer.step([layer])
    return layer.W.copy()


def test_a_new_layer_never_inherits_a_dead_layers_optimizer_state():
    shared = Adam(lr=0.1, eps=0.0)  # no eps: the first step is exactly lr in size
    # Made beforehand, so that nothing else is allocated between one layer's death
    # and the next layer's birth: CPython then gives the new layer the dead one's id.
    generators = [np.random.default_rng(seed) for seed in range(20)]
    for generator in generators:
        layer = Dense(2, 2, generator)
        before = layer.W.copy()
        layer.forward(generator.standard_normal((3, 2)))
        layer.backward(generator.standard_normal((3, 2)))  # each layer its own gradient
        shared.step([layer])
        # Adam's first step moves every weight by lr against the sign of its gradient;
        # a step that inherited another layer's t, m and v would not.
        np.testing.assert_allclose(layer.W - before, -0.1 * np.sign(layer.dW), rtol=1e-9)
        np.testing.assert_allclose(layer.b, -0.1 * np.sign(layer.db), rtol=1e-9)
        del layer


def test_the_optimizer_keeps_no_state_for_a_layer_that_is_gone(rng):
    optimizer = Momentum(lr=0.1)
    _stepped_copy(optimizer, 0, rng.standard_normal((3, 2)))
    gc.collect()
    assert len(optimizer.state) == 0


# --- 2. Hyper-parameters are checked on every assignment -------------------------------


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -0.1, 0.0])
@pytest.mark.parametrize("make", [SGD, Momentum, Adam], ids=["SGD", "Momentum", "Adam"])
def test_a_bad_learning_rate_is_refused_at_construction(make, bad):
    with pytest.raises(ValueError, match=rf"learning rate must be positive and finite, got {bad}; try"):
        make(lr=bad)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -0.1, 0.0])
def test_a_bad_learning_rate_is_refused_on_assignment(bad):
    optimizer = Adam(lr=0.01)
    with pytest.raises(ValueError, match=rf"learning rate must be positive and finite, got {bad}; try"):
        optimizer.lr = bad
    assert optimizer.lr == 0.01  # the refused value was not kept


@pytest.mark.parametrize("bad", ["0.1", None, True])
def test_a_learning_rate_that_is_not_a_number_is_refused(bad):
    with pytest.raises(TypeError, match="learning rate must be a real number, got"):
        SGD(lr=bad)


@pytest.mark.parametrize("bad", [-1.0, float("nan"), float("inf")])
def test_adam_eps_is_checked_at_construction_and_on_assignment(bad):
    with pytest.raises(ValueError, match=rf"eps must be finite and >= 0, got {bad}"):
        Adam(eps=bad)
    optimizer = Adam()
    with pytest.raises(ValueError, match=rf"eps must be finite and >= 0, got {bad}"):
        optimizer.eps = bad


def test_betas_are_checked_on_assignment():
    with pytest.raises(ValueError, match=r"beta must lie in \[0, 1\), got 1.5"):
        Momentum(lr=0.1).beta = 1.5
    with pytest.raises(ValueError, match=r"beta1 must lie in \[0, 1\), got nan"):
        Adam().beta1 = float("nan")
    with pytest.raises(ValueError, match=r"beta2 must lie in \[0, 1\), got 1.0"):
        Adam().beta2 = 1.0


# --- 3. Divergence stops training at the first non-finite loss -------------------------

DIVERGED = r"training diverged at epoch \d+, batch \d+: loss = [^;]+; try a smaller learning rate \(now {}\)"


def _blobs(rng, n=40):
    labels = rng.integers(0, 3, n)
    return np.eye(3, 4)[labels] * 4 + rng.standard_normal((n, 4)), np.eye(3)[labels]


def test_fit_stops_at_the_first_non_finite_loss(rng):
    x, y = _blobs(rng)
    model = Sequential([Dense(4, 8, rng), Activation("relu"), Dense(8, 3, rng)])
    with np.errstate(over="ignore", invalid="ignore"), pytest.raises(ArithmeticError) as error:
        model.fit(x, y, SGD(lr=1e6), epochs=20, batch_size=8, rng=rng)
    assert error.match(DIVERGED.format(r"1000000\.0"))


def test_fit_names_the_epoch_and_batch_where_the_loss_became_infinite(rng):
    # MSE on huge targets: the very first loss overflows to inf, before any step.
    x, y = np.ones((6, 2)), np.full((6, 1), 1e300)
    model = Sequential([Dense(2, 1, rng)], loss="mse")
    with np.errstate(over="ignore"), pytest.raises(ArithmeticError) as error:
        model.fit(x, y, SGD(lr=0.1), epochs=2, batch_size=3, rng=rng)
    assert error.match(
        r"^training diverged at epoch 1, batch 1: loss = inf; try a smaller learning rate \(now 0.1\)"
    )


def test_the_cnn_training_loop_stops_when_training_diverges(rng):
    x, y = _blobs(rng)
    model = Sequential([Dense(4, 8, rng), Activation("relu"), Dense(8, 3, rng)])
    with np.errstate(over="ignore", invalid="ignore"), pytest.raises(ArithmeticError) as error:
        cnn.train_adam_cosine(model, x, y, x, y, rng, epochs=3, batch_size=8, lr=1e200)
    assert error.match(DIVERGED.format(r"1e\+200"))


def test_train_numpy_stops_when_training_diverges(rng):
    x, y = _blobs(rng)
    model = Sequential([Dense(4, 8, rng), Activation("relu"), Dense(8, 3, rng)])
    with np.errstate(over="ignore", invalid="ignore"), pytest.raises(ArithmeticError) as error:
        frameworks.train_numpy(model, x, y, epochs=20, batch_size=8, learning_rate=1e6, rng=rng)
    assert error.match(DIVERGED.format(r"1000000\.0"))


def test_the_hand_built_network_stops_when_training_diverges(rng):
    # Its cost is clipped, so it stays finite; the step itself overflows the weights.
    x, y = toy_data()
    params = numpy_net.init_parameters(3, 4, 1, rng)
    params["W2"] *= 100
    with np.errstate(over="ignore", invalid="ignore"), pytest.raises(ArithmeticError) as error:
        numpy_net.train(x, y, params, learning_rate=1.5e308, epochs=5)
    assert error.match(
        r"training diverged at epoch 1, batch 1: loss = 13.8, and the step left NaN or infinity in W1, b1; "
        r"try a smaller learning rate \(now 1.5e\+308\)"
    )


def test_the_line_fit_names_the_step_and_the_loss_when_it_diverges(rng):
    x, y = intro.make_line_data(20, 2.0, 1.0, 0.1, rng)
    with (
        np.errstate(over="ignore", invalid="ignore"),
        pytest.raises(
            ValueError,
            match=r"training diverged at step \d+: loss = (inf|nan); try a smaller learning rate "
            r"\(now 1000\.0\)",
        ),
    ):
        intro.gradient_descent(x, y, learning_rate=1e3, steps=200)


# --- 4. Losses and labels that do not match --------------------------------------------


@pytest.mark.parametrize("function", [binary_cross_entropy, binary_cross_entropy_grad])
@pytest.mark.parametrize("raw_score", [-3.0, 1.5])
def test_binary_cross_entropy_refuses_raw_scores(function, raw_score):
    with pytest.raises(ValueError, match=rf"probabilities in \[0, 1\], got a value of {raw_score}") as error:
        function([[raw_score]], [[0.0]])
    assert error.match("did you forget the Sigmoid")


@pytest.mark.parametrize("function", [binary_cross_entropy, binary_cross_entropy_grad])
@pytest.mark.parametrize("target", [2.0, -1.0])
def test_binary_cross_entropy_refuses_targets_outside_0_1(function, target):
    with pytest.raises(ValueError, match=rf"targets must lie in \[0, 1\], got a value of {target}") as error:
        function([[0.5]], [[target]])
    assert error.match("one_hot")


@pytest.mark.parametrize("function", [softmax_cross_entropy, softmax_cross_entropy_grad])
@pytest.mark.parametrize(
    ("row", "found"),
    [([0.0, 0.0, 0.0], "row 1 sums to 0"), ([1.0, 1.0, 0.0], "row 1 sums to 2"), ([1.5, -0.5, 0.0], "-0.5")],
)
def test_softmax_cross_entropy_refuses_targets_that_are_not_distributions(function, row, found):
    logits = np.zeros((2, 3))
    target = np.array([[1.0, 0.0, 0.0], row])
    with pytest.raises(ValueError, match="each target row must be one-hot or probabilities") as error:
        function(logits, target)
    assert found in str(error.value)


def test_evaluate_refuses_class_labels_on_a_one_output_model(rng):
    model = Sequential([Dense(2, 1, rng), Sigmoid()], loss="binary_cross_entropy")
    labels = np.array([[0.0], [1.0], [2.0], [1.0], [0.0]])
    with pytest.raises(ValueError, match=r"y of shape \(n, 1\) must hold 0/1 labels, got 2.0"):
        model.evaluate(rng.standard_normal((5, 2)), labels)


def test_evaluate_refuses_class_labels_on_a_one_output_softmax_model(rng):
    model = Sequential([Dense(2, 1, rng)])
    with pytest.raises(ValueError, match=r"y of shape \(n, 1\) must hold 0/1 labels, got 2.0") as error:
        model.evaluate(rng.standard_normal((3, 2)), np.array([[0.0], [2.0], [1.0]]))
    assert error.match(r"one_hot\(labels, n_classes\)")


# --- 5. Degenerate arguments -------------------------------------------------------------


def test_fit_refuses_an_empty_data_set(rng):
    model = Sequential([Dense(2, 2, rng)])
    with pytest.raises(ValueError, match=r"x has no rows: fit needs at least one example"):
        model.fit(np.zeros((0, 2)), np.zeros((0, 2)), SGD(lr=0.1), 1, 4, rng)


@pytest.mark.parametrize(
    "loss", [mean_squared_error, binary_cross_entropy, softmax_cross_entropy, softmax_cross_entropy_grad]
)
def test_a_loss_of_an_empty_batch_is_refused(loss):
    with pytest.raises(ValueError, match=r"predictions have no rows: a loss needs at least one example"):
        loss(np.zeros((0, 2)), np.zeros((0, 2)))


def test_flatten_passes_an_empty_batch_through():
    flatten = conv.Flatten()
    out = flatten.forward(np.zeros((0, 2, 3, 3)))
    assert out.shape == (0, 18)
    assert flatten.backward(np.zeros((0, 18))).shape == (0, 2, 3, 3)


@pytest.mark.parametrize("dtype", [int, np.int32, bool, np.complex128])
def test_dense_refuses_a_dtype_that_is_not_floating(rng, dtype):
    with pytest.raises(
        TypeError, match=r"dtype must be np.float32 or np.float64, got .*; pass dtype=np.float64"
    ):
        Dense(2, 3, rng, dtype=dtype)


def test_conv2d_refuses_an_integer_dtype(rng):
    with pytest.raises(TypeError, match=r"dtype must be np.float32 or np.float64, got int64"):
        conv.Conv2D(1, 2, 3, rng, dtype=np.int64)


@pytest.mark.parametrize("bad_rng", [None, 0, np.random.RandomState(0)])
@pytest.mark.parametrize(
    "make",
    [
        lambda r: Dense(2, 3, r),
        lambda r: conv.Conv2D(1, 2, 3, r),
        lambda r: list(minibatches(10, 2, r)),
        lambda r: Sequential([Dense(2, 2, np.random.default_rng(0))]).fit(
            np.ones((4, 2)), np.eye(2)[[0, 1, 0, 1]], SGD(lr=0.1), 1, 2, r
        ),
    ],
    ids=["Dense", "Conv2D", "minibatches", "fit"],
)
def test_rng_must_be_a_generator(make, bad_rng):
    with pytest.raises(TypeError, match=r"rng must be a numpy.random.Generator, got .*np.random.default_rng"):
        make(bad_rng)


@pytest.mark.parametrize(
    ("argument", "bad", "message"),
    [
        ("batch_size", 2.5, "batch_size must be an integer >= 1, got 2.5"),
        ("batch_size", 0, "batch_size must be an integer >= 1, got 0"),
        ("epochs", -1, "epochs must be an integer >= 1, got -1"),
        ("epochs", "3", "epochs must be an integer >= 1, got '3'"),
    ],
)
def test_fit_refuses_counts_that_are_not_positive_integers(rng, argument, bad, message):
    model = Sequential([Dense(2, 2, rng)])
    counts = {"epochs": 1, "batch_size": 2, argument: bad}
    with pytest.raises(ValueError, match=message):
        model.fit(np.ones((4, 2)), np.eye(2)[[0, 1, 0, 1]], SGD(lr=0.1), rng=rng, **counts)


def test_minibatches_refuse_a_fractional_batch_size(rng):
    with pytest.raises(ValueError, match=r"batch_size must be an integer >= 1, got 2.5"):
        list(minibatches(10, 2.5, rng))


@pytest.mark.parametrize(
    "forward",
    [
        lambda rng, x: Dense(2, 2, rng).forward(x),
        lambda rng, x: Activation("tanh").forward(x),
        lambda rng, x: Sequential([Dense(2, 2, rng)]).fit(x, np.eye(2), SGD(lr=0.1), 1, 2, rng),
    ],
    ids=["Dense", "Activation", "fit"],
)
def test_complex_input_is_refused_not_truncated(rng, forward):
    x = np.array([[1 + 2j, 0.5], [0.0, 1j]])
    with pytest.raises(
        TypeError, match=r"(x|z) must be real, got dtype complex128; pass (x|z).real or np.abs"
    ):
        forward(rng, x)


def _layers_after_forward(rng):
    dense, tanh = Dense(2, 3, rng), Activation("tanh")
    flatten, pool = conv.Flatten(), conv.MaxPool2D(2)
    images = rng.standard_normal((2, 1, 4, 4))
    conv_layer = conv.Conv2D(1, 2, 3, rng, padding=1)
    return [
        (dense, dense.forward(np.ones((4, 2))).shape),
        (tanh, tanh.forward(np.ones((4, 2))).shape),
        (conv_layer, conv_layer.forward(images).shape),
        (pool, pool.forward(images).shape),
        (flatten, flatten.forward(images).shape),
    ]


def test_backward_takes_a_nested_list(rng):
    for layer, shape in _layers_after_forward(rng):
        grad = layer.backward(np.ones(shape).tolist())
        assert np.all(np.isfinite(grad)), type(layer).__name__


def test_backward_refuses_nan_gradients(rng):
    for layer, shape in _layers_after_forward(rng):
        grad_out = np.ones(shape)
        grad_out.flat[0] = np.nan
        with pytest.raises(ValueError, match=r"grad_out contains NaN or infinity: .*learning rate"):
            layer.backward(grad_out)


# --- 6. The autograd engine ---------------------------------------------------------------


@pytest.mark.parametrize("axis", [np.int64(1), np.int32(-1), (np.int64(0), 1)])
def test_sum_and_mean_take_numpy_integer_axes(axis):
    data = np.arange(6.0).reshape(2, 3)
    t = Tensor(data, requires_grad=True)
    np.testing.assert_allclose(t.sum(axis=axis).data, data.sum(axis=axis))
    np.testing.assert_allclose(t.mean(axis=axis).data, data.mean(axis=axis))


@pytest.mark.parametrize("axis", [1.0, "0", True])
def test_sum_refuses_an_axis_that_is_not_an_integer(axis):
    with pytest.raises(TypeError, match=r"axis must be None, an integer or a tuple of integers, got"):
        Tensor(np.ones((2, 3))).sum(axis=axis)


def _scale_in_place(w):
    w.data *= 5.0


def _replace(w):
    w.data = w.data * 5.0


@pytest.mark.parametrize("change", [_scale_in_place, _replace], ids=["w.data *= 5", "w.data = w.data * 5"])
def test_changing_data_in_place_after_the_forward_pass_is_detected(change):
    w = Tensor(1.0, requires_grad=True)
    y = w * w  # dy/dw = 2 w = 2 at the forward pass
    change(w)
    with pytest.raises(RuntimeError, match="a tensor needed for the gradient was modified in place"):
        y.backward()


def test_changing_data_before_the_forward_pass_is_fine():
    w = Tensor(1.0, requires_grad=True)
    w.data *= 5.0
    y = w * w
    y.backward()
    np.testing.assert_allclose(w.grad, 10.0)


def test_a_training_step_after_backward_is_fine(rng):
    w = Tensor(rng.standard_normal((2, 2)), requires_grad=True)
    for _ in range(3):
        loss = (w * w).sum()
        w.grad = None
        loss.backward()
        w.data -= 0.1 * w.grad
    assert np.all(np.abs(w.data) < 1.0)

"""snippets.autograd: every operation against torch.autograd and finite differences (float64),
broadcasting, the engine against the hand-written backprop of snippets.layers, and errors."""

import sys

import numpy as np
import pytest
import torch

from snippets.autograd import MLP, Tensor, as_tensor, cross_entropy, unbroadcast
from snippets.data import one_hot
from snippets.frameworks import engine_mlp
from snippets.gradcheck import numerical_gradient, relative_error
from snippets.layers import Activation, Dense
from snippets.network import Sequential
from snippets.optim import SGD

# name: (engine function, torch function, input shapes, inputs must be positive)
UNARY_CASES = {
    "neg": (lambda a: -a, lambda a: -a, (3, 4), False),
    "exp": (lambda a: a.exp(), torch.exp, (3, 4), False),
    "log": (lambda a: a.log(), torch.log, (3, 4), True),
    "tanh": (lambda a: a.tanh(), torch.tanh, (3, 4), False),
    "relu": (lambda a: a.relu(), torch.relu, (3, 4), False),
    "sigmoid": (lambda a: a.sigmoid(), torch.sigmoid, (3, 4), False),
    "sum": (lambda a: a.sum(), torch.sum, (3, 4), False),
    "sum axis 0": (lambda a: a.sum(axis=0), lambda a: a.sum(dim=0), (3, 4), False),
    "sum axis -1 keepdims": (
        lambda a: a.sum(axis=-1, keepdims=True),
        lambda a: a.sum(dim=-1, keepdim=True),
        (3, 4),
        False,
    ),
    "sum axes (0, 2)": (lambda a: a.sum(axis=(0, 2)), lambda a: a.sum(dim=(0, 2)), (2, 3, 4), False),
    "mean": (lambda a: a.mean(), torch.mean, (3, 4), False),
    "mean axis 1": (lambda a: a.mean(axis=1), lambda a: a.mean(dim=1), (3, 4), False),
    "mean axis 0 keepdims": (
        lambda a: a.mean(axis=0, keepdims=True),
        lambda a: a.mean(dim=0, keepdim=True),
        (3, 4),
        False,
    ),
    "mean axes (1, 2)": (lambda a: a.mean(axis=(1, 2)), lambda a: a.mean(dim=(1, 2)), (2, 3, 4), False),
    "log_softmax": (lambda a: a.log_softmax(), lambda a: torch.log_softmax(a, dim=-1), (3, 5), False),
    "log_softmax axis 0": (
        lambda a: a.log_softmax(axis=0),
        lambda a: torch.log_softmax(a, dim=0),
        (3, 5),
        False,
    ),
}

# name: (engine function, torch function, shape of a, shape of b); broadcasting included
BINARY_CASES = {
    "add": (lambda a, b: a + b, torch.add, (3, 4), (3, 4)),
    "add row vector": (lambda a, b: a + b, torch.add, (3, 4), (4,)),
    "add column": (lambda a, b: a + b, torch.add, (3, 4), (3, 1)),
    "add outer": (lambda a, b: a + b, torch.add, (3, 1), (1, 4)),
    "add 0-d": (lambda a, b: a + b, torch.add, (3, 4), ()),
    "add into 3-d": (lambda a, b: a + b, torch.add, (2, 3, 4), (3, 1)),
    "sub": (lambda a, b: a - b, torch.sub, (3, 4), (3, 4)),
    "sub broadcast": (lambda a, b: a - b, torch.sub, (4,), (3, 4)),
    "mul": (lambda a, b: a * b, torch.mul, (3, 4), (3, 4)),
    "mul broadcast": (lambda a, b: a * b, torch.mul, (2, 3, 4), (3, 1)),
    "mul both stretched": (lambda a, b: a * b, torch.mul, (2, 1, 4), (1, 3, 1)),
    "div": (lambda a, b: a / b, torch.div, (3, 4), (3, 4)),
    "div broadcast": (lambda a, b: a / b, torch.div, (3, 4), (1, 4)),
    "matmul": (lambda a, b: a @ b, torch.matmul, (3, 4), (4, 5)),
    "matmul vector-like": (lambda a, b: a @ b, torch.matmul, (1, 4), (4, 1)),
}


def random_input(shape, positive: bool, rng) -> np.ndarray:
    values = rng.standard_normal(shape)
    return np.abs(values) + 0.5 if positive else values


def torch_leaf(array: np.ndarray) -> torch.Tensor:
    return torch.tensor(array, dtype=torch.float64, requires_grad=True)


@pytest.mark.parametrize("name", UNARY_CASES)
def test_unary_operation_matches_torch(name, rng):
    engine_op, torch_op, shape, positive = UNARY_CASES[name]
    a = random_input(shape, positive, rng)
    a_engine, a_torch = Tensor(a, requires_grad=True), torch_leaf(a)
    out, out_torch = engine_op(a_engine), torch_op(a_torch)
    np.testing.assert_allclose(out.data, out_torch.detach().numpy(), rtol=1e-12, atol=1e-14)
    grad = rng.standard_normal(out.shape)
    out.backward(grad)
    out_torch.backward(torch.tensor(grad))
    np.testing.assert_allclose(a_engine.grad, a_torch.grad.numpy(), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", BINARY_CASES)
def test_binary_operation_matches_torch(name, rng):
    engine_op, torch_op, shape_a, shape_b = BINARY_CASES[name]
    a, b = rng.standard_normal(shape_a), rng.standard_normal(shape_b)
    if engine_op(Tensor(np.ones(shape_a)), Tensor(np.ones(shape_b))).op == "div":
        b = np.abs(b) + 0.5  # away from zero
    a_engine, b_engine = Tensor(a, requires_grad=True), Tensor(b, requires_grad=True)
    a_torch, b_torch = torch_leaf(a), torch_leaf(b)
    out, out_torch = engine_op(a_engine, b_engine), torch_op(a_torch, b_torch)
    np.testing.assert_allclose(out.data, out_torch.detach().numpy(), rtol=1e-12, atol=1e-14)
    grad = rng.standard_normal(out.shape)
    out.backward(grad)
    out_torch.backward(torch.tensor(grad))
    assert a_engine.grad.shape == shape_a
    assert b_engine.grad.shape == shape_b
    np.testing.assert_allclose(a_engine.grad, a_torch.grad.numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(b_engine.grad, b_torch.grad.numpy(), rtol=1e-12, atol=1e-14)


def test_cross_entropy_matches_torch(rng):
    logits = rng.standard_normal((6, 5))
    labels = rng.integers(0, 5, size=6)
    logits_engine, logits_torch = Tensor(logits, requires_grad=True), torch_leaf(logits)
    loss = cross_entropy(logits_engine, one_hot(labels, 5))
    loss_torch = torch.nn.functional.cross_entropy(logits_torch, torch.from_numpy(labels))
    assert float(loss.data) == pytest.approx(loss_torch.item(), rel=1e-12)
    loss.backward()
    loss_torch.backward()
    np.testing.assert_allclose(logits_engine.grad, logits_torch.grad.numpy(), rtol=1e-12, atol=1e-15)


def engine_gradient_check(function, arrays, rng) -> list[float]:
    """Relative error of the engine's gradient of sum(function(*tensors) * projection), per input."""
    tensors = [Tensor(array, requires_grad=True) for array in arrays]
    out = function(*tensors)
    projection = rng.standard_normal(out.shape)
    out.backward(projection)

    def scalar(_) -> float:  # numerical_gradient nudges the arrays in place; Tensor shares them
        return float(np.sum(function(*(Tensor(array) for array in arrays)).data * projection))

    return [
        relative_error(t.grad, numerical_gradient(scalar, array))
        for t, array in zip(tensors, arrays, strict=True)
    ]


@pytest.mark.parametrize("name", UNARY_CASES)
def test_unary_operation_passes_the_numerical_gradient_check(name, rng):
    engine_op, _, shape, positive = UNARY_CASES[name]
    (error,) = engine_gradient_check(engine_op, [random_input(shape, positive, rng)], rng)
    assert error < 1e-7


@pytest.mark.parametrize("name", BINARY_CASES)
def test_binary_operation_passes_the_numerical_gradient_check(name, rng):
    engine_op, _, shape_a, shape_b = BINARY_CASES[name]
    a = np.array(rng.standard_normal(shape_a))  # np.array: a 0-d array, not a scalar, for shape ()
    b = np.array(np.abs(rng.standard_normal(shape_b)) + 0.5)
    errors = engine_gradient_check(engine_op, [a, b], rng)
    assert max(errors) < 1e-7, errors


def test_cross_entropy_passes_the_numerical_gradient_check(rng):
    targets = one_hot(rng.integers(0, 4, size=5), 4)
    (error,) = engine_gradient_check(
        lambda logits: cross_entropy(logits, targets), [rng.standard_normal((5, 4))], rng
    )
    assert error < 1e-7


@pytest.mark.parametrize(
    ("grad_shape", "shape", "expected"),
    [
        ((3, 4), (4,), lambda g: g.sum(axis=0)),
        ((3, 4), (3, 1), lambda g: g.sum(axis=1, keepdims=True)),
        ((3, 4), (1, 1), lambda g: g.sum(keepdims=True)),
        ((3, 4), (), lambda g: g.sum()),
        ((2, 3, 4), (3, 1), lambda g: g.sum(axis=(0, 2))[:, None]),
        ((2, 3, 4), (2, 3, 4), lambda g: g),
        ((2, 1, 4), (1,), lambda g: g.sum().reshape(1)),
    ],
)
def test_unbroadcast_sums_over_the_broadcast_axes(grad_shape, shape, expected, rng):
    grad = rng.standard_normal(grad_shape)
    result = unbroadcast(grad, shape)
    assert result.shape == shape
    np.testing.assert_allclose(result, expected(grad), rtol=1e-12)


def test_a_row_vector_added_to_every_row_gets_the_column_sums():
    a = Tensor(np.array([[1.0, 2.0], [3.0, 4.0]]), requires_grad=True)
    b = Tensor(np.array([10.0, 20.0]), requires_grad=True)
    (a * b).sum().backward()
    np.testing.assert_array_equal(a.grad, [[10.0, 20.0], [10.0, 20.0]])
    np.testing.assert_array_equal(b.grad, [4.0, 6.0])


def engine_and_numpy_models(activation: str, rng, batch: int = 20):
    init = "he" if activation == "relu" else "xavier"
    model = Sequential(
        [
            Dense(64, 32, rng, init=init),
            Activation(activation),
            Dense(32, 16, rng, init=init),
            Activation(activation),
            Dense(16, 10, rng, init=init),
        ],
        loss="softmax_cross_entropy",
    )
    for layer in model.layers[::2]:
        layer.b[:] = 0.1 * rng.standard_normal(layer.b.shape)  # non-zero biases: a stricter test
    x = rng.standard_normal((batch, 64))
    y = one_hot(rng.integers(0, 10, size=batch), 10)
    return model, engine_mlp(model), x, y


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
def test_engine_gradients_equal_the_hand_written_backprop(activation, rng):
    model, engine, x, y = engine_and_numpy_models(activation, rng)
    scores = model.forward(x)
    grad_x = model.backward(model.loss_grad(scores, y))

    x_tensor = Tensor(x, requires_grad=True)
    loss = cross_entropy(engine(x_tensor), y)
    loss.backward()

    assert float(loss.data) == pytest.approx(model.loss_fn(scores, y), rel=1e-12)
    assert relative_error(x_tensor.grad, grad_x) < 1e-10
    for dense, (W, b) in zip(model.layers[::2], engine.layers, strict=True):
        assert relative_error(W.grad, dense.dW) < 1e-10
        assert relative_error(b.grad, dense.db) < 1e-10


def test_engine_training_follows_the_numpy_network_step_by_step(rng):
    model, engine, _, _ = engine_and_numpy_models("relu", rng)
    optimizer = SGD(lr=0.1)
    for _ in range(30):
        x = rng.standard_normal((16, 64))
        y = one_hot(rng.integers(0, 10, size=16), 10)
        numpy_loss = model.train_step(x, y, optimizer)
        engine_loss = engine.train_step(x, y, learning_rate=0.1)
        assert engine_loss == pytest.approx(numpy_loss, rel=1e-10)
    for dense, (W, b) in zip(model.layers[::2], engine.layers, strict=True):
        assert relative_error(W.data, dense.W) < 1e-10
        assert relative_error(b.data, dense.b) < 1e-10


def test_mlp_copies_the_weights(rng):
    model, engine, x, y = engine_and_numpy_models("relu", rng)
    engine.train_step(x, y, learning_rate=0.1)
    assert not np.allclose(engine.layers[0][0].data, model.layers[0].W)


def test_a_tensor_used_twice_gets_the_sum_of_both_gradients():
    x = Tensor(np.array([3.0, -2.0]), requires_grad=True)
    (x * x + x).sum().backward()
    np.testing.assert_array_equal(x.grad, [7.0, -3.0])  # d(x² + x)/dx = 2x + 1


def test_gradients_of_your_tensors_add_up_over_calls_and_results_start_afresh():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    hidden = x * 3.0
    loss = hidden.sum()
    loss.backward()
    loss.backward()
    np.testing.assert_array_equal(x.grad, [6.0, 6.0])  # accumulated, as in PyTorch
    np.testing.assert_array_equal(hidden.grad, [1.0, 1.0])  # recomputed, not accumulated
    x.grad = None
    loss.backward()
    np.testing.assert_array_equal(x.grad, [3.0, 3.0])


def test_a_leaf_gradient_is_a_private_copy():
    a = Tensor(np.ones(3), requires_grad=True)
    b = Tensor(np.ones(3), requires_grad=True)
    (a + b).sum().backward()
    a.grad *= 10
    np.testing.assert_array_equal(b.grad, [1.0, 1.0, 1.0])


def test_constants_get_no_gradient():
    w = Tensor(np.array([2.0]), requires_grad=True)
    c = Tensor(np.array([5.0]))
    (w * c).sum().backward()
    assert c.grad is None
    np.testing.assert_array_equal(w.grad, [5.0])


def test_a_long_chain_does_not_exceed_the_recursion_limit():
    x = Tensor(np.array(1.0), requires_grad=True)
    y = x
    for _ in range(sys.getrecursionlimit() + 100):
        y = y + 1.0
    y.backward()
    assert x.grad == 1.0


def test_topological_order_lists_every_tensor_after_its_parents():
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    w = Tensor(np.ones((3, 2)), requires_grad=True)
    h = (x @ w).relu()
    loss = (h * h + h).mean()
    order = loss.topological_order()
    position = {id(node): index for index, node in enumerate(order)}
    assert len(position) == len(order)
    for node in order:
        for parent in node.parents:
            if parent.requires_grad:
                assert position[id(parent)] < position[id(node)]


def test_numpy_arrays_and_python_numbers_work_on_either_side(rng):
    a = rng.standard_normal((2, 3))
    t = Tensor(rng.standard_normal((2, 3)), requires_grad=True)
    for result, expected in [
        (a + t, a + t.data),
        (t + a, t.data + a),
        (a - t, a - t.data),
        (2.0 * t, 2.0 * t.data),
        (1.0 - t, 1.0 - t.data),
        (a * t, a * t.data),
        (1.0 / (t * t + 1.0), 1.0 / (t.data**2 + 1.0)),
        (a.T @ t, a.T @ t.data),
    ]:
        assert isinstance(result, Tensor)
        np.testing.assert_allclose(result.data, expected, rtol=1e-12)


def test_float32_stays_float32(rng):
    x = Tensor(rng.standard_normal((4, 3)).astype(np.float32), requires_grad=True)
    w = Tensor(rng.standard_normal((3, 2)).astype(np.float32), requires_grad=True)
    loss = cross_entropy(((x @ w) * 2.0 + 1.0).tanh(), one_hot(np.array([0, 1, 1, 0]), 2))
    assert loss.dtype == np.float32
    loss.backward()
    assert x.grad.dtype == np.float32
    assert w.grad.dtype == np.float32


def test_integer_data_becomes_float64():
    assert Tensor([1, 2, 3]).dtype == np.float64


def test_repr_names_the_operation():
    a = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    assert repr(a) == "Tensor(array([1., 2.]), requires_grad=True)"
    assert repr(a + 1.0) == "Tensor(array([2., 3.]), op='add')"


def test_as_tensor_leaves_a_tensor_alone():
    t = Tensor(np.zeros(2))
    assert as_tensor(t) is t


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (
            lambda: Tensor(np.ones((2, 3))) @ Tensor(np.ones((2, 3))),
            ValueError,
            r"\(n, k\) and \(k, m\).*\(2, 3\)",
        ),
        (lambda: Tensor(np.ones(3)) @ Tensor(np.ones((3, 2))), ValueError, r"got \(3,\) and \(3, 2\)"),
        (
            lambda: Tensor(np.ones((2, 3))) + Tensor(np.ones(2)),
            ValueError,
            r"add: shapes \(2, 3\) and \(2,\)",
        ),
        (lambda: Tensor(np.ones((2, 3))) - np.ones((3, 2)), ValueError, r"sub: shapes \(2, 3\) and \(3, 2\)"),
        (lambda: Tensor(np.ones((2, 3))) * np.ones(4), ValueError, r"mul: shapes"),
        (lambda: Tensor(np.ones(2)) / np.ones(3), ValueError, r"div: shapes"),
        (lambda: Tensor(np.ones(2)) / np.array([1.0, 0.0]), ValueError, "divisor contains zeros"),
        (lambda: Tensor(np.array([1.0, -1.0])).log(), ValueError, "log needs positive values.*-1"),
        (lambda: Tensor(np.array([1.0, np.nan])), ValueError, "NaN"),
        (lambda: Tensor(np.array(["a"])), TypeError, "numeric"),
        (lambda: Tensor(np.ones((2, 3))).sum(axis=2), ValueError, "axis 2 is out of range.*2 axes"),
        (lambda: Tensor(np.ones((2, 3))).mean(axis=(1, -1)), ValueError, "repeats"),
        (
            lambda: cross_entropy(Tensor(np.ones((2, 3))), np.ones((2, 4))),
            ValueError,
            r"\(2, 3\) and \(2, 4\)",
        ),
        (lambda: cross_entropy(Tensor(np.ones(3)), np.ones(3)), ValueError, r"\(batch, classes\)"),
    ],
)
def test_bad_input_fails_loudly(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_backward_errors_name_what_was_expected():
    w = Tensor(np.ones((2, 3)), requires_grad=True)
    with pytest.raises(ValueError, match=r"needs a scalar, got shape \(2, 3\)"):
        (w * 2.0).backward()
    with pytest.raises(ValueError, match=r"grad must have shape \(2, 3\), got shape \(3,\)"):
        (w * 2.0).backward(np.ones(3))
    with pytest.raises(RuntimeError, match="requires_grad=True"):
        Tensor(np.ones(1)).sum().backward()


def test_mlp_rejects_weights_that_do_not_chain(rng):
    with pytest.raises(ValueError, match=r"cannot follow W of shape \(4, 5\)"):
        MLP([(np.ones((4, 5)), np.zeros(5)), (np.ones((6, 2)), np.zeros(2))])
    with pytest.raises(
        ValueError, match=r"need W: \(in, out\) and b: \(out,\), got shapes \(4, 5\) and \(4,\)"
    ):
        MLP([(np.ones((4, 5)), np.zeros(4))])
    with pytest.raises(ValueError, match="at least one"):
        MLP([])
    with pytest.raises(ValueError, match="unknown activation 'gelu'"):
        MLP([(np.ones((4, 5)), np.zeros(5))], activation="gelu")
    with pytest.raises(ValueError, match="need Dense, Activation"):
        engine_mlp(Sequential([Dense(3, 4, rng), Activation("relu")]))
    with pytest.raises(ValueError, match="one activation"):
        engine_mlp(
            Sequential(
                [Dense(3, 4, rng), Activation("relu"), Dense(4, 4, rng), Activation("tanh"), Dense(4, 2, rng)]
            )
        )
    with pytest.raises(ValueError, match=r"\(n, k\) and \(k, m\)"):
        MLP([(np.ones((4, 5)), np.zeros(5))])(np.ones((2, 3)))

"""Sequential: mini-batches, the whole network's gradients, training, evaluation."""

import numpy as np
import pytest

from snippets.data import toy_data
from snippets.gradcheck import numerical_gradient, relative_error
from snippets.layers import Dense, ReLU, Sigmoid, Tanh
from snippets.network import Sequential, minibatches
from snippets.optim import SGD, Adam


def _classifier(rng, loss="softmax_cross_entropy"):
    return Sequential([Dense(4, 6, rng), Tanh(), Dense(6, 5, rng), ReLU(), Dense(5, 3, rng)], loss=loss)


def _blobs(rng, n=60):
    """Three well-separated clusters in 4-D, one-hot labels."""
    labels = rng.integers(0, 3, n)
    centres = np.eye(3, 4) * 4
    return centres[labels] + rng.standard_normal((n, 4)) * 0.5, np.eye(3)[labels]


def test_minibatches_cover_every_index_once(rng):
    batches = list(minibatches(10, 3, rng))
    assert [len(b) for b in batches] == [3, 3, 3, 1]
    np.testing.assert_array_equal(np.sort(np.concatenate(batches)), np.arange(10))


def test_minibatches_are_shuffled_and_seeded():
    first = np.concatenate(list(minibatches(20, 5, np.random.default_rng(3))))
    second = np.concatenate(list(minibatches(20, 5, np.random.default_rng(3))))
    np.testing.assert_array_equal(first, second)
    assert not np.array_equal(first, np.arange(20))


def test_minibatches_refuse_a_zero_batch(rng):
    with pytest.raises(ValueError, match="batch_size must be an integer >= 1, got 0"):
        list(minibatches(10, 0, rng))


@pytest.mark.parametrize("loss", ["softmax_cross_entropy", "mse"])
def test_whole_network_gradient_check(loss, rng):
    model = _classifier(rng, loss)
    x, y = _blobs(rng, n=7)
    scores = model.forward(x)
    model.backward(model.loss_grad(scores, y))
    for layer in model.layers:
        for name, value, grad in layer.parameters():
            analytic = grad.copy()
            numeric = numerical_gradient(lambda _: model.loss(x, y), value)
            assert relative_error(analytic, numeric) < 1e-7, (layer, name)


def test_backward_returns_the_input_gradient(rng):
    model = _classifier(rng)
    x, y = _blobs(rng, n=5)
    grad_x = model.backward(model.loss_grad(model.forward(x), y))
    numeric = numerical_gradient(lambda values: model.loss(values, y), x.copy())
    assert relative_error(grad_x, numeric) < 1e-7


def test_fit_learns_and_records_history(rng):
    model = _classifier(rng)
    x, y = _blobs(rng)
    history = model.fit(x, y, Adam(lr=0.01), epochs=30, batch_size=16, rng=rng, validation=(x, y))
    assert set(history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(values) == 30 for values in history.values())
    assert history["loss"][-1] < history["loss"][0] / 5
    assert history["accuracy"][-1] == 1.0
    assert model.evaluate(x, y) == (history["val_loss"][-1], history["val_accuracy"][-1])


def test_fit_without_validation_leaves_those_lists_empty(rng):
    x, y = _blobs(rng, n=10)
    history = _classifier(rng).fit(x, y, SGD(lr=0.1), epochs=2, batch_size=4, rng=rng)
    assert history["val_loss"] == []
    assert history["val_accuracy"] == []


def test_fit_is_reproducible():
    def run():
        rng = np.random.default_rng(5)
        x, y = _blobs(rng)
        return _classifier(rng).fit(x, y, Adam(lr=0.01), epochs=3, batch_size=8, rng=rng)

    assert run() == run()


def test_train_step_returns_the_loss_before_the_step(rng):
    model = _classifier(rng)
    x, y = _blobs(rng, n=8)
    before = model.loss(x, y)
    assert model.train_step(x, y, SGD(lr=0.1)) == before
    assert model.loss(x, y) < before


def test_predict_gives_one_class_per_row(rng):
    model = _classifier(rng)
    x, _ = _blobs(rng, n=9)
    predicted = model.predict(x)
    assert predicted.shape == (9,)
    np.testing.assert_array_equal(predicted, model.forward(x).argmax(axis=1))


def test_binary_network_with_sigmoid_output_learns_the_toy_set(rng):
    x, y = toy_data()
    model = Sequential([Dense(3, 8, rng, init="xavier"), Tanh(), Dense(8, 1, rng), Sigmoid()], loss="mse")
    model.fit(x, y, Adam(lr=0.05), epochs=300, batch_size=4, rng=rng)
    assert model.evaluate(x, y)[1] == 1.0
    np.testing.assert_array_equal(model.predict(x), y[:, 0])


def test_fit_refuses_mismatched_lengths(rng):
    x, y = _blobs(rng, n=10)
    with pytest.raises(ValueError, match="same length, got 10 and 9"):
        _classifier(rng).fit(x, y[:9], SGD(lr=0.1), epochs=1, batch_size=4, rng=rng)


def test_evaluate_refuses_one_dimensional_labels(rng):
    x, y = _blobs(rng, n=10)
    with pytest.raises(ValueError, match=r"y must have shape \(n, outputs\), got shape \(10,\)"):
        _classifier(rng).evaluate(x, y.argmax(axis=1))


def test_wrong_input_width_names_the_shapes(rng):
    with pytest.raises(ValueError, match=r"\(batch, 4\), got shape \(2, 5\)"):
        _classifier(rng).forward(np.zeros((2, 5)))


def test_unknown_loss_name(rng):
    with pytest.raises(ValueError, match="unknown loss 'hinge'"):
        Sequential([Dense(2, 2, rng)], loss="hinge")

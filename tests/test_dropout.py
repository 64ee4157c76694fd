"""Dropout: inverted scaling, train and eval modes, the mask in backward, bad input."""

import numpy as np
import pytest

from snippets.gradcheck import check_layer
from snippets.layers import Dense, Dropout, ReLU
from snippets.network import Sequential


class FrozenMaskDropout(Dropout):
    """Dropout that draws the same mask on every forward: finite differences need that."""

    def __init__(self, p, seed):
        super().__init__(p, np.random.default_rng(seed))
        self.seed = seed

    def forward(self, x):
        self.rng = np.random.default_rng(self.seed)
        return super().forward(x)


@pytest.mark.parametrize("p", [-0.1, 1.0, 1.5, float("nan")])
def test_p_outside_zero_one_is_refused(p, rng):
    with pytest.raises(ValueError, match=r"p must lie in \[0, 1\), got"):
        Dropout(p, rng)


@pytest.mark.parametrize("mode", ["eval", "train", 0, 1, None])
def test_training_must_be_true_or_false(mode, rng):
    layer = Dropout(0.5, rng)
    with pytest.raises(TypeError, match="training must be True or False, got"):
        layer.training = mode
    assert layer.training is True  # a refused mode changes nothing


def test_training_zeroes_a_fraction_p_and_scales_the_rest(rng):
    p = 0.3
    out = Dropout(p, rng).forward(np.ones((400, 250)))
    assert set(np.unique(out)) == {0.0, 1 / (1 - p)}
    # 100,000 draws: the fraction dropped has a standard deviation of about 0.0015.
    assert abs(np.mean(out == 0) - p) < 0.01
    assert abs(out.mean() - 1.0) < 0.02  # inverted dropout keeps the expected value


def test_eval_mode_is_the_identity_forward_and_backward(rng):
    layer = Dropout(0.5, rng)
    layer.training = False
    x = rng.standard_normal((3, 4))
    np.testing.assert_array_equal(layer.forward(x), x)
    grad_out = rng.standard_normal((3, 4))
    np.testing.assert_array_equal(layer.backward(grad_out), grad_out)


def test_backward_uses_the_forward_mask(rng):
    layer = Dropout(0.5, rng)
    x = rng.standard_normal((5, 6))
    out = layer.forward(x)
    grad_out = rng.standard_normal((5, 6))
    grad_x = layer.backward(grad_out)
    dropped = out == 0
    assert dropped.any()
    assert (~dropped).any()
    np.testing.assert_array_equal(grad_x[dropped], 0.0)
    np.testing.assert_allclose(grad_x[~dropped], 2.0 * grad_out[~dropped])


def test_backward_after_a_mode_switch_still_uses_the_forward_mask(rng):
    layer = Dropout(0.5, rng)
    out = layer.forward(np.ones((4, 4)))
    layer.training = False  # switched between forward and backward
    np.testing.assert_array_equal(layer.backward(np.ones((4, 4))), out)


def test_same_seed_same_mask_and_successive_masks_differ():
    first = Dropout(0.5, np.random.default_rng(7))
    second = Dropout(0.5, np.random.default_rng(7))
    x = np.ones((6, 8))
    np.testing.assert_array_equal(first.forward(x), second.forward(x))
    assert not np.array_equal(first.forward(x), first.forward(x))


def test_a_seed_instead_of_a_generator_is_refused():
    with pytest.raises(TypeError, match=r"rng must be a numpy\.random\.Generator"):
        Dropout(0.5, 42)


def test_p_zero_keeps_everything(rng):
    x = rng.standard_normal((3, 5))
    np.testing.assert_array_equal(Dropout(0.0, rng).forward(x), x)


def test_dropout_keeps_float32(rng):
    out = Dropout(0.5, rng).forward(np.ones((2, 3), dtype=np.float32))
    assert out.dtype == np.float32


def test_backward_checks_the_shape_and_needs_forward(rng):
    layer = Dropout(0.5, rng)
    with pytest.raises(RuntimeError, match="before forward"):
        layer.backward(np.ones((2, 3)))
    layer.forward(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"grad_out must have shape \(2, 3\)"):
        layer.backward(np.ones((3, 2)))


def test_dropout_refuses_nan(rng):
    with pytest.raises(ValueError, match="NaN"):
        Dropout(0.5, rng).forward(np.array([[np.nan]]))


@pytest.mark.parametrize("training", [True, False])
def test_gradient_check_with_a_fixed_mask(training, rng):
    layer = FrozenMaskDropout(0.4, seed=3)
    layer.training = training
    errors = check_layer(layer, rng.standard_normal((6, 7)), rng)
    assert errors["x"] < 1e-8, errors


def test_network_with_dropout_passes_a_gradient_check(rng):
    """The whole network, dropout in the middle, against finite differences of its loss."""
    from snippets.gradcheck import numerical_gradient, relative_error

    model = Sequential([Dense(5, 8, rng), ReLU(), FrozenMaskDropout(0.5, seed=4), Dense(8, 3, rng)])
    x, y = rng.standard_normal((4, 5)), np.eye(3)[[0, 2, 1, 0]]
    model.set_training(True)
    scores = model.forward(x)
    model.backward(model.loss_grad(scores, y))
    for layer in (model.layers[0], model.layers[3]):
        analytic = layer.dW.copy()
        numeric = numerical_gradient(lambda _: model.loss(x, y), layer.W)
        assert relative_error(analytic, numeric) < 1e-7


def test_sequential_drops_in_train_step_and_not_in_predict_or_evaluate(rng):
    model = Sequential([Dense(4, 50, rng), Dropout(0.5, rng), Dense(50, 3, rng)])
    x, y = rng.standard_normal((8, 4)), np.eye(3)[rng.integers(0, 3, 8)]
    first, second = model.evaluate(x, y), model.evaluate(x, y)
    assert first == second  # no mask: evaluation is deterministic
    assert model.layers[1].training is False
    np.testing.assert_array_equal(model.predict(x), model.predict(x))
    model.train_step(x, y, _NoStep())
    assert model.layers[1].training is True
    assert (model.layers[1]._mask == 0).any()


class _NoStep:
    def step(self, layers):
        pass

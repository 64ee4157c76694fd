"""The first model of the site: a straight line fitted by gradient descent, and one neuron."""

from pathlib import Path

import numpy as np
import pytest

from snippets.figures import intro as intro_figures
from snippets.figures import load_all
from snippets.gradcheck import numerical_gradient, relative_error
from snippets.intro import (
    gradient_descent,
    gradients,
    layer,
    make_line_data,
    mse,
    neuron,
    predict_line,
)

POST = Path(__file__).parents[1] / "docs" / "blog" / "posts" / "introduction-to-deep-learning.md"


def line_data(rng, n=200, slope=-1.5, intercept=0.7, noise=0.1):
    return make_line_data(n, slope=slope, intercept=intercept, noise=noise, rng=rng)


# Data


def test_data_lies_near_the_line_with_the_requested_noise(rng):
    x, y = make_line_data(5000, slope=2.0, intercept=1.0, noise=0.3, rng=rng)
    assert x.shape == y.shape == (5000,)
    assert x.min() >= -1.0
    assert x.max() <= 1.0
    residual = y - (2.0 * x + 1.0)
    assert abs(residual.mean()) < 0.02
    assert residual.std() == pytest.approx(0.3, rel=0.05)


def test_data_is_reproducible_from_the_seed():
    first = make_line_data(10, 1.0, 0.0, 0.5, np.random.default_rng(7))
    second = make_line_data(10, 1.0, 0.0, 0.5, np.random.default_rng(7))
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])


def test_data_without_noise_lies_on_the_line(rng):
    x, y = make_line_data(20, slope=3.0, intercept=-2.0, noise=0.0, rng=rng)
    np.testing.assert_allclose(y, 3.0 * x - 2.0)


def test_data_rejects_bad_arguments(rng):
    with pytest.raises(TypeError, match=r"numpy\.random\.Generator"):
        make_line_data(10, 1.0, 0.0, 0.1, rng=42)
    with pytest.raises(ValueError, match="n >= 2"):
        make_line_data(1, 1.0, 0.0, 0.1, rng=rng)
    with pytest.raises(ValueError, match="noise >= 0"):
        make_line_data(10, 1.0, 0.0, -0.1, rng=rng)


# Model and loss


def test_predict_line_is_a_straight_line():
    np.testing.assert_allclose(predict_line(np.array([-1.0, 0.0, 2.0]), 3.0, 0.5), [-2.5, 0.5, 6.5])


def test_mse_by_hand():
    assert mse(np.array([1.0, 2.0, 3.0]), np.array([1.0, 0.0, 6.0])) == pytest.approx((0 + 4 + 9) / 3)
    assert mse(np.array([0.5, -0.5]), np.array([0.5, -0.5])) == 0.0


# The shown functions read like their maths; gradient_descent, the entry point, checks.


@pytest.mark.parametrize(
    ("x", "message"),
    [
        (np.zeros((3, 2)), r"x must have shape \(n,\).*got shape \(3, 2\)"),
        (np.zeros(0), r"x must have shape \(n,\) with n >= 1, got shape \(0,\)"),
        (np.array([1.0, np.nan]), "x contains NaN"),
        (np.array([1.0, np.inf]), "x contains NaN or infinity"),
    ],
)
def test_gradient_descent_rejects_bad_x(x, message):
    with pytest.raises(ValueError, match=message):
        gradient_descent(x, np.ones(x.shape[:1]), learning_rate=0.1, steps=1)


def test_gradient_descent_rejects_non_finite_starting_parameters():
    x, y = np.linspace(-1, 1, 3), np.ones(3)
    with pytest.raises(ValueError, match="m must be a finite number, got nan"):
        gradient_descent(x, y, learning_rate=0.1, steps=1, m=float("nan"))
    with pytest.raises(ValueError, match="c must be a finite number, got inf"):
        gradient_descent(x, y, learning_rate=0.1, steps=1, c=float("inf"))


def test_gradient_descent_rejects_mismatched_data():
    with pytest.raises(ValueError, match=r"y must have the shape of x, \(3,\), got shape \(4,\)"):
        gradient_descent(np.zeros(3), np.zeros(4), learning_rate=0.1, steps=1)
    with pytest.raises(ValueError, match=r"y must have shape \(n,\)"):
        # a column would broadcast to (3, 3) silently
        gradient_descent(np.zeros(3), np.zeros((3, 1)), learning_rate=0.1, steps=1)


def test_the_model_and_loss_show_only_their_maths():
    import inspect

    from snippets import intro

    for function in (intro.predict_line, intro.mse, intro.gradients):
        source = inspect.getsource(function)
        assert "as_" not in source, f"{function.__name__} checks its input: move that to gradient_descent"
        assert "raise" not in source


# Gradients


@pytest.mark.parametrize(("m", "c"), [(0.0, 0.0), (-1.5, 0.7), (2.3, -4.1)])
def test_gradients_match_a_numerical_gradient(rng, m, c):
    x, y = line_data(rng, n=30)

    def loss(params: np.ndarray) -> float:
        return mse(predict_line(x, params[0], params[1]), y)

    analytic = np.array(gradients(x, y, m, c))
    numeric = numerical_gradient(loss, np.array([m, c]))
    assert relative_error(analytic, numeric) < 1e-7


def test_gradients_vanish_at_the_least_squares_solution(rng):
    x, y = line_data(rng)
    m, c = np.polyfit(x, y, deg=1)
    dm, dc = gradients(x, y, m, c)
    assert abs(dm) < 1e-10
    assert abs(dc) < 1e-10


# Gradient descent


def test_gradient_descent_recovers_the_line_within_the_noise(rng):
    x, y = line_data(rng, n=400, slope=-1.5, intercept=0.7, noise=0.1)
    m, c, _ = gradient_descent(x, y, learning_rate=0.2, steps=500)
    # The standard error of the slope is about noise / (std(x) sqrt(n)) = 0.009 here.
    assert m == pytest.approx(-1.5, abs=0.04)
    assert c == pytest.approx(0.7, abs=0.03)


def test_gradient_descent_reaches_the_least_squares_fit(rng):
    x, y = line_data(rng)
    m, c, _ = gradient_descent(x, y, learning_rate=0.2, steps=1000)
    best_m, best_c = np.polyfit(x, y, deg=1)
    assert m == pytest.approx(best_m, abs=1e-8)
    assert c == pytest.approx(best_c, abs=1e-8)


def test_the_loss_never_increases_with_a_small_learning_rate(rng):
    x, y = line_data(rng)
    _, _, history = gradient_descent(x, y, learning_rate=0.1, steps=300)
    loss = history["loss"]
    assert np.all(np.diff(loss) <= 1e-15)
    assert loss[-1] < loss[0] / 100


def test_history_records_every_step(rng):
    x, y = line_data(rng)
    m, c, history = gradient_descent(x, y, learning_rate=0.1, steps=25, m=1.0, c=-1.0)
    assert set(history) == {"m", "c", "loss"}
    assert all(values.shape == (26,) for values in history.values())
    assert (history["m"][0], history["c"][0]) == (1.0, -1.0)
    assert (history["m"][-1], history["c"][-1]) == (m, c)
    for i in (0, 7, 25):
        assert history["loss"][i] == mse(predict_line(x, history["m"][i], history["c"][i]), y)
    # One step by hand: parameters move against the gradient, scaled by the learning rate.
    dm, dc = gradients(x, y, 1.0, -1.0)
    assert history["m"][1] == pytest.approx(1.0 - 0.1 * dm)
    assert history["c"][1] == pytest.approx(-1.0 - 0.1 * dc)


@pytest.mark.parametrize("learning_rate", [0.0, -0.1, float("nan")])
def test_gradient_descent_rejects_a_non_positive_learning_rate(rng, learning_rate):
    x, y = line_data(rng)
    with pytest.raises(ValueError, match="learning_rate must be positive"):
        gradient_descent(x, y, learning_rate=learning_rate, steps=10)


def test_gradient_descent_rejects_zero_steps_and_bad_data(rng):
    x, y = line_data(rng)
    with pytest.raises(ValueError, match="steps must be at least 1"):
        gradient_descent(x, y, learning_rate=0.1, steps=0)
    with pytest.raises(ValueError, match="y contains NaN"):
        gradient_descent(x, np.where(x > 0, np.nan, y), learning_rate=0.1, steps=10)


def test_a_learning_rate_too_large_grows_the_loss(rng):
    x, y = line_data(rng)
    _, _, history = gradient_descent(x, y, learning_rate=1.5, steps=50)
    assert history["loss"][-1] > 1e6 * history["loss"][0]


def test_a_diverging_loss_fails_loudly(rng):
    x, y = line_data(rng)
    with np.errstate(over="ignore", invalid="ignore"), pytest.raises(ValueError, match="diverged"):
        gradient_descent(x, y, learning_rate=100.0, steps=1000)


# A neuron and a layer


def test_neuron_is_a_weighted_sum_then_relu():
    x = np.array([[1.0, 2.0, 4.0], [-1.0, 2.0, 1.0]])
    np.testing.assert_array_equal(neuron(x, np.array([0.5, -0.25, 0.125]), 0.25), [0.75, 0.0])


def test_neuron_rejects_mismatched_weights():
    with pytest.raises(ValueError, match=r"got \(2, 3\) and \(2,\)"):
        neuron(np.zeros((2, 3)), np.zeros(2), 0.0)
    with pytest.raises(ValueError, match=r"x: \(batch, inputs\)"):
        neuron(np.zeros(3), np.zeros(3), 0.0)


def test_a_layer_is_its_neurons_side_by_side(rng):
    x, W, b = rng.standard_normal((6, 3)), rng.standard_normal((3, 4)), rng.standard_normal(4)
    out = layer(x, W, b)
    assert out.shape == (6, 4)
    for j in range(4):
        np.testing.assert_allclose(out[:, j], neuron(x, W[:, j], b[j]))


def test_layer_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match=r"got \(2, 3\), \(4, 5\), \(5,\)"):
        layer(np.zeros((2, 3)), np.zeros((4, 5)), np.zeros(5))
    with pytest.raises(ValueError, match=r"got \(2, 3\), \(3, 5\), \(4,\)"):
        layer(np.zeros((2, 3)), np.zeros((3, 5)), np.zeros(4))


# The figures draw the post's own data


def test_the_post_makes_the_data_and_the_fit_its_figures_draw():
    text = POST.read_text(encoding="utf-8")
    data, fit = intro_figures.DATA, intro_figures.FIT
    assert f"default_rng({intro_figures.LINE_SEED})" in text
    call = (
        f"make_line_data({data['n']}, slope={data['slope']}, intercept={data['intercept']}, "
        f"noise={data['noise']}, rng=rng)"
    )
    assert call in text
    assert f"gradient_descent(x, y, learning_rate={fit['learning_rate']}, steps={fit['steps']})" in text


def test_every_intro_figure_is_shown_in_this_post():
    text = POST.read_text(encoding="utf-8")
    ours = sorted(name for name, draw in load_all().items() if draw.__module__ == intro_figures.__name__)
    assert len(ours) >= 5
    missing = [name for name in ours if f"](../../figures/{name}.svg)" not in text]
    assert not missing, missing

"""Early stopping: when it stops, which parameters it keeps, and loud misuse."""

import numpy as np
import pytest

from snippets.callbacks import EarlyStopping, copy_parameters, restore_parameters
from snippets.layers import Dense, ReLU
from snippets.network import Sequential
from snippets.optim import Adam


def _model(rng):
    return Sequential([Dense(4, 16, rng), ReLU(), Dense(16, 3, rng)])


def test_stops_after_patience_epochs_without_improvement(rng):
    model, stopper = _model(rng), EarlyStopping(patience=2)
    history = {"val_loss": []}
    decisions = []
    for value in [3.0, 2.0, 2.5, 2.1, 1.9, 2.0, 2.2]:
        history["val_loss"].append(value)
        decisions.append(stopper.after_epoch(model, history))
    assert decisions == [False, False, False, True, False, False, True]
    assert stopper.best_epoch == 5  # counted from 1


def test_at_end_restores_the_best_parameters(rng):
    model, stopper = _model(rng), EarlyStopping(patience=5)
    stopper.after_epoch(model, {"val_loss": [1.0]})
    best = copy_parameters(model.layers)
    model.layers[0].W += 1.0  # training moves on, and gets worse
    stopper.after_epoch(model, {"val_loss": [1.0, 2.0]})
    stopper.at_end(model)
    for value, saved in zip(copy_parameters(model.layers), best, strict=True):
        np.testing.assert_array_equal(value, saved)


def test_fit_stops_early_and_keeps_the_epoch_of_lowest_validation_loss(rng):
    x, labels = rng.standard_normal((40, 4)), rng.integers(0, 3, 40)  # noise: it must overfit
    y, x_val, y_val = np.eye(3)[labels], rng.standard_normal((40, 4)), np.eye(3)[rng.integers(0, 3, 40)]
    model, stopper = _model(rng), EarlyStopping(patience=3)
    history = model.fit(x, y, Adam(lr=0.05), 200, 8, rng, validation=(x_val, y_val), callbacks=[stopper])
    assert len(history["val_loss"]) == stopper.best_epoch + 3 < 200
    assert history["val_loss"][stopper.best_epoch - 1] == min(history["val_loss"])
    assert model.evaluate(x_val, y_val)[0] == pytest.approx(min(history["val_loss"]), rel=1e-12)


def test_restores_the_best_even_without_stopping(rng):
    x, y = rng.standard_normal((30, 4)), np.eye(3)[rng.integers(0, 3, 30)]
    x_val, y_val = rng.standard_normal((30, 4)), np.eye(3)[rng.integers(0, 3, 30)]
    model, stopper = _model(rng), EarlyStopping(patience=1000)
    history = model.fit(x, y, Adam(lr=0.05), 30, 8, rng, validation=(x_val, y_val), callbacks=[stopper])
    assert len(history["val_loss"]) == 30
    assert model.evaluate(x_val, y_val)[0] == pytest.approx(min(history["val_loss"]), rel=1e-12)


def test_a_second_fit_starts_afresh(rng):
    model, stopper = _model(rng), EarlyStopping(patience=1)
    stopper.after_epoch(model, {"val_loss": [0.1]})
    stopper.at_end(model)
    assert stopper.after_epoch(model, {"val_loss": [5.0]}) is False  # 5.0 is the new best


def test_without_validation_it_says_what_to_pass(rng):
    x, y = rng.standard_normal((10, 4)), np.eye(3)[rng.integers(0, 3, 10)]
    with pytest.raises(ValueError, match=r"pass validation=\(x_val, y_val\) to fit"):
        _model(rng).fit(x, y, Adam(), 2, 5, rng, callbacks=[EarlyStopping()])


def test_patience_below_one_is_refused():
    with pytest.raises(ValueError, match="patience must be at least 1"):
        EarlyStopping(patience=0)


def test_restore_into_other_layers_is_refused(rng):
    saved = copy_parameters(_model(rng).layers)
    with pytest.raises(ValueError, match="expected 2 saved parameters, got 4"):
        restore_parameters([Dense(2, 2, rng)], saved)


def test_restore_is_in_place(rng):
    model = _model(rng)
    W = model.layers[0].W
    restore_parameters(model.layers, [np.zeros_like(v) for v in copy_parameters(model.layers)])
    assert model.layers[0].W is W
    assert not W.any()

"""Run a reader's answer against an exercise's reference, on random inputs.

``check_file(exercise, path)`` loads the file, calls its function on a few
random inputs and compares each result with the reference solution's. A failure
comes with a hint: the exception the answer raised, a wrong number of results,
a wrong shape,
or the first element that differs.
"""

from __future__ import annotations

import copy
import runpy
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from snippets.exercises import Exercise

__all__ = [
    "Result",
    "check_answer",
    "check_file",
    "compare_results",
    "load_answer",
]


@dataclass(frozen=True)
class Result:
    """The outcome of one exercise's check: passed, and a hint if it did not."""

    key: str
    passed: bool
    message: str


def load_answer(path: str | Path, function: str):
    """The function named ``function`` that the file at ``path`` defines."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"no answer file at {path}; give the path of your .py file"
        )
    namespace = runpy.run_path(str(path), run_name="answer")
    answer = namespace.get(function)
    if not callable(answer):
        kind = "class" if function[:1].isupper() else "function"
        raise LookupError(
            f"{path} defines no {kind} named {function!r}; "
            f"name your answer {function}"
        )
    return answer


def compare_results(
    expected, got, where: str = "result", rtol: float = 1e-6, atol: float = 1e-8
) -> str | None:
    """None when ``got`` matches ``expected``, else a hint: what differs."""
    if isinstance(expected, tuple | list):
        if not isinstance(got, tuple | list) and not (
            isinstance(got, np.ndarray) and got.ndim
        ):
            return (
                f"{where}: expected {len(expected)} values in a tuple, "
                f"got a {type(got).__name__}"
            )
        if len(got) != len(expected):
            return f"{where}: expected {len(expected)} values, got {len(got)}"
        for index, (one_expected, one_got) in enumerate(
            zip(expected, got, strict=True)
        ):
            hint = compare_results(
                one_expected, one_got, f"{where}[{index}]", rtol, atol
            )
            if hint:
                return hint
        return None
    expected = np.asarray(expected, dtype=np.float64)
    try:
        got = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return f"{where}: expected numbers, got {type(got).__name__}"
    if got.shape != expected.shape:
        return (
            f"{where}: wrong shape: expected {expected.shape}, got {got.shape}"
        )
    close = np.isclose(got, expected, rtol=rtol, atol=atol)
    if close.all():
        return None
    first = tuple(int(i) for i in np.argwhere(~close)[0])
    worst = (
        float(np.nanmax(np.abs(got - expected)))
        if np.isfinite(got).all()
        else float("nan")
    )
    at = f" at index {list(first)}" if first else ""
    return (
        f"{where}: wrong value{at}: expected {expected[first]:.6g}, "
        f"got {got[first]:.6g} ({int((~close).sum())} of {close.size} values "
        f"differ; largest difference {worst:.3g})"
    )


def check_answer(exercise: Exercise, answer, seed: int = 0) -> Result:
    """Call ``answer`` and the reference on random inputs, and compare."""
    rng = np.random.default_rng(seed)
    for trial in range(exercise.trials):
        arguments = exercise.make_inputs(rng)
        expected = exercise.outcome(
            exercise.reference, copy.deepcopy(arguments)
        )
        try:
            # a copy: an answer may not change our inputs
            got = exercise.outcome(answer, copy.deepcopy(arguments))
        except (
            Exception
        ) as error:  # the reader's code may raise anything; report it as a hint
            return Result(
                exercise.key,
                False,
                f"trial {trial + 1}: raised {type(error).__name__}: {error}",
            )
        hint = _compare(exercise, expected, got)
        if hint:
            shapes = ", ".join(_describe(argument) for argument in arguments)
            return Result(
                exercise.key,
                False,
                f"trial {trial + 1}, inputs {shapes}: {hint}",
            )
    return Result(
        exercise.key,
        True,
        f"{exercise.trials} random inputs, every result matches",
    )


def check_file(exercise: Exercise, path: str | Path, seed: int = 0) -> Result:
    """Load the answer from ``path`` and check it; a file that fails, fails."""
    try:
        answer = load_answer(path, exercise.function)
    except (FileNotFoundError, LookupError) as error:
        return Result(exercise.key, False, str(error))
    except Exception as error:  # the file itself may fail to run
        return Result(
            exercise.key,
            False,
            f"running {path} raised {type(error).__name__}: {error}",
        )
    return check_answer(exercise, answer, seed)


def _compare(exercise: Exercise, expected, got) -> str | None:
    """compare_results, naming each result when the exercise names them."""
    tolerances = {"rtol": exercise.rtol, "atol": exercise.atol}
    if not exercise.results:
        return compare_results(expected, got, **tolerances)
    for name, one_expected, one_got in zip(
        exercise.results, expected, got, strict=True
    ):
        hint = compare_results(one_expected, one_got, name, **tolerances)
        if hint:
            return hint
    return None


def _describe(argument) -> str:
    if isinstance(argument, np.ndarray):
        return f"shape {argument.shape}"
    if callable(argument):
        return getattr(argument, "__name__", "a function")
    if isinstance(argument, float):
        return f"{argument:.3g}"
    if isinstance(argument, list | tuple):
        return f"a list of {len(argument)}"
    return repr(argument)

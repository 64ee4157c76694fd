"""Exercises at the end of each post, with reference solutions and a checker.

Each post's code exercises live in one module of this package (``intro``,
``numpy_net``, ``frameworks``, ``cnn``, ...). A module registers each exercise
with ``register(Exercise(...))``: its key (``"numpy-3"``: post, then number),
the name of the function a reader writes, the reference solution, and a
function that draws random inputs. ``all_exercises()`` finds any module added
to this package, so a new post registers its exercises by adding its module,
and nothing else.

A reader checks an answer from the command line::

    python -m snippets.exercises check numpy-3 my_answer.py

which runs ``my_answer.py``, calls its function on random inputs, compares
each result with the reference and prints pass or fail with a hint (see
``snippets.exercises.checker``).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = ["Exercise", "all_exercises", "register"]

# Modules of this package that hold no exercises.
_NOT_EXERCISE_MODULES = {"__main__", "checker"}

_REGISTRY: dict[str, Exercise] = {}


@dataclass(frozen=True)
class Exercise:
    """One code exercise: what the reader writes, and how to check it.

    key: "post-number", as the post numbers it ("numpy-3").
    function: the name the reader's file must define.
    reference: the solution; called with the arguments of the reader's function.
    make_inputs: rng -> tuple of positional arguments for one trial.
    section: the snippet section the post shows as its solution ("path:name").
    planted_mistake: (old, new): replacing ``old`` by ``new`` in the solution
        makes it wrong. The tests use it to show that the checker catches it.
    run: for an answer that is a class rather than a function: how one trial
        uses it, ``run(definition, *arguments) -> results``, applied alike to
        the reader's class and the reference. None calls the definition with
        the arguments.
    results: names of the results that ``run`` returns, for the hints.
    """

    key: str
    title: str
    function: str
    reference: Callable
    make_inputs: Callable[[np.random.Generator], tuple]
    section: str
    planted_mistake: tuple[str, str]
    run: Callable | None = None
    results: tuple[str, ...] = ()
    trials: int = 5
    rtol: float = 1e-6
    atol: float = 1e-8

    def outcome(self, definition, arguments: tuple):
        """One trial's results for the reader's definition or the reference."""
        if self.run is None:
            return definition(*arguments)
        return self.run(definition, *arguments)

    @property
    def post(self) -> str:
        """The post's part of the key: "numpy" for "numpy-3"."""
        return self.key.rsplit("-", 1)[0]


def register(exercise: Exercise) -> Exercise:
    """Add an exercise to the registry; a key may be registered only once."""
    if exercise.key in _REGISTRY and _REGISTRY[exercise.key] is not exercise:
        raise ValueError(
            f"exercise {exercise.key!r} is registered twice; "
            "give one of them a new key"
        )
    post, _, number = exercise.key.rpartition("-")
    if not post or not number.isdigit():
        raise ValueError(
            "an exercise key is 'post-number', such as 'numpy-3', "
            f"got {exercise.key!r}"
        )
    _REGISTRY[exercise.key] = exercise
    return exercise


def all_exercises() -> dict[str, Exercise]:
    """Every registered exercise by key; imports each module of this package."""
    for module in pkgutil.iter_modules(__path__):
        if module.name not in _NOT_EXERCISE_MODULES:
            importlib.import_module(f"{__name__}.{module.name}")
    return dict(sorted(_REGISTRY.items(), key=lambda item: _sort_key(item[0])))


def _sort_key(key: str) -> tuple[str, int]:
    post, _, number = key.rpartition("-")
    return post, int(number)

"""The exercise notebooks' check cells pass the answers filled in and fail planted mistakes.

A notebook's exercise is a Markdown cell headed "## Exercise N", then the cell with the
answer, then the check cell. Each planted mistake replaces text in one answer cell; the
check cell after it must then raise an AssertionError.
"""

from __future__ import annotations

import re
from pathlib import Path

import jupytext
import matplotlib
import pytest

from tools.mkdocs_config import ROOT

NOTEBOOKS = ROOT / "docs" / "notebooks"
EXERCISE = re.compile(r"^## Exercise (\d+)\b", re.M)

# notebook: {exercise number: (text of the answer, the mistake that replaces it)}
MISTAKES = {
    "cnn.py": {
        1: ("if room % stride and not floor_mode:", "if False:"),
        2: ("[:, :, ::stride, ::stride]", ""),
        3: ("share = grad_out / self.k**2", "share = grad_out / self.k"),
        4: ("return np.roll(grad, (-dy, -dx), axis=(2, 3))", "return grad"),
        5: ("/ (maps.shape[2] * maps.shape[3])", "/ maps.shape[2]"),
        6: ("grad = 4 * difference", "grad = 2 * difference"),
    },
}


def exercises(path: Path) -> tuple[list[str], dict[int, tuple[int, int]]]:
    """The code cells in order, and {exercise: (index of its answer cell, of its check cell)}."""
    code, found = [], {}
    for cell in jupytext.read(path).cells:
        if cell.cell_type == "markdown" and (match := EXERCISE.search(cell.source)):
            found[int(match[1])] = (len(code), len(code) + 1)
        elif cell.cell_type == "code":
            code.append(cell.source)
    return code, found


def run_cells(sources: list[str], namespace: dict) -> None:
    for source in sources:
        lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
        exec(compile("\n".join(lines), "<notebook cell>", "exec"), namespace)


@pytest.fixture(scope="module", params=sorted(MISTAKES))
def solved(request):
    """The notebook run up to its last check cell, with the answers filled in."""
    matplotlib.use("Agg")
    path = NOTEBOOKS / request.param
    code, found = exercises(path)
    namespace: dict = {"__name__": "__notebook__"}
    run_cells(code[: max(check for _, check in found.values()) + 1], namespace)
    return request.param, code, found, namespace


def test_every_exercise_has_a_planted_mistake(solved):
    name, _, found, _ = solved
    assert sorted(found) == sorted(MISTAKES[name]), f"{name}: exercises {sorted(found)}"


def test_a_planted_mistake_fails_its_check_cell(solved):
    name, code, found, namespace = solved
    for number, (old, new) in MISTAKES[name].items():
        answer, check = found[number]
        assert code[answer].count(old) == 1, f"{name}, exercise {number}: {old!r} not once in the answer"
        wrong = dict(namespace)
        run_cells([code[answer].replace(old, new)], wrong)
        with pytest.raises(AssertionError):
            run_cells([code[check]], wrong)

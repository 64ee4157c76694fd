"""The exercises' checker passes each solution the posts show and fails planted mistakes."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from snippets.exercises import Exercise, all_exercises, register
from snippets.exercises.__main__ import command_line as main
from snippets.exercises.checker import check_answer, compare_results
from tools.docs_sybil import expand_snippets
from tools.fences import find_fences
from tools.mkdocs_config import ROOT

POSTS = ROOT / "docs" / "blog" / "posts"
EXERCISES = all_exercises()


def shown_solution(exercise: Exercise) -> str:
    """The solution fence of the post that embeds the exercise's section, expanded."""
    embed = f'--8<-- "{exercise.section}"'
    for post in sorted(POSTS.glob("*.md")):
        for fence in find_fences(post.read_text(encoding="utf-8")):
            if embed in fence.source:
                return expand_snippets(fence.source)
    raise AssertionError(f"no post shows {embed} for exercise {exercise.key}")


def write(tmp_path: Path, source: str) -> Path:
    path = tmp_path / "my_answer.py"
    path.write_text(source, encoding="utf-8")
    return path


def test_the_posts_have_code_exercises():
    posts = {exercise.post for exercise in EXERCISES.values()}
    assert posts >= {"intro", "numpy", "frameworks", "cnn", "regularisation"}


@pytest.mark.parametrize("key", list(EXERCISES))
def test_a_copy_of_the_shown_solution_passes(key, tmp_path, capsys):
    path = write(tmp_path, shown_solution(EXERCISES[key]))
    assert main(["check", key, str(path)]) == 0
    assert f"{key}" in capsys.readouterr().out


@pytest.mark.parametrize("key", list(EXERCISES))
def test_a_planted_mistake_fails_with_a_hint(key, tmp_path, capsys):
    exercise = EXERCISES[key]
    old, new = exercise.planted_mistake
    source = shown_solution(exercise)
    assert source.count(old) == 1, f"the planted mistake of {key} must match the solution once"
    path = write(tmp_path, source.replace(old, new))
    assert main(["check", key, str(path)]) == 1
    out = capsys.readouterr().out
    assert "FAIL" in out
    assert any(hint in out for hint in ("wrong value", "wrong shape", "raised", "values")), out


def test_the_shown_solution_runs_alone_in_a_fresh_python(tmp_path):
    """A reader copies a solution block into a file of their own: it must import what it uses."""
    sources = [shown_solution(exercise) for exercise in EXERCISES.values()]
    for index, source in enumerate(sources):
        write(tmp_path, source).rename(tmp_path / f"answer_{index}.py")
    script = "import runpy, sys\nfor path in sys.argv[1:]:\n    runpy.run_path(path)\n"
    paths = [str(tmp_path / f"answer_{index}.py") for index in range(len(sources))]
    done = subprocess.run(
        [sys.executable, "-c", script, *paths], capture_output=True, text=True, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr


def test_the_command_line_runs_as_a_module(tmp_path):
    path = write(tmp_path, shown_solution(EXERCISES["numpy-3"]))
    done = subprocess.run(
        [sys.executable, "-m", "snippets.exercises", "check", "numpy-3", str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "numpy-3" in done.stdout
    assert "pass" in done.stdout


def test_a_post_key_checks_every_answer_the_file_has(tmp_path, capsys):
    numpy_exercises = [exercise for exercise in EXERCISES.values() if exercise.post == "numpy"]
    path = write(tmp_path, "\n\n".join(shown_solution(exercise) for exercise in numpy_exercises[:2]))
    assert main(["check", "numpy", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.count(" pass ") == 2
    assert "skipped" in out


def test_a_missing_function_and_an_unknown_key_fail(tmp_path, capsys):
    path = write(tmp_path, "def something_else():\n    return 1\n")
    assert main(["check", "numpy-3", str(path)]) == 1
    assert "defines no function named 'softmax_backward'" in capsys.readouterr().out
    assert main(["check", "no-such-exercise", str(path)]) == 2


def test_an_answer_that_raises_is_reported(tmp_path, capsys):
    path = write(tmp_path, "def softmax_backward(grad_p, p):\n    raise ValueError('not yet')\n")
    assert main(["check", "numpy-3", str(path)]) == 1
    assert "raised ValueError: not yet" in capsys.readouterr().out


def test_compare_names_the_shape_or_the_first_differing_element():
    expected = np.arange(6.0).reshape(2, 3)
    assert compare_results(expected, expected.copy()) is None
    assert "wrong shape: expected (2, 3), got (3, 2)" in compare_results(expected, expected.T)
    wrong = expected.copy()
    wrong[1, 2] = 7.5
    hint = compare_results(expected, wrong)
    assert "at index [1, 2]" in hint
    assert "expected 5" in hint
    assert "got 7.5" in hint
    assert "expected 2 values, got 1" in compare_results((1.0, 2.0), (1.0,))


def test_an_answer_may_not_change_its_inputs_for_the_reference():
    exercise = EXERCISES["numpy-2"]

    def clobbers(grad_out, x, W):
        result = exercise.reference(grad_out, x, W)
        grad_out[...] = 0.0
        return result

    assert check_answer(exercise, clobbers).passed


def test_a_key_is_registered_once():
    exercise = EXERCISES["numpy-3"]
    twin = Exercise(**{**exercise.__dict__, "title": "a twin"})
    with pytest.raises(ValueError, match="registered twice"):
        register(twin)


def test_each_post_with_exercises_tells_the_reader_the_command():
    for post in sorted(POSTS.glob("*.md")):
        text = post.read_text(encoding="utf-8")
        if "snippets/exercises/" in text:
            assert "python -m snippets.exercises check" in text, f"{post.name} does not say how to check"


@pytest.mark.parametrize(
    ("key", "check"),
    [
        ("cnn-4", "conv"),
        ("cnn-6", "gram"),
        ("numpy-3", "softmax"),
        ("frameworks-5", "log_softmax"),
    ],
)
def test_the_references_agree_with_the_package_and_finite_differences(key, check):
    """The reference solutions are themselves checked, against snippets and numerics."""
    from snippets.activations import softmax
    from snippets.cnn import gram_matrix
    from snippets.conv import conv2d_naive
    from snippets.gradcheck import numerical_gradient

    exercise, rng = EXERCISES[key], np.random.default_rng(5)
    arguments = exercise.make_inputs(rng)
    got = exercise.reference(*arguments)
    if check == "conv":
        x, W, b = arguments
        assert np.allclose(got, conv2d_naive(x, W, b))
        return
    if check == "gram":
        grad_G, F = arguments
        maps = F[:, :, None, :]  # (batch, C, 1, M) as images
        numeric = numerical_gradient(lambda _: float(np.sum(grad_G * gram_matrix(maps))), maps)
        assert np.allclose(got, numeric[:, :, 0, :], atol=1e-6)
        return
    grad, probabilities = arguments
    z = np.log(probabilities) if check == "softmax" else probabilities.copy()

    def forward(scores):
        out = softmax(scores)
        return out if check == "softmax" else np.log(out)

    numeric = numerical_gradient(lambda _: float(np.sum(grad * forward(z))), z)
    assert np.allclose(got, numeric, atol=1e-6)


@pytest.mark.parametrize("key", list(EXERCISES))
def test_the_key_names_the_exercise_the_post_numbers(key):
    """``numpy-3`` is exercise 3 of its post: its heading says "### 3. ... (code, `numpy-3`)"."""
    heading = re.compile(rf"^### (\d+)\. .*\(code, `{re.escape(key)}`\)$", re.M)
    numbers = [int(m.group(1)) for post in POSTS.glob("*.md") for m in heading.finditer(post.read_text())]
    assert numbers == [int(key.rsplit("-", 1)[1])], f"{key}: headings found with numbers {numbers}"

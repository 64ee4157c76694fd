"""A failing page names the line to fix, in a one-page run (tools/docs_sybil.py)."""

from __future__ import annotations

import textwrap

import pytest
from sybil.example import SybilFailure

from tools.docs_sybil import make_sybil
from tools.mkdocs_config import ROOT

SNIPPET = textwrap.dedent(
    """\
    # --8<-- [start:double]
    def double(x):
        y = 2 * x
        return y / 0 if x == 13 else y
    # --8<-- [end:double]
    """
)
FRONT_MATTER = "---\ndate:\n  created: 2026-11-25\n---\n\n"


@pytest.fixture
def snippet_file():
    """A snippet file under the repository root, where the build's base_path finds it."""
    folder = ROOT / ".cache" / "test-snippets"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "doubling.py"
    path.write_text(SNIPPET)
    yield path.relative_to(ROOT).as_posix()
    path.unlink()


def run_page(tmp_path, text: str, name: str = "page.md"):
    """Evaluate every example of a page, in order; return the first failure (or None)."""
    folder = tmp_path / "blog" / "posts"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text)
    document = make_sybil(tmp_path).parse(folder / name)
    for example in document:
        try:
            example.evaluate()
        except Exception as error:
            return error
    return None


def test_an_error_after_an_embed_names_its_page_line(tmp_path, snippet_file):
    page = (
        FRONT_MATTER
        + f'```python\n--8<-- "{snippet_file}:double"\n\nvalue = double(2)\nundefined_name\n```\n'
    )
    error = run_page(tmp_path, page)
    assert isinstance(error, NameError)
    # The fence opens on line 6; its content: the embed (7), a blank line (8), 9, 10.
    (note,) = error.__notes__
    assert note.startswith("at ")
    assert note.endswith("blog/posts/page.md:10")


def test_an_error_inside_an_embed_names_the_snippet_line(tmp_path, snippet_file):
    page = FRONT_MATTER + f'```python\n--8<-- "{snippet_file}:double"\n\ndouble(13)\n```\n'
    error = run_page(tmp_path, page)
    assert isinstance(error, ZeroDivisionError)
    # Line 4 of the snippet file (the division) was shown at page line 7, the embed.
    assert error.__notes__[0].startswith(f"at {snippet_file}:4 (embedded at ")
    assert error.__notes__[0].endswith("page.md:7)")


def test_a_missing_section_is_one_line_with_page_line_and_section(tmp_path, snippet_file):
    page = FRONT_MATTER + "Text.\n\n" + f'```python\n--8<-- "{snippet_file}:triple"\n```\n'
    error = run_page(tmp_path, page)
    assert isinstance(error, SybilFailure)
    assert error.result.endswith(
        f"page.md:9: --8<-- \"{snippet_file}:triple\": Snippet section 'triple' could not be located"
    )
    assert "\n" not in error.result


def test_a_missing_snippet_file_is_one_line(tmp_path):
    page = FRONT_MATTER + '```python\n--8<-- "snippets/no_such_module.py:anything"\n```\n'
    error = run_page(tmp_path, page)
    assert isinstance(error, SybilFailure)
    assert "page.md:7" in error.result
    assert "could not be found" in error.result
    assert "\n" not in error.result


def test_a_post_without_a_date_fails_its_one_page_run(tmp_path):
    error = run_page(tmp_path, "---\ntitle: No date\n---\n\n# A post\n")
    assert isinstance(error, SybilFailure)
    assert error.result.endswith("page.md:1: its front matter has no date: add `date: {created: YYYY-MM-DD}`")


def test_a_post_with_a_date_passes(tmp_path):
    assert run_page(tmp_path, FRONT_MATTER + "# A post\n\n```python\nx = 1\n```\n") is None


@pytest.mark.parametrize("language", ["Python", "PY", "Pycon"])
def test_a_fence_in_the_wrong_case_fails(tmp_path, language):
    error = run_page(tmp_path, FRONT_MATTER + f"```{language}\nx = 1\n```\n")
    assert isinstance(error, SybilFailure)
    assert f"page.md:6: a fence in {language!r} is not run" in error.result
    assert f"write {language.lower()!r}" in error.result

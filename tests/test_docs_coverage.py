"""No Python block in docs/ escapes the test run, and every skip says why."""

import ast

from tools.doc_blocks import (
    all_skips,
    block_of_example,
    collected_lines,
    markdown_files,
    python_looking_fences,
)


def test_every_python_fence_is_collected_by_sybil():
    missed = []
    for path in markdown_files():
        collected = collected_lines(path)
        for line, info in python_looking_fences(path):
            if line not in collected:
                missed.append(f"{path}:{line}: ```{info}")
    assert not missed, (
        "These fences look like Python but Sybil does not run them; use the language "
        "python, py or pycon (attributes after it are fine):\n" + "\n".join(missed)
    )


def test_the_docs_have_python_blocks_at_all():
    assert sum(len(collected_lines(path)) for path in markdown_files()) > 0


def _has_reason(reason: str) -> bool:
    """A reason is a non-empty string literal, or if(condition, reason="...")."""
    if reason.startswith("if"):
        return "reason=" in reason
    try:
        value = ast.literal_eval(reason)
    except (ValueError, SyntaxError):
        return False
    return isinstance(value, str) and bool(value.strip())


def test_every_skip_gives_a_reason():
    skips = all_skips()
    print(f"\n{len(skips)} skip marker(s) in docs/:")
    for skip in skips:
        print(f"  {skip.path}:{skip.line}: skip {skip.action} {skip.reason}")
    unexplained = [s for s in skips if s.action in ("next", "start") and not _has_reason(s.reason)]
    assert not unexplained, (
        'Skips need a written reason, e.g. <!-- skip: next "needs the internet" -->:\n'
        + "\n".join(f"{s.path}:{s.line}" for s in unexplained)
    )


def test_examples_of_one_pycon_block_count_as_that_block(tmp_path):
    page = tmp_path / "docs" / "page.md"
    page.parent.mkdir()
    page.write_text(
        "Text.\n\n```pycon\n>>> 1 + 1\n2\n>>> 2 + 2\n4\n```\n\n```python\nx = 1\n```\n", encoding="utf-8"
    )
    blocks = {
        block_of_example(f"docs/page.md::sybil:docs,line:{line},column:1", root=tmp_path)
        for line in (4, 6, 11)
    }
    assert blocks == {("docs/page.md", 3), ("docs/page.md", 10)}
    assert block_of_example("tests/test_fences.py::test_x") is None

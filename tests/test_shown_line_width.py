"""Shown code fits the post column: no line of a code block wider than 80 characters.

On a desktop window the post column shows about 80 characters of code at Material's
default size; a wider line is cut at the right edge and needs a sideways scroll. The
check reads every fenced block of docs/ as the reader sees it, embeds expanded.
"""

from tools.docs_sybil import expand_snippets
from tools.fences import find_fences
from tools.mkdocs_config import ROOT

LIMIT = 80


def shown_lines():
    """(page:line, text) of every line of every fenced block of docs/, embeds expanded."""
    for page in sorted((ROOT / "docs").rglob("*.md")):
        for fence in find_fences(page.read_text(encoding="utf-8")):
            source = expand_snippets(fence.source) if "--8<--" in fence.source else fence.source
            if "--8<--" in fence.source:
                place = f"{page.relative_to(ROOT)}:{fence.line}"  # an embed: name the fence
                yield from (
                    (f"{place} (line {n} of the block)", line)
                    for n, line in enumerate(source.splitlines(), 1)
                )
            else:
                for offset, line in enumerate(source.splitlines(), start=1):
                    yield f"{page.relative_to(ROOT)}:{fence.line + offset}", line


def test_no_shown_line_is_wider_than_the_column():
    wide = [
        f"{place}: {len(line)} characters: {line.strip()[:60]}"
        for place, line in shown_lines()
        if len(line) > LIMIT
    ]
    assert not wide, f"{len(wide)} shown lines wider than {LIMIT} characters:\n" + "\n".join(wide)


def test_the_check_sees_embedded_code():
    places = [place for place, _ in shown_lines() if "(line " in place]
    assert len(places) > 100  # the embedded sections are read, not just the fence lines

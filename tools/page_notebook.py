"""A page as a notebook: its prose as Markdown cells, its code as code cells, in page order.

The build offers each post as ``<slug>.ipynb`` (hooks/notebooks.py), and the test suite
runs every such notebook top to bottom in a fresh kernel (tests/test_page_notebooks.py).
The code cells are exactly the code Sybil runs: ``--8<--`` embeds expanded as the build
expands them, ``pycon`` blocks turned into plain code (prompts and printed output
dropped), hidden set-up blocks (``invisible-code-block``) kept, skipped blocks shown as
text. The first cell says which commit of the repository the notebook comes from.
"""

from __future__ import annotations

import doctest
import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import nbformat

from tools.docs_sybil import COLLECTED_LANGUAGES, DOCTEST_LANGUAGES, expand_snippets
from tools.fences import find_fences

FRONT_MATTER = re.compile(r"\A---[ \t]*\n.*?\n---[ \t]*\n", re.S)
HIDDEN = re.compile(r"<!--\s*invisible-code(?:-block)?:\s*python\s*\n(?P<source>.*?)-->", re.S)
SKIP_NEXT = re.compile(r"<!--+\s*skip:\s*next\b[^>]*-->")
COMMENT = re.compile(r"<!--.*?-->", re.S)
LINK = re.compile(r"(?P<open>!?\[[^\]]*\]\()(?P<target>[^)\s]+)(?P<close>[^)]*\))")
HEADING = re.compile(r"^# (?P<title>.+)$", re.M)
# Material's admonitions, collapsible blocks and content tabs: a header, then an indented body.
CONTAINER = re.compile(
    r"""^(?P<indent>[ \t]*)(?:!!!|\?\?\?\+?|===)[ \t]*(?P<kind>[\w-]*)[ \t]*(?:"(?P<title>[^"]*)")?[ \t]*$"""
)


@dataclass(frozen=True)
class Block:
    start: int  # offsets in the page text
    end: int
    line: int  # 1-based line of the block's first source line
    source: str | None  # code to run; None for a block shown as text only
    embeds: bool = False  # True when the source has --8<-- lines (its lines no longer map 1:1)


def doctest_to_code(source: str) -> str:
    """The statements of a pycon block as plain code, without prompts or printed output.

    A statement whose expected output is a traceback becomes a ``try`` that prints the
    error, so that the notebook shows it and goes on, as the page does.
    """
    statements = []
    for example in doctest.DocTestParser().get_examples(textwrap.dedent(source)):
        code = example.source.rstrip("\n")
        if example.exc_msg is not None:
            error = example.want.strip().splitlines()[-1].split(":")[0].rsplit(".", 1)[-1]
            code = (
                f"try:\n{textwrap.indent(code, '    ')}\n"
                f"except {error} as error:\n    print(f'{error}: {{error}}')"
            )
        statements.append(code)
    return "\n".join(statements)


def code_blocks(text: str) -> list[Block]:
    """The page's runnable blocks, in page order."""
    blocks = []
    skipped = {match.end() for match in SKIP_NEXT.finditer(text)}
    for fence in find_fences(text):
        if fence.language not in COLLECTED_LANGUAGES:
            continue
        skip = any(text[end : fence.start].strip() == "" for end in skipped if end <= fence.start)
        if fence.language in DOCTEST_LANGUAGES or fence.source.lstrip().startswith(">>>"):
            source = doctest_to_code(fence.source)
        else:
            source = expand_snippets(fence.source.rstrip("\n"))
        blocks.append(
            Block(fence.start, fence.end, fence.line + 1, None if skip else source, "--8<--" in fence.source)
        )
    for hidden in HIDDEN.finditer(text):
        line = text.count("\n", 0, hidden.start("source")) + 1
        blocks.append(Block(hidden.start(), hidden.end(), line, hidden["source"].strip()))
    return sorted(blocks, key=lambda block: block.start)


def plain_markdown(text: str) -> str:
    """Material's container syntax as plain Markdown: a bold title, the body unindented."""
    lines = []
    for line in text.split("\n"):
        header = CONTAINER.match(line)
        if header:
            title = header["title"] or header["kind"].capitalize()
            lines.append(f"**{title}**" if title else "")
        else:
            lines.append(re.sub(r"^(?: {4})+", "", line))
    return "\n".join(lines)


def prose(text: str, relink: Callable[[str], str] | None) -> str:
    """Markdown for a notebook cell: HTML comments dropped, relative links made absolute."""
    text = plain_markdown(COMMENT.sub("", text)).strip()
    if relink is None:
        return text
    return LINK.sub(lambda m: m["open"] + relink(m["target"]) + m["close"], text)


def notebook_from_page(
    path: Path,
    intro: str,
    relink: Callable[[str], str] | None = None,
    source_name: str | None = None,
) -> nbformat.NotebookNode:
    """The notebook of the page at ``path``; ``intro`` is the first cell's Markdown.

    ``relink`` maps a link target of the page (``../../figures/x.svg``) to one that works
    outside the site; each code cell records the page line it comes from.
    """
    text = path.read_text(encoding="utf-8")
    body_start = FRONT_MATTER.match(text).end() if FRONT_MATTER.match(text) else 0
    cells = [nbformat.v4.new_markdown_cell(intro)]
    position = body_start
    for block in code_blocks(text):
        if block.start < position:
            continue  # a block nested in one already taken
        before = prose(text[position : block.start], relink)
        if block.source is None:
            before = prose(text[position : block.end], relink)
        if before:
            cells.append(nbformat.v4.new_markdown_cell(before))
        if block.source is not None:
            cell = nbformat.v4.new_code_cell(block.source)
            cell.metadata["deep_python"] = {"line": block.line, "embeds": block.embeds}
            cells.append(cell)
        position = block.end
    rest = prose(text[position:], relink)
    if rest:
        cells.append(nbformat.v4.new_markdown_cell(rest))
    for index, cell in enumerate(cells):
        # nbformat draws random ids: numbered ones make the same page give the same bytes,
        # so the download does not change from build to build and the cache key holds.
        cell["id"] = f"cell-{index}"
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.metadata["language_info"] = {"name": "python"}
    notebook.metadata["deep_python"] = {"source": source_name or path.name}
    return notebook


def describe_commit(commit: dict | None) -> str:
    """Markdown: 'commit [`abc1234`](url)', and whether the tree had uncommitted changes."""
    if not commit or not commit.get("sha"):
        return "a copy of the repository outside git (commit unknown)"
    shown = f"[`{commit['short']}`]({commit['url']})" if commit.get("url") else f"`{commit['short']}`"
    return f"commit {shown}" + (" plus uncommitted changes" if commit.get("dirty") else "")


def intro_cell(title: str, page_url: str, commit: dict | None) -> str:
    """The first cell: what the notebook is, which commit it comes from, how to run it."""
    return (
        f"*The code of the post [{title}]({page_url}), in page order, with the post's text "
        f"between the cells. Built from {describe_commit(commit)} of the site's repository; "
        "the same commit is named at the foot of the page, so you can tell whether your copy "
        "matches it.\n\n"
        "Run it from a clone of the repository at that commit, with the pinned requirements "
        "and the site's package installed (`pip install -r requirements.txt` and "
        "`pip install -e .`), top to bottom.*"
    )


def page_title(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    found = HEADING.search(text)
    return found["title"].strip() if found else path.stem.replace("-", " ").capitalize()

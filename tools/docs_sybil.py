"""Sybil over docs/: every python and pycon fence of every page runs, in page order.

Out of the box, Sybil collects only fences whose info string is exactly ``python`` and
would execute a ``--8<--`` embed line as Python. Here:

- ``python``, ``py``, ``python3`` and ``pycon`` fences are collected, with or without
  attributes (``python title="x.py"``), nested in admonitions and tabs too, but not a
  fence shown inside another fence (tools/fences.py);
- a ``pycon`` fence, or a python fence that starts with ``>>>``, is a doctest;
- ``--8<--`` lines are expanded by pymdownx.snippets with the options of mkdocs.yml,
  so the tests run exactly the text the reader sees;
- a failure names the page line it comes from, even after an embed, or the snippet file
  and line inside the embed; a missing snippet file or section is a one-line failure;
- a fence whose language is Python in the wrong case (``Python``) fails instead of being
  silently left out, and a blog post's front matter is checked as the blog plugin
  checks it (a ``date`` is required), so a one-page run catches what the build would.
"""

from __future__ import annotations

import datetime as dt
import doctest
import linecache
import os
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import markdown
import yaml
from pymdownx.snippets import SnippetMissingError
from sybil import Document, Lexeme, Region, Sybil
from sybil.evaluators.doctest import DocTestEvaluator
from sybil.parsers.abstract.doctest import DocTestStringParser
from sybil.parsers.abstract.lexers import LexerCollection
from sybil.parsers.markdown import ClearNamespaceParser, SkipParser
from sybil.parsers.markdown.lexers import DirectiveInHTMLCommentLexer

from tools.fences import find_fences
from tools.mkdocs_config import ROOT, markdown_extension_config

PYTHON_LANGUAGES = {"python", "py", "python3"}
DOCTEST_LANGUAGES = {"pycon"}
COLLECTED_LANGUAGES = PYTHON_LANGUAGES | DOCTEST_LANGUAGES
DOCS = ROOT / "docs"
EMBED = re.compile(r"""--8<--\s+["'](?P<path>[^"':]+)(?::(?P<section>[\w.-]+))?["']""")
FRONT_MATTER = re.compile(r"\A---[ \t]*\n(?P<yaml>.*?\n)---[ \t]*\n", re.S)


@cache
def _snippet_preprocessor():
    config = markdown_extension_config("pymdownx.snippets")
    config["base_path"] = [str(ROOT / path) for path in config.get("base_path", ["."])]
    md = markdown.Markdown(extensions=["pymdownx.snippets"], extension_configs={"pymdownx.snippets": config})
    return md.preprocessors["snippet"]


def expand_snippets(source: str) -> str:
    """Expand ``--8<--`` lines exactly as the site build does."""
    if "--8<--" not in source:
        return source
    # The preprocessor reads paths relative to the working directory as well as base_path.
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        lines = _snippet_preprocessor().run(source.split("\n"))
    finally:
        os.chdir(cwd)
    return "\n".join(lines)


def _shown(path) -> str:
    try:
        return os.path.relpath(path, ROOT)
    except ValueError:
        return str(path)


def _section_start(path: str, section: str | None) -> int:
    """1-based line of the first line of a snippet section (1 for a whole file)."""
    if not section:
        return 1
    lines = (ROOT / path).read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, start=1):
        if f"[start:{section}]" in line:
            return number + 1
    return 1


@dataclass(frozen=True)
class ExpandedBlock:
    """A python fence with its embeds expanded, and where each of its lines comes from."""

    text: str
    origins: tuple[str, ...]  # per line: "page.md:12" or "snippets/x.py:40 (embedded at page.md:12)"


class EmbedError(Exception):
    """A ``--8<--`` line names a file or section that does not exist."""


def expand_block(source: str, page: str, first_line: int) -> ExpandedBlock:
    """Expand each ``--8<--`` line of a fence whose first content line is ``first_line``."""
    lines, origins = [], []
    for number, raw in enumerate(source.split("\n"), start=first_line):
        here = f"{page}:{number}"
        embed = EMBED.search(raw) if "--8<--" in raw else None
        if embed is None:
            lines.append(raw)
            origins.append(here)
            continue
        try:
            expanded = expand_snippets(raw).split("\n")
        except SnippetMissingError as error:
            raise EmbedError(f"{here}: {raw.strip()}: {error}") from None
        start = _section_start(embed["path"], embed["section"])
        lines.extend(expanded)
        origins.extend(f"{embed['path']}:{start + i} (embedded at {here})" for i in range(len(expanded)))
    return ExpandedBlock("\n".join(lines), tuple(origins))


def _failing_line(error: BaseException, filename: str) -> int | None:
    """The innermost line of ``filename`` in the traceback of ``error``."""
    line, traceback = None, error.__traceback__
    while traceback is not None:
        if traceback.tb_frame.f_code.co_filename == filename:
            line = traceback.tb_lineno
        traceback = traceback.tb_next
    return line


def evaluate_expanded(example) -> None:
    """Run a python fence whose embeds are expanded; a failure names its page or snippet line."""
    __tracebackhide__ = True
    block: ExpandedBlock = example.parsed
    first = example.line + 1  # the fence's first content line
    filename = f"{_shown(example.path)} [python fence, --8<-- expanded, from line {first}]"
    source = "\n" * (first - 1) + block.text  # traceback line numbers count from the fence
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    code = compile(source, filename, "exec", dont_inherit=True)
    try:
        exec(code, example.namespace)
    except Exception as error:
        line = _failing_line(error, filename)
        if line is not None and 0 <= line - first < len(block.origins):
            error.add_note(f"at {block.origins[line - first]}")
        raise
    finally:
        example.namespace.pop("__builtins__", None)


def fail_with(message: str):
    """An evaluator that fails with ``message``, one line, no traceback."""
    return lambda example: message


def front_matter_problem(text: str) -> str | None:
    """What the blog plugin would reject in a post's front matter, or None."""
    found = FRONT_MATTER.match(text)
    if not found:
        return "a post starts with front matter between '---' lines (see docs/contributing.md)"
    try:
        meta = yaml.safe_load(found["yaml"]) or {}
    except yaml.YAMLError as error:
        return f"its front matter is not valid YAML: {error}"
    date = meta.get("date")
    created = date.get("created") if isinstance(date, dict) else date
    if created is None:
        return "its front matter has no date: add `date: {created: YYYY-MM-DD}`"
    if not isinstance(created, dt.date):
        return f"its date {created!r} is not a date: write it as YYYY-MM-DD"
    return None


class DocsCodeBlockParser:
    """Yield a region for each python/pycon fence and ``invisible-code-block`` comment."""

    def __init__(self) -> None:
        self.hidden_blocks = LexerCollection(
            [
                DirectiveInHTMLCommentLexer(directive=r"invisible-code(-block)?", arguments=".+"),
            ]
        )
        self.doctests = DocTestStringParser(DocTestEvaluator(doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE))

    def blocks(self, document):
        """(region, language, source) for every fence and hidden block, in page order."""
        for fence in find_fences(document.text):
            source = Lexeme(fence.source, offset=fence.content_start - fence.start, line_offset=0)
            yield Region(fence.start, fence.end), fence.language, source
        for region in self.hidden_blocks(document):
            yield region, region.lexemes["arguments"].strip(), region.lexemes["source"]

    def __call__(self, document: Document):
        page = _shown(document.path)
        for region, language, source in self.blocks(document):
            line = document.text.count("\n", 0, region.start) + 1
            if language not in COLLECTED_LANGUAGES:
                if language.lower() in COLLECTED_LANGUAGES:
                    region.evaluator = fail_with(
                        f"{page}:{line}: a fence in {language!r} is not run and not highlighted: "
                        f"write {language.lower()!r}"
                    )
                    yield region
                continue
            if language in DOCTEST_LANGUAGES or source.lstrip().startswith(">>>"):
                for example in self.doctests(source, document.path):
                    example.adjust(region, source)
                    yield example
                continue
            try:
                region.parsed = expand_block(str(source), page, line + 1)
            except EmbedError as error:
                region.evaluator = fail_with(str(error))
            else:
                region.evaluator = evaluate_expanded
            yield region


class FrontMatterParser:
    """A region over a blog post's front matter, checked as the blog plugin would check it."""

    def __call__(self, document: Document):
        if Path(document.path).parent.parts[-2:] != ("blog", "posts"):
            return
        problem = front_matter_problem(document.text)
        end = FRONT_MATTER.match(document.text)
        region = Region(0, end.end() if end else 0)
        region.evaluator = (
            (lambda example: None) if problem is None else fail_with(f"{_shown(document.path)}:1: {problem}")
        )
        yield region


def setup(namespace: dict) -> None:
    import matplotlib

    matplotlib.use("Agg")  # pages may plot; no window may open in CI


def teardown(namespace: dict) -> None:
    import matplotlib.pyplot as plt

    plt.close("all")


def make_sybil(path=DOCS) -> Sybil:
    return Sybil(
        parsers=[FrontMatterParser(), DocsCodeBlockParser(), SkipParser(), ClearNamespaceParser()],
        path=str(path),
        patterns=["*.md"],
        setup=setup,
        teardown=teardown,
        name="docs",
    )

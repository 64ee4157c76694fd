"""MkDocs hook: typeset math at build time as MathML, so pages load no math script.

Markdown pages: pymdownx.arithmatex (generic mode) wraps math in
``<span class="arithmatex">\\(...\\)</span>`` and ``<div class="arithmatex">\\[...\\]</div>``.
Notebook pages: mkdocs-jupyter leaves ``$...$`` and ``$$...$$`` in Markdown cells
(hooks/notebooks.py removes the MathJax script it adds).
"""

from __future__ import annotations

import html
import re

from bs4 import BeautifulSoup
from latex2mathml.converter import convert

INLINE = re.compile(r"\\\((.+?)\\\)", re.S)
DISPLAY = re.compile(r"\\\[(.+?)\\\]", re.S)
NOTEBOOK_MATH = re.compile(r"\$\$(.+?)\$\$|(?<![\\$\w])\$(?!\s)([^$\n]+?)(?<!\s)\$(?!\w)", re.S)


def to_mathml(latex: str, display: bool) -> str:
    return convert(html.unescape(latex.strip()), display="block" if display else "inline")


def _arithmatex(match_text: str, display: bool) -> str:
    pattern = DISPLAY if display else INLINE
    return pattern.sub(lambda m: to_mathml(m.group(1), display), match_text)


def convert_arithmatex(content: str) -> str:
    """Replace every arithmatex span/div with MathML.

    A display formula wider than the column scrolls sideways (docs/stylesheets/extra.css):
    tabindex="0" lets a keyboard reach and scroll it (axe-core: scrollable-region-focusable).
    """
    content = re.sub(
        r'<div class="arithmatex">(.*?)</div>',
        lambda m: f'<div class="arithmatex" tabindex="0">{_arithmatex(m.group(1), True)}</div>',
        content,
        flags=re.S,
    )
    return re.sub(
        r'<span class="arithmatex">(.*?)</span>',
        lambda m: f'<span class="arithmatex">{_arithmatex(m.group(1), False)}</span>',
        content,
        flags=re.S,
    )


def convert_notebook(content: str) -> str:
    """MathML for $-math in a notebook's Markdown cells."""
    soup = BeautifulSoup(content, "html.parser")
    for cell in soup.select(".jp-RenderedMarkdown"):
        for node in cell.find_all(string=NOTEBOOK_MATH):
            if node.find_parent(["code", "pre"]):
                continue

            def typeset(match):
                display = match.group(1) is not None
                return to_mathml(match.group(1) if display else match.group(2), display)

            node.replace_with(
                BeautifulSoup(NOTEBOOK_MATH.sub(typeset, html.escape(str(node), quote=False)), "html.parser")
            )
    return str(soup)


def on_page_content(content, page, config, files):
    if page.file.src_uri.startswith("notebooks/") and page.file.src_uri.endswith(".py"):
        return convert_notebook(content)
    return convert_arithmatex(content)

"""One symbol, one meaning: the notation page defines every symbol the posts use."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tools.mkdocs_config import ROOT
from tools.notation import CLASHES, clashes_of, defined_symbols, math_of, page_symbols, symbols_of

DOCS = ROOT / "docs"
NOTATION = DOCS / "notation.md"
POSTS = sorted((DOCS / "blog" / "posts").glob("*.md"))


@pytest.mark.parametrize("post", [*POSTS, NOTATION], ids=lambda path: path.name)
def test_every_symbol_of_a_post_is_on_the_notation_page(post: Path):
    defined = defined_symbols(NOTATION)
    undefined = {symbol: uses for symbol, uses in page_symbols(post).items() if symbol not in defined}
    assert not undefined, (
        f"{post.name} uses symbols that docs/notation.md does not define; add a row there, "
        "or use the symbol the page already gives that thing:\n"
        + "\n".join(f"  {symbol}: in ${uses[0]}$" for symbol, uses in sorted(undefined.items()))
    )


@pytest.mark.parametrize("post", [*POSTS, NOTATION], ids=lambda path: path.name)
def test_no_page_gives_a_symbol_a_second_meaning(post: Path):
    found = clashes_of(post.read_text(encoding="utf-8"))
    assert not found, f"{post.name} gives symbols a second meaning:\n" + "\n".join(
        f"  ${expression}$ uses {clash.symbol} for {clash.other}; "
        f"the notation page writes that {clash.instead}"
        for clash, expression in found
    )


@pytest.mark.parametrize("clash", CLASHES, ids=lambda clash: f"{clash.symbol}-as-{clash.instead}")
def test_each_tracked_clash_is_caught_and_names_defined_symbols(clash):
    assert clash.pattern.search(clash.example), f"the pattern misses its own example {clash.example!r}"
    assert clashes_of(f"Once: ${clash.example}$.") != []
    defined = defined_symbols(NOTATION)
    assert {clash.symbol, clash.instead} <= defined, "both symbols belong on the notation page"


def test_the_right_symbols_raise_no_clash():
    right = (
        r"$g = \partial L / \partial z$, $z_{n,o,i,j} = b_o$, $\partial L / \partial \hat y_{ik}$, "
        r"$\frac{r_{ij} \, x_{ij}}{1 - q}$, $(H + 2p - k)/s + 1$, $k - 1 - p$, "
        r"$(1 - \eta\lambda)^N w_0$, $G = F F^\top / M$, $y = m x + c$, $\sum_{m=1}^{M} F_{c,m}$"
    )
    assert clashes_of(right) == []


def test_each_row_of_the_notation_page_gives_one_meaning():
    """A row that says "in the X post, it means ..." records a clash instead of removing it."""
    rows = [line for line in NOTATION.read_text(encoding="utf-8").splitlines() if line.startswith("| $")]
    second = [row for row in rows if re.search(r"\b[Ii]n the [\w -]+ post\b", row)]
    assert not second, "rows with a second meaning:\n" + "\n".join(second)


@pytest.mark.parametrize("post", POSTS, ids=lambda path: path.name)
def test_every_post_links_to_the_notation_page(post: Path):
    assert "notation.md" in post.read_text(encoding="utf-8"), (
        f"{post.name} does not link to the notation page"
    )


def test_each_symbol_has_one_row():
    rows = [
        line.strip().strip("|").split("|")[0]
        for line in NOTATION.read_text(encoding="utf-8").splitlines()
        if line.lstrip().startswith("| $")
    ]
    seen: dict[str, str] = {}
    for cell in rows:
        for expression in math_of(cell):
            for symbol in symbols_of(expression):
                assert symbol not in seen, f"{symbol} is defined twice: in {seen[symbol]!r} and {cell!r}"
                seen[symbol] = cell
    assert {"\\eta", "L", "n", "m", "W", "\\hat y"} <= set(seen)


def test_the_notation_page_is_in_the_navigation():
    assert "notation.md" in (ROOT / "mkdocs.yml").read_text(encoding="utf-8")


def test_symbols_are_letters_outside_scripts_and_names():
    assert symbols_of(r"W^{[l]} \leftarrow W^{[l]} - \eta \, dW^{[l]}") == {"W", "\\eta", "d"}
    assert symbols_of(r"\hat{y}_{ik} = \frac{e^{z_{ik}}}{\sum_{j} e^{z_{ij}}}") == {"\\hat y", "e", "z"}
    assert symbols_of(r"\tilde x_{n,c,\,si+u} + \mathrm{ReLU}(z) + \text{acc}") == {"\\tilde x", "z"}
    assert symbols_of(r"\mathcal{F}(x) + x") == {"\\mathcal F", "x"}
    assert symbols_of(r"\begin{aligned} Z &= A W \end{aligned}") == {"Z", "A", "W"}


def test_an_undefined_symbol_is_caught(tmp_path):
    page = tmp_path / "post.md"
    page.write_text("The step size $\\alpha$ and the batch size $m$.\n\n```python\nprice = '$5'\n```\n")
    used = set(page_symbols(page))
    assert used == {"\\alpha", "m"}
    learning_rate_row = tmp_path / "notation.md"
    learning_rate_row.write_text("| $\\eta$ | learning rate |\n| $m$ | slope |\n")
    assert used - defined_symbols(learning_rate_row) == {"\\alpha"}

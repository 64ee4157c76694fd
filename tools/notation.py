"""The symbols of the posts' mathematics, for the test that the notation page defines them.

A *tracked* symbol is a letter or a Greek letter that stands for a thing: a Latin
letter outside subscripts (``W``, ``x``, ``\\eta``), or one with an accent
(``\\hat y``, ``\\tilde x``). Letters in a subscript are indices (``x_{n,c}``), and
so is a layer label (``W^{[l]}``); both are local to their formula. The symbols of an
exponent count (``e^{-z}``). Words set in ``\\text``, ``\\mathrm`` or
``\\operatorname`` are names, not symbols.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

MATH = re.compile(
    r"\$\$(?P<display>.+?)\$\$|\$(?P<inline>(?:[^$\n]|\n(?!\s*\n))+?)\$"
    r"|\\\((?P<paren>.+?)\\\)|\\\[(?P<bracket>.+?)\\\]",
    re.S,
)
_CODE = re.compile(
    r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,}).*?^(?P=indent)(?P=fence)[ \t]*$|`[^`\n]+`", re.S | re.M
)
GREEK = {
    "alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta", "theta",
    "iota", "kappa", "lambda", "mu", "nu", "xi", "pi", "rho", "sigma", "tau", "phi",
    "varphi", "chi", "psi", "omega", "Gamma", "Delta", "Theta", "Lambda", "Sigma", "Phi",
    "Psi", "Omega", "ell",
}  # fmt: skip
ACCENTS = ("hat", "tilde", "bar", "mathcal", "mathbb")
_BRACED = r"\{(?:[^{}]|\{(?:[^{}]|\{[^{}]*\})*\})*\}"  # braces nested up to three deep
_NAMES = re.compile(r"\\(?:text|mathrm|operatorname|mathit|textstyle|label|begin|end)\s*" + _BRACED)
_SUBSCRIPT = re.compile(r"_\s*(?:" + _BRACED + r"|\\[A-Za-z]+|.)")
# A superscript that labels (W^{[l]}, A^\top, x^2, W') is dropped; an exponent such as
# e^{-z} keeps its symbols.
_LABEL_SUPERSCRIPT = re.compile(
    r"\^\s*(?:\{\s*\[[^\]]*\]\s*\}|\{?\s*\\(?:top|ell)\s*\}?|\{[-+0-9\s]*\}|[0-9])"
)
_ACCENT = re.compile(r"\\(" + "|".join(ACCENTS) + r")\s*(?:\{\s*(\\?[A-Za-z]+)\s*\}|(\\[A-Za-z]+|[A-Za-z]))")
_TOKEN = re.compile(r"\\[A-Za-z]+|[A-Za-z]")


def math_of(text: str) -> list[str]:
    """Every math expression of a Markdown page, inline and display, in page order."""
    prose = _CODE.sub(" ", text)  # a dollar sign in code is not math
    return [next(group for group in match.groups() if group is not None) for match in MATH.finditer(prose)]


def symbols_of(expression: str) -> set[str]:
    """The tracked symbols of one TeX expression: ``{"W", "\\eta", "\\hat y"}``."""
    expression = _NAMES.sub(" ", expression)
    expression = _SUBSCRIPT.sub(" ", expression)
    expression = _LABEL_SUPERSCRIPT.sub(" ", expression).replace("^", " ")
    found = set()

    def accent(match: re.Match) -> str:
        found.add(f"\\{match.group(1)} {match.group(2) or match.group(3)}")
        return " "

    expression = _ACCENT.sub(accent, expression)
    for token in _TOKEN.findall(expression):
        if not token.startswith("\\") or token[1:] in GREEK:  # a letter, or a Greek one
            found.add(token)
    return found


def page_symbols(path: Path) -> dict[str, list[str]]:
    """{symbol: [expressions that use it]} for one Markdown page."""
    uses: dict[str, list[str]] = {}
    for expression in math_of(path.read_text(encoding="utf-8")):
        for symbol in symbols_of(expression):
            uses.setdefault(symbol, []).append(expression.strip())
    return uses


def defined_symbols(notation_page: Path) -> set[str]:
    """The symbols of the first column of every table row on the notation page."""
    defined = set()
    for line in notation_page.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.lstrip().startswith("|") and len(cells) > 1:
            for expression in math_of(cells[0]):
                defined |= symbols_of(expression)
    return defined


@dataclass(frozen=True)
class Clash:
    """A use of a symbol that would give it a second meaning.

    ``pattern`` finds, inside one math expression, the symbol used for ``other``,
    a thing the notation page writes ``instead``. ``example`` is a formula that
    once stood in a post with that clash; the tests check that the pattern finds it.
    """

    symbol: str
    pattern: re.Pattern
    other: str
    instead: str
    example: str


_FOUR_INDICES = r"_\s*\{[^{}]*,[^{}]*,[^{}]*,[^{}]*\}"  # _{n,o,i,j}: image, channel, position
CLASHES = (
    Clash(
        "y",
        re.compile(r"\\partial\s*y\b"),
        "a layer's output, which a gradient flows into (a label does not)",
        "z",
        r"G = \partial L / \partial y",
    ),
    Clash(
        "y",
        re.compile(r"(?<![\\A-Za-z])y" + _FOUR_INDICES),
        "a convolution's output map, indexed by image, channel and position",
        "z",
        r"y_{n,o,i,j} = b_o + \sum_{c} W_{o,c,u,v} \, \tilde x_{n,c,\,si+u,\,sj+v}",
    ),
    Clash(
        "G",
        re.compile(r"(?<![\\A-Za-z])G\s*=\s*\\(?:partial|frac)|(?<![\\A-Za-z])G" + _FOUR_INDICES),
        "the gradient that arrives from above",
        "g",
        r"\frac{\partial L}{\partial b_o} = \sum_{n,i,j} G_{n,o,i,j}",
    ),
    Clash(
        "m",
        re.compile(
            r"(?<![\\A-Za-z])m_\s*(?:\{\s*[a-z]\s*,?\s*[a-z]\s*\}|[a-z])|\\odot\s*m\b|\\mathbb\{E\}_\s*m\b"
        ),
        "a dropout mask",
        "r",
        r"\text{out}_{ij} = \frac{m_{ij} \, x_{ij}}{1 - p}",
    ),
    Clash(
        "p",
        re.compile(r"(?:^|[({=/])\s*1\s*-\s*p\b|\\frac\{p\}|(?<![\\A-Za-z])p\s*\(1\s*-"),
        "the probability that dropout drops a value",
        "q",
        r"\mathbb{E}[m_{ij}] = 1 - p",
    ),
    Clash(
        "k",
        re.compile(r"\)\s*\^\s*(?:k\b|\{\s*k\s*\})|(?<![\\A-Za-z{,])k\s*\\geq?\b"),
        "a number of gradient-descent steps",
        "N",
        r"(1 - \eta\lambda)^k w_0",
    ),
)


def clashes_of(text: str) -> list[tuple[Clash, str]]:
    """(clash, expression) for every math expression of a page that gives a symbol a second meaning."""
    found = []
    for expression in math_of(text):
        for clash in CLASHES:
            if clash.pattern.search(expression):
                found.append((clash, expression.strip()))
    return found

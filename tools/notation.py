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

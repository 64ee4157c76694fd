"""The definition blocks of docs/: each one, copied alone, must run in a fresh Python.

A definition block is a python fence that defines a function or a class at its top
level, with its embeds expanded as the build expands them. A reader who copies it into
a file of their own gets every name it uses: imported or defined in the block itself.
Only ``np`` (``import numpy as np``) may be taken as given. Blocks that merely *use*
definitions may rely on the page's earlier blocks, like notebook cells.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import cache

from pyflakes import checker, messages

from tools.docs_sybil import DOCS, PYTHON_LANGUAGES, expand_snippets
from tools.fences import find_fences
from tools.mkdocs_config import ROOT

GIVEN = frozenset({"np"})  # import numpy as np: every reader has it

# The autograd engine: ``Tensor``'s operators call the operations, and every operation
# builds a ``Tensor``. Each needs the others, so they run only together, in page order;
# importing the rest from snippets.autograd would swap the page's Tensor for the package's,
# and the page's examples would no longer run the code it shows.
ENGINE = (
    "the autograd engine's Tensor and its operations call each other, so they run "
    "together: copy all of them, in page order"
)
# (page, first name the block defines) -> why that block cannot run alone.
EXEMPT = {
    ("docs/blog/posts/why-frameworks.md", name): ENGINE
    for name in (
        "Tensor",
        "operands",
        "sub",
        "matmul",
        "tensor_exp",
        "normalize_axes",
        "log_softmax",
        "MLP",
    )
}


@dataclass(frozen=True)
class Block:
    page: str  # relative to the repository root
    line: int  # of the opening fence
    source: str  # embeds expanded
    defines: tuple[str, ...]  # top-level functions and classes, in order

    @property
    def place(self) -> str:
        return f"{self.page}:{self.line}"

    @property
    def exemption(self) -> str | None:
        return EXEMPT.get((self.page, self.defines[0]))


@cache
def definition_blocks() -> tuple[Block, ...]:
    """Every python fence of docs/ that defines a function or a class, in page order."""
    blocks = []
    for path in sorted(DOCS.rglob("*.md")):
        for fence in find_fences(path.read_text(encoding="utf-8")):
            if fence.language not in PYTHON_LANGUAGES or fence.source.lstrip().startswith(">>>"):
                continue
            source = expand_snippets(fence.source)
            tree = ast.parse(source)
            defines = tuple(
                node.name for node in tree.body if isinstance(node, ast.FunctionDef | ast.ClassDef)
            )
            if defines:
                page = str(path.relative_to(ROOT))
                blocks.append(Block(page, fence.line, source, defines))
    return tuple(blocks)


def undefined_names(source: str) -> list[str]:
    """Names the code uses but neither imports nor defines (pyflakes), ``np`` aside."""
    found = checker.Checker(ast.parse(source), builtins=set(GIVEN)).messages
    return sorted({m.message_args[0] for m in found if isinstance(m, messages.UndefinedName)})

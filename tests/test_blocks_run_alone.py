"""A definition block runs alone: copied into a fresh Python, it defines what it shows.

For every python fence of docs/ that defines a function or a class (embeds expanded):
first a static check that every name it uses is imported or defined in the block
itself (``np`` aside), then an exec of the block alone in a fresh namespace. A block
may be exempt only with a written reason (tools/standalone_blocks.py), which pytest's
summary prints for each exempt block.
"""

import numpy as np
import pytest

from snippets import figures
from tools.standalone_blocks import EXEMPT, definition_blocks, undefined_names

BLOCKS = definition_blocks()


@pytest.mark.parametrize("block", BLOCKS, ids=[block.place for block in BLOCKS])
def test_definition_block_runs_alone(block, monkeypatch):
    if block.exemption:
        pytest.skip(f"{block.place} ({', '.join(block.defines)}) does not run alone: {block.exemption}")
    missing = undefined_names(block.source)
    assert not missing, (
        f"{block.place}: the block defining {', '.join(block.defines)} uses "
        f"{', '.join(missing)}, which it neither imports nor defines: add the import to the fence"
    )
    # A block may register a figure (docs/contributing.md shows how): keep that here.
    monkeypatch.setattr(figures, "FIGURES", {})
    monkeypatch.setattr(figures, "MEASURED", set())
    namespace = {"np": np, "__name__": "copied_block"}
    try:
        exec(compile(block.source, block.place, "exec"), namespace)
    except Exception as error:
        pytest.fail(f"{block.place}: the block fails when run alone: {type(error).__name__}: {error}")
    for name in block.defines:
        assert name in namespace, f"{block.place}: running the block alone did not define {name}"


def test_every_exemption_names_a_block_on_its_page():
    known = {(block.page, block.defines[0]) for block in BLOCKS}
    stale = sorted(set(EXEMPT) - known)
    assert not stale, f"exemptions that match no definition block: {stale}"


def test_every_exemption_says_why():
    assert all(len(reason.split()) >= 5 for reason in EXEMPT.values())


def test_the_static_check_finds_a_missing_import():
    block = "def f(x):\n    return as_float_array(x) + np.ones(1)\n"
    assert undefined_names(block) == ["as_float_array"]
    assert undefined_names("from snippets.checks import as_float_array\n" + block) == []

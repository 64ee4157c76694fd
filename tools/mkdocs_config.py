"""Read mkdocs.yml without running MkDocs: the tests use the site's own settings."""

from __future__ import annotations

import importlib.util
import sys
from functools import cache
from pathlib import Path
from types import ModuleType

import yaml

ROOT = Path(__file__).resolve().parent.parent
MKDOCS_YML = ROOT / "mkdocs.yml"


class _TolerantLoader(yaml.SafeLoader):
    """SafeLoader that reads ``!ENV`` and ``!!python/name:`` tags as plain values."""


def _plain(loader, suffix, node):
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_scalar(node)


_TolerantLoader.add_multi_constructor("!", _plain)
_TolerantLoader.add_multi_constructor("tag:yaml.org,2002:python/", _plain)


@cache
def load() -> dict:
    return yaml.load(MKDOCS_YML.read_text(encoding="utf-8"), Loader=_TolerantLoader)


def markdown_extension_config(name: str) -> dict:
    """The options mkdocs.yml gives the Markdown extension ``name`` ({} if it has none)."""
    for entry in load()["markdown_extensions"]:
        if entry == name:
            return {}
        if isinstance(entry, dict) and name in entry:
            return dict(entry[name] or {})
    raise KeyError(f"mkdocs.yml does not enable the Markdown extension {name!r}")


@cache
def load_hook(name: str) -> ModuleType:
    """hooks/<name>.py loaded as MkDocs loads a hook: its folder on sys.path while it loads,
    so that it can import its sibling modules (build_cache, page_cache)."""
    path = ROOT / "hooks" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"hook_{name}", path)
    module = importlib.util.module_from_spec(spec)
    saved = sys.path.copy()
    sys.path.insert(0, str(path.parent))
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path[:] = saved
    return module

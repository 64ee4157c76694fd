"""A content-addressed cache for what a build computes from a page's HTML.

Three steps of a build read a rendered page and nothing else: the MathML of its formulas
(hooks/math.py), its sections for the search index and its reading time (both by
Material's plugins, hooks/page_steps.py). Together they were about a third of a warm
build's 4.7 s. Each result is kept in ``.cache/pages/`` under the SHA-256 of everything it
depends on: the step, the inputs the step reads (the page's HTML first), and the version of
the code that does the step. An edited page gives new keys and is computed as before, so
a result is never stale and nothing is invalidated by hand.

A page's new result replaces its old one for the same step. A full build also deletes
the entries it did not use (:func:`prune`), such as those of a page that is gone; a
``mkdocs serve --dirty`` rebuild renders only the edited page, so it prunes nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FORMAT = "1"  # bump when the layout of an entry changes

_used: set[Path] = set()  # the entries this build read or wrote


def cache_dir(root: Path = ROOT) -> Path:
    return root / ".cache" / "pages"


def project_root(config) -> Path:
    """The folder of the mkdocs.yml being built: its cache is the one to use."""
    return Path(config.config_file_path).resolve().parent


def key(step: str, parts: Iterable[str | bytes]) -> str:
    """SHA-256 of the step and its inputs, each length-prefixed so that no two lists collide."""
    digest = hashlib.sha256()
    for part in (FORMAT, step, *parts):
        data = part.encode() if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "little") + data)
    return digest.hexdigest()


def cached(step: str, page: str, parts: Iterable[str | bytes], compute: Callable[[], Any], root: Path) -> Any:
    """``compute()``'s result (JSON), from the cache when ``step`` has seen ``parts`` before.

    ``page`` names the page the result is for (its source path): a new result for a page
    replaces its old one, so that a long ``mkdocs serve --dirty`` session, which never
    prunes, keeps one entry per page and step. An entry that cannot be read (cut short,
    edited by hand) is computed again.
    """
    prefix = f"{step}-{hashlib.sha256(page.encode()).hexdigest()[:12]}-"
    path = cache_dir(root) / f"{prefix}{key(step, parts)[:40]}.json"
    _used.add(path)
    try:
        return json.loads(path.read_text(encoding="utf-8"))["value"]
    except (OSError, ValueError, KeyError, TypeError):
        pass
    value = compute()
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written beside the entry, then renamed: a build killed half-way, or a second build at
    # the same time, never leaves a half-written entry behind.
    partial = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}")
    partial.write_text(json.dumps({"step": step, "value": value}), encoding="utf-8")
    os.replace(partial, path)
    for older in path.parent.glob(f"{prefix}*.json"):
        if older != path:
            older.unlink(missing_ok=True)
    return value


def forget_use() -> None:
    """Start a new build: no entry used yet."""
    _used.clear()


def prune(root: Path = ROOT) -> int:
    """Delete the entries this build did not use; returns how many went."""
    folder = cache_dir(root)
    if not folder.is_dir():
        return 0
    removed = 0
    for entry in folder.iterdir():
        if entry not in _used and not entry.name.startswith("."):
            entry.unlink(missing_ok=True)
            removed += 1
    return removed

"""MkDocs hook: render every figure of ``snippets.figures`` into the site as SVG.

The SVGs are generated files (``figures/<name>.svg``): they exist only in the built
site, never in docs/, so a figure cannot drift from its code and ``mkdocs serve`` does
not rebuild on its own output. Links to them are checked like any other link.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

SNIPPETS = Path(__file__).resolve().parent.parent / "snippets"

# One render per version of snippets/: a live reload after a docs edit stays fast.
_cache: dict[str, dict[str, bytes]] = {}


def _source_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted(SNIPPETS.rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def render_all() -> dict[str, bytes]:
    """{name: svg bytes}. A fresh process imports the current snippets/ even under serve."""
    key = _source_digest()
    if key not in _cache:
        with tempfile.TemporaryDirectory() as out:
            done = subprocess.run(
                [sys.executable, "-m", "snippets.figures", out],
                capture_output=True,
                text=True,
                cwd=SNIPPETS.parent,
            )
            if done.returncode != 0:
                raise PluginError(f"rendering figures failed:\n{done.stderr}")
            _cache.clear()
            _cache[key] = {p.stem: p.read_bytes() for p in sorted(Path(out).glob("*.svg"))}
    return _cache[key]


def on_files(files, config):
    for name, svg in render_all().items():
        files.append(File.generated(config, f"figures/{name}.svg", content=svg))
    return files

"""MkDocs hook: run what the build executes, figures and notebooks, once per version of the code.

- Figures: each module of ``snippets/figures`` renders its figures to SVG in a process of
  its own (``python -m snippets.figures OUT MODULE``). The SVGs become generated files,
  ``figures/<name>.svg``: they exist only in the built site, never in docs/, so a figure
  cannot drift from its code, and links to them are checked like any other link.
- Notebooks: each ``docs/notebooks/*.py`` runs top to bottom in a fresh kernel
  (tools/run_notebook.py). mkdocs-jupyter then renders the executed copy without running
  it again (``execute: false`` in mkdocs.yml).

Outputs are cached on disk by the content hash of everything they depend on
(hooks/build_cache.py), and what misses the cache runs in parallel, one job per core.
A rebuild after a post edit runs nothing; after a ``snippets/`` edit, everything again.
"""

from __future__ import annotations

import json
from pathlib import Path

import build_cache  # hooks/build_cache.py: MkDocs puts a hook's folder on sys.path while loading it
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File

_used: dict[str, list[Path]] = {}


def is_notebook(file: File) -> bool:
    return file.src_uri.startswith("notebooks/") and file.src_uri.endswith(".py")


def figure_modules(root: Path) -> list[str]:
    folder = root / "snippets" / "figures"
    return sorted(path.stem for path in folder.glob("*.py") if not path.stem.startswith("_"))


def render_every_page_after_a_code_change(files, config, root: Path) -> None:
    """Under ``mkdocs serve --dirty`` only edited pages are rendered again. A change under
    snippets/ changes what every page embeds: then every page is rendered again."""
    record = build_cache.cache_dir(root) / "pages-built-with.json"
    built_with = json.loads(record.read_text()) if record.is_file() else {}
    digest = build_cache.environment_digest(root)
    if built_with.get(config.site_dir, digest) != digest:
        for file in files.documentation_pages():
            Path(file.abs_dest_path).unlink(missing_ok=True)  # so that MkDocs sees it as modified
    built_with[config.site_dir] = digest
    record.parent.mkdir(parents=True, exist_ok=True)
    record.write_text(json.dumps(built_with, indent=1))


@event_priority(-50)  # after mkdocs-jupyter wraps the notebook files: set the path on its wrapper
def on_files(files, config):
    root = Path(config.config_file_path).resolve().parent
    render_every_page_after_a_code_change(files, config, root)
    notebooks = [file for file in files if is_notebook(file)]
    figures = [build_cache.figure_job(module) for module in figure_modules(root)]
    notebook_jobs = [build_cache.notebook_job(Path(file.abs_src_path), root) for file in notebooks]
    try:
        folders = build_cache.outputs(figures + notebook_jobs, root=root)
    except build_cache.JobFailed as failure:
        raise PluginError(f"a figure or notebook failed:\n{failure}") from None

    _used.clear()
    _used["figures"] = [folders[job] for job in figures]
    _used["notebooks"] = [folders[job] for job in notebook_jobs]
    for job in figures:
        for svg in sorted(folders[job].glob("*.svg")):
            files.append(File.generated(config, f"figures/{svg.name}", abs_src_path=str(svg)))
    for file, job in zip(notebooks, notebook_jobs, strict=True):
        file.abs_src_path = str(build_cache.executed_notebook(folders[job], Path(file.src_uri)))
    return files


def on_post_build(config):
    root = Path(config.config_file_path).resolve().parent
    for kind, keep in _used.items():
        build_cache.prune(kind, keep, root=root)
    build_cache.prune_stale(root)  # what the tests cached for older code, too

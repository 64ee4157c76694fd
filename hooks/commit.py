"""MkDocs hook: every page says which commit of the repository it was built from.

The footer (overrides/partials/copyright.html) and the first cell of every downloaded
notebook show the commit; with a known repository (GitHub Actions sets GITHUB_SERVER_URL
and GITHUB_REPOSITORY; elsewhere ``repo_url`` in mkdocs.yml) it links to the source
at that commit. A local build with uncommitted changes says so.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def build_commit(root: Path, repo_url: str | None = None) -> dict:
    """{"sha", "short", "dirty", "url"} of the checkout at ``root``; sha None outside git."""
    sha = os.environ.get("GITHUB_SHA") or _git(root, "rev-parse", "HEAD")
    dirty = bool(_git(root, "status", "--porcelain", "--untracked-files=no")) if sha else False
    server, repository = os.environ.get("GITHUB_SERVER_URL"), os.environ.get("GITHUB_REPOSITORY")
    repo = f"{server}/{repository}" if server and repository else (repo_url or "").rstrip("/")
    return {
        "sha": sha,
        "short": sha[:7] if sha else None,
        "dirty": dirty,
        "url": f"{repo}/tree/{sha}" if repo and sha else None,
    }


def on_config(config):
    root = Path(config.config_file_path).resolve().parent
    config.extra["build"] = build_commit(root, config.repo_url)
    return config

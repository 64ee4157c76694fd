"""hooks/excerpts.py gives the blog views the same excerpts as Material's own rendering."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import yaml

from tools.mkdocs_config import ROOT

POST = """---
date:
  created: 2026-0{month}-01
---

# Post {month}

An excerpt with `code`, a [link](#later), maths $x^2$ and a footnote.[^1]

```python
print("highlighted")
```

<!-- more -->

## Later

The rest of the post.

[^1]: A footnote.
"""


def build_blog(root, with_hook: bool) -> str:
    """Build a two-post blog with the site's Markdown settings; return the index's posts."""
    (root / "docs" / "blog" / "posts").mkdir(parents=True, exist_ok=True)
    (root / "docs" / "index.md").write_text("# Home\n")
    (root / "docs" / "blog" / "index.md").write_text("# Blog\n")
    for month in (1, 2):
        (root / "docs" / "blog" / "posts" / f"post-{month}.md").write_text(POST.format(month=month))
    site = yaml.safe_load(
        re.sub(r"!ENV \[[^\]]*\]", "x", (ROOT / "mkdocs.yml").read_text()).replace("!!python/name:", "")
    )
    config = {
        "site_name": "t",
        "site_url": "http://127.0.0.1:8000/",
        "theme": {"name": "material"},
        "plugins": [{"blog": {"post_excerpt": "required", "archive": True}}],
        "markdown_extensions": site["markdown_extensions"],
        "hooks": [str(ROOT / "hooks" / "excerpts.py")] if with_hook else [],
    }
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config))
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-d", "site"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    pages = [
        root / "site" / "blog" / "index.html",
        root / "site" / "blog" / "archive" / "2026" / "index.html",
    ]
    return "\n".join(
        re.findall(r'<article class="md-post.*?</article>', p.read_text(), re.S)[0] for p in pages
    )


def test_excerpts_match_materials_own_rendering(tmp_path):
    ours = build_blog(tmp_path / "ours", with_hook=True)
    materials = build_blog(tmp_path / "material", with_hook=False)
    assert "Continue reading" in ours
    assert "highlighted" in ours
    assert ours == materials

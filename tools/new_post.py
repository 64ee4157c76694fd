"""Scaffold a new dated blog post: ``python -m tools.new_post "Post title"``."""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path

from tools.mkdocs_config import ROOT

POSTS = ROOT / "docs" / "blog" / "posts"

TEMPLATE = """\
---
date:
  created: {date}
authors:
  - deep-python
categories:
  - Draft
tags: []
slug: {slug}
description: One sentence that tells a reader what they will be able to do after this post.
draft: true
---

# {title}

Two or three sentences: what the reader will build, and why it matters.

<!-- more -->

## The idea

Explain one idea per section, in short sentences.

## The code

Put the code in `snippets/` between section markers, then embed it:

```python
import numpy as np

print(np.arange(3))
```

## What to read next

Link to the next post of the learning path.
"""


def slugify(title: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    if not slug:
        raise ValueError(f"cannot make a file name from the title {title!r}")
    return slug


def create_post(title: str, today: dt.date, posts: Path = POSTS) -> Path:
    """Write the template for ``title``; refuse to overwrite an existing post."""
    slug = slugify(title)
    path = posts / f"{slug}.md"
    if path.exists():
        raise FileExistsError(f"{path.relative_to(posts.parent.parent.parent)} already exists")
    path.write_text(TEMPLATE.format(date=today.isoformat(), slug=slug, title=title.strip()), encoding="utf-8")
    return path


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not argv[0].strip():
        print('usage: make post TITLE="My post title"', file=sys.stderr)
        return 2
    try:
        path = create_post(argv[0], dt.date.today())
    except (ValueError, FileExistsError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"created {path.relative_to(ROOT)} (draft: set draft: false to publish)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

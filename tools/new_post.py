"""Scaffold a new dated blog post: ``python -m tools.new_post "Post title"``."""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path

from tools.mkdocs_config import ROOT

POSTS = ROOT / "docs" / "blog" / "posts"
SNIPPETS = ROOT / "snippets"

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

Explain one idea per section, in short sentences. Maths goes between dollar signs:
the mean squared error is $\\frac{{1}}{{n}}\\sum_{{i=1}}^{{n}} (\\hat y_i - y_i)^2$.

## The code

The code lives in `snippets/{module}.py`, between section markers. The build and the
tests put the section in place of the `--8<--` line:

```python
--8<-- "snippets/{module}.py:mean_squared_error"
```

Then use it, as a reader would:

```pycon
>>> import numpy as np
>>> mean_squared_error(np.array([1.0, 2.0]), np.array([1.0, 4.0]))
np.float64(2.0)
```

## Summary

- Five to eight bullets: what the reader can now do, one idea each.

## Exercises

Check your own code against the reference: register each code exercise in a module
of `snippets/exercises/` (see the contributing guide), and tell the reader its
command, `python -m snippets.exercises check <post>-<number> my_answer.py`.

1. **A derivation.** Show that the gradient of the mean squared error with respect to
   $\\hat y_i$ is $\\frac{{2}}{{n}}(\\hat y_i - y_i)$.

    ??? success "Solution"

        Differentiate each term of the sum: only the $i$-th depends on $\\hat y_i$. A
        numerical check:

        ```python
        import numpy as np

        y_hat, y = np.array([1.0, 2.0]), np.array([1.0, 4.0])
        eps = 1e-6
        bumped = y_hat + np.array([0.0, eps])
        numeric = (mean_squared_error(bumped, y) - mean_squared_error(y_hat, y)) / eps
        assert np.isclose(numeric, 2 / 2 * (y_hat[1] - y[1]), atol=1e-4)
        ```

## What to read next

Link to the next post of the learning path.
"""

# A shown section imports what it uses, so that a reader can paste it alone.
MODULE_TEMPLATE = '''"""The code of the post "{title}"."""

from __future__ import annotations

# --8<-- [start:mean_squared_error]
import numpy as np


def mean_squared_error(y_hat: np.ndarray, y: np.ndarray) -> float:
    """Mean of the squared differences; y_hat, y: (n,)."""
    return np.mean((y_hat - y) ** 2)


# --8<-- [end:mean_squared_error]

__all__ = ["mean_squared_error"]
'''


def slugify(title: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    if not slug:
        raise ValueError(f"cannot make a file name from the title {title!r}")
    return slug


def create_post(title: str, today: dt.date, posts: Path = POSTS, snippets: Path = SNIPPETS) -> Path:
    """Write the post and its snippets module for ``title``; never overwrite either."""
    slug = slugify(title)
    module = slug.replace("-", "_")
    path, code = posts / f"{slug}.md", snippets / f"{module}.py"
    for existing in (path, code):
        if existing.exists():
            raise FileExistsError(f"{existing} already exists")
    code.write_text(MODULE_TEMPLATE.format(title=title.strip()), encoding="utf-8")
    post = TEMPLATE.format(date=today.isoformat(), slug=slug, title=title.strip(), module=module)
    path.write_text(post, encoding="utf-8")
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
    module = path.stem.replace("-", "_")
    print(f"created {path.relative_to(ROOT)} and snippets/{module}.py (draft: set draft: false to publish)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

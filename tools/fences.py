"""Find the fenced code blocks of a Markdown page, nesting respected.

A fence opened inside another fence is content, not a block: a ````markdown example
that shows a python fence does not run it. Fences indented under an admonition
(``!!! note``) or a content tab (``=== "Tab"``) are found, their indentation removed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

OPENING = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^`\n]*?)[ \t]*$")
CLOSING = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*$")


@dataclass(frozen=True)
class Fence:
    start: int  # offset of the opening fence line in the page text
    end: int  # offset just after the closing fence line
    content_start: int  # offset of the first content line
    line: int  # 1-based line number of the opening fence
    language: str  # first word of the info string ("" if none)
    info: str  # the whole info string
    source: str  # the content, with the fence's indentation removed


def _dedent(line: str, indent: str) -> str:
    return line[len(indent) :] if line.startswith(indent) else line.lstrip(" \t")


def find_fences(text: str) -> list[Fence]:
    lines = text.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    fences, i = [], 0
    while i < len(lines):
        opening = OPENING.match(lines[i].rstrip("\r\n"))
        if not opening:
            i += 1
            continue
        indent, marker = opening["indent"], opening["fence"]
        j = i + 1
        while j < len(lines):
            closing = CLOSING.match(lines[j].rstrip("\r\n"))
            if (
                closing
                and closing["indent"] == indent
                and closing["fence"][0] == marker[0]
                and len(closing["fence"]) >= len(marker)
            ):
                break
            j += 1
        info = opening["info"].strip()
        fences.append(
            Fence(
                start=offsets[i],
                end=offsets[min(j + 1, len(lines))],
                content_start=offsets[i + 1],
                line=i + 1,
                language=info.split()[0] if info else "",
                info=info,
                source="".join(_dedent(line, indent) for line in lines[i + 1 : j]),
            )
        )
        i = j + 1
    return fences

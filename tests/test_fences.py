"""The fence scanner that decides which blocks of a page run."""

from tools.fences import find_fences

PAGE = """\
Intro.

```python
a = 1
```

!!! note

    ```py title="inside.py"
    b = 2
    ```

````markdown
```python
this is an example of a fence, not code
```
````

=== "Tab"

    ```pycon
    >>> 1 + 1
    2
    ```
"""


def test_languages_and_lines_in_page_order():
    fences = find_fences(PAGE)
    assert [(f.line, f.language) for f in fences] == [
        (3, "python"),
        (9, "py"),
        (13, "markdown"),
        (21, "pycon"),
    ]


def test_a_fence_inside_another_fence_is_content():
    outer = find_fences(PAGE)[2]
    assert outer.source.startswith("```python\nthis is an example")


def test_indentation_of_nested_fences_is_removed():
    inside = find_fences(PAGE)[1]
    assert inside.source == "b = 2\n"
    assert inside.info == 'py title="inside.py"'


def test_offsets_point_at_the_opening_fence():
    for fence in find_fences(PAGE):
        assert PAGE[fence.start :].lstrip(" ").startswith(("```", "````"))
        assert PAGE.count("\n", 0, fence.start) + 1 == fence.line


def test_unclosed_fence_runs_to_the_end():
    fences = find_fences("```python\nx = 1\n")
    assert len(fences) == 1
    assert fences[0].source == "x = 1\n"

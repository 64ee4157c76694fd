"""The browser suite's split in two halves and its order (tests/browser/conftest.py), on
stand-ins for collected tests: no browser needed."""

from dataclasses import dataclass, field

import pytest

from tests.browser.conftest import order_by_page_and_look, page_read, split_in_two


@dataclass
class Params:
    params: dict


@dataclass
class FakeItem:
    name: str
    params: dict = field(default_factory=dict)
    page_marker: str | None = None
    nodeid: str = ""

    def __post_init__(self):
        self.callspec = Params(self.params)
        self.nodeid = self.nodeid or f"tests/browser/test_x.py::{self.name}"

    def get_closest_marker(self, name):
        if name == "reads_page" and self.page_marker is not None:
            return pytest.mark.reads_page(self.page_marker).mark
        return None


@dataclass
class FakePost:
    url: str


def suite() -> list[FakeItem]:
    pages = ["", "blog/a/", "blog/b/", "notation/", "reference/"]
    items = []
    for page in pages:
        items += [
            FakeItem(f"test_loads[{page}]", {"page_path": page}),
            FakeItem(f"test_no_scroll_on_a_phone[{page}]", {"page_path": page}),
            FakeItem(f"test_contrast_in_dark_mode[{page}]", {"code_page": page}),
            FakeItem(f"test_screenshot[{page}-light]", {"path": page, "scheme": "light"}),
        ]
    items.append(FakeItem("test_weight[a]", {"post": FakePost("blog/a/")}))
    items.append(FakeItem("test_gallery", page_marker="notation/"))
    items.append(FakeItem("test_search_opens_its_own_page"))
    return items


def test_a_test_reads_the_page_its_parameter_or_marker_names():
    assert page_read(FakeItem("t", {"page_path": "blog/"})) == "blog/"
    assert page_read(FakeItem("t", {"post": FakePost("blog/a/")})) == "blog/a/"
    assert page_read(FakeItem("t", page_marker="")) == ""
    assert page_read(FakeItem("t", {"query": "x"})) is None


def test_every_page_and_its_tests_share_one_half_and_both_halves_work():
    items = suite()
    halves = split_in_two(items)
    half_of_page = {}
    for index, item in enumerate(items):
        page = page_read(item)
        assert half_of_page.setdefault(page, halves[index]) == halves[index], page
    counts = [list(halves.values()).count(half) for half in (0, 1)]
    assert min(counts) >= len(items) // 3, counts


def test_each_pages_tests_come_together_light_desktop_first_dark_last():
    items = suite()
    order_by_page_and_look(items)
    pages = [page_read(item) or "" for item in items]
    # each page's tests form one run
    runs = [page for index, page in enumerate(pages) if index == 0 or pages[index - 1] != page]
    assert len(runs) == len(set(pages))
    for page in set(pages) - {""}:
        names = [item.name for item in items if page_read(item) == page]
        assert "dark" in names[-1], names
        assert "phone" not in names[0], names
        assert "dark" not in names[0], names

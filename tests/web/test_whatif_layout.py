"""The what-if page shows before and after side by side (issue 15): one row container, two columns, a chart each."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from importlib import resources

import pytest

from .conftest import DATE

pytestmark = pytest.mark.data


class _Children(HTMLParser):
    """The ids of the direct element children of the element with id ``parent``, and ids inside each."""

    VOID = {"br", "img", "input", "meta", "link", "hr", "source", "wbr", "col", "area", "base", "embed", "track"}

    def __init__(self, parent: str) -> None:
        super().__init__()
        self.parent = parent
        self.stack: list[str | None] = []
        self.depth_of_parent: int | None = None
        self.children: list[str | None] = []
        self.inside: dict[str | None, list[str]] = {}
        self.parent_class = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.VOID:
            return
        found = dict(attrs)
        ident = found.get("id")
        if ident == self.parent:
            self.depth_of_parent = len(self.stack)
            self.parent_class = found.get("class") or ""
        elif self.depth_of_parent is not None and len(self.stack) == self.depth_of_parent + 1:
            self.children.append(ident)
            self.inside[ident] = []
        elif self.depth_of_parent is not None and len(self.stack) > self.depth_of_parent + 1 and ident:
            self.inside[self.children[-1]].append(ident)
        self.stack.append(ident)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID or not self.stack:
            return
        self.stack.pop()
        if self.depth_of_parent is not None and len(self.stack) == self.depth_of_parent:
            self.depth_of_parent = -10  # the parent closed: nothing after it counts


def test_before_and_after_are_two_columns_of_one_row(client) -> None:
    assert client.get(f"/api/v1/whatif/LI?date={DATE}&without=8447").status_code == 200  # computed once, shared
    page = client.get(f"/whatif?cc=LI&date={DATE}&without=8447")
    assert page.status_code == 200
    parser = _Children("whatif-columns")
    parser.feed(page.text)
    assert "before-after" in parser.parent_class.split()
    assert parser.children == ["whatif-before-column", "whatif-after-column"]
    for side in ("before", "after"):
        inside = parser.inside[f"whatif-{side}-column"]
        assert f"chart-whatif-{side}" in inside and f"whatif-{side}" in inside
    # both charts on one scale (a bar's length means the same share on both sides): the same x-axis ticks
    charts = {side: re.search(rf'id="chart-whatif-{side}">(.*?)</figure>', page.text, re.S).group(1)
              for side in ("before", "after")}
    ticks = {side: re.findall(r">\s*(\d+(?:\.\d+)?)\s*</text>", svg) for side, svg in charts.items()}
    assert len(ticks["before"]) >= 3 and ticks["before"] == ticks["after"]


def test_the_two_columns_stack_only_below_700_px() -> None:
    css = resources.files("splinternet.report").joinpath("static", "style.css").read_text(encoding="utf-8")
    rule = re.search(r"\.before-after\s*\{([^}]*)\}", css)
    assert rule and "grid-template-columns: repeat(2" in rule.group(1)
    narrow = re.search(r"@media \(max-width: 700px\) \{\s*\.before-after \{([^}]*)\}", css)
    assert narrow and "repeat(2" not in narrow.group(1)

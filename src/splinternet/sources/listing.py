"""What a directory index page says of each file: its name and, where the page shows one, its size.

The size a server lists is the publisher's own statement of how big a release is, so a
download smaller than it was cut somewhere (at the source, on a mirror, in transit), even
when its content ends cleanly at a line end and nothing inside the file could tell.
Servers round that figure in their own way: Apache's mod_autoindex shows bytes below
973 (``123``), then one decimal below 10 units (``2.3K``), then whole units (``18M``), in
powers of 1024; nginx shows exact bytes (``1234``) or whole units; lighttpd one decimal. A
listed size is therefore a range of byte counts, exact only when the page gives bytes.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from urllib.parse import urljoin

__all__ = ["ListedSize", "ListingEntry", "parse_index"]

_UNITS = "KMGTPE"


@dataclass(frozen=True, slots=True)
class ListedSize:
    """A size as an index page shows it, and the byte counts that figure can stand for."""

    shown: str
    low: int
    high: int

    @classmethod
    def parse(cls, text: str) -> ListedSize | None:
        """``1234`` (bytes), ``2.3K``, ``18M`` ... in units of 1024; None for ``-`` or anything else."""
        text = text.strip()
        if re.fullmatch(r"\d{1,20}", text):
            return cls(text, int(text), int(text))
        match = re.fullmatch(r"(\d{1,6})(?:\.(\d{1,3}))?([KMGTPE])", text)
        if match is None:
            return None
        whole, decimals, unit = match.groups()
        scale = 10 ** len(decimals or "")
        steps = int(whole) * scale + int(decimals or 0)  # the figure in steps of its last digit
        unit_bytes = 1024 ** (_UNITS.index(unit) + 1)
        # one whole step of the last digit either side: covers rounding to nearest (Apache,
        # nginx) as well as rounding down or up, so only a file clearly off the figure fails
        low = max(0, (steps - 1) * unit_bytes // scale)
        high = -(-(steps + 1) * unit_bytes // scale)
        return cls(text, low, high)

    @property
    def exact(self) -> bool:
        return self.low == self.high

    def admits(self, size: int) -> bool:
        """False for a file clearly smaller than listed: a cut copy. A larger file cannot be a cut copy."""
        return size >= self.low

    def describe(self) -> str:
        if self.exact:
            return f"{self.low:,} bytes"
        return f"{self.shown} (at least {self.low:,} bytes)"


@dataclass(frozen=True, slots=True)
class ListingEntry:
    """One name in a directory listing, with its listed size when the page shows one."""

    name: str
    size: ListedSize | None = None


_HREF = re.compile(r"""href\s*=\s*["']([^"'?#]+)["']""", re.IGNORECASE)
_ANCHOR_END = re.compile(r"</a\s*>", re.IGNORECASE)
# where the columns of one entry end: the next entry's anchor, a table row, or a line of <pre>
_ROW_END = re.compile(r"<a\s|<tr[\s>]|</tr\s*>|\n", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
# the columns after a name: a date and time, then the size (Apache: 2022-03-15 10:12;
# nginx: 15-Mar-2022 10:12; lighttpd: 2022-Mar-15 10:12:00). Without a date before it, a
# figure is not taken for a size (a page of another layout must not fail good files).
_SIZE_COLUMN = re.compile(
    r"^\s*(?:\d{4}-\d{2}-\d{2}|\d{1,2}-[A-Za-z]{3}-\d{4}|\d{4}-[A-Za-z]{3}-\d{1,2})"
    r"\s+\d{1,2}:\d{2}(?::\d{2})?\s+(\S+)"
)


def _size_after(page: str, start: int) -> ListedSize | None:
    """The size column of the entry whose anchor opens before ``start``, if the page shows one."""
    close = _ANCHOR_END.search(page, start)
    if close is None or re.search(r"<a\s", page[start : close.start()], re.IGNORECASE):
        return None  # an anchor left open: no row to read
    end = _ROW_END.search(page, close.end())
    columns = page[close.end() : end.start() if end else len(page)]
    text = html.unescape(_TAG.sub(" ", columns)).replace("\xa0", " ")
    match = _SIZE_COLUMN.match(text)
    return ListedSize.parse(match.group(1)) if match else None


def parse_index(page: str, base: str) -> list[ListingEntry]:
    """The entries directly under ``base`` that an index page links to, with their listed sizes."""
    entries: dict[str, ListingEntry] = {}
    for match in _HREF.finditer(page):
        full = urljoin(base, html.unescape(match.group(1)))
        if not full.startswith(base) or full == base:
            continue
        name = full[len(base) :].strip("/")
        if not name or "/" in name:
            continue
        size = _size_after(page, match.end())
        if name not in entries or entries[name].size is None:
            entries[name] = ListingEntry(name, size)
    return list(entries.values())

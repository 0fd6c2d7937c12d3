"""Sizes read from directory index pages, in the formats real servers write them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from index_pages import apache_size, nginx_size

from splinternet.sources.listing import ListedSize, ListingEntry, parse_index


@pytest.mark.parametrize(("shown", "low", "high"), [
    ("1234", 1234, 1234),
    ("0", 0, 0),
    ("2.3K", 2252, 2458),            # 2.3 KiB = 2355.2 bytes, one tenth of a KiB either side
    ("18M", 17 << 20, 19 << 20),     # whole MiB: one MiB either side
    ("1.0K", 921, 1127),
    ("4.5G", (44 << 30) // 10, -(-(46 << 30) // 10)),
])
def test_a_listed_size_is_a_range_of_byte_counts(shown: str, low: int, high: int) -> None:
    size = ListedSize.parse(shown)
    assert size is not None and (size.shown, size.low, size.high) == (shown, low, high)
    assert size.exact == (low == high)


@pytest.mark.parametrize("shown", ["-", "", "1.2 MB", "12X", "3.K", "five", "1e6"])
def test_what_is_not_a_size_gives_no_size(shown: str) -> None:
    assert ListedSize.parse(shown) is None


@given(st.integers(min_value=0, max_value=1 << 44))
def test_apache_and_nginx_figures_admit_the_size_they_were_made_from(size: int) -> None:
    for shown in (apache_size(size), nginx_size(size), str(size)):
        listed = ListedSize.parse(shown)
        assert listed is not None and listed.low <= size <= listed.high, shown
        assert listed.admits(size)


@given(st.integers(min_value=2048, max_value=1 << 44))
def test_a_file_cut_to_four_fifths_is_clearly_smaller_than_listed(size: int) -> None:
    cut = size * 4 // 5
    for shown in (apache_size(size), str(size)):
        listed = ListedSize.parse(shown)
        assert listed is not None and not listed.admits(cut), shown


@given(st.integers(min_value=0, max_value=1 << 44))
def test_a_whole_unit_figure_refuses_a_file_two_units_short(size: int) -> None:
    """nginx's coarse figures (``3M``) tell less than Apache's: two whole units short is refused."""
    shown = nginx_size(size)
    unit = 1024 ** ("KMG".index(shown[-1]) + 1) if shown[-1] in "KMG" else 1
    listed = ListedSize.parse(shown)
    assert listed is not None and listed.admits(size)
    if size >= 2 * unit:
        assert not listed.admits(size - 2 * unit), shown


def test_exact_bytes_refuse_one_byte_short_and_units_allow_their_rounding() -> None:
    exact = ListedSize.parse("1234")
    assert exact is not None and exact.admits(1234) and not exact.admits(1233) and exact.admits(1300)
    assert exact.describe() == "1,234 bytes"
    rounded = ListedSize.parse("18M")
    assert rounded is not None and rounded.admits(int(17.6 * 2**20)) and not rounded.admits(int(16.9 * 2**20))
    assert rounded.describe() == "18M (at least 17,825,792 bytes)"


BASE = "http://127.0.0.1:8000/publicdata.caida.org/datasets/as-relationships/serial-1/"

APACHE_TABLE = """<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">
<html><head><title>Index of /datasets/as-relationships/serial-1</title></head><body>
<h1>Index of /datasets/as-relationships/serial-1</h1>
<table>
<tr><th valign="top"><img src="/icons/blank.gif" alt="[ICO]"></th><th><a href="?C=N;O=D">Name</a></th><th><a href="?C=M;O=A">Last modified</a></th><th><a href="?C=S;O=A">Size</a></th><th><a href="?C=D;O=A">Description</a></th></tr>
<tr><th colspan="5"><hr></th></tr>
<tr><td valign="top"><img src="/icons/back.gif" alt="[PARENTDIR]"></td><td><a href="/datasets/as-relationships/">Parent Directory</a></td><td>&nbsp;</td><td align="right">  - </td><td>&nbsp;</td></tr>
<tr><td valign="top"><img src="/icons/compressed.gif" alt="[   ]"></td><td><a href="20220301.as-rel.txt.bz2">20220301.as-rel.txt.bz2</a></td><td align="right">2022-03-15 10:12  </td><td align="right">2.3M</td><td>&nbsp;</td></tr>
<tr><td valign="top"><img src="/icons/text.gif" alt="[TXT]"></td><td><a href="README.txt">README.txt</a></td><td align="right">2021-01-04 09:00  </td><td align="right">812 </td><td>&nbsp;</td></tr>
<tr><td valign="top"><img src="/icons/folder.gif" alt="[DIR]"></td><td><a href="old/">old/</a></td><td align="right">2020-06-01 12:00  </td><td align="right">  - </td><td>&nbsp;</td></tr>
<tr><th colspan="5"><hr></th></tr>
</table>
</body></html>
"""

APACHE_PRE = """<html><head><title>Index of /datasets/as-relationships/serial-1</title></head><body>
<h1>Index of /datasets/as-relationships/serial-1</h1>
<pre><img src="/icons/blank.gif" alt="Icon "> <a href="?C=N;O=D">Name</a>                    <a href="?C=M;O=A">Last modified</a>      <a href="?C=S;O=A">Size</a>  <a href="?C=D;O=A">Description</a><hr><img src="/icons/back.gif" alt="[PARENTDIR]"> <a href="/datasets/as-relationships/">Parent Directory</a>                             -
<img src="/icons/compressed.gif" alt="[   ]"> <a href="20220301.as-rel.txt.bz2">20220301.as-rel.txt.bz2</a>     2022-03-15 10:12  2.3M
<img src="/icons/text.gif" alt="[TXT]"> <a href="README.txt">README.txt</a>                  2021-01-04 09:00  812
<img src="/icons/folder.gif" alt="[DIR]"> <a href="old/">old/</a>                        2020-06-01 12:00    -
<hr></pre>
</body></html>
"""

NGINX = """<html>
<head><title>Index of /datasets/as-relationships/serial-1/</title></head>
<body>
<h1>Index of /datasets/as-relationships/serial-1/</h1><hr><pre><a href="../">../</a>
<a href="old/">old/</a>                                               01-Jun-2020 12:00                   -
<a href="20220301.as-rel.txt.bz2">20220301.as-rel.txt.bz2</a>                            15-Mar-2022 10:12             2411724
<a href="README.txt">README.txt</a>                                         04-Jan-2021 09:00                 812
</pre><hr></body>
</html>
"""

LIGHTTPD = """<table summary="Directory Listing" cellpadding="0" cellspacing="0">
<thead><tr><th class="n">Name</th><th class="m">Last Modified</th><th class="s">Size</th><th class="t">Type</th></tr></thead>
<tbody>
<tr class="d"><td class="n"><a href="../">Parent Directory</a>/</td><td class="m">&nbsp;</td><td class="s">- &nbsp;</td><td class="t">Directory</td></tr>
<tr class="d"><td class="n"><a href="old/">old</a>/</td><td class="m">2020-Jun-01 12:00:00</td><td class="s">- &nbsp;</td><td class="t">Directory</td></tr>
<tr><td class="n"><a href="20220301.as-rel.txt.bz2">20220301.as-rel.txt.bz2</a></td><td class="m">2022-Mar-15 10:12:00</td><td class="s">2.3M</td><td class="t">application/x-bzip</td></tr>
<tr><td class="n"><a href="README.txt">README.txt</a></td><td class="m">2021-Jan-04 09:00:00</td><td class="s">0.8K</td><td class="t">text/plain</td></tr>
</tbody></table>
"""

PYTHON_HTTP_SERVER = """<!DOCTYPE HTML>
<html lang="en"><head><meta charset="utf-8"><title>Directory listing for /x/</title></head>
<body><h1>Directory listing for /x/</h1><hr><ul>
<li><a href="20220301.as-rel.txt.bz2">20220301.as-rel.txt.bz2</a></li>
<li><a href="README.txt">README.txt</a></li>
<li><a href="old/">old/</a></li>
</ul><hr></body></html>
"""


def _sizes(page: str) -> dict[str, str | None]:
    return {e.name: (e.size.shown if e.size else None) for e in parse_index(page, BASE)}


@pytest.mark.parametrize(("page", "expected"), [
    (APACHE_TABLE, {"20220301.as-rel.txt.bz2": "2.3M", "README.txt": "812", "old": None}),
    (APACHE_PRE, {"20220301.as-rel.txt.bz2": "2.3M", "README.txt": "812", "old": None}),
    (NGINX, {"old": None, "20220301.as-rel.txt.bz2": "2411724", "README.txt": "812"}),
    (LIGHTTPD, {"old": None, "20220301.as-rel.txt.bz2": "2.3M", "README.txt": "0.8K"}),
    (PYTHON_HTTP_SERVER, {"20220301.as-rel.txt.bz2": None, "README.txt": None, "old": None}),
], ids=["apache-table", "apache-pre", "nginx-exact", "lighttpd", "no-sizes"])
def test_index_pages_give_names_and_sizes(page: str, expected: dict[str, str | None]) -> None:
    assert _sizes(page) == expected


def test_a_figure_without_a_date_before_it_is_not_taken_for_a_size() -> None:
    page = '<a href="a.gz">a.gz</a> 2022 12 <a href="b.gz">b.gz</a>\n<a href="c.gz">c.gz'
    assert parse_index(page, BASE) == [ListingEntry("a.gz"), ListingEntry("b.gz"), ListingEntry("c.gz")]

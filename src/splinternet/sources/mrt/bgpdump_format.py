"""``bgpdump -m`` (Debian 1.6.2) text of a :class:`RouteTable`, written by a numba kernel.

The kernel (``bgpdump_kernel.py``) fills a byte buffer chunk by chunk straight from the
columns; this module feeds it the columns with one fixed set of dtypes (one compiled
signature, whatever table it gets) and hands out bytes, or ``str`` lines for callers that
want them. bgpdump's quirks that are reproduced on purpose are listed in docs/mrt.md.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from .compiled import BGPDUMP_ATTRIBUTE_COLUMNS, BGPDUMP_ELEMENT_COLUMNS, bgpdump_kernel
from .layout import KIND_STATE, KIND_WITHDRAW, T_TABLE_DUMP_V2
from .table import RouteTable

__all__ = ["bgpdump_chunks", "bgpdump_lines", "bgpdump_printable", "ipv4", "ipv6"]

_TD2_PRINTED = (2, 4, 8, 10)  # bgpdump skips RIB multicast and RIB_GENERIC records
CHUNK_BYTES = 1 << 20


def ipv4(value: int) -> str:
    return f"{value >> 24}.{(value >> 16) & 255}.{(value >> 8) & 255}.{value & 255}"


def ipv6(hi: int, lo: int) -> str:
    """bgpdump's fmt_ipv6: like inet_ntop, except that a single zero group is also shortened to ``::``."""
    if hi == 0 and (lo >> 32) == 0xFFFF:
        return "::ffff:" + ipv4(lo & 0xFFFFFFFF)
    if hi == 0 and (lo >> 32) == 0 and (lo & 0xFFFFFFFF) > 1:
        return "::" + ipv4(lo)
    groups = [(hi >> s) & 0xFFFF for s in (48, 32, 16, 0)] + [(lo >> s) & 0xFFFF for s in (48, 32, 16, 0)]
    best, best_len, run = -1, 0, 0
    runs = [0] * 8
    for i in range(7, -1, -1):
        run = run + 1 if groups[i] == 0 else 0
        runs[i] = run
    for i in range(8):
        if runs[i] > best_len:
            best, best_len = i, runs[i]
    if best < 0:
        return ":".join(f"{g:x}" for g in groups)
    head = ":".join(f"{g:x}" for g in groups[:best])
    tail = ":".join(f"{g:x}" for g in groups[best + best_len :])
    return f"{head}::{tail}"


def bgpdump_printable(table: RouteTable) -> np.ndarray:
    """Mask of the elements bgpdump -m prints (it skips TABLE_DUMP_V2 multicast and generic RIBs)."""
    td2 = table.mrt_type == T_TABLE_DUMP_V2
    return ~td2 | np.isin(table.mrt_subtype, _TD2_PRINTED)


def _frozen(values: np.ndarray, dtype: str) -> np.ndarray:
    """A contiguous read-only view in ``dtype``: the kernel then has one signature for every table."""
    view: np.ndarray = np.ascontiguousarray(values, dtype=dtype).view()
    view.flags.writeable = False
    return view


def _columns(table: RouteTable) -> list[np.ndarray]:
    routed = (table.kind != KIND_WITHDRAW) & (table.kind != KIND_STATE) & bgpdump_printable(table)
    rows = table.attr[routed]
    if rows.size and (int(rows.min()) < 0 or int(rows.max()) >= len(table.attrs)):
        raise ValueError("an announcement or RIB entry points outside the attribute table")
    return ([_frozen(getattr(table, name), dtype) for name, dtype in BGPDUMP_ELEMENT_COLUMNS]
            + [_frozen(getattr(table.attrs, name), dtype) for name, dtype in BGPDUMP_ATTRIBUTE_COLUMNS])


def bgpdump_chunks(table: RouteTable, chunk_bytes: int = CHUNK_BYTES, *, start_fast: bool = False) -> Iterator[bytes]:
    """The ``bgpdump -m`` text of the printable elements, in table order: whole lines, about ``chunk_bytes`` each.

    A line longer than ``chunk_bytes`` (a huge AS path) gets a chunk of its own. ``start_fast``:
    a one-off dump may use the kernel compiled ahead of time (``compiled``); the text is the same.
    """
    bgpdump_chunk = bgpdump_kernel(start_fast, len(table))
    columns = _columns(table)
    out = np.empty(chunk_bytes, np.uint8)
    start, n = 0, len(table)
    while start < n:
        start, used, need = bgpdump_chunk(start, out, *columns)
        if need:
            out = np.empty(need, np.uint8)
            continue
        if used:
            yield out[:used].tobytes()


def bgpdump_lines(table: RouteTable) -> Iterator[str]:
    """One ``bgpdump -m`` line per printable element, in table order (no trailing newline)."""
    for chunk in bgpdump_chunks(table):
        yield from chunk.decode("ascii").split("\n")[:-1]

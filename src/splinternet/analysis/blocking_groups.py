"""Blocked address space per group (authority, decision, provider, ...), as plain columnar tables.

The heavy lifting is in :mod:`.blocking_kernels`; this module sorts and labels, and holds
:class:`GroupTable`, the one shape every "blocked space by X" result takes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..sources.attribution import AttributionData
from ..sources.registry import AddressLinks
from ..tables.prefixes import RangeSet
from .blocking_kernels import grouped_overlap, to_float

__all__ = ["GroupTable", "grouped_ranges", "grouped_space", "links_rangeset", "origin_of_addresses", "whole_space"]

_TOP = np.uint64(0xFFFFFFFFFFFFFFFF)


@dataclass(frozen=True, repr=False)
class GroupTable:
    """One row per group; ``columns`` maps a column name to an array (all the same length).

    Rows are sorted by ``sort_by`` descending when built with :meth:`make`. Address counts
    are float64: exact for IPv4 and for IPv6 up to 2**53 addresses. A table cut to its first
    rows (:meth:`head`) keeps how many rows it had in ``total_rows``, so that every reader
    can say "N of M".
    """

    name: str
    columns: dict[str, np.ndarray]
    total_rows: int | None = None  # rows before a cut; None: nothing was cut

    @property
    def total(self) -> int:
        """Rows the table had before any cut."""
        return len(self) if self.total_rows is None else self.total_rows

    @classmethod
    def make(cls, name: str, columns: dict[str, Any], sort_by: str | None = None,
             drop_zero: tuple[str, ...] = ()) -> GroupTable:
        cols = {k: np.asarray(v) if not isinstance(v, np.ndarray) else v for k, v in columns.items()}
        n = len(next(iter(cols.values()))) if cols else 0
        keep = np.ones(n, bool)
        if drop_zero:
            keep = np.zeros(n, bool)
            for c in drop_zero:
                keep |= cols[c] != 0
        order = np.flatnonzero(keep)
        if sort_by is not None and len(order):
            order = order[np.argsort(-cols[sort_by][order].astype(np.float64), kind="stable")]
        return cls(name, {k: v[order] for k, v in cols.items()})

    def __len__(self) -> int:
        return len(next(iter(self.columns.values()))) if self.columns else 0

    def head(self, n: int) -> GroupTable:
        return GroupTable(self.name, {k: v[:n] for k, v in self.columns.items()}, self.total)

    def tail(self, n: int) -> GroupTable:
        return GroupTable(self.name, {k: v[len(self) - min(n, len(self)):] for k, v in self.columns.items()},
                          self.total)

    def records(self) -> list[dict[str, Any]]:
        names = list(self.columns)
        lists = [self.columns[k].tolist() for k in names]
        return [dict(zip(names, row, strict=True)) for row in zip(*lists, strict=True)]

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "rows": self.records(), "total_rows": self.total}

    def to_frame(self) -> Any:
        """The table as a pandas DataFrame (pandas is optional: only this view needs it)."""
        import pandas as pd

        return pd.DataFrame({k: v for k, v in self.columns.items()})

    def __repr__(self) -> str:
        return f"<GroupTable {self.name}: {len(self)} rows, columns {', '.join(self.columns)}>"

    def _repr_html_(self) -> str:
        return str(self.to_frame().head(20).to_html())


def links_rangeset(v4: AddressLinks, v6: AddressLinks, rows4: np.ndarray | None = None,
                   rows6: np.ndarray | None = None) -> RangeSet:
    """Merged set of the addresses the given link rows block (all rows when None)."""
    r4 = slice(None) if rows4 is None else rows4
    r6 = slice(None) if rows6 is None else rows6
    four = RangeSet.from_ranges(4, None, v4.start[r4].astype(np.uint64), None, v4.end[r4].astype(np.uint64))
    six = RangeSet.from_ranges(6, v6.start[r6], v6.start_lo[r6], v6.end[r6], v6.end_lo[r6])
    return RangeSet(four.v4, six.v6)


def whole_space(version: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One interval spanning the family, as the 'blocked' argument of :func:`grouped_space`."""
    zero = np.zeros(1, np.uint64)
    if version == 4:
        return zero, zero, zero, np.array([0xFFFFFFFF], np.uint64)
    return zero, zero, np.array([_TOP], np.uint64), np.array([_TOP], np.uint64)


def grouped_space(links: AddressLinks, group_of_row: np.ndarray, n_groups: int,
                  blocked: tuple[np.ndarray, ...] | None = None) -> np.ndarray:
    """Per group: distinct addresses its link rows block (within ``blocked`` if given), float64."""
    if links.version == 4:
        zero = np.zeros(len(links), np.uint64)
        return grouped_ranges(4, zero, links.start.astype(np.uint64), zero, links.end.astype(np.uint64),
                              group_of_row, n_groups, blocked)
    return grouped_ranges(6, links.start, links.start_lo, links.end, links.end_lo, group_of_row, n_groups, blocked)


def grouped_ranges(version: int, s_hi: np.ndarray, s_lo: np.ndarray, e_hi: np.ndarray, e_lo: np.ndarray,
                   group: np.ndarray, n_groups: int, blocked: tuple[np.ndarray, ...] | None = None) -> np.ndarray:
    """Per group (-1 = none): size of the union of its intervals, intersected with ``blocked`` if given."""
    if n_groups == 0:
        return np.zeros(0)
    if len(s_lo) == 0:
        return np.zeros(n_groups)
    s_hi, s_lo, e_hi, e_lo = (np.ascontiguousarray(x, np.uint64) for x in (s_hi, s_lo, e_hi, e_lo))
    group = np.asarray(group, np.int64)
    valid = np.flatnonzero(group >= 0)
    if version == 4:  # one 64-bit key (group, start) sorts ~4x faster than a 3-key lexsort
        key = (group[valid].astype(np.uint64) << np.uint64(32)) | s_lo[valid]
        order = valid[np.argsort(key)]
    else:
        order = valid[np.lexsort((s_lo[valid], s_hi[valid], group[valid]))]
    b = blocked if blocked is not None else whole_space(version)
    acc_hi, acc_lo = grouped_overlap(group[order], s_hi[order], s_lo[order], e_hi[order], e_lo[order], n_groups,
                                     *(np.ascontiguousarray(x, np.uint64) for x in b))
    return to_float(acc_hi, acc_lo)


def origin_of_addresses(attribution: AttributionData, version: int, hi: np.ndarray | None,
                        lo: np.ndarray) -> np.ndarray:
    """Origin AS (first origin of the longest match) of each address, 0 where none (int64)."""
    found = attribution.origin_table(version)
    if found is None:
        return np.zeros(len(lo), np.int64)
    first = found.origin
    rows = found.rows_of(version, hi, lo)
    return np.where(rows >= 0, first[np.maximum(rows, 0)] if len(first) else 0, 0)

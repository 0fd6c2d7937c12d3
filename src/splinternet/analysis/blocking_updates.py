"""How often the register was updated, per month, from the zapret-info update log."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from ..sources.registry_log import UpdateLog
from ..sources.registry_scan import search, unique_sorted
from .blocking_groups import GroupTable
from .results import Result

__all__ = ["UpdateCadence", "update_cadence"]


@dataclass(frozen=True, repr=False)
class UpdateCadence(Result):
    """Updates per month and the gaps between consecutive register times (hours)."""

    _tables: ClassVar[tuple[str, ...]] = ('by_month',)

    source: str
    updates: int
    distinct_register_times: int
    first: str | None
    last: str | None
    median_gap_hours: float
    longest_gap_hours: float
    longest_gap_after: str | None
    by_month: GroupTable
    notes: tuple[tuple[int, str, str], ...]
    bad_records: dict[str, Any]


def update_cadence(log: UpdateLog) -> UpdateCadence:
    """Per month of the register's own time: updates, median and longest gap to the previous one."""
    times = unique_sorted(log.register_time)
    gaps = np.diff(times).astype("timedelta64[s]").astype(np.float64) / 3600.0
    month = times.astype("datetime64[M]")
    months = unique_sorted(month)
    index = search(months, month)
    n = len(months)
    updates = np.bincount(index, minlength=n)
    median = np.full(n, np.nan)
    longest = np.zeros(n)
    gap_month = index[1:]
    for m in range(n):
        mine = gaps[gap_month == m]
        if len(mine):
            median[m] = float(np.median(mine))
            longest[m] = float(mine.max())
    worst = int(np.argmax(gaps)) if len(gaps) else -1
    return UpdateCadence(
        source=log.path,
        updates=len(log),
        distinct_register_times=len(times),
        first=str(times[0]) if len(times) else None,
        last=str(times[-1]) if len(times) else None,
        median_gap_hours=float(np.median(gaps)) if len(gaps) else float("nan"),
        longest_gap_hours=float(gaps.max()) if len(gaps) else float("nan"),
        longest_gap_after=str(times[worst]) if worst >= 0 else None,
        by_month=GroupTable.make("updates_by_month", {"month": months.astype(str).astype(object),
                                                      "updates": updates, "median_gap_hours": median,
                                                      "longest_gap_hours": longest}),
        notes=log.notes,
        bad_records=log.bad.summary(),
    )

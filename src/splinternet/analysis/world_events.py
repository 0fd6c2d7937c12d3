"""Events in every country's foreign providers across a series of dates.

Tables in (one row per date, country and foreign provider: its border share and rank),
events out: a provider entering or leaving the country's top providers, a provider's
share jumping, the top provider changing. Each event compares two consecutive dates *at
which the country has data*: a date where the country is missing (the date failed, or the
country was left out) is bridged, and the event names both dates, so a gap is visible.
On a date where the country has data, a provider absent from its table has share 0 and
no rank: world tables list every foreign provider, not a top cut.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import ParameterError

__all__ = ["EVENT_KINDS", "EventThresholds", "ProviderSeries", "SHARE_JUMP_POINTS", "SHARE_JUMP_RELATIVE",
           "TOP_PROVIDERS", "WorldEvent", "detect_events"]

TOP_PROVIDERS = 10
"""Providers watched for entering and leaving. Ten covers what a country page and a news
story name (the leading carriers); deeper ranks hold shares of a few percent or less, whose
rank swaps between months are noise rather than news."""

SHARE_JUMP_POINTS = 0.05
"""A share jump moves a provider's border share by at least 5 percentage points: the
smallest move a reader sees on a chart of the top providers without reading the numbers,
and above the month-to-month wobble of the topology snapshots for a stable provider."""

SHARE_JUMP_RELATIVE = 0.10
"""...and by at least 10% of its earlier share, so a dominant provider's routine breathing
(85% to 79%, 7% of its share) is not reported while the same 6 points for a provider at
30% (20% of its share) are."""

EVENT_KINDS = ("top_changed", "entered_top", "left_top", "share_jump")  # the order events are listed in per date


@dataclass(frozen=True)
class EventThresholds:
    """What counts as an event; the defaults are the named constants above (their docstrings say why)."""

    top: int = TOP_PROVIDERS
    jump_points: float = SHARE_JUMP_POINTS
    jump_relative: float = SHARE_JUMP_RELATIVE

    def __post_init__(self) -> None:
        if not 1 <= self.top <= 1000:
            raise ParameterError(f"the watched top must be 1 to 1000 providers, not {self.top}", parameter="top")
        if not 0 < self.jump_points <= 1:
            raise ParameterError(f"a share jump threshold is a share above 0 and at most 1 (0.05 = 5 points), "
                                 f"not {self.jump_points}", parameter="jump_points")
        if not 0 <= self.jump_relative <= 100:
            raise ParameterError(f"a relative jump threshold is a ratio from 0 to 100 (0.1 = 10%), "
                                 f"not {self.jump_relative}", parameter="jump_relative")


@dataclass(frozen=True)
class ProviderSeries:
    """Every country's foreign providers on every date of a series, as columns.

    ``present_date``/``present_cc``: the (date, country) pairs with data (a country with
    data but no foreign provider appears here and in no provider row). Provider rows:
    ``date`` (index into ``dates``), ``cc``, ``asn``, ``name``, ``share`` (border share),
    ``rank`` (1 = largest); one row per (date, country, AS).
    """

    dates: tuple[str, ...]
    present_date: np.ndarray
    present_cc: np.ndarray
    date: np.ndarray
    cc: np.ndarray
    asn: np.ndarray
    name: np.ndarray
    share: np.ndarray
    rank: np.ndarray


@dataclass(frozen=True)
class WorldEvent:
    """One change in a country's providers between two of its consecutive dates.

    ``before``/``after``: the AS's border share on ``previous_date`` and ``date`` (0 when
    absent); ``relative``: change / before (None when before is 0). ``other_asn``: for
    ``top_changed``, the AS that was top before.
    """

    cc: str
    date: str
    previous_date: str
    kind: str
    asn: int
    name: str
    before: float
    after: float
    change: float
    relative: float | None
    before_rank: int | None
    after_rank: int | None
    other_asn: int | None = None


def _check(series: ProviderSeries) -> None:
    n = len(series.asn)
    columns = (series.date, series.cc, series.name, series.share, series.rank)
    if any(len(c) != n for c in columns) or len(series.present_date) != len(series.present_cc):
        raise ValueError("provider series columns differ in length")
    for index in (series.date, series.present_date):
        if len(index) and (int(np.min(index)) < 0 or int(np.max(index)) >= len(series.dates)):
            raise ValueError("a provider series date index is outside its dates")


def detect_events(series: ProviderSeries, thresholds: EventThresholds = EventThresholds()) -> list[WorldEvent]:
    """Every event of every country, ordered by country, date, kind (``EVENT_KINDS``) and AS."""
    _check(series)
    ccs = np.asarray(series.cc).astype(str)
    present_cc = np.asarray(series.present_cc).astype(str)
    events: list[WorldEvent] = []
    order = np.argsort(ccs, kind="stable")
    countries, starts = np.unique(ccs[order], return_index=True)
    ends = [*starts[1:].tolist(), len(order)] if len(starts) else []
    bounds = dict(zip(countries.tolist(), zip(starts.tolist(), ends, strict=True), strict=True))
    for cc in sorted(set(present_cc.tolist()) | set(bounds)):
        lo, hi = bounds.get(cc, (0, 0))
        rows = order[lo:hi]
        events.extend(_country_events(cc, series, rows, np.asarray(series.present_date)[present_cc == cc],
                                      thresholds))
    return events


def _country_events(cc: str, series: ProviderSeries, rows: np.ndarray, present: np.ndarray,
                    thresholds: EventThresholds) -> list[WorldEvent]:
    """One country's events: a (provider x date) grid of shares and ranks, compared column to column."""
    dated = np.asarray(series.date)[rows].astype(np.int64)
    days = np.unique(np.concatenate([np.asarray(present, np.int64), dated]))
    if len(days) < 2 or len(rows) == 0:
        return []
    asns = np.asarray(series.asn)[rows].astype(np.int64)
    members = np.unique(asns)
    r, c = np.searchsorted(members, asns), np.searchsorted(days, dated)
    if len(np.unique(r * len(days) + c)) != len(rows):
        raise ValueError(f"{cc}: an AS is listed twice on one date")
    share = np.zeros((len(members), len(days)))
    rank = np.zeros((len(members), len(days)), np.int64)  # 0: not ranked (absent)
    names = np.full((len(members), len(days)), "", dtype=object)
    share[r, c] = np.asarray(series.share, np.float64)[rows]
    rank[r, c] = np.asarray(series.rank, np.int64)[rows]
    names[r, c] = np.asarray(series.name, dtype=object)[rows]
    before, after = share[:, :-1], share[:, 1:]
    rank_before, rank_after = rank[:, :-1], rank[:, 1:]
    in_before = (rank_before >= 1) & (rank_before <= thresholds.top)
    in_after = (rank_after >= 1) & (rank_after <= thresholds.top)
    change = after - before
    moved = np.abs(change)
    had_top = (rank_before == 1).any(axis=0)
    hits = {
        "top_changed": (rank_after == 1) & (rank_before != 1) & had_top[None, :],
        "entered_top": in_after & ~in_before,
        "left_top": in_before & ~in_after,
        "share_jump": (moved >= thresholds.jump_points) & (moved >= thresholds.jump_relative * before),
    }
    previous_top = np.where(had_top, np.argmax(rank_before == 1, axis=0), -1)
    out: list[tuple[int, int, int, WorldEvent]] = []
    labels = [series.dates[d] for d in days.tolist()]
    for order, kind in enumerate(EVENT_KINDS):
        for k, t in zip(*np.nonzero(hits[kind]), strict=True):
            b, a, rb, ra = float(before[k, t]), float(after[k, t]), int(rank_before[k, t]), int(rank_after[k, t])
            event = WorldEvent(
                cc=cc, date=labels[t + 1], previous_date=labels[t], kind=kind, asn=int(members[k]),
                name=str(names[k, t + 1] or names[k, t]), before=b, after=a, change=float(change[k, t]),
                relative=float(change[k, t]) / b if b > 0 else None, before_rank=rb or None, after_rank=ra or None,
                other_asn=int(members[previous_top[t]]) if kind == "top_changed" else None)
            out.append((int(t), order, int(members[k]), event))
    out.sort(key=lambda item: item[:3])
    return [item[3] for item in out]

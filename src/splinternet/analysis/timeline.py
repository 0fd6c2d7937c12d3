"""A country's connectivity (and a blocklist's reach) over time, with the changes worth a look.

A timeline is a grid of steps (first, last, step). Each step is answered
by the data release in force on that day; steps that fall on the same release are one
point, not repeated results (the timeline says which steps collapsed). Events are read
off consecutive points: a provider's share dropping by more than a threshold, a border
link (foreign provider to domestic network) disappearing or changing its relationship, a
group's blocked space moving by more than a threshold. On a point, a group absent from a
measure's table that lists every group with a value has 0; where the table may leave
groups out, an absent group's value is not known (NaN), and never makes an event.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from ..errors import DataNotFoundError, ParameterError
from .blocking import analyze_blocking
from .border_links import CUSTOMER, OBSERVED, PEER, PROVIDER, changed_links, lost_links
from .results import Result

__all__ = ["ShareTimeline", "TimelineEvent", "TimelinePoint", "assemble_timeline", "blocking_timeline", "group_steps",
           "parse_step", "share_changes", "step_dates"]

_STEP = re.compile(r"^\s*(\d+)\s*([dwm])\s*$")


def parse_step(text: str) -> tuple[int, str]:
    """``7d``, ``2w`` or ``1m`` -> (count, unit); a bad step is a ParameterError."""
    match = _STEP.match(text or "")
    if not match or int(match.group(1)) < 1:
        raise ParameterError(f"not a step: {text!r}; expected a count and d, w or m, such as 1d, 2w or 1m")
    return int(match.group(1)), match.group(2)


def step_dates(start: dt.date, end: dt.date, step: str) -> list[dt.date]:
    """Every step from ``start`` to ``end`` inclusive (months keep the day of month, clipped)."""
    if end < start:
        raise ParameterError(f"the last step {end} comes before the first {start}")
    count, unit = parse_step(step)
    out: list[dt.date] = []
    k = 0
    while True:
        if unit == "m":
            months = start.month - 1 + k * count
            year, month = start.year + months // 12, months % 12 + 1
            day = min(start.day, [31, 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28, 31, 30, 31,
                                  30, 31, 31, 30, 31, 30, 31][month - 1])
            when = dt.date(year, month, day)
        else:
            when = start + dt.timedelta(days=k * count * (7 if unit == "w" else 1))
        if when > end:
            return out
        out.append(when)
        k += 1
        if len(out) > 10_000:
            raise ParameterError("more than 10,000 steps; use a longer step")


@dataclass(frozen=True)
class TimelineEvent:
    """One change between two consecutive points; ``time`` is the point where it is first seen.

    Link events: ``asn`` the foreign provider, ``neighbor`` the domestic network,
    ``relation`` what the link was on ``previous`` and ``relation_after`` what it is on
    ``time`` (link_changed only); ``before``/``after``: 1 where the AS pair is linked, 0 where it is not.
    """

    time: str
    previous: str
    kind: str  # share_drop | link_lost | link_changed | blocked_up | blocked_down
    key: str
    asn: int
    name: str
    measure: str
    before: float
    after: float
    neighbor: int = 0
    relation: str = ""
    neighbor_name: str = ""
    relation_after: str = ""


@dataclass(frozen=True, repr=False)
class ShareTimeline(Result):
    """Measures per point (rows) and group (columns); NaN where a group's value is not known.

    ``step_point[i]`` is the point that answers step ``steps[i]`` (-1: no release yet).
    """

    _tables: ClassVar[tuple[str, ...]] = ('events',)

    subject: str
    steps: tuple[str, ...]
    step_point: np.ndarray
    points: tuple[str, ...]
    releases: tuple[str, ...]
    keys: tuple[str, ...]
    asns: np.ndarray
    names: tuple[str, ...]
    series: dict[str, np.ndarray]
    events: tuple[TimelineEvent, ...]
    notes: tuple[str, ...] = ()
    sources: tuple[dict[str, Any], ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        def clean(row: np.ndarray) -> list[float | None]:
            return [None if np.isnan(x) else float(x) for x in row.tolist()]

        return {
            "subject": self.subject,
            "steps": [{"step": s, "point": self.points[p] if p >= 0 else None}
                      for s, p in zip(self.steps, self.step_point.tolist(), strict=True)],
            "points": [{"date": d, "release": r} for d, r in zip(self.points, self.releases, strict=True)],
            "groups": [{"key": k, "asn": int(a), "name": n} for k, a, n in zip(self.keys, self.asns.tolist(),
                                                                              self.names, strict=True)],
            "series": {m: [clean(v[:, j]) for j in range(v.shape[1])] for m, v in self.series.items()},
            "events": [e.__dict__ for e in self.events],
            "notes": list(self.notes),
            "sources": list(self.sources),
        }


def share_changes(values: np.ndarray, threshold: float, *, drops_only: bool = True,
                  scale: np.ndarray | None = None) -> list[tuple[int, int, float, float]]:
    """(point, group, before, after) where a value moves by more than ``threshold`` between points.

    ``values`` is (points, groups); NaN compares as unknown and never makes an event.
    With ``scale`` (one value per point), the move is measured relative to the later point's scale.
    """
    if values.shape[0] < 2:
        return []
    before, after = values[:-1], values[1:]
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        move = before - after if drops_only else np.abs(after - before)
        if scale is not None:
            move = move / np.where(scale[1:] > 0, scale[1:], np.inf)[:, None]
        hit = move > threshold
    rows, cols = np.nonzero(hit)
    return [(int(r) + 1, int(c), float(before[r, c]), float(after[r, c])) for r, c in zip(rows, cols, strict=True)]


_RELATION = {PROVIDER: "provider-customer", PEER: "peer", OBSERVED: "observed", CUSTOMER: "customer-provider"}


@dataclass
class TimelinePoint:
    date: str
    release: str
    values: dict[str, dict[int, float]]  # measure -> asn -> value
    complete: frozenset[str]  # measures whose table lists every AS with a value: absent means 0, not unknown
    names: dict[int, str]
    links: Callable[[np.ndarray], np.ndarray]
    sources: list[dict[str, Any]]
    notes: list[str]
    neighbor_names: Callable[[np.ndarray], Iterable[object]] | None = None  # domestic ASes' names, for link events


def group_steps(steps: list[dt.date], release_of: Callable[[dt.date], tuple[str, str]]
                 ) -> tuple[list[tuple[dt.date, str, str]], np.ndarray, list[str]]:
    """Distinct releases in step order and the point of each step; steps without a release get -1."""
    points: list[tuple[dt.date, str, str]] = []
    step_point = np.full(len(steps), -1, np.int64)
    notes: list[str] = []
    seen: dict[str, int] = {}
    missing: list[str] = []
    for i, day in enumerate(steps):
        try:
            url, label = release_of(day)
        except DataNotFoundError:
            missing.append(day.isoformat())
            continue
        if url not in seen:
            seen[url] = len(points)
            points.append((day, url, label))
        step_point[i] = seen[url]
    if missing:
        notes.append(f"{len(missing)} steps have no release in force (none at or shortly before them) and are "
                     f"left out: {', '.join(missing[:5])}{' ...' if len(missing) > 5 else ''}")
    collapsed = len(steps) - len(missing) - len(points)
    if collapsed > 0:
        notes.append(f"{len(steps) - len(missing)} steps fall on {len(points)} distinct releases; steps on the same "
                     f"release are shown once, not repeated")
    return points, step_point, notes


def assemble_timeline(subject: str, steps: list[dt.date], step_point: np.ndarray, points: list[TimelinePoint], top: int,
              threshold: float, notes: list[str], rank_by: str) -> ShareTimeline:
    measures = list(points[0].values) if points else []
    every = sorted({a for p in points for a in p.values[rank_by]})
    col = {a: j for j, a in enumerate(every)}
    series = {}
    for m in measures:
        grid = np.full((len(points), len(every)), np.nan)
        for i, p in enumerate(points):
            if m in p.complete:
                grid[i, :] = 0.0
            for a, v in p.values[m].items():
                if a in col:  # groups are the ranked measure's; other measures may name more ASes
                    grid[i, col[a]] = v
        series[m] = grid
    names = {a: n for p in points for a, n in p.names.items()}
    events: list[TimelineEvent] = []
    for m in measures:
        for r, c, before, after in share_changes(series[m], threshold):
            asn = every[c]
            events.append(TimelineEvent(points[r].date, points[r - 1].date, "share_drop", f"AS{asn}", asn,
                                        names.get(asn, ""), m, before, after))
    for r in range(1, len(points)):
        base = series[rank_by][r - 1]
        tracked = np.array([every[j] for j in np.flatnonzero(np.nan_to_num(base) > 0)], np.uint32)
        tracked = tracked[np.argsort(-np.nan_to_num(base[[col[a] for a in tracked.tolist()]]), kind="stable")][:top]
        before_links, after_links = points[r - 1].links(tracked), points[r].links(tracked)
        before_links = before_links[before_links[:, 2] != CUSTOMER]  # a link the country offers, not one into it
        gone = lost_links(before_links, after_links)
        changed = changed_links(before_links, after_links)
        named = points[r - 1].neighbor_names
        neighbors = np.unique(np.concatenate([gone[:, 1], changed[:, 1]])).astype(np.uint32)
        neighbor_name = dict(zip(neighbors.tolist(), map(str, named(neighbors)), strict=True)) if named else {}
        for provider, neighbor, relation in gone.tolist():
            events.append(TimelineEvent(points[r].date, points[r - 1].date, "link_lost", f"AS{provider}", provider,
                                        names.get(provider, ""), "link", 1.0, 0.0, neighbor, _RELATION[relation],
                                        neighbor_name.get(neighbor, "")))
        for provider, neighbor, relation, relation_after in changed.tolist():
            events.append(TimelineEvent(points[r].date, points[r - 1].date, "link_changed", f"AS{provider}", provider,
                                        names.get(provider, ""), "link", 1.0, 1.0, neighbor, _RELATION[relation],
                                        neighbor_name.get(neighbor, ""), _RELATION[relation_after]))
    best = np.nan_to_num(series[rank_by]).max(axis=0) if every else np.zeros(0)
    keep = np.argsort(-best, kind="stable")[:top]
    keep = keep[best[keep] > 0]
    asns = np.array([every[j] for j in keep.tolist()], np.uint32)
    events.sort(key=lambda e: (e.time, e.kind, -(e.before - e.after), e.asn, e.neighbor))
    return ShareTimeline(
        subject=subject, steps=tuple(d.isoformat() for d in steps), step_point=step_point,
        points=tuple(p.date for p in points), releases=tuple(p.release for p in points),
        keys=tuple(f"AS{a}" for a in asns.tolist()), asns=asns, names=tuple(names.get(a, "") for a in asns.tolist()),
        series={m: v[:, keep] for m, v in series.items()}, events=tuple(events),
        notes=tuple(notes + [n for p in points for n in p.notes]),
        sources=tuple(s for p in points for s in p.sources),
    )


def blocking_timeline(registers: Sequence[tuple[str, Any, Any]], *, threshold: float = 0.05, top: int = 10,
                      group: str = "provider") -> ShareTimeline:
    """Blocked IPv4 space by cloud provider (or organization) over a series of registers.

    ``registers`` holds (date label, Register, AttributionData) in time order. Registers
    with the same date label are one point (the later one wins, and a note says so).
    Events mark a group whose blocked space moves by more than ``threshold`` of the later
    register's blocked IPv4 space.
    """
    if group not in ("provider", "organization"):
        raise ParameterError(f"group must be provider or organization, not {group!r}")
    if not registers:
        raise ParameterError("a blocking timeline needs at least one register")
    by_date: dict[str, tuple[Any, Any]] = {}
    notes: list[str] = []
    for label, register, attribution in registers:
        if label in by_date:
            notes.append(f"two registers for {label}: the later one given is used")
        by_date[label] = (register, attribution)
    labels = sorted(by_date)
    totals = np.zeros(len(labels))
    tables: list[dict[str, float]] = []
    names: dict[str, str] = {}
    sources: list[dict[str, Any]] = []
    for i, label in enumerate(labels):
        register, attribution = by_date[label]
        report = analyze_blocking(register, attribution, top=0)
        table = report.by_provider if group == "provider" else report.by_organization
        key, name = ("provider", "provider") if group == "provider" else ("key", "organization")
        tables.append({str(k): float(v) for k, v in zip(table.columns[key].tolist(),
                                                         table.columns["ipv4"].tolist(), strict=True)})
        names.update({str(k): str(n) for k, n in zip(table.columns[key].tolist(), table.columns[name].tolist(),
                                                      strict=True)})
        totals[i] = float(report.counts.blocked_ipv4)
        notes.extend(f"{label}: {n}" for n in report.notes)
        sources.append({"register": label, "blocked_ipv4": totals[i],
                        **{k: v for k, v in report.register.items() if k != "bad_records"},
                        "releases": report.attribution.get("releases", [])})
    keys = sorted({k for t in tables for k in t})
    grid = np.array([[t.get(k, 0.0) for k in keys] for t in tables]).reshape(len(labels), len(keys))
    share = grid / np.where(totals > 0, totals, np.inf)[:, None]
    events = [TimelineEvent(labels[r], labels[r - 1], "blocked_up" if a > b else "blocked_down", keys[c], 0,
                            names.get(keys[c], keys[c]), "blocked_ipv4", b, a)
              for r, c, b, a in share_changes(grid, threshold, drops_only=False, scale=totals)]
    events.sort(key=lambda e: (e.time, -abs(e.after - e.before)))
    best = grid.max(axis=0) if keys else np.zeros(0)
    keep = np.argsort(-best, kind="stable")[:top]
    keep = keep[best[keep] > 0]
    return ShareTimeline(
        subject=f"blocked IPv4 space by {group}", steps=tuple(labels), step_point=np.arange(len(labels)),
        points=tuple(labels), releases=tuple(labels), keys=tuple(keys[j] for j in keep.tolist()),
        asns=np.zeros(len(keep), np.uint32), names=tuple(names.get(keys[j], keys[j]) for j in keep.tolist()),
        series={"blocked_ipv4": grid[:, keep], "share_of_blocked_ipv4": share[:, keep]},
        events=tuple(events), notes=tuple(notes), sources=tuple(sources),
    )

"""Routes towards one origin on the CAIDA graph of a date (BGPy's rules and tie-break), with a scenario."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ..analysis.compare import compare_scenario
from ..analysis.results import Result
from ..analysis.scenario import Scenario, compile_overlay
from ..analysis.simulate import Relationship, Routes, propagate
from ..config import Settings
from ..progress import NO_PROGRESS, Progress
from ..sources.asrel import load_as_relationships
from ..sources.snapshot import DatasetChoices, Snapshot

__all__ = ["SimulateOptions", "SimulationResult", "simulate"]


@dataclass(frozen=True)
class SimulateOptions:
    """One origin, the ASes whose routes to show, and the scenario (removed ASes and links)."""

    origin: int
    from_ases: tuple[int, ...] = ()
    without_ases: tuple[int, ...] = ()
    without_links: tuple[tuple[int, int], ...] = ()
    keep_all_ties: bool = False
    serial2: bool = False  # CAIDA serial-2 (caida-asrel2) instead of serial-1


@dataclass(frozen=True, repr=False)
class SimulationResult(Result):
    """Reachability of one origin, the routes asked for, and the change against the baseline."""

    _tables: ClassVar[tuple[str, ...]] = ("routes",)

    origin: int
    scenario: list[str]
    summary: dict[str, Any]
    routes: list[dict[str, Any]]
    source: dict[str, Any]
    bad_records: dict[str, Any]
    against_baseline: dict[str, Any] | None = field(default=None)
    notes: tuple[str, ...] = ()  # the graph release's own note, a dataset chosen by the caller

    def to_dict(self) -> dict[str, Any]:
        out = {"origin": self.origin, "scenario": self.scenario, "summary": self.summary, "routes": self.routes,
               "source": self.source, "bad_records": self.bad_records}
        if self.against_baseline is not None:
            out["against_baseline"] = self.against_baseline
        if self.notes:
            out["notes"] = list(self.notes)
        return out


def _relationship_name(code: int) -> str | None:
    return Relationship(code).label if code >= 0 else None


def _route(routes: Routes, asn: int, ties: bool) -> dict[str, Any]:
    i = routes.graph.require_index(asn)
    path = routes.path(asn)
    rel = int(routes.relationship[i])
    out: dict[str, Any] = {
        "from": asn,
        "has_route": rel >= 0,
        "relationship": _relationship_name(rel),
        "path_length": int(routes.path_length[i]) if rel >= 0 else None,
        "path": path.tolist(),
        "hops": [{"asn": int(a), "learned_from": _relationship_name(int(routes.relationship[j]))}
                 for a, j in zip(path.tolist(), routes.graph.index_of(path).tolist(), strict=True)],
    }
    if ties:
        out["tied_next_hops"] = routes.tied_next_hops(asn).tolist()
    return out


def simulate(options: SimulateOptions, date: str | dt.date | None = None, *, settings: Settings | None = None,
             strict: bool = False, allow_damaged: bool = False, progress: Progress = NO_PROGRESS,
             uses: DatasetChoices | None = None) -> SimulationResult:
    """Propagate one origin and summarize reachability; with a scenario, compare with the baseline too.

    The graph is read under the snapshot's bad-record policy: past the limit it stops unless
    ``allow_damaged``; ``strict`` stops at the first bad record.
    """
    scenario = Scenario()
    for a in options.without_ases:
        scenario = scenario.without_as(a)
    for a, b in options.without_links:
        scenario = scenario.without_link(a, b)
    snapshot = Snapshot.for_date(date, settings=settings, strict=strict, allow_damaged=allow_damaged,
                                 progress=progress, choices=uses)
    dataset = "caida-asrel2" if options.serial2 else "caida-asrel"
    bad = snapshot.bad
    graph = load_as_relationships(snapshot.input_path(dataset), bad=bad)
    for a in options.from_ases:
        graph.require_index(a)
    overlay = compile_overlay(graph, scenario)
    routes = propagate(graph, options.origin, scenario=overlay, keep_all_ties=options.keep_all_ties)
    against = None
    if not scenario.is_baseline:
        against = compare_scenario(graph, overlay, [options.origin], max_details=0).totals()
    return SimulationResult(options.origin, scenario.describe(), routes.summary(),
                            [_route(routes, a, options.keep_all_ties) for a in options.from_ases],
                            next(s for s in snapshot.provenance() if s["dataset"] == dataset), bad.summary(), against,
                            tuple(snapshot.release_notes()))

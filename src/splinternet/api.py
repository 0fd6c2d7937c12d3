"""The library's front door: one call per question, each returning a result dataclass.

These functions join the data layer (a :class:`Snapshot` of public datasets for a date)
with the analyses. The CLI and the web app are thin shells over them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from .errors import ParameterError, UnknownCountryError
from .progress import NO_PROGRESS, Progress
from .sources.snapshot import Snapshot

__all__ = ["Evidence", "TransitOptions", "country_membership", "transit"]


class Evidence(StrEnum):
    SIMULATED = "simulated"
    OBSERVED = "observed"


@dataclass(frozen=True)
class TransitOptions:
    """How to run the transit analysis; the defaults are what docs/methodology.md describes."""

    view: str = "address"
    weighting: str = "space"
    evidence: Evidence = Evidence.SIMULATED
    vantages: tuple[int, ...] = ()
    top: int = 25
    workers: int = 2


def _check_cc(cc: str) -> str:
    code = cc.strip().upper()
    if len(code) != 2 or not code.isalpha():
        raise UnknownCountryError(f"not a country code: {cc!r}; expected two letters such as RU or DE")
    return code


def country_membership(snapshot: Snapshot, cc: str, *, view: str = "address", weighting: str = "space"):  # noqa: ANN201
    """The domestic origins of a country with their weights (analysis.country.CountryOrigins)."""
    from .analysis.country import MembershipView, Weighting, country_origins
    from .errors import DataNotFoundError

    code = _check_cc(cc)
    try:
        membership_view = MembershipView(view)
        weights = Weighting(weighting)
    except ValueError as exc:
        raise ParameterError(str(exc)) from None
    orgs = snapshot.orgs()
    if code not in orgs.known_countries():
        raise UnknownCountryError(f"no AS organization is registered in {code}: unknown country code")
    pfx4 = snapshot.pfx2as(4)
    try:
        pfx6 = snapshot.pfx2as(6)
    except DataNotFoundError as exc:
        snapshot.notes.append(f"IPv6 left out: {exc}")
        pfx6 = None
    blocks = None
    if membership_view is MembershipView.ADDRESS:
        try:
            blocks = snapshot.country_blocks(code)
        except DataNotFoundError as exc:
            raise UnknownCountryError(f"no address blocks for {code}: {exc}") from None
    return country_origins(code, pfx4, pfx6, orgs, blocks, view=membership_view, weighting=weights)


def transit(
    cc: str,
    date: str | dt.date | None,
    *,
    options: TransitOptions = TransitOptions(),
    snapshot: Snapshot | None = None,
    progress: Progress = NO_PROGRESS,
):  # noqa: ANN201 - analysis.transit.TransitReport
    """Who carries country ``cc`` to the world on ``date``: ranked providers, gateways, transit shares."""
    from .analysis.transit import transit_report
    from .analysis.transit_evidence import pick_candidates, simulate_evidence

    snapshot = snapshot or Snapshot.for_date(date, progress=progress)
    origins = country_membership(snapshot, cc, view=options.view, weighting=options.weighting)
    graph = snapshot.graph()
    vantages = np.asarray(options.vantages, dtype=np.uint32) if options.vantages else None
    if options.evidence is not Evidence.SIMULATED:
        raise ParameterError(f"evidence {options.evidence.value!r} is not available for transit yet")
    pilot_origins = origins.asns[np.argsort(-origins.weight, kind="stable")[:200]]
    pilot = simulate_evidence(graph, origins, vantages=vantages, origin_subset=pilot_origins,
                              workers=options.workers)
    evidence = simulate_evidence(graph, origins, vantages=vantages, candidates=pick_candidates(pilot),
                                 workers=options.workers, progress=progress)
    report = transit_report(evidence, origins, snapshot.orgs(), graph, date=_date_text(snapshot), top=options.top)
    return _with_sources(report, snapshot)


def _date_text(snapshot: Snapshot) -> str:
    return snapshot.date.strftime("%Y-%m-%d") if snapshot.date else "latest"


def _with_sources(report, snapshot: Snapshot):  # noqa: ANN001, ANN202
    from dataclasses import replace

    notes = list(snapshot.notes) + [f"{r.dataset}: {r.note}" for r in snapshot.releases.values() if r.note]
    if snapshot.prefixes_date != snapshot.date:
        notes.append("prefix-to-AS data taken from a different date than the topology, as asked")
    return replace(report, sources=snapshot.provenance(), notes=notes)

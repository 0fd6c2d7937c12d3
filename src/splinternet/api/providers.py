"""Who carries a country to the world on a date: ranked foreign providers, domestic gateways, shares.

Also the pieces what-if, diff and the timelines share: the country's membership and the
simulated path evidence (with the pilot run that picks the trimmed-mean candidates).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import NamedTuple

import numpy as np

from ..analysis.country import (
    CountryOrigins,
    MembershipView,
    OriginIndex,
    Weighting,
    country_origins,
)
from ..analysis.flow_measures import (
    DEFAULT_TIES,
    DEFAULT_VANTAGES,
    FlowMeasures,
    TieRule,
    VantageScheme,
    flow_evidence,
    headline_flows,
)
from ..analysis.observed import observed_evidence
from ..analysis.org_merge import Grouping
from ..analysis.scenario import Overlay
from ..analysis.transit import TransitReport, transit_report
from ..analysis.transit_evidence import PathEvidence
from ..errors import DataNotFoundError, ParameterError, UnknownCountryError
from ..progress import NO_PROGRESS, Progress
from ..sources.asorg import OrgTable
from ..sources.pfx2as import Pfx2As
from ..sources.snapshot import DatasetChoices, Snapshot, snapshot_for
from ..tables.topology import ASGraph
from . import params
from .archives import archive_paths, archive_table, collector_vantages
from .handoff import with_handoff_check
from .observed_view import observed_view

__all__ = ["Evidence", "Membership", "SingleOriginIndex", "TransitOptions", "collector_asns", "country_membership",
           "largest_blocks", "simulated_flows", "simulated_report", "single_origin_index", "transit",
           "vantage_concentration", "with_sources"]


_BLOCK_DATASETS = ("ipverse-country", "rir-delegated")  # one file per country or region, not per analysis


class Evidence(StrEnum):
    """Where the paths come from: simulated on the AS graph, or observed in collectors' MRT archives."""

    SIMULATED = "simulated"
    OBSERVED = "observed"


@dataclass(frozen=True)
class TransitOptions:
    """How to run the transit analysis; the defaults are what docs/methodology.md describes."""

    view: MembershipView = MembershipView.ADDRESS
    weighting: Weighting = Weighting.IPV4
    evidence: Evidence = Evidence.SIMULATED
    ties: TieRule = DEFAULT_TIES  # simulated: how equally good routes share traffic
    vantage_weights: VantageScheme = DEFAULT_VANTAGES  # simulated: who sends traffic into the country
    vantages: tuple[int, ...] = ()  # simulated: only these ASes, equally (replaces vantage_weights)
    top: int = 25
    workers: int = 2  # simulated: the sums are split into this many parts (the figures' last bits depend on it)
    threads: int | None = None  # simulated: how many of those parts run at once (None: all); figures do not depend on it
    max_origins: int | None = None  # only the largest origins by weight (a quick look); None = all
    collectors: tuple[str, ...] = ("rrc00", "route-views2")  # observed evidence: whose archives
    mrt_files: tuple[str, ...] = ()  # observed evidence from these files instead of the catalog
    full_feed_share: float = 0.5  # observed: peers with at least this share of the largest peer's prefixes
    rank_thin_evidence: bool = False  # observed: rank even below the coverage floor (observed_agreement)
    by: Grouping = Grouping.AS  # rows per AS, or per organization (sibling ASes merged: analysis/org_merge)
    stability: bool = False  # simulated: re-rank over the honest variants (api/stability.py); 8 propagations
    stability_rows: int = 10  # the top rows of each headline table whose rank ranges are given

    def __post_init__(self) -> None:
        """Names given as text ("address", "space") become the enums; anything else is refused here."""
        try:
            object.__setattr__(self, "view", MembershipView(self.view))
            object.__setattr__(self, "weighting", Weighting(self.weighting))
            object.__setattr__(self, "evidence", Evidence(self.evidence))
            object.__setattr__(self, "ties", TieRule(self.ties))
            object.__setattr__(self, "vantage_weights", VantageScheme(self.vantage_weights))
            object.__setattr__(self, "by", Grouping(self.by))
        except ValueError as exc:
            raise ParameterError(str(exc)) from None
        if self.stability and self.evidence is not Evidence.SIMULATED:
            raise ParameterError("stability re-runs the simulation over its variants; observed paths have none",
                                 parameter="stability")
        if self.max_origins is not None and self.max_origins < 1:  # a slice by -1 would quietly drop one origin
            raise ParameterError(f"max origins must be at least 1, not {self.max_origins}", parameter="max_origins")
        if self.stability_rows < 1:
            raise ParameterError(f"stability rows must be at least 1, not {self.stability_rows}",
                                 parameter="stability_rows")


@dataclass(frozen=True)
class Membership:
    """A country's domestic origins, and what was left out on the way (IPv6 without a release)."""

    origins: CountryOrigins
    notes: tuple[str, ...] = ()


def country_membership(snapshot: Snapshot, cc: str, *, view: MembershipView | str = MembershipView.ADDRESS,
                       weighting: Weighting | str = Weighting.IPV4,
                       indexes: dict[int, OriginIndex] | None = None) -> Membership:
    """The domestic origins of a country with their weights (``indexes``: see ``country_origins``)."""
    code = params.country_code(cc)
    try:
        membership_view = MembershipView(view)
        weights = Weighting(weighting)
    except ValueError as exc:
        raise ParameterError(str(exc)) from None
    orgs = snapshot.orgs()
    if code not in orgs.known_countries():
        raise UnknownCountryError(f"no AS organization is registered in {code}: unknown country code")
    notes: list[str] = []
    pfx4 = snapshot.pfx2as(4)
    try:
        pfx6 = snapshot.pfx2as(6)
    except DataNotFoundError as exc:
        notes.append(f"IPv6 left out: {exc}")
        pfx6 = None
    blocks = None
    if membership_view is MembershipView.ADDRESS:
        try:
            detail = snapshot.country_blocks_detail(code)
            blocks = detail.blocks
            notes.extend(detail.notes)
        except DataNotFoundError as exc:
            raise UnknownCountryError(f"no address blocks for {code}: {exc}") from None
    origins = country_origins(code, pfx4, pfx6, orgs, blocks, view=membership_view, weighting=weights,
                              indexes=indexes)
    if pfx6 is None:  # IPv6 was not measured: its routed space and coverage are unknown, not zero
        origins = replace(origins, routed_v6_slash64=float("nan"))
    return Membership(origins, tuple(notes))


def simulated_flows(graph: ASGraph, origins: CountryOrigins, pfx4: Pfx2As, options: TransitOptions, *,
                    overlay: Overlay | None = None, eligible: np.ndarray | None = None,
                    space: np.ndarray | None = None, more_vantages: tuple[VantageScheme, ...] = (),
                    collectors: np.ndarray | None = None, tie_seed: int | None = None,
                    progress: Progress = NO_PROGRESS) -> tuple[PathEvidence, FlowMeasures]:
    """Simulated flows with the options' tie rule and vantage points, and the evidence a report reads from them.

    ``eligible`` (bool per AS, graph order) limits the vantage points (a what-if uses the
    same ones before and after); ``space`` is each AS's originated IPv4 space when already
    computed (a world run computes it once); ``more_vantages`` adds columns after the
    options' own (column 0, the one the evidence reads); ``collectors``, the AS numbers
    feeding the route collectors when the options ask for them as vantage points
    (:func:`collector_asns`); ``tie_seed``, random tie orders (each AS its own) instead of
    the options' tie rule, for the stability variants.
    """
    if options.evidence is not Evidence.SIMULATED:
        raise ParameterError("what-if and diff simulate routes; observed paths cannot show a changed topology")
    subset = None
    if options.max_origins:
        subset = origins.asns[np.argsort(-origins.weight, kind="stable")[: options.max_origins]]
    chosen = np.asarray(options.vantages, dtype=np.uint32) if options.vantages else None
    flows = headline_flows(graph, origins, pfx4, vantages=options.vantage_weights, ties=options.ties,
                           scenario=overlay, space=space, chosen_vantages=chosen, eligible=eligible,
                           origin_subset=subset, more_vantages=more_vantages, collectors=collectors,
                           workers=options.workers, threads=options.threads, tie_seed=tie_seed,
                           progress=progress)
    evidence = flow_evidence(flows, origins)
    if subset is not None:
        skipped = ~np.isin(origins.asns, subset)
        evidence.details["origins_skipped_by_limit"] = int(skipped.sum())
        evidence.details["weight_skipped_by_limit"] = float(origins.weight[skipped].sum())
    return evidence, flows


def collector_asns(snapshot: Snapshot, options: TransitOptions) -> tuple[np.ndarray | None, dict[str, object] | None]:
    """The ASes feeding the route collectors and where they were read, when the options take them as
    vantage points (``vantage_weights="collectors"``, no chosen ones); else (None, None)."""
    if options.vantages or options.vantage_weights is not VantageScheme.COLLECTORS:
        return None, None
    return collector_vantages(snapshot, options.collectors, options.mrt_files, options.full_feed_share)


def simulated_report(snapshot: Snapshot, origins: CountryOrigins, options: TransitOptions, *,
                     overlay: Overlay | None = None, eligible: np.ndarray | None = None,
                     space: np.ndarray | None = None, top: int | None = None,
                     progress: Progress = NO_PROGRESS) -> tuple[TransitReport, PathEvidence]:
    """The transit report from simulated flows (no sources yet: see :func:`with_sources`), and its evidence."""
    graph = snapshot.graph()
    collectors, about = collector_asns(snapshot, options)
    evidence, flows = simulated_flows(graph, origins, snapshot.pfx2as(4), options, overlay=overlay,
                                      eligible=eligible, space=space, collectors=collectors, progress=progress)
    if about is not None:
        evidence.details["collector_vantages"] = about
    report = transit_report(evidence, origins, snapshot.orgs(), graph, date=snapshot.date_text,
                            top=options.top if top is None else top, overlay=overlay, flows=flows, by=options.by)
    return with_handoff_check(report, evidence, snapshot), evidence


def transit(cc: str, date: str | dt.date | None, *, options: TransitOptions = TransitOptions(),
            snapshot: Snapshot | None = None, uses: DatasetChoices | None = None,
            progress: Progress = NO_PROGRESS) -> TransitReport:
    """Who carries country ``cc`` to the world on ``date``: ranked providers, gateways, transit shares.

    ``uses`` replaces the catalog's release of single datasets (a date or a file each).
    """
    snapshot = snapshot_for(date, snapshot, uses=uses, progress=progress)
    membership = country_membership(snapshot, cc, view=options.view, weighting=options.weighting)
    origins = membership.origins
    graph = snapshot.graph()
    notes = list(membership.notes)
    if options.evidence is Evidence.OBSERVED:
        evidence = _observed(snapshot, origins, options, notes)
        report = transit_report(evidence, origins, snapshot.orgs(), graph, date=snapshot.date_text,
                                top=options.top, by=options.by)
    elif options.stability:
        report, evidence = _with_stability(snapshot, origins, options, progress)
    else:
        report, evidence = simulated_report(snapshot, origins, options, progress=progress)
    report.evidence["gateway_blocks"] = largest_blocks([g.asn for g in report.gateways], origins,
                                                       snapshot.pfx2as(4))
    report.evidence["vantage_concentration"] = (
        vantage_concentration(evidence, [p.asn for p in report.providers], snapshot.orgs())
        if evidence.kind == Evidence.OBSERVED else None)
    if evidence.kind == Evidence.OBSERVED:  # too thin to rank, or ranked beside the simulated view
        report = observed_view(report, rank_thin=options.rank_thin_evidence, top=options.top, simulated=lambda: transit(
            cc, None, options=replace(options, evidence=Evidence.SIMULATED), snapshot=snapshot, progress=progress))
    return with_sources(report, snapshot, notes)


def _with_stability(snapshot: Snapshot, origins: CountryOrigins, options: TransitOptions, progress: Progress
                    ) -> tuple[TransitReport, PathEvidence]:
    """The simulated report with the rank ranges of api/stability.py, which runs these options' flows."""
    from .stability import stability_report

    pfx4 = snapshot.pfx2as(4)
    collectors, about = collector_asns(snapshot, options)

    def run(graph: ASGraph, ties: TieRule, more: tuple[VantageScheme, ...], space: np.ndarray | None,
            tie_seed: int | None = None) -> tuple[PathEvidence, FlowMeasures]:
        evidence, flows = simulated_flows(graph, origins, pfx4, replace(options, ties=ties), space=space,
                                          more_vantages=more, collectors=collectors, tie_seed=tie_seed,
                                          progress=progress)
        if about is not None:
            evidence.details["collector_vantages"] = about
        return evidence, flows

    report, evidence = stability_report(snapshot, origins, run, ties=options.ties, top=options.top,
                                        vantages=None if options.vantages else options.vantage_weights,
                                        rows=options.stability_rows, by=options.by)
    return with_handoff_check(report, evidence, snapshot), evidence


def vantage_concentration(evidence: PathEvidence, asns: list[int], orgs: OrgTable) -> list[dict[str, object]]:
    """For each AS of ``asns``: the vantage point whose paths through it weigh most, and how much of them.

    Observed evidence keeps every vantage point's share of the country's paths that cross
    each AS (``PathEvidence.shares``, the per-vantage sums the trimmed mean reads). When one
    collector peer holds most of an AS's paths, that AS's figures are one network's view;
    front ends caution about it. A vantage point's paths start at it, so its own feed does
    not count towards it here: ``vantage_point`` says when the AS is itself one (its share
    may then come from its own feed, which this cannot split), ``vantage_asn`` is None when
    no other peer's path crosses it.
    """
    column = {int(a): i for i, a in enumerate(evidence.candidates.tolist())}
    peers = set(evidence.vantages.tolist())
    out: list[dict[str, object]] = []
    for asn in asns:
        c = column.get(asn)
        per_vantage = evidence.shares[:, c] if c is not None else np.zeros(0)
        total = float(per_vantage.sum())
        row: dict[str, object] = {"asn": asn, "vantage_point": asn in peers, "vantage_asn": None, "vantage_name": "",
                                  "vantage_as_name": "", "share_of_paths": None,
                                  "vantage_points": int(np.count_nonzero(per_vantage > 0))}
        if total > 0:
            top = int(np.argmax(per_vantage))
            vantage = np.asarray(evidence.vantages[top: top + 1], dtype=np.uint32)
            row.update(vantage_asn=int(vantage[0]), vantage_name=str(orgs.names(vantage)[0]),
                       vantage_as_name=str(orgs.aut_names(vantage)[0]),
                       share_of_paths=float(per_vantage[top]) / total)
        out.append(row)
    return out


class SingleOriginIndex(NamedTuple):
    """A table's IPv4 entries with one origin, ordered by that origin (table order among equals), and
    those origins: built once when many countries' gateway blocks are looked up (a world run)."""

    entries: np.ndarray
    origin: np.ndarray


def single_origin_index(pfx4: Pfx2As) -> SingleOriginIndex:
    first = pfx4.first_origin()
    single = np.flatnonzero((pfx4.version == 4) & (np.diff(pfx4.origin_offsets) == 1))
    entries = single[np.argsort(first[single], kind="stable")]
    return SingleOriginIndex(entries, first[entries])


def largest_blocks(asns: list[int], origins: CountryOrigins, pfx4: Pfx2As, index: SingleOriginIndex | None = None
                   ) -> list[dict[str, object]]:
    """The largest IPv4 prefix each AS originates alone, and its size against the AS's space in the country.

    A gateway ranked on one large block of its own (a company's /8) is a different fact
    from one that carries many networks; front ends caution about the first. ``index``
    (:func:`single_origin_index` of ``pfx4``) replaces a pass over the table.
    """
    if index is None:  # one pass over the table for all the ASes: cheaper than an index for one country
        first = pfx4.first_origin()
        theirs = np.flatnonzero((pfx4.version == 4) & (np.diff(pfx4.origin_offsets) == 1)
                                & np.isin(first, np.asarray(asns, dtype=first.dtype)))
        theirs = theirs[np.argsort(first[theirs], kind="stable")]
        index = SingleOriginIndex(theirs, first[theirs])
    wanted = np.asarray(asns, dtype=index.origin.dtype)  # searched in the index's own type: no copy of it per AS
    lows, highs = index.origin.searchsorted(wanted, "left").tolist(), index.origin.searchsorted(wanted, "right").tolist()
    own = dict(zip(origins.asns.tolist(), origins.v4_addresses.tolist(), strict=True))
    out: list[dict[str, object]] = []
    for asn, lo, hi in zip(asns, lows, highs, strict=True):
        rows = index.entries[lo:hi]
        space = own.get(asn, 0.0)
        if len(rows) == 0 or space <= 0:
            continue
        row = rows[np.argmin(pfx4.length[rows])]
        size = float(2 ** (32 - int(pfx4.length[row])))
        out.append({"asn": asn, "prefix": f"{ipaddress.IPv4Address(int(pfx4.lo[row]))}/{int(pfx4.length[row])}",
                    "ipv4_addresses": size, "share_of_own_space": min(size / space, 1.0)})
    return out


def _observed(snapshot: Snapshot, origins: CountryOrigins, options: TransitOptions, notes: list[str]
              ) -> PathEvidence:
    """Observed path evidence from MRT files: the given ones, or each collector's RIB (else update file) for the date."""
    paths = archive_paths(snapshot, options.collectors, options.mrt_files, notes)
    blocks = snapshot.country_blocks(origins.cc) if origins.view.value == "address" else None
    evidence = observed_evidence(archive_table(snapshot, paths), origins, blocks,
                                 full_feed_share=options.full_feed_share)
    evidence.details["mrt_files"] = [str(p) for p in paths]
    return evidence


def with_sources(report: TransitReport, snapshot: Snapshot, notes: list[str] | tuple[str, ...] = ()
                 ) -> TransitReport:
    """The report with the snapshot's provenance and every note: the caller's, then the releases'.

    A snapshot serves many countries (the web app, a world run): of the country-block files
    it holds, only those this report's country was read from are listed.
    """
    collectors = report.evidence.get("collector_vantages") or {}  # a collector without archives, as a note
    every = (list(notes) + list(collectors.get("notes", [])) + snapshot.date_notes() + snapshot.release_notes()
             + snapshot.damage_notes())
    blocks = snapshot.loaded_country_blocks(report.cc)
    mine = {r.url for r in blocks.releases} if blocks is not None else set()
    sources = [s for s in snapshot.provenance() if s.get("dataset") not in _BLOCK_DATASETS or s.get("url") in mine]
    return replace(report, sources=sources, notes=every)

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

__all__ = ["Evidence", "TransitOptions", "country_membership", "diff", "ip_lookup", "transit", "whatif"]


class Evidence(StrEnum):
    SIMULATED = "simulated"
    OBSERVED = "observed"
    BOTH = "both"  # the CLI runs both and shows them side by side


@dataclass(frozen=True)
class TransitOptions:
    """How to run the transit analysis; the defaults are what docs/methodology.md describes."""

    view: str = "address"
    weighting: str = "space"
    evidence: Evidence = Evidence.SIMULATED
    vantages: tuple[int, ...] = ()
    top: int = 25
    workers: int = 2
    max_origins: int | None = None  # only the largest origins by weight (a quick look); None = all
    collectors: tuple[str, ...] = ("rrc00", "route-views2")  # observed evidence: whose archives
    mrt_files: tuple[str, ...] = ()  # observed evidence from these files instead of the catalog
    full_feed_share: float = 0.5  # observed: peers with at least this share of the largest peer's prefixes


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


def _evidence(graph, origins, options: TransitOptions, *, overlay=None, candidates=None,  # noqa: ANN001, ANN202
              vantages=None, progress: Progress = NO_PROGRESS):
    """Simulated path evidence; candidates for the trimmed mean come from a pilot run on the largest origins."""
    from .analysis.transit_evidence import pick_candidates, simulate_evidence

    if options.evidence is not Evidence.SIMULATED:
        raise ParameterError("what-if and diff simulate routes; observed paths cannot show a changed topology")
    if vantages is None and options.vantages:
        vantages = np.asarray(options.vantages, dtype=np.uint32)
    subset = None
    if options.max_origins:
        subset = origins.asns[np.argsort(-origins.weight, kind="stable")[: options.max_origins]]
    if candidates is None:
        pilot_origins = origins.asns[np.argsort(-origins.weight, kind="stable")[:200]]
        pilot = simulate_evidence(graph, origins, scenario=overlay, vantages=vantages, origin_subset=pilot_origins,
                                  workers=options.workers)
        candidates = pick_candidates(pilot)
    evidence = simulate_evidence(graph, origins, scenario=overlay, vantages=vantages, candidates=candidates,
                                 origin_subset=subset, workers=options.workers, progress=progress)
    if subset is not None:
        skipped = ~np.isin(origins.asns, subset)
        evidence.details["origins_skipped_by_limit"] = int(skipped.sum())
        evidence.details["weight_skipped_by_limit"] = float(origins.weight[skipped].sum())
    return evidence


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

    snapshot = snapshot or Snapshot.for_date(date, progress=progress)
    origins = country_membership(snapshot, cc, view=options.view, weighting=options.weighting)
    graph = snapshot.graph()
    if options.evidence is Evidence.OBSERVED:
        evidence = _observed(snapshot, origins, options)
    else:
        evidence = _evidence(graph, origins, options, progress=progress)
    report = transit_report(evidence, origins, snapshot.orgs(), graph, date=_date_text(snapshot), top=options.top)
    return _with_sources(report, snapshot)


def _observed(snapshot: Snapshot, origins, options: TransitOptions):  # noqa: ANN001, ANN202
    """Observed path evidence from MRT files: the given ones, or each collector's RIB (else update file) for the date."""
    from .analysis.observed import observed_evidence
    from .errors import DataNotFoundError
    from .sources.mrt import read_mrt
    from .sources.mrt.table import concat_tables

    paths = list(options.mrt_files)
    if not paths:
        for collector in options.collectors:
            family = "ris" if collector.startswith("rrc") else "routeviews"
            try:
                paths.append(str(snapshot.release(f"{family}-rib", collector=collector).path))
            except DataNotFoundError:
                try:
                    paths.append(str(snapshot.release(f"{family}-updates", collector=collector).path))
                except DataNotFoundError as exc:
                    snapshot.notes.append(_left_out(f"collector {collector}", exc))
    if not paths:
        raise DataNotFoundError("MRT archives", _date_text(snapshot), reason="no RIB or update file for any collector "
                                f"({', '.join(options.collectors)}) at this date")
    tables = []
    for path in paths:
        result = read_mrt(path, strict=snapshot.strict)
        snapshot.bad.merge(result.bad)
        tables.append(result.table)
    blocks = snapshot.country_blocks(origins.cc) if origins.view.value == "address" else None
    evidence = observed_evidence(concat_tables(tables), origins, blocks, full_feed_share=options.full_feed_share)
    evidence.details["mrt_files"] = [str(p) for p in paths]
    return evidence


def whatif(
    cc: str,
    date: str | dt.date | None,
    without: list[int],
    *,
    links_only: bool = False,
    options: TransitOptions = TransitOptions(),
    snapshot: Snapshot | None = None,
    progress: Progress = NO_PROGRESS,
):  # noqa: ANN201 - analysis.whatif.WhatIfReport
    """Remove ASes (or only their links into the country), re-run route selection, compare with before."""
    from dataclasses import replace

    from .analysis.scenario import Scenario, compile_overlay
    from .analysis.transit import transit_report
    from .analysis.whatif import compare_scenario

    if not without:
        raise ParameterError("name at least one AS to remove")
    snapshot = snapshot or Snapshot.for_date(date, progress=progress)
    origins = country_membership(snapshot, cc, view=options.view, weighting=options.weighting)
    graph = snapshot.graph()
    orgs = snapshot.orgs()
    scenario = Scenario()
    for asn in without:
        graph.require_index(asn)
        scenario = scenario.without_links_to(asn, origins.domestic) if links_only else scenario.without_as(asn)
    overlay = compile_overlay(graph, scenario)
    base_overlay = compile_overlay(graph, None)
    # the same vantage points before and after: removed ASes are not vantage points in either
    is_domestic = np.isin(graph.asns, origins.domestic)
    eligible = ~is_domestic & overlay.node_enabled if not options.vantages else np.isin(
        graph.asns, np.asarray(options.vantages, dtype=np.uint32)) & overlay.node_enabled
    vantages = graph.asns[eligible]
    base = _evidence(graph, origins, options, overlay=base_overlay, vantages=vantages, progress=progress)
    scen = _evidence(graph, origins, options, overlay=overlay, candidates=base.candidates, vantages=vantages,
                     progress=progress)
    day = _date_text(snapshot)
    base_report = transit_report(base, origins, orgs, graph, date=day, top=options.top)
    scen_report = transit_report(scen, origins, orgs, graph, date=day, overlay=overlay, top=options.top)
    report = compare_scenario(origins, graph, orgs, base, scen, base_report, scen_report, overlay,
                              scenario.describe(), date=day, top=options.top)
    sourced = _with_sources(base_report, snapshot)
    return replace(report, before=sourced, after=replace(scen_report, sources=sourced.sources), notes=sourced.notes)


def diff(
    cc: str,
    date_from: str | dt.date,
    date_to: str | dt.date,
    *,
    options: TransitOptions = TransitOptions(),
    prefixes_date: str | dt.date | None = None,
    settings=None,  # noqa: ANN001 - config.Settings
    progress: Progress = NO_PROGRESS,
    strict: bool = False,
    allow_damaged: bool = False,
):  # noqa: ANN201 - analysis.diff.DiffReport
    """What changed for ``cc`` between two dates: border links, provider shares, single-homed networks."""
    from .analysis.diff import compare_dates
    from .analysis.transit import transit_report

    snaps = [Snapshot.for_date(d, settings=settings, prefixes_date=prefixes_date, progress=progress, strict=strict,
                               allow_damaged=allow_damaged)
             for d in (date_from, date_to)]
    if snaps[0].date and snaps[1].date and snaps[0].date >= snaps[1].date:
        raise ParameterError("the first date must come before the second")
    results = []
    for snap in snaps:
        origins = country_membership(snap, cc, view=options.view, weighting=options.weighting)
        graph = snap.graph()
        evidence = _evidence(graph, origins, options, progress=progress)
        report = _with_sources(transit_report(evidence, origins, snap.orgs(), graph, date=_date_text(snap),
                                              top=options.top), snap)
        results.append((origins, graph, report))
    if snaps[0].releases.get("caida-asrel") and snaps[1].releases.get("caida-asrel") and \
            snaps[0].releases["caida-asrel"].url == snaps[1].releases["caida-asrel"].url:
        raise ParameterError("both dates resolve to the same AS-relationship release; pick dates a release apart")
    (o1, g1, r1), (o2, g2, r2) = results
    return compare_dates(o1, o2, g1, g2, r1, r2, snaps[1].orgs(), top=options.top)


_CLOUD_DATASETS = (("aws-ip-ranges", {}), ("gcp-ip-ranges", {}), ("azure-service-tags", {}), ("oracle-ip-ranges", {}),
                   ("digitalocean-ranges", {}), ("cloudflare-ips", {"family": "4"}), ("cloudflare-ips", {"family": "6"}))
_RIRS = ("afrinic", "apnic", "arin", "lacnic", "ripencc")


def ip_lookup(address: str, *, snapshot: Snapshot | None = None, date: str | dt.date | None = None,
              cloud_files: list[str] | None = None):  # noqa: ANN201 - analysis.address.AddressInfo
    """Covering prefix, origin AS(es) with names, registry country and cloud range of one address.

    Each input that has no release for the date is left out and named in the notes.
    """
    from dataclasses import replace

    from .analysis.address import describe_address, parse_address
    from .errors import DataNotFoundError, DownloadError
    from .sources.cloud import load_cloud_files

    version = parse_address(address).version
    snapshot = snapshot or Snapshot.for_date(date)
    notes: list[str] = []
    try:
        pfx = snapshot.pfx2as(version)
    except (DataNotFoundError, DownloadError) as exc:
        pfx = None
        notes.append(_left_out("prefix-to-AS", exc))
    delegations = []
    for rir in _RIRS:
        try:
            delegations.append(snapshot.delegations(rir))
        except (DataNotFoundError, DownloadError) as exc:
            notes.append(_left_out(f"{rir} delegations", exc))
    if cloud_files:
        cloud = load_cloud_files(cloud_files, bad=snapshot.bad)
    else:
        parts = []
        for dataset, params in _CLOUD_DATASETS:
            try:
                parts.append(snapshot.cloud_ranges(dataset, **params))
            except (DataNotFoundError, DownloadError) as exc:
                notes.append(_left_out(dataset + "".join(f" {v}" for v in params.values()), exc))
        from .sources.cloud import concat_cloud

        cloud = concat_cloud(parts, bad=snapshot.bad) if parts else None
    info = describe_address(address, pfx, snapshot.orgs(), delegations, cloud)
    notes += [f"{r.dataset}: {r.note}" for r in snapshot.releases.values() if r.note] + snapshot.damage_notes()
    return replace(info, sources=snapshot.provenance(), notes=notes)


def _left_out(what: str, exc: Exception) -> str:
    """A one-line note for an input that had no release: what, and the nearest that exist."""
    nearest = getattr(exc, "nearest", None)
    if nearest:
        return f"{what} left out: no release for this date (nearest: {', '.join(nearest)})"
    if getattr(exc, "dataset", None):
        return f"{what} left out: no release found"
    return f"{what} left out: {exc}"


def _date_text(snapshot: Snapshot) -> str:
    return snapshot.date_label()


def _with_sources(report, snapshot: Snapshot):  # noqa: ANN001, ANN202
    from dataclasses import replace

    notes = list(snapshot.notes) + snapshot.date_notes() + [
        f"{r.dataset}: {r.note}" for r in snapshot.releases.values() if r.note]
    notes += snapshot.damage_notes()
    if snapshot.prefixes_date != snapshot.date:
        notes.append("prefix-to-AS data taken from a different date than the topology, as asked")
    return replace(report, sources=snapshot.provenance(), notes=notes)

"""Every country's transit picture on a date in one run, written as a Parquet dataset, and read back.

``build_world`` computes, for every country with routed address space, the report ``transit``
gives (same membership, the same simulated flows, every provider and gateway kept) plus
the indices a map shows, and writes them per country (``sources/world_store.py``). The
space every AS originates (the default vantage weights) and the origin index are computed
once for all countries. A rerun on the same directory skips countries whose
files are intact; a directory of another date or other options is refused.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import math
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any, ClassVar

from .. import __version__
from ..analysis.country import MembershipView, Weighting, origin_index
from ..analysis.flow_measures import (
    DEFAULT_TIES,
    DEFAULT_VANTAGES,
    TieRule,
    VantageScheme,
    originated_space,
)
from ..analysis.flow_measures import warm_kernels as warm_flow_kernels
from ..analysis.results import Result
from ..analysis.transit import ORG_ROW_FIELDS, GatewayRow, ProviderRow, TransitReport, summarize
from ..analysis.world_indices import CountryIndices, OrganizationRow, country_indices, organizations
from ..errors import DataNotFoundError, ParameterError, UnknownCountryError
from ..progress import NO_PROGRESS, Progress
from ..sources.snapshot import DatasetChoices, Snapshot, snapshot_for
from ..sources.world_store import WorldStore
from . import params
from .providers import (
    Membership,
    TransitOptions,
    country_membership,
    largest_blocks,
    simulated_report,
    single_origin_index,
    with_sources,
)

__all__ = ["WorldOptions", "WorldSummary", "build_world", "world_country", "world_indices"]

MAX_TOP = 100  # rows per table world_country can return: gateway blocks are kept for this many gateways


@dataclass(frozen=True)
class WorldOptions:
    """What ``build_world`` computes; the transit options that matter for the figures are recorded in the run."""

    view: MembershipView = MembershipView.ADDRESS
    weighting: Weighting = Weighting.IPV4
    ties: TieRule = DEFAULT_TIES
    vantage_weights: VantageScheme = DEFAULT_VANTAGES
    countries: tuple[str, ...] = ()  # empty: every country with routed space
    max_origins: int | None = None  # as TransitOptions.max_origins (a quick look)
    workers: int = 2  # as TransitOptions.workers: sums are split the same way, so figures equal transit's
    carriers: int = 0  # "one carrier away": remove each of this many top providers (one what-if run each)

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "view", MembershipView(self.view))
            object.__setattr__(self, "weighting", Weighting(self.weighting))
            object.__setattr__(self, "ties", TieRule(self.ties))
            object.__setattr__(self, "vantage_weights", VantageScheme(self.vantage_weights))
        except ValueError as exc:
            raise ParameterError(str(exc)) from None
        object.__setattr__(self, "countries", tuple(params.country_code(c) for c in self.countries))
        if self.workers < 1:
            raise ParameterError(f"workers must be at least 1, not {self.workers}", parameter="workers")
        if self.carriers < 0:
            raise ParameterError(f"carriers must be at least 0, not {self.carriers}", parameter="carriers")
        self.transit_options()  # refuses what transit refuses (e.g. max_origins below 1)

    def transit_options(self) -> TransitOptions:
        return TransitOptions(view=self.view, weighting=self.weighting, ties=self.ties,
                              vantage_weights=self.vantage_weights, max_origins=self.max_origins,
                              workers=self.workers)


@dataclass(frozen=True, repr=False)
class WorldSummary(Result):
    """What a world run did: countries written, reused from an earlier run, skipped (and why), its cost."""

    _tables: ClassVar[tuple[str, ...]] = ("skipped",)

    out: str
    date: str
    done: list[str]
    reused: list[str]
    skipped: list[dict[str, str]]
    routing_trees: int  # propagations run (stub origins with the same neighbours share one)
    seconds: dict[str, float]
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _candidates(snapshot: Snapshot, options: WorldOptions) -> list[str]:
    """Every country an organization is registered in, or the ones asked for: a code no organization
    is registered in is refused before any work, as ``transit`` refuses it (a typo is not a country
    left out for lack of data)."""
    known = snapshot.orgs().known_countries()
    if not options.countries:
        return sorted(known)
    unknown = [cc for cc in options.countries if cc not in known]
    if unknown:
        raise UnknownCountryError(f"no AS organization is registered in {', '.join(unknown)}: unknown country "
                                  f"code{'s' if len(unknown) > 1 else ''}", parameter="countries")
    return list(options.countries)


def _run_description(snapshot: Snapshot, options: WorldOptions) -> dict[str, Any]:
    return {"date": snapshot.date_text, "prefixes_date": str(snapshot.prefixes_date)[:10],
            **({"chosen": {dataset: choice.describe() for dataset, choice in sorted(snapshot.choices.items())}}
               if snapshot.choices else {}),
            "view": options.view.value, "weighting": options.weighting.value, "ties": options.ties.value,
            "vantage_weights": options.vantage_weights.value, "max_origins": options.max_origins,
            "workers": options.workers, "carriers": options.carriers, "version": __version__}


def build_world(date: str | dt.date | None, out: str | Path, *, options: WorldOptions = WorldOptions(),
          snapshot: Snapshot | None = None, uses: DatasetChoices | None = None,
          progress: Progress = NO_PROGRESS) -> WorldSummary:
    """Compute and write every country's transit report and map indices under ``out`` (resumable)."""
    clock = {"start": time.perf_counter()}
    snapshot = snapshot_for(date, snapshot, uses=uses, progress=progress)
    store = WorldStore(Path(out))
    orgs = snapshot.orgs()  # inputs load in transit's order, so each country's sources list the same way
    tables = [snapshot.pfx2as(4)]
    with contextlib.suppress(DataNotFoundError):  # each country's membership notes it, as transit does
        tables.append(snapshot.pfx2as(6))
    indexes = {id(t): origin_index(t, everywhere=options.view is MembershipView.ADDRESS) for t in tables}
    store.begin(_run_description(snapshot, options))
    records = store.records()
    todo, reused, skipped, memberships = [], [], [], []
    wanted = _candidates(snapshot, options)
    progress.start("finding every country's networks and address space", len(wanted))
    for raw in wanted:
        try:
            cc = params.country_code(raw)
            if store.is_done(records.get(cc)) and records[cc].get("status") == "done":
                reused.append(cc)
                continue
            membership = country_membership(snapshot, cc, view=options.view, weighting=options.weighting,
                                            indexes=indexes)
        except (UnknownCountryError, DataNotFoundError, ParameterError) as exc:
            skipped.append({"cc": raw, "reason": str(exc)})
            if len(raw) == 2 and raw.isalpha():
                store.skip_country(raw.upper(), str(exc))
            continue
        finally:
            progress.advance(1)
        todo.append(cc)
        memberships.append(membership)
    progress.finish()
    clock["membership"] = time.perf_counter()
    graph = snapshot.graph()
    warm_flow_kernels(progress)
    clock["compile"] = time.perf_counter()
    space = originated_space(graph, snapshot.pfx2as(4))  # every country's vantage weights: computed once
    blocks = single_origin_index(snapshot.pfx2as(4))  # and where each gateway's own blocks are
    transit_options = options.transit_options()

    def country(membership: Membership, threads: int) -> int:
        """One country's report, indices and tables, written; returns its routing trees."""
        started = time.perf_counter()
        origins = membership.origins
        report, _ = simulated_report(snapshot, origins, replace(transit_options, threads=threads), space=space,
                                     top=len(graph))
        country_trees = int(report.evidence["routing_trees"])
        report.evidence["gateway_blocks"] = largest_blocks([g.asn for g in report.gateways[:MAX_TOP]], origins,
                                                           snapshot.pfx2as(4), blocks)
        report.evidence["vantage_concentration"] = None  # as transit gives it for simulated evidence
        report = with_sources(report, snapshot, list(membership.notes))
        merged = organizations(report, orgs)
        indices = country_indices(report, orgs, graph, origins.domestic, merged)
        carriers = _carriers(report, snapshot, options, threads)
        if carriers["asn"]:
            worst = max(range(len(carriers["asn"])), key=lambda i: (carriers["lost_share"][i], -i))
            indices = replace(indices, carriers_removed=len(carriers["asn"]),
                              one_carrier_away_asn=carriers["asn"][worst],
                              one_carrier_away_share=carriers["lost_share"][worst])
        store.write_country(origins.cc, {**_tables(report, indices, merged), "carriers": carriers},
                            {"seconds": round(time.perf_counter() - started, 3),
                             "routing_trees": country_trees})
        return country_trees

    progress.start("simulating every country's routes", len(memberships))
    trees = _each_country(memberships, country, options.workers, progress)
    progress.finish()
    clock["end"] = time.perf_counter()
    notes = snapshot.date_notes() + snapshot.release_notes() + snapshot.damage_notes()
    seconds = {"membership": clock["membership"] - clock["start"], "kernels": clock["compile"] - clock["membership"],
               "countries": clock["end"] - clock["compile"], "total": clock["end"] - clock["start"]}
    return WorldSummary(out=str(out), date=snapshot.date_text, done=todo, reused=reused, skipped=skipped,
                        routing_trees=trees,
                        seconds={k: round(v, 3) for k, v in seconds.items()}, notes=notes)


def _each_country(memberships: list[Membership], country: Callable[[Membership, int], int], workers: int,
                  progress: Progress) -> int:
    """``country`` run on every membership, ``workers`` countries at a time; returns the routing trees.

    Each country's sums are split into ``workers`` parts as ``transit`` splits them (so the
    figures are equal to the bit), but its parts run one after the other on one thread: one
    country's Python (report rows, tables, files) then runs beside another's routing trees
    instead of leaving a core idle while it runs. The smallest country (by origins) goes
    first and alone, which loads what the others share (e.g. the links of the neighbouring
    months) once; the others follow largest first, so no big country is left running
    alone at the end.
    """
    if not memberships:
        return 0
    by_size = sorted(memberships, key=lambda m: len(m.origins.asns))
    trees = country(by_size[0], workers)
    progress.advance(1)
    largest_first = by_size[:0:-1]
    if workers <= 1:
        for membership in largest_first:
            trees += country(membership, 1)
            progress.advance(1)
        return trees
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(country, membership, 1) for membership in largest_first]
        try:
            for done in as_completed(futures):
                trees += done.result()
                progress.advance(1)
        except BaseException:
            for future in futures:
                future.cancel()
            raise
    return trees


def _carriers(report: TransitReport, snapshot: Snapshot, options: WorldOptions, threads: int) -> dict[str, list[Any]]:
    """What removing each top provider does (``whatif`` with that one AS removed), one row per provider."""
    from .scenarios import whatif

    keys = ("rank", "asn", "name", "border_share", "lost_share", "lost_ipv4_addresses", "lost_networks",
            "left_without_provider", "reach_before", "reach_after", "absorbed")
    rows: dict[str, list[Any]] = {k: [] for k in keys}
    for rank, provider in enumerate(report.providers[: options.carriers], 1):
        result = whatif(report.cc, None, [provider.asn], options=replace(options.transit_options(), threads=threads),
                        snapshot=snapshot)
        values = (rank, provider.asn, provider.name, provider.border_share, result.lost_share,
                  result.lost_ipv4_addresses, result.lost_networks_count, result.left_without_provider_count,
                  result.reach["before"], result.reach["after"], _json(result.absorbed[:3]))
        for key, value in zip(keys, values, strict=True):
            rows[key].append(value)
    return rows


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=lambda x: x.item() if hasattr(x, "item") else str(x))


_KMI = ("retail", "wholesale", "backbone")
_SERVED = ("asn", "name", "as_name", "share")  # the keys of ProviderRow.served entries


def _row_fields(row: type) -> list[str]:
    """A row dataclass's plain fields: the tables follow the rows when they gain a field."""
    return [f.name for f in fields(row) if f.name not in ("served", "customer_base", *ORG_ROW_FIELDS)]


def _tables(report: TransitReport, indices: CountryIndices, merged: list[OrganizationRow]
            ) -> dict[str, dict[str, list[Any]]]:
    """The country's rows of every world table (columns of plain values); ``merged``: its organizations."""
    p, g, t = report.providers, report.gateways, report.transit
    countries = {k: [v] for k, v in indices.to_dict().items()}
    countries.update({"date": [report.date], "evidence": [_json(report.evidence)],
                      "membership": [_json(report.membership)], "notes": [_json(report.notes)],
                      "sources": [_json(report.sources)],
                      "summary": [report.summary]})
    measures: dict[str, list[Any]] = {"asn": [], "role": [], "measure": [], "value": []}

    def measure(asn: int, role: str, name: str, value: float | None) -> None:
        if value is not None and not (isinstance(value, float) and math.isnan(value)):
            measures["asn"].append(asn)
            measures["role"].append(role)
            measures["measure"].append(name)
            measures["value"].append(float(value))

    for row in p:
        for name in ("border_share", "transit_share", "transit_mean"):
            measure(row.asn, "provider", name, getattr(row, name))
    for gate in g:
        for name in ("gateway_share", "transit_share", "transit_mean", "origin_share"):
            measure(gate.asn, "gateway", name, getattr(gate, name))
    return {
        "countries": countries,
        "providers": {"rank": list(range(1, len(p) + 1)),
                      **{k: [getattr(r, k) for r in p] for k in _row_fields(ProviderRow)},
                      **{k: [r.customer_base[k] for r in p] for k in _KMI}},
        "served": {"provider": [r.asn for r in p for _ in r.served],
                   "rank": [i for r in p for i in range(1, len(r.served) + 1)],
                   **{k: [s[k] for r in p for s in r.served] for k in _SERVED}},
        "gateways": {"rank": list(range(1, len(g) + 1)), **{k: [getattr(r, k) for r in g] for k in _row_fields(GatewayRow)}},
        "transit": {"rank": list(range(1, len(t) + 1)), **{k: [row[k] for row in t] for k in (t[0] if t else ())}},
        "organizations": {"rank": list(range(1, len(merged) + 1)), "org_id": [o.org_id for o in merged],
                          "name": [o.name for o in merged], "country": [o.country for o in merged],
                          "border_share": [o.border_share for o in merged], "asns": [o.asns for o in merged]},
        "measures": measures,
        "inputs": {k: [_json(s.get(k)) if isinstance(s.get(k), dict) else s.get(k) for s in report.sources]
                   for k in ("dataset", "release", "url", "sha256", "note", "chosen", "bad_records")},
    }


def world_country(out: str | Path, cc: str, *, top: int = 25) -> TransitReport:
    """One country's transit report from a world dataset: what ``transit`` returns for the run's inputs."""
    code = params.country_code(cc)
    if not 1 <= top <= MAX_TOP:
        raise ParameterError(f"a world dataset gives 1 to {MAX_TOP} rows per table, not {top}")
    store = WorldStore(Path(out))
    store.run()  # a directory that holds no world run is one clear error
    record = store.records().get(code)
    if record is None or record.get("status") != "done":
        why = f": {record['reason']}" if record and record.get("reason") else ""
        raise UnknownCountryError(f"{code} is not in the world dataset {out}{why}")
    row = {k: v[0] for k, v in store.read("countries", code).items()}
    prov, served, gate = store.read("providers", code), store.read("served", code), store.read("gateways", code)
    trans = store.read("transit", code)
    by_provider: dict[int, list[dict[str, Any]]] = {}
    for i, a in enumerate(served["provider"]):
        by_provider.setdefault(a, []).append({k: served[k][i] for k in _SERVED})
    # a dataset written before a row gained an optional field lacks its column: the field's default
    providers = [ProviderRow(**{k: prov[k][i] for k in _row_fields(ProviderRow) if k in prov},
                             served=by_provider.get(a, []),
                             customer_base={k: prov[k][i] for k in _KMI})
                 for i, a in enumerate(prov["asn"][:top])]
    gateways = [GatewayRow(**{k: gate[k][i] for k in _row_fields(GatewayRow) if k in gate})
                for i in range(min(top, len(gate["asn"])))]
    keys = [k for k in trans if k not in ("rank", "cc")]
    transit_rows = [{k: trans[k][i] for k in keys} for i in range(min(top, len(trans["rank"])))]
    evidence = json.loads(row["evidence"])
    listed = {g.asn for g in gateways}  # as transit at this top: the blocks of the gateways it lists
    evidence["gateway_blocks"] = [b for b in evidence.get("gateway_blocks", []) if b["asn"] in listed]
    report = TransitReport(cc=code, date=row["date"], evidence=evidence,
                           membership=json.loads(row["membership"]), providers=providers, gateways=gateways,
                           transit=transit_rows, summary="", sources=json.loads(row["sources"]),
                           notes=json.loads(row["notes"]),
                           row_counts={"providers": len(prov["asn"]), "gateways": len(gate["asn"]),
                                       "transit": len(trans["rank"])})  # the tables list every row
    return replace(report, summary=summarize(report))


def world_indices(out: str | Path) -> list[CountryIndices]:
    """Every country's map indices from a world dataset, in country-code order."""
    store = WorldStore(Path(out))
    store.run()
    rows = []
    names = [f.name for f in CountryIndices.__dataclass_fields__.values()]
    for cc, record in sorted(store.records().items()):
        if record.get("status") == "done":
            table = store.read("countries", cc)
            rows.append(CountryIndices(**{k: table[k][0] for k in names}))
    return rows

"""Validation: the transit ranking against CAIDA's Country-level Transit Influence (PAM 2022).

For the development countries of ../shared/reference/cti-pam2022-dev/ (CTI of March 2020),
runs the analysis with the matching inputs (CAIDA as-rel 2020-03-01, as-org 2022-04-01,
RouteViews pfx2as of about 2020-02-19, ipverse country blocks 2022-03-01) and compares the
tool's ranking of transit ASes (foreign and domestic together, as CTI lists them) with
CTI's: overlap of the two top-5s, whether CTI's #1 is in the tool's top-3, and Kendall's
tau-b between the two scores over the union of the two top-10s (an AS missing from a list
scores 0 there). Every method variant is scored on the same loaded tables.

Variants: ``trimmed-transit`` is the ranking before issue 14 (10% trimmed mean of the
transit share over every foreign AS, lowest-ASN ties); the others are named
MEASURE/VANTAGES/TIES/ORIGIN-WEIGHTS (measures of analysis/transit_flows.py; vantage
schemes of analysis/flow_measures.py plus ``cone500``, the 500 largest customer cones;
origin weights ``space`` = IPv4 and IPv6 shares averaged, ``v4``, ``equal``, ``sqrt-v4``);
``default`` is the chosen one; ``cti/collectors-proxy/split/v4`` routes from the peers of the
mirror's newest collector update files (``COLLECTOR_FILES``), standing in for CTI's monitors;
``cti-trimmed/space/lowest-asn/v4`` adds CTI's per-AS trimming of the most and least exposed
vantage points to the influence measure.
One propagation per country and tie rule serves every MEASURE/VANTAGES/ORIGIN-WEIGHTS column.

Run: python bench/validate_cti.py [--countries CU,IN] [--variants default,...] [--out FILE]
         [--confirmed-by 2020-01-01,2021-01-01]   (only the links those months also have)
     python bench/validate_cti.py --russia space/cti     (RU 2022-03-01 under three tie rules)
     python bench/validate_cti.py --speed                (transit RU before/after, in-process)
Needs ../shared/data (the mirror). All variants on the 38 countries: about 22 min on a busy
2-core machine (2 propagations per country); ``trimmed-transit`` alone about as long again.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED = (ROOT / ".." / "shared").resolve()
REFERENCE = SHARED / "reference" / "cti-pam2022-dev"
SAMPLES = SHARED / "data" / "samples" / "ipasn"
os.environ.setdefault("SPLINTERNET_MIRROR", str(SHARED / "data"))

from splinternet.analysis.country import country_origins  # noqa: E402
from splinternet.sources.pfx2as import load_pfx2as  # noqa: E402
from splinternet.sources.snapshot import Snapshot  # noqa: E402


def read_cti(cc: str) -> list[tuple[int, float]]:
    """CTI rows of one country, highest first: (ASN, CTI)."""
    rows = []
    lines = (REFERENCE / f"top.{cc}.cti.csv").read_text(encoding="utf-8", errors="replace").splitlines()
    for line in lines[1:]:
        name, _, value = line.rpartition(",")
        rows.append((int(name.split("-", 1)[0]), float(value)))
    rows.sort(key=lambda r: -r[1])
    return rows


def dev_countries() -> list[str]:
    return sorted(p.name.split(".")[1] for p in REFERENCE.glob("top.*.cti.csv"))


@dataclass
class Inputs:
    """The date-wide tables, loaded once and shared by every country and variant."""

    graph: object
    orgs: object
    pfx4: object
    pfx6: object
    blocks_snapshot: Snapshot
    extras: dict = field(default_factory=dict)

    @classmethod
    def load(cls, asrel_date: str = "2020-03-01", org_date: str = "2022-04-01", blocks_date: str = "2022-03-01",
             pfx4: str = str(SAMPLES / "routeviews-rv2-2020-02-about19.pfx2as.gz"),
             pfx6: str | None = str(SAMPLES / "routeviews-rv6-2020-02-about19.pfx2as.gz")) -> Inputs:
        graph = Snapshot.for_date(asrel_date).graph()
        orgs = Snapshot.for_date(org_date).orgs()
        return cls(graph, orgs, load_pfx2as(pfx4), load_pfx2as(pfx6) if pfx6 else None,
                   Snapshot.for_date(blocks_date))

    def origins(self, cc: str, weighting: str = "space"):  # noqa: ANN201
        from splinternet.analysis.country import Weighting

        key = ("origins", cc, weighting)
        if key not in self.extras:
            self.extras[key] = country_origins(cc, self.pfx4, self.pfx6, self.orgs,
                                               self.blocks_snapshot.country_blocks(cc), weighting=Weighting(weighting))
        return self.extras[key]


Ranking = list[tuple[int, float]]  # (ASN, score), highest first
VARIANTS: dict[str, Callable[[Inputs, str], Ranking]] = {}


def variant(name: str) -> Callable:
    def register(fn: Callable[[Inputs, str], Ranking]) -> Callable[[Inputs, str], Ranking]:
        VARIANTS[name] = fn
        return fn
    return register


@variant("trimmed-transit")
def trimmed_transit(inputs: Inputs, cc: str) -> Ranking:
    """Before this work: transit share (10% trimmed mean over every foreign AS, lowest-ASN ties)."""
    from splinternet.analysis.transit import trimmed_mean
    from splinternet.analysis.transit_evidence import pick_candidates, simulate_evidence

    origins = inputs.origins(cc)
    pilot = simulate_evidence(inputs.graph, origins,
                              origin_subset=origins.asns[np.argsort(-origins.weight, kind="stable")[:200]])
    ev = simulate_evidence(inputs.graph, origins, candidates=pick_candidates(pilot))
    scores = trimmed_mean(ev.shares / ev.shares_divisor)
    return sorted(zip(ev.candidates.tolist(), scores.tolist(), strict=True), key=lambda r: -r[1])


SCHEMES = ("all", "space", "transit", "cone", "cone500")  # cone500: the 500 largest customer cones, equally
MEASURE_NAMES = {"transit": 0, "downhill": 1, "cti": 2, "border": 3, "cti-peers": 5}  # transit_flows measures
WEIGHTINGS = ("space", "v4", "equal", "sqrt-v4")


def weighted_origins(inputs: Inputs, cc: str, weighting: str):  # noqa: ANN201 - CountryOrigins
    """The country's origins with their weights: as the tool (IPv4 and IPv6 shares averaged), IPv4 only
    (as CTI), equal, or the square root of IPv4 space (large single blocks discounted)."""
    from dataclasses import replace

    if weighting in ("space", "equal"):
        return inputs.origins(cc, weighting)
    base = inputs.origins(cc)
    raw = base.v4_addresses if weighting == "v4" else np.sqrt(base.v4_addresses)
    if raw.sum() <= 0:
        raw = np.ones(len(raw))
    return replace(base, weight=raw / raw.sum())


def flows(inputs: Inputs, cc: str, ties: str):  # noqa: ANN201 - FlowMeasures
    """One propagation per origin for every (origin weighting, vantage scheme) column."""
    from splinternet.analysis.flow_measures import flow_measures, originated_space, vantage_weights

    key = ("flows", cc, ties)
    if key not in inputs.extras:
        if "space" not in inputs.extras:
            inputs.extras["space"] = originated_space(inputs.graph, inputs.pfx4)
            inputs.extras["cone"] = inputs.graph.customer_cone_sizes().astype(np.float64)
        base = inputs.origins(cc)
        vw = vantage_weights(inputs.graph, base, SCHEMES[:4], space=inputs.extras["space"], cone=inputs.extras["cone"])
        largest = np.zeros(len(inputs.graph))
        largest[np.argsort(-inputs.extras["cone"], kind="stable")[:500]] = 1.0
        vw = np.column_stack([vw, largest])
        ow = np.column_stack([weighted_origins(inputs, cc, w).weight for w in WEIGHTINGS])
        for old in [k for k in inputs.extras if k[0] == "flows" and k[1] != cc]:
            del inputs.extras[old]  # one country's flows at a time
        inputs.extras[key] = flow_measures(inputs.graph, base, np.tile(vw, len(WEIGHTINGS)),
                                           schemes=tuple(f"{w}:{s}" for w in WEIGHTINGS for s in SCHEMES),
                                           ties=ties, origin_weights=np.repeat(ow, len(SCHEMES), axis=1))
    return inputs.extras[key]


def _flow_variant(ties: str, measure: int, column: int) -> Callable[[Inputs, str], Ranking]:
    def rank(inputs: Inputs, cc: str) -> Ranking:
        return flows(inputs, cc, ties).ranking(measure, column)
    return rank


for _wi, _w in enumerate(WEIGHTINGS):
    for _ties in ("lowest-asn", "split"):
        for _mname, _m in MEASURE_NAMES.items():
            for _k, _scheme in enumerate(SCHEMES):
                VARIANTS[f"{_mname}/{_scheme}/{_ties}/{_w}"] = _flow_variant(_ties, _m, _wi * len(SCHEMES) + _k)


# the chosen default (docs/methodology.md): influence, space-weighted vantage points, ties split, IPv4 weights
VARIANTS["default"] = VARIANTS["cti/space/split/v4"]


@variant("front-door")
def front_door(inputs: Inputs, cc: str) -> Ranking:
    """`api.transit` itself, with the development inputs chosen as a user would (`--use`): the default
    must score as ``default`` does, or the front door is not what was validated."""
    from splinternet import api

    uses = api.params.dataset_choices([
        "caida-asorg=2022-04-01", "ipverse-country=2022-03-01",
        f"routeviews-pfx2as={SAMPLES / 'routeviews-rv2-2020-02-about19.pfx2as.gz'}",
        f"routeviews-pfx2as6={SAMPLES / 'routeviews-rv6-2020-02-about19.pfx2as.gz'}"])
    report = api.transit(cc, "2020-03-01", options=api.TransitOptions(top=50), uses=uses)
    return [(int(row["asn"]), float(row["influence"])) for row in report.transit]


# The ASes feeding route collectors, as CTI's monitors: the mirror has no archive within two years of
# March 2020, so the peers of its newest update files stand in (a proxy: four 5-minute files of three
# collectors, 2022-2024, against CTI's every full-feed RIS and RouteViews peer of 2020).
COLLECTOR_FILES = (("rrc23", "2022-04-21T02:04"), ("rrc23", "2022-05-01T23:09"),
                   ("route-views.sydney", "2022-06-01T04:20"), ("rrc01", "2024-10-01T00:59"))


def collector_peers(inputs: Inputs) -> np.ndarray:
    """The peer ASes of COLLECTOR_FILES, read with the tool's own archive code (once)."""
    from splinternet.analysis.observed import collector_peer_asns
    from splinternet.api.archives import archive_table

    if "collectors" not in inputs.extras:
        paths = []
        for collector, when in COLLECTOR_FILES:
            family = "ris" if collector.startswith("rrc") else "routeviews"
            paths.append(str(Snapshot.for_date(when).release(f"{family}-updates", collector=collector).path))
        inputs.extras["collectors"] = collector_peer_asns(archive_table(Snapshot.for_date(COLLECTOR_FILES[0][1]),
                                                                        paths))[0]
    return inputs.extras["collectors"]


@variant("cti/collectors-proxy/split/v4")
def collectors_proxy(inputs: Inputs, cc: str) -> Ranking:
    """Influence (CTI) from the collector peers of COLLECTOR_FILES, each once, ties split, IPv4 origin weights."""
    from splinternet.analysis.flow_measures import flow_measures, vantage_weights

    base = inputs.origins(cc)
    vw = vantage_weights(inputs.graph, base, ("collectors",), collectors=collector_peers(inputs))
    flows_ = flow_measures(inputs.graph, base, vw, schemes=("collectors",), ties="split",
                           origin_weights=weighted_origins(inputs, cc, "v4").weight[:, None])
    return flows_.ranking(MEASURE_NAMES["cti"])


# ---------------------------------------------------------------- scoring

def _trim_walk():  # noqa: ANN202 - the numba kernel, compiled on first use only
    from numba import njit

    @njit(cache=True)
    def walk(nh, rel, length, vantages, vw, slot, weight, acc, shares):  # noqa: ANN001, ANN202
        """Every vantage's path to the origin; each AS holding a customer route counts weight / hops (CTI)."""
        for j in range(vantages.shape[0]):
            x = vantages[j]
            if rel[x] < 0:
                continue
            while x >= 0 and rel[x] != 0:
                if rel[x] == 1:  # learned from a customer: below CTI's cut, seen from this vantage point
                    c = weight / length[x]
                    acc[x] += vw[j] * c
                    if slot[x] >= 0:
                        shares[slot[x], j] += c
                x = nh[x]
    return walk


def trimmed_weighted_mean(values: np.ndarray, weights: np.ndarray, cut: float = 0.1) -> float:
    """Mean of ``values`` with the lowest and highest ``cut`` of the total weight left out."""
    order = np.argsort(values, kind="stable")
    v, w = values[order], weights[order]
    end = np.cumsum(w)
    keep = np.clip(np.minimum(end, (1 - cut) * end[-1]) - np.maximum(end - w, cut * end[-1]), 0, None)
    return float((v * keep).sum() / keep.sum())


@variant("cti-trimmed/space/lowest-asn/v4")
def cti_trimmed(inputs: Inputs, cc: str) -> Ranking:
    """Influence with CTI's trimming: per AS, the 10% most and the 10% least exposed vantage weight
    left out (CTI trims host ASes of monitors); space-weighted vantage points, lowest-ASN ties, IPv4
    origin weights. Two passes: the untrimmed influence of every AS (equal to
    ``cti/space/lowest-asn/v4``) picks 200 candidates, whose per-vantage values are then trimmed."""
    from splinternet.analysis.flow_measures import originated_space
    from splinternet.analysis.simulate import as_overlay, propagate_into

    graph, walk = inputs.graph, _trim_walk()
    if "space" not in inputs.extras:
        inputs.extras["space"] = originated_space(graph, inputs.pfx4)
    space = inputs.extras["space"]
    origins = weighted_origins(inputs, cc, "v4")
    overlay, n = as_overlay(graph, None), len(graph)
    domestic = np.zeros(n, bool)
    at = graph.index_of(np.asarray(origins.domestic, np.uint32))
    domestic[at[at >= 0]] = True
    vantages = np.flatnonzero(~domestic & overlay.node_enabled & (space > 0)).astype(np.int64)
    vw = space[vantages] / space[vantages].sum()
    positions = graph.index_of(np.asarray(origins.asns, np.uint32))
    rel, length, nh, queue = (np.empty(n, np.int8), np.empty(n, np.int32), np.empty(n, np.int32),
                              np.empty(n, np.int32))

    def one_pass(slot: np.ndarray, rows: int) -> tuple[np.ndarray, np.ndarray]:
        acc, shares = np.zeros(n), np.zeros((rows, len(vantages)))
        for o, w in zip(positions.tolist(), origins.weight.tolist(), strict=True):
            if o >= 0 and w > 0:
                propagate_into(np.int32(o), overlay.arrays, rel, length, nh, queue)
                walk(nh, rel, length, vantages, vw, slot, w, acc, shares)
        return acc, shares

    acc, _ = one_pass(np.full(n, -1, np.int64), 1)
    top = np.argsort(-acc, kind="stable")[:200]
    slot = np.full(n, -1, np.int64)
    slot[top] = np.arange(len(top))
    _, shares = one_pass(slot, len(top))
    return sorted(((int(graph.asns[i]), trimmed_weighted_mean(shares[k], vw)) for k, i in enumerate(top)),
                  key=lambda r: -r[1])


def kendall_tau_b(ours: Ranking, theirs: Ranking, depth: int = 10) -> float:
    from scipy.stats import kendalltau

    a, b = dict(ours), dict(theirs)
    union = sorted({x for x, _ in ours[:depth]} | {x for x, _ in theirs[:depth]})
    tau = kendalltau([a.get(x, 0.0) for x in union], [b.get(x, 0.0) for x in union]).statistic
    return float(tau) if tau == tau else 0.0


@dataclass
class Score:
    overlap5: int
    first_in_top3: bool
    tau: float
    ours5: list[int]
    cti5: list[int]
    seconds: float


def score(ours: Ranking, cti: Ranking, seconds: float) -> Score:
    ours5 = [a for a, _ in ours[:5]]
    cti5 = [a for a, _ in cti[:5]]
    return Score(len(set(ours5) & set(cti5)), cti[0][0] in [a for a, _ in ours[:3]], kendall_tau_b(ours, cti),
                 ours5, cti5, seconds)


def run(inputs: Inputs, countries: list[str], variants: list[str], log=print) -> dict[str, dict[str, Score]]:
    """Score every variant on every country; ``results[variant][cc]``, and ``results["_seconds"][cc]``."""
    results: dict[str, dict[str, Score]] = {v: {} for v in variants}
    seconds: dict[str, float] = {}
    for cc in countries:
        cti = read_cti(cc)
        country_start = time.perf_counter()
        for name in variants:
            start = time.perf_counter()
            ours = VARIANTS[name](inputs, cc)
            s = score(ours, cti, time.perf_counter() - start)
            results[name][cc] = s
            log(f"{cc} {name:28s} overlap {s.overlap5} first {'Y' if s.first_in_top3 else 'n'} tau {s.tau:+.2f} "
                f"{s.seconds:5.1f}s ours {s.ours5} cti {s.cti5}")
        seconds[cc] = time.perf_counter() - country_start
    results["_seconds"] = seconds  # type: ignore[assignment]
    return results


def summary_table(results: dict[str, dict[str, Score]]) -> list[str]:
    rows = ["| variant | countries | mean overlap@5 | CTI #1 in top-3 | mean Kendall tau-b (top-10 union) |",
            "|---|---:|---:|---:|---:|"]
    for name, per in results.items():
        if not per or name == "_seconds":
            continue
        rows.append(f"| `{name}` | {len(per)} | {statistics.mean(s.overlap5 for s in per.values()):.2f} | "
                    f"{sum(s.first_in_top3 for s in per.values())}/{len(per)} | "
                    f"{statistics.mean(s.tau for s in per.values()):+.2f} |")
    return rows


def country_table(results: dict[str, dict[str, Score]], names: list[str]) -> list[str]:
    head = "| country | " + " | ".join(f"`{n}` overlap / #1 / tau" for n in names) + " | s (all variants) |"
    rows = [head, "|---|" + "---:|" * (len(names) + 1)]
    seconds = results["_seconds"]
    for cc in sorted(seconds):
        cells = []
        for n in names:
            s = results[n][cc]
            cells.append(f"{s.overlap5} / {'yes' if s.first_in_top3 else 'no'} / {s.tau:+.2f}")
        rows.append(f"| {cc} | " + " | ".join(cells) + f" | {seconds[cc]:.0f} |")
    return rows


KENTIK_LUMEN_CUSTOMERS = {12389: "Rostelecom", 20485: "TTK", 8359: "MTS", 3216: "VEON", 31133: "MegaFon"}
LUMEN = (3356, 3549)


def org_ranking(ranking: Ranking, orgs, keep) -> list[tuple[str, list[int], float]]:  # noqa: ANN001
    """Rows merged by CAIDA organization: (org name, member ASNs, summed share), largest first."""
    merged: dict[str, list] = {}
    for asn, value in ranking:
        if not keep(asn):
            continue
        row = int(orgs.positions(np.array([asn]))[0])
        org = int(orgs.as_org[row]) if row >= 0 else -1
        key = str(orgs.org_ids[org]) if org >= 0 else f"AS{asn}"
        name = str(orgs.names(np.array([asn]))[0]) or f"AS{asn}"
        entry = merged.setdefault(key, [name, [], 0.0])
        entry[1].append(asn)
        entry[2] += value
    return sorted(((n, m, v) for n, m, v in merged.values()), key=lambda r: -r[2])


def _pfx6_or_none(snap: Snapshot):  # noqa: ANN202 - as the tool does: IPv4 alone when no IPv6 table exists
    from splinternet.errors import DataNotFoundError

    try:
        return snap.pfx2as(6)
    except DataNotFoundError:
        return None


def russia(scheme: str, measure: str, log=print) -> list[str]:  # noqa: ANN001
    """RU 2022-03-01 (as-rel of the date, pfx2as 2024-04-06, the only one the mirror has near it)
    under the three tie rules: foreign providers by organization, Lumen's rank, Kentik's named customers."""
    from splinternet.analysis.country import country_origins
    from splinternet.analysis.flow_measures import flow_measures, originated_space, vantage_weights

    snap = Snapshot.for_date("2022-03-01", prefixes_date="2024-04-06")
    graph, orgs = snap.graph(), snap.orgs()
    origins = country_origins("RU", snap.pfx2as(4), _pfx6_or_none(snap), orgs, snap.country_blocks("RU"))
    vw = vantage_weights(graph, origins, (scheme,), space=originated_space(graph, snap.pfx2as(4)))
    domestic = set(origins.domestic.tolist())
    m = MEASURE_NAMES[measure]
    lines = [f"RU 2022-03-01, vantage scheme `{scheme}`: foreign organizations by `{measure}` and by `border` share",
             "", "| tie rule | top foreign orgs by " + measure + " | top foreign orgs by border share | Lumen rank ("
             + measure + " / border) | s |", "|---|---|---|---:|---:|"]
    for ties in ("lowest-asn", "split", "highest-asn"):
        start = time.perf_counter()
        fm = flow_measures(graph, origins, vw, schemes=(scheme,), ties=ties)
        took = time.perf_counter() - start
        cells, ranks = [], []
        for meas in (m, 3):
            rows = org_ranking(fm.ranking(meas, 0), orgs, lambda a: a not in domestic)
            cells.append("; ".join(f"{n} ({'+'.join(map(str, ms))}) {100 * v:.1f}%" for n, ms, v in rows[:4]))
            ranks.append(next((i + 1 for i, (_, ms, _) in enumerate(rows) if set(ms) & set(LUMEN)), 0))
        lines.append(f"| {ties} | {cells[0]} | {cells[1]} | {ranks[0]} / {ranks[1]} | {took:.0f} |")
        log(lines[-1])
    lines += ["", "Kentik's named customers of Lumen in the CAIDA graph of the date:", ""]
    for asn, name in KENTIK_LUMEN_CUSTOMERS.items():
        i = graph.require_index(asn)
        providers = set(graph.asns[graph.provider_indices[graph.provider_indptr[i]:graph.provider_indptr[i + 1]]]
                        .tolist())
        peers = set(graph.asns[graph.peer_indices[graph.peer_indptr[i]:graph.peer_indptr[i + 1]]].tolist())
        rel = [f"AS{x} {'provider' if x in providers else 'peer'}" for x in LUMEN if x in providers | peers]
        lines.append(f"- {name} (AS{asn}): " + (", ".join(rel) if rel else "no link to AS3356/AS3549"))
    return lines


def speed(log=print) -> list[str]:  # noqa: ANN001
    """`transit RU` 2022-03-01 in-process, before (pilot run, 128 trimmed-mean candidates, lowest-ASN ties) and
    after (split ties, space-weighted vantage points, no pilot); numba compiled beforehand on LI."""
    from splinternet.analysis.country import Weighting, country_origins
    from splinternet.analysis.flow_measures import flow_evidence, headline_flows
    from splinternet.analysis.transit import transit_report
    from splinternet.analysis.transit_evidence import pick_candidates, simulate_evidence

    snap = Snapshot.for_date("2022-03-01", prefixes_date="2024-04-06")
    graph, orgs, pfx4, pfx6 = snap.graph(), snap.orgs(), snap.pfx2as(4), _pfx6_or_none(snap)

    def before(cc: str):  # noqa: ANN202
        origins = country_origins(cc, pfx4, pfx6, orgs, snap.country_blocks(cc))
        pilot = simulate_evidence(graph, origins,
                                  origin_subset=origins.asns[np.argsort(-origins.weight, kind="stable")[:200]])
        ev = simulate_evidence(graph, origins, candidates=pick_candidates(pilot))
        return transit_report(ev, origins, orgs, graph, date="2022-03-01")

    def after(cc: str):  # noqa: ANN202
        origins = country_origins(cc, pfx4, pfx6, orgs, snap.country_blocks(cc), weighting=Weighting.IPV4)
        flows = headline_flows(graph, origins, pfx4)
        return transit_report(flow_evidence(flows, origins), origins, orgs, graph, date="2022-03-01", flows=flows)

    before("LI"), after("LI")
    lines = ["| pipeline | s |", "|---|---:|"]
    for name, fn in (("before", before), ("after", after), ("before", before), ("after", after)):
        start = time.perf_counter()
        fn("RU")
        lines.append(f"| {name} | {time.perf_counter() - start:.1f} |")
        log(lines[-1])
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--countries", default="", help="comma-separated; default: all development countries")
    parser.add_argument("--variants", default="", help="comma-separated; default: all")
    parser.add_argument("--out", default="", help="write the markdown tables here")
    parser.add_argument("--russia", default="", help="SCHEME/MEASURE: only the RU 2022-03-01 check, e.g. space/cti")
    parser.add_argument("--speed", action="store_true", help="only time transit RU before/after, in-process")
    parser.add_argument("--per-country", type=int, default=3, help="variants shown in the per-country table")
    parser.add_argument("--confirmed-by", default="",
                        help="comma-separated dates: keep only the links these months' AS relationships also have "
                             "(ASGraph.confirmed_by), e.g. 2020-01-01,2021-01-01")
    args = parser.parse_args()
    if args.speed:
        print("\n".join(speed(log=lambda s: print(s, flush=True))))
        return
    if args.russia:
        scheme, measure = args.russia.split("/")
        print("\n".join(russia(scheme, measure, log=lambda s: print(s, flush=True))))
        return
    countries = [c.strip().upper() for c in args.countries.split(",") if c.strip()] or dev_countries()
    names = [v.strip() for v in args.variants.split(",") if v.strip()] or ["default", "trimmed-transit", *(
        n for n in VARIANTS if n not in ("default", "trimmed-transit"))]
    unknown = [n for n in names if n not in VARIANTS]
    if unknown:
        sys.exit(f"unknown variant(s) {', '.join(unknown)}; known: {', '.join(VARIANTS)}")
    start = time.perf_counter()
    inputs = Inputs.load()
    confirming = [d.strip() for d in args.confirmed_by.split(",") if d.strip()]
    if confirming:
        before = (inputs.graph.provider_customer_links, inputs.graph.peer_links)
        inputs = replace(inputs, graph=inputs.graph.confirmed_by([Snapshot.for_date(d).graph() for d in confirming]))
        print(f"links confirmed by {', '.join(confirming)}: provider-customer {before[0]:,} -> "
              f"{inputs.graph.provider_customer_links:,}, peer {before[1]:,} -> {inputs.graph.peer_links:,}", flush=True)
    loaded = time.perf_counter() - start
    print(f"tables loaded in {loaded:.1f} s", flush=True)
    results = run(inputs, countries, names, log=lambda s: print(s, flush=True))
    total = time.perf_counter() - start
    text = [*summary_table(results), "", *country_table(results, names[: args.per_country]), "",
            f"Tables loaded in {loaded:.0f} s; whole run {total:.0f} s."]
    print("\n".join(text))
    if args.out:
        tmp = Path(args.out).with_suffix(".tmp")
        tmp.write_text("\n".join(text) + "\n", encoding="utf-8")
        tmp.replace(args.out)


if __name__ == "__main__":
    main()

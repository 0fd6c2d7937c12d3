"""Experiment: how much an unknown tie-break moves the RU headline, with ties broken in random orders.

The engine breaks a tie (equally good routes) by next-hop index, and indices follow AS
numbers, so `lowest-asn` and `highest-asn` are orders that favour particular numbers:
Cogent (AS174) gains about ten points of Russia's border share under the first. Two random
models, both seeded:

- **one order for the whole graph**: the graph is relabelled with a random permutation of
  AS numbers, so that index order, and with it the engine's lowest-index rule, is one
  random order of the ASes, applied at every AS at once (the identity relabelling
  reproduces the lowest-ASN run exactly; asserted);
- **each AS its own order** (`flow_measures(..., tie_seed=S)`, `transit_flows.TIE_RANDOM`):
  every AS ranks its neighbours in an order of its own, independent of the others, as
  routers' own tie-breakers (IGP cost, router ID) are. The split is the exact expectation
  of this model; the runs show how far one realisation strays from it.

The default vantage points (weighted by IPv4 space). An experiment for
docs/validation.md, not a method of the tool.

Run: python bench/random_ties.py [--seeds 5] [--country RU] [--date 2022-03-01]
Needs ../shared/data (the mirror); about 8 s per global order and 22 s per per-AS order on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("SPLINTERNET_MIRROR", str((ROOT / ".." / "shared" / "data").resolve()))

from splinternet.analysis.country import country_origins  # noqa: E402
from splinternet.analysis.flow_measures import flow_measures, originated_space, vantage_weights  # noqa: E402
from splinternet.analysis.transit_flows import BORDER  # noqa: E402
from splinternet.sources.snapshot import Snapshot  # noqa: E402
from splinternet.tables.topology import ASGraph  # noqa: E402

NAMES = {13786: "Seabras", 3356: "Lumen", 9002: "RETN", 9009: "M247", 1299: "Arelion", 174: "Cogent",
         6762: "Sparkle", 6939: "HE"}


def relabelled(graph: ASGraph, label: np.ndarray) -> tuple[ASGraph, np.ndarray]:
    """The graph with AS ``graph.asns[i]`` renamed ``label[i]``; and, per new index, the old index."""
    renamed = [label[graph.index_of(asns)] for asns in graph.link_arrays()]
    new = ASGraph.from_links(*renamed, extra_asns=label)
    return new, np.argsort(label, kind="stable")


def border_shares(graph: ASGraph, origins, vw: np.ndarray, label: np.ndarray, ties: str) -> dict[int, float]:  # noqa: ANN001
    new, old_of = relabelled(graph, label)
    real = dict(zip(label.tolist(), graph.asns.tolist(), strict=True))

    def rename(asns: np.ndarray) -> np.ndarray:  # an AS outside the graph becomes AS0, outside it too
        at = graph.index_of(asns)
        return np.where(at >= 0, label[np.maximum(at, 0)], 0).astype(np.uint32)

    moved = replace(origins, asns=rename(origins.asns), domestic=rename(origins.domestic))
    seed = int(ties.split(":")[1]) if ties.startswith("seed:") else None
    fm = flow_measures(new, moved, np.ascontiguousarray(vw[old_of]), schemes=("space",),
                       ties="split" if seed is not None else ties, tie_seed=seed)
    border = fm.values[:, BORDER, 0]
    total = border.sum()
    return {real[int(a)]: float(b / total) for a, b in zip(fm.asns.tolist(), border.tolist(), strict=True) if b > 0}


def _cells(shares: dict[int, float], k: int = 4) -> tuple[str, int, int]:
    top = sorted(shares.items(), key=lambda kv: -kv[1])
    text = ", ".join(f"{NAMES.get(a, f'AS{a}')} {100 * s:.1f}%" for a, s in top[:k])
    rank = {a: i + 1 for i, (a, _) in enumerate(top)}
    return text, rank.get(3356, 0), rank.get(13786, 0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--country", default="RU")
    parser.add_argument("--date", default="2022-03-01")
    parser.add_argument("--prefixes-date", default="2024-04-06")
    args = parser.parse_args()
    snap = Snapshot.for_date(args.date, prefixes_date=args.prefixes_date)
    graph = snap.graph()
    origins = country_origins(args.country, snap.pfx2as(4), None, snap.orgs(), snap.country_blocks(args.country))
    vw = vantage_weights(graph, origins, ("space",), space=originated_space(graph, snap.pfx2as(4)))
    print("| tie order | top foreign providers by border share | Lumen's rank | Seabras's rank | s |")
    print("|---|---|---:|---:|---:|")
    identity = graph.asns.astype(np.uint32)
    runs = [("by AS number, lowest first (`lowest-asn`), relabelled by itself", identity, "lowest-asn"),
            ("split equally (the default)", identity, "split")]
    rng = np.random.default_rng(20220301)
    for seed in range(args.seeds):
        runs.append((f"one random order for all, {seed + 1}", (rng.permutation(len(graph)) + 1).astype(np.uint32),
                     "lowest-asn"))
    direct = flow_measures(graph, origins, vw, schemes=("space",), ties="lowest-asn").values[:, BORDER, 0]
    for seed in range(args.seeds):
        runs.append((f"each AS its own random order, seed {seed + 1}", identity, f"seed:{seed + 1}"))
    for k, (label_text, label, ties) in enumerate(runs):
        start = time.perf_counter()
        shares = border_shares(graph, origins, vw, label, ties)
        if k == 0:  # the relabelling itself changes nothing
            want = {int(a): float(b / direct.sum()) for a, b in zip(graph.asns, direct, strict=True) if b > 0}
            assert shares.keys() == want.keys() and all(abs(shares[a] - want[a]) < 1e-12 for a in want)
        cells, lumen, seabras = _cells(shares)
        print(f"| {label_text} | {cells} | {lumen} | {seabras} | {time.perf_counter() - start:.0f} |", flush=True)


if __name__ == "__main__":
    main()

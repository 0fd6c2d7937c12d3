"""Experiment: the RU headline on a topology of "confirmed" links only, under the three tie rules.

CAIDA infers AS relationships month by month, and a link inferred in one month only is
less certain than one seen again. This builds, for a date, the CAIDA graph of that month
restricted to the links whose relationship is also inferred, the same, in the previous or
the next month (``ASGraph.confirmed_by``, also a `--stability` variant; a subset of an
acyclic graph, so still acyclic), writes it as an as-rel
file, and runs `transit` on it (given with `--use caida-asrel=FILE`) and on the full month,
under each tie rule. It is an experiment for docs/validation.md, not a method of the tool:
the CTI development set (March 2020) cannot score it, because the mirror has no CAIDA
file for February or April 2020.

Run: python bench/confirmed_links.py [--date 2022-03-01] [--country RU]
Needs ../shared/data (the mirror); about 2 minutes.
"""

from __future__ import annotations

import argparse
import bz2
import datetime as dt
import os
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("SPLINTERNET_MIRROR", str((ROOT / ".." / "shared" / "data").resolve()))

from splinternet.api import TransitOptions, transit  # noqa: E402
from splinternet.sources.snapshot import DatasetChoice, Snapshot  # noqa: E402
from splinternet.tables.topology import ASGraph  # noqa: E402

LUMEN = (3356, 3549)


def _month(date: dt.date, step: int) -> dt.date:
    index = date.year * 12 + date.month - 1 + step
    return dt.date(index // 12, index % 12 + 1, 1)


def confirmed_file(date: dt.date, out: Path) -> tuple[Path, int, int, list[tuple[int, int, int]]]:
    """The month's links seen the same in a neighbouring month (``ASGraph.confirmed_by``), as a bzip2 as-rel
    file; the counts and the links dropped."""
    snapshots = {step: Snapshot.for_date(_month(date, step)) for step in (-1, 0, 1)}
    graph = snapshots[0].graph()
    kept = graph.confirmed_by([snapshots[-1].graph(), snapshots[1].graph()])
    now, after = _triples(graph), _triples(kept)
    with bz2.open(snapshots[0].input_path("caida-asrel"), "rt") as published:
        header = [line for line in published if line.startswith("#")]  # the clique and IXP lines
    with bz2.open(out, "wt") as f:
        f.writelines(header)
        f.write(f"# links of {date:%Y-%m} also inferred in {_month(date, -1):%Y-%m} or {_month(date, 1):%Y-%m}\n")
        f.writelines(f"{a}|{b}|{r}\n" for a, b, r in sorted(after))
    return out, len(after), len(now) - len(after), sorted(now - after)


def _triples(graph: ASGraph) -> set[tuple[int, int, int]]:
    prov, cust, pa, pb = graph.link_arrays()
    return ({(a, b, -1) for a, b in zip(prov.tolist(), cust.tolist(), strict=True)}
            | {(a, b, 0) for a, b in zip(pa.tolist(), pb.tolist(), strict=True)})


def _top(report, k: int = 4) -> tuple[str, int]:  # noqa: ANN001
    rows = report.providers
    cells = ", ".join(f"{p.name} AS{p.asn} {100 * p.border_share:.1f}%" for p in rows[:k])
    rank = next((i + 1 for i, p in enumerate(rows) if p.asn in LUMEN), 0)
    return cells, rank


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--date", default="2022-03-01")
    parser.add_argument("--country", default="RU")
    parser.add_argument("--prefixes-date", default="2024-04-06")
    args = parser.parse_args()
    date = dt.date.fromisoformat(args.date)
    prefixes = DatasetChoice(date=dt.datetime.fromisoformat(args.prefixes_date))
    with tempfile.TemporaryDirectory() as tmp:
        path, kept, dropped, gone = confirmed_file(date, Path(tmp) / "confirmed.as-rel.txt.bz2")
        print(f"{args.country} {args.date}: {kept:,} links kept, {dropped:,} inferred in this month only "
              f"(or with another relationship in both neighbouring months)\n")
        print("| topology | tie rule | top foreign providers by border share | Lumen's rank |")
        print("|---|---|---|---:|")
        for label, uses in (("the month as published", {}),
                            ("confirmed links only", {"caida-asrel": DatasetChoice(path=path)})):
            for ties in ("split", "lowest-asn", "highest-asn"):
                report = transit(args.country, args.date, options=TransitOptions(ties=ties),
                                 uses={"routeviews-pfx2as": prefixes, **uses})
                cells, rank = _top(report)
                print(f"| {label} | {ties} | {cells} | {rank} |", flush=True)
        named = {13786: "Seabras", 12389: "Rostelecom"}
        for asn, name in named.items():
            mine = [f"{a}|{b}|{r}" for a, b, r in gone if asn in (a, b)]
            print(f"\nDropped links of {name} AS{asn} ({len(mine)}): {', '.join(mine[:12])}"
                  + (" ..." if len(mine) > 12 else ""))

if __name__ == "__main__":
    main()

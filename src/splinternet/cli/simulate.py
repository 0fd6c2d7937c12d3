"""`splinternet simulate`: Gao-Rexford routes towards one origin on the CAIDA graph of a date."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from ..analysis.compare import compare_scenario
from ..analysis.scenario import Scenario, compile_overlay
from ..analysis.simulate import RELATIONSHIP_NAMES, Routes, propagate
from ..config import Settings
from ..errors import BadRecords, ParameterError
from ..sources.asrel import load_as_relationships
from ..sources.catalog import fetch_release
from .common import DateOption, JsonOption, OfflineOption, StrictOption
from .output import console, print_json, progress_bar


def _asn(text: str) -> int:
    value = text.strip().upper().removeprefix("AS")
    if not value.isdigit() or not 0 < int(value) < 2**32:
        raise ParameterError(f"not an AS number: {text!r}; expected e.g. 3356 or AS3356")
    return int(value)


def _link(text: str) -> tuple[int, int]:
    parts = text.replace(",", "-").split("-")
    if len(parts) != 2:
        raise ParameterError(f"not a link: {text!r}; expected two AS numbers like 3356-12389")
    return _asn(parts[0]), _asn(parts[1])


def _route(routes: Routes, asn: int, ties: bool) -> dict[str, Any]:
    i = routes.graph.require_index(asn)
    path = routes.path(asn)
    rel = int(routes.relationship[i])
    out: dict[str, Any] = {
        "from": asn,
        "has_route": rel >= 0,
        "relationship": RELATIONSHIP_NAMES.get(rel),
        "path_length": int(routes.path_length[i]) if rel >= 0 else None,
        "path": path.tolist(),
        "hops": [{"asn": int(a), "learned_from": RELATIONSHIP_NAMES.get(int(routes.relationship[j]))}
                 for a, j in zip(path.tolist(), routes.graph.index_of(path).tolist(), strict=True)],
    }
    if ties:
        out["tied_next_hops"] = routes.tied_next_hops(asn).tolist()
    return out


def simulate_command(
    origin: Annotated[str, typer.Option("--origin", "-o", help="Origin AS of the announced prefix.")],
    date: DateOption = None,
    from_as: Annotated[list[str] | None, typer.Option("--from", help="Show the route from this AS (repeatable).")] = None,
    without_as: Annotated[list[str] | None, typer.Option("--without-as", help="Scenario: remove this AS (repeatable).")] = None,
    without_link: Annotated[list[str] | None, typer.Option("--without-link", help="Scenario: remove link A-B (repeatable).")] = None,
    keep_all_ties: Annotated[bool, typer.Option("--keep-all-ties", help="Also list every equally good next hop.")] = False,
    serial2: Annotated[bool, typer.Option("--serial-2", help="Use CAIDA serial-2 (caida-asrel2) instead of serial-1.")] = False,
    strict: StrictOption = False,
    offline: OfflineOption = False,
    json_out: JsonOption = False,
) -> None:
    """Propagate one origin (BGPy's rules and tie-break; see docs/simulation.md) and summarize reachability."""
    origin_asn = _asn(origin)
    sources = [_asn(a) for a in (from_as or [])]
    scenario = Scenario()
    for a in without_as or []:
        scenario = scenario.without_as(_asn(a))
    for text in without_link or []:
        scenario = scenario.without_link(*_link(text))
    bad = BadRecords(strict=strict)
    with progress_bar(bytes_mode=True) as progress:
        release = fetch_release("caida-asrel2" if serial2 else "caida-asrel", date,
                                Settings.from_env(offline=offline or None), progress=progress)
    graph = load_as_relationships(release.path, bad=bad)
    for a in sources:
        graph.require_index(a)
    overlay = compile_overlay(graph, scenario)
    routes = propagate(graph, origin_asn, scenario=overlay, keep_all_ties=keep_all_ties)
    result: dict[str, Any] = {
        "origin": origin_asn,
        "scenario": scenario.describe(),
        "summary": routes.summary(),
        "routes": [_route(routes, a, keep_all_ties) for a in sources],
        "source": release.to_dict(),
        "bad_records": bad.summary(),
    }
    if not scenario.is_baseline:
        result["against_baseline"] = compare_scenario(graph, overlay, [origin_asn], max_details=0).totals()
    if json_out:
        print_json(result)
        return
    _print(result)


def _print(result: dict[str, Any]) -> None:
    summary = result["summary"]
    console.print(f"[bold]routes towards AS{result['origin']}[/]  ({'; '.join(result['scenario'])})  "
                  f"{summary['with_route']:,} of {summary['ases']:,} ASes have a route", soft_wrap=True)
    for route in result["routes"]:
        if not route["has_route"]:
            console.print(f"AS{route['from']}: no route")
            continue
        hops = " → ".join(f"AS{h['asn']}" for h in route["hops"])
        hop_word = "hop" if route["path_length"] == 1 else "hops"
        console.print(f"AS{route['from']} ({route['relationship']} route, {route['path_length']} {hop_word}): {hops}",
                      soft_wrap=True)
        if "tied_next_hops" in route:
            console.print(f"  equally good next hops: {', '.join(f'AS{a}' for a in route['tied_next_hops']) or '-'}")
    table = Table("route learned from", "ASes", title="reachability by relationship")
    for name, count in summary["by_relationship"].items():
        table.add_row(name, f"{count:,}")
    console.print(table)
    hist = Table("path length (AS hops)", "ASes", title="path lengths")
    for length, count in summary["path_length_histogram"].items():
        hist.add_row(str(length), f"{count:,}")
    console.print(hist)
    if "against_baseline" in result:
        t = result["against_baseline"]
        console.print(f"against the baseline: {t['lost']:,} ASes lose their route, {t['next_hop_moved']:,} change "
                      f"next hop, {t['longer']:,} longer and {t['shorter']:,} shorter paths")
    if result["bad_records"]["count"]:
        console.print(f"[yellow]{result['bad_records']['count']:,} bad lines skipped[/]")
    src = result["source"]
    console.print(f"[dim]{src['dataset']} {src['release'][:10]}  {src['url']}[/]", soft_wrap=True)

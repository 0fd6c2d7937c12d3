"""Observed evidence, honestly: whether its paths cover enough of a country to rank, and how it agrees with simulation.

Observed paths come from whatever the collectors' files hold: a full RIB covers nearly every
routed prefix of a country, one five-minute update file a sliver of it (0.06% of Russia's
IPv4 space in the measured case), yet both give shares that add up to 100%. A ranking is
only a statement about the country when the covered part outweighs the uncovered one, so
below :data:`MIN_OBSERVED_COVERAGE` nothing is ranked unless asked. When rankings are
shown, observed and simulated go side by side with how much they agree.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

from .transit import TransitReport

__all__ = ["AGREEMENT_DEPTH", "MIN_OBSERVED_COVERAGE", "kendall_tau_b", "observed_coverage", "ranking_agreement",
           "side_by_side", "thin_evidence_report"]

MIN_OBSERVED_COVERAGE = 0.5
"""Share of the country's IPv4 space the observed paths must cover before their ranking is shown.

A provider holding share ``s`` of the covered part ``c`` holds between ``s·c`` and
``s·c + (1 − c)`` of the whole country. Below one half the space no path covers outweighs
the space they cover, so what was not seen could reverse any order, the first place
included; at or above it the seen part at least decides the larger half. It is a floor,
not a guarantee (docs/methodology.md, "Observed evidence").
"""

AGREEMENT_DEPTH = 10
"""How deep the two rankings are compared: the top 10 (and the top 5) are what a reader quotes."""


def observed_coverage(evidence: dict[str, Any]) -> float:
    """Share of the country's IPv4 space (IPv6 when it has no IPv4) that the observed paths cover; 0 if none."""
    coverage = evidence.get("coverage") or {}
    value = coverage.get("ipv4", coverage.get("ipv6", 0.0))
    return 0.0 if value is None or math.isnan(value) else float(value)


def _pct(x: float) -> str:
    """A share for a sentence: small ones keep two significant digits (0.06%), never round to 0."""
    value = 100 * x
    if value >= 10 or value == 0:
        return f"{value:.0f}%"
    return f"{value:.2g}%" if value < 1 else f"{value:.1f}%"


def thin_evidence_report(report: TransitReport, coverage: float, *, ranked: bool) -> TransitReport:
    """The report marked as thin: rankings emptied (unless ``ranked``) and the summary saying why first."""
    below = (f"The observed paths cover {_pct(coverage)} of {report.cc}'s IPv4 space, below the "
             f"{_pct(MIN_OBSERVED_COVERAGE)} needed to rank from observed evidence: the space they do not cover could "
             f"reorder any ranking.")
    evidence = {**report.evidence, "coverage_threshold": MIN_OBSERVED_COVERAGE, "ranked": ranked,
                "thin_evidence": True}
    if ranked:
        summary = (f"{below} Ranked anyway, as asked: the figures below describe the covered part only. "
                   f"{report.summary}")
        return replace(report, evidence=evidence, summary=summary)
    evidence.update(gateway_blocks=[], vantage_concentration=[])
    summary = (f"{report.cc} on {report.date}: evidence too thin, nothing ranked. {below} Rankings are given only "
               "when thin evidence is asked to be ranked; simulated evidence covers the whole country.")
    return replace(report, evidence=evidence, providers=[], gateways=[], transit=[], summary=summary)


def kendall_tau_b(x: list[int], y: list[int]) -> float:
    """Kendall's tau-b of two paired rank lists (ties allowed; not both constant).

    Pairs are counted one by one: the lists compared are two top-k lists' union, a few
    dozen ranks at most, so the quadratic count costs nothing and needs no scipy at run time.
    """
    concordant = discordant = tied_x = tied_y = 0
    for i in range(len(x)):
        for j in range(i + 1, len(x)):
            dx, dy = x[i] - x[j], y[i] - y[j]
            if dx == 0 and dy == 0:
                continue
            if dx == 0:
                tied_x += 1
            elif dy == 0:
                tied_y += 1
            elif (dx > 0) == (dy > 0):
                concordant += 1
            else:
                discordant += 1
    return (concordant - discordant) / math.sqrt((concordant + discordant + tied_x) * (concordant + discordant + tied_y))


def ranking_agreement(first: list[int], second: list[int], depth: int = AGREEMENT_DEPTH) -> dict[str, Any]:
    """Overlap of the top 5 and top ``depth`` of two rankings (AS numbers, best first), and Kendall's tau-b.

    Tau is taken over the union of the two top-``depth`` lists; an AS a list does not hold
    at that depth shares that list's last place (``depth + 1``), the usual reading of top-k
    lists (Fagin, Kumar and Sivakumar 2003). Tau is None when fewer than two ASes are ranked.
    """
    a, b = first[:depth], second[:depth]
    union = list(dict.fromkeys([*a, *b]))
    rank_a = {asn: i for i, asn in enumerate(a, 1)}
    rank_b = {asn: i for i, asn in enumerate(b, 1)}
    tau = None
    if len(union) >= 2:
        x = [rank_a.get(asn, depth + 1) for asn in union]
        y = [rank_b.get(asn, depth + 1) for asn in union]
        if len(set(x)) > 1 and len(set(y)) > 1:
            tau = kendall_tau_b(x, y)
    top5 = min(5, depth)
    return {"depth": depth, "overlap_at_5": len(set(first[:top5]) & set(second[:top5])),
            "overlap_at_depth": len(set(a) & set(b)), "kendall_tau": tau, "union": len(union)}


def side_by_side(observed: TransitReport, simulated: TransitReport, depth: int = AGREEMENT_DEPTH) -> dict[str, Any]:
    """Both provider rankings to ``depth`` rows, each row with its border share, and their agreement."""
    def rows(report: TransitReport) -> list[dict[str, Any]]:
        return [{"rank": i, "asn": r.asn, "name": r.name, "as_name": r.as_name, "border_share": r.border_share}
                for i, r in enumerate(report.providers[:depth], 1)]

    agreement = ranking_agreement([r.asn for r in observed.providers], [r.asn for r in simulated.providers], depth)
    return {"observed": rows(observed), "simulated": rows(simulated), **agreement,
            "simulated_evidence": {k: simulated.evidence.get(k) for k in ("kind", "vantage_points", "paths")}}

"""How robust each headline rank is: the same ranking re-computed over honest alternatives.

A headline ("Cogent is Russia's #1 international transit provider") is only as good as
the choices under it that the data do not settle: how equally good routes share traffic,
who sends traffic into the country, which monthly AS-relationship inference is used.
This module is pure: it takes the default ranking and one ranking per variant (full
share vectors keyed by AS number) and says, for each headline row, the range of ranks
and shares it takes over the variants, and whether the #1 changes. The api layer
(``api/stability.py``) runs the variants; docs/methodology.md says why each is in.
``org_stability.py`` merges each variant's vectors by organization and then ranks them here.

Ranks are competition ranks: 1 + the number of ASes with a strictly larger share, so
equal shares share a rank and a rank never depends on the order ASes are stored in. An
AS with no share in a variant is *unranked* there.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from .flow_measures import FlowMeasures

__all__ = ["RankRange", "Ranking", "Stability", "TABLES", "competition_ranks", "flow_rankings", "headline_stability",
           "rank_ranges"]

# the headline tables: report field -> what the share is
TABLES = {"providers": "border share", "gateways": "gateway share", "transit": "influence"}


@dataclass(frozen=True, eq=False)
class Ranking:
    """One variant's shares of every AS (any order; zero or absent = no share) for one table."""

    asns: np.ndarray
    shares: np.ndarray

    def share_of(self, asns: np.ndarray) -> np.ndarray:
        """The share of each of ``asns`` (0 where absent)."""
        if len(self.asns) == 0:
            return np.zeros(len(asns))
        order = np.argsort(self.asns, kind="stable")
        keys = self.asns[order]
        pos = np.minimum(np.searchsorted(keys, asns), len(keys) - 1)
        return np.where(keys[pos] == asns, self.shares[order][pos], 0.0)

    def ranks_of(self, asns: np.ndarray) -> np.ndarray:
        """Competition rank of each of ``asns``; 0 where it has no share."""
        return competition_ranks(self.shares, self.share_of(asns))


def competition_ranks(shares: np.ndarray, values: np.ndarray) -> np.ndarray:
    """1 + how many of ``shares`` are strictly larger than each value; 0 for a value that is not positive."""
    positive = np.sort(shares[shares > 0])
    larger = len(positive) - np.searchsorted(positive, values, side="right")
    return np.where(values > 0, larger + 1, 0).astype(np.int64)


def flow_rankings(flows: FlowMeasures, column: int = 0) -> dict[str, Ranking]:
    """The headline tables' shares from one column of flow measures, normalized as ``transit_report`` does."""
    from .transit_flows import BORDER, CTI, GATEWAY

    border, gateway = flows.values[:, BORDER, column], flows.values[:, GATEWAY, column]
    total = border.sum()  # divided, not multiplied by 1/total: the report's own floats, so ties order alike
    return {"providers": Ranking(flows.asns, border / total if total > 0 else border.copy()),
            "gateways": Ranking(flows.asns, gateway / total if total > 0 else gateway.copy()),
            "transit": Ranking(flows.asns, flows.values[:, CTI, column].copy())}


@dataclass(frozen=True)
class RankRange:
    """One headline row: its default rank and share, and what they become over the variants."""

    asn: int
    name: str
    rank: int
    share: float
    rank_min: int  # over the default and every variant where it is ranked
    rank_max: int
    share_min: float  # 0 where it is unranked
    share_max: float
    stable: bool  # the same rank in every variant
    range: str  # "3" when stable, "1–3", "2–unranked" when some variant gives it no share
    ranks: dict[str, int | None]  # variant -> rank (None: unranked)
    # an organization's row (analysis/org_stability.py): its CAIDA org id, and ``asn`` is its member
    # with the largest default share; ``members`` each member with a positive default share
    org_id: str | None = None
    members: list[dict[str, Any]] | None = None


def rank_ranges(default: Ranking, variants: Mapping[str, Ranking], rows: int,
                names: Mapping[int, str] | None = None) -> list[RankRange]:
    """The top ``rows`` of ``default`` (largest share first), each with its rank range over ``variants``."""
    names = names or {}
    order = np.argsort(-default.shares, kind="stable")
    order = order[default.shares[order] > 0][:rows]
    asns = default.asns[order].astype(np.int64)
    base_rank = competition_ranks(default.shares, default.shares[order])
    base_share = default.shares[order].astype(np.float64)
    per_variant = {name: (v.ranks_of(asns), v.share_of(asns)) for name, v in variants.items()}
    out: list[RankRange] = []
    for i, asn in enumerate(asns.tolist()):
        ranks = {name: (int(r[i]) or None) for name, (r, _) in per_variant.items()}
        shares = [float(base_share[i])] + [float(s[i]) for _, s in per_variant.values()]
        ranked = [int(base_rank[i])] + [r for r in ranks.values() if r is not None]
        unranked = any(r is None for r in ranks.values())
        lo, hi = min(ranked), max(ranked)
        stable = lo == hi and not unranked
        text = str(lo) if stable else f"{lo}–{'unranked' if unranked else hi}"
        out.append(RankRange(asn=asn, name=names.get(asn, ""), rank=int(base_rank[i]), share=float(base_share[i]),
                             rank_min=lo, rank_max=hi, share_min=min(shares), share_max=max(shares), stable=stable,
                             range=text, ranks=ranks))
    return out


@dataclass(frozen=True)
class Stability:
    """Rank ranges of the headline tables over the variants, and whether the top provider holds."""

    variants: list[str]  # the variants run, as "ties: lowest-asn", "vantages: all", "month: 2022-02-01"
    rows: int  # the top rows of each table that are followed
    left_out: list[str]  # variants that could not run, each with why
    tables: dict[str, list[RankRange]]
    # table -> variant -> the AS numbers (by organization: the org ids) ranked first ("default" included)
    leaders: dict[str, dict[str, list[int]]] | dict[str, dict[str, list[str]]]
    top_provider_holds: bool | None  # None when there is no provider to compare
    verdict: str
    inputs: list[dict[str, Any]] = field(default_factory=list)  # the neighbouring releases the variants read
    by: str = "as"  # what a row is: one AS ("as") or one organization ("org")
    measures: dict[str, str] = field(default_factory=lambda: dict(TABLES))  # table -> the share it is ranked by

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def row(self, table: str, asn: int) -> RankRange | None:
        """The headline row of ``asn`` in ``table``, None when it is not among the rows followed."""
        return next((r for r in self.tables.get(table, []) if r.asn == asn), None)

    def org_row(self, table: str, org_id: str) -> RankRange | None:
        """The headline row of the organization ``org_id`` in ``table`` (by organization), else None."""
        return next((r for r in self.tables.get(table, []) if r.org_id == org_id), None)


def headline_stability(default: Mapping[str, Ranking], variants: Mapping[str, Mapping[str, Ranking]], *,
                       rows: int = 10, names: Mapping[int, str] | None = None,
                       left_out: list[str] | tuple[str, ...] = (),
                       inputs: list[dict[str, Any]] | None = None,
                       label: Callable[[int], str] | None = None) -> Stability:
    """Rank ranges of every headline table, the leaders per variant and a one-line verdict.

    ``default`` and each of ``variants`` map a table of :data:`TABLES` to its ranking.
    ``label`` names a row's key in the verdict (default: ``Name (AS<n>)`` from ``names``).
    """
    tables = {t: rank_ranges(default[t], {v: r[t] for v, r in variants.items()}, rows, names) for t in TABLES}
    leaders = {t: {v: _leaders(r[t]) for v, r in {"default": default, **variants}.items()} for t in TABLES}
    named = names or {}
    holds, verdict = _verdict(leaders["providers"], label or (lambda asn: _label(asn, named)), left_out)
    return Stability(variants=list(variants), rows=rows, left_out=list(left_out), tables=tables, leaders=leaders,
                     top_provider_holds=holds, verdict=verdict, inputs=list(inputs or []))


def _leaders(ranking: Ranking) -> list[int]:
    if not (ranking.shares > 0).any():
        return []
    top = ranking.shares.max()
    return sorted(int(a) for a in ranking.asns[ranking.shares == top])


def _label(asn: int, names: Mapping[int, str]) -> str:
    return f"{names[asn]} (AS{asn})" if names.get(asn) else f"AS{asn}"


def _verdict(leaders: Mapping[str, list[int]], label: Callable[[int], str],
             left_out: list[str] | tuple[str, ...]) -> tuple[bool | None, str]:
    first = leaders.get("default", [])
    variants = {v: a for v, a in leaders.items() if v != "default"}
    missing = f" ({len(left_out)} variant(s) could not run: see left_out)" if left_out else ""
    if not first:
        return None, "no provider is ranked, so there is no headline to test"
    if not variants:
        return None, f"no variant could run, so the stability of the top provider is unknown{missing}"
    who = " and ".join(label(a) for a in first)
    changed = {v: a for v, a in variants.items() if a != first}
    if not changed:
        return True, f"the top provider, {who}, is the same in every variant ({len(variants)} of {len(variants)}){missing}"
    detail = "; ".join(f"{v}: {' and '.join(label(a) for a in a_) or 'none'} first" for v, a_ in changed.items())
    return False, f"the top provider, {who}, changes in {len(changed)} of {len(variants)} variants ({detail}){missing}"

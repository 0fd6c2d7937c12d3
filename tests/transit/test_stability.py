"""Rank ranges over variants (analysis/stability.py) against a slow, obvious reference."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from splinternet.analysis.org_stability import org_stability
from splinternet.analysis.stability import (
    TABLES,
    Ranking,
    competition_ranks,
    headline_stability,
    rank_ranges,
)
from splinternet.sources.asorg import OrgTable


def reference_rank(shares: dict[int, float], asn: int) -> int | None:
    """1 + the number of ASes with a strictly larger share; None without a share."""
    mine = shares.get(asn, 0.0)
    if mine <= 0:
        return None
    return 1 + sum(1 for s in shares.values() if s > mine)


def reference_ranges(default: dict[int, float], variants: dict[str, dict[int, float]], rows: int) -> list[dict]:
    ordered = [a for a, s in sorted(default.items(), key=lambda kv: -kv[1]) if s > 0][:rows]
    out = []
    for asn in ordered:
        ranks = {v: reference_rank(shares, asn) for v, shares in variants.items()}
        every = [reference_rank(default, asn)] + list(ranks.values())
        ranked = [r for r in every if r is not None]
        shares = [default[asn]] + [max(s.get(asn, 0.0), 0.0) for s in variants.values()]
        out.append({"asn": asn, "rank": reference_rank(default, asn), "ranks": ranks, "rank_min": min(ranked),
                    "rank_max": max(ranked), "share_min": min(shares), "share_max": max(shares),
                    "stable": len(set(every)) == 1})
    return out


def _ranking(shares: dict[int, float]) -> Ranking:
    asns = np.array(list(shares), dtype=np.uint32)
    return Ranking(asns, np.array([shares[a] for a in shares], dtype=np.float64))


# shares on a coarse grid, so that equal shares (shared ranks) happen often
share_maps = st.dictionaries(st.integers(1, 40), st.integers(0, 6).map(lambda k: k / 8), max_size=25)


@settings(max_examples=300, deadline=None)
@given(default=share_maps, variants=st.lists(share_maps, max_size=5), rows=st.integers(1, 12))
def test_rank_ranges_agree_with_the_reference(default, variants, rows) -> None:
    named = {f"v{i}": v for i, v in enumerate(variants)}
    got = rank_ranges(_ranking(default), {k: _ranking(v) for k, v in named.items()}, rows)
    want = reference_ranges(default, named, rows)
    # the rows are the default's top rows by share (the order of equal shares is the storage order)
    assert sorted(default[r.asn] for r in got) == sorted(default[w["asn"]] for w in want)
    by_asn = {w["asn"]: w for w in reference_ranges(default, named, len(default))}
    for row in got:
        w = by_asn[row.asn]
        assert row.rank == w["rank"] and row.ranks == w["ranks"]
        assert (row.rank_min, row.rank_max, row.stable) == (w["rank_min"], w["rank_max"], w["stable"])
        assert (row.share_min, row.share_max) == (w["share_min"], w["share_max"])
        # properties a reader relies on
        assert row.rank_min <= row.rank <= row.rank_max
        assert row.share_min <= row.share <= row.share_max
        assert row.stable == (row.rank_min == row.rank_max and None not in row.ranks.values())
        assert row.range == (str(row.rank) if row.stable else
                             f"{row.rank_min}–{'unranked' if None in row.ranks.values() else row.rank_max}")


@settings(max_examples=200, deadline=None)
@given(shares=st.lists(st.integers(0, 5).map(float), max_size=30), values=st.lists(st.integers(-1, 6).map(float),
                                                                                    max_size=10))
def test_competition_ranks(shares, values) -> None:
    got = competition_ranks(np.array(shares), np.array(values))
    for v, r in zip(values, got.tolist(), strict=True):
        assert r == (1 + sum(1 for s in shares if s > v) if v > 0 else 0)


def test_identical_variants_are_stable_and_the_verdict_says_so() -> None:
    default = {t: _ranking({1: 0.5, 2: 0.3, 3: 0.2}) for t in TABLES}
    result = headline_stability(default, {"ties: lowest-asn": default, "month: 2022-02-01": default},
                                names={1: "First Net"})
    assert all(r.stable and r.range == str(r.rank) for rows in result.tables.values() for r in rows)
    assert result.top_provider_holds is True
    assert result.verdict == "the top provider, First Net (AS1), is the same in every variant (2 of 2)"


def test_a_changed_leader_is_named_with_its_variant() -> None:
    default = {t: _ranking({1: 0.5, 2: 0.3}) for t in TABLES}
    swapped = {t: _ranking({1: 0.3, 2: 0.5}) for t in TABLES}
    gone = {t: _ranking({2: 0.9}) for t in TABLES}
    result = headline_stability(default, {"ties: highest-asn": swapped, "month: 2022-04-01": gone},
                                left_out=["month: 2022-02: no release"])
    first = result.row("providers", 1)
    assert first is not None and (first.rank, first.range, first.stable) == (1, "1–unranked", False)
    assert first.ranks == {"ties: highest-asn": 2, "month: 2022-04-01": None} and first.share_min == 0.0
    assert result.top_provider_holds is False
    assert "changes in 2 of 2 variants" in result.verdict and "ties: highest-asn: AS2 first" in result.verdict
    assert "1 variant(s) could not run" in result.verdict
    assert result.leaders["providers"] == {"default": [1], "ties: highest-asn": [2], "month: 2022-04-01": [2]}
    assert result.to_dict()["tables"]["providers"][0]["range"] == "1–unranked"


def test_no_variant_means_unknown_not_stable() -> None:
    default = {t: _ranking({1: 0.5}) for t in TABLES}
    result = headline_stability(default, {}, left_out=["months: given as a file"])
    assert result.top_provider_holds is None and "unknown" in result.verdict


# organizations of the property test below: ASes 1-15 belong to ORG-0 .. ORG-4 (by a % 5);
# 16 and above have no known organization, so each is its own ("AS16")
_ORGS = OrgTable(asns=np.arange(1, 16, dtype=np.uint32), as_names=np.array([f"N{a}" for a in range(1, 16)], object),
                 as_org=np.arange(1, 16, dtype=np.int32) % 5, as_source=np.array(["RIPE"] * 15, dtype=object),
                 org_ids=np.array([f"ORG-{k}" for k in range(5)], dtype=object),
                 org_names=np.array([f"Org {k}" for k in range(5)], dtype=object),
                 org_countries=np.array(["DE"] * 5, dtype=object))


def _org_of(asn: int) -> str:
    return f"ORG-{asn % 5}" if asn <= 15 else f"AS{asn}"


def reference_org_shares(shares: dict[int, float]) -> dict[str, float]:
    """An organization's share: the sum of its members' shares, by hand."""
    out: dict[str, float] = {}
    for asn, share in shares.items():
        out[_org_of(asn)] = out.get(_org_of(asn), 0.0) + share
    return out


# ASes 1-22; a variant may hold ASes the default lacks (a neighbouring month's graph)
as_share_maps = st.dictionaries(st.integers(1, 22), st.integers(0, 6).map(lambda k: k / 8), min_size=1, max_size=22)


@settings(max_examples=150, deadline=None)
@given(default=as_share_maps, variants=st.lists(as_share_maps, max_size=4), rows=st.integers(1, 10))
def test_org_ranges_merge_every_variant_by_organization(default, variants, rows) -> None:
    named = {f"v{i}": v for i, v in enumerate(variants)}
    result = org_stability({t: _ranking(default) for t in TABLES},
                           {k: {t: _ranking(v) for t in TABLES} for k, v in named.items()}, _ORGS, rows=rows)
    merged = reference_org_shares(default)
    merged_variants = {k: reference_org_shares(v) for k, v in named.items()}
    want = {w["asn"]: w for w in reference_ranges(merged, merged_variants, len(merged))}  # keyed by org id here
    assert result.by == "org" and result.measures["transit"] == "influence, upper bound (sum of members)"
    for table in TABLES:
        got = result.tables[table]
        assert len(got) == min(rows, sum(1 for s in merged.values() if s > 0))
        assert [r.share for r in got] == sorted((r.share for r in got), reverse=True)
        for row in got:
            w = want[row.org_id]
            assert row.share == pytest.approx(merged[row.org_id], abs=1e-12)
            assert row.rank == w["rank"] and row.ranks == w["ranks"]
            assert (row.rank_min, row.rank_max, row.stable) == (w["rank_min"], w["rank_max"], w["stable"])
            assert (row.share_min, row.share_max) == pytest.approx((w["share_min"], w["share_max"]), abs=1e-12)
            members = {a: s for a, s in default.items() if _org_of(a) == row.org_id and s > 0}
            assert {m["asn"]: m["share"] for m in row.members} == members
            assert row.asn == row.members[0]["asn"] and members[row.asn] == max(members.values())
            assert row.name == (f"Org {row.org_id[-1]}" if row.org_id.startswith("ORG-") else "")
    leaders = result.leaders["providers"]
    for variant, shares in {"default": merged, **merged_variants}.items():
        top = max(shares.values(), default=0.0)
        assert leaders[variant] == (sorted(k for k, s in shares.items() if s == top) if top > 0 else [])

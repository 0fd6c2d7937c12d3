"""The world dataset on the real 2022 topology: its countries equal `transit` for the same inputs."""

from __future__ import annotations

import ipaddress
import json
import math
import os
import subprocess
import sys

import numpy as np
import pytest
from typer.testing import CliRunner

from splinternet import api
from splinternet.cli.app import app
from splinternet.errors import InputError, ParameterError, UnknownCountryError
from splinternet.sources.snapshot import Snapshot

pytestmark = [pytest.mark.data, pytest.mark.slow]
QUICK = 120  # largest origins per country: the equality holds for any limit, this keeps the test short
COUNTRIES = ("RU", "UA", "DE", "IR", "CU")


def _snapshot(settings) -> Snapshot:
    return Snapshot.for_date("2022-03-01", settings=settings, prefixes_date="2024-04-06")


@pytest.fixture(scope="module")
def quick_world(mirror_settings, tmp_path_factory):
    out = tmp_path_factory.mktemp("world")
    summary = api.build_world("2022-03-01", out, options=api.WorldOptions(countries=COUNTRIES, max_origins=QUICK),
                        snapshot=_snapshot(mirror_settings))
    return out, summary


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


@pytest.mark.parametrize("cc", COUNTRIES)
def test_country_equals_transit(quick_world, mirror_settings, cc) -> None:
    out, summary = quick_world
    assert cc in summary.done
    expected = api.transit(cc, None, options=api.TransitOptions(max_origins=QUICK), snapshot=_snapshot(mirror_settings))
    got = api.world_country(out, cc)
    want, have = expected.to_dict(), got.to_dict()
    for key in want:
        assert _same(want[key], have[key]), key
    if cc == "RU":
        assert len(got.providers) == 25  # top rows, as transit's default


def test_every_origin_of_small_countries(mirror_settings, tmp_path) -> None:
    summary = api.build_world("2022-03-01", tmp_path, options=api.WorldOptions(countries=("CU", "IR")),
                        snapshot=_snapshot(mirror_settings))
    assert summary.done == ["CU", "IR"] and summary.routing_trees > 0
    for cc in ("CU", "IR"):
        expected = api.transit(cc, None, snapshot=_snapshot(mirror_settings)).to_dict()
        assert _same(expected, api.world_country(tmp_path, cc).to_dict())


def test_indices_follow_from_the_full_tables(quick_world) -> None:
    out, _ = quick_world
    rows = {r.cc: r for r in api.world_indices(out)}
    assert set(rows) == set(COUNTRIES)
    for cc, row in rows.items():
        result = api.ingest.run_query(f"SELECT border_share FROM providers WHERE cc = '{cc}' ORDER BY rank", out)
        shares = result.data["border_share"].tolist()
        assert sum(shares) == pytest.approx(1.0)
        assert row.top_provider_share == shares[0]
        assert row.border_hhi == pytest.approx(sum(s * s for s in shares))
        assert sum(shares[: row.providers_for_90]) >= 0.9 - 1e-9 > sum(shares[: row.providers_for_90 - 1])
        assert row.top_organization_share >= row.top_provider_share
    assert rows["RU"].single_foreign_upstream_networks > 0


def test_rerun_is_idempotent_and_refuses_other_settings(quick_world, mirror_settings) -> None:
    out, _ = quick_world
    again = api.build_world("2022-03-01", out, options=api.WorldOptions(countries=COUNTRIES, max_origins=QUICK),
                      snapshot=_snapshot(mirror_settings))
    assert again.done == [] and sorted(again.reused) == sorted(COUNTRIES)
    with pytest.raises(ParameterError, match="max_origins"):
        api.build_world("2022-03-01", out, options=api.WorldOptions(countries=("CU",)), snapshot=_snapshot(mirror_settings))


def test_damaged_file_is_redone(mirror_settings, tmp_path) -> None:
    options = api.WorldOptions(countries=("CU",), max_origins=QUICK)
    api.build_world("2022-03-01", tmp_path, options=options, snapshot=_snapshot(mirror_settings))
    part = tmp_path / "providers" / "cc=CU" / "part.parquet"
    part.write_bytes(part.read_bytes()[:-10])
    again = api.build_world("2022-03-01", tmp_path, options=options, snapshot=_snapshot(mirror_settings))
    assert again.done == ["CU"] and api.world_country(tmp_path, "CU").providers


def test_query_and_errors(quick_world) -> None:
    out, _ = quick_world
    result = api.ingest.run_query("SELECT cc, count(*) AS n FROM measures GROUP BY cc ORDER BY cc", out)
    assert result.data["cc"].tolist() == sorted(COUNTRIES)
    assert {"countries", "providers", "gateways", "transit", "organizations", "inputs"} <= set(result.views)
    with pytest.raises(ParameterError):
        api.ingest.run_query("COPY countries TO 'x.csv'", out)
    with pytest.raises(ParameterError, match=r"nosuch.*\(views of .*countries, gateways"):  # what to use instead
        api.ingest.run_query("SELECT * FROM nosuch", out)
    with pytest.raises(ParameterError, match="query failed"):  # not even parseable: still one clear error
        api.ingest.run_query("SELEC cc FROM countries", out)
    with pytest.raises(UnknownCountryError, match="not in the world dataset"):
        api.world_country(out, "LI")


def test_cli_json_and_unknown_directory(mirror_settings, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SPLINTERNET_MIRROR", str(mirror_settings.mirror))
    monkeypatch.setenv("SPLINTERNET_CACHE", str(mirror_settings.cache_dir))
    base = ["world", "--date", "2022-03-01", "--prefixes-date", "2024-04-06", "--max-origins", "20"]
    # AQ: a country some organization is registered in, without address blocks on the date: left out
    result = CliRunner().invoke(app, [*base, "--countries", "CU,AQ", "--out", str(tmp_path / "w"), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["done"] == ["CU"] and [s["cc"] for s in summary["skipped"]] == ["AQ"]
    with pytest.raises(InputError):
        api.world_country(tmp_path / "nothing", "CU")


def test_unknown_countries_and_bad_limits_are_refused_before_any_work(mirror_env, tmp_path) -> None:
    """A typo in --countries is one error, as in `transit XX`, not a country left out; a limit below
    its bound is refused rather than sliced by (``[:-1]`` would quietly drop one origin)."""
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "splinternet", "world", "--date", "2022-03-01",
                               "--prefixes-date", "2024-04-06", "--countries", "LI", *args], capture_output=True,
                              text=True, env=dict(os.environ), timeout=300)

    typo = run("--countries", "LI,XX", "--out", str(tmp_path / "w"))
    assert typo.returncode == 2 and "Traceback" not in typo.stderr
    assert "XX: unknown country code (--countries)" in " ".join(typo.stderr.split())
    assert not (tmp_path / "w" / "countries").exists()
    for option, value in (("--max-origins", "-1"), ("--max-origins", "0"), ("--carriers", "-3")):
        bad = run(option, value, "--out", str(tmp_path / "v"))
        assert bad.returncode == 2 and option in bad.stderr and "Traceback" not in bad.stderr, bad.stderr
    with pytest.raises(ParameterError, match="max origins must be at least 1"):
        api.WorldOptions(max_origins=-1)
    with pytest.raises(ParameterError, match="carriers must be at least 0"):
        api.WorldOptions(carriers=-1)
    with pytest.raises(ParameterError, match="max origins"):
        api.TransitOptions(max_origins=0)


def test_one_carrier_away_is_the_whatif_of_each_top_provider(mirror_settings, tmp_path) -> None:
    options = api.WorldOptions(countries=("CU",), max_origins=QUICK, carriers=2)
    api.build_world("2022-03-01", tmp_path, options=options, snapshot=_snapshot(mirror_settings))
    table = api.ingest.run_query("SELECT * FROM carriers ORDER BY rank", tmp_path).records()
    report = api.world_country(tmp_path, "CU")
    assert [r["asn"] for r in table] == [p.asn for p in report.providers[:2]]
    for row in table:
        expected = api.whatif("CU", None, [row["asn"]], options=api.TransitOptions(max_origins=QUICK),
                              snapshot=_snapshot(mirror_settings))
        assert row["lost_share"] == expected.lost_share
        assert row["reach_after"] == expected.reach["after"]
        assert json.loads(row["absorbed"]) == expected.absorbed[:3]
    (indices,) = api.world_indices(tmp_path)
    worst = max(table, key=lambda r: r["lost_share"])
    assert indices.carriers_removed == 2 and indices.one_carrier_away_share == worst["lost_share"]


def test_gateway_blocks_from_the_index_equal_a_table_scan(mirror_settings) -> None:
    """The world run looks gateway blocks up in an index built once; transit scans the table: same rows."""
    from splinternet.api.providers import largest_blocks, single_origin_index

    snapshot = _snapshot(mirror_settings)
    pfx4 = snapshot.pfx2as(4)
    origins = api.country_membership(snapshot, "DE").origins
    asns = [int(a) for a in origins.asns[(-origins.weight).argsort(kind="stable")][:100]] + [4_199_999_999]
    scanned = largest_blocks(asns, origins, pfx4)
    assert scanned == largest_blocks(asns, origins, pfx4, single_origin_index(pfx4))
    # slow reference: each AS's single-origin IPv4 rows in table order, the first shortest one
    count, first = pfx4.origin_count(), pfx4.first_origin()
    rows_of: dict[int, list[int]] = {}
    for row in np.flatnonzero((pfx4.version == 4) & (count == 1)).tolist():
        rows_of.setdefault(int(first[row]), []).append(row)
    own = dict(zip(origins.asns.tolist(), origins.v4_addresses.tolist(), strict=True))
    expected = []
    for asn in asns:
        rows = rows_of.get(asn, []) if own.get(asn, 0.0) > 0 else []
        if rows:
            best = min(rows, key=lambda r: (int(pfx4.length[r]), r))
            expected.append((asn, str(ipaddress.IPv4Address(int(pfx4.lo[best]))), int(pfx4.length[best])))
    got = [(b["asn"], *str(b["prefix"]).split("/")) for b in scanned]
    assert [(a, p, int(n)) for a, p, n in got] == expected and len(got) > 50

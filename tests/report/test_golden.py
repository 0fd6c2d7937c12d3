"""Snapshot tests of what people read: terminal text, CSV and HTML of one fixed small transit report.

A change to the presentation changes these files, so it is reviewed on purpose: run
``pytest tests/report/test_golden.py --regen-golden`` (or ``SPLINTERNET_REGEN_GOLDEN=1``) and
read the diff of ``tests/report/golden/`` before committing it. Charts are left out of the
HTML snapshot (their SVG depends on the matplotlib version); the chart code is tested apart.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
from contextlib import redirect_stdout
from pathlib import Path

import pytest

from splinternet.analysis.transit import GatewayRow, ProviderRow, TransitReport
from splinternet.cli import output
from splinternet.cli.transit import render_text, write_csv
from splinternet.report.html import render_report
from splinternet.report.jsonable import to_jsonable

GOLDEN = Path(__file__).parent / "golden"


def _report() -> TransitReport:
    """A small report with the cases that went wrong: tiny shares, a long name, a region code, many notes,
    a share resting on one month's links."""
    served = [{"asn": 64501, "name": "Alpha Net", "as_name": "", "share": 0.31},
              {"asn": 31399, "name": "Mercedes-Benz Group AG", "as_name": "DAIMLER-AS", "share": 0.000068}]
    providers = [  # AS names: the same as the organization's (hidden), another name (shown), none
        ProviderRow(3356, "Level 3 Parent, LLC", "LEVEL3", "US", 0.3123, 0.2871, 0.29, 12, served, 2, 2, {}),
        ProviderRow(9304, "HGC Global Communications Limited of Hong Kong", "HUTCHISON-AS-AP", "HK", 0.0000684,
                    None, 0.0, 1, served[1:], 0, 1, {}),
        ProviderRow(6939, "Hurricane Electric LLC", "HURRICANE", "", 0.2, 0.1, 0.1, 3, served[:1], 0, 0, {},
                    unconfirmed_handoff=0.8),  # mostly over links one month alone infers: marked
        ProviderRow(3216, "PJSC VimpelCom", "SOVAM-AS", "RU", 0.05, 0.04, 0.04, 2, served[:1], 0, 0, {}),
    ]
    gateways = [GatewayRow(31399, "Mercedes-Benz Group AG", "DAIMLER-AS", 0.079, 0.0001, 0.001, 54, 0.148),
                GatewayRow(64501, "Alpha Net", "", 0.5, 0.4, 0.4, 3, 0.2, unconfirmed_handoff=0.6)]
    evidence = {"kind": "simulated", "vantage_points": 71560, "paths": 122465920,
                "gateway_blocks": [{"asn": 31399, "prefix": "53.0.0.0/8", "ipv4_addresses": 16777216.0,
                                    "share_of_own_space": 1.0}]}
    membership = {"cc": "DE", "view": "address", "weighting": "space", "origins": 2579,
                  "routed_ipv4_addresses": 113641264.0, "routed_ipv6_slash64": float("nan"), "ipv6_coverage": None}
    notes = ["gcp-ip-ranges left out: no release at or before 2022-03-01",
             "azure-service-tags left out: no release at or before 2022-03-01",
             "caida-asorg: no release at or before 2022-03-01; used the next one, 31 days later",
             "caida-asorg: no release at or before 2022-03-01; used the next one, 31 days later",
             "the web extra: pip install 'splinternet[web]'"]
    sources = [{"dataset": "caida-asrel", "release": "2022-03-01T00:00:00", "url": "https://example.invalid/a.bz2",
                "sha256": "ab" * 32, "note": None}]
    return TransitReport("DE", "2022-03-01", evidence, membership, providers, gateways, [],
                         "DE on 2022-03-01: a summary.", sources, notes)


def _check(name: str, text: str, request: pytest.FixtureRequest) -> None:
    path = GOLDEN / name
    if request.config.getoption("--regen-golden") or os.environ.get("SPLINTERNET_REGEN_GOLDEN") == "1":
        path.write_bytes(text.encode("utf-8"))
        return
    assert path.exists(), f"no golden file {path}; run with --regen-golden and review it"
    assert text == path.read_bytes().decode("utf-8"), f"{name} changed; review, then run with --regen-golden"


def test_transit_text(request: pytest.FixtureRequest) -> None:
    with output.console.capture() as captured:
        render_text(_report())
    _check("transit.txt", captured.get(), request)


def test_transit_csv(request: pytest.FixtureRequest) -> None:
    buf = io.StringIO()
    with redirect_stdout(buf):
        write_csv([_report()])
    _check("transit.csv", buf.getvalue(), request)


def test_transit_html(request: pytest.FixtureRequest) -> None:
    html = render_report(to_jsonable(_report()), generated=dt.datetime(2024, 1, 2, 3, 4, tzinfo=dt.UTC))
    html = re.sub(r"<svg.*?</svg>", "<svg/>", html, flags=re.DOTALL)
    html = re.sub(r"<style>.*?</style>|<script>.*?</script>", "", html, flags=re.DOTALL)
    html = html.replace(__import__("splinternet").__version__, "VERSION")
    _check("transit.html", html, request)


def test_transit_json_counts_and_nulls() -> None:
    data = to_jsonable(_report())
    assert data["membership"]["routed_ipv4_addresses"] == 113641264
    assert isinstance(data["membership"]["routed_ipv4_addresses"], int)
    assert data["membership"]["routed_ipv6_slash64"] is None and data["membership"]["ipv6_coverage"] is None

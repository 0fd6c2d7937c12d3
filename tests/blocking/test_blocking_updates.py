"""The zapret-info update logs: register update cadence, checked against plain Python."""

from __future__ import annotations

import datetime as dt
import statistics
from pathlib import Path

import pytest

from splinternet.analysis.blocking_updates import update_cadence
from splinternet.errors import InputError
from splinternet.sources.registry_log import load_update_log

pytestmark = pytest.mark.data


@pytest.mark.parametrize("name", ["update-log-2012-2018.csv", "update-log-2012-2020.csv"])
def test_update_logs(shared_data_dir: Path, name: str) -> None:
    path = shared_data_dir / "samples/registry/rkn" / name
    lines = path.read_text().splitlines()
    stamps = sorted({dt.datetime.strptime(ln.split(",", 2)[2], "Updated: %Y-%m-%d %H:%M:%S %z")
                     for ln in lines if ",Updated: " in ln})
    cadence = update_cadence(load_update_log(path))
    assert cadence.updates == sum(",Updated: " in ln for ln in lines)
    assert cadence.distinct_register_times == len(stamps)
    assert cadence.bad_records["count"] == 0
    assert len(cadence.notes) == len(lines) - cadence.updates
    assert cadence.notes[-1][2] == "Initial commit" and cadence.notes[-1][0] == len(lines)
    gaps = [(b - a).total_seconds() / 3600 for a, b in zip(stamps, stamps[1:], strict=False)]
    assert cadence.median_gap_hours == pytest.approx(statistics.median(gaps))
    assert cadence.longest_gap_hours == pytest.approx(max(gaps))
    assert int(cadence.by_month.columns["updates"].sum()) == len(stamps)
    assert cadence.first == stamps[0].strftime("%Y-%m-%dT%H:%M:%S")


def test_damaged_log(shared_data_dir: Path, tmp_path: Path) -> None:
    lines = (shared_data_dir / "samples/registry/rkn/update-log-2012-2018.csv").read_text().splitlines()
    sha, _, message = lines[9].split(",", 2)
    lines[9] = f"{sha},yesterday,{message}"
    lines[19] = "no commas here"
    p = tmp_path / "log.csv"
    p.write_text("\n".join(lines) + "\n")
    log = load_update_log(p)
    assert [e.line for e in log.bad.examples] == [10, 20]
    with pytest.raises(InputError, match=r"log.csv:10: commit time"):
        load_update_log(p, strict=True)

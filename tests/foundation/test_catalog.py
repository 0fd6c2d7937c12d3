"""Release resolution on the real mirror: newest at or before a date, and clear misses."""

from __future__ import annotations

import datetime as dt

import pytest

from splinternet.errors import DataNotFoundError, ParameterError
from splinternet.sources.catalog import DATASETS, fetch_release, list_releases, parse_when

pytestmark = pytest.mark.data


@pytest.mark.parametrize(
    ("dataset", "when", "params", "released", "url_end"),
    [
        ("caida-asrel", "2022-04-30", {}, dt.datetime(2022, 3, 1), "serial-1/20220301.as-rel.txt.bz2"),
        ("caida-asrel", "2022-05-01", {}, dt.datetime(2022, 5, 1), "serial-1/20220501.as-rel.txt.bz2"),
        ("caida-asorg", "2022-06-30", {}, dt.datetime(2022, 4, 1), "20220401.as-org2info.txt.gz"),
        ("routeviews-pfx2as", "2024-04-20", {}, dt.datetime(2024, 4, 6), "routeviews-rv2-20240406.pfx2as.gz"),
        ("ris-updates", "2022-04-21T02:04", {"collector": "rrc23"}, dt.datetime(2022, 4, 21, 2, 0),
         "rrc23/2022.04/updates.20220421.0200.gz"),
        ("ris-rib", "2000-01-11T08:00", {"collector": "rrc00"}, dt.datetime(2000, 1, 11, 0, 32),
         "rrc00/2000.01/bview.20000111.0032.gz"),
        ("routeviews-updates", "2022-06-01T02:44", {"collector": "route-views.sydney"},
         dt.datetime(2022, 6, 1, 2, 30), "route-views.sydney/bgpdata/2022.06/UPDATES/updates.20220601.0230.bz2"),
        ("ipverse-country", "2022-06-01", {"cc": "UA", "family": "6"}, dt.datetime(2022, 3, 1),
         "ede80226a/country/ua/ipv6-aggregated.txt"),
    ],
)
def test_newest_release_at_or_before(curated_settings, dataset, when, params, released, url_end) -> None:
    release = fetch_release(dataset, when, curated_settings, **params)
    assert release.released == released
    assert release.url.endswith(url_end)
    assert release.path.is_file() and release.file.size == release.path.stat().st_size
    assert release.to_dict()["sha256"] == release.file.sha256


def test_latest_file_dated_by_its_header(mirror_settings) -> None:
    release = fetch_release("rir-delegated", "2024-12-31", mirror_settings, rir="afrinic")
    assert release.url.endswith("delegated-afrinic-extended-latest")
    assert dt.datetime(2023, 12, 1) <= release.released <= dt.datetime(2024, 12, 31)


def test_missing_release_names_what_was_tried_and_nearest(curated_settings) -> None:
    with pytest.raises(DataNotFoundError) as info:
        fetch_release("caida-asrel", "2015-01-01", curated_settings)
    assert "serial-1" in str(info.value) and "2016-11-01" in str(info.value)
    with pytest.raises(DataNotFoundError, match=r"nearest releases that exist: 2024-04-06"):
        fetch_release("routeviews-pfx2as", "2024-03-15", curated_settings)


def test_stale_update_file_is_not_taken(curated_settings) -> None:
    with pytest.raises(DataNotFoundError, match="2022-04-21 02:00"):
        fetch_release("ris-updates", "2022-04-21T02:30", curated_settings, collector="rrc23")


def test_current_only_dataset_refuses_older_dates(mirror_settings) -> None:
    with pytest.raises(DataNotFoundError, match="only its current list"):
        fetch_release("aws-ip-ranges", "2016-01-01", mirror_settings)


def test_list_releases_in_window(curated_settings) -> None:
    found = list_releases("ris-updates", "2022-04-01", "2022-06-01", settings=curated_settings, collector="rrc23")
    assert [stamp for stamp, _ in found] == [dt.datetime(2022, 4, 21, 2, 0), dt.datetime(2022, 5, 1, 23, 5)]


def test_parameters_are_checked(mirror_settings) -> None:
    with pytest.raises(ParameterError, match="collector"):
        fetch_release("ris-updates", "2022-04-21", mirror_settings)
    with pytest.raises(ParameterError, match="does not match"):
        fetch_release("ris-updates", "2022-04-21", mirror_settings, collector="../../etc")
    with pytest.raises(ParameterError, match="unknown dataset"):
        fetch_release("no-such-data", None, mirror_settings)
    with pytest.raises(ParameterError, match="not a date"):
        parse_when("yesterday-ish")


def test_every_dataset_is_described() -> None:
    for dataset in DATASETS.values():
        assert dataset.description and dataset.cadence and dataset.address

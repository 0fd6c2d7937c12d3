"""Dates mean what they say: future dates refused, same-day releases found, misses that say how far
back they looked and which releases exist (as data a front end can offer), "latest" made concrete.

Every mirror here is built in tmp_path, so nothing depends on what ../shared/data holds or lacks.
"""

from __future__ import annotations

import datetime as dt
import gzip
from pathlib import Path

import pytest

from splinternet.config import Settings
from splinternet.dates import check_not_future, is_whole_day, parse_when, release_fits, today_utc
from splinternet.errors import DataNotFoundError, ParameterError, ReleaseSuggestion
from splinternet.sources.catalog import fetch_release, list_releases
from splinternet.sources.snapshot import Snapshot

PFX2AS = "publicdata.caida.org/datasets/routing/routeviews-prefix2as"


def put(mirror: Path, relative: str, data: bytes = b"") -> Path:
    path = mirror / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(data or b"10.0.0.0\t8\t64500\n") if relative.endswith(".gz") else data)
    return path


def settings(tmp_path: Path) -> Settings:
    return Settings(cache_dir=tmp_path / "cache", mirror=str(tmp_path / "mirror"), offline=False)


def test_future_dates_are_refused_with_one_clear_error() -> None:
    today = dt.date(2024, 5, 1)
    assert check_not_future("2024-05-01", today=today) == dt.datetime(2024, 5, 1)
    assert check_not_future("2024-05-01T23:59", today=today) == dt.datetime(2024, 5, 1, 23, 59)
    assert check_not_future(None, today=today) is None
    with pytest.raises(ParameterError, match=r"date 2024-05-02 is in the future \(today is 2024-05-01 UTC\)"):
        check_not_future("2024-05-02", today=today)
    with pytest.raises(ParameterError, match="^end 2030-01-01 is in the future"):
        check_not_future(dt.date(2030, 1, 1), name="end", today=today)


def test_future_dates_never_reach_the_data(tmp_path: Path) -> None:
    tomorrow = today_utc() + dt.timedelta(days=1)
    for call in (lambda: Snapshot.for_date(tomorrow, settings=settings(tmp_path)),
                 lambda: Snapshot.for_date("2022-03-01", prefixes_date="2030-01-01", settings=settings(tmp_path)),
                 lambda: fetch_release("routeviews-pfx2as", "2030-01-01", settings(tmp_path)),
                 lambda: list_releases("ris-updates", "2030-01-01", "2030-01-02", settings=settings(tmp_path),
                                       collector="rrc00")):
        with pytest.raises(ParameterError, match="in the future") as info:
            call()
        assert "--" not in str(info.value)


def test_a_day_is_the_whole_day() -> None:
    day = parse_when("2016-02-02")
    assert is_whole_day(day) and not is_whole_day(parse_when("2016-02-02T11:00"))
    assert release_fits(dt.datetime(2016, 2, 2, 23, 59), day)
    assert not release_fits(dt.datetime(2016, 2, 3), day)
    assert not release_fits(dt.datetime(2016, 2, 2, 12), parse_when("2016-02-02T11:00"))
    assert parse_when(dt.datetime(2016, 2, 2, 12, tzinfo=dt.timezone(dt.timedelta(hours=2)))) == dt.datetime(
        2016, 2, 2, 10)


def test_same_day_release_is_found(tmp_path: Path) -> None:
    put(tmp_path / "mirror", f"{PFX2AS}/2016/02/routeviews-rv2-20160202-1200.pfx2as.gz")
    put(tmp_path / "mirror", f"{PFX2AS}/2016/01/routeviews-rv2-20160131-1200.pfx2as.gz")
    release = fetch_release("routeviews-pfx2as", "2016-02-02", settings(tmp_path))
    assert release.released == dt.datetime(2016, 2, 2, 12) and release.note == ""
    # a time is an instant: 11:00 comes before that day's 12:00 release
    earlier = fetch_release("routeviews-pfx2as", "2016-02-02T11:00", settings(tmp_path))
    assert earlier.released == dt.datetime(2016, 1, 31, 12)
    assert fetch_release("routeviews-pfx2as", "2016-02-03", settings(tmp_path)).released == dt.datetime(2016, 2, 2, 12)


def test_a_day_with_several_releases_takes_its_first(tmp_path: Path) -> None:
    for stamp in ("20220420.1600", "20220421.0800", "20220421.1600"):
        put(tmp_path / "mirror", f"data.ris.ripe.net/rrc00/2022.04/bview.{stamp}.gz")
    s = settings(tmp_path)
    assert fetch_release("ris-rib", "2022-04-21", s, collector="rrc00").released == dt.datetime(2022, 4, 21, 8)
    assert fetch_release("ris-rib", "2022-04-21T07:00", s, collector="rrc00").released == dt.datetime(2022, 4, 20, 16)
    assert fetch_release("ris-rib", "2022-04-21T17:00", s, collector="rrc00").released == dt.datetime(2022, 4, 21, 16)


def test_miss_says_how_far_back_it_looked_and_offers_the_nearest(tmp_path: Path) -> None:
    put(tmp_path / "mirror", f"{PFX2AS}/2016/02/routeviews-rv2-20160202-1200.pfx2as.gz")
    put(tmp_path / "mirror", f"{PFX2AS}/2016/09/routeviews-rv2-20160901-1200.pfx2as.gz")
    with pytest.raises(DataNotFoundError) as info:
        fetch_release("routeviews-pfx2as", "2016-06-03", settings(tmp_path))
    err = info.value
    text = str(err)
    assert "looked back 3 months, to 2016-04-01" in text
    assert "nearest releases that exist: 2016-02-02 12:00, 2016-09-01 12:00" in text
    assert err.suggestions == [ReleaseSuggestion("routeviews-pfx2as", dt.datetime(2016, 2, 2, 12)),
                               ReleaseSuggestion("routeviews-pfx2as", dt.datetime(2016, 9, 1, 12))]
    assert err.suggestions[0].to_dict() == {"dataset": "routeviews-pfx2as", "release": "2016-02-02T12:00:00",
                                            "date": "2016-02-02", "params": {}}
    assert "--" not in text  # library messages name no command-line option
    # the suggestion, asked for as the date, finds its release
    used = fetch_release("routeviews-pfx2as", err.suggestions[0].date, settings(tmp_path))
    assert used.released == err.suggestions[0].released


def test_stale_mrt_miss_says_the_age_rule(tmp_path: Path) -> None:
    put(tmp_path / "mirror", "data.ris.ripe.net/rrc23/2022.04/updates.20220421.0200.gz")
    with pytest.raises(DataNotFoundError) as info:
        fetch_release("ris-updates", "2022-04-21T02:30", settings(tmp_path), collector="rrc23")
    assert "at most 5 minutes before the time asked" in str(info.value)
    assert info.value.suggestions[0].params == {"collector": "rrc23"}
    assert fetch_release("ris-updates", "2022-04-21", settings(tmp_path),
                         collector="rrc23").released == dt.datetime(2022, 4, 21, 2)


def delegated(registry: str, day: str, rows: list[str]) -> bytes:
    head = f"2|{registry}|{day}|{len(rows)}|19830101|{day}|+0000\n"
    return (head + "".join(f"{registry}|{r}\n" for r in rows)).encode()


def test_rir_files_from_each_archive_extended_preferred(tmp_path: Path) -> None:
    mirror = tmp_path / "mirror"
    rows = ["CU|ipv4|152.206.0.0|65536|20000101|allocated"]
    put(mirror, "ftp.apnic.net/stats/apnic/2020/delegated-apnic-20200301.gz", delegated("apnic", "20200301", rows))
    put(mirror, "ftp.apnic.net/stats/apnic/2020/delegated-apnic-extended-20200301.gz",
        delegated("apnic", "20200301", rows))
    put(mirror, "ftp.arin.net/pub/stats/arin/archive/2020/delegated-arin-extended-20200229", b"x")
    put(mirror, "ftp.ripe.net/pub/stats/ripencc/2019/delegated-ripencc-extended-20191231.bz2", b"x")
    s = settings(tmp_path)
    assert fetch_release("rir-delegated", "2020-03-01", s, rir="apnic").url.endswith(
        "ftp.apnic.net/stats/apnic/2020/delegated-apnic-extended-20200301.gz")
    arin = fetch_release("rir-delegated", "2020-03-01", s, rir="arin")
    assert arin.released == dt.datetime(2020, 2, 29) and arin.params == {"rir": "arin"}
    # early January also looks in the year before
    assert fetch_release("rir-delegated", "2020-01-02", s, rir="ripencc").released == dt.datetime(2019, 12, 31)


def test_latest_resolves_to_concrete_dates(tmp_path: Path) -> None:
    day = today_utc() - dt.timedelta(days=40)
    put(tmp_path / "mirror", f"{PFX2AS}/{day:%Y/%m}/routeviews-rv2-{day:%Y%m%d}-1200.pfx2as.gz")
    snap = Snapshot.for_date(None, settings=settings(tmp_path))
    release = snap.release("routeviews-pfx2as")
    stamp = dt.datetime(day.year, day.month, day.day, 12)
    assert release.released == stamp
    assert snap.input_dates() == {"routeviews-pfx2as": stamp}
    assert snap.date_label() == f"{day:%Y-%m-%d} (newest data)"
    assert snap.date_notes() == [f"no date given: used the newest release of each input (routeviews-pfx2as {day:%Y-%m-%d})"]
    dated = Snapshot.for_date(day, settings=settings(tmp_path))
    assert dated.date_label() == f"{day:%Y-%m-%d}" and dated.date_notes() == []


def test_labels_for_the_newest_data() -> None:
    from splinternet.dates import date_label, newest_data_notes

    inputs = {"routeviews-pfx2as": dt.datetime(2024, 4, 6, 12), "caida-asrel": dt.datetime(2024, 1, 1)}
    assert date_label(None, inputs) == "2024-01-01 (newest data)"  # the topology's date
    assert date_label(None, {"routeviews-pfx2as": dt.datetime(2024, 4, 6, 12)}) == "2024-04-06 (newest data)"
    assert date_label(dt.datetime(2022, 3, 1), inputs) == "2022-03-01"
    assert newest_data_notes(None, inputs) == [
        "no date given: used the newest release of each input (caida-asrel 2024-01-01, routeviews-pfx2as 2024-04-06)"]
    assert newest_data_notes(dt.datetime(2022, 3, 1), inputs) == []

"""Choosing one dataset's input (a date or a file) instead of the catalog's: the parser and its refusals.

No data here: every check runs before anything is fetched.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from splinternet import api
from splinternet.api import params
from splinternet.dates import today_utc
from splinternet.errors import ParameterError
from splinternet.sources.catalog import DATASETS
from splinternet.sources.snapshot import DatasetChoice, Snapshot, snapshot_for


def _refused(texts: list[str]) -> str:
    with pytest.raises(ParameterError) as caught:
        params.dataset_choices(texts)
    message = str(caught.value)
    assert "--" not in message, "library messages name no command-line flag"
    assert caught.value.parameter == "uses"
    return message


def test_a_date_and_a_file_each_replace_one_dataset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    given = tmp_path / "orgs.txt.gz"
    given.write_bytes(b"")
    monkeypatch.chdir(tmp_path)
    choices = params.dataset_choices(["routeviews-pfx2as=2024-04-06", "caida-asorg=orgs.txt.gz",
                                      " caida-asrel = 2022-03-01T12:00 "])
    assert choices == {"routeviews-pfx2as": DatasetChoice(date=dt.datetime(2024, 4, 6)),
                       "caida-asorg": DatasetChoice(path=given.resolve()),
                       "caida-asrel": DatasetChoice(date=dt.datetime(2022, 3, 1, 12, 0))}
    assert choices["caida-asorg"].path is not None and choices["caida-asorg"].path.is_absolute()
    assert choices["routeviews-pfx2as"].describe() == "date 2024-04-06"
    assert choices["caida-asrel"].describe() == "date 2022-03-01 12:00"
    assert choices["caida-asorg"].describe() == f"file {given.resolve()}"
    assert params.dataset_choices(None) == {} and params.dataset_choices([]) == {}


def test_many_file_datasets_are_chosen_by_date() -> None:
    assert params.dataset_choices(["rir-delegated=2022-03-01", "ipverse-country=2022-03-01"]).keys() == {
        "rir-delegated", "ipverse-country"}


@pytest.mark.parametrize(("texts", "expected"), [
    (["routeviews-pfx2as"], r"not a dataset choice: 'routeviews-pfx2as'; expected DATASET=YYYY-MM-DD or DATASET=FILE"),
    (["=2024-04-06"], "not a dataset choice"),
    (["routeviews-pfx2as="], "not a dataset choice"),
    (["pfx2as=2024-04-06"], "unknown dataset 'pfx2as'; expected one of caida-asrel, "),
    (["routeviews-pfx2as=2024-04-06", "routeviews-pfx2as=2024-04-07"], "routeviews-pfx2as is chosen twice"),
    (["routeviews-pfx2as=2024-13-06"], "date chosen for routeviews-pfx2as: not a date: '2024-13-06'"),
    (["routeviews-pfx2as=20240406"], r"routeviews-pfx2as: no such file: 20240406 \(a date is written YYYY-MM-DD\)"),
])
def test_bad_choices_get_one_clear_message(texts: list[str], expected: str) -> None:
    import re

    assert re.search(expected, _refused(texts))


def test_an_unknown_dataset_lists_every_known_one() -> None:
    message = _refused(["nope=2024-04-06"])
    assert all(name in message for name in DATASETS)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "no" / "such.pfx2as.gz"
    message = _refused([f"routeviews-pfx2as={missing}"])
    assert message == f"routeviews-pfx2as: no such file: {missing} (a date is written YYYY-MM-DD)"


def test_a_directory_is_not_a_file(tmp_path: Path) -> None:
    assert _refused([f"caida-asorg={tmp_path}"]) == f"caida-asorg: {tmp_path} is not a file"


def test_a_future_date_is_refused() -> None:
    later = (today_utc() + dt.timedelta(days=3)).isoformat()
    assert "in the future" in _refused([f"routeviews-pfx2as={later}"])


def test_a_file_for_a_many_file_dataset_is_refused(tmp_path: Path) -> None:
    given = tmp_path / "delegated-ripencc-20220301"
    given.write_text("")
    assert "rir-delegated is one file per rir, so it can be chosen by date only" in _refused(
        [f"rir-delegated={given}"])
    assert "ipverse-country is one file per cc and family" in _refused([f"ipverse-country={given}"])


def test_the_snapshot_checks_choices_given_to_it_directly(tmp_path: Path) -> None:
    with pytest.raises(ParameterError, match="unknown dataset 'pfx2as'"):
        Snapshot.for_date("2022-03-01", choices={"pfx2as": DatasetChoice(date=dt.datetime(2024, 4, 6))})
    with pytest.raises(ParameterError, match="chosen by date only"):
        Snapshot.for_date("2022-03-01", choices={"rir-delegated": DatasetChoice(path=tmp_path)})


def test_the_prefix_date_is_a_choice_of_both_prefix_datasets() -> None:
    snap = Snapshot.for_date("2022-03-01", prefixes_date="2024-04-06")
    day = dt.datetime(2024, 4, 6)
    assert snap.choices == {"routeviews-pfx2as": DatasetChoice(date=day), "routeviews-pfx2as6": DatasetChoice(date=day)}
    assert snap.prefixes_date == day
    # the same date as the snapshot's chooses nothing
    assert Snapshot.for_date("2022-03-01", prefixes_date="2022-03-01").choices == {}
    with pytest.raises(ParameterError, match="prefix-to-AS date is given twice"):
        Snapshot.for_date("2022-03-01", prefixes_date="2024-04-06",
                          choices={"routeviews-pfx2as": DatasetChoice(date=dt.datetime(2024, 4, 5))})


def test_choices_beside_a_snapshot_are_refused_not_ignored() -> None:
    snap = Snapshot.for_date("2022-03-01")
    uses = {"routeviews-pfx2as": DatasetChoice(date=dt.datetime(2024, 4, 6))}
    assert snapshot_for(None, snap) is snap
    assert snapshot_for("2022-03-01", None, uses=uses).choices == uses
    with pytest.raises(ParameterError, match="belong to the snapshot given"):
        snapshot_for(None, snap, uses=uses)
    with pytest.raises(ParameterError, match="belong to the snapshot given"):
        api.transit("LI", None, snapshot=snap, uses=uses)


@pytest.mark.parametrize("dataset", ["caida-asrel", "caida-asrel2"])
def test_questions_about_topology_over_time_refuse_a_chosen_topology(dataset: str) -> None:
    uses = {dataset: DatasetChoice(date=dt.datetime(2022, 3, 1))}
    with pytest.raises(ParameterError, match=f"a diff compares the AS relationships of two dates, so {dataset}"):
        api.diff("LI", "2022-03-01", "2022-05-01", uses=uses)
    with pytest.raises(ParameterError, match=f"follows the AS relationships over its dates, so {dataset}"):
        api.topology_timeline("LI", "2022-03-01", "2022-05-01", uses=uses)


def test_unused_choices_are_said_not_dropped() -> None:
    snap = Snapshot.for_date("2022-03-01", choices={"aws-ip-ranges": DatasetChoice(date=dt.datetime(2022, 2, 1))})
    assert snap.choice_notes() == ["aws-ip-ranges: date 2022-02-01 was chosen but this question does not read "
                                   "aws-ip-ranges"]
    assert snap.release_notes() == snap.choice_notes()

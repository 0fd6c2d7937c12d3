"""A dataset chosen by date or by file is the one loaded, is named as chosen in provenance and notes, and
goes through the same bad-record policy as a catalog release."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
from pathlib import Path

import pytest

from splinternet.config import Settings
from splinternet.errors import DamagedInputError, DataNotFoundError, InputError
from splinternet.sources.snapshot import DatasetChoice, Snapshot

pytestmark = pytest.mark.data

SAMPLE_PFX2AS = "samples/ipasn/routeviews-rv2-2020-02-about19.pfx2as.gz"
ASORG = "publicdata.caida.org/datasets/as-organizations/20220401.as-org2info.txt.gz"


def _row(snap: Snapshot, dataset: str) -> dict:
    [row] = [r for r in snap.provenance() if r["dataset"] == dataset]
    return row


def test_a_date_choice_loads_that_release_and_says_so(mirror_settings: Settings) -> None:
    uses = {"routeviews-pfx2as": DatasetChoice(date=dt.datetime(2024, 4, 6))}
    snap = Snapshot.for_date("2022-03-01", settings=mirror_settings, choices=uses)
    assert len(snap.pfx2as(4)) > 900_000
    row = _row(snap, "routeviews-pfx2as")
    assert row["release"].startswith("2024-04-06") and row["chosen"] == "date 2024-04-06"
    assert row["url"].endswith("routeviews-rv2-20240406.pfx2as.gz")
    assert snap.release_notes() == [
        "routeviews-pfx2as: date 2024-04-06 chosen by the caller, instead of the catalog's release for 2022-03-01"]


def test_a_file_choice_is_used_as_given_with_its_sha256(mirror_settings: Settings, shared_data_dir: Path) -> None:
    given = shared_data_dir / SAMPLE_PFX2AS
    snap = Snapshot.for_date("2022-03-01", settings=mirror_settings,
                             choices={"routeviews-pfx2as": DatasetChoice(path=given)})
    table = snap.pfx2as(4)
    assert len(table) > 100_000
    row = _row(snap, "routeviews-pfx2as")
    assert row["path"] == str(given) and row["url"] is None and row["chosen"] == f"file {given}"
    assert row["sha256"] == hashlib.sha256(given.read_bytes()).hexdigest()
    assert row["bad_records"]["records"] == len(table) and row["bad_records"]["bad"] == 0
    assert snap.releases == {}, "the catalog is not asked for a dataset given as a file"
    assert snap.release_notes() == [f"routeviews-pfx2as: file {given} chosen by the caller, instead of the "
                                    "catalog's release for 2022-03-01"]


@pytest.fixture
def damaged_pfx2as(shared_data_dir: Path, tmp_path: Path) -> Path:
    """The sample pfx2as with garbage in place of 0.5% of its lines (the limit is 0.1%)."""
    lines = gzip.decompress((shared_data_dir / SAMPLE_PFX2AS).read_bytes()).split(b"\n")
    for k in range(100, len(lines) - 1, 200):
        lines[k] = b"not a prefix line"
    out = tmp_path / "damaged.pfx2as.gz"
    out.write_bytes(gzip.compress(b"\n".join(lines), compresslevel=1))
    return out


def test_a_damaged_given_file_follows_the_bad_record_policy(mirror_settings: Settings, damaged_pfx2as: Path) -> None:
    uses = {"routeviews-pfx2as": DatasetChoice(path=damaged_pfx2as)}
    with pytest.raises(DamagedInputError, match=r"damaged.pfx2as.gz:101: [\d,]+ of [\d,]+ records bad"):
        Snapshot.for_date("2022-03-01", settings=mirror_settings, choices=uses).pfx2as(4)
    with pytest.raises(InputError, match=r"damaged.pfx2as.gz:101"):
        Snapshot.for_date("2022-03-01", settings=mirror_settings, choices=uses, strict=True).pfx2as(4)
    snap = Snapshot.for_date("2022-03-01", settings=mirror_settings, choices=uses, allow_damaged=True)
    snap.pfx2as(4)
    [note] = snap.damage_notes()
    assert "damaged.pfx2as.gz" in note and "records bad and skipped" in note
    row = _row(snap, "routeviews-pfx2as")
    assert row["bad_records"]["bad"] > 500 and row["bad_records"]["examples"][0]["line"] == 101
    assert row["chosen"] == f"file {damaged_pfx2as}"


def test_a_chosen_ipverse_date_gives_the_country_blocks(mirror_settings: Settings) -> None:
    # on 2023-01-01 the catalog has neither all RIR files nor an ipverse commit in range
    with pytest.raises(DataNotFoundError):
        Snapshot.for_date("2023-01-01", settings=mirror_settings).country_blocks_detail("LI")
    snap = Snapshot.for_date("2023-01-01", settings=mirror_settings,
                             choices={"ipverse-country": DatasetChoice(date=dt.datetime(2022, 3, 1))})
    blocks = snap.country_blocks_detail("LI")
    assert blocks.source == "ipverse" and blocks.blocks.address_count(4) > 0
    assert "chosen by the caller" in blocks.notes[0]
    assert {r["chosen"] for r in snap.provenance()} == {"date 2022-03-01"}


def test_blocking_attribution_takes_the_choices(mirror_settings: Settings, shared_data_dir: Path) -> None:
    given = shared_data_dir / ASORG
    uses = {"routeviews-pfx2as": DatasetChoice(date=dt.datetime(2024, 4, 6)), "caida-asorg": DatasetChoice(path=given)}
    snap = Snapshot.for_date("2022-03-01", settings=mirror_settings, choices=uses)
    data = snap.attribution(dt.date(2022, 3, 1))
    rows = {r["dataset"]: r for r in data.releases}
    assert rows["routeviews-pfx2as"]["chosen"] == "date 2024-04-06"
    assert rows["routeviews-pfx2as"]["release_date"] == "2024-04-06"
    assert rows["caida-asorg"]["chosen"] == f"file {given}" and rows["caida-asorg"]["url"] is None
    assert data.orgs is not None and data.origin_table(4) is not None
    assert any(n.startswith("caida-asorg: file ") for n in data.chosen)


def test_a_chosen_rir_date_moves_the_country_block_rule(mirror_settings: Settings) -> None:
    # APNIC's file of 2022-03-01 is in the mirror; on 2022-06-15 the RIR rule finds no file that recent
    uses = {"rir-delegated": DatasetChoice(date=dt.datetime(2022, 3, 1))}
    snap = Snapshot.for_date("2022-06-15", settings=mirror_settings, choices=uses)
    blocks = snap.country_blocks_detail("LI")
    assert blocks.source == "ipverse" and "for 2022-03-01 are missing" in blocks.notes[0]
    assert snap.choice_notes() == ["rir-delegated: date 2022-03-01 chosen by the caller, instead of the catalog's "
                                   "release for 2022-06-15"]

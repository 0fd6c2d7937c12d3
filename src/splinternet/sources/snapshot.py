"""The public data for one date, loaded on first use and kept with its provenance.

Every question (transit, what-if, lookup, blocking) asks a :class:`Snapshot` for its
inputs: it resolves each dataset's release for the date through the catalog (or a date
or file chosen for that dataset alone, see :class:`DatasetChoice`), loads it once, and
records what it used, so every result can name its inputs. This is the one place that
turns "a date" into tables; there is no second route.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from ..config import Settings
from ..dates import check_not_future, date_label, day_text, newest_data_notes, parse_when, when_text
from ..errors import BadRecords, DataNotFoundError, DownloadError, InputDamage, ParameterError
from ..progress import NO_PROGRESS, Progress
from ..tables.prefixes import RangeSet
from ..tables.topology import ASGraph
from .asorg import OrgTable, load_as_orgs
from .asrel import load_as_relationships
from .attribution import AttributionData
from .catalog import DATASETS, Dataset, Release, fetch_release, release_key
from .cloud import CloudRanges, load_cloud_file
from .cloud_loading import cloud_space_from_path
from .country_blocks import CountryBlocks, country_blocks_for_date
from .origins import OriginTable, origins_from_mrt, origins_from_pfx2as
from .pfx2as import Pfx2As, load_pfx2as
from .rir import Delegations, load_country_blocks, load_delegated

__all__ = ["DatasetChoice", "DatasetChoices", "GivenFile", "Snapshot", "check_choice", "check_dataset_name", "given_file",
           "snapshot_for"]

T = TypeVar("T")

# tables that depend only on the dates (not on a country), keyed as in Snapshot, with the
# catalog dataset whose release each was read from
_DATE_WIDE = {"graph": "caida-asrel", "orgs": "caida-asorg", "routeviews-pfx2as": "routeviews-pfx2as",
              "routeviews-pfx2as6": "routeviews-pfx2as6"}
_PREFIX_DATASETS = ("routeviews-pfx2as", "routeviews-pfx2as6")
_DATE_IN_NAME = re.compile(r"(?<!\d)(20\d{2})[-_.]?(\d{2})[-_.]?(\d{2})(?!\d)")
GIVEN_NOTE = "given by the caller"


def snapshot_for(date: str | dt.date | None, snapshot: Snapshot | None = None, *,
                 uses: DatasetChoices | None = None, progress: Progress = NO_PROGRESS) -> Snapshot:
    """The snapshot an api call works on: the one the caller brought, else the one of ``date`` with ``uses``.

    A snapshot brought carries its own choices; choices beside it would be silently ignored, so
    they are refused.
    """
    if snapshot is None:
        return Snapshot.for_date(date, choices=uses, progress=progress)
    if uses:
        raise ParameterError("dataset choices belong to the snapshot given (Snapshot.for_date(..., choices=)), "
                             "not beside it", parameter="uses")
    return snapshot


@dataclass(frozen=True)
class DatasetChoice:
    """Which input one dataset comes from instead of the snapshot's date: another date, or a file.

    Exactly one is set. The ``prefixes_date`` of a snapshot is a choice of date for the
    prefix-to-AS datasets; a file chosen for a dataset is used as given, with its sha256.
    """

    date: dt.datetime | None = None
    path: Path | None = None

    def __post_init__(self) -> None:
        if (self.date is None) == (self.path is None):
            raise ValueError("a dataset choice is either a date or a file")

    def describe(self) -> str:
        """``date 2024-04-06`` or ``file /abs/path``: what provenance records as chosen by the caller."""
        return f"date {when_text(self.date)}" if self.date is not None else f"file {self.path}"


def check_dataset_name(dataset: str) -> Dataset:
    """The catalog dataset named ``dataset``, or one ParameterError listing every name there is."""
    found = DATASETS.get(dataset)
    if found is None:
        raise ParameterError(f"unknown dataset {dataset[:60]!r}; expected one of {', '.join(DATASETS)}",
                             parameter="uses")
    return found


def check_choice(dataset: str, choice: DatasetChoice) -> None:
    """Refuse a choice the snapshot could not honour: an unknown dataset, or a file for a many-file dataset.

    A file can stand for a dataset that is one file per release; datasets with parameters
    (one file per registry, country, collector) are chosen by date only.
    """
    found = check_dataset_name(dataset)
    if choice.path is not None and found.params:
        raise ParameterError(f"{dataset} is one file per {' and '.join(found.params)}, so it can be chosen by date "
                             f"only, not as the file {choice.path}", parameter="uses")


DatasetChoices = Mapping[str, DatasetChoice]  # dataset name -> what replaces the catalog's release of it


@dataclass(frozen=True)
class GivenFile:
    """A file the caller chose for a dataset: where it is, its sha256, its own date (from its name)."""

    dataset: str
    path: Path
    sha256: str
    day: dt.date | None
    note: str = GIVEN_NOTE


def given_file(dataset: str, path: str | os.PathLike[str], note: str = GIVEN_NOTE,
               day: dt.date | None = None) -> GivenFile:
    """Provenance of a caller's file; its date is read from its name unless given."""
    target = Path(path)
    digest = hashlib.sha256()
    if target.is_file():
        with target.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    match = _DATE_IN_NAME.search(target.name)
    if day is None and match:
        try:
            day = dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            day = None
    return GivenFile(dataset, target, digest.hexdigest() if target.is_file() else "", day, note or GIVEN_NOTE)


def _used_row(dataset: str, day: dt.date | None, path: Path | str, sha256: str, url: str | None,
              target: dt.date, note: str, chosen: str | None = None) -> dict[str, Any]:
    return {"dataset": dataset, "release_date": day.isoformat() if day else None, "path": str(path),
            "sha256": sha256, "url": url, "days_from_target": (day - target).days if day else None, "note": note,
            "chosen": chosen}


def _given_row(given: GivenFile, target: dt.date) -> dict[str, Any]:
    return _used_row(given.dataset, given.day, given.path, given.sha256, None, target, given.note)


@dataclass
class Snapshot:
    """Lazily loaded tables for ``date``; ``choices`` take single datasets from elsewhere."""

    date: dt.datetime | None
    settings: Settings = field(default_factory=Settings.from_env)
    progress: Progress = NO_PROGRESS
    strict: bool = False
    allow_damaged: bool = False
    choices: dict[str, DatasetChoice] = field(default_factory=dict)
    releases: dict[str, Release] = field(default_factory=dict)
    given: dict[str, GivenFile] = field(default_factory=dict)
    asked: set[str] = field(default_factory=set)  # every dataset a release was looked up for, found or not
    bad: BadRecords = field(default_factory=BadRecords)
    _tables: dict[str, Any] = field(default_factory=dict)
    # what each country-block file lookup found (or why not): every country asks for the same RIR files
    _looked_up: dict[str, Release | DataNotFoundError] = field(default_factory=dict)

    @classmethod
    def for_date(cls, date: str | dt.date | None, *, settings: Settings | None = None,
                 prefixes_date: str | dt.date | None = None, strict: bool = False, allow_damaged: bool = False,
                 choices: Mapping[str, DatasetChoice] | None = None,
                 progress: Progress = NO_PROGRESS) -> Snapshot:
        """The snapshot of ``date`` (None: newest); ``prefixes_date`` moves the prefix-to-AS data only.

        ``strict`` stops at the first bad record; ``allow_damaged`` goes on past the bad-record
        limit (``settings.max_bad_share`` of a file's records) that otherwise stops loading.
        """
        when = check_not_future(date)
        settings = settings or Settings.from_env()
        chosen = dict(choices or {})
        for dataset, choice in chosen.items():
            check_choice(dataset, choice)
        prefixes = check_not_future(prefixes_date, name="prefix-to-AS date") if prefixes_date else None
        if prefixes is not None and prefixes != when:
            twice = [d for d in _PREFIX_DATASETS if d in chosen]
            if twice:
                raise ParameterError(f"the prefix-to-AS date is given twice: as its own date and as a choice for "
                                     f"{', '.join(twice)}; give one", parameter="uses")
            for dataset in _PREFIX_DATASETS:
                chosen[dataset] = DatasetChoice(date=prefixes)
        return cls(date=when, settings=settings, progress=progress, strict=strict, allow_damaged=allow_damaged,
                   choices=chosen, bad=settings.bad_records(strict=strict, allow_damaged=allow_damaged))

    @property
    def prefixes_date(self) -> dt.datetime | None:
        """The date the prefix-to-AS data is taken from (the snapshot's date unless chosen otherwise)."""
        choice = self.choices.get(_PREFIX_DATASETS[0])
        return choice.date if choice is not None and choice.date is not None else self.date

    @property
    def date_text(self) -> str:
        """The date to print for a result: the one asked for, or the concrete date of the newest data."""
        return date_label(self.date, self.input_dates())

    def release(self, dataset: str, *, when: dt.datetime | None = None, **params: str) -> Release:
        """The catalog release of ``dataset`` in force at the snapshot's date (or ``when``), fetched once."""
        key = release_key(dataset, params)
        self.asked.add(dataset)
        if key not in self.releases:
            choice = self.choices.get(dataset)
            if when is None and choice is not None and choice.date is not None:
                when = choice.date
            self.releases[key] = fetch_release(dataset, when if when is not None else self.date, self.settings,
                                               progress=self.progress, **params)
        return self.releases[key]

    def input_path(self, dataset: str, **params: str) -> Path:
        """The file of ``dataset``: the caller's file when one was chosen, else the catalog release."""
        choice = self.choices.get(dataset)
        if choice is not None and choice.path is not None:
            if dataset not in self.given:
                self.given[dataset] = given_file(dataset, choice.path)
            return choice.path
        return Path(self.release(dataset, when=None, **params).path)

    def release_or_nearest(self, dataset: str, target: dt.date) -> tuple[Release | None, str]:
        """The release at ``target``, else the nearest one the catalog names; (None, why) when neither loads."""
        try:
            return self.release(dataset, when=dt.datetime(target.year, target.month, target.day)), ""
        except DataNotFoundError as exc:
            nearest = sorted(exc.nearest, key=lambda d: abs((dt.date.fromisoformat(d[:10]) - target).days))
            if not nearest:
                return None, f"{dataset}: {exc}"
            try:
                return self.release(dataset, when=parse_when(nearest[0][:10])), ""
            except (DataNotFoundError, DownloadError) as again:
                return None, f"{dataset}: {exc}; nearest {nearest[0]} failed too: {again}"
        except DownloadError as exc:
            return None, f"{dataset}: {exc}"

    def derived(self, key: str, compute: Callable[[], T]) -> T:
        """A value worked out from this snapshot's inputs, once (a world run asks for it per country)."""
        return self._cached(f"derived|{key}", compute)

    def _cached(self, key: str, load: Callable[[], T]) -> T:
        if key not in self._tables:
            self._tables[key] = load()
        value: T = self._tables[key]
        return value

    def graph(self) -> ASGraph:
        """The CAIDA AS-relationship graph (serial-1) for the date."""
        return self._cached("graph", lambda: load_as_relationships(self.input_path("caida-asrel"), bad=self.bad))

    def orgs(self) -> OrgTable:
        """CAIDA AS organizations for the date."""
        return self._cached("orgs", lambda: load_as_orgs(self.input_path("caida-asorg"), bad=self.bad))

    def pfx2as(self, family: int = 4) -> Pfx2As:
        """RouteViews prefix-to-AS for the (prefixes) date; IPv4 or IPv6."""
        dataset = _PREFIX_DATASETS[0] if family == 4 else _PREFIX_DATASETS[1]
        return self._cached(dataset, lambda: load_pfx2as(self.input_path(dataset), bad=self.bad))

    def country_blocks(self, cc: str) -> RangeSet:
        """The country's IPv4 and IPv6 blocks for the date, as one set (see :meth:`country_blocks_detail`)."""
        return self.country_blocks_detail(cc).blocks

    def country_blocks_detail(self, cc: str) -> CountryBlocks:
        """A country's blocks from the RIR files of the date (ipverse only to complete a day some RIR
        file is missing), with the releases used and notes naming what is missing."""
        rir_choice, ipverse_choice = self.choices.get("rir-delegated"), self.choices.get("ipverse-country")
        # a date chosen for the RIR files moves the whole rule of country_blocks_for_date to that date
        requested = rir_choice.date if rir_choice is not None else self.date

        def load() -> CountryBlocks:
            def resolve(dataset: str, **params: str) -> Release:
                key = release_key(dataset, params)
                if key not in self._looked_up:  # list a directory once, whether the file is there or not
                    try:
                        self._looked_up[key] = self.releases.get(key) or fetch_release(
                            dataset, requested, self.settings, progress=self.progress, **params)
                    except DataNotFoundError as exc:
                        self._looked_up[key] = exc
                found = self._looked_up[key]
                if isinstance(found, DataNotFoundError):
                    raise found.with_traceback(None)
                return found

            if ipverse_choice is not None:
                return self._chosen_ipverse(cc)
            self.asked.add("rir-delegated")  # looked up whether or not its files end up used
            result = country_blocks_for_date(
                cc, requested, resolve=resolve, delegations=self._delegations_of,
                ipverse=lambda v4, v6: load_country_blocks(v4.path, v6.path, bad=self.bad))
            for release in result.releases:  # provenance: only the files the blocks came from
                self.releases.setdefault(release_key(release.dataset, release.params), release)
            return result

        return self._cached(f"blocks-detail|{cc.lower()}", load)

    def loaded_country_blocks(self, cc: str) -> CountryBlocks | None:
        """The country's blocks if an analysis of this snapshot loaded them, else None (nothing is loaded)."""
        value: CountryBlocks | None = self._tables.get(f"blocks-detail|{cc.lower()}")
        return value

    def _chosen_ipverse(self, cc: str) -> CountryBlocks:
        """A country's blocks from the ipverse commit the caller chose by date, whatever the RIR files say."""
        v4, v6 = (self.release("ipverse-country", cc=cc.lower(), family=family) for family in ("4", "6"))
        note = (f"country blocks of {cc.upper()} from ipverse/rir-ip of {day_text(v4.released)}, chosen by the "
                "caller instead of the RIR delegation files of the date")
        return CountryBlocks(cc.upper(), load_country_blocks(v4.path, v6.path, bad=self.bad), "ipverse", (v4, v6),
                             (), (note,))

    def input_dates(self) -> dict[str, dt.datetime]:
        """The concrete release time of every input used so far (what "latest" turned out to be)."""
        return {key: release.released for key, release in self.releases.items()}

    def date_notes(self) -> list[str]:
        """For the newest data (no date asked), one note giving the concrete date of every input."""
        return newest_data_notes(self.date, self.input_dates())

    def date_label(self) -> str:
        """The date to print for a result: the one asked for, or the concrete date of the newest data."""
        return date_label(self.date, self.input_dates())

    def delegations(self, rir: str) -> Delegations:
        """One RIR's delegated-extended file for the date."""
        return self._delegations_of(self.release("rir-delegated", rir=rir))

    def _delegations_of(self, release: Release) -> Delegations:
        """A delegation file parsed once per snapshot, whether asked for by registry or for country blocks."""
        return self._cached(f"delegations|{release.url}", lambda: load_delegated(release.path, bad=self.bad))

    def cloud_ranges(self, dataset: str, **params: str) -> CloudRanges:
        """One provider's cloud ranges (a catalog dataset such as aws-ip-ranges) for the date."""
        def load() -> CloudRanges:
            return load_cloud_file(self.input_path(dataset, **params), bad=self.bad)

        return self._cached(f"cloud|{release_key(dataset, params)}", load)

    def damage_notes(self) -> list[str]:
        """One note per input file whose loading skipped records (count, share, first bad line)."""
        return self.bad.notes()

    def attribution(self, target: dt.date, *, pfx2as: Sequence[str | os.PathLike[str]] = (),
                    rib: Sequence[str | os.PathLike[str]] = (), asorg: str | os.PathLike[str] | None = None,
                    cloud: str | os.PathLike[str] | None = None, use_catalog: bool = True) -> AttributionData:
        """Prefix-to-AS, AS organizations and cloud ranges for a blocking report at ``target``.

        Files given override the catalog for their dataset; ``rib`` (MRT files) gives origins
        from routes instead of prefix-to-AS. A dataset without a release at the date falls
        back to the nearest one the catalog names, and the distance in days is recorded;
        with none at all it is listed as missing with the reason, never guessed.
        """
        rows: list[dict[str, Any]] = []
        missing: list[str] = []
        tables: list[OriginTable] = []
        for item in rib:
            tables.append(origins_from_mrt(item, strict=self.strict, bad=self.bad))
            rows.append(_given_row(given_file("mrt-routes", item), target))
        if pfx2as:
            for item in pfx2as:
                tables.append(origins_from_pfx2as(load_pfx2as(item, bad=self.bad)))
                rows.append(_given_row(given_file("pfx2as", item), target))
        elif use_catalog and not rib:
            for dataset in _PREFIX_DATASETS:
                path, row, why = self._attribution_input(dataset, target)
                if path is None:
                    missing.append(why)
                    continue
                tables.append(origins_from_pfx2as(load_pfx2as(path, bad=self.bad)))
                rows.append(row)
        orgs = None
        if asorg is not None:
            orgs = load_as_orgs(asorg, bad=self.bad)
            rows.append(_given_row(given_file("as-org", asorg), target))
        elif use_catalog:
            path, row, why = self._attribution_input("caida-asorg", target)
            if path is None:
                missing.append(why)
            else:
                orgs = load_as_orgs(path, bad=self.bad)
                rows.append(row)
        cloud_space = None
        if cloud is not None:
            cloud_space, used_files = cloud_space_from_path(cloud, target, bad=self.bad)
            rows.extend(_given_row(given_file(name, p, note, day), target) for name, p, day, note in used_files)
        else:
            missing.append("cloud ranges: none given (a provider file or a directory of them, or AWS history "
                           "YYYY.tar.gz tarballs); cloud providers are not attributed")
        damage = [self._damage_of(row["path"]) for row in rows]
        rows = [{**row, "bad_records": d.to_dict() if d is not None else None} for row, d in zip(rows, damage, strict=True)]
        notes = tuple(note for d in damage if d is not None and (note := d.note()))
        return AttributionData(target, tuple(tables), orgs, cloud_space, tuple(rows), tuple(missing), notes,
                               tuple(self.choice_notes()))

    def _attribution_input(self, dataset: str, target: dt.date) -> tuple[Path | None, dict[str, Any], str]:
        """(file, provenance row, "") of one attribution dataset, or (None, {}, why) when it has none.

        The caller's choice wins; else the release at ``target``, else the nearest one.
        """
        choice = self.choices.get(dataset)
        if choice is None:
            release, why = self.release_or_nearest(dataset, target)
            return (None, {}, why) if release is None else (Path(release.path), self._release_row(release, target), "")
        if choice.path is not None:
            path = self.input_path(dataset)
            return path, {**_given_row(self.given[dataset], target), "chosen": choice.describe()}, ""
        try:
            release = self.release(dataset)
        except (DataNotFoundError, DownloadError) as exc:
            return None, {}, f"{dataset} ({choice.describe()}, chosen by the caller): {exc}"
        return Path(release.path), {**self._release_row(release, target), "chosen": choice.describe()}, ""

    def _damage_of(self, path: str) -> InputDamage | None:
        """What loading ``path`` skipped (a member of a tarball is keyed ``tarball:member``)."""
        found = self.bad.files.get(path)
        if found is None:
            found = next((d for key, d in self.bad.files.items() if key.startswith(path + ":")), None)
        return found

    @staticmethod
    def _release_row(release: Release, target: dt.date) -> dict[str, Any]:
        days = (release.release_date - target).days
        note = release.note or (f"release is {abs(days)} days {'after' if days > 0 else 'before'} the target date"
                                if days else "")
        return _used_row(release.dataset, release.release_date, release.path, release.file.sha256, release.url,
                         target, note)

    def date_wide_tables(self) -> dict[str, tuple[Any, Release]]:
        """The loaded tables that depend only on the dates (graph, organizations, prefix-to-AS),
        each with its release, so a server can hand them to the next Snapshot of the same dates."""
        used = {key: release for key, release in zip(self.releases, self.used_releases(), strict=True)}
        return {key: (self._tables[key], used[dataset]) for key, dataset in _DATE_WIDE.items()
                if key in self._tables and dataset in used}

    def adopt_tables(self, tables: dict[str, tuple[Any, Release]]) -> None:
        """Use tables from :meth:`date_wide_tables` of a Snapshot of the same dates instead of loading."""
        for key, (value, release) in tables.items():
            self._tables[key] = value
            self.releases[_DATE_WIDE[key]] = release
            if release.bad_records is not None:  # what loading it skipped is still said
                self.bad.files.setdefault(str(release.path), release.bad_records)

    def used_releases(self) -> list[Release]:
        """Every release this snapshot used, each with what loading it skipped (``Release.bad_records``)."""
        out = []
        for release in self.releases.values():
            damage = self.bad.files.get(str(release.path))
            out.append(replace(release, bad_records=damage) if damage is not None else release)
        return out

    def provenance(self) -> list[dict[str, Any]]:
        """Every input this snapshot used: dataset, release date, URL, size, sha256, bad records (and files given).

        ``chosen`` says what the caller chose for that dataset (``date 2024-04-06``, ``file /path``),
        None where the catalog chose for the snapshot's date. Sorted by dataset, then URL or path:
        a snapshot that served other questions first (the web app's) lists them in the same order.
        """
        out = [{**r.to_dict(), "chosen": self._chosen(r.dataset, by_date=True)} for r in self.used_releases()]
        for g in self.given.values():
            damage = self.bad.files.get(str(g.path))
            out.append({"dataset": g.dataset, "release": g.day.isoformat() if g.day else None, "requested": None,
                        "note": g.note, "url": None, "path": str(g.path), "sha256": g.sha256,
                        "bad_records": damage.to_dict() if damage is not None else None,
                        "chosen": self._chosen(g.dataset, by_date=False)})
        return sorted(out, key=lambda row: (row["dataset"], row.get("url") or "", row.get("path") or ""))

    def _chosen(self, dataset: str, *, by_date: bool) -> str | None:
        choice = self.choices.get(dataset)
        if choice is None or (choice.date is not None) != by_date:
            return None
        return choice.describe()

    def choice_notes(self) -> list[str]:
        """One note per dataset the caller chose: what was used instead of the catalog's choice, or that
        this question never read that dataset (a choice is never dropped silently)."""
        used = self.asked | {r.dataset for r in self.releases.values()} | set(self.given)
        target = f"the catalog's release for {when_text(self.date)}" if self.date else "the catalog's newest release"
        return [f"{dataset}: {choice.describe()} chosen by the caller, instead of {target}" if dataset in used
                else f"{dataset}: {choice.describe()} was chosen but this question does not read {dataset}"
                for dataset, choice in self.choices.items()]

    def release_notes(self) -> list[str]:
        """One note per release that is not the one asked for (a later release of slow data), and one per
        dataset the caller chose (:meth:`choice_notes`)."""
        return [f"{r.dataset}: {r.note}" for r in self.releases.values() if r.note] + self.choice_notes()

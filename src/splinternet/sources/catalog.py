"""The catalog of public datasets: where each lives, how often it is released, which release fits a date.

A dataset is found by listing the directory that holds its releases (an Apache-style
index over HTTP, a directory of the mirror, or the cache when offline) and matching
file names; datasets whose host cannot be listed are probed by generating the names of
the releases their cadence implies. Asked for a date, the catalog takes the newest
release at or before it and says which one it used.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .. import dates
from ..config import Settings
from ..dates import parse_when
from ..errors import DataNotFoundError, InputDamage, ParameterError, ReleaseSuggestion
from ..progress import NO_PROGRESS, Progress
from .download import CachedFile, NotFoundAtSource, fetch_url, list_directory_entries
from .listing import ListedSize

__all__ = ["DATASETS", "Dataset", "Release", "fetch_release", "list_releases", "parse_when", "release_key", "resolve_release"]

# ipverse/rir-ip publishes git commits, not dated files: the commits the catalog knows.
IPVERSE_COMMITS: tuple[tuple[str, dt.date], ...] = (("ede80226a", dt.date(2022, 3, 1)),)


@dataclass(frozen=True, slots=True)
class Release:
    """One release of a dataset, fetched into the cache: the provenance every report shows."""

    dataset: str
    released: dt.datetime
    url: str
    file: CachedFile
    requested: dt.datetime | None = None
    params: dict[str, str] = field(default_factory=dict)
    # what loading the file skipped; None until a loader has read it
    bad_records: InputDamage | None = None

    @property
    def path(self):  # noqa: ANN201 - a pathlib.Path
        return self.file.path

    @property
    def listed_size(self) -> str | None:
        """The size the directory listing showed for the file (``18M``, ``1234``), None if it showed none."""
        shown = self.file.extra.get("listed_size")
        return shown if isinstance(shown, str) else None

    @property
    def release_date(self) -> dt.date:
        return self.released.date()

    @property
    def note(self) -> str:
        """Says when the release used is later than the date asked for (slowly changing data)."""
        if self.requested is not None and dates.release_is_later(self.released, self.requested):
            days = (self.released.date() - self.requested.date()).days
            return f"no release at or before {self.requested:%Y-%m-%d}; used the next one, {days} days later"
        return ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "release": self.released.isoformat(),
            "requested": self.requested.isoformat() if self.requested else None,
            "note": self.note,
            "params": dict(self.params),
            "url": self.url,
            "path": str(self.file.path),
            "size": self.file.size,
            "listed_size": self.listed_size,
            "sha256": self.file.sha256,
            "bad_records": self.bad_records.to_dict() if self.bad_records is not None else None,
        }


@dataclass(frozen=True)
class Dataset:
    """How to find the releases of one public dataset.

    ``directories(when, params)`` gives the directory URLs to list (newest first);
    ``pattern`` matches a release's file name and captures its date (and time).
    Datasets published only as a single current file use ``current_url`` instead and
    read their publication time from the content with ``published_at``.
    """

    name: str
    description: str
    cadence: str
    address: str
    directories: Callable[[dt.datetime, dict[str, str]], list[str]] | None = None
    pattern: Callable[[dict[str, str]], re.Pattern[str]] | None = None
    probe: Callable[[dt.datetime, dict[str, str]], list[tuple[dt.datetime, str]]] | None = None
    current_url: Callable[[dict[str, str]], str] | None = None
    published_at: Callable[[bytes], dt.datetime | None] | None = None
    params: tuple[str, ...] = ()
    param_check: dict[str, str] = field(default_factory=dict)
    max_age: dt.timedelta | None = None
    # slowly changing data may be taken from the first release after the date, within this
    # window, when none exists at or before it (the release says so)
    grace_after: dt.timedelta | None = None
    # how many month directories ``directories`` lists back from the date (None: the listing
    # holds the whole archive); said in the error when nothing is found
    lookback_months: int | None = None
    # rank of a release's URL among releases of the same time (lower wins), e.g. the
    # extended RIR format over the plain one
    preference: Callable[[str], int] | None = None


def release_key(dataset: str, params: dict[str, str]) -> str:
    """One name for a dataset with its parameters, e.g. ``rir-delegated|rir=apnic``."""
    return dataset + "".join(f"|{k}={v}" for k, v in sorted(params.items()))


def _months_back(when: dt.datetime, count: int) -> list[tuple[int, int]]:
    year, month = when.year, when.month
    out = []
    for _ in range(count):
        out.append((year, month))
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return out


def _stamp(date_text: str, time_text: str | None) -> dt.datetime:
    stamp = dt.datetime.strptime(date_text, "%Y%m%d")
    if time_text:
        stamp = stamp.replace(hour=int(time_text[:2]), minute=int(time_text[2:4]))
    return stamp


def _json_time(keys: Sequence[str]) -> Callable[[bytes], dt.datetime | None]:
    def read(content: bytes) -> dt.datetime | None:
        try:
            doc = json.loads(content)
        except ValueError:
            return None
        for key in keys:
            value = doc.get(key) if isinstance(doc, dict) else None
            if isinstance(value, str):
                for fmt in ("%Y-%m-%d-%H-%M-%S", "%Y-%m-%dT%H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S"):
                    try:
                        return dt.datetime.strptime(value.replace("Z", "").split("+")[0], fmt)
                    except ValueError:
                        continue
        return None

    return read


def _delegated_header_time(content: bytes) -> dt.datetime | None:
    """The end date from a delegated file's version line ``2|registry|serial|records|start|end|UTC``."""
    for line in content[:4096].decode("ascii", "replace").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        parts = line.split("|")
        if len(parts) >= 6 and re.fullmatch(r"\d{8}", parts[5]):
            return dt.datetime.strptime(parts[5], "%Y%m%d")
        if len(parts) >= 3 and re.fullmatch(r"\d{8}", parts[2]):
            return dt.datetime.strptime(parts[2], "%Y%m%d")
        return None
    return None


_CAIDA = "https://publicdata.caida.org/datasets"
# month directories listed back from the date: a daily dataset older than this is not "the
# data of the date" (the miss then names the nearest releases instead)
_PFX2AS_MONTHS = 3
_MRT_MONTHS = 2
_RIRS = ("afrinic", "apnic", "arin", "lacnic", "ripencc")


# each RIR's own archive: (directory of one year's files, top directory); RIPE NCC also keeps
# a copy of every other RIR's files under ftp.ripe.net/pub/stats/<rir>/
_RIR_ARCHIVES = {
    "afrinic": ("https://ftp.afrinic.net/pub/stats/afrinic/{year}/", "https://ftp.afrinic.net/pub/stats/afrinic/"),
    "apnic": ("https://ftp.apnic.net/stats/apnic/{year}/", "https://ftp.apnic.net/stats/apnic/"),
    "arin": ("https://ftp.arin.net/pub/stats/arin/archive/{year}/", "https://ftp.arin.net/pub/stats/arin/"),
    "lacnic": ("https://ftp.lacnic.net/pub/stats/lacnic/{year}/", "https://ftp.lacnic.net/pub/stats/lacnic/"),
    "ripencc": ("https://ftp.ripe.net/pub/stats/ripencc/{year}/", "https://ftp.ripe.net/pub/stats/ripencc/"),
}


def _rir_directories(when: dt.datetime, params: dict[str, str]) -> list[str]:
    """The RIR's own archive, then RIPE NCC's copy: the date's year (and the year before in January)."""
    rir = params["rir"]
    year_dir, top = _RIR_ARCHIVES[rir]
    copy_year, copy_top = f"https://ftp.ripe.net/pub/stats/{rir}/{{year}}/", f"https://ftp.ripe.net/pub/stats/{rir}/"
    years = [when.year] + ([when.year - 1] if when.month == 1 else [])
    out = [year_dir.format(year=y) for y in years] + [top]
    out += [copy_year.format(year=y) for y in years] + [copy_top]
    return list(dict.fromkeys(out))


def _ris_base(params: dict[str, str]) -> str:
    return f"https://data.ris.ripe.net/{params['collector']}"


def _rv_base(params: dict[str, str]) -> str:
    collector = params["collector"]
    return "https://archive.routeviews.org" + ("" if collector == "route-views2" else f"/{collector}") + "/bgpdata"


def _mrt_dataset(name: str, description: str, cadence: str, address: str, base: Callable[[dict[str, str]], str],
                 subdir: str, regex: str, check: str, max_age: dt.timedelta) -> Dataset:
    return Dataset(
        name=name,
        description=description,
        cadence=cadence,
        address=address,
        directories=lambda when, p: [f"{base(p)}/{y:04d}.{m:02d}/{subdir}"
                                     for y, m in _months_back(when, _MRT_MONTHS)],
        pattern=lambda p: re.compile(regex),
        params=("collector",),
        param_check={"collector": check},
        max_age=max_age,
        lookback_months=_MRT_MONTHS,
    )


def _build_datasets() -> dict[str, Dataset]:
    sets = [
        Dataset(
            "caida-asrel",
            "CAIDA AS relationships, serial-1 (provider|customer|-1, peer|peer|0)",
            "monthly (1st of the month)",
            f"{_CAIDA}/as-relationships/serial-1/YYYYMMDD.as-rel.txt.bz2",
            directories=lambda when, p: [f"{_CAIDA}/as-relationships/serial-1/"],
            pattern=lambda p: re.compile(r"^(\d{8})\.as-rel\.txt\.bz2$"),
        ),
        Dataset(
            "caida-asrel2",
            "CAIDA AS relationships, serial-2 (with the source of each inference)",
            "monthly (1st of the month)",
            f"{_CAIDA}/as-relationships/serial-2/YYYYMMDD.as-rel2.txt.bz2",
            directories=lambda when, p: [f"{_CAIDA}/as-relationships/serial-2/"],
            pattern=lambda p: re.compile(r"^(\d{8})\.as-rel2\.txt\.bz2$"),
        ),
        Dataset(
            "caida-asorg",
            "CAIDA AS organizations (AS -> organization -> country, names)",
            "quarterly",
            f"{_CAIDA}/as-organizations/YYYYMMDD.as-org2info.txt.gz",
            directories=lambda when, p: [f"{_CAIDA}/as-organizations/"],
            pattern=lambda p: re.compile(r"^(\d{8})\.as-org2info\.txt\.gz$"),
            grace_after=dt.timedelta(days=92),
        ),
        Dataset(
            "routeviews-pfx2as",
            "RouteViews prefix-to-AS, IPv4 (CAIDA)",
            "daily",
            f"{_CAIDA}/routing/routeviews-prefix2as/YYYY/MM/routeviews-rv2-YYYYMMDD-HHMM.pfx2as.gz",
            directories=lambda when, p: [
                f"{_CAIDA}/routing/routeviews-prefix2as/{y:04d}/{m:02d}/" for y, m in _months_back(when, _PFX2AS_MONTHS)
            ],
            lookback_months=_PFX2AS_MONTHS,
            pattern=lambda p: re.compile(r"^routeviews-rv2-(\d{8})(?:-(\d{4}))?\.pfx2as\.gz$"),
        ),
        Dataset(
            "routeviews-pfx2as6",
            "RouteViews prefix-to-AS, IPv6 (CAIDA)",
            "daily",
            f"{_CAIDA}/routing/routeviews6-prefix2as/YYYY/MM/routeviews-rv6-YYYYMMDD-HHMM.pfx2as.gz",
            directories=lambda when, p: [
                f"{_CAIDA}/routing/routeviews6-prefix2as/{y:04d}/{m:02d}/" for y, m in _months_back(when, _PFX2AS_MONTHS)
            ],
            lookback_months=_PFX2AS_MONTHS,
            pattern=lambda p: re.compile(r"^routeviews-rv6-(\d{8})(?:-(\d{4}))?\.pfx2as\.gz$"),
        ),
        Dataset(
            "rir-delegated",
            "RIR delegation statistics (prefix and ASN -> country, status); extended format preferred",
            "daily, archived by each RIR for two decades; `-latest` read by its header date",
            "https://<RIR host>/<stats dir>/[YYYY/]delegated-RIR[-extended]-(YYYYMMDD|latest)[.gz|.bz2], "
            "or the copy under https://ftp.ripe.net/pub/stats/RIR/",
            directories=_rir_directories,
            pattern=lambda p: re.compile(
                rf"^delegated-{p['rir']}(?:-extended)?-(\d{{8}}|latest)(?:\.gz|\.bz2)?$"
            ),
            published_at=_delegated_header_time,
            params=("rir",),
            param_check={"rir": "|".join(_RIRS)},
            preference=lambda url: 0 if "-extended-" in url.rsplit("/", 1)[-1] else 1,
        ),
        Dataset(
            "ipverse-country",
            "Per-country aggregated address blocks built from the RIR files (ipverse/rir-ip, CC0)",
            "git commits; the catalog knows " + ", ".join(f"{c} ({d})" for c, d in IPVERSE_COMMITS),
            "https://raw.githubusercontent.com/ipverse/rir-ip/COMMIT/country/CC/ipv{4,6}-aggregated.txt",
            probe=lambda when, p: [
                (dt.datetime(d.year, d.month, d.day),
                 f"https://raw.githubusercontent.com/ipverse/rir-ip/{c}/country/{p['cc'].lower()}/"
                 f"ipv{p['family']}-aggregated.txt")
                for c, d in sorted(IPVERSE_COMMITS, key=lambda x: x[1], reverse=True)
            ],
            params=("cc", "family"),
            param_check={"cc": r"[A-Za-z]{2}", "family": "4|6"},
        ),
        Dataset(
            "aws-ip-ranges",
            "Amazon Web Services published IP ranges (service, region)",
            "current version only (createDate inside)",
            "https://ip-ranges.amazonaws.com/ip-ranges.json",
            current_url=lambda p: "https://ip-ranges.amazonaws.com/ip-ranges.json",
            published_at=_json_time(["createDate"]),
        ),
        Dataset(
            "gcp-ip-ranges",
            "Google Cloud published IP ranges (service, scope)",
            "current version only (creationTime inside)",
            "https://www.gstatic.com/ipranges/cloud.json",
            current_url=lambda p: "https://www.gstatic.com/ipranges/cloud.json",
            published_at=_json_time(["creationTime"]),
        ),
        Dataset(
            "azure-service-tags",
            "Microsoft Azure service tags (public cloud), weekly file named by date",
            "weekly",
            "https://download.microsoft.com/download/7/1/D/71D86715-5596-4529-9B13-DA13A5DE5B63/"
            "ServiceTags_Public_YYYYMMDD.json",
            probe=lambda when, p: [
                (when - dt.timedelta(days=k),
                 "https://download.microsoft.com/download/7/1/D/71D86715-5596-4529-9B13-DA13A5DE5B63/"
                 f"ServiceTags_Public_{(when - dt.timedelta(days=k)):%Y%m%d}.json")
                for k in range(14)
            ],
        ),
        Dataset(
            "oracle-ip-ranges",
            "Oracle Cloud Infrastructure published IP ranges",
            "current version only (last_updated_timestamp inside)",
            "https://docs.oracle.com/en-us/iaas/tools/public_ip_ranges.json",
            current_url=lambda p: "https://docs.oracle.com/en-us/iaas/tools/public_ip_ranges.json",
            published_at=_json_time(["last_updated_timestamp"]),
        ),
        Dataset(
            "digitalocean-ranges",
            "DigitalOcean published IP ranges (geofeed CSV)",
            "current version only",
            "https://digitalocean.com/geo/google.csv",
            current_url=lambda p: "https://digitalocean.com/geo/google.csv",
        ),
        Dataset(
            "cloudflare-ips",
            "Cloudflare published IP ranges (plain CIDR list)",
            "current version only",
            "https://www.cloudflare.com/ips-v{4,6}",
            current_url=lambda p: f"https://www.cloudflare.com/ips-v{p['family']}",
            params=("family",),
            param_check={"family": "4|6"},
        ),
        Dataset(
            "cidr-list",
            "Any plain CIDR list published at a URL (one prefix per line, # comments)",
            "current version only",
            "URL given as the `url` parameter",
            current_url=lambda p: p["url"],
            params=("url",),
            param_check={"url": r"https?://\S+"},
        ),
        _mrt_dataset(
            "ris-updates", "RIPE RIS BGP update files (MRT BGP4MP)", "every 5 minutes",
            "https://data.ris.ripe.net/rrcNN/YYYY.MM/updates.YYYYMMDD.HHMM.gz", _ris_base, "",
            r"^updates\.(\d{8})\.(\d{4})\.gz$", r"rrc\d\d", dt.timedelta(minutes=5),
        ),
        _mrt_dataset(
            "ris-rib", "RIPE RIS RIB dumps (MRT TABLE_DUMP_V2; TABLE_DUMP before 2003)", "every 8 hours",
            "https://data.ris.ripe.net/rrcNN/YYYY.MM/bview.YYYYMMDD.HHMM.gz", _ris_base, "",
            r"^bview\.(\d{8})\.(\d{4})\.gz$", r"rrc\d\d", dt.timedelta(days=1),
        ),
        _mrt_dataset(
            "routeviews-updates", "RouteViews BGP update files (MRT BGP4MP)", "every 15 minutes",
            "https://archive.routeviews.org/COLLECTOR/bgpdata/YYYY.MM/UPDATES/updates.YYYYMMDD.HHMM.bz2",
            _rv_base, "UPDATES/", r"^updates\.(\d{8})\.(\d{4})\.bz2$", r"route-views[\w.]*", dt.timedelta(minutes=15),
        ),
        _mrt_dataset(
            "routeviews-rib", "RouteViews RIB dumps (MRT TABLE_DUMP_V2)", "every 2 hours",
            "https://archive.routeviews.org/COLLECTOR/bgpdata/YYYY.MM/RIBS/rib.YYYYMMDD.HHMM.bz2",
            _rv_base, "RIBS/", r"^rib\.(\d{8})\.(\d{4})\.bz2$", r"route-views[\w.]*", dt.timedelta(days=1),
        ),
    ]
    return {d.name: d for d in sets}


DATASETS: dict[str, Dataset] = _build_datasets()


def _check_params(dataset: Dataset, params: dict[str, str]) -> dict[str, str]:
    unknown = set(params) - set(dataset.params)
    if unknown:
        raise ParameterError(f"{dataset.name} takes no parameter {', '.join(sorted(unknown))}")
    for name in dataset.params:
        if name not in params:
            raise ParameterError(f"{dataset.name} needs the parameter {name!r} ({dataset.param_check.get(name, '')})")
        check = dataset.param_check.get(name)
        if check and not re.fullmatch(check, params[name]):
            raise ParameterError(f"{dataset.name}: {name}={params[name]!r} does not match {check}")
    return params


def _listed_releases(dataset: Dataset, when: dt.datetime, params: dict[str, str], settings: Settings,
                     sizes: dict[str, ListedSize]) -> tuple[list[tuple[dt.datetime | None, str]], list[str]]:
    assert dataset.directories is not None and dataset.pattern is not None
    regex = dataset.pattern(params)
    found: list[tuple[dt.datetime | None, str]] = []
    tried: list[str] = []
    for directory in dataset.directories(when, params):
        tried.append(directory)
        found.extend(_releases_in(directory, regex, settings, sizes))
    return found, tried


def _releases_in(directory: str, regex: re.Pattern[str], settings: Settings,
                 sizes: dict[str, ListedSize] | None = None) -> list[tuple[dt.datetime | None, str]]:
    """(release time, URL) of every file of ``directory`` matching ``regex``; time None for a ``-latest`` file.

    The sizes the listing shows are added to ``sizes`` by URL, to check the downloads against.
    """
    out: list[tuple[dt.datetime | None, str]] = []
    for entry in list_directory_entries(directory, settings=settings):
        name = entry.name
        match = regex.match(name)
        if not match:
            continue
        url = directory.rstrip("/") + "/" + name
        if sizes is not None and entry.size is not None:
            sizes[url] = entry.size
        if match.group(1) == "latest":
            out.append((None, url))
        else:
            out.append((_stamp(match.group(1), match.group(2) if (match.lastindex or 0) >= 2 else None), url))
    return out


_fmt = dates.when_text


def _duration(span: dt.timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    if minutes % 1440 == 0:
        return f"{minutes // 1440} day" + ("s" if minutes != 1440 else "")
    return f"{minutes} minutes"


def _searched(dataset: Dataset, horizon: dt.datetime) -> str:
    """How far back the search looked, for the error of a miss."""
    if dataset.lookback_months:
        year, month = _months_back(horizon, dataset.lookback_months)[-1]
        text = f"looked back {dataset.lookback_months} months, to {year:04d}-{month:02d}-01"
    else:
        text = "looked at every release listed in the directories tried"
    if dataset.max_age is not None:
        text += f"; a release counts only if at most {_duration(dataset.max_age)} before the time asked"
    return text


def _best(dataset: Dataset, candidates: list[tuple[dt.datetime, str]],
          requested: dt.datetime | None) -> tuple[dt.datetime, str]:
    """Among releases that fit: the first of the day asked for, else the newest; ties by preference."""
    rank = dataset.preference or (lambda url: 0)
    if requested is not None and dates.is_whole_day(requested):
        same_day = [c for c in candidates if c[0].date() == requested.date()]
        if same_day:
            first = min(stamp for stamp, _ in same_day)
            return min((c for c in same_day if c[0] == first), key=lambda c: rank(c[1]))
    newest = max(stamp for stamp, _ in candidates)
    return min((c for c in candidates if c[0] == newest), key=lambda c: rank(c[1]))


def resolve_release(
    dataset_name: str,
    when: str | dt.date | dt.datetime | None = None,
    *,
    settings: Settings | None = None,
    progress: Progress = NO_PROGRESS,
    **params: str,
) -> Release:
    """The release of a dataset for ``when`` (rules in :mod:`splinternet.dates`; newest if None), fetched.

    A day takes the first release of that day, else the newest before it; a future date is
    refused. A miss says how far back it looked, names the nearest releases and carries them
    as :class:`ReleaseSuggestion` s.
    """
    settings = settings or Settings.from_env()
    dataset = DATASETS.get(dataset_name)
    if dataset is None:
        raise ParameterError(f"unknown dataset {dataset_name!r}; known: {', '.join(sorted(DATASETS))}")
    params = _check_params(dataset, {k: str(v) for k, v in params.items()})
    requested = dates.check_not_future(when)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    horizon = dates.horizon(requested) if requested else now
    wanted = _fmt(requested) if requested else "the newest release"
    wanted_label = f"{wanted}" + (f" ({', '.join(f'{k}={v}' for k, v in params.items())})" if params else "")
    sizes: dict[str, ListedSize] = {}  # what the directory listings show, by URL

    def fetch(url: str, released: dt.datetime | None) -> CachedFile:
        extra = {"dataset": dataset.name}
        if released is not None:
            extra["release"] = released.isoformat()
        return fetch_url(url, settings=settings, progress=progress, extra=extra, listed_size=sizes.get(url))

    def suggest(stamps: list[dt.datetime]) -> list[ReleaseSuggestion]:
        return [ReleaseSuggestion(dataset.name, stamp, dict(params)) for stamp in stamps]

    if dataset.current_url is not None:
        url = dataset.current_url(params)
        try:
            cached = fetch(url, None)
        except NotFoundAtSource:
            raise DataNotFoundError(dataset.name, wanted_label, tried=[url]) from None
        published = dataset.published_at(cached.path.read_bytes()) if dataset.published_at else None
        released = published or dt.datetime.fromisoformat(cached.fetched_at).replace(tzinfo=None)
        if requested is not None and published is not None and published.date() > requested.date():
            raise DataNotFoundError(
                dataset.name, wanted_label, tried=[url], nearest=[_fmt(published)],
                reason="the provider publishes only its current list, which is newer",
                suggestions=suggest([published]),
            )
        return Release(dataset.name, released, url, fetch(url, released), requested, dict(params))

    if dataset.probe is not None:
        candidates = [(stamp, url) for stamp, url in dataset.probe(horizon, params) if stamp <= horizon]
        tried = []
        for stamp, url in candidates:
            tried.append(url)
            try:
                return Release(dataset.name, stamp, url, fetch(url, stamp), requested, dict(params))
            except NotFoundAtSource:
                continue
        newer = [s for s, _ in dataset.probe(horizon, params) if s > horizon][-1:]
        raise DataNotFoundError(dataset.name, wanted_label, tried=tried, nearest=[_fmt(s) for s in newer],
                                suggestions=suggest(newer))

    def fresh(stamp: dt.datetime) -> bool:
        """Within the dataset's maximum age of the time asked (a release of the day asked always is)."""
        if dataset.max_age is None:
            return True
        if requested is not None and dates.is_whole_day(requested) and stamp.date() == requested.date():
            return True
        return (requested or now) - stamp < dataset.max_age

    found, tried = _listed_releases(dataset, horizon, params, settings, sizes)
    dated = sorted((s, u) for s, u in found if s is not None)
    eligible = [(s, u) for s, u in dated if s <= horizon and (requested is None or fresh(s))]
    if eligible:
        stamp, url = _best(dataset, eligible, requested)
        return Release(dataset.name, stamp, url, fetch(url, stamp), requested, dict(params))
    latest_files = sorted((u for s, u in found if s is None), key=dataset.preference or (lambda url: 0))
    for url in latest_files:
        cached = fetch(url, None)
        published = dataset.published_at(cached.path.read_bytes()) if dataset.published_at else None
        if published is not None and published <= horizon and (requested is None or fresh(published)):
            return Release(dataset.name, published, url, fetch(url, published), requested, dict(params))
        if published is not None:
            dated.append((published, url))
    dated.sort()
    if dataset.grace_after is not None:
        soon = [(s, u) for s, u in dated if horizon < s <= horizon + dataset.grace_after]
        if soon:
            stamp, url = soon[0]
            return Release(dataset.name, stamp, url, fetch(url, stamp), requested, dict(params))
    before = [s for s, _ in dated if s <= horizon]  # too old for this dataset's cadence
    after = [s for s, _ in dated if s > horizon]
    nearest = [*before[-1:], *after[:1]]
    if not nearest:
        earlier, later = _nearby(dataset, horizon, params, settings, set(tried), 60 if requested is None else 12, sizes)
        if requested is None and earlier:  # "the newest": the latest release, however old
            stamp, url = earlier[-1]
            return Release(dataset.name, stamp, url, fetch(url, stamp), requested, dict(params))
        nearest = [s for s, _ in [*earlier[-1:], *later[:1]]]
    raise DataNotFoundError(dataset.name, wanted_label, tried=tried, nearest=[_fmt(s) for s in nearest],
                            searched=_searched(dataset, horizon), suggestions=suggest(nearest))


def _nearby(dataset: Dataset, when: dt.datetime, params: dict[str, str], settings: Settings,
            seen: set[str], max_months: int = 12, sizes: dict[str, ListedSize] | None = None,
            ) -> tuple[list[tuple[dt.datetime, str]], list[tuple[dt.datetime, str]]]:
    """Releases before and after ``when`` in the date-named directories around it (up to a year each way)."""
    assert dataset.directories is not None and dataset.pattern is not None
    regex = dataset.pattern(params)
    before: list[tuple[dt.datetime, str]] = []
    after: list[tuple[dt.datetime, str]] = []
    for months in range(1, max_months + 1):
        for sign in (1, -1):
            if (after if sign > 0 else before):
                continue
            for directory in dataset.directories(when + dt.timedelta(days=31 * months * sign), params):
                if directory in seen:
                    continue
                seen.add(directory)
                for stamp, url in _releases_in(directory, regex, settings, sizes):
                    if stamp is not None:
                        (after if stamp > when else before).append((stamp, url))
        if before and after:
            break
    return sorted(before), sorted(after)


def fetch_release(
    dataset: str,
    date: str | dt.date | dt.datetime | None = None,
    settings: Settings | None = None,
    *,
    progress: Progress = NO_PROGRESS,
    **params: str,
) -> Release:
    """Short form of :func:`resolve_release`, the call the analyses use."""
    return resolve_release(dataset, date, settings=settings, progress=progress, **params)


def list_releases(
    dataset_name: str,
    start: str | dt.date | dt.datetime,
    end: str | dt.date | dt.datetime,
    *,
    settings: Settings | None = None,
    **params: str,
) -> list[tuple[dt.datetime, str]]:
    """Every listed release of a dataset with start <= release time < end (e.g. a day of MRT files)."""
    settings = settings or Settings.from_env()
    dataset = DATASETS.get(dataset_name)
    if dataset is None or dataset.directories is None:
        raise ParameterError(f"{dataset_name!r} is not a dataset whose releases can be listed")
    params = _check_params(dataset, {k: str(v) for k, v in params.items()})
    lo, hi = dates.check_not_future(start, name="start"), parse_when(end)
    if lo is None or hi is None or hi <= lo:
        raise ParameterError(f"empty time window {start} .. {end}")
    assert dataset.pattern is not None
    regex = dataset.pattern(params)
    seen: set[str] = set()
    out: dict[str, dt.datetime] = {}
    month = dt.datetime(hi.year, hi.month, 1)
    while month >= dt.datetime(lo.year, lo.month, 1):
        for directory in dataset.directories(month, params):
            if directory in seen:
                continue
            seen.add(directory)
            for stamp, url in _releases_in(directory, regex, settings):
                if stamp is not None and lo <= stamp < hi:
                    out[url] = stamp
        month = (month - dt.timedelta(days=1)).replace(day=1)
    return sorted((stamp, url) for url, stamp in out.items())

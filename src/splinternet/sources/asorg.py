"""CAIDA AS Organizations: who runs an AS, under which name, registered in which country.

The file has two sections, each announced by a ``# format:`` comment: organizations
(``org_id|changed|org_name|country|source``) and ASes
(``aut|changed|aut_name|org_id|opaque_id|source``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ..errors import BadRecords, InputError, RepeatedRecord
from .compression import read_decompressed
from .countries import normalise_country
from .textchecks import drop_unterminated_line

__all__ = ["AsInfo", "OrgTable", "load_as_orgs"]

_ORG_FORMAT = "org_id|changed|org_name|country|source"
_AUT_FORMAT = "aut|changed|aut_name|org_id|opaque_id|source"
_MAX_ASN = 4294967295


@dataclass(frozen=True, slots=True)
class AsInfo:
    """What the organizations dataset says about one AS."""

    asn: int
    name: str
    org_id: str
    org_name: str
    country: str
    source: str

    def to_dict(self) -> dict[str, object]:
        return {
            "asn": self.asn,
            "name": self.name,
            "org_id": self.org_id,
            "org_name": self.org_name,
            "country": self.country,
            "source": self.source,
        }


@dataclass(frozen=True)
class OrgTable:
    """ASes (sorted) with their name and organization; organizations with name and country.

    Text columns are numpy arrays of Python strings: they are read once per analysis and
    never touched in a hot loop.
    """

    asns: np.ndarray  # uint32, sorted
    as_names: np.ndarray  # object (str)
    as_org: np.ndarray  # int32 index into the org columns, -1 if the org is unknown
    as_source: np.ndarray  # object (str): RIR that registered the AS
    org_ids: np.ndarray  # object (str)
    org_names: np.ndarray  # object (str)
    org_countries: np.ndarray  # object (str), assigned ISO 3166-1 alpha-2 or '' (sources/countries.py)

    def __len__(self) -> int:
        return len(self.asns)

    def positions(self, asns: np.ndarray) -> np.ndarray:
        """Row of each AS in this table, -1 where the AS is absent."""
        asns = np.asarray(asns, dtype=np.uint32)
        pos = np.searchsorted(self.asns, asns)
        pos = np.minimum(pos, max(len(self.asns) - 1, 0))
        found = (len(self.asns) > 0) & (self.asns[pos] == asns) if len(self.asns) else np.zeros(len(asns), bool)
        return np.where(found, pos, -1).astype(np.int64)

    def get(self, asn: int) -> AsInfo | None:
        row = int(self.positions(np.array([asn]))[0])
        if row < 0:
            return None
        org = int(self.as_org[row])
        return AsInfo(
            asn=int(asn),
            name=str(self.as_names[row]),
            org_id=str(self.org_ids[org]) if org >= 0 else "",
            org_name=str(self.org_names[org]) if org >= 0 else "",
            country=str(self.org_countries[org]) if org >= 0 else "",
            source=str(self.as_source[row]),
        )

    def countries(self, asns: np.ndarray) -> np.ndarray:
        """Registration country of each AS ('' where unknown)."""
        rows = self.positions(asns)
        orgs = np.where(rows >= 0, self.as_org[np.maximum(rows, 0)], -1)
        out = np.full(len(rows), "", dtype=object)
        known = orgs >= 0
        out[known] = self.org_countries[orgs[known]]
        return out

    def names(self, asns: np.ndarray) -> np.ndarray:
        """Best display name of each AS: organization name, else AS name, else ''."""
        rows = self.positions(asns)
        out = np.full(len(rows), "", dtype=object)
        for i, row in enumerate(rows):
            if row >= 0:
                org = self.as_org[row]
                out[i] = self.org_names[org] if org >= 0 and self.org_names[org] else self.as_names[row]
        return out

    def aut_names(self, asns: np.ndarray) -> np.ndarray:
        """The AS name of each AS (CAIDA's ``aut_name``, e.g. ``SOVAM-AS``; '' where unknown).

        Shown beside the organization name where the two differ: the AS name is what
        operators and looking glasses call the network, the organization who holds it.
        """
        rows = self.positions(asns)
        out = np.full(len(rows), "", dtype=object)
        known = rows >= 0
        out[known] = self.as_names[rows[known]]
        return out

    def asns_of_country(self, cc: str) -> np.ndarray:
        """ASes whose organization is registered in country ``cc`` (sorted uint32)."""
        org_rows = np.flatnonzero(self.org_countries == cc.upper())
        return self.asns[np.isin(self.as_org, org_rows)]

    @cached_property
    def _countries(self) -> frozenset[str]:
        return frozenset(str(c) for c in self.org_countries if c)

    def known_countries(self) -> frozenset[str]:
        """Country codes some organization is registered in (worked out once per table)."""
        return self._countries


def load_as_orgs(path: str | os.PathLike[str], *, bad: BadRecords | None = None) -> OrgTable:
    """Read a CAIDA ``as-org2info.txt`` file (any compression) into an :class:`OrgTable`."""
    policy = bad if bad is not None else BadRecords()
    bad = policy.for_file()
    raw = drop_unterminated_line(path, read_decompressed(path).data, bad,
                                 expected="a line ending in a newline")
    if not raw.strip():
        raise InputError(path, "file is empty", expected="a CAIDA as-org2info file")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    org_rows: dict[str, tuple[str, str]] = {}
    aut_rows: list[tuple[int, str, str, str, int]] = []  # asn, name, org, source, line
    section: str | None = None
    records = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if not line:
            continue
        if not line.startswith("#"):
            records += 1
        if line.startswith("#"):
            if line.startswith("# format:"):
                fmt = line[len("# format:") :].strip()
                if fmt.startswith("org_id|"):
                    section = "org"
                elif fmt.startswith("aut|"):
                    section = "aut"
                else:
                    raise InputError(path, f"unknown section format {fmt!r}", line=number,
                                     expected=f"{_ORG_FORMAT!r} or {_AUT_FORMAT!r}")
            continue
        if section is None:
            raise InputError(path, "data before any '# format:' header", line=number,
                             expected="a CAIDA as-org2info file")
        fields = line.split("|")
        if section == "org":
            if len(fields) < 5:
                bad.report(InputError(path, f"{len(fields)} fields", line=number, expected=_ORG_FORMAT))
                continue
            # organization names may themselves contain '|': country and source are the last two
            # the country as an ISO alpha-2 code ('Sweden' -> SE; the region codes EU and AP -> '')
            org_row = ("|".join(fields[2:-2]), normalise_country(fields[-2]))
            if fields[0] in org_rows:
                same = org_rows[fields[0]] == org_row
                kind = RepeatedRecord if same else InputError
                bad.report(kind(path, f"organization {fields[0][:40]!r} again" + ("" if same else "; kept the first"),
                                line=number, expected="each organization once"))
                continue
            org_rows[fields[0]] = org_row
        else:
            if len(fields) < 6 or not (fields[0].isascii() and fields[0].isdigit()):
                bad.report(InputError(path, f"bad AS line {line[:60]!r}", line=number, expected=_AUT_FORMAT))
                continue
            if not 0 < len(fields[0]) <= 10 or int(fields[0]) > _MAX_ASN:
                bad.report(InputError(path, f"AS number {fields[0][:20]} out of range", line=number,
                                      expected="an AS number from 0 to 4294967295"))
                continue
            aut_rows.append((int(fields[0]), "|".join(fields[2:-3]), fields[-3], fields[-1], number))
    if not aut_rows:
        raise InputError(path, "no AS lines found", expected="a CAIDA as-org2info file with an 'aut' section")
    if not org_rows:
        raise InputError(path, "no organization lines found (file cut or of another kind?)",
                         expected="a CAIDA as-org2info file with an 'org_id' section")
    aut_rows.sort(key=lambda row: row[0])  # stable: the first line of a repeated AS is kept
    asns = np.fromiter((r[0] for r in aut_rows), dtype=np.uint32, count=len(aut_rows))
    if len(asns) > 1 and np.any(asns[1:] == asns[:-1]):
        keep = np.concatenate(([True], asns[1:] != asns[:-1]))
        kept = aut_rows[0]
        for row, k in zip(aut_rows, keep, strict=True):
            if k:
                kept = row
                continue
            same = row[:4] == kept[:4]
            kind = RepeatedRecord if same else InputError
            bad.report(kind(path, f"AS{row[0]} again (first on line {kept[4]})" + ("" if same else "; kept the first"),
                            line=row[4], expected="each AS once"))
        aut_rows = [r for r, k in zip(aut_rows, keep, strict=True) if k]
        asns = asns[keep]
    policy.settle(path, bad, records)
    org_ids = np.array(list(org_rows), dtype=object)
    org_index = {org: i for i, org in enumerate(org_ids)}
    return OrgTable(
        asns=asns,
        as_names=np.array([r[1] for r in aut_rows], dtype=object),
        as_org=np.fromiter((org_index.get(r[2], -1) for r in aut_rows), dtype=np.int32, count=len(aut_rows)),
        as_source=np.array([r[3] for r in aut_rows], dtype=object),
        org_ids=org_ids,
        org_names=np.array([v[0] for v in org_rows.values()], dtype=object),
        org_countries=np.array([v[1] for v in org_rows.values()], dtype=object),
    )

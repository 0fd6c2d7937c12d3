"""A country's address blocks on a date, from the five RIRs' delegation files, with ipverse as a fallback.

Which source wins, and why:

1. **The five RIR delegation files of the date** (catalog ``rir-delegated``, one per RIR).
   They are the original data, archived daily by each RIR for two decades, so they answer
   for any date. The country's blocks are the union of the IPv4 and IPv6 ranges every RIR
   delegated (status allocated or assigned) to it. Used whenever all five exist for the date
   (each at most :data:`RIR_MAX_AGE` older than it).
2. **ipverse/rir-ip** (catalog ``ipverse-country``): the same five files aggregated per
   country by a third party, but only at the commits the catalog knows (2022-03-01). Used
   only when some RIR file is missing for the date and a commit lies at most
   :data:`IPVERSE_MAX_AGE` before the date: a complete picture a few weeks old is closer to
   the truth than a partial one of the day. Never a commit after the date.
3. Otherwise **the RIR files that exist**, with a note naming the registries whose files are
   missing (whatever they delegated to the country is then not counted). If nothing is left
   (no file at all, or the country's blocks all come from the missing registries), one
   :class:`DataNotFoundError` says which files are missing and which releases exist.

Every result says which source it used, which releases, and what is missing: a partial
country is never given silently. Blocks are a columnar :class:`RangeSet` (numpy intervals).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from ..errors import DataNotFoundError, DownloadError, ReleaseSuggestion
from ..tables.prefixes import RangeSet
from .catalog import Release
from .rir import Delegations

__all__ = ["CountryBlocks", "IPVERSE_MAX_AGE", "RIRS", "RIR_MAX_AGE", "country_blocks_for_date"]

RIRS = ("afrinic", "apnic", "arin", "lacnic", "ripencc")
# a RIR file this much older than the date is not "the file of the date" (the RIRs publish daily)
RIR_MAX_AGE = dt.timedelta(days=31)
# ipverse completes a date only from a commit at most this much before it (a quarter: country
# delegations change by well under 1% of their space in that time)
IPVERSE_MAX_AGE = dt.timedelta(days=92)

Resolve = Callable[..., Release]  # (dataset, **params) -> Release, raising DataNotFoundError
LoadDelegations = Callable[[Release], Delegations]
LoadIpverse = Callable[[Release, Release], RangeSet]


@dataclass(frozen=True)
class CountryBlocks:
    """One country's blocks on a date and where they come from."""

    cc: str
    blocks: RangeSet
    source: str  # "rir" (all five files), "ipverse", or "rir-partial"
    releases: tuple[Release, ...]
    missing: tuple[str, ...]  # registries without a file for the date
    notes: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        return {"cc": self.cc, "source": self.source, "missing": list(self.missing), "notes": list(self.notes),
                "releases": [r.to_dict() for r in self.releases],
                "ipv4_addresses": self.blocks.address_count(4), "ipv6_addresses": self.blocks.address_count(6)}


def _day(when: dt.datetime) -> str:
    return when.strftime("%Y-%m-%d")


def _rir_releases(resolve: Resolve, requested: dt.datetime | None
                  ) -> tuple[dict[str, Release], dict[str, str], list[ReleaseSuggestion]]:
    """Each RIR's release for the date, or why it has none (missing, or too old)."""
    found: dict[str, Release] = {}
    why: dict[str, str] = {}
    suggestions: list[ReleaseSuggestion] = []
    for rir in RIRS:
        try:
            release = resolve("rir-delegated", rir=rir)
        except DataNotFoundError as exc:
            why[rir] = "no file" + (f" (nearest: {', '.join(exc.nearest)})" if exc.nearest else "")
            suggestions += exc.suggestions
            continue
        except DownloadError as exc:
            why[rir] = f"not obtainable ({exc.reason})"
            continue
        if requested is not None and requested - release.released > RIR_MAX_AGE:
            days = (requested.date() - release.released.date()).days
            why[rir] = f"newest file is of {_day(release.released)}, {days} days before the date"
            suggestions.append(ReleaseSuggestion("rir-delegated", release.released, {"rir": rir}))
            continue
        found[rir] = release
    return found, why, suggestions


def _ipverse(resolve: Resolve, cc: str, requested: dt.datetime | None) -> tuple[Release, Release] | None:
    """The ipverse files of the newest commit at most IPVERSE_MAX_AGE before the date, if any."""
    if requested is None:
        return None
    try:
        v4 = resolve("ipverse-country", cc=cc.lower(), family="4")
        v6 = resolve("ipverse-country", cc=cc.lower(), family="6")
    except (DataNotFoundError, DownloadError):
        return None
    if requested - v4.released > IPVERSE_MAX_AGE or v4.released > requested + dt.timedelta(days=1):
        return None
    return v4, v6


def country_blocks_for_date(cc: str, requested: dt.datetime | None, *, resolve: Resolve,
                            delegations: LoadDelegations, ipverse: LoadIpverse) -> CountryBlocks:
    """The blocks of ``cc`` on ``requested`` (None: the newest files) by the rules of this module.

    ``resolve`` finds a catalog release for the date; ``delegations`` and ``ipverse`` load the
    files (the caller caches them). Raises :class:`DataNotFoundError` when nothing is left.
    """
    code = cc.upper()
    found, why, suggestions = _rir_releases(resolve, requested)
    missing = tuple(r for r in RIRS if r not in found)
    lacking = "; ".join(f"{r}: {why[r]}" for r in missing)
    when = _day(requested) if requested else "the newest files"
    spread = _spread_note(found) if requested is None else []
    if not missing:
        blocks = _union(code, found, delegations)
        return CountryBlocks(code, blocks, "rir", tuple(found.values()), (), tuple(spread))
    pinned = _ipverse(resolve, code, requested)
    if pinned is not None:
        age = (requested.date() - pinned[0].released.date()).days if requested else 0
        note = (f"country blocks of {code} from ipverse/rir-ip of {_day(pinned[0].released)}"
                + (f" ({age} days before the date)" if age else "")
                + f", because RIR delegation files for {when} are missing ({lacking})")
        return CountryBlocks(code, ipverse(*pinned), "ipverse", pinned, missing, (note,))
    blocks = _union(code, found, delegations)
    if not found or blocks.is_empty():
        raise DataNotFoundError(
            "RIR delegation files", f"the blocks of {code} on {when}",
            reason=f"missing: {lacking}" + ("" if not found else f"; the files of {', '.join(found)} "
                                                                 f"place no block in {code}"),
            nearest=sorted({s.released.strftime("%Y-%m-%d") for s in suggestions}),
            suggestions=suggestions,
        )
    note = (f"country blocks of {code} are incomplete: built from the {', '.join(found)} delegation files only; "
            f"whatever {', '.join(missing)} delegated to {code} is not counted ({lacking})")
    return CountryBlocks(code, blocks, "rir-partial", tuple(found.values()), missing, (note, *spread))


def _spread_note(found: dict[str, Release]) -> list[str]:
    """The newest files of the RIRs may be of different days; say so when they are far apart."""
    if not found:
        return []
    stamps = [r.released for r in found.values()]
    if max(stamps) - min(stamps) <= RIR_MAX_AGE:
        return []
    listed = ", ".join(f"{rir} {_day(r.released)}" for rir, r in found.items())
    return [f"the newest RIR delegation files are of different dates: {listed}"]


def _union(cc: str, found: dict[str, Release], delegations: LoadDelegations) -> RangeSet:
    out = RangeSet.empty()
    for release in found.values():
        out = out | delegations(release).country_ranges(cc)
    return out

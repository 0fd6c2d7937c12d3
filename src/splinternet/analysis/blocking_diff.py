"""What changed between two versions of a register: entries and address space added and removed.

An entry is identified by (domain, url, authority, decision); the addresses it lists may
change without the entry being new, so address space is compared separately, as sets:
added space is blocked now and was not before, whatever entry lists it. Removed space is
attributed with the OLD register's attribution data, added space with the NEW one's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from ..sources.attribution import AttributionData
from ..sources.registry import Register
from ..tables.addresses import format_ipv4
from ..tables.prefixes import RangeSet
from .blocking import cloud_tables, origin_tables, unattributed_families
from .blocking_groups import GroupTable, links_rangeset
from .results import Result

__all__ = ["BlockingDiff", "diff_registers", "register_series"]


@dataclass(frozen=True, repr=False)
class BlockingDiff(Result):
    """Entry and address-space changes, and who gained or lost blocked space."""

    _tables: ClassVar[tuple[str, ...]] = ('by_organization', 'by_provider')

    old: dict[str, Any]
    new: dict[str, Any]
    attribution_old: dict[str, Any]  # what removed space is attributed with (OLD's date)
    attribution_new: dict[str, Any]  # what added space is attributed with (NEW's date)
    entries_added: int
    entries_removed: int
    entries_kept: int
    ipv4_added: int
    ipv4_removed: int
    ipv6_added: int
    ipv6_removed: int
    ipv4_old: int
    ipv4_new: int
    unattributed_ipv4_added: int  # added IPv4 with no origin AS (no covering prefix, or no prefix-to-AS data)
    unattributed_ipv4_removed: int
    not_attributed: str  # space the organization table leaves out for want of prefix-to-AS data ('' if none)
    by_organization: GroupTable
    by_provider: GroupTable
    added_examples: tuple[str, ...]
    removed_examples: tuple[str, ...]


def _merge(name: str, key: str, added: GroupTable, removed: GroupTable, label_cols: tuple[str, ...]) -> GroupTable:
    """One table with added and removed IPv4/IPv6 per key (outer join)."""
    rows: dict[str, dict[str, Any]] = {}
    for tag, table in (("added", added), ("removed", removed)):
        for rec in table.records():
            row = rows.setdefault(str(rec[key]), {key: rec[key], **{c: rec.get(c, "") for c in label_cols},
                                                  "added_ipv4": 0.0, "removed_ipv4": 0.0,
                                                  "added_ipv6": 0.0, "removed_ipv6": 0.0})
            row[f"{tag}_ipv4"] += rec["ipv4"]
            row[f"{tag}_ipv6"] += rec["ipv6"]
    records = list(rows.values())
    cols = {c: np.array([r[c] for r in records], dtype=object if c in (key, *label_cols) else np.float64)
            for c in (key, *label_cols, "added_ipv4", "removed_ipv4", "added_ipv6", "removed_ipv6")}
    cols["net_ipv4"] = cols["added_ipv4"] - cols["removed_ipv4"]
    order = np.argsort(-(cols["added_ipv4"] + cols["removed_ipv4"]), kind="stable")
    return GroupTable(name, {k: v[order] for k, v in cols.items()})


def _describe(reg: Register, rows: np.ndarray, limit: int = 5) -> tuple[str, ...]:
    out = []
    for i in rows[:limit].tolist():
        first = reg.v4.offsets[i]
        address = format_ipv4(reg.v4.start[first:first + 1])[0] if reg.v4.offsets[i + 1] > first else ""
        what = reg.domain[i] or reg.url[i] or address or f"entry at line {reg.line[i]}"
        out.append(f"{what} ({reg.decisions[reg.decision[i]]}, line {reg.line[i]})")
    return tuple(out)


def _membership(old_keys: list[str], new_keys: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(each new entry's key is in OLD, each old entry's key is in NEW): entries, not distinct keys, count."""
    old_set, new_set = set(old_keys), set(new_keys)
    return (np.fromiter((k in old_set for k in new_keys), bool, count=len(new_keys)),
            np.fromiter((k in new_set for k in old_keys), bool, count=len(old_keys)))


def _not_attributed(sides: list[tuple[str, AttributionData, RangeSet]]) -> str:
    """Which changed space no prefix-to-AS data covers, per side (``removed``, ``added``), and the date."""
    parts = [f"{' and '.join(families)} {label} (no prefix-to-AS data for {attribution.target})"
             for label, attribution, space in sides if (families := unattributed_families(attribution, space))]
    return f"not attributed: {'; '.join(parts)}" if parts else ""


def diff_registers(old: Register, new: Register, attribution: AttributionData, *, top: int = 20,
                   attribution_old: AttributionData | None = None) -> BlockingDiff:
    """Compare two registers: added space is attributed with ``attribution`` (NEW's date), removed space
    with ``attribution_old`` (OLD's date; default: ``attribution`` too)."""
    before = attribution if attribution_old is None else attribution_old
    in_old, in_new = _membership(old.entry_key().tolist(), new.entry_key().tolist())
    old_set = links_rangeset(old.v4, old.v6)
    new_set = links_rangeset(new.v4, new.v6)
    added: RangeSet = new_set - old_set
    removed: RangeSet = old_set - new_set
    _, org_added, _, none_added = origin_tables(new, attribution, added, 0)
    _, org_removed, _, none_removed = origin_tables(old, before, removed, 0)
    _, prov_added = cloud_tables(attribution, added)
    _, prov_removed = cloud_tables(before, removed)
    by_org = _merge("diff_by_organization", "organization", org_added, org_removed, ("country",))
    by_provider = _merge("diff_by_provider", "provider", prov_added, prov_removed, ())
    return BlockingDiff(
        old=old.summary(), new=new.summary(), attribution_old=before.to_dict(), attribution_new=attribution.to_dict(),
        entries_added=int((~in_old).sum()), entries_removed=int((~in_new).sum()), entries_kept=int(in_old.sum()),
        ipv4_added=added.address_count(4), ipv4_removed=removed.address_count(4),
        ipv6_added=added.address_count(6), ipv6_removed=removed.address_count(6),
        ipv4_old=old_set.address_count(4), ipv4_new=new_set.address_count(4),
        unattributed_ipv4_added=int(none_added), unattributed_ipv4_removed=int(none_removed),
        not_attributed=_not_attributed([("removed", before, removed), ("added", attribution, added)]),
        by_organization=by_org.head(top) if top else by_org, by_provider=by_provider,
        added_examples=_describe(new, np.flatnonzero(~in_old)),
        removed_examples=_describe(old, np.flatnonzero(~in_new)),
    )


def register_series(registers: list[Register]) -> GroupTable:
    """Growth over a series of registers (in the order given): size of each, and what changed from the previous."""
    rows: dict[str, list[Any]] = {k: [] for k in ("register", "updated", "entries", "ipv4", "ipv6", "ipv4_added",
                                                  "ipv4_removed", "entries_added", "entries_removed")}
    previous: tuple[RangeSet, list[str]] | None = None
    for reg in registers:
        blocked = links_rangeset(reg.v4, reg.v6)
        keys = reg.entry_key().tolist()
        rows["register"].append(", ".join(reg.sources))
        rows["updated"].append(reg.updated.isoformat() if reg.updated else "")
        rows["entries"].append(len(reg))
        rows["ipv4"].append(blocked.address_count(4))
        rows["ipv6"].append(float(blocked.address_count(6)))
        if previous is None:
            for k in ("ipv4_added", "ipv4_removed", "entries_added", "entries_removed"):
                rows[k].append(0)
        else:
            rows["ipv4_added"].append((blocked - previous[0]).address_count(4))
            rows["ipv4_removed"].append((previous[0] - blocked).address_count(4))
            in_old, in_new = _membership(previous[1], keys)
            rows["entries_added"].append(int((~in_old).sum()))
            rows["entries_removed"].append(int((~in_new).sum()))
        previous = (blocked, keys)
    return GroupTable.make("series", {k: np.array(v, dtype=object if k in ("register", "updated") else None)
                                      for k, v in rows.items()})

"""Per blocked address: the domains it serves that the register does not list (the blocking page's first table).

:func:`splinternet.analysis.blocking_collateral.find_collateral` counts these addresses and
groups the domains by provider and by entry; the page also lists the addresses themselves,
with the same rule for *unrelated* (the domain and none of its parents listed in the
register, ``*.`` wildcards included, compared in lower-case IDNA form).
"""

from __future__ import annotations

import ipaddress
from typing import Any

import numpy as np

from ..analysis.blocking_collateral import related_domains
from ..analysis.blocking_groups import GroupTable, links_rangeset
from ..sources.registry import Register
from ..sources.resolutions import Resolutions, normalize_domain

__all__ = ["addresses_with_unrelated"]


def _register_domains(reg: Register) -> set[str]:
    return {normalize_domain(d[2:] if d.startswith("*.") else d) for d in set(reg.domain.tolist()) if d}


def _family_table(hi: np.ndarray, lo: np.ndarray, domain: np.ndarray, unrelated: np.ndarray,
                  version: int, names: np.ndarray, examples: int) -> tuple[list[str], np.ndarray, list[str]]:
    rows = np.flatnonzero(unrelated)
    if len(rows) == 0:
        return [], np.zeros(0, np.int64), []
    key = np.stack([hi[rows], lo[rows], domain[rows].astype(np.uint64)], axis=1)
    key = np.unique(key, axis=0)  # one row per (address, domain), sorted by address
    addr, start, counts = np.unique(key[:, :2], axis=0, return_index=True, return_counts=True)
    text = [str(ipaddress.IPv4Address(int(b))) if version == 4 else
            str(ipaddress.IPv6Address((int(a) << 64) | int(b))) for a, b in addr.tolist()]
    sample = [", ".join(str(names[int(d)]) for d in key[s:s + min(c, examples), 2].tolist())
              for s, c in zip(start.tolist(), counts.tolist(), strict=True)]
    return text, counts.astype(np.int64), sample


def addresses_with_unrelated(reg: Register, res: Resolutions, *, top: int = 20, examples: int = 3) -> dict[str, Any]:
    """The listed addresses serving the most domains absent from the register: address, count, examples.

    Returns the JSON shape of a group table (``{"name", "rows", "total"}``); ``total`` is the
    number of such addresses before ``top`` is applied.
    """
    blocked = links_rangeset(reg.v4, reg.v6)
    related = related_domains(res.domains, _register_domains(reg))
    v4_lo = res.v4_address.astype(np.uint64)
    on4 = blocked.contains(res.v4_address.astype(np.uint32)) if len(v4_lo) else np.zeros(0, bool)
    on6 = blocked.contains((res.v6_hi, res.v6_lo)) if len(res.v6_lo) else np.zeros(0, bool)
    un4 = on4 & ~related[res.v4_domain] if len(v4_lo) else on4
    un6 = on6 & ~related[res.v6_domain] if len(res.v6_lo) else on6
    a4, c4, s4 = _family_table(np.zeros(len(v4_lo), np.uint64), v4_lo, res.v4_domain, un4, 4, res.domains, examples)
    a6, c6, s6 = _family_table(res.v6_hi, res.v6_lo, res.v6_domain, un6, 6, res.domains, examples)
    table = GroupTable.make("collateral_addresses", {
        "address": np.array(a4 + a6, dtype=object), "unrelated_domains": np.concatenate([c4, c6]),
        "examples": np.array(s4 + s6, dtype=object)}, sort_by="unrelated_domains")
    total = len(table.columns["address"])
    return {**table.head(top).to_dict(), "total": total}

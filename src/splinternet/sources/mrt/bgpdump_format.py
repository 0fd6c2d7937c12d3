"""Lines exactly as Debian ``bgpdump -m`` (1.6.2) prints them, from a :class:`RouteTable`.

This is an output path, not the parse path: plain Python over ``tolist()`` columns, with
per-peer and per-attribute-row strings cached. bgpdump's own quirks are reproduced on
purpose (MED/LOCAL_PREF of MP_REACH IPv4 routes printed as signed ints, 255.255.255.255 for
a missing NEXT_HOP, large communities and OTC not shown); see docs/mrt.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

import numpy as np

from .layout import (
    KIND_ANNOUNCE,
    KIND_RIB,
    KIND_STATE,
    KIND_WITHDRAW,
    PATH_ABSENT,
    SEG_CONFED_SEQUENCE,
    SEG_CONFED_SET,
    SEG_SEQUENCE,
    SEG_SET,
    SEG_START,
    T_BGP4MP_ET,
    T_TABLE_DUMP,
    T_TABLE_DUMP_V2,
)
from .table import ATTR_ATOMIC_AGGREGATE, ATTR_COMMUNITIES, AttributeTable, RouteTable

__all__ = ["bgpdump_lines", "bgpdump_printable", "format_as_path", "format_communities"]

_OPEN = {SEG_SET: "{", SEG_CONFED_SET: "[", SEG_CONFED_SEQUENCE: "(", SEG_SEQUENCE: " "}
_CLOSE = {SEG_SET: "}", SEG_CONFED_SET: "]", SEG_CONFED_SEQUENCE: ")", SEG_SEQUENCE: " "}
_WELL_KNOWN = {0xFFFFFF01: "no-export", 0xFFFFFF02: "no-advertise", 0xFFFFFF03: "local-AS"}
_TD2_PRINTED = (2, 4, 8, 10)  # bgpdump skips RIB multicast and RIB_GENERIC records
_LOCAL_SWAPPED = (10, 11)  # LOCAL_ADDPATH: bgpdump reads the fields swapped and prints the local side


def ipv4(value: int) -> str:
    return f"{value >> 24}.{(value >> 16) & 255}.{(value >> 8) & 255}.{value & 255}"


@lru_cache(maxsize=1 << 16)
def ipv6(hi: int, lo: int) -> str:
    """bgpdump's fmt_ipv6: like inet_ntop, except that a single zero group is also shortened to ``::``."""
    if hi == 0 and (lo >> 32) == 0xFFFF:
        return "::ffff:" + ipv4(lo & 0xFFFFFFFF)
    if hi == 0 and (lo >> 32) == 0 and (lo & 0xFFFFFFFF) > 1:
        return "::" + ipv4(lo)
    groups = [(hi >> s) & 0xFFFF for s in (48, 32, 16, 0)] + [(lo >> s) & 0xFFFF for s in (48, 32, 16, 0)]
    best, best_len, run = -1, 0, 0
    runs = [0] * 8
    for i in range(7, -1, -1):
        run = run + 1 if groups[i] == 0 else 0
        runs[i] = run
    for i in range(8):
        if runs[i] > best_len:
            best, best_len = i, runs[i]
    if best < 0:
        return ":".join(f"{g:x}" for g in groups)
    head = ":".join(f"{g:x}" for g in groups[:best])
    tail = ":".join(f"{g:x}" for g in groups[best + best_len :])
    return f"{head}::{tail}"


def format_as_path(asns: list[int], segments: list[int]) -> str:
    """bgpdump's AS path text: sequences space-separated, ``{a,b}`` sets, ``(a b)``/``[a,b]`` confeds."""
    out: list[str] = []
    prev = SEG_SEQUENCE
    space = False
    seg_type = SEG_SEQUENCE
    for asn, seg in zip(asns, segments, strict=True):
        if seg & SEG_START:
            seg_type = seg & 0x7F
            if prev != SEG_SEQUENCE:
                out.append(_CLOSE[prev])
            if space:
                out.append(" ")
            if seg_type != SEG_SEQUENCE:
                out.append(_OPEN[seg_type])
            space = False
            prev = seg_type
        if space:
            out.append("," if seg_type in (SEG_SET, SEG_CONFED_SET) else " ")
        else:
            space = True
        out.append(str(asn))
    if asns and prev != SEG_SEQUENCE:
        out.append(_CLOSE[prev])
    return "".join(out)


def format_communities(values: list[int]) -> str:
    return " ".join(_WELL_KNOWN.get(v) or f"{v >> 16}:{v & 0xFFFF}" for v in values)


def _signed(v: int) -> int:
    return v - (1 << 32) if v >= 1 << 31 else v


class _AttrText:
    """Per attribute row: (as path, origin, communities, AG/NAG, aggregator), built once."""

    def __init__(self, attrs: AttributeTable) -> None:
        self.a = attrs
        self.cache: dict[int, tuple[str, str, str, str, str, int, int, int]] = {}
        self.flags = attrs.flags.tolist()

    def get(self, row: int) -> tuple[str, str, str, str, str, int, int, int]:
        hit = self.cache.get(row)
        if hit is not None:
            return hit
        a = self.a
        flags = self.flags[row]
        p0, p1 = int(a.path_offsets[row]), int(a.path_offsets[row + 1])
        path = "" if a.path_status[row] == PATH_ABSENT else format_as_path(
            a.path_asns[p0:p1].tolist(), a.path_segments[p0:p1].tolist())
        origin = {0: "IGP", 1: "EGP"}.get(int(a.origin[row]), "INCOMPLETE")
        if flags >> (ATTR_COMMUNITIES - 1) & 1:
            c0, c1 = int(a.community_offsets[row]), int(a.community_offsets[row + 1])
            comm = format_communities(a.communities[c0:c1].tolist())
        else:
            comm = ""
        ag = "AG" if flags >> (ATTR_ATOMIC_AGGREGATE - 1) & 1 else "NAG"
        addr = int(a.aggregator_addr[row])
        aggr = "" if addr == 0xFFFFFFFF else f"{int(a.aggregator_asn[row])} {ipv4(addr)}"
        lp = int(a.local_pref[row]) if flags >> 4 & 1 else 0
        med = int(a.med[row]) if flags >> 3 & 1 else 0
        out = (path, origin, comm, ag, aggr, lp, med, int(a.next_hop[row]))
        self.cache[row] = out
        return out


def bgpdump_printable(table: RouteTable) -> np.ndarray:
    """Mask of the elements bgpdump -m prints (it skips TABLE_DUMP_V2 multicast and generic RIBs)."""
    td2 = table.mrt_type == T_TABLE_DUMP_V2
    return ~td2 | np.isin(table.mrt_subtype, _TD2_PRINTED)


def _bgp4mp_label(mrt_type: int, subtype: int) -> str:
    label = "BGP4MP_ET" if mrt_type == T_BGP4MP_ET else "BGP4MP"
    if subtype in (6, 7):  # bgpdump 1.6.2 does not label LOCAL_ADDPATH (10, 11) as LOCAL
        label += "_LOCAL"
    if subtype >= 8:
        label += "_AP"
    return label


def bgpdump_lines(table: RouteTable) -> Iterator[str]:
    """One ``bgpdump -m`` line per printable element, in table order (no trailing newline)."""
    text = _AttrText(table.attrs)
    peers: dict[tuple[int, int, int, int], str] = {}
    prefixes: dict[tuple[int, int, int, int], str] = {}
    cols = [c.tolist() for c in (
        table.kind, table.mrt_type, table.mrt_subtype, table.timestamp, table.microsecond, table.peer_afi,
        table.peer_hi, table.peer_lo, table.peer_asn, table.local_hi, table.local_lo, table.local_asn, table.afi, table.prefix_hi, table.prefix_lo, table.prefix_len,
        table.path_id, table.next_hop_afi, table.next_hop_hi, table.next_hop_lo, table.from_mp, table.old_state,
        table.new_state, table.attr, bgpdump_printable(table))]
    for (kind, mtype, sub, ts, usec, pafi, phi, plo, pasn, lhi, llo, lasn, afi, xhi, xlo, xlen, pid, nafi, nhi, nlo,
         mp, old, new, row, show) in zip(*cols, strict=True):
        if not show:
            continue
        if mtype >= 16 and sub in _LOCAL_SWAPPED:
            phi, plo, pasn = lhi, llo, lasn
        key = (pafi, phi, plo, mtype == T_TABLE_DUMP and sub == 2)
        peer = peers.get(key)
        if peer is None:
            peer = ipv6(phi, plo) if pafi == 2 else ipv4(plo)
            peers[key] = peer
        time = f"{ts}.{usec:06d}" if mtype == T_BGP4MP_ET else str(ts)
        if kind == KIND_STATE:
            label = "BGP4MP_ET" if mtype == T_BGP4MP_ET else "BGP4MP"
            yield f"{label}|{time}|STATE|{peer}|{pasn}|{old}|{new}"
            continue
        pkey = (afi, xhi, xlo, xlen)
        prefix = prefixes.get(pkey)
        if prefix is None:
            prefix = f"{ipv4(xlo) if afi == 1 else ipv6(xhi, xlo)}/{xlen}"
            prefixes[pkey] = prefix
        if kind == KIND_WITHDRAW:
            tail = f"|{pid}" if sub >= 8 else ""
            if afi == 2 and pafi == 1 and sub in (6, 7):  # bgpdump prints this IPv4 peer as an IPv6 address
                peer = ipv6(plo << 32, 0)
            yield f"{_bgp4mp_label(mtype, sub)}|{time}|W|{peer}|{pasn}|{prefix}{tail}"
            continue
        path, origin, comm, ag, aggr, lp, med, nh4 = text.get(row)
        if kind == KIND_RIB:
            if mtype == T_TABLE_DUMP:
                label, pid_text = "TABLE_DUMP", ""
            else:
                addpath = sub >= 8
                label, pid_text = ("TABLE_DUMP2_AP", f"{pid}|") if addpath else ("TABLE_DUMP2", "")
            nh = ipv6(nhi, nlo) if nafi == 2 else ipv4(nh4)
            yield (f"{label}|{time}|B|{peer}|{pasn}|{prefix}|{pid_text}{path}|{origin}|{nh}|{lp}|{med}|{comm}|{ag}|"
                   f"{aggr}|")
            continue
        pid_text = f"{pid}|" if sub >= 8 else ""
        if afi == 2:
            nh = ipv6(nhi, nlo)
        elif mp:
            nh = ipv4(nlo)
            lp, med = _signed(lp), _signed(med)
        else:
            nh = ipv4(nh4)
        yield (f"{_bgp4mp_label(mtype, sub)}|{time}|A|{peer}|{pasn}|{prefix}|{pid_text}{path}|{origin}|{nh}|{lp}|"
               f"{med}|{comm}|{ag}|{aggr}|")


KINDS_PRINTED = (KIND_ANNOUNCE, KIND_WITHDRAW, KIND_RIB, KIND_STATE)

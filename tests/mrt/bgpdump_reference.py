"""The slow reference of the bgpdump -m line kernel: plain Python, one f-string per field.

This was ``mrt dump``'s formatter before the kernel (``sources/mrt/bgpdump_kernel.py``);
``test_bgpdump_lines.py`` holds the two to the same bytes on generated tables. bgpdump's
own quirks are reproduced on purpose (MED/LOCAL_PREF of MP_REACH IPv4 routes printed as
signed ints, 255.255.255.255 for a missing NEXT_HOP, large communities and OTC not shown);
see docs/mrt.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np

from splinternet.sources.mrt.bgpdump_format import ipv4, ipv6
from splinternet.sources.mrt.layout import (
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
from splinternet.sources.mrt.table import (
    ATTR_ATOMIC_AGGREGATE,
    ATTR_COMMUNITIES,
    AttributeTable,
    RouteTable,
)

_OPEN = {SEG_SET: "{", SEG_CONFED_SET: "[", SEG_CONFED_SEQUENCE: "(", SEG_SEQUENCE: " "}
_CLOSE = {SEG_SET: "}", SEG_CONFED_SET: "]", SEG_CONFED_SEQUENCE: ")", SEG_SEQUENCE: " "}
_WELL_KNOWN = {0xFFFFFF01: "no-export", 0xFFFFFF02: "no-advertise", 0xFFFFFF03: "local-AS"}
_TD2_PRINTED = (2, 4, 8, 10)  # bgpdump skips RIB multicast and RIB_GENERIC records
_LOCAL_SWAPPED = (10, 11)  # LOCAL_ADDPATH: bgpdump reads the fields swapped and prints the local side
_PLAIN_START = SEG_SEQUENCE | SEG_START


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


def _community(value: int) -> str:
    return _WELL_KNOWN.get(value) or f"{value >> 16}:{value & 0xFFFF}"


def format_communities(values: list[int]) -> str:
    return " ".join(map(_community, values))


def _signed(v: int) -> int:
    return v - (1 << 32) if v >= 1 << 31 else v


def _texts(values: np.ndarray, to_text: Callable[[int], str]) -> list[str]:
    """``[to_text(v) for v in values]``, calling ``to_text`` once per distinct value."""
    distinct, inverse = np.unique(values, return_inverse=True)
    names = [to_text(v) for v in distinct.tolist()]
    return [names[k] for k in inverse.tolist()]


class _AttrText:
    """Per attribute row: (as path, origin, communities, AG/NAG, aggregator, lp, med, next hop), built once.

    Columns are turned into Python lists once: indexing numpy arrays one scalar at a time
    costs more than formatting the text.
    """

    def __init__(self, attrs: AttributeTable) -> None:
        self.cache: dict[int, tuple[str, str, str, str, str, int, int, int]] = {}
        self.flags = attrs.flags.tolist()
        self.path_offsets = attrs.path_offsets.tolist()
        self.path_asns = attrs.path_asns.tolist()
        self.path_segments = attrs.path_segments.tolist()
        self.path_status = attrs.path_status.tolist()
        self.origin = attrs.origin.tolist()
        self.community_offsets = attrs.community_offsets.tolist()
        self.communities = attrs.communities.tolist()
        self.aggregator_addr = attrs.aggregator_addr.tolist()
        self.aggregator_asn = attrs.aggregator_asn.tolist()
        self.local_pref = attrs.local_pref.tolist()
        self.med = attrs.med.tolist()
        self.next_hop = attrs.next_hop.tolist()
        # each distinct ASN and community is turned into text once
        self.asn_text = _texts(attrs.path_asns, str)
        self.community_text = _texts(attrs.communities, _community)

    def _path(self, row: int) -> str:
        if self.path_status[row] == PATH_ABSENT:
            return ""
        p0, p1 = self.path_offsets[row], self.path_offsets[row + 1]
        segments = self.path_segments[p0:p1]
        if segments and segments[0] == _PLAIN_START and segments.count(SEG_SEQUENCE) == p1 - p0 - 1:
            return " ".join(self.asn_text[p0:p1])  # one AS_SEQUENCE: the common case
        return format_as_path(self.path_asns[p0:p1], segments)

    def get(self, row: int) -> tuple[str, str, str, str, str, int, int, int]:
        hit = self.cache.get(row)
        if hit is not None:
            return hit
        flags = self.flags[row]
        origin = {0: "IGP", 1: "EGP"}.get(self.origin[row], "INCOMPLETE")
        if flags >> (ATTR_COMMUNITIES - 1) & 1:
            comm = " ".join(self.community_text[self.community_offsets[row]:self.community_offsets[row + 1]])
        else:
            comm = ""
        ag = "AG" if flags >> (ATTR_ATOMIC_AGGREGATE - 1) & 1 else "NAG"
        addr = self.aggregator_addr[row]
        aggr = "" if addr == 0xFFFFFFFF else f"{self.aggregator_asn[row]} {ipv4(addr)}"
        lp = self.local_pref[row] if flags >> 4 & 1 else 0
        med = self.med[row] if flags >> 3 & 1 else 0
        out = (self._path(row), origin, comm, ag, aggr, lp, med, self.next_hop[row])
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


def _same_as_previous(columns: list[np.ndarray]) -> np.ndarray:
    """True where an element equals the one before it in every column that its line's text, bar the prefix, uses."""
    same = np.ones(columns[0].shape[0], bool)
    if same.size:
        same[0] = False
    for c in columns:
        same[1:] &= c[1:] == c[:-1]
    return same


def bgpdump_lines(table: RouteTable) -> Iterator[str]:
    """One ``bgpdump -m`` line per printable element, in table order (no trailing newline).

    The prefixes of one UPDATE share everything else on their lines: the text around the
    prefix is built once per run of such elements (found with numpy), so each further line
    costs one prefix lookup and a concatenation.
    """
    text = _AttrText(table.attrs)
    shown = np.flatnonzero(bgpdump_printable(table))
    columns = [c[shown] for c in (
        table.kind, table.mrt_type, table.mrt_subtype, table.timestamp, table.microsecond, table.peer_afi,
        table.peer_hi, table.peer_lo, table.peer_asn, table.local_hi, table.local_lo, table.local_asn, table.afi,
        table.next_hop_afi, table.next_hop_hi, table.next_hop_lo, table.from_mp, table.attr, table.old_state,
        table.new_state)]
    same = _same_as_previous(columns) & (columns[0] != KIND_STATE)
    prefix_columns = [c[shown] for c in (table.prefix_hi, table.prefix_lo, table.prefix_len, table.path_id)]
    prefixes: dict[tuple[int, int, int, int], str] = {}
    peers: dict[tuple[int, int, int], str] = {}
    head = tail = ""
    addpath = False
    for repeat, xhi, xlo, xlen, pid, *element in zip(
            same.tolist(), *(c.tolist() for c in prefix_columns), *(c.tolist() for c in columns), strict=True):
        if not repeat:
            if element[0] == KIND_STATE:
                yield _state_line(element, peers)
                continue
            head, tail, addpath = _around_prefix(element, peers, text)
        afi = element[12]
        key = (afi, xhi, xlo, xlen)
        prefix = prefixes.get(key)
        if prefix is None:
            prefix = f"{ipv4(xlo) if afi == 1 else ipv6(xhi, xlo)}/{xlen}"
            prefixes[key] = prefix
        yield f"{head}{prefix}|{pid}{tail}" if addpath else f"{head}{prefix}{tail}"


def _peer(mtype: int, sub: int, pafi: int, phi: int, plo: int, pasn: int, lhi: int, llo: int, lasn: int,
          peers: dict[tuple[int, int, int], str]) -> tuple[str, int, int]:
    """(peer text, low word, ASN) of an element, with bgpdump's LOCAL_ADDPATH swap."""
    if mtype >= 16 and sub in _LOCAL_SWAPPED:
        phi, plo, pasn = lhi, llo, lasn
    key = (pafi, phi, plo)
    peer = peers.get(key)
    if peer is None:
        peer = ipv6(phi, plo) if pafi == 2 else ipv4(plo)
        peers[key] = peer
    return peer, plo, pasn


def _state_line(element: list[int], peers: dict[tuple[int, int, int], str]) -> str:
    _, mtype, sub, ts, usec, pafi, phi, plo, pasn, lhi, llo, lasn, *_, old, new = element
    peer, _, pasn = _peer(mtype, sub, pafi, phi, plo, pasn, lhi, llo, lasn, peers)
    time = f"{ts}.{usec:06d}" if mtype == T_BGP4MP_ET else str(ts)
    label = "BGP4MP_ET" if mtype == T_BGP4MP_ET else "BGP4MP"
    return f"{label}|{time}|STATE|{peer}|{pasn}|{old}|{new}"


def _around_prefix(element: list[int], peers: dict[tuple[int, int, int], str],
                   text: _AttrText) -> tuple[str, str, bool]:
    """(text before the prefix, text after it, whether the path id goes between) for an element."""
    kind, mtype, sub, ts, usec, pafi, phi, plo, pasn, lhi, llo, lasn, afi, nafi, nhi, nlo, mp, row, _, _ = element
    peer, plo, pasn = _peer(mtype, sub, pafi, phi, plo, pasn, lhi, llo, lasn, peers)
    time = f"{ts}.{usec:06d}" if mtype == T_BGP4MP_ET else str(ts)
    addpath = sub >= 8 and mtype != T_TABLE_DUMP
    if kind == KIND_WITHDRAW:
        if afi == 2 and pafi == 1 and sub in (6, 7):  # bgpdump prints this IPv4 peer as an IPv6 address
            peer = ipv6(plo << 32, 0)
        return f"{_bgp4mp_label(mtype, sub)}|{time}|W|{peer}|{pasn}|", "", addpath
    path, origin, comm, ag, aggr, lp, med, nh4 = text.get(row)
    if kind == KIND_RIB:
        if mtype == T_TABLE_DUMP:
            label = "TABLE_DUMP"
        else:
            label = "TABLE_DUMP2_AP" if addpath else "TABLE_DUMP2"
        nh = ipv6(nhi, nlo) if nafi == 2 else ipv4(nh4)
        kind_text = "B"
    else:
        label = _bgp4mp_label(mtype, sub)
        if afi == 2:
            nh = ipv6(nhi, nlo)
        elif mp:
            nh = ipv4(nlo)
            lp, med = _signed(lp), _signed(med)
        else:
            nh = ipv4(nh4)
        kind_text = "A"
    return (f"{label}|{time}|{kind_text}|{peer}|{pasn}|",
            f"|{path}|{origin}|{nh}|{lp}|{med}|{comm}|{ag}|{aggr}|", addpath)


"""``read_mrt``: one MRT file (any compression) into a :class:`RouteTable`, bad records counted.

Decompression (content-detected, truncation salvaged) and parsing are timed separately so
benchmarks can show both. Damaged records are skipped whole and reported with their byte
offset in the decompressed stream; ``strict=True`` raises at the first.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ...config import DecompressionLimits
from ...errors import BadRecords, InputError
from ...progress import NO_PROGRESS, Progress, compile_note
from ..compression import Compression, read_decompressed
from . import layout as L
from .compiled import parse_kernel
from .table import AttributeTable, RouteTable

__all__ = ["MrtResult", "MrtStats", "parse_mrt_bytes", "read_mrt"]


@dataclass(frozen=True)
class MrtStats:
    """Counters of one parse; cheap (no unique counts: see ``summarize``)."""

    path: str
    compression: str
    compressed_bytes: int
    decompressed_bytes: int
    records: int
    elements: int
    announcements: int
    withdrawals: int
    rib_entries: int
    state_changes: int
    bad_records: int
    unsupported_records: int
    non_update_messages: int
    other_family_nlri: int
    bundled_table_dump_records: int
    first_time: int | None
    last_time: int | None
    decompress_seconds: float
    parse_seconds: float
    stream_damage: str | None = None  # the compressed stream broke: what follows the damage is missing
    stopped_early_at: int | None = None  # decompressed byte where record framing broke and parsing stopped

    @property
    def complete(self) -> bool:
        """True when the whole file was read: the stream is whole and every record header was found."""
        return self.stream_damage is None and self.stopped_early_at is None


@dataclass(frozen=True)
class MrtResult:
    table: RouteTable
    stats: MrtStats
    bad: BadRecords


def _alloc(counts: list[int]) -> tuple[np.ndarray, ...]:
    ne, na, npath, ncomm, nlcomm = counts
    return (
        np.empty((L.N_E64, ne), np.int64),
        np.empty((L.N_EU64, ne), np.uint64),
        np.empty((L.N_EU32, ne), np.uint32),
        np.empty((L.N_EU8, ne), np.uint8),
        np.empty((1, na), np.uint64),
        np.empty((L.N_AU32, na), np.uint32),
        np.empty((L.N_AI8, na), np.int8),
        np.zeros((L.N_AOFF, na + 1), np.int64),
        np.empty(npath, np.uint32),
        np.empty(npath, np.uint8),
        np.empty(ncomm, np.uint32),
        np.empty(nlcomm, np.uint32),
    )


def _guess(n_bytes: int) -> list[int]:
    """Capacities that fit real archives (30+ bytes per element); a miss costs one more pass."""
    elems = n_bytes // 24 + 64
    return [elems, elems, n_bytes // 4 + 64, n_bytes // 8 + 64, n_bytes // 16 + 64]


def _trim(arrays: tuple[np.ndarray, ...], counts: list[int]) -> tuple[np.ndarray, ...]:
    ne, na, npath, ncomm, nlcomm = counts
    return (arrays[0][:, :ne], arrays[1][:, :ne], arrays[2][:, :ne], arrays[3][:, :ne], arrays[4][:, :na],
            arrays[5][:, :na], arrays[6][:, :na], arrays[7][:, : na + 1], arrays[8][:npath], arrays[9][:npath],
            arrays[10][:ncomm], arrays[11][:nlcomm])


def _run(parse: Callable[..., Any], buf: np.ndarray, fill: bool, arrays: tuple[np.ndarray, ...],
         errs: tuple[np.ndarray, ...], peers: tuple[np.ndarray, ...]) -> np.ndarray:
    cnt = np.zeros(L.N_COUNTERS, np.int64)
    parse(buf, fill, cnt, *arrays, *errs, *peers)
    return cnt


def parse_mrt_bytes(buf: np.ndarray, progress: Progress = NO_PROGRESS, *,
                    start_fast: bool = False) -> tuple[RouteTable, np.ndarray, tuple]:
    """Parse decompressed MRT bytes: (table, counters, (error offsets, positions, codes)).

    ``start_fast``: a one-off read in a fresh process (see ``compiled``); the tables are the same.
    """
    parse = parse_kernel(start_fast, int(buf.shape[0]))
    errs = (np.zeros(L.MAX_ERRORS, np.int64), np.zeros(L.MAX_ERRORS, np.int64), np.zeros(L.MAX_ERRORS, np.int32))
    peers = (np.zeros(65536, np.uint8), np.zeros(65536, np.uint64), np.zeros(65536, np.uint64),
             np.zeros(65536, np.uint32))
    buf = buf.view()
    buf.flags.writeable = False  # one compiled signature for bytes-backed and owned arrays alike
    progress.start(compile_note(parse) + "parsing MRT", 2)
    guess = _guess(int(buf.shape[0]))
    arrays = _alloc(guess)
    cnt = _run(parse, buf, True, arrays, errs, peers)
    progress.advance(1)
    counts = [int(c) for c in cnt[:5]]
    if any(c > g for c, g in zip(counts, guess, strict=True)):  # guess too small: exact second pass
        arrays = _alloc(counts)
        cnt = _run(parse, buf, True, arrays, errs, peers)
        assert [int(c) for c in cnt[:5]] == counts, "MRT passes disagree"
    progress.advance(1)
    progress.finish()
    arrays = _trim(arrays, counts)
    e64, eu64, eu32, eu8, au64, au32, ai8, aoff, pasn, pseg, comm, lcomm = arrays
    attrs = AttributeTable(
        flags=au64[0], origin=ai8[L.A_ORIGIN], path_status=ai8[L.A_PATH_STATUS], med=au32[L.A_MED],
        local_pref=au32[L.A_LOCAL_PREF], aggregator_asn=au32[L.A_AGG_AS], aggregator_addr=au32[L.A_AGG_ADDR],
        next_hop=au32[L.A_NEXT_HOP], otc=au32[L.A_OTC], origin_asn=au32[L.A_ORIGIN_ASN],
        path_offsets=aoff[L.O_PATH], path_asns=pasn, path_segments=pseg, community_offsets=aoff[L.O_COMM],
        communities=comm, large_community_offsets=aoff[L.O_LCOMM], large_communities=lcomm,
    )
    table = RouteTable(
        timestamp=e64[L.E_TIME], microsecond=eu32[L.E_USEC], record_offset=e64[L.E_OFFSET], kind=eu8[L.E_KIND],
        mrt_type=eu8[L.E_MRT_TYPE], mrt_subtype=eu8[L.E_SUBTYPE], peer_afi=eu8[L.E_PEER_AFI],
        peer_hi=eu64[L.E_PEER_HI], peer_lo=eu64[L.E_PEER_LO], peer_asn=eu32[L.E_PEER_ASN],
        local_hi=eu64[L.E_LOCAL_HI], local_lo=eu64[L.E_LOCAL_LO], local_asn=eu32[L.E_LOCAL_ASN], afi=eu8[L.E_AFI],
        safi=eu8[L.E_SAFI], prefix_hi=eu64[L.E_PFX_HI], prefix_lo=eu64[L.E_PFX_LO], prefix_len=eu8[L.E_PFX_LEN],
        path_id=eu32[L.E_PATH_ID], next_hop_afi=eu8[L.E_NH_AFI], next_hop_hi=eu64[L.E_NH_HI],
        next_hop_lo=eu64[L.E_NH_LO], from_mp=eu8[L.E_FROM_MP], old_state=eu32[L.E_OLD_STATE].astype(np.uint16),
        new_state=eu32[L.E_NEW_STATE].astype(np.uint16), attr=e64[L.E_ATTR], attrs=attrs,
    )
    return table, cnt, errs


_FRAMING_ERRORS = (L.ERR_SHORT_HEADER, L.ERR_TRUNCATED, L.ERR_UNKNOWN_TYPE, L.ERR_CORRUPT_HEADER)


def _parsed_records(framed: int, codes: np.ndarray) -> int:
    """Records that parsed: the ``framed`` ones (a valid header, of a type read or known and skipped) minus
    those whose body failed (errors past the recorded ones are not known by kind and not subtracted)."""
    return framed - int(np.count_nonzero(~np.isin(codes, _FRAMING_ERRORS)))


def _nothing_parsed(path: str | os.PathLike[str], bad: BadRecords, *, framed: bool) -> InputError:
    """One error for a file in which no record parses: an empty table would pass as a quiet collector.

    Without a single valid header it is not MRT at all (a text file, random bytes): the error
    says what the first header should have been.
    """
    first = bad.examples[0]
    if framed:
        return InputError(path, f"no MRT record in the file parses (all {bad.count:,} bad); first: {first.problem}",
                          offset=first.offset, expected=first.expected)
    return InputError(path, f"not an MRT file: no record parses; first problem: {first.problem}", offset=first.offset,
                      expected="a valid MRT common header (timestamp, type, subtype, length) of type 12, 13, 16 "
                               "or 17")


def read_mrt(path: str | os.PathLike[str], *, strict: bool = False, progress: Progress = NO_PROGRESS,
             limits: DecompressionLimits | None = None, start_fast: bool = False) -> MrtResult:
    """Read one MRT file into a route table; damaged input is skipped and counted (or raises if strict).

    An empty file, one with nothing before its stream damage, or one in which no record parses
    (not MRT at all) is an error, never an empty table: it would pass as a quiet collector. ``limits`` bound decompression (default: environment).
    ``start_fast``: a one-off read in a fresh process may use the kernels compiled ahead of time
    (``compiled``), which skip numba's start-up; the result is the same.
    """
    bad = BadRecords(strict=strict)
    t0 = time.perf_counter()
    dec = read_decompressed(path, limits=limits, salvage=bad)  # a cut archive keeps its records (docs/mrt.md)
    t1 = time.perf_counter()
    if len(dec.data) == 0:
        problem = ("file is empty" if dec.compressed_size == 0 else
                   f"the {dec.compression.value} stream holds no data" if not dec.truncated else
                   f"no data decompressed before the stream damage ({dec.damage})")
        raise InputError(path, problem, offset=dec.damage_offset, expected="MRT records")
    buf = np.frombuffer(dec.data, np.uint8)
    table, cnt, (err_off, err_at, err_code) = parse_mrt_bytes(buf, progress, start_fast=start_fast)
    t2 = time.perf_counter()
    n_err = int(cnt[L.C_ERR])
    where = "" if dec.compression is Compression.PLAIN else " of the decompressed stream"
    for k in range(min(n_err, L.MAX_ERRORS)):
        problem, expected = L.ERROR_TEXT[int(err_code[k])]
        bad.report(InputError(
            Path(path), f"{problem} (MRT record at byte {int(err_off[k]):,}{where}; problem at byte "
            f"{int(err_at[k]):,})", offset=int(err_off[k]), expected=expected))
    if n_err > L.MAX_ERRORS:
        bad.count += n_err - L.MAX_ERRORS
    codes = err_code[: min(n_err, L.MAX_ERRORS)]
    framed = int(cnt[L.C_REC] + cnt[L.C_UNSUPPORTED])
    if n_err and _parsed_records(framed, codes) == 0:  # a valid header whose record is cut still says MRT
        raise _nothing_parsed(path, bad, framed=framed > 0 or bool(np.any(codes == L.ERR_TRUNCATED)))
    ts = table.timestamp
    kinds = np.bincount(table.kind, minlength=5)
    stats = MrtStats(
        path=os.fspath(path), compression=dec.compression.value, compressed_bytes=dec.compressed_size,
        decompressed_bytes=len(dec.data), records=int(cnt[L.C_REC]), elements=len(table),
        announcements=int(kinds[L.KIND_ANNOUNCE]), withdrawals=int(kinds[L.KIND_WITHDRAW]),
        rib_entries=int(kinds[L.KIND_RIB]), state_changes=int(kinds[L.KIND_STATE]), bad_records=bad.count,
        unsupported_records=int(cnt[L.C_UNSUPPORTED]), non_update_messages=int(cnt[L.C_BGP_OTHER]),
        other_family_nlri=int(cnt[L.C_OTHER_NLRI]), bundled_table_dump_records=int(cnt[L.C_BUNDLED]),
        first_time=int(ts.min()) if ts.size else None, last_time=int(ts.max()) if ts.size else None,
        decompress_seconds=t1 - t0, parse_seconds=t2 - t1, stream_damage=dec.damage,
        stopped_early_at=int(cnt[L.C_STOP]) if int(cnt[L.C_STOP]) < len(dec.data) else None,
    )
    return MrtResult(table, stats, bad)

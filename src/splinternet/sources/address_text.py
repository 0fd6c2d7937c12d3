"""Address tokens of registers and lists, one row per token, bad tokens marked instead of dropped.

A thin adapter over :func:`splinternet.tables.addresses.parse_items` (one numba pass over
all tokens): registers need to know *which* token of *which* entry was bad, so that the
entry's own file line can be reported and the entry skipped as a whole.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import BadRecords
from ..tables.addresses import parse_items

__all__ = ["ParsedAddresses", "parse_address_tokens"]


@dataclass(frozen=True)
class ParsedAddresses:
    """One row per token: ``ok``, family (4/6, 0 if bad), inclusive range and prefix length.

    IPv4 values sit in ``start_lo``/``end_lo`` with ``start_hi``/``end_hi`` zero; IPv6 uses
    both words. ``length`` is -1 for a range that is not one prefix.
    """

    ok: np.ndarray
    version: np.ndarray
    start_hi: np.ndarray
    start_lo: np.ndarray
    end_hi: np.ndarray
    end_lo: np.ndarray
    length: np.ndarray


def parse_address_tokens(tokens: list[str] | bytes, count: int | None = None) -> ParsedAddresses:
    """Parse every token (IP, CIDR or ``a-b`` range of either family); others get ``ok`` False.

    ``tokens`` is a list of strings or one newline-separated bytes buffer of ``count`` tokens.
    """
    if isinstance(tokens, bytes):
        n = int(count if count is not None else (tokens.count(b"\n") + 1 if tokens else 0))
    else:
        n = len(tokens)
    ok = np.zeros(n, bool)
    version = np.zeros(n, np.uint8)
    s_hi, s_lo, e_hi, e_lo = (np.zeros(n, np.uint64) for _ in range(4))
    length = np.full(n, -1, np.int16)
    if n == 0:
        return ParsedAddresses(ok, version, s_hi, s_lo, e_hi, e_lo, length)
    quiet = BadRecords(strict=False, keep=0)
    if isinstance(tokens, bytes):
        parsed = parse_items(tokens, bad=quiet)
    else:
        try:
            parsed = parse_items(tokens, bad=quiet)
        except ValueError:  # a newline inside a token (from a quoted field) would shift later rows
            parsed = parse_items([t.replace("\n", " ") for t in tokens], bad=quiet)
    rows = parsed.line - 1
    ok[rows] = True
    version[rows] = parsed.version
    s_hi[rows], s_lo[rows], e_hi[rows], e_lo[rows] = parsed.start_hi, parsed.start_lo, parsed.end_hi, parsed.end_lo
    length[rows] = parsed.length
    return ParsedAddresses(ok, version, s_hi, s_lo, e_hi, e_lo, length)

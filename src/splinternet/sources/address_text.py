"""Address tokens of registers and lists, one row per token, bad tokens marked instead of dropped.

A thin adapter over :func:`splinternet.tables.addresses.parse_items` (one numba pass over
all tokens): registers need to know *which* token of *which* entry was bad, so that the
entry's own file line can be reported and the entry skipped as a whole. The rows are
:class:`~splinternet.tables.addresses.AddressIntervals` aligned to the tokens (``ok``
False for a bad token).
"""

from __future__ import annotations

from ..errors import BadRecords
from ..tables.addresses import AddressIntervals, parse_items

__all__ = ["parse_address_tokens"]


def parse_address_tokens(tokens: list[str] | bytes, count: int | None = None) -> AddressIntervals:
    """Parse every token (IP, CIDR or ``a-b`` range of either family); others get ``ok`` False.

    ``tokens`` is a list of strings or one newline-separated bytes buffer of ``count`` tokens.
    """
    if isinstance(tokens, bytes):
        n = int(count if count is not None else (tokens.count(b"\n") + 1 if tokens else 0))
    else:
        n = len(tokens)
    quiet = BadRecords(strict=False, keep=0)
    if n == 0:
        return parse_items(b"", bad=quiet).aligned(0)
    if isinstance(tokens, bytes):
        parsed = parse_items(tokens, bad=quiet)
    else:
        try:
            parsed = parse_items(tokens, bad=quiet)
        except ValueError:  # a newline inside a token (from a quoted field) would shift later rows
            parsed = parse_items([t.replace("\n", " ") for t in tokens], bad=quiet)
    return parsed.aligned(n)

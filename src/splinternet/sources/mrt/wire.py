"""Big-endian reads of MRT wire data, shared by every MRT kernel (numba).

Kept apart from ``layout`` so that the constants can be read without loading numba.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, inline="always")
def u16(b, p):  # unannotated like every kernel: numba types it (int64)
    return (np.int64(b[p]) << 8) | np.int64(b[p + 1])


@njit(cache=True, inline="always")
def u32(b, p):
    return (np.int64(b[p]) << 24) | (np.int64(b[p + 1]) << 16) | (np.int64(b[p + 2]) << 8) | np.int64(b[p + 3])


@njit(cache=True, inline="always")
def be_words(b, p, nbytes, width):
    """Up to ``width`` (4 or 16) bytes at ``p`` as a left-aligned address: (hi, lo) words.

    IPv4 lives in the low 32 bits of ``lo`` (hi = 0); IPv6 is hi:lo big-endian.
    Bytes past ``nbytes`` count as zero, as in a prefix with trailing bits cut.
    """
    hi = np.uint64(0)
    lo = np.uint64(0)
    if width == 4:
        for i in range(4):
            v = np.uint64(b[p + i]) if i < nbytes else np.uint64(0)
            lo = (lo << np.uint64(8)) | v
        return hi, lo
    for i in range(16):
        v = np.uint64(b[p + i]) if i < nbytes else np.uint64(0)
        if i < 8:
            hi = (hi << np.uint64(8)) | v
        else:
            lo = (lo << np.uint64(8)) | v
    return hi, lo


@njit(cache=True)
def known_type(t):
    """MRT types of RFC 6396 (and its deprecated ones) that a header may carry."""
    return (0 <= t <= 13) or t == 16 or t == 17 or t == 32 or t == 33 or t == 48 or t == 49


@njit(cache=True)
def plausible_header(buf, q):
    n = buf.shape[0]
    if q == n:
        return True
    if q + 12 > n:
        return False
    return known_type(u16(buf, q + 4)) and u16(buf, q + 6) < 64

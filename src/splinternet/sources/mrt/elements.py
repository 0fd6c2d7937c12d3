"""Writing elements: one row per prefix (or state change) into the kernel's column arrays."""

from __future__ import annotations

import numpy as np
from numba import njit

from .layout import (
    C_ELEM,
    E_AFI,
    E_ATTR,
    E_FROM_MP,
    E_KIND,
    E_LOCAL_ASN,
    E_LOCAL_HI,
    E_LOCAL_LO,
    E_MRT_TYPE,
    E_NEW_STATE,
    E_NH_AFI,
    E_NH_HI,
    E_NH_LO,
    E_OFFSET,
    E_OLD_STATE,
    E_PATH_ID,
    E_PEER_AFI,
    E_PEER_ASN,
    E_PEER_HI,
    E_PEER_LO,
    E_PFX_HI,
    E_PFX_LEN,
    E_PFX_LO,
    E_SAFI,
    E_SUBTYPE,
    E_TIME,
    E_USEC,
    ERR_PREFIX,
    R_LOCAL_ASN,
    R_LOCAL_HI,
    R_LOCAL_LO,
    R_OFFSET,
    R_PEER_AFI,
    R_PEER_ASN,
    R_PEER_HI,
    R_PEER_LO,
    R_SUBTYPE,
    R_TIME,
    R_TYPE,
    R_USEC,
)
from .wire import be_words, u32


@njit(cache=True, inline="always")
def emit(fill, cnt, E64, EU64, EU32, EU8, rc, kind, attr, path_id, afi, safi, plen, phi, plo, nh_afi, nh_hi,
          nh_lo, old_state, new_state, from_mp=0):
    i = cnt[C_ELEM]
    if fill and i < E64.shape[1]:
        E64[E_TIME, i] = rc[R_TIME]
        E64[E_OFFSET, i] = rc[R_OFFSET]
        E64[E_ATTR, i] = attr
        EU64[E_PEER_HI, i] = rc[R_PEER_HI]
        EU64[E_PEER_LO, i] = rc[R_PEER_LO]
        EU64[E_PFX_HI, i] = phi
        EU64[E_PFX_LO, i] = plo
        EU64[E_NH_HI, i] = nh_hi
        EU64[E_NH_LO, i] = nh_lo
        EU64[E_LOCAL_HI, i] = rc[R_LOCAL_HI]
        EU64[E_LOCAL_LO, i] = rc[R_LOCAL_LO]
        EU32[E_LOCAL_ASN, i] = rc[R_LOCAL_ASN]
        EU32[E_USEC, i] = rc[R_USEC]
        EU32[E_PEER_ASN, i] = rc[R_PEER_ASN]
        EU32[E_PATH_ID, i] = path_id
        EU32[E_OLD_STATE, i] = old_state
        EU32[E_NEW_STATE, i] = new_state
        EU8[E_KIND, i] = kind
        EU8[E_MRT_TYPE, i] = rc[R_TYPE]
        EU8[E_SUBTYPE, i] = rc[R_SUBTYPE]
        EU8[E_PEER_AFI, i] = rc[R_PEER_AFI]
        EU8[E_AFI, i] = afi
        EU8[E_SAFI, i] = safi
        EU8[E_PFX_LEN, i] = plen
        EU8[E_NH_AFI, i] = nh_afi
        EU8[E_FROM_MP, i] = from_mp
    cnt[C_ELEM] += 1


@njit(cache=True)
def nlri(buf, p, end, afi, safi, addpath, kind, attr, nh_afi, nh_hi, nh_lo, fill, cnt, E64, EU64, EU32, EU8, rc,
          from_mp):
    """Emit one element per prefix of an NLRI list; returns an error code."""
    width = 4 if afi == 1 else 16
    maxlen = 32 if afi == 1 else 128
    while p < end:
        path_id = 0
        if addpath:
            if p + 4 > end:
                return ERR_PREFIX
            path_id = u32(buf, p)
            p += 4
        if p >= end:
            return ERR_PREFIX
        plen = np.int64(buf[p])
        nb = (plen + 7) // 8
        if plen > maxlen or p + 1 + nb > end:
            return ERR_PREFIX
        hi, lo = be_words(buf, p + 1, nb, width)
        emit(fill, cnt, E64, EU64, EU32, EU8, rc, kind, attr, path_id, afi, safi, plen, hi, lo, nh_afi, nh_hi,
              nh_lo, 0, 0, from_mp)
        p += 1 + nb
    return 0

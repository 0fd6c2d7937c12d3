"""Numbers shared by the MRT kernels and the Python side: column rows, counters, error codes.

The kernels write into a few 2-D arrays (one row per column) instead of dozens of
separate arguments; these constants name the rows so both sides agree.
"""

from __future__ import annotations

from enum import IntEnum

# element rows --------------------------------------------------------------------
# int64 rows
E_TIME, E_OFFSET, E_ATTR = 0, 1, 2
N_E64 = 3
# uint64 rows
E_PEER_HI, E_PEER_LO, E_PFX_HI, E_PFX_LO, E_NH_HI, E_NH_LO, E_LOCAL_HI, E_LOCAL_LO = 0, 1, 2, 3, 4, 5, 6, 7
N_EU64 = 8
# uint32 rows
E_USEC, E_PEER_ASN, E_PATH_ID, E_OLD_STATE, E_NEW_STATE, E_LOCAL_ASN = 0, 1, 2, 3, 4, 5
N_EU32 = 6
# uint8 rows
E_KIND, E_MRT_TYPE, E_SUBTYPE, E_PEER_AFI, E_AFI, E_SAFI, E_PFX_LEN, E_NH_AFI, E_FROM_MP = 0, 1, 2, 3, 4, 5, 6, 7, 8
N_EU8 = 9

# attribute rows ------------------------------------------------------------------
A_MED, A_LOCAL_PREF, A_AGG_AS, A_AGG_ADDR, A_NEXT_HOP, A_OTC, A_ORIGIN_ASN = 0, 1, 2, 3, 4, 5, 6
N_AU32 = 7
A_ORIGIN, A_PATH_STATUS = 0, 1
N_AI8 = 2
O_PATH, O_COMM, O_LCOMM = 0, 1, 2
N_AOFF = 3

# counters ------------------------------------------------------------------------
C_ELEM, C_ATTR, C_PATH, C_COMM, C_LCOMM = 0, 1, 2, 3, 4
C_REC, C_ERR, C_STOP, C_PEERS, C_BGP_OTHER, C_UNSUPPORTED, C_OTHER_NLRI, C_BUNDLED = 5, 6, 7, 8, 9, 10, 11, 12
N_COUNTERS = 16

# record context (uint64 slots) ----------------------------------------------------
(R_TIME, R_USEC, R_OFFSET, R_TYPE, R_SUBTYPE, R_PEER_AFI, R_PEER_HI, R_PEER_LO, R_PEER_ASN, R_LOCAL_HI, R_LOCAL_LO,
 R_LOCAL_ASN) = range(12)
N_RC = 12

# element kinds -------------------------------------------------------------------
class ElementKind(IntEnum):
    """What one element of a RouteTable is: the uint8 codes of ``RouteTable.kind`` (and of ingested Parquet)."""

    ANNOUNCE = 1  # a BGP UPDATE announcing the prefix
    WITHDRAW = 2  # a BGP UPDATE withdrawing it
    RIB = 3  # one route of a table dump
    STATE = 4  # a peer's session changed state (no prefix)


# plain ints for the kernels (compiled code reads module globals as constants)
KIND_ANNOUNCE, KIND_WITHDRAW, KIND_RIB, KIND_STATE = (int(k) for k in ElementKind)
KIND_NAMES = {int(k): k.name.lower() for k in ElementKind}

# MRT types -----------------------------------------------------------------------
T_TABLE_DUMP, T_TABLE_DUMP_V2, T_BGP4MP, T_BGP4MP_ET = 12, 13, 16, 17

# AS path segment types (RFC 4271, RFC 5065); the element seg byte is type | SEG_START
SEG_SET, SEG_SEQUENCE, SEG_CONFED_SEQUENCE, SEG_CONFED_SET = 1, 2, 3, 4
SEG_START = 0x80

# AS path status per attribute row
PATH_OK, PATH_MALFORMED, PATH_ABSENT = 0, 1, 2

# error codes ---------------------------------------------------------------------
ERR_SHORT_HEADER = 1
ERR_TRUNCATED = 2
ERR_UNKNOWN_TYPE = 3
ERR_CORRUPT_HEADER = 4
ERR_SHORT_BODY = 5
ERR_ATTR_OVERFLOW = 6
ERR_PREFIX = 7
ERR_MARKER = 8
ERR_BGP_LENGTH = 9
ERR_PEER_INDEX = 10
ERR_AFI = 11
ERR_AS_PATH = 12
ERR_NO_PEER_TABLE = 13
ERR_ATTR_LENGTH = 14
ERR_TRAILING = 15
ERR_STATE_LENGTH = 16

ERROR_TEXT = {
    ERR_SHORT_HEADER: ("incomplete MRT header at the end of the data", "a 12-byte MRT common header"),
    ERR_TRUNCATED: ("MRT record runs past the end of the data", "the whole record its length field announces"),
    ERR_UNKNOWN_TYPE: ("unknown MRT record type (record skipped)", "an MRT type of RFC 6396"),
    ERR_CORRUPT_HEADER: ("corrupt MRT header: unknown type and no record follows it",
                         "an MRT common header (type 12, 13, 16 or 17 here)"),
    ERR_SHORT_BODY: ("record body shorter than its fixed fields", "the fields its type defines"),
    ERR_ATTR_OVERFLOW: ("path attribute runs past the end of its attribute block",
                        "attribute lengths that fit the block"),
    ERR_PREFIX: ("malformed prefix in NLRI", "a prefix length within the address family and its bytes"),
    ERR_MARKER: ("bad BGP marker", "16 bytes of 0xff"),
    ERR_BGP_LENGTH: ("BGP message length does not fit its record", "a BGP message inside the record"),
    ERR_PEER_INDEX: ("RIB entry refers to a peer missing from the PEER_INDEX_TABLE", "a known peer index"),
    ERR_AFI: ("unsupported address family", "AFI 1 (IPv4) or 2 (IPv6)"),
    ERR_AS_PATH: ("malformed AS_PATH or AS4_PATH", "segments of type 1-4 that fit the attribute"),
    ERR_NO_PEER_TABLE: ("RIB record before any PEER_INDEX_TABLE", "a PEER_INDEX_TABLE first"),
    ERR_ATTR_LENGTH: ("path attribute has the wrong length for its type", "the length its RFC defines"),
    ERR_TRAILING: ("record has bytes left over after its last field", "a record that ends with its last field"),
    ERR_STATE_LENGTH: ("STATE_CHANGE record has an unexpected length", "20/24 (IPv4) or 44/48 (IPv6) bytes"),
}

MAX_ERRORS = 4096

"""Which compiled MRT kernels run: numba's JIT, or the same kernels compiled ahead of time.

``splinternet mrt dump`` of a 5-minute update file spent more time starting numba (import,
its registries, loading the JIT cache: about 0.4 s) than reading the file. ``setup.py`` compiles
the same kernel sources ahead of time with ``numba.pycc`` into ``_ahead``, which runs without
importing numba. A one-off read asks for it with ``start_fast``; it is used only when it was
built from exactly these sources (a digest of the kernel files, checked at load), and only
for inputs small enough that start-up dominates: the JIT targets this machine's CPU and is
faster on big inputs and in long-lived processes. Both give the same tables (tested).

Nothing here imports numba: ``setup.py`` reads the argument types below to build ``_ahead``.
"""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Callable
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

AHEAD_MODULE = "_ahead"  # inside this package
KERNEL_FILES = ("wire.py", "layout.py", "attributes.py", "elements.py", "ribs.py", "kernels.py",
                "bgpdump_kernel.py")
START_FAST_MAX_BYTES = 64 << 20  # decompressed input; above it the JIT's speed outweighs its start-up
START_FAST_MAX_ELEMENTS = 2_000_000  # elements formatted as bgpdump lines, same reason

# Argument types of the exported kernels: a scalar type name, or (dtype, ndim, read-only).
ArgType = str | tuple[str, int, bool]
PARSE_ARGUMENTS: tuple[ArgType, ...] = (
    ("uint8", 1, True), "boolean", ("int64", 1, False),  # buf, fill, counters
    ("int64", 2, False), ("uint64", 2, False), ("uint32", 2, False), ("uint8", 2, False),  # element rows
    ("uint64", 2, False), ("uint32", 2, False), ("int8", 2, False), ("int64", 2, False),  # attribute rows
    ("uint32", 1, False), ("uint8", 1, False), ("uint32", 1, False), ("uint32", 1, False),  # paths, communities
    ("int64", 1, False), ("int64", 1, False), ("int32", 1, False),  # errors
    ("uint8", 1, False), ("uint64", 1, False), ("uint64", 1, False), ("uint32", 1, False),  # peer index
)
BGPDUMP_ELEMENT_COLUMNS = (
    ("kind", "uint8"), ("mrt_type", "uint8"), ("mrt_subtype", "uint8"), ("timestamp", "int64"),
    ("microsecond", "uint32"), ("peer_afi", "uint8"), ("peer_hi", "uint64"), ("peer_lo", "uint64"),
    ("peer_asn", "uint32"), ("local_hi", "uint64"), ("local_lo", "uint64"), ("local_asn", "uint32"),
    ("afi", "uint8"), ("prefix_hi", "uint64"), ("prefix_lo", "uint64"), ("prefix_len", "uint8"),
    ("path_id", "uint32"), ("next_hop_afi", "uint8"), ("next_hop_hi", "uint64"), ("next_hop_lo", "uint64"),
    ("from_mp", "uint8"), ("old_state", "uint16"), ("new_state", "uint16"), ("attr", "int64"),
)
BGPDUMP_ATTRIBUTE_COLUMNS = (
    ("flags", "uint64"), ("origin", "int8"), ("path_status", "int8"), ("med", "uint32"),
    ("local_pref", "uint32"), ("aggregator_asn", "uint32"), ("aggregator_addr", "uint32"),
    ("next_hop", "uint32"), ("path_offsets", "int64"), ("path_asns", "uint32"), ("path_segments", "uint8"),
    ("community_offsets", "int64"), ("communities", "uint32"),
)
BGPDUMP_ARGUMENTS: tuple[ArgType, ...] = (
    "int64", ("uint8", 1, False),  # first element, output buffer
    *((dtype, 1, True) for _, dtype in BGPDUMP_ELEMENT_COLUMNS + BGPDUMP_ATTRIBUTE_COLUMNS),
)


def source_digest() -> int:
    """The kernel sources as one signed 64-bit number: the ahead-of-time module records it when built."""
    h = hashlib.sha256()
    here = Path(__file__).parent
    for name in KERNEL_FILES:
        h.update(name.encode())
        h.update((here / name).read_bytes())
    return int.from_bytes(h.digest()[:8], "big", signed=True)


@cache
def ahead_of_time() -> ModuleType | None:
    """The ahead-of-time kernels, or None when they were not built or were built from other sources."""
    try:
        module = importlib.import_module(f"{__package__}.{AHEAD_MODULE}")
    except ImportError:
        return None
    return module if int(module.source_digest()) == source_digest() else None


def parse_kernel(start_fast: bool, n_bytes: int) -> Callable[..., Any]:
    """``parse_mrt`` compiled ahead of time for a small one-off read, else the JIT's."""
    ahead = ahead_of_time() if start_fast and n_bytes <= START_FAST_MAX_BYTES else None
    if ahead is not None:
        return ahead.parse_mrt
    return importlib.import_module(f"{__package__}.kernels").parse_mrt


def bgpdump_kernel(start_fast: bool, n_elements: int) -> Callable[..., Any]:
    """``bgpdump_chunk`` compiled ahead of time for a small one-off dump, else the JIT's."""
    ahead = ahead_of_time() if start_fast and n_elements <= START_FAST_MAX_ELEMENTS else None
    if ahead is not None:
        return ahead.bgpdump_chunk
    return importlib.import_module(f"{__package__}.bgpdump_kernel").bgpdump_chunk

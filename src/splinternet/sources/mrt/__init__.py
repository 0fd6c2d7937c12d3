"""MRT routing archives (RFC 6396) read into columnar route tables by numba kernels.

Public API: :func:`read_mrt` (one file -> :class:`MrtResult`), :class:`RouteTable` (element kinds: :class:`ElementKind`),
:func:`rebuild_rib` (routing state per peer at a time), :func:`bgpdump_lines`.
"""

from .layout import ElementKind
from .reader import MrtResult, MrtStats, read_mrt
from .table import AttributeTable, RouteTable

__all__ = ["AttributeTable", "ElementKind", "MrtResult", "MrtStats", "RouteTable", "read_mrt"]

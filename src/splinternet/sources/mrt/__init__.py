"""MRT routing archives (RFC 6396) read into columnar route tables by numba kernels.

Public API: :func:`read_mrt` (one file -> :class:`MrtResult`), :class:`RouteTable`,
:func:`rebuild_rib` (routing state per peer at a time), :func:`bgpdump_lines`.
"""

from .reader import MrtResult, MrtStats, read_mrt
from .table import AttributeTable, RouteTable

__all__ = ["AttributeTable", "MrtResult", "MrtStats", "RouteTable", "read_mrt"]

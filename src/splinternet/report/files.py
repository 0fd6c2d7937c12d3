"""Writing output files so that a reader never sees half a file (the shells' one way to write)."""

from __future__ import annotations

from ..sources.download import atomic_write

__all__ = ["atomic_write"]

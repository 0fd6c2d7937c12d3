"""Progress reporting without printing: the library calls a callback, the CLI draws bars."""

from __future__ import annotations

from typing import Protocol

__all__ = ["COMPILE_NOTE", "COMPILE_STEP", "NO_PROGRESS", "Progress", "compile_note"]


class Progress(Protocol):
    """Receives progress of one long task; ``total`` may be unknown (None)."""

    def start(self, description: str, total: int | None) -> None: ...

    def advance(self, amount: int) -> None: ...

    def finish(self) -> None: ...


class _Silent:
    def start(self, description: str, total: int | None) -> None:
        pass

    def advance(self, amount: int) -> None:
        pass

    def finish(self) -> None:
        pass


NO_PROGRESS: Progress = _Silent()


COMPILE_STEP = "preparing compiled code (first use: up to a minute)"  # a step of its own (world runs)
# before a step's own label, so that a narrow terminal cuts the label rather than this
COMPILE_NOTE = COMPILE_STEP + ": "


def compile_note(kernel: object) -> str:
    """``COMPILE_NOTE`` for a step whose numba kernel this process has not called yet, else "": a prefix
    of the step's label.

    Its first call compiles it (the first run on a machine: up to a minute) or loads it from
    numba's disk cache (a fraction of a second); without a word the bar would sit at zero for
    as long as a compile takes. A kernel that is not a numba dispatcher (compiled ahead of
    time) needs no note.
    """
    if getattr(kernel, "signatures", None) != []:
        return ""
    return "" if _cached_on_disk(kernel) else COMPILE_NOTE


def _cached_on_disk(kernel: object) -> bool:
    """Whether numba's disk cache holds a fresh entry for the kernel (its source unchanged): then the
    first call only loads it, and saying "up to a minute" on every run would be false.

    Reads numba's cache index through its private API (numba 0.6x); anything unexpected reads as
    "not cached", which at worst shows the note once too often.
    """
    try:
        return bool(kernel._cache._cache_file._load_index())  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - any change in numba's internals: say the conservative thing
        return False

"""Notes a report carries about its inputs, worded once for every command."""

from __future__ import annotations

from ..errors import DataNotFoundError, DownloadError

__all__ = ["left_out"]


def left_out(what: str, exc: DataNotFoundError | DownloadError) -> str:
    """A one-line note for an input that had no release: what, and the nearest that exist."""
    nearest = getattr(exc, "nearest", None)
    wanted = str(getattr(exc, "wanted", "") or "").split(" (")[0]  # the date, without the parameters
    if wanted == "the newest release":  # no date asked: there is no release of it at all
        when = "no release found"
    else:
        when = f"no release at or before {wanted}" if wanted else "no release for this date"
    if nearest:
        return f"{what} left out: {when} (nearest: {', '.join(nearest)})"
    if getattr(exc, "dataset", None):
        return f"{what} left out: {when}"
    return f"{what} left out: {exc}"

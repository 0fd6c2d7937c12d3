"""Input and output paths checked before any work; output files written whole and announced.

An output path is checked when the command starts, not after minutes of computing: its
directory must exist (a typo must not silently create ``/nonexistent/dir``), and a path
that is a directory is refused where a file is meant. Every file written is then
announced with its size (:func:`written`).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ..errors import ParameterError
from ..sources.download import atomic_write
from .formatting import size

__all__ = ["atomic_write", "check_input_file", "check_output_dir", "check_output_file", "written"]


def check_input_file(path: str | Path, *, label: str = "input file", directory_ok: bool = False) -> Path:
    """``path`` as a file to read: it exists, and it is not a directory (unless ``directory_ok``).

    Checked when the command starts, so that ``--asorg /tmp`` is refused before minutes of
    loading, not when the file is finally opened.
    """
    target = Path(path)
    if not target.exists():
        raise ParameterError(f"{label} {target}: file not found")
    if target.is_dir() and not directory_ok:
        raise ParameterError(f"{label} {target}: is a directory; expected a file")
    return target


def check_output_file(path: str | Path, suffixes: Iterable[str], *, label: str = "output file") -> Path:
    """``path`` as a file to write: its directory exists, it is not a directory, its suffix is one of ``suffixes``."""
    target = Path(path)
    allowed = tuple(s.lower() for s in suffixes)
    if target.is_dir():
        raise ParameterError(f"{label} {target}: is a directory; expected a file name ending in "
                             f"{' or '.join(allowed)}")
    if target.suffix.lower() not in allowed:
        raise ParameterError(f"{label} {target}: expected a file name ending in {' or '.join(allowed)}")
    parent = target.parent
    if not parent.is_dir():
        raise ParameterError(f"{label} {target}: the directory {parent} does not exist; create it first")
    return target


def check_output_dir(path: str | Path, *, label: str = "output directory") -> Path:
    """``path`` as a directory to write files into: it exists, or its parent does (it is then created)."""
    target = Path(path)
    if target.exists() and not target.is_dir():
        raise ParameterError(f"{label} {target}: is a file; expected a directory")
    if not target.exists() and not target.parent.is_dir():
        raise ParameterError(f"{label} {target}: the directory {target.parent} does not exist; create it first")
    return target


def written(path: str | Path) -> str:
    """The line that announces a written file: ``wrote de.png, 48 KB``."""
    target = Path(path)
    try:
        return f"wrote {target}, {size(target.stat().st_size)}"
    except OSError:
        return f"wrote {target}"

"""Shared judgement for line-oriented loaders: empty files, files of another kind, cut-off ends.

A loader parses every line, then asks here whether the result is a damaged file of the
right kind (skip and count the bad lines) or not that kind of file at all (one clear
:class:`~splinternet.errors.InputError` naming the first bad line).
"""

from __future__ import annotations

import os

import numpy as np

from ..errors import BadRecords, InputError
from .compression import read_decompressed

__all__ = ["drop_unterminated_line", "judge_records", "read_text_buffer"]


def drop_unterminated_line(path: str | os.PathLike[str], data: bytes, bad: BadRecords, *, expected: str) -> bytes:
    """``data`` minus a last line without a line end, reported as a bad record.

    The datasets this is used for are written by programs that end every line, so a last
    line without one is where the file was cut: ``...|13335`` may have been ``...|133350``.
    """
    if not data or data.endswith(b"\n"):
        return data
    cut = data.rfind(b"\n") + 1
    bad.report(InputError(path, "last line has no line end: the file was cut here, what followed is missing",
                          line=data.count(b"\n", 0, cut) + 1, offset=cut, expected=expected))
    return data[:cut]


def read_text_buffer(path: str | os.PathLike[str], bad: BadRecords, *, expected: str,
                     lines_end: bool = False) -> np.ndarray:
    """The decompressed bytes of ``path`` as uint8; a damaged compressed stream is an :class:`InputError`.

    An empty file is an :class:`InputError` too. With ``lines_end`` (formats whose writers end
    every line) a last line without a line end is where the file was cut: it is dropped and
    counted, because a cut number (``13335`` -> ``133``) would otherwise parse as a wrong answer.
    """
    data = read_decompressed(path).data
    if len(data) == 0 or (len(data) < 1 << 16 and not data.strip()):  # a long blank file fails later
        raise InputError(path, "file is empty", expected=expected)
    if lines_end:
        data = drop_unterminated_line(path, data, bad, expected=expected)
    return np.frombuffer(data, dtype=np.uint8)


def judge_records(path: str | os.PathLike[str], *, good: int, n_bad: int, first_error: InputError | None,
                  expected: str) -> None:
    """Refuse a file where no line, or fewer good than bad lines, has the expected form."""
    if good == 0 and n_bad == 0:
        raise InputError(path, "no records (only comments or blank lines)", expected=expected)
    if first_error is not None and (good == 0 or n_bad > good):
        raise InputError(path, f"not this kind of file: {n_bad:,} of {good + n_bad:,} lines malformed, first: "
                         f"{first_error.problem}", line=first_error.line, expected=expected)

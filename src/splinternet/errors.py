"""One exception tree for the whole library, and the skip-or-stop policy for bad records.

Every error a user can cause derives from :class:`SplinternetError`; the CLI turns it
into one line and a non-zero exit, the web app into a 4xx with a stable code.
Input errors always say where (file and line, or byte offset) and what was expected.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "SplinternetError",
    "InputError",
    "InputTooLargeError",
    "DataNotFoundError",
    "ReleaseSuggestion",
    "DownloadError",
    "OfflineError",
    "ParameterError",
    "UnknownCountryError",
    "BadRecords",
]


class SplinternetError(Exception):
    """Base of every error the library raises on purpose."""

    code = "splinternet_error"


class ParameterError(SplinternetError):
    """A value given by the caller (date, ASN, country code, option) is not acceptable."""

    code = "bad_parameter"


class UnknownCountryError(ParameterError):
    """A country code that no dataset knows."""

    code = "unknown_country"


class InputError(SplinternetError):
    """A file that does not hold what it should; names the place and what was expected."""

    code = "bad_input"

    def __init__(
        self,
        path: str | os.PathLike[str],
        problem: str,
        *,
        line: int | None = None,
        offset: int | None = None,
        expected: str | None = None,
    ) -> None:
        self.path = os.fspath(path)
        self.problem = problem
        self.line = line
        self.offset = offset
        self.expected = expected
        super().__init__(self._format())

    def _format(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
        if self.offset is not None:
            where += f" (byte {self.offset})"
        text = f"{where}: {self.problem}"
        if self.expected:
            text += f"; expected {self.expected}"
        return text


class InputTooLargeError(InputError):
    """A file that would expand past a configured limit (a decompression bomb, or a limit set too low)."""

    code = "input_too_large"


@dataclass(frozen=True)
class ReleaseSuggestion:
    """A release that exists near a missed date: what a front end can offer as the way out."""

    dataset: str
    released: dt.datetime
    params: dict[str, str] = field(default_factory=dict)

    @property
    def date(self) -> str:
        """The release's day, which asked for as the date selects this release."""
        return self.released.strftime("%Y-%m-%d")

    def to_dict(self) -> dict[str, Any]:
        return {"dataset": self.dataset, "release": self.released.isoformat(), "date": self.date,
                "params": dict(self.params)}


class DataNotFoundError(SplinternetError):
    """No release of a dataset satisfies the request; says what was tried, how far back, and what exists.

    ``suggestions`` holds the nearest releases as data (dataset and release date), so a front
    end can render the exact option that would use them; the message itself names no option.
    """

    code = "data_not_found"

    def __init__(
        self,
        dataset: str,
        wanted: str,
        *,
        tried: list[str] | None = None,
        nearest: list[str] | None = None,
        reason: str | None = None,
        searched: str | None = None,
        suggestions: list[ReleaseSuggestion] | None = None,
    ) -> None:
        self.dataset = dataset
        self.wanted = wanted
        self.tried = tried or []
        self.nearest = nearest or []
        self.reason = reason
        self.searched = searched
        self.suggestions = suggestions or []
        text = f"no release of {dataset} for {wanted}"
        if reason:
            text += f" ({reason})"
        if searched:
            text += f"; {searched}"
        if self.tried:
            shown = ", ".join(self.tried[:3]) + (" ..." if len(self.tried) > 3 else "")
            text += f"; tried {shown}"
        if self.nearest:
            text += f"; nearest releases that exist: {', '.join(self.nearest)}"
        super().__init__(text)


class DownloadError(SplinternetError):
    """A transfer failed (network, HTTP status, size or checksum mismatch)."""

    code = "download_failed"

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__(f"download of {url} failed: {reason}")


class OfflineError(DownloadError):
    """Offline mode forbids the transfer that the request needs."""

    code = "offline"


@dataclass
class BadRecords:
    """Skip-and-count policy for damaged input, or stop at the first problem when strict.

    Parsers call :meth:`report` for every bad record; in strict mode that raises the
    :class:`InputError`, otherwise the problem is counted and the first few kept as
    examples for the caller to show.
    """

    strict: bool = False
    keep: int = 20
    count: int = 0
    examples: list[InputError] = field(default_factory=list)

    def report(self, error: InputError) -> None:
        if self.strict:
            raise error
        self.count += 1
        if len(self.examples) < self.keep:
            self.examples.append(error)

    def merge(self, other: BadRecords) -> None:
        self.count += other.count
        room = self.keep - len(self.examples)
        if room > 0:
            self.examples.extend(other.examples[:room])

    def summary(self) -> dict[str, object]:
        return {"count": self.count, "examples": [str(e) for e in self.examples]}

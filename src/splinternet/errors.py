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
    "BadRecords",
    "DEFAULT_MAX_BAD_SHARE",
    "DamagedInputError",
    "DataNotFoundError",
    "DownloadError",
    "InputDamage",
    "InputError",
    "InputTooLargeError",
    "IntegrityError",
    "OfflineError",
    "ParameterError",
    "ReleaseSuggestion",
    "RepeatedRecord",
    "SplinternetError",
    "UnknownCountryError",
]

# share of a file's records that may be bad before loading stops (0.1%)
DEFAULT_MAX_BAD_SHARE = 0.001


class SplinternetError(Exception):
    """Base of every error the library raises on purpose."""

    code = "splinternet_error"


class ParameterError(SplinternetError):
    """A value given by the caller (date, ASN, country code, option) is not acceptable.

    ``parameter`` names the argument of the library call at fault (``collectors``, ``end``),
    so a front end can name its own option or form field for it; the message names none.
    """

    code = "bad_parameter"

    def __init__(self, message: str, *, parameter: str | None = None) -> None:
        super().__init__(message)
        self.parameter = parameter


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


class IntegrityError(SplinternetError):
    """A cached file whose content no longer matches the sha256 recorded when it was fetched."""

    code = "checksum_mismatch"

    def __init__(self, path: str | os.PathLike[str], expected: str, actual: str, reason: str) -> None:
        self.path = os.fspath(path)
        self.expected = expected
        self.actual = actual
        super().__init__(f"{self.path}: content changed since it was fetched (sha256 {actual}, recorded "
                         f"{expected}); {reason}")


class RepeatedRecord(InputError):
    """An exact repeat of an earlier record: skipped and counted, but nothing is lost by skipping it."""

    code = "repeated_record"


class DamagedInputError(InputError):
    """More of a file's records are bad than the limit allows: a damaged file is not a smaller dataset."""

    code = "damaged_input"

    def __init__(self, damage: InputDamage, limit: float) -> None:
        self.damage = damage
        self.limit = limit
        first = damage.examples[0] if damage.examples else None
        super().__init__(
            damage.path,
            f"{damage.bad:,} of {damage.records:,} records bad ({100 * damage.share:.2g}%, more than the "
            f"{100 * limit:.2g}% allowed); first: {first.problem if first else '?'}; loading stopped so that a "
            "damaged file does not pass as a complete, smaller dataset (allow damaged input to use it anyway, "
            "or raise SPLINTERNET_MAX_BAD_SHARE)",
            line=first.line if first else None, offset=first.offset if first else None,
            expected=first.expected if first else None,
        )


@dataclass(frozen=True)
class InputDamage:
    """What loading one file skipped: records read, how many were bad, the first few with their place.

    ``repeats`` are exact repeats of an earlier record: skipped and shown, but they lose
    nothing, so they do not count against the limit.
    """

    path: str
    records: int
    bad: int
    repeats: int = 0
    examples: tuple[InputError, ...] = ()

    @property
    def share(self) -> float:
        return self.bad / self.records if self.records else (1.0 if self.bad else 0.0)

    def note(self) -> str:
        """One line for a result's notes ('' when nothing was skipped)."""
        if not self.bad and not self.repeats:
            return ""
        parts = []
        if self.bad:
            parts.append(f"{self.bad:,} of {self.records:,} records bad and skipped ({100 * self.share:.2g}%)")
        if self.repeats:
            parts.append(f"{self.repeats:,} repeated records skipped")
        first = f"; first: {self.examples[0]}" if self.examples else ""
        return f"{self.path}: {', '.join(parts)}{first}"

    def to_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "records": self.records,
            "bad": self.bad,
            "repeats": self.repeats,
            "share": self.share,
            "examples": [{"line": e.line, "offset": e.offset, "problem": e.problem, "text": str(e)}
                         for e in self.examples],
        }


@dataclass
class BadRecords:
    """Skip-and-count policy for damaged input, or stop at the first problem when strict.

    Parsers call :meth:`report` for every bad record; in strict mode that raises the
    :class:`InputError`, otherwise the problem is counted and the first few kept as
    examples for the caller to show. A loader reads each file into a fresh
    :meth:`for_file` policy and hands it back to :meth:`settle` with the number of
    records read: the file's :class:`InputDamage` is kept in :attr:`files`, and a file
    with more than ``max_share`` bad records stops with :class:`DamagedInputError`
    unless ``allow_damaged``.
    """

    strict: bool = False
    keep: int = 20
    count: int = 0
    examples: list[InputError] = field(default_factory=list)
    max_share: float = DEFAULT_MAX_BAD_SHARE
    allow_damaged: bool = False
    repeats: int = 0
    files: dict[str, InputDamage] = field(default_factory=dict)

    def report(self, error: InputError, *, repeat: bool | None = None) -> None:
        """Count one bad record; a :class:`RepeatedRecord` (or ``repeat``) is counted apart: nothing was lost."""
        if repeat is None:
            repeat = isinstance(error, RepeatedRecord)
        if self.strict:
            raise error
        if repeat:
            self.repeats += 1
        else:
            self.count += 1
        if len(self.examples) < self.keep:
            self.examples.append(error)

    def for_file(self) -> BadRecords:
        """A fresh policy with the same rules, to count one file's records on their own."""
        return BadRecords(strict=self.strict, keep=self.keep, max_share=self.max_share,
                          allow_damaged=self.allow_damaged)

    def settle(self, path: str | os.PathLike[str], local: BadRecords, records: int, *,
               limit: bool = True) -> InputDamage:
        """Record what ``local`` counted for ``path`` (``records`` read, good and bad) and apply the limit.

        ``limit=False`` only records it: MRT archives skip and count damaged records with no share
        limit (``docs/mrt.md``), but their damage is shown like any other file's.
        """
        damage = local.damage(path, records)
        previous = self.files.get(damage.path)
        if previous is not None:  # the same file loaded twice (e.g. again for another table) counts once
            return previous
        if limit and damage.bad and damage.share > self.max_share and not self.allow_damaged:
            raise DamagedInputError(damage, self.max_share)
        self.files[damage.path] = damage
        self.merge(local)
        return damage

    def damage(self, path: str | os.PathLike[str], records: int) -> InputDamage:
        """What this policy counted, as the damage of ``path`` (``records`` read); lost records shown first."""
        return InputDamage(os.fspath(path), max(records, self.count), self.count, self.repeats,
                           tuple(self.lost_first()[:5]))

    def lost_first(self) -> list[InputError]:
        """The examples, those that lost a record before the repeats (which lose nothing)."""
        return [e for e in self.examples if not isinstance(e, RepeatedRecord)] + \
            [e for e in self.examples if isinstance(e, RepeatedRecord)]

    def merge(self, other: BadRecords) -> None:
        self.count += other.count
        self.repeats += other.repeats
        room = self.keep - len(self.examples)
        if room > 0:
            self.examples.extend(other.examples[:room])

    def summary(self) -> dict[str, object]:
        return {"count": self.count, "repeats": self.repeats, "examples": [str(e) for e in self.examples],
                "files": [d.to_dict() for d in self.files.values()]}

    def notes(self) -> list[str]:
        """One line per file that had skipped records."""
        return [note for d in self.files.values() if (note := d.note())]

"""What a date means, decided once so every layer (catalog, snapshot, API, CLI, web) reads it alike.

Rules (docs/architecture.md, "dates.py"):

- A date is a UTC day (``YYYY-MM-DD``) or a UTC time (``YYYY-MM-DDTHH:MM``). A day means the
  whole day: a release published that day at any time counts as "at or before" it, and when
  the day has several releases (MRT dumps) the first of the day is taken, the state as the day
  begins. A time means that instant. A time of exactly 00:00 cannot be told from a day and is
  read as the day.
- No date means "the newest release of every input"; each input's concrete release is then
  recorded (``Snapshot.input_dates``) so results print dates, never "latest".
- A date after today (UTC) is refused: no data exists for it yet, and answering with today's
  data under a future date's name would be a wrong answer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from .errors import ParameterError

__all__ = [
    "check_not_future",
    "date_label",
    "day_text",
    "horizon",
    "is_whole_day",
    "newest_data_notes",
    "parse_when",
    "release_fits",
    "release_is_later",
    "today_utc",
    "when_text",
]

_FORMATS = ("%Y-%m-%d", "%Y%m%d", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y%m%d.%H%M")


def parse_when(text: str | dt.date | dt.datetime | None) -> dt.datetime | None:
    """A date or time given as YYYY-MM-DD, YYYYMMDD, YYYY-MM-DDTHH:MM (UTC), or None for newest."""
    if text is None or isinstance(text, dt.datetime):
        if isinstance(text, dt.datetime) and text.tzinfo is not None:
            return text.astimezone(dt.UTC).replace(tzinfo=None)
        return text
    if isinstance(text, dt.date):
        return dt.datetime(text.year, text.month, text.day)
    cleaned = text.strip().replace(" ", "T").rstrip("Z")
    if cleaned.lower() in ("", "latest", "now"):
        return None
    for fmt in _FORMATS:
        try:
            return dt.datetime.strptime(cleaned, fmt)
        except ValueError:
            continue
    raise ParameterError(f"not a date: {text!r}; expected YYYY-MM-DD or YYYY-MM-DDTHH:MM (UTC)")


def today_utc() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def check_not_future(when: str | dt.date | dt.datetime | None, *, name: str = "date",
                     today: dt.date | None = None) -> dt.datetime | None:
    """``when`` parsed, or one clear :class:`ParameterError` if its day is after today (UTC).

    A time later today is accepted: it is read like the day, whose newest data exists.
    """
    parsed = parse_when(when)
    if parsed is None:
        return None
    today = today or today_utc()
    if parsed.date() > today:
        raise ParameterError(f"{name} {day_text(parsed)} is in the future (today is {today:%Y-%m-%d} UTC); "
                             "no data exists for it yet")
    return parsed


def is_whole_day(when: dt.datetime) -> bool:
    """A date given without a time (or at exactly 00:00) stands for the whole UTC day."""
    return when.time() == dt.time()


def _day_end(when: dt.datetime) -> dt.datetime:
    return when + dt.timedelta(days=1) - dt.timedelta(microseconds=1) if is_whole_day(when) else when


def release_fits(released: dt.datetime, requested: dt.datetime) -> bool:
    """Whether a release counts as "at or before" the request (same day counts for a day)."""
    return released <= _day_end(requested)


def release_is_later(released: dt.datetime, requested: dt.datetime | None) -> bool:
    """Whether a release comes after what was asked for (a day: after that day)."""
    return requested is not None and not release_fits(released, requested)


def horizon(requested: dt.datetime) -> dt.datetime:
    """The latest release time that fits ``requested`` (the end of the day for a day)."""
    return _day_end(requested)


def day_text(when: dt.datetime | dt.date) -> str:
    return when.strftime("%Y-%m-%d")


def when_text(when: dt.datetime) -> str:
    """A day as YYYY-MM-DD, a time as YYYY-MM-DD HH:MM."""
    return when.strftime("%Y-%m-%d") if is_whole_day(when) else when.strftime("%Y-%m-%d %H:%M")


# the input whose release dates a result made from the newest data (the AS graph is the topology
# every analysis runs on)
TOPOLOGY_INPUT = "caida-asrel"


def date_label(requested: dt.datetime | None, inputs: Mapping[str, dt.datetime]) -> str:
    """The date a result prints: the one asked for, or for the newest data the release date of the
    topology (else of the newest input), said to be the newest data, never "latest"."""
    if requested is not None:
        return day_text(requested)
    if TOPOLOGY_INPUT in inputs:
        return f"{day_text(inputs[TOPOLOGY_INPUT])} (newest data)"
    return f"{day_text(max(inputs.values()))} (newest data)" if inputs else "newest data"


def newest_data_notes(requested: dt.datetime | None, inputs: Mapping[str, dt.datetime]) -> list[str]:
    """For the newest data (no date asked), one note with the concrete release date of every input."""
    if requested is not None or not inputs:
        return []
    used = ", ".join(f"{name} {day_text(stamp)}" for name, stamp in sorted(inputs.items()))
    return [f"no date given: used the newest release of each input ({used})"]

"""Every value a caller brings is checked here once, for the CLI and the web alike.

Messages say what was expected and never name a command-line flag or a web parameter:
the shells add where the value came from if they wish.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Literal

from ..analysis.address import parse_address
from ..dates import check_not_future
from ..errors import ParameterError, UnknownCountryError
from ..sources.catalog import parse_when
from ..sources.registry import RegisterKind
from ..sources.snapshot import DatasetChoice, check_choice, check_dataset_name

__all__ = ["MAX_ASN", "RESERVED_ASNS", "asn", "asn_list", "country_code", "dataset_choices", "day", "ip_address", "link",
           "register_kind", "reserved_asn", "step", "step_days", "timeline_group", "topology_not_chosen", "when"]

MAX_ASN = 2**32 - 1
_ASN = re.compile(r"^(?:AS)?(\d{1,10})$", re.IGNORECASE)


def country_code(text: str) -> str:
    """Two letters, upper-cased (RU, de); anything else is an :class:`UnknownCountryError` (a ParameterError)."""
    code = (text or "").strip().upper()
    if len(code) != 2 or not code.isascii() or not code.isalpha():
        raise UnknownCountryError(f"not a country code: {text!r}; expected two letters such as RU or DE")
    return code


def asn(text: str | int) -> int:
    """An AS number as 3356 or AS3356; AS0 is reserved (RFC 7607) and names no network, so it is refused."""
    match = _ASN.match(str(text).strip())
    if not match or int(match.group(1)) > MAX_ASN:
        raise ParameterError(f"not an AS number: {str(text)[:40]!r}; expected e.g. 3356 or AS3356 (below 2^32)")
    value = int(match.group(1))
    if value == 0:
        raise ParameterError("AS0 is reserved (RFC 7607) and names no network; expected e.g. 3356 or AS3356")
    return value


# (first, last, what) of every range of AS numbers that names no network on the public Internet
RESERVED_ASNS: tuple[tuple[int, int, str], ...] = (
    (0, 0, "reserved (RFC 7607)"),
    (23456, 23456, "AS_TRANS, the stand-in for a 4-byte AS number in 2-byte sessions (RFC 6793)"),
    (64496, 64511, "reserved for documentation (RFC 5398)"),
    (64512, 65534, "private use (RFC 6996)"),
    (65535, 65535, "reserved (RFC 7300)"),
    (65536, 65551, "reserved for documentation (RFC 5398)"),
    (4200000000, 4294967294, "private use (RFC 6996)"),
    (4294967295, 4294967295, "reserved (RFC 7300)"),
)


def reserved_asn(number: int) -> str | None:
    """Why ``number`` names no network on the public Internet, or None for an ordinary AS number.

    The IANA special-purpose registry: AS0 (RFC 7607), AS_TRANS 23456 (RFC 6793),
    documentation 64496-64511 and 65536-65551 (RFC 5398), private use 64512-65534 and
    4200000000-4294967294 (RFC 6996), last of each range 65535 and 4294967295 (RFC 7300).
    Such a number is not refused (private ASNs do appear in leaked paths and scenarios may
    name them) but a front end should warn: it is most often a typo.
    """
    for first, last, what in RESERVED_ASNS:
        if first <= number <= last:
            return f"AS{number} is {what}: it names no network on the public Internet"
    return None


def asn_list(values: Iterable[str | int], *, limit: int = 20, what: str = "to remove") -> list[int]:
    """Distinct AS numbers in the order given (commas or spaces separate them); at least one, at most ``limit``."""
    items = [v for raw in values for v in str(raw).replace(",", " ").split()]
    if not items:
        raise ParameterError(f"name at least one AS {what}")
    if len(items) > limit:
        raise ParameterError(f"at most {limit} ASes can be named at once, not {len(items)}")
    out: list[int] = []
    for item in items:
        number = asn(item)
        if number not in out:
            out.append(number)
    return out


def link(text: str) -> tuple[int, int]:
    """Two AS numbers joined by '-' or ',' (3356-12389)."""
    parts = text.replace(",", "-").split("-")
    if len(parts) != 2:
        raise ParameterError(f"not a link: {str(text)[:60]!r}; expected two AS numbers like 3356-12389")
    return asn(parts[0]), asn(parts[1])


def when(value: str | dt.date | None, name: str = "date") -> dt.datetime | None:
    """A date or time (YYYY-MM-DD, YYYY-MM-DDTHH:MM UTC) or None for the newest data; years 1990-2100."""
    if isinstance(value, str) and len(value) > 32:
        raise ParameterError(f"{name} is too long; expected YYYY-MM-DD")
    try:
        moment = parse_when(value)
    except ParameterError:
        raise ParameterError(f"{name}: not a date: {value!r}; expected YYYY-MM-DD, e.g. 2022-03-01") from None
    if moment is not None and not 1990 <= moment.year <= 2100:
        raise ParameterError(f"{name}: {value!r} is out of range; expected a year between 1990 and 2100")
    return moment


def day(value: str | None, name: str = "date", *, required: bool = True) -> str | None:
    """A day as YYYY-MM-DD (normalized); None only when not required and not given."""
    if value is None or not value.strip():
        if required:
            raise ParameterError(f"{name} is missing; expected YYYY-MM-DD, e.g. 2022-03-01")
        return None
    moment = when(value, name)
    if moment is None:
        raise ParameterError(f"{name}: {value!r} is not a day; expected YYYY-MM-DD, e.g. 2022-03-01")
    return moment.strftime("%Y-%m-%d")


def step(text: str) -> str:
    """A step between dates: a count and d (days), w (weeks) or m (months), as ``1m``, ``7d``, ``3m``."""
    from ..analysis.timeline import parse_step  # the one parser timelines and world series share

    try:
        count, unit = parse_step(str(text)[:20])
    except ParameterError as exc:
        raise ParameterError(str(exc), parameter="step") from None
    return f"{count}{unit}"


def step_days(start: str | dt.date | None, end: str | dt.date | None, every: str) -> list[dt.date]:
    """Every date from ``start`` to ``end`` (both included) by ``every`` (``step``); months keep the day of month.

    ``1m`` from 2021-06-01 gives the 1st of each month; from the 31st it gives each month's last day.
    """
    from ..analysis.timeline import step_dates

    first, last = when(start, "start"), when(end, "end")
    if first is None or last is None:
        raise ParameterError("a series needs a first and a last date; expected YYYY-MM-DD, e.g. 2022-03-01",
                             parameter="start" if first is None else "end")
    if last < first:
        raise ParameterError(f"the last date {last.date()} comes before the first {first.date()}", parameter="end")
    return step_dates(first.date(), last.date(), step(every))


def register_kind(text: str | RegisterKind) -> RegisterKind:
    """auto, rkn or plain."""
    try:
        return RegisterKind(str(text).strip().lower())
    except ValueError:
        raise ParameterError(f"register kind must be auto, rkn or plain, not {str(text)[:20]!r}") from None


def timeline_group(text: str) -> Literal["provider", "organization"]:
    """What a blocking timeline groups blocked space by: cloud provider or organization."""
    if text == "provider":
        return "provider"
    if text == "organization":
        return "organization"
    raise ParameterError(f"group must be provider or organization, not {text[:20]!r}")


def ip_address(text: str) -> str:
    """An IPv4 or IPv6 address, as given (stripped); anything else is refused."""
    parse_address(text)
    return text.strip()


_CHOICE_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?Z?)?$")
_CHOICE_EXAMPLE = "expected DATASET=YYYY-MM-DD or DATASET=FILE, e.g. routeviews-pfx2as=2024-04-06"


def dataset_choices(texts: Iterable[str] | None) -> dict[str, DatasetChoice]:
    """``DATASET=DATE`` or ``DATASET=FILE`` items, each replacing the catalog's choice for one dataset.

    A value written as a date (YYYY-MM-DD, not in the future) picks that date's release; any
    other value is a file, which must exist (it is then used as given, with its sha256).
    Each dataset once; its name must be a catalog dataset.
    """
    out: dict[str, DatasetChoice] = {}
    for text in texts or ():
        name, sep, value = str(text).partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not name or not value:
            raise ParameterError(f"not a dataset choice: {str(text)[:80]!r}; {_CHOICE_EXAMPLE}", parameter="uses")
        check_dataset_name(name)
        if name in out:
            raise ParameterError(f"{name} is chosen twice; choose each dataset once", parameter="uses")
        if _CHOICE_DATE.match(value):
            try:
                moment = check_not_future(when(value, f"date chosen for {name}"), name=f"date chosen for {name}")
            except ParameterError as exc:
                raise ParameterError(str(exc), parameter="uses") from None
            choice = DatasetChoice(date=moment)
        else:
            path = Path(value).expanduser()
            if not path.exists():
                raise ParameterError(f"{name}: no such file: {value[:200]} (a date is written YYYY-MM-DD)",
                                     parameter="uses")
            if not path.is_file():
                raise ParameterError(f"{name}: {value[:200]} is not a file", parameter="uses")
            choice = DatasetChoice(path=path.resolve())
        check_choice(name, choice)
        out[name] = choice
    return out


def topology_not_chosen(uses: Mapping[str, DatasetChoice] | None, why: str) -> None:
    """Refuse a chosen AS-relationship release where the question is how the relationships change over dates."""
    fixed = [d for d in ("caida-asrel", "caida-asrel2") if d in (uses or {})]
    if fixed:
        raise ParameterError(f"{why}, so {fixed[0]} cannot be chosen for it", parameter="uses")

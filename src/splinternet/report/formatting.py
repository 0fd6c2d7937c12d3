"""How every figure reads, in the terminal, CSV, the HTML report and the web pages: one set of rules.

Readers quote these figures, so each kind of number has one way to be written:

- shares as percentages with a precision that fits their size (``42.3%``, ``0.68%``,
  ``0.0068%``), never in scientific notation; ``–`` where a share was not computed;
- changes in shares as signed percentage points; a change that rounds to zero is shown
  as ``±0.0 pts`` (or its row left out, saying how many were) rather than ``-0.0``;
- counts as whole numbers with thousands separators (``9,251,336``); a count split among
  several origins (multi-origin prefixes) keeps one decimal;
- file sizes in KB/MB (1 KB = 1,000 bytes), not bytes;
- text cut to a width ends in ``…``, and a list cut to its first rows says ``N of M``;
- a network as ``AS3216 SOVAM-AS · PJSC VimpelCom``: the AS number always, the AS name
  only where it says more than the organization's name.

The CSV keeps machine-readable values (shares as fractions) but rounded and in plain
decimal notation (:func:`csv_value`); JSON keeps full precision (``report.jsonable``).
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

__all__ = [
    "DASH", "as_label", "as_names_differ", "as_row_label", "count", "country", "csv_value", "cut", "cut_rows",
    "group_notes", "header", "is_zero_change", "n_of_m", "number", "pct", "plural", "points", "rank_ranges", "size",
    "value_cell",
]

DASH = "–"  # not computed / not known

# column name -> header a reader understands (units in the header, not in every cell)
_HEADERS = {
    "asn": "AS", "name": "name", "country": "country", "cc": "country", "organization": "organization",
    "ipv4": "IPv4 addresses", "ipv6": "IPv6 addresses", "ipv4_addresses": "IPv4 addresses",
    "ipv6_addresses": "IPv6 addresses", "ipv6_slash64": "IPv6 (/64s)", "entries": "entries",
    "share": "share", "country_share": "share of country", "share_of_blocked": "share of blocked",
    "published_ipv4": "published IPv4", "blocked_share": "share blocked", "border_share": "border share",
    "transit_share": "transit share", "gateway_share": "gateway share", "origin_share": "own share of country",
    "networks_served": "networks served", "single_homed": "only provider of",
    "single_foreign_upstream": "only foreign provider of", "customer_cone_size": "customer cone (ASes)",
    "unrelated_domains": "unrelated domains", "addresses": "addresses", "providers_before": "providers before",
    "providers_after": "providers after", "routes_before": "routes before", "routes_after": "routes after",
    "path_length_before": "AS hops before", "path_length_after": "AS hops after", "weight": "share of country",
    "ipv4_added": "IPv4 added", "ipv4_removed": "IPv4 removed", "entries_added": "entries added",
    "entries_removed": "entries removed", "added_ipv4": "IPv4 added", "removed_ipv4": "IPv4 removed",
    "added_ipv6": "IPv6 added", "removed_ipv6": "IPv6 removed", "net_ipv4": "IPv4 net change",
    "new_ipv4": "new IPv4 addresses", "share_ipv4": "share of published IPv4",
}
# words written as a reader knows them in any other header (``published_ipv6`` -> ``published IPv6``)
_HEADER_WORDS = {"ipv4": "IPv4", "ipv6": "IPv6", "as": "AS", "ases": "ASes"}
# columns holding shares (fractions of 1), shown as percentages
_SHARE_COLUMNS = {"share", "country_share", "share_of_blocked", "blocked_share", "border_share", "transit_share",
                  "gateway_share", "origin_share", "weight", "border_before", "border_after", "before", "after",
                  "lost_share", "coverage", "ipv4_coverage", "ipv6_coverage", "reach_before", "reach_after",
                  "unconfirmed_handoff", "share_ipv4"}
_IDENTIFIERS = {"asn", "line", "provider", "before_provider", "remaining_provider", "domestic_asn", "foreign_asn",
                "vantage_asn"}


def _fixed(value: float, significant: int = 2) -> str:
    """``value`` in plain decimal notation with at least ``significant`` significant digits (0.0068, 12.3)."""
    if value == 0 or not math.isfinite(value):
        return "0" if value == 0 else DASH
    magnitude = math.floor(math.log10(abs(value)))
    decimals = max(significant - 1 - magnitude, 0)
    return f"{value:,.{decimals}f}"


def pct(share: float | None, digits: int | None = None) -> str:
    """A share (0..1) as a percentage: 1 decimal from 1% up, 2 significant digits below; ``–`` for None/NaN."""
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return DASH
    value = 100 * float(share)
    if digits is not None:
        return f"{value:.{digits}f}%"
    if value == 0:
        return "0%"
    if abs(value) >= 1:
        return f"{value:.1f}%"
    return f"{_fixed(value, 2)}%"


def points(change: float | None) -> str:
    """A change of share in signed percentage points; one that rounds to zero reads ``±0.0 pts``."""
    if change is None or (isinstance(change, float) and math.isnan(change)):
        return DASH
    value = 100 * float(change)
    if round(value, 1) == 0:
        return "±0.0 pts"
    return f"{value:+.1f} pts"


def is_zero_change(change: float | None) -> bool:
    """True when a change would print as ±0.0 points: rows a reader should not have to read."""
    return change is None or round(100 * float(change), 1) == 0


def count(value: float | int | None) -> str:
    """A count with thousands separators; a fractional count (space split among origins) keeps one decimal."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return DASH
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


def number(value: float | int | None, significant: int = 3) -> str:
    """Any other measure (mean path length, hours): plain decimals, never scientific notation."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return DASH
    if isinstance(value, int) or float(value).is_integer() and abs(value) >= 10 ** significant:
        return f"{int(value):,}"
    return _fixed(float(value), significant)


def size(n_bytes: int) -> str:
    """A file size for people: ``812 bytes``, ``48 KB``, ``18.4 MB``, ``1.2 GB`` (1 KB = 1,000 bytes)."""
    if n_bytes < 1000:
        return f"{n_bytes:,} bytes"
    for unit, scale in (("KB", 1e3), ("MB", 1e6), ("GB", 1e9), ("TB", 1e12)):
        if n_bytes < scale * 1000 or unit == "TB":
            value = n_bytes / scale
            return f"{value:.0f} {unit}" if value >= 100 or unit == "KB" else f"{value:.1f} {unit}"
    raise AssertionError("unreachable")


def cut(text: object, width: int) -> str:
    """``text`` at most ``width`` characters; a cut ends in ``…`` so that a reader knows it was cut."""
    value = str(text or "")
    if len(value) <= width:
        return value
    return value[: max(width - 1, 0)].rstrip() + "…"


def plural(n: int, word: str, words: str | None = None) -> str:
    """``1 network``, ``2 networks`` (with thousands separators)."""
    return f"{n:,} {word if n == 1 else (words or word + 's')}"


def n_of_m(shown: int, total: int, what: str = "rows") -> str:
    """``15 of 5,033 rows shown`` when a list was cut; '' when nothing was cut."""
    return "" if shown >= total else f"{shown:,} of {total:,} {what} shown"


# words of an AS name that say nothing about whose network it is (``ROSTELECOM-AS``, ``AS-CHOOPA``)
_AS_NAME_NOISE = {"AS", "ASN", "AP", "BLOCK"}
_NOT_ALNUM = re.compile(r"[^0-9A-Z]+")


def _name_key(text: str, noise: frozenset[str] | set[str] = frozenset()) -> str:
    """Letters and digits of a name, without ``noise`` words and numbers standing alone (``COGENT-174``)."""
    return "".join(w for w in _NOT_ALNUM.split(text.upper()) if w and w not in noise and not w.isdigit())


def as_names_differ(as_name: object, name: object) -> bool:
    """True when an AS name tells a reader something its organization's name does not.

    ``SOVAM-AS`` beside ``PJSC VimpelCom`` does (the network is known by its AS name);
    ``ROSTELECOM-AS`` beside ``PJSC Rostelecom`` or ``CLOUDFLARENET`` beside ``Cloudflare, Inc.``
    does not: most of the shorter name (letters and digits, the word ``AS`` left out) is one
    run of the longer.
    """
    a, b = _name_key(str(as_name or ""), _AS_NAME_NOISE), _name_key(str(name or ""))
    if not a or not b:
        return False
    short, long = sorted((a, b), key=len)
    match = difflib.SequenceMatcher(None, short, long, autojunk=False).find_longest_match(0, len(short), 0, len(long))
    return match.size < max(3, 0.6 * len(short))


def as_label(asn: int | str, name: object = "", width: int = 40, as_name: object = "") -> str:
    """``AS3356 Level 3 Parent, LLC`` cut to ``width`` with the AS number always kept whole.

    With an ``as_name`` that differs from the organization's (:func:`as_names_differ`), both:
    ``AS3216 SOVAM-AS · PJSC VimpelCom``; the organization is cut first.
    """
    head = f"AS{asn}"
    text = str(name or "").strip()
    alias = str(as_name or "").strip()
    room = max(width - len(head) - 1, 4)
    if alias and not text:
        return f"{head} {cut(alias, room)}"
    if not text:
        return head
    if alias and as_names_differ(alias, text):
        alias = cut(alias, max(room // 2, 16))
        rest = room - len(alias) - 3
        if rest >= 6:
            return f"{head} {alias} · {cut(text, rest)}"
    return f"{head} {cut(text, room)}"


def as_row_label(row: Any, width: int = 40, prefix: str = "") -> str:
    """:func:`as_label` of a result row (a dict or a row object): ``asn``, ``name``, ``as_name``.

    ``prefix`` reads another AS of the row: ``foreign_`` takes ``foreign_asn``, ``foreign_name``
    and ``foreign_as_name``; ``provider_`` takes ``provider``, ``provider_name``, ``provider_as_name``.
    """
    def get(key: str) -> Any:
        return row.get(key) if isinstance(row, Mapping) else getattr(row, key, None)

    members = get("members") if not prefix else None
    if members and get("org_id"):  # an organization's row: its member ASes, then its name
        head = "+".join(f"AS{m['asn']}" for m in members[:3]) + ("+…" if len(members) > 3 else "")
        return f"{head} {cut(str(get('name') or get('org_id')), max(width - len(head) - 1, 4))}"
    asn = get(f"{prefix}asn")
    if asn is None and prefix:
        asn = get(prefix.rstrip("_"))
    return as_label(asn, get(f"{prefix}name"), width, get(f"{prefix}as_name"))


def members(row: Any, key: str, shown: int = 4) -> str:
    """An organization's row: its member ASes with their own ``key`` share (``AS3356 9.5%, AS3549 0.2%``)."""
    listed = (row.get("members") if isinstance(row, Mapping) else getattr(row, "members", None)) or []
    more = len(listed) - shown
    return ", ".join(f"AS{m['asn']} {pct(m[key])}" for m in listed[:shown]) + (f" +{more} more" if more > 0 else "")


def bounds(value: Mapping[str, float] | None) -> str:
    """A share known only between bounds (an organization's transit share): ``8.9–9.5%``."""
    if not value:
        return DASH
    lower, upper = pct(value["lower"]), pct(value["upper"])
    return upper if lower == upper else f"{lower[:-1]}–{upper}"


def country(code: object) -> str:
    """A country code for display: ISO alpha-2 as given, ``–`` where the data names none."""
    text = str(code or "").strip()
    return text if text else DASH


def header(column: str) -> str:
    """The header a reader sees for a result column (``country_share`` -> ``share of country``)."""
    if column in _HEADERS:
        return _HEADERS[column]
    return " ".join(_HEADER_WORDS.get(word, word) for word in column.split("_"))


def value_cell(value: Any, column: str = "") -> str:
    """One table cell, by its column: identifiers as they are, shares as %, counts with separators."""
    if value is None:
        return DASH
    if column in _IDENTIFIERS or isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)) and column in _SHARE_COLUMNS | {c for c in (column,) if c.endswith("_share")}:
        return pct(float(value))
    if isinstance(value, float):
        if math.isnan(value):
            return DASH
        return count(value) if abs(value) >= 1 or value == 0 else number(value)
    if isinstance(value, int):
        return count(value)
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


def csv_value(value: Any, column: str = "") -> Any:
    """A CSV cell: numbers rounded to what the data supports, in plain decimals; '' for not computed."""
    if value is None:
        return ""
    if isinstance(value, (bool, int)) or column in _IDENTIFIERS:
        return value
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer() and abs(value) < 2**63:
            return int(value)
        if column in _SHARE_COLUMNS or column.endswith(("_share", "_mean")):
            return _plain(round(value, 8))  # shares of 1: 8 decimals is a millionth of a percent
        return _plain(round(value, 3))
    return value


def _plain(value: float) -> str:
    text = f"{value:.10f}".rstrip("0").rstrip(".")
    return text or "0"


# "<what> left out: <why>" notes from the front door, grouped by reason
_LEFT_OUT = re.compile(r"^(?P<what>.+?) left out: (?P<why>.+)$")


def group_notes(notes: Iterable[str]) -> list[str]:
    """Notes as a reader should see them: each once, and inputs left out for the same reason on one line.

    ``ip 8.8.8.8`` used to print one "<input> left out: no release found" note per missing
    cloud list and registry; they now read as one line naming every input left out.
    """
    out: list[str] = []
    left_out: dict[str, list[str]] = {}
    for note in dict.fromkeys(str(n).strip() for n in notes if n and str(n).strip()):
        match = _LEFT_OUT.match(note)
        if match and len(match.group("what")) <= 60:
            left_out.setdefault(match.group("why"), []).append(match.group("what"))
        else:
            out.append(note)
    grouped = [f"left out ({why}): {', '.join(whats)}" if len(whats) > 1 else f"{whats[0]} left out: {why}"
               for why, whats in left_out.items()]
    return grouped + out


def cut_rows(rows: Sequence[Any], limit: int) -> tuple[Sequence[Any], str]:
    """The first ``limit`` rows (0 = all) and the ``N of M`` line to print under them ('' if none were cut)."""
    if limit <= 0 or len(rows) <= limit:
        return rows, ""
    return rows[:limit], n_of_m(limit, len(rows))


def rank_ranges(stability: dict[str, Any] | None) -> dict[str, dict[int | str, str]]:
    """Table -> row key -> its rank range text ("1–3", "2"), from a report's ``evidence["stability"]``.

    The key is the AS number, or for an organization's row its org id (:func:`row_key`).
    """
    tables = (stability or {}).get("tables", {})
    out: dict[str, dict[int | str, str]] = {t: {} for t in ("providers", "gateways", "transit")}
    out.update({table: {row_key(r): str(r["range"]) for r in rows} for table, rows in tables.items()})
    return out


SHAKY_NOTE = "most of the share crosses links that neither neighbouring month's AS relationships confirm"


def shaky(row: Any) -> bool:
    """Whether most of a row's share crosses hand-off links only this month's AS relationships infer
    (``analysis.transit.rests_on_one_month``; dict or row object)."""
    from ..analysis.transit import rests_on_one_month

    return rests_on_one_month(row.get("unconfirmed_handoff") if isinstance(row, Mapping)
                              else getattr(row, "unconfirmed_handoff", None))


def row_key(row: Any) -> int | str:
    """What identifies a ranked row: an organization's org id, else its AS number (dict or row object)."""
    def get(key: str) -> Any:
        return row.get(key) if isinstance(row, Mapping) else getattr(row, key, None)

    return str(get("org_id")) if get("org_id") else int(get("asn"))

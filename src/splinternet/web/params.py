"""Every value a request brings is checked here, with a message that says what was expected.

Errors are :class:`ParameterError` (400); a register name is resolved inside the configured
data directory only, so no request path reaches the file system unchecked.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import ParameterError
from ..sources.catalog import parse_when

__all__ = ["check_asn", "check_asns", "check_cc", "check_date", "check_register_name", "list_registers"]

_CC = re.compile(r"^[A-Za-z]{2}$")
_ASN = re.compile(r"^(?:AS)?(\d{1,10})$", re.IGNORECASE)
_NAME_PART = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


def check_cc(cc: str) -> str:
    if not _CC.match(cc or ""):
        raise ParameterError(f"not a country code: {cc!r}; expected two letters such as LI or RU")
    return cc.upper()


def check_date(value: str | None, name: str = "date", *, required: bool = True) -> str | None:
    """A date as YYYY-MM-DD (normalized); None only when not required."""
    if value is None or not value.strip():
        if required:
            raise ParameterError(f"{name} is missing; expected YYYY-MM-DD, e.g. 2022-03-01")
        return None
    if len(value) > 32:
        raise ParameterError(f"{name} is too long; expected YYYY-MM-DD")
    try:
        when = parse_when(value)
    except ParameterError:
        raise ParameterError(f"{name}: not a date: {value!r}; expected YYYY-MM-DD, e.g. 2022-03-01") from None
    if when is None:
        raise ParameterError(f"{name}: {value!r} is not a day; expected YYYY-MM-DD, e.g. 2022-03-01")
    if not 1990 <= when.year <= 2100:
        raise ParameterError(f"{name}: {value!r} is out of range; expected a year between 1990 and 2100")
    return when.strftime("%Y-%m-%d")


def check_asn(text: str) -> int:
    match = _ASN.match((text or "").strip())
    if not match or int(match.group(1)) >= 2**32:
        raise ParameterError(f"not an AS number: {text!r}; expected e.g. 3356 or AS3356 (below 2^32)")
    return int(match.group(1))


def check_asns(values: list[str], *, limit: int = 20) -> list[int]:
    """Distinct AS numbers in the order given; at least one, at most ``limit``."""
    items = [v for raw in values for v in raw.replace(",", " ").split()]
    if not items:
        raise ParameterError("name at least one AS to remove (without=3356)")
    if len(items) > limit:
        raise ParameterError(f"at most {limit} ASes can be removed at once, not {len(items)}")
    out: list[int] = []
    for item in items:
        asn = check_asn(item)
        if asn not in out:
            out.append(asn)
    return out


def check_register_name(data_dir: Path | None, name: str, what: str = "register") -> Path:
    """The file ``name`` (relative, plain parts) inside ``data_dir``; nothing outside it, no links out.

    ``what`` names the kind of file in messages (a register, a resolutions file): both are
    chosen from the same directory with the same checks.
    """
    if data_dir is None:
        raise ParameterError(f"this server has no data directory for {what}s (serve --data-dir DIR); "
                             f"upload the {what} instead")
    parts = (name or "").replace("\\", "/").split("/")
    if not name or len(name) > 512 or any(not _NAME_PART.match(p) or p in (".", "..") for p in parts):
        raise ParameterError(f"not a {what} name: {name!r}; expected a file name listed under "
                             f"/api/v1/registers (letters, digits, '.', '_', '-', '/' between parts)")
    root = data_dir.resolve()
    target = (root / Path(*parts)).resolve()
    if root not in target.parents or not target.is_file():
        raise ParameterError(f"no {what} named {name!r} in the data directory; see /api/v1/registers")
    return target


def list_registers(data_dir: Path | None, *, limit: int = 500) -> list[dict[str, object]]:
    """Files a request may name: regular files under ``data_dir`` whose path parts pass the name check."""
    if data_dir is None or not data_dir.is_dir():
        return []
    root = data_dir.resolve()
    found: list[dict[str, object]] = []
    for path in sorted(root.rglob("*")):
        if len(found) >= limit:
            break
        rel = path.relative_to(root)
        if any(not _NAME_PART.match(p) for p in rel.parts) or not path.is_file():
            continue
        if root not in path.resolve().parents:
            continue
        found.append({"name": "/".join(rel.parts), "bytes": path.stat().st_size})
    return found

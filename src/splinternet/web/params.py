"""Every value a request brings is checked here, with a message that says what was expected.

Errors are :class:`ParameterError` (400); a register name is resolved inside the configured
data directory only, so no request path reaches the file system unchecked.
"""

from __future__ import annotations

import re
from pathlib import Path

from .. import api
from ..errors import ParameterError

__all__ = ["check_asn", "check_asns", "check_cc", "check_date", "check_optional_date", "check_register_name", "list_registers"]

_NAME_PART = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


def check_cc(cc: str) -> str:
    """A well-formed code; a malformed one is a bad parameter (400), not an unknown country (404)."""
    try:
        return api.params.country_code(cc)
    except ParameterError as exc:
        raise ParameterError(str(exc)) from None


def check_date(value: str | None, name: str = "date") -> str:
    """A date as YYYY-MM-DD (normalized); it must be given."""
    day = api.params.day(value, name, required=True)
    assert day is not None  # required=True never answers None
    return day


def check_optional_date(value: str | None, name: str = "date") -> str | None:
    """A date as YYYY-MM-DD (normalized), or None when not given."""
    return api.params.day(value, name, required=False)


def check_asn(text: str) -> int:
    return api.params.asn(text)


def check_asns(values: list[str], *, limit: int = 20) -> list[int]:
    """Distinct AS numbers in the order given; at least one (the ``without`` parameter), at most ``limit``."""
    try:
        return api.params.asn_list(values, limit=limit)
    except ParameterError as exc:
        raise ParameterError(f"without: {exc}") from None


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

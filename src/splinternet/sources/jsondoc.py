"""JSON read as untrusted input: every way a document can be malformed is one InputError.

``json.loads`` raises more than ``JSONDecodeError``: ``RecursionError`` on deep nesting
(100,000 ``[``), ``ValueError`` on an integer past Python's digit limit (a 5,000-digit
number), ``UnicodeDecodeError`` on bytes that are not UTF-8. A loader must turn each into
one error naming the file, the line and what was expected, never a traceback.
"""

from __future__ import annotations

import json
import os
from typing import Any

from ..errors import InputError

__all__ = ["field_list", "field_object", "parse_json"]


def parse_json(data: bytes | str, path: str | os.PathLike[str], *, line: int | None = None,
               expected: str = "a JSON document") -> Any:
    """The document in ``data``; one :class:`InputError` naming ``path`` (and ``line``) if it is not sound."""
    try:
        return json.loads(data)
    except json.JSONDecodeError as exc:
        raise InputError(path, f"broken JSON: {exc.msg}", line=line if line is not None else exc.lineno,
                         offset=exc.pos, expected=expected) from None
    except RecursionError:
        raise InputError(path, "JSON nested too deeply to read (thousands of brackets)", line=line,
                         expected=expected) from None
    except UnicodeDecodeError:
        raise InputError(path, "JSON that is not UTF-8", line=line, expected=expected) from None
    except ValueError as exc:  # an integer longer than Python converts (sys.get_int_max_str_digits)
        raise InputError(path, f"JSON with a number too long to read ({str(exc).split(':')[0]})", line=line,
                         expected=expected) from None


def field_list(doc: dict[str, Any], key: str, path: str | os.PathLike[str], where: str = "") -> list[Any]:
    """``doc[key]`` when it is a list (absent: empty); anything else is an error naming the field."""
    value = doc.get(key, [])
    if not isinstance(value, list):
        raise InputError(path, f"'{where}{key}' is a JSON {_kind(value)}", expected=f"a list in '{where}{key}'")
    return value


def field_object(value: Any, path: str | os.PathLike[str], where: str) -> dict[str, Any]:
    """``value`` when it is a JSON object; anything else is an error naming where it is."""
    if not isinstance(value, dict):
        raise InputError(path, f"'{where}' is a JSON {_kind(value)}", expected=f"an object in '{where}'")
    return value


def _kind(value: Any) -> str:
    return {str: "string", int: "number", float: "number", bool: "boolean", list: "list", dict: "object",
            type(None): "null"}.get(type(value), type(value).__name__)

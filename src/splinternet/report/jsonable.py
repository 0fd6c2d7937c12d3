"""Plain JSON from results: what ``--json`` prints, the REST API answers and the HTML report renders."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["json_text", "to_jsonable"]


# keys whose values count whole things (addresses, /64 blocks): an integer in JSON, never 9251336.0
_COUNT_SUFFIXES = ("_addresses", "_slash64")


def to_jsonable(value: Any) -> Any:
    """Plain JSON types from dataclasses, numpy scalars/arrays, dates, enums and paths; NaN becomes null.

    A value under a key that counts addresses (``*_addresses``, ``*_slash64``) is an integer:
    the analyses add address space as floats (a multi-origin prefix's space is split among
    its origins), but a reader and a script expect a whole number of addresses.
    """
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        if hasattr(value, "to_dict"):
            return to_jsonable(value.to_dict())
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): _count(k, to_jsonable(v)) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, float) and value != value:
        return None
    return value


def _count(key: object, value: Any) -> Any:
    if isinstance(value, float) and isinstance(key, str) and key.endswith(_COUNT_SUFFIXES) and value == value \
            and abs(value) != float("inf"):
        return round(value)
    return value


def json_text(value: Any) -> str:
    """The JSON text of a result, indented for people and scripts alike."""
    return json.dumps(to_jsonable(value), indent=2, ensure_ascii=False)

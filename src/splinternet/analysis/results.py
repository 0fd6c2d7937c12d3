"""Notebook manners shared by every result: a short repr, an HTML summary, pandas frames of ranked tables.

Results stay plain frozen dataclasses (what ``to_dict`` and the JSON output read); this
mixin only adds views. pandas is optional: only :meth:`Result.to_frame` needs it.
"""

from __future__ import annotations

import dataclasses
from html import escape
from typing import Any, ClassVar

import numpy as np

__all__ = ["Result", "table_rows"]


def table_rows(value: Any) -> list[dict[str, Any]]:
    """Rows of a ranked table held as row dataclasses, dicts, or a column table (``columns``/``records``)."""
    if hasattr(value, "records") and callable(value.records):
        return list(value.records())
    rows = []
    for row in value or ():
        if dataclasses.is_dataclass(row) and not isinstance(row, type):
            rows.append({f.name: getattr(row, f.name) for f in dataclasses.fields(row)})
        else:
            rows.append(dict(row))
    return rows


class Result:
    """Mixin: ``_tables`` names the attributes that hold ranked tables, the first being the main one."""

    _tables: ClassVar[tuple[str, ...]] = ()

    def to_dict(self) -> dict[str, Any]:
        """Fields by name (nested values are made JSON-ready by ``report.to_jsonable``)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}  # type: ignore[arg-type]

    def _headline(self) -> str:
        parts = []
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            if isinstance(value, (str, int, float, np.integer, np.floating)) and not isinstance(value, bool):
                text = str(value)
                parts.append(f"{f.name}={text[:40]!s}")
            if len(parts) == 4:
                break
        sizes = [f"{name}: {len(table_rows(getattr(self, name)))} rows" for name in self._tables]
        return ", ".join(parts + sizes)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._headline()}>"

    def to_frame(self, table: str | None = None) -> Any:
        """One ranked table as a pandas DataFrame (the main one unless named; see ``_tables``)."""
        import pandas as pd  # optional dependency: only this view needs it

        name = table or (self._tables[0] if self._tables else "")
        if name not in self._tables:
            raise ValueError(f"{type(self).__name__} has no table {name!r}; tables: {', '.join(self._tables)}")
        return pd.DataFrame.from_records(table_rows(getattr(self, name)))

    def _repr_html_(self) -> str:
        out = [f"<p><b>{escape(type(self).__name__)}</b> {escape(self._headline())}</p>"]
        if self._tables:
            rows = table_rows(getattr(self, self._tables[0]))[:10]
            if rows:
                cols = list(rows[0])
                out.append("<table><thead><tr>" + "".join(f"<th>{escape(c)}</th>" for c in cols) + "</tr></thead>")
                out.append("<tbody>" + "".join(
                    "<tr>" + "".join(f"<td>{escape(str(r.get(c, ''))[:60])}</td>" for c in cols) + "</tr>"
                    for r in rows) + "</tbody></table>")
        return "".join(out)

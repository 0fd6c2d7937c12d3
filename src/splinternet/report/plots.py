"""Charts for every command's ``--plot``: matplotlib without a display, PNG or SVG by suffix, written atomically."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import ParameterError
from ..sources.download import atomic_write

__all__ = ["grouped_bars", "save_figure"]

_FORMATS = {".png": "png", ".svg": "svg"}


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_figure(fig: Any, path: str | Path) -> Path:
    """Write ``fig`` to ``path`` (format from the suffix) so that a reader never sees half a file."""
    target = Path(path)
    fmt = _FORMATS.get(target.suffix.lower())
    if fmt is None:
        raise ParameterError(f"cannot write a chart to {target.name}: expected a .png or .svg file name")
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=110, bbox_inches="tight")
    _pyplot().close(fig)
    with atomic_write(target) as out:
        out.write(buf.getvalue())
    return target


def grouped_bars(labels: Sequence[str], series: dict[str, Sequence[float]], *, title: str, xlabel: str,
                 percent: bool = True) -> Any:
    """Horizontal bars, one group per label (largest first at the top), one colour per series."""
    plt = _pyplot()
    count = len(labels)
    fig, ax = plt.subplots(figsize=(9, 0.38 * max(count, 4) + 1.4))
    height = 0.8 / max(len(series), 1)
    for k, (name, values) in enumerate(series.items()):
        ys = [count - 1 - i + (k - (len(series) - 1) / 2) * height for i in range(count)]
        shown = [(100 * v if percent else v) if v is not None else 0.0 for v in values]
        ax.barh(ys, shown, height=height, label=name)
    ax.set_yticks(range(count))
    ax.set_yticklabels([str(label)[:40] for label in reversed(labels)])
    ax.set_xlabel(xlabel + (" (%)" if percent else ""))
    ax.set_title(title)
    if len(series) > 1:
        ax.legend(loc="lower right")
    ax.grid(axis="x", alpha=0.3)
    return fig

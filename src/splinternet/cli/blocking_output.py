"""Rendering of blocking reports: rich tables, CSV files and PNG or SVG plots (all writes atomic)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.table import Table

from ..api import BlockingDiff, BlockingReport, GroupTable, UpdateCadence
from ..report import formatting as fmt
from ..report.files import atomic_write
from ..report.plots import STYLE, chart_label, save_figure
from .output import console, err_console, print_notes

__all__ = [
    "diff_tables", "group_table", "provider_bars", "render_diff", "render_report", "render_updates",
    "report_tables", "write_csv_dir", "write_plot", "write_series_plot",
]


def _cell(value: Any, column: str = "") -> str:
    return fmt.value_cell(value, column)


# what the generic ``key`` column of a grouped table holds, by the table's name
_KEY_HEADERS = {"by_organization": "org id", "by_country": "country"}


def group_table(table: GroupTable, title: str, limit: int = 15, columns: Sequence[str] | None = None, *,
                note: str = "", what: str = "rows") -> Table:
    """``table``'s first ``limit`` rows; the caption says "N of M" (M: rows before any cut) and ``note``."""
    cols = list(columns or table.columns)
    shown = fmt.n_of_m(min(limit, len(table)), table.total, what)
    caption = "\n".join(text for text in (shown, note) if text)
    out = Table(title=title, title_justify="left", caption=caption or None, caption_justify="left")
    for c in cols:
        numeric = table.columns[c].dtype.kind in "fiu"
        head = _KEY_HEADERS.get(table.name, "key") if c == "key" else fmt.header(c)
        out.add_column(head, justify="right" if numeric else "left", overflow="fold")
    for rec in table.head(limit).records():
        out.add_row(*(_cell(rec[c], c) for c in cols))
    return out


def report_tables(report: BlockingReport) -> list[GroupTable]:
    tables = [report.by_origin_as, report.by_organization, report.by_country, report.by_cloud, report.by_provider,
              report.by_authority, report.by_decision, report.growth]
    if report.collateral is not None:
        tables += [report.collateral.by_provider, report.collateral.top_entries]
    return tables


def diff_tables(diff: BlockingDiff) -> list[GroupTable]:
    return [diff.by_organization, diff.by_provider]


def _warn_bad(summary: dict[str, Any]) -> None:
    bad = summary.get("bad_records", {})
    if bad.get("count"):
        err_console.print(f"[yellow]warning:[/] {bad['count']:,} bad record(s) skipped; first: {bad['examples'][0]}",
                          highlight=False, soft_wrap=True)


def _releases(attribution: dict[str, Any], what: str = "attributed", missing: bool = False) -> None:
    """The attribution date and what it rests on, each file used, and (``missing``) each dataset not found."""
    basis = f", {attribution['date_basis']}" if attribution.get("date_basis") else ""
    console.print(f"{what} with data for {attribution['target_date']}{basis}:", highlight=False, soft_wrap=True)
    for r in attribution.get("releases", []):
        away = r.get("days_from_target")
        when = f"{r['release_date'] or 'undated'}" + \
            (f" ({away:+d} days from {attribution['target_date']})" if away else "")
        console.print(f"  used {r['dataset']}: {when} {r['path']} sha256 {r['sha256'][:16]}… {r.get('note') or ''}",
                      highlight=False, soft_wrap=True)
    for note in attribution.get("missing", []) if missing else []:
        console.print(f"  missing {note}", highlight=False, soft_wrap=True)


def _register_rows(reg: dict[str, Any]) -> list[tuple[str, Any]]:
    """How the lines read are accounted for: header, blank and comment lines, entries, repeats, bad records."""
    layout = [("header lines ('Updated:')", reg["header_lines"])] if reg["kind"] == "rkn" else \
        [("blank or comment lines", reg["comment_lines"])]
    return [("lines read", reg["lines_read"]), *layout, ("entries", reg["entries"]),
            ("repeated lines skipped", reg["bad_records"]["repeats"]),
            ("bad records skipped", reg["bad_records"]["count"])]


def render_report(report: BlockingReport, limit: int) -> None:
    c = report.counts
    reg = report.register
    head = Table(title=f"register {', '.join(reg['sources'])}", show_header=False, title_justify="left")
    for key, value in [("updated", reg["updated"] or "unknown (no header)"), ("encoding", reg["encoding"]),
                       *_register_rows(reg),
                       ("entries without addresses", c.entries_without_addresses),
                       ("distinct IPv4 addresses", c.distinct_ipv4_addresses),
                       ("distinct IPv6 addresses", c.distinct_ipv6_addresses), ("distinct subnets", c.distinct_subnets),
                       ("distinct domains", c.distinct_domains), ("blocked IPv4 (deduplicated)", c.blocked_ipv4),
                       ("blocked IPv6 (deduplicated)", c.blocked_ipv6),
                       ("blocked IPv4 without origin AS", report.unattributed_ipv4)]:
        head.add_row(key, _cell(value))
    console.print(head)
    _releases(report.attribution)
    gap = report.not_attributed
    console.print(group_table(report.by_origin_as, "blocked space by origin AS", limit, note=gap))
    console.print(group_table(report.by_organization, "by organization", limit, note=gap))
    console.print(group_table(report.by_country, "by country of the origin AS's organization", limit, note=gap))
    if len(report.by_provider):
        console.print(group_table(report.by_provider, "by cloud provider (share = blocked / published IPv4)", limit))
        console.print(group_table(report.by_cloud, "by cloud provider, service and region", limit))
    console.print(group_table(report.by_authority, "by authority", limit))
    console.print(group_table(report.by_decision, "decisions behind the most address space", limit))
    if len(report.growth):
        console.print(group_table(report.growth.tail(12), "growth by decision month (the latest months)", 12,
                                  what="months"))
    col = report.collateral
    if col is not None:
        summary = Table(title="collateral damage", show_header=False, title_justify="left")
        for key, value in [("resolved domains", col.resolved_domains), ("domains on blocked addresses",
                                                                          col.domains_on_blocked),
                           ("unrelated domains on blocked addresses", col.unrelated_domains),
                           ("blocked addresses seen in resolutions", col.blocked_addresses_resolved),
                           ("blocked addresses serving unrelated domains", col.addresses_with_unrelated)]:
            summary.add_row(key, _cell(value))
        console.print(summary)
        console.print(group_table(col.by_provider, "unrelated domains by hosting provider", limit))
        console.print(group_table(col.top_entries, "entries causing the most collateral", limit))
        _warn_bad(col.resolutions)
    print_notes([n for n in (*report.attribution.get("missing", []), *report.notes) if n != gap])
    _warn_bad(reg)


def render_diff(diff: BlockingDiff, limit: int) -> None:
    head = Table(title="register diff", show_header=False, title_justify="left")
    for key, value in [("old", ", ".join(diff.old["sources"])), ("new", ", ".join(diff.new["sources"])),
                       ("old updated", diff.old["updated"] or "unknown (no header)"),
                       ("new updated", diff.new["updated"] or "unknown (no header)"),
                       ("entries added", diff.entries_added), ("entries removed", diff.entries_removed),
                       ("entries in both", diff.entries_kept), ("blocked IPv4 old → new",
                                                                f"{diff.ipv4_old:,} → {diff.ipv4_new:,}"),
                       ("IPv4 added", diff.ipv4_added), ("IPv4 removed", diff.ipv4_removed),
                       ("IPv4 added without origin AS", diff.unattributed_ipv4_added),
                       ("IPv4 removed without origin AS", diff.unattributed_ipv4_removed),
                       ("IPv6 added", diff.ipv6_added), ("IPv6 removed", diff.ipv6_removed)]:
        head.add_row(key, _cell(value))
    console.print(head)
    old_at, new_at = diff.attribution_old, diff.attribution_new
    if old_at["target_date"] == new_at["target_date"] and old_at["date_basis"] == new_at["date_basis"]:
        _releases(new_at, "space added and removed attributed", missing=True)
    else:
        _releases(old_at, "space removed attributed as of the OLD register", missing=True)
        _releases(new_at, "space added attributed as of the NEW register", missing=True)
    console.print(group_table(diff.by_organization, "space added/removed by organization", limit,
                              note=diff.not_attributed))
    if len(diff.by_provider):
        console.print(group_table(diff.by_provider, "space added/removed by cloud provider", limit))
    for label, items in (("added", diff.added_examples), ("removed", diff.removed_examples)):
        if items:
            console.print(f"{label}, e.g.: " + "; ".join(items), highlight=False, soft_wrap=True)
    print_notes([*diff.old["notes"], *diff.new["notes"]])
    _warn_bad(diff.old)
    _warn_bad(diff.new)


def render_updates(cadence: UpdateCadence) -> None:
    head = Table(title=f"register updates {cadence.source}", show_header=False, title_justify="left")
    for key, value in [("updates (log lines)", cadence.updates), ("distinct register times",
                                                                   cadence.distinct_register_times),
                       ("first / last", f"{cadence.first} / {cadence.last}"),
                       ("median gap (hours)", round(cadence.median_gap_hours, 2)),
                       ("longest gap (hours)", f"{cadence.longest_gap_hours:,.1f} after {cadence.longest_gap_after}")]:
        head.add_row(key, _cell(value))
    console.print(head)
    console.print(group_table(cadence.by_month, "updates per month (by the register's own time)", 1000))
    for line, when, message in cadence.notes:
        console.print(f"  line {line} ({when}): {message}", highlight=False, soft_wrap=True)
    _warn_bad(cadence.__dict__)


def write_csv_dir(directory: Path, tables: list[GroupTable], summary: dict[str, Any]) -> list[Path]:
    """One CSV per table plus summary.csv (key,value), each written atomically."""
    written = []
    for name, rows, header in [("summary", [[k, v] for k, v in summary.items()], ["key", "value"])] + [
            (t.name, [[r[c] for c in t.columns] for r in t.records()], list(t.columns)) for t in tables]:
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(header)
        writer.writerows([[fmt.csv_value(v, c) for v, c in zip(row, header, strict=True)] for row in rows])
        target = directory / f"{name}.csv"
        with atomic_write(target) as fh:
            fh.write(buf.getvalue().encode("utf-8"))
        written.append(target)
    return written


def provider_bars(report: BlockingReport, n: int = 15) -> GroupTable:
    """Top organizations (by origin AS) and every cloud provider, as one bar table."""
    orgs = report.by_organization.head(n)
    labels = [str(x) for x in orgs.columns["organization"].tolist()]
    values = list(orgs.columns["ipv4"].tolist())
    for rec in report.by_provider.records():
        labels.append(f"cloud: {rec['provider']}")
        values.append(rec["ipv4"])
    return GroupTable.make("provider_bars", {"provider": labels, "ipv4": values}, sort_by="ipv4")


def write_plot(path: Path, bars: GroupTable, label_col: str, growth: GroupTable | None, title: str) -> None:
    """Blocked IPv4 by provider (bars) and growth over time (line), one PNG or SVG (by suffix), written atomically."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update(STYLE)
    panels = 2 if growth is not None and len(growth) else 1
    fig, axes = plt.subplots(1, panels, figsize=(7 * panels, 5), squeeze=False)
    top = bars.head(15)
    ax = axes[0][0]
    ax.barh([chart_label(str(x)) for x in top.columns[label_col].tolist()][::-1], top.columns["ipv4"][::-1])
    ax.set_xlabel("blocked IPv4 addresses (deduplicated)")
    ax.set_title(f"{title}: blocked space by {label_col}")
    if panels == 2:
        assert growth is not None
        ax2 = axes[0][1]
        months = growth.columns["month"].astype(str).astype("datetime64[M]").astype("datetime64[D]").astype(object)
        ax2.step(months, growth.columns["ipv4"], where="post", label="blocked IPv4 (cumulative)")
        ax2.set_ylabel("IPv4 addresses")
        twin = ax2.twinx()
        twin.step(months, growth.columns["entries"], where="post", color="tab:orange", label="entries (cumulative)")
        twin.set_ylabel("entries")
        fig.autofmt_xdate()
        ax2.set_title("growth by decision month")
        ax2.legend(loc="upper left")
        twin.legend(loc="lower right")
    fig.tight_layout()
    save_figure(fig, path)


def write_series_plot(path: Path, series: GroupTable) -> None:
    """Blocked IPv4 and entries of each register in a series, one PNG or SVG (by suffix), written atomically."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update(STYLE)
    labels = [u[:10] or Path(r.split(", ")[0]).name for u, r in
              zip(series.columns["updated"].tolist(), series.columns["register"].tolist(), strict=True)]
    fig, ax = plt.subplots(figsize=(8, 5))
    ax.plot(labels, series.columns["ipv4"], marker="o", label="blocked IPv4 (deduplicated)")
    ax.set_ylabel("IPv4 addresses")
    twin = ax.twinx()
    twin.plot(labels, series.columns["entries"], marker="s", color="tab:orange", label="entries")
    twin.set_ylabel("entries")
    ax.set_title("growth over a series of registers")
    ax.legend(loc="upper left")
    twin.legend(loc="lower right")
    fig.autofmt_xdate()
    fig.tight_layout()
    save_figure(fig, path)

"""What a blocking register blocks, whose space it is, what changed between registers, how often it moves.

Attribution data (prefix-to-AS, AS organizations, cloud ranges) comes from the one
:class:`~splinternet.sources.snapshot.Snapshot` of the target date, or from files the
caller chose (:class:`AttributionFiles`); the report lists every file with its sha256.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..analysis.blocking import BlockingReport, analyze_blocking
from ..analysis.blocking_diff import BlockingDiff, diff_registers, register_series
from ..analysis.blocking_groups import GroupTable
from ..analysis.blocking_updates import UpdateCadence, update_cadence
from ..config import DecompressionLimits, Settings
from ..progress import NO_PROGRESS, Progress
from ..sources.attribution import AttributionData
from ..sources.compression import read_decompressed
from ..sources.registry import Register, RegisterKind, load_register
from ..sources.registry_log import load_update_log
from ..sources.resolutions import Resolutions, load_resolutions
from ..sources.snapshot import DatasetChoices, Snapshot
from . import params

__all__ = ["AttributionFiles", "BlockingOptions", "attribution_date", "attribution_for", "blocking_diff",
           "blocking_report", "blocking_series", "blocking_updates", "check_expansion", "load_registers",
           "read_resolutions"]

PathLike = str | os.PathLike[str]


@dataclass(frozen=True)
class AttributionFiles:
    """Files that replace the catalog for one attribution dataset; ``use_catalog=False``: only these."""

    pfx2as: tuple[PathLike, ...] = ()
    rib: tuple[PathLike, ...] = ()  # MRT files: origins from their routes instead of prefix-to-AS
    asorg: PathLike | None = None
    cloud: PathLike | None = None  # a provider file, a directory of them, or AWS history tarballs
    use_catalog: bool = True


@dataclass(frozen=True)
class BlockingOptions:
    """How to read registers and attribute them."""

    date: str | dt.date | None = None  # attribution date; default: each register's own (attribution_date)
    kind: RegisterKind = RegisterKind.AUTO
    files: AttributionFiles = AttributionFiles()
    top: int = 20  # rows kept in the AS, organization and decision tables (0 = all)
    strict: bool = False  # stop at the first bad record
    allow_damaged: bool = False  # go on past the bad-record limit (a share of a file's records)
    uses: DatasetChoices | None = None  # a date or file replacing the catalog's release of single datasets


def attribution_date(date: str | dt.date | None, register: Register) -> tuple[dt.date, str]:
    """The date to attribute ``register`` with, and what it rests on.

    The date asked for; else the register's own ``Updated:`` time; else (no header) its newest
    decision date, since it was published that day or later; else (a plain list) today.
    """
    when = params.when(date) if date else None
    if when is not None:
        return when.date(), "the date chosen by the caller"
    if register.updated is not None:
        return register.updated.date(), "the register's 'Updated:' time"
    newest = register.newest_decision_date()
    if newest is not None:
        return newest, ("the register's newest decision date (it has no 'Updated:' header, and was published "
                        "that day or later)")
    return dt.datetime.now(dt.UTC).date(), "today (the register carries no date)"


def _attribution(date: str | dt.date | None, register: Register, options: BlockingOptions,
                 settings: Settings | None) -> AttributionData:
    """Attribution tables for ``register`` at :func:`attribution_date`, saying what that date rests on."""
    when, basis = attribution_date(date, register)
    data = attribution_for(when, options.files, settings=settings, strict=options.strict,
                           allow_damaged=options.allow_damaged, uses=options.uses)
    return dataclasses.replace(data, date_basis=basis)


def attribution_for(target: dt.date, files: AttributionFiles = AttributionFiles(), *,
                    settings: Settings | None = None, progress: Progress = NO_PROGRESS, strict: bool = False,
                    allow_damaged: bool = False, uses: DatasetChoices | None = None) -> AttributionData:
    """Attribution tables for ``target`` through the snapshot of that day (files, then ``uses``, override
    the catalog)."""
    snapshot = Snapshot.for_date(target, settings=settings, progress=progress, strict=strict,
                                 allow_damaged=allow_damaged, choices=uses)
    return snapshot.attribution(target, pfx2as=files.pfx2as, rib=files.rib, asorg=files.asorg, cloud=files.cloud,
                                use_catalog=files.use_catalog)


def load_registers(paths: Sequence[PathLike] | PathLike, options: BlockingOptions = BlockingOptions(), *,
                   limits: DecompressionLimits | None = None) -> Register:
    """One register: a file, or the pieces of a split register in order (or their directory).

    ``limits`` caps how far a compressed register may expand (default: the environment's).
    """
    return load_register(paths, strict=options.strict, kind=params.register_kind(options.kind),
                         allow_damaged=options.allow_damaged, max_bad_share=Settings.from_env().max_bad_share,
                         limits=limits)


def blocking_report(register: Sequence[PathLike] | PathLike | Register, options: BlockingOptions = BlockingOptions(),
                    *, resolutions: PathLike | Resolutions | None = None, settings: Settings | None = None,
                    progress: Progress = NO_PROGRESS) -> BlockingReport:
    """Blocked space (deduplicated) by origin AS, organization, country, cloud, authority, decision; with
    ``resolutions``, the collateral damage: unrelated domains on blocked addresses."""
    progress.start("blocking report", 4)
    reg = register if isinstance(register, Register) else load_registers(register, options)
    progress.advance(1)
    attribution = _attribution(options.date, reg, options, settings)
    progress.advance(1)
    res = load_resolutions(resolutions, strict=options.strict) \
        if resolutions is not None and not isinstance(resolutions, Resolutions) else resolutions
    progress.advance(1)
    report = analyze_blocking(reg, attribution, res, top=options.top)
    progress.advance(1)
    progress.finish()
    return report


def blocking_diff(old: Sequence[PathLike] | PathLike, new: Sequence[PathLike] | PathLike,
                  options: BlockingOptions = BlockingOptions(), *, settings: Settings | None = None,
                  progress: Progress = NO_PROGRESS) -> BlockingDiff:
    """Entries and address space added and removed between two registers.

    Each register is attributed at its own date (:func:`attribution_date`): removed space as
    of OLD's, added space as of NEW's; ``options.date`` sets one date for both.
    """
    progress.start("blocking diff", 3)
    a = load_registers(old, options)
    b = load_registers(new, options)
    progress.advance(1)
    attribution_new = _attribution(options.date, b, options, settings)
    when_old, basis_old = attribution_date(options.date, a)
    attribution_old = dataclasses.replace(attribution_new, date_basis=basis_old) \
        if when_old == attribution_new.target else _attribution(options.date, a, options, settings)
    progress.advance(1)
    diff = diff_registers(a, b, attribution_new, attribution_old=attribution_old, top=options.top)
    progress.advance(1)
    progress.finish()
    return diff


def blocking_series(registers: Sequence[Sequence[PathLike] | PathLike], options: BlockingOptions = BlockingOptions(),
                    *, progress: Progress = NO_PROGRESS) -> GroupTable:
    """Entries and deduplicated blocked space of each register in time order, added and removed."""
    progress.start("registers", len(registers))
    loaded = []
    for path in registers:
        loaded.append(load_registers(path, options))
        progress.advance(1)
    progress.finish()
    return register_series(loaded)


def blocking_updates(log: PathLike, *, strict: bool = False) -> UpdateCadence:
    """How often the register was updated, per month (the zapret-info log has times, not sizes)."""
    return update_cadence(load_update_log(log, strict=strict))


def read_resolutions(path: PathLike, *, strict: bool = False, limits: DecompressionLimits | None = None) -> Resolutions:
    """Domain resolutions (domain,ip CSV or zdns/massdns JSON lines) for the collateral-damage tables.

    ``limits`` caps how far a compressed file may expand (default: the environment's).
    """
    return load_resolutions(path, strict=strict, limits=limits)


def check_expansion(path: PathLike, limits: DecompressionLimits) -> None:
    """Refuse a file (or any file of a directory) that would expand past ``limits``.

    The attribution loaders read under the library's own limits; a server checks an
    uploaded attribution file against its narrower upload limits first, so an upload
    cannot cost more memory than a register may. A damaged stream stops here as it would
    in the loader (one :class:`InputError`).
    """
    target = Path(path)
    for item in sorted(p for p in target.iterdir() if p.is_file()) if target.is_dir() else [target]:
        read_decompressed(item, limits=limits)

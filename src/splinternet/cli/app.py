"""Entry point: the root Typer app, sub-commands loaded only when they run, errors turned into one line.

Each sub-command lives in its own module, and some of those modules pull in numba kernels,
pandas, FastAPI or matplotlib. Importing them all up front made ``splinternet --help`` take
half a second and every command pay for every other. :data:`COMMANDS` names where each command
lives and the one line ``--help`` shows for it, so the root help is printed without importing
any command module; a command's module is imported only when that command runs.
``tests/cli/test_app_lazy.py`` checks that this table matches the commands the modules define.
"""

from __future__ import annotations

import gc
import importlib
import sys
from dataclasses import dataclass
from typing import Annotated, Any

import typer
import typer.main
from typer.core import TyperCommand, TyperGroup

from .. import __version__
from ..errors import SplinternetError

__all__ = ["COMMANDS", "LazyCommand", "app", "main"]


@dataclass(frozen=True)
class LazyCommand:
    """Where a root command is defined: ``attribute`` of ``splinternet.cli.<module>`` (a function or a Typer app)."""

    module: str
    attribute: str
    help: str  # the first paragraph of the command's help, as the root --help lists it


# Order is the order of the root --help listing (commands first, then groups, as Typer lists them).
COMMANDS: dict[str, LazyCommand] = {
    "asn": LazyCommand(
        "lookup", "asn_command",
        "Name, organization, country, providers, customers, peers and customer-cone size of an AS."),
    "ip": LazyCommand(
        "lookup", "ip_command",
        "Covering prefix, origin AS(es) and name, registry country, cloud provider and service of an address."),
    "transit": LazyCommand(
        "transit", "transit_command",
        "Rank the foreign transit providers and domestic gateways that carry CC to the world."),
    "whatif": LazyCommand(
        "scenarios", "whatif_command",
        "Remove ASes (or only their links into CC), re-run route selection, and compare with before."),
    "diff": LazyCommand(
        "scenarios", "diff_command",
        "What changed for CC between two dates: border links lost and gained, shares moved, new single-homed."),
    "report": LazyCommand(
        "web", "report_command",
        "One self-contained HTML report: ranking, charts, served and single-homed networks, provenance."),
    "serve": LazyCommand(
        "web", "serve_command",
        "The web dashboard and REST API (FastAPI); results are cached, long ones show progress."),
    "simulate": LazyCommand(
        "simulate", "simulate_command",
        "Propagate one origin (BGPy's rules and tie-break; see docs/simulation.md) and summarize reachability."),
    "ingest": LazyCommand(
        "ingest", "ingest_command",
        "Download MRT archives of a time window, parse them in parallel, write partitioned Parquet (resumable)."),
    "query": LazyCommand(
        "ingest", "query_command",
        "Query ingested archives with SQL; helpers: prefix_text(afi, prefix_hi, prefix_lo, prefix_len), ip_text."),
    "data": LazyCommand(
        "data", "app",
        "Public datasets: what the catalog knows, fetch releases, list the cache."),
    "mrt": LazyCommand(
        "mrt", "app",
        "MRT routing archives (RIS, RouteViews): dump, statistics, routing state."),
    "blocking": LazyCommand(
        "blocking", "app",
        "What a blocking register (Roskomnadzor dump or plain list) really blocks, and whose it is."),
    "timeline": LazyCommand(
        "ingest", "timeline_app",
        "Shares over time: `timeline CC --from D1 --to D2` (a country's providers; the `country` word may be "
        "left out) or `timeline blocking REGISTER...`."),
}


def load_command(name: str) -> Any:
    """The click command of root command ``name``, built as ``app.command``/``app.add_typer`` would build it."""
    entry = COMMANDS[name]
    target = getattr(importlib.import_module(f"{__package__}.{entry.module}"), entry.attribute)
    holder = typer.Typer(add_completion=False)
    if isinstance(target, typer.Typer):
        holder.add_typer(target, name=name)
        group = typer.main.get_command(holder)
        assert isinstance(group, TyperGroup)
        return group.commands[name]
    holder.command(name)(target)
    return typer.main.get_command(holder)


class LazyGroup(TyperGroup):
    """The root group: lists :data:`COMMANDS` from the table, imports a command's module when it is resolved."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self._listing = False
        # stand-ins carry the name and one help line; typo suggestions read these names too
        for name, entry in COMMANDS.items():
            self.commands[name] = TyperCommand(name=name, help=entry.help)
        self._loaded: set[str] = set()

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if self._listing or cmd_name not in COMMANDS:
            return super().get_command(ctx, cmd_name)
        if cmd_name not in self._loaded:
            self.commands[cmd_name] = load_command(cmd_name)
            self._loaded.add(cmd_name)
            _startup_over()
        return self.commands[cmd_name]

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self._listing = True  # the listing needs names and help lines only: no command module is imported
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False


app = typer.Typer(
    name="splinternet",
    help="How a country is wired to the rest of the Internet, from public data.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    cls=LazyGroup,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"splinternet {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """How a country is wired to the rest of the Internet, from public data."""


_gc_paused = False


def _startup_over() -> None:
    """Resume the garbage collector paused by :func:`main`, with everything imported so far frozen.

    Imports (numba above all) create a few hundred thousand objects that live as long as the
    process; collecting while they pile up, and later walking them in every full collection,
    cost ``mrt dump`` about 0.1 s of CPU. Frozen, the collector never looks at them again.
    """
    global _gc_paused
    if _gc_paused:
        _gc_paused = False
        gc.freeze()
        gc.enable()


def main() -> None:
    """Run the CLI; library errors become one clear line on stderr and exit status 2.

    Standalone mode lets the CLI library report usage errors (unknown option, bad value)
    itself, whichever click it bundles; anything of ours arrives here. The garbage collector
    is paused while the command's modules are imported (see :func:`_startup_over`), and at
    the end every object is frozen: the interpreter's final collections then skip numba's
    object graph, which took about 0.2 s of CPU on every exit (objects are still freed
    by reference counting; only unreachable cycles are left to the OS).
    """
    global _gc_paused
    if gc.isenabled():
        gc.disable()
        _gc_paused = True
    try:
        app(standalone_mode=True)
    except SplinternetError as exc:
        _err_console().print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        sys.exit(2)
    except KeyboardInterrupt:
        _err_console().print("interrupted")
        sys.exit(130)
    finally:
        _startup_over()
        gc.freeze()


def _err_console() -> Any:
    # imported here, not at the top: cli.output pulls in numpy and rich.progress, which --help does not need
    from .output import err_console

    return err_console

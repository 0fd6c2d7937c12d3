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
from typer._click import exceptions as click_exceptions
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
    "world": LazyCommand(
        "world", "world_command",
        "Every country's transit providers, gateways and map indices on a date or a series of dates (Parquet, "
        "resumable; a series runs on Dask and finds events)."),
    "whatif": LazyCommand(
        "scenarios", "whatif_command",
        "Remove ASes (or only their links into CC), re-run route selection, and compare with before."),
    "diff": LazyCommand(
        "scenarios", "diff_command",
        "What changed for CC between two dates: border links lost, gained or changed, shares moved, new single-homed."),
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
        "Query ingested archives or a world dataset with SQL; helpers: prefix_text(afi, prefix_hi, prefix_lo, "
        "prefix_len), ip_text."),
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
        return plain_labels(group.commands[name])
    holder.command(name, cls=NumbersAsArguments)(target)
    return plain_labels(typer.main.get_command(holder))


class NumbersAsArguments(TyperCommand):
    """``asn -1``: a negative number is an argument to check (and refuse as not an AS number), not an option.

    Such a token is moved after ``--`` unless it is the value of the option before it
    (``--top -5`` stays, and is refused by the option's bounds).
    """

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        takes_value = {o for p in self.params if p.param_type_name == "option" and not getattr(p, "is_flag", False)
                       for o in p.opts}
        if "--" not in args:
            numbers = [i for i, a in enumerate(args) if a[:1] == "-" and a[1:].isdigit()
                       and not (i > 0 and args[i - 1] in takes_value)]
            if numbers:
                args = [a for i, a in enumerate(args) if i not in numbers] + ["--"] + [args[i] for i in numbers]
        return super().parse_args(ctx, args)

# the value label the help shows for an option's type (typer shows Python types: <str>, <list[str]>)
_LABELS = {"str": "TEXT", "int": "INTEGER", "float": "NUMBER", "path": "PATH", "file": "FILE", "directory": "DIR",
           "datetime": "TIME"}


def _no_type_label(ctx: Any = None) -> None:
    return None


def _help_without_label(get_help_option: Any) -> Any:
    """The ``--help`` option, which a context builds on demand, as a flag without a type label too."""
    def get(ctx: Any) -> Any:
        option = get_help_option(ctx)
        if option is not None and option.metavar is None:
            option.metavar = ""
        return option

    return get


def plain_labels(command: Any) -> Any:
    """Give every parameter of ``command`` (and its sub-commands) a label a reader understands.

    Typer's help prints the Python type of each option (``<bool>``, ``<list[str]>``,
    ``<str>``): a flag gets no label, a choice lists its values (``address|registered``),
    anything else a word (``TEXT``, ``INTEGER``, ``PATH``); an argument is named in capitals.
    Setting ``metavar`` is the hook Typer offers for this.
    """
    for sub in getattr(command, "commands", {}).values():
        plain_labels(sub)
    command.get_help_option = _help_without_label(command.get_help_option)
    for param in getattr(command, "params", []):
        if param.metavar is not None:
            continue
        if getattr(param, "is_flag", False):
            param.metavar = ""
            continue
        desc = param.type_descriptor
        if desc.is_choice:
            label = "|".join(str(getattr(c, "value", c)) for c in desc.choices or ())
        else:
            bare = param.bare_type().removeprefix("list[").removesuffix("]").lower()
            label = _LABELS.get(desc.path_type if desc.is_path else bare, "TEXT")
        if param.param_type_name == "argument":
            param.metavar = param.name.upper()  # the usage line adds "..." to an argument that repeats
            param.display_type_rich = _no_type_label  # the argument's name says what it is
            continue
        param.metavar = label + ("..." if param.nargs != 1 else "")
    return command


class LazyGroup(TyperGroup):
    """The root group: lists :data:`COMMANDS` from the table, imports a command's module when it is resolved."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self._listing = False
        # stand-ins carry the name and one help line; typo suggestions read these names too
        for name, entry in COMMANDS.items():
            self.commands[name] = TyperCommand(name=name, help=entry.help)
        self._loaded: set[str] = set()
        plain_labels(self)

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
    """Run the CLI; every error, ours or a usage error, becomes one clear line on stderr and exit status 2.

    Usage errors (a missing argument, a bad value) are caught here rather than drawn by the
    CLI library as a usage block and a boxed panel: one line says what is wrong and where
    the help is. A :class:`DataNotFoundError` adds the exact option that would use the
    nearest release that exists. The garbage collector is paused while the command's modules
    are imported (see :func:`_startup_over`), and at the end every object is frozen: the
    interpreter's final collections then skip numba's object graph, which took about 0.2 s
    of CPU on every exit (objects are still freed by reference counting; only unreachable
    cycles are left to the OS).
    """
    global _gc_paused
    if gc.isenabled():
        gc.disable()
        _gc_paused = True
    try:
        code = app(standalone_mode=False)
    except click_exceptions.NoArgsIsHelpError as exc:
        sys.exit(exc.exit_code)  # the help was printed: a group or command called without arguments
    except click_exceptions.UsageError as exc:
        where = f" (see `{exc.ctx.command_path} --help`)" if exc.ctx is not None else ""
        _error(f"{exc.format_message().replace('Value error, ', '')}{where}")
        sys.exit(exc.exit_code)
    except click_exceptions.ClickException as exc:
        _error(exc.format_message())
        sys.exit(exc.exit_code)
    except typer.Abort:
        _err_console().print("aborted")
        sys.exit(1)
    except SplinternetError as exc:
        _error(str(exc) + "".join(f"; {line}" for line in _suggested_options(exc)))
        sys.exit(2)
    except KeyboardInterrupt:
        _err_console().print("interrupted")
        sys.exit(130)
    except SystemExit as exc:
        if exc.code == 1 and type(sys.stdout).__name__ == "PacifyFlushWrapper":
            # the CLI library met a closed pipe (`| head`) and wrapped stdout: the reader left, which
            # is not an error; status 0 without a word, as `mrt dump` does
            sys.exit(0)
        raise
    finally:
        _startup_over()
        gc.freeze()
    sys.exit(code if isinstance(code, int) else 0)


def _error(text: str) -> None:
    # the message is text, not markup: "pip install 'splinternet[web]'" must keep its "[web]"
    console = _err_console()
    console.print("[bold red]error:[/] ", end="", highlight=False)
    console.print(text, markup=False, highlight=False, soft_wrap=True)


# datasets chosen by their own option; in commands with --use every other one but the AS
# relationships (which --date is about) is chosen by --use DATASET=DATE, elsewhere by --date
_DATE_OPTION = {"routeviews-pfx2as": "--prefixes-date ", "caida-asrel": "--date "}
_USE_COMMANDS = {"asn", "ip", "transit", "world", "whatif", "diff", "report", "simulate", "blocking", "timeline"}


def _suggested_options(exc: SplinternetError) -> list[str]:
    """For a missed release, the option that would use each nearest release that exists."""
    from ..errors import DataNotFoundError

    if not isinstance(exc, DataNotFoundError) or not exc.suggestions:
        return []
    use = len(sys.argv) > 1 and sys.argv[1] in _USE_COMMANDS
    lines = []
    for s in exc.suggestions[:4]:
        params = "".join(f" {k}={v}" for k, v in s.params.items())
        option = _DATE_OPTION.get(s.dataset) or (f"--use {s.dataset}=" if use else "--date ")
        lines.append(f"try {option}{s.date} ({s.dataset}{params} release of {s.released:%Y-%m-%d %H:%M})")
    return list(dict.fromkeys(lines))


def _err_console() -> Any:
    # imported here, not at the top: cli.output pulls in numpy and rich.progress, which --help does not need
    from .output import err_console

    return err_console

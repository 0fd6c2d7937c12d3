"""Entry point: the root Typer app, sub-commands registered here, errors turned into one line."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from .. import __version__
from ..errors import SplinternetError
from .output import err_console

app = typer.Typer(
    name="splinternet",
    help="How a country is wired to the rest of the Internet, from public data.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
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


def _register() -> None:
    """Attach the sub-commands; each lives in its own module of this package."""
    # Each sub-command module adds itself with one import and one add_typer/command line.
    from . import data as data_cli

    app.add_typer(data_cli.app, name="data")
    from . import lookup

    app.command("asn")(lookup.asn_command)
    app.command("ip")(lookup.ip_command)
    from . import transit

    app.command("transit")(transit.transit_command)
    from . import scenarios

    app.command("whatif")(scenarios.whatif_command)
    app.command("diff")(scenarios.diff_command)
    from . import mrt as mrt_cli

    app.add_typer(mrt_cli.app, name="mrt")
    from . import blocking as blocking_cli

    app.add_typer(blocking_cli.app, name="blocking")
    from . import web as web_cli

    app.command("report")(web_cli.report_command)
    app.command("serve")(web_cli.serve_command)
    from . import simulate as simulate_cli

    app.command("simulate")(simulate_cli.simulate_command)
    from . import ingest as ingest_cli

    app.command("ingest")(ingest_cli.ingest_command)
    app.command("query")(ingest_cli.query_command)
    app.add_typer(ingest_cli.timeline_app, name="timeline")


_register()


def main() -> None:
    """Run the CLI; library errors become one clear line on stderr and exit status 2.

    Standalone mode lets the CLI library report usage errors (unknown option, bad value)
    itself, whichever click it bundles; anything of ours arrives here.
    """
    try:
        app(standalone_mode=True)
    except SplinternetError as exc:
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        sys.exit(2)
    except KeyboardInterrupt:
        err_console.print("interrupted")
        sys.exit(130)

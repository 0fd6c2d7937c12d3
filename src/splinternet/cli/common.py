"""Options shared by many commands, declared once."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

from ..errors import ParameterError

JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON for scripts.")]
DateOption = Annotated[
    str | None,
    typer.Option("--date", "-d", help="Date of the data (YYYY-MM-DD); the newest release at or before it is used."),
]
StrictOption = Annotated[
    bool, typer.Option("--strict", help="Stop at the first bad record instead of skipping and counting.")
]
OfflineOption = Annotated[
    bool, typer.Option("--offline", help="Use only the cache (and a local mirror); never the network.")
]
AllowDamagedOption = Annotated[
    bool, typer.Option("--allow-damaged", help="Go on when more than the allowed share of an input's records are "
                       "bad (SPLINTERNET_MAX_BAD_SHARE, default 0.1%); they are skipped and counted in the notes. "
                       "A cut or corrupt compressed file stops the run anyway: what it lost cannot be counted.")
]
StabilityOption = Annotated[
    bool, typer.Option("--stability", help="Also re-rank over the honest alternatives (other tie rules, vantage "
                       "schemes, the previous and next month's AS relationships) and show each headline rank's "
                       "range; eight propagations instead of one.")
]
TopOption = Annotated[int, typer.Option("--top", min=1, help="Rows per table.")]
UseOption = Annotated[
    list[str] | None,
    typer.Option("--use", metavar="DATASET=DATE|FILE",
                 help="Take one dataset from another date or from a file instead of the catalog's release for "
                      "the analysis date (repeatable), e.g. --use caida-asorg=2022-04-01 or --use "
                      "routeviews-pfx2as=FILE; the sources list it as chosen. `splinternet data datasets` names them."),
]
DaskWorkersOption = Annotated[int, typer.Option("--workers", "-w", help="Local Dask worker processes (0: no Dask, "
                                                "this process only).")]
DaskAddressOption = Annotated[str | None, typer.Option("--dask", help="Address of a running Dask scheduler, e.g. "
                                                       "tcp://10.0.0.5:8786 (workers need splinternet and the same "
                                                       "SPLINTERNET_* settings).")]


@contextmanager
def naming_options(**options: str) -> Iterator[None]:
    """Add this command's option to a library ParameterError about one of the call's parameters.

    The library names no command-line flag (its messages serve the web app and notebooks too);
    ``options`` maps its parameter names to the flags of this command, e.g. ``end="--to"``.
    """
    try:
        yield
    except ParameterError as exc:
        flag = options.get(exc.parameter or "")
        if flag is None:
            raise
        raise type(exc)(f"{exc} ({flag})", parameter=exc.parameter) from None

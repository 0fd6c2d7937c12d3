"""The root CLI loads command modules lazily: same commands, same help, same errors as loading them all.

``splinternet.cli.app.COMMANDS`` is the one list of root commands (module, attribute, help
line). These tests hold it to the modules: every command they define is in it, its help
line is the command's own, and the root app behaves exactly like one that imports and
registers everything up front (as the CLI did before). Then, in fresh interpreters, that
``--help`` imports no command module and ``mrt dump`` imports no kernel it does not run.
"""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.core import TyperGroup
from typer.testing import CliRunner

import splinternet.cli
from splinternet.cli import app as cli_app
from splinternet.cli.app import COMMANDS

RIS_UPDATES = "https://data.ris.ripe.net/rrc23/2022.04/updates.20220421.0200.gz"


def _target(name: str) -> Any:
    entry = COMMANDS[name]
    return getattr(importlib.import_module(f"splinternet.cli.{entry.module}"), entry.attribute)


class _Labelled(TyperGroup):
    """The eager root with the same help labels as the lazy one (``cli_app.plain_labels``)."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        cli_app.plain_labels(self)


def _eager_app() -> typer.Typer:
    """The root app as it was: every command module imported and registered up front."""
    eager = typer.Typer(name="splinternet", help=cli_app.app.info.help, no_args_is_help=True,
                        pretty_exceptions_enable=False, add_completion=False, cls=_Labelled)
    eager.callback()(cli_app._root)
    for name in COMMANDS:
        target = _target(name)
        if isinstance(target, typer.Typer):
            eager.add_typer(target, name=name)
        else:
            eager.command(name)(target)
    return eager


def _invoke(app: typer.Typer, args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(app, args)
    return result.exit_code, result.output


def _defined_root_commands() -> dict[int, str]:
    """Every Typer app and ``*_command`` function of the cli modules that no other Typer app already holds."""
    found: dict[int, tuple[str, Any]] = {}
    for info in pkgutil.iter_modules(splinternet.cli.__path__):
        if info.name == "app":
            continue
        module = importlib.import_module(f"splinternet.cli.{info.name}")
        for attr, value in vars(module).items():
            is_typer = isinstance(value, typer.Typer)
            is_command = callable(value) and attr.endswith("_command") and getattr(value, "__module__", "") == \
                module.__name__
            if is_typer or is_command:
                found.setdefault(id(value), (f"{module.__name__}.{attr}", value))
    held: set[int] = set()
    for _, value in found.values():
        if isinstance(value, typer.Typer):
            held.update(id(c.callback) for c in value.registered_commands)
            held.update(id(g.typer_instance) for g in value.registered_groups)
    return {k: where for k, (where, _) in found.items() if k not in held}


def test_commands_table_matches_the_commands_the_modules_define() -> None:
    defined = _defined_root_commands()
    listed = {id(_target(name)): name for name in COMMANDS}
    assert sorted(defined.values()) == sorted(
        f"splinternet.cli.{COMMANDS[name].module}.{COMMANDS[name].attribute}" for name in listed.values())
    assert set(defined) == set(listed)


def test_help_lines_are_the_commands_own() -> None:
    lazy = typer.main.get_command(cli_app.app)
    assert isinstance(lazy, cli_app.LazyGroup)
    for name, entry in COMMANDS.items():
        command = cli_app.load_command(name)
        own = (command.short_help or command.help or "").strip().split("\n\n")[0]
        assert " ".join(own.split()) == entry.help, name


@pytest.mark.parametrize("args", [["--help"], [], ["--version"]], ids=["help", "no-args", "version"])
def test_root_output_equals_the_eager_app(args: list[str]) -> None:
    lazy = _invoke(cli_app.app, args)
    assert lazy == _invoke(_eager_app(), args)
    if args != ["--version"]:
        for name, entry in COMMANDS.items():
            assert f" {name} " in lazy[1]
            assert entry.help.split()[0] in lazy[1]


@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_command_is_reachable(name: str) -> None:
    code, output = _invoke(cli_app.app, [name, "--help"])
    assert code == 0, output
    assert (code, output) == _invoke(_eager_app(), [name, "--help"])


def test_unknown_command_error_unchanged() -> None:
    code, output = _invoke(cli_app.app, ["trasit"])
    assert code == 2
    assert "No such command 'trasit'. Did you mean 'transit'?" in output
    assert (code, output) == _invoke(_eager_app(), ["trasit"])


_CHILD = """
import json, sys
report = sys.argv[2]
sys.argv = ["splinternet", *json.loads(sys.argv[1])]
from splinternet.cli.app import main
try:
    main()
except SystemExit as exc:
    code = exc.code
else:
    code = 0
kernels = sorted(n for n, m in list(sys.modules.items()) if n.startswith("splinternet")
                 and any(type(v).__name__ == "CPUDispatcher" for v in vars(m).values()))
with open(report, "w") as out:
    json.dump({"code": code, "modules": sorted(sys.modules), "kernel_modules": kernels}, out)
"""


def _modules_after(args: list[str], tmp_path: Path) -> dict[str, Any]:
    """What a fresh interpreter has imported after running ``splinternet ARGS`` (stdout discarded)."""
    report = tmp_path / "modules.json"
    proc = subprocess.run([sys.executable, "-c", _CHILD, json.dumps(args), str(report)], stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True, env=dict(os.environ), timeout=600)
    assert proc.returncode == 0, proc.stderr
    return json.loads(report.read_text())


_HEAVY = ("numpy", "numba", "pandas", "pyarrow", "duckdb", "matplotlib", "fastapi", "httpx", "scipy")


def test_help_imports_no_command_module(tmp_path: Path) -> None:
    seen = _modules_after(["--help"], tmp_path)
    assert seen["code"] == 0
    ours = {m for m in seen["modules"] if m.startswith("splinternet")}
    assert ours == {"splinternet", "splinternet.cli", "splinternet.cli.app", "splinternet.errors"}
    assert not [m for m in seen["modules"] if m.split(".")[0] in _HEAVY]


@pytest.mark.slow
@pytest.mark.data
def test_mrt_dump_imports_only_the_mrt_reader(tmp_path: Path, shared_file) -> None:
    seen = _modules_after(["mrt", "dump", str(shared_file(RIS_UPDATES))], tmp_path)
    assert seen["code"] == 0
    ours = {m for m in seen["modules"] if m.startswith("splinternet.")}
    # numba kernels, if any run (the ahead-of-time build runs none: tests/mrt/test_ahead_of_time.py), are MRT's
    assert all(m.startswith("splinternet.sources.mrt.") for m in seen["kernel_modules"]), seen["kernel_modules"]
    others = {m for m in ours if m.startswith("splinternet.cli.")} - {
        "splinternet.cli.app", "splinternet.cli.mrt", "splinternet.cli.common", "splinternet.cli.output"}
    assert not others
    # the command goes through the front door's light MRT module and the JSON helper, nothing else of theirs
    allowed = {"splinternet.api", "splinternet.api.mrt", "splinternet.report", "splinternet.report.jsonable",
               "splinternet.report.formatting"}
    assert not {m for m in ours - allowed if m.split(".")[1] in ("analysis", "tables", "ingest", "web", "api",
                                                                  "report")}
    assert not [m for m in seen["modules"] if m.split(".")[0] in ("pandas", "pyarrow", "duckdb", "matplotlib",
                                                                  "fastapi", "httpx")]

"""A reader that leaves early (`splinternet ... | head`) ends the output without an error status."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize("args", [("data", "datasets"), ("data", "datasets", "--json")],
                         ids=["rich-table", "json"])
def test_closed_pipe_is_not_an_error(args: tuple[str, ...]) -> None:
    # the reader is gone before the first line: every write meets a closed pipe
    proc = subprocess.Popen([sys.executable, "-m", "splinternet", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    err = proc.stderr.read()
    assert proc.wait(timeout=120) == 0, err
    assert err == b""  # no traceback and no message: nothing went wrong


def test_an_error_still_exits_2_with_the_pipe_closed() -> None:
    proc = subprocess.Popen([sys.executable, "-m", "splinternet", "transit", "RU", "--date", "2022-13-01"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    assert proc.wait(timeout=120) == 2 and b"2022-13-01" in proc.stderr.read()


def test_stdout_closed_at_start() -> None:
    # `splinternet ... >&-`: Python has no sys.stdout at all; the command still runs and ends cleanly
    for args in (("data", "datasets"), ("data", "datasets", "--json")):
        proc = subprocess.run([sys.executable, "-c", "import os, runpy, sys; os.close(1); sys.stdout = None; "
                               "sys.argv = ['splinternet', *sys.argv[1:]]; runpy.run_module('splinternet', "
                               "run_name='__main__')", *args], capture_output=True, timeout=120)
        assert proc.returncode == 0, proc.stderr.decode()[-2000:]

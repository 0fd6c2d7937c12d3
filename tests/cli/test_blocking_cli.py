"""`splinternet blocking` refuses a directory that holds no register, and a directory where a file is meant."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "splinternet", "blocking", *args], capture_output=True, text=True,
                          env={**os.environ, "SPLINTERNET_OFFLINE": "1"}, timeout=180)


@pytest.fixture
def register(tmp_path: Path) -> Path:
    path = tmp_path / "list.txt"
    path.write_text("1.2.3.4\nexample.com\n")
    return path


def test_directory_without_a_register_is_one_error(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("dear reader,\nnot a list\n")
    out = run(str(tmp_path))
    assert out.returncode == 2 and out.stdout == ""
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {tmp_path}: holds no register")
    assert "notes.txt does not read as a register" in lines[0]


@pytest.mark.parametrize("option", ["--asorg", "--pfx2as", "--rib", "--resolutions"])
def test_directory_where_a_file_is_meant_is_refused_before_work(tmp_path: Path, register: Path,
                                                                option: str) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    out = run(str(register), "--no-catalog", option, str(folder))
    assert out.returncode == 2
    assert out.stderr.strip() == f"error: {option} {folder}: is a directory; expected a file"


def test_missing_inputs_and_update_log_directory(tmp_path: Path, register: Path) -> None:
    out = run(str(register), "--asorg", str(tmp_path / "nope.txt"))
    assert out.stderr.strip() == f"error: --asorg {tmp_path / 'nope.txt'}: file not found"
    out = run(str(tmp_path / "gone.csv"))
    assert out.stderr.strip() == f"error: register {tmp_path / 'gone.csv'}: file not found"
    out = run("updates", str(tmp_path))
    assert out.stderr.strip() == f"error: update log {tmp_path}: is a directory; expected a file"
    out = run("diff", str(register), str(tmp_path / "gone.csv"))
    assert out.returncode == 2 and "gone.csv: file not found" in out.stderr

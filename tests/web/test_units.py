"""The web app's own pieces without data: parameter checks, register names, result cache, jobs, bounds."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from splinternet.errors import InputError, ParameterError
from splinternet.web.jobs import (
    Busy,
    ComputationTimeout,
    JobProgress,
    JobRunner,
    ResultCache,
    cache_key,
)
from splinternet.web.params import (
    check_asn,
    check_asns,
    check_cc,
    check_date,
    check_register_name,
    list_registers,
)


def test_parameter_checks() -> None:
    assert check_cc("li") == "LI"
    assert check_date("20220301") == "2022-03-01"
    assert check_asn("as3356") == 3356 and check_asn(" 174 ") == 174
    assert check_asns(["3356, 174", "3356"]) == [3356, 174]
    for bad in (lambda: check_cc("L"), lambda: check_cc("L1"), lambda: check_date("2022-02-30"),
                lambda: check_date("1800-01-01"), lambda: check_date(None), lambda: check_asn("4294967296"),
                lambda: check_asn("-1"), lambda: check_asns([]), lambda: check_asns(["1"] * 21)):
        with pytest.raises(ParameterError):
            bad()


@given(st.text(max_size=40))
def test_any_text_is_a_clean_answer_or_a_parameter_error(text: str) -> None:
    for check in (check_cc, check_asn, check_date):
        try:
            check(text)
        except ParameterError as exc:
            assert str(exc)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    (data / "sub").mkdir(parents=True)
    (data / "a.txt").write_text("1.2.3.4\n")
    (data / "sub" / "b.csv").write_text("x")
    (tmp_path / "outside.txt").write_text("secret")
    (data / "out.txt").symlink_to(tmp_path / "outside.txt")
    (data / "sub" / "up").symlink_to(tmp_path)
    return data


def test_register_names_stay_inside(tree: Path) -> None:
    assert check_register_name(tree, "a.txt") == (tree / "a.txt").resolve()
    assert check_register_name(tree, "sub/b.csv") == (tree / "sub" / "b.csv").resolve()
    for name in ("../outside.txt", "out.txt", "sub/up/outside.txt", "/etc/passwd", "sub", "", ".", "a.txt/",
                 "sub//b.csv", "~/x", "a.txt\x00"):
        with pytest.raises(ParameterError):
            check_register_name(tree, name)
    with pytest.raises(ParameterError):
        check_register_name(None, "a.txt")
    assert [r["name"] for r in list_registers(tree)] == ["a.txt", "sub/b.csv"]


@given(st.text(alphabet="./\\ab~%\x00-_", max_size=12))
def test_no_generated_name_escapes(name: str) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "data"
        root.mkdir()
        (Path(tmp) / "ab").write_text("secret")
        try:
            found = check_register_name(root, name)
        except ParameterError:
            return
        assert root.resolve() in found.parents


def test_cache_lru_and_disk_round_trip(tmp_path: Path) -> None:
    cache = ResultCache(2, tmp_path)
    for i in range(3):
        cache.put(cache_key("t", {"i": i}), {"value": i})
    assert len(cache._memory) == 2
    assert cache.get(cache_key("t", {"i": 0})) == {"value": 0}  # evicted from memory, read back from disk
    stored = list(tmp_path.glob("*.json"))
    assert len(stored) == 3 and not list(tmp_path.glob("*.tmp*"))
    other = ResultCache(2, tmp_path)
    assert other.get(cache_key("t", {"i": 2})) == {"value": 2}
    stored[0].write_text("{not json")  # a damaged file is a miss, not an error
    fresh = ResultCache(4, tmp_path)
    found = [fresh.get(cache_key("t", {"i": i})) for i in range(3)]
    assert sum(v is None for v in found) == 1 and fresh.get("unknown") is None


def test_progress_stops_at_the_deadline() -> None:
    progress = JobProgress(time.monotonic() - 1, 0.5)
    with pytest.raises(ComputationTimeout, match="0.5 s"):
        progress.advance(1)
    ok = JobProgress(time.monotonic() + 60, 60)
    ok.start("step", 10)
    ok.advance(3)
    assert ok.snapshot() == {"step": "step", "done": 3, "total": 10}


def test_runner_one_job_per_key_and_errors_kept(tmp_path: Path) -> None:
    runner = JobRunner(ResultCache(4, None), workers=1, max_pending=2, timeout_s=30)
    release = threading.Event()

    def slow(progress):  # noqa: ANN001, ANN202
        release.wait(5)
        return {"ok": True}

    first = runner.submit("k", "slow", slow)
    assert runner.submit("k", "slow", slow) is first
    runner.submit("k2", "slow", slow)
    with pytest.raises(Busy):
        runner.submit("k3", "slow", slow)
    release.set()
    assert runner.wait(first, 5) and first.result == {"ok": True} and runner.cache.get("k") == {"ok": True}

    def broken(progress):  # noqa: ANN001, ANN202
        raise InputError("f.csv", "cut short", offset=12, expected="more bytes")

    failed = runner.submit("bad", "broken", broken)
    assert runner.wait(failed, 5) and failed.state == "failed"
    assert runner.recent_failure("bad") is failed and "f.csv (byte 12)" in failed.to_dict()["error"]["message"]
    runner.shutdown()

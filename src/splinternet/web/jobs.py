"""Results computed once: an LRU in memory backed by JSON files, and a bounded worker pool with progress.

A request names its result by a key (endpoint and every parameter). A finished result is
served from memory or disk; otherwise one job per key runs in a worker thread, reporting
progress that pages poll. The job's :class:`JobProgress` raises :class:`ComputationTimeout`
at the library's next progress report after the deadline, so no computation outlives its bound
by more than one step.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import __version__
from ..errors import SplinternetError
from ..progress import Progress
from ..report.files import atomic_write

__all__ = ["Busy", "ComputationTimeout", "Job", "JobProgress", "JobRunner", "ResultCache", "cache_key"]


class ComputationTimeout(SplinternetError):
    """A result took longer than the server's per-request bound."""

    code = "timeout"


class Busy(SplinternetError):
    """Too many computations are already waiting."""

    code = "busy"


class JobProgress:
    """Records what a job is doing for the progress endpoint, and stops it at the deadline."""

    def __init__(self, deadline: float, bound_s: float) -> None:
        self.deadline = deadline
        self.bound_s = bound_s
        self.description = "waiting to start"
        self.done = 0
        self.total: int | None = None
        self._lock = threading.Lock()

    def _check(self) -> None:
        if time.monotonic() > self.deadline:
            raise ComputationTimeout(f"the computation took longer than this server's bound of {self.bound_s:g} s "
                                     f"(stopped while {self.description}); ask for a smaller country or raise "
                                     f"--timeout of 'splinternet serve'")

    def start(self, description: str, total: int | None) -> None:
        self._check()
        with self._lock:
            self.description, self.done, self.total = description, 0, total

    def advance(self, amount: int) -> None:
        self._check()
        with self._lock:
            self.done += amount

    def finish(self) -> None:
        pass

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {"step": self.description, "done": self.done, "total": self.total}


def cache_key(kind: str, params: dict[str, Any]) -> str:
    """A stable key for one request: its kind, every parameter (sorted), and the library version."""
    return json.dumps({"kind": kind, "v": __version__, **params}, sort_keys=True, default=str)


class ResultCache:
    """Finished results as JSON-ready dicts: an in-memory LRU, then files under ``directory`` (atomic writes)."""

    def __init__(self, entries: int, directory: Path | None) -> None:
        self.entries = max(entries, 1)
        self.directory = directory
        self._memory: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def _file(self, key: str) -> Path | None:
        if self.directory is None:
            return None
        return self.directory / (hashlib.sha256(key.encode()).hexdigest() + ".json")

    def get(self, key: str) -> Any | None:
        with self._lock:
            if key in self._memory:
                self._memory.move_to_end(key)
                self.hits += 1
                return self._memory[key]
        path = self._file(key)
        if path is not None and path.is_file():
            try:
                stored = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                stored = None
            if isinstance(stored, dict) and stored.get("key") == key:
                self._remember(key, stored["value"])
                with self._lock:
                    self.hits += 1
                return stored["value"]
        with self._lock:
            self.misses += 1
        return None

    def _remember(self, key: str, value: Any) -> None:
        with self._lock:
            self._memory[key] = value
            self._memory.move_to_end(key)
            while len(self._memory) > self.entries:
                self._memory.popitem(last=False)

    def put(self, key: str, value: Any, *, persist: bool = True) -> None:
        self._remember(key, value)
        path = self._file(key)
        if persist and path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            with atomic_write(path) as out:
                out.write(json.dumps({"key": key, "value": value}).encode("utf-8"))


@dataclass
class Job:
    """One computation: its state, progress and, when it failed, the error to show."""

    id: str
    key: str
    title: str
    progress: JobProgress
    state: str = "queued"
    created: float = field(default_factory=time.time)
    started: float | None = None
    finished: float | None = None
    error: SplinternetError | None = None
    result: Any = None
    compute: Callable[[Progress], Any] | None = None
    done_event: threading.Event = field(default_factory=threading.Event)
    client: str | None = None
    on_end: Callable[[], None] | None = None  # runs once the job is over, run or dropped (removes its spools)

    def end(self) -> None:
        if self.on_end is not None:
            try:
                self.on_end()
            finally:
                self.on_end = None

    def to_dict(self) -> dict[str, Any]:
        end = self.finished or time.time()
        out: dict[str, Any] = {"id": self.id, "title": self.title, "state": self.state,
                               "elapsed_s": round(end - (self.started or end), 3), "progress": self.progress.snapshot()}
        if self.error is not None:
            out["error"] = {"error": self.error.code, "message": str(self.error)}
        return out


class JobRunner:
    """Runs at most ``workers`` computations at a time and refuses more than ``max_pending`` waiting,
    or more than ``per_client`` of them for one client (so one client cannot fill the queue)."""

    def __init__(self, cache: ResultCache, *, workers: int, max_pending: int, timeout_s: float,
                 keep_jobs: int = 256, per_client: int = 0) -> None:
        self.cache = cache
        self.per_client = per_client
        self.timeout_s = timeout_s
        self.max_pending = max_pending
        self.keep_jobs = keep_jobs
        self.workers = max(workers, 1)
        self._pool: ThreadPoolExecutor | None = None
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._active: dict[str, Job] = {}
        self._failed: dict[str, Job] = {}
        self._lock = threading.Lock()

    def submit(self, key: str, title: str, compute: Callable[[Progress], Any], *, persist: bool = True,
               client: str | None = None, on_end: Callable[[], None] | None = None) -> Job:
        """The running job for ``key`` (joining it costs nothing), or a new one owning ``on_end``.

        :class:`Busy` when too many are waiting, or when ``client`` already has ``per_client``
        of them.
        """
        with self._lock:
            job = self._active.get(key)
            if job is not None:
                return job
            if len(self._active) >= self.max_pending:
                raise Busy(f"{len(self._active)} computations are already running or queued; try again later")
            if client is not None and self.per_client > 0:
                mine = sum(1 for j in self._active.values() if j.client == client)
                if mine >= self.per_client:
                    raise Busy(f"{mine} of your computations are already running or queued (at most "
                               f"{self.per_client} per client); wait for them, then ask again")
            job = Job(id=uuid.uuid4().hex[:16], key=key, title=title,
                      progress=JobProgress(float("inf"), self.timeout_s), compute=compute, client=client,
                      on_end=on_end)
            self._active[key] = job
            self._jobs[job.id] = job
            while len(self._jobs) > self.keep_jobs:
                old_id, old = next(iter(self._jobs.items()))
                if old.state in ("queued", "running"):
                    break
                del self._jobs[old_id]
        with self._lock:
            if self._pool is None:  # first job, or first after a server shutdown (tests reuse one app)
                self._pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="splinternet-job")
            self._pool.submit(self._run, job, compute, persist)
        return job

    def _run(self, job: Job, compute: Callable[[Progress], Any], persist: bool) -> None:
        job.started = time.time()
        job.progress.deadline = time.monotonic() + self.timeout_s
        job.state = "running"
        try:
            result = compute(job.progress)
            self.cache.put(job.key, result, persist=persist)
            job.result, job.state = result, "done"
        except SplinternetError as exc:
            job.error, job.state = exc, "failed"
        except Exception as exc:  # a bug must still end the job with a message, not hang the page
            job.error, job.state = SplinternetError(f"internal error: {type(exc).__name__}: {exc}"), "failed"
        finally:
            job.finished = time.time()
            try:
                job.end()
            finally:
                with self._lock:
                    self._active.pop(job.key, None)
                    if job.state == "failed":
                        self._failed[job.key] = job
                        while len(self._failed) > self.keep_jobs:
                            self._failed.pop(next(iter(self._failed)))
                job.done_event.set()

    def recent_failure(self, key: str, within_s: float = 60.0) -> Job | None:
        """The job for ``key`` that failed less than ``within_s`` ago: a page reload shows its error, not a rerun."""
        with self._lock:
            job = self._failed.get(key)
        if job is not None and job.finished is not None and time.time() - job.finished < within_s:
            return job
        return None

    def get_active(self, key: str) -> Job | None:
        """The queued or running job for ``key``, if any."""
        with self._lock:
            return self._active.get(key)

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def wait(self, job: Job, seconds: float) -> bool:
        """True when the job ended (done or failed) within ``seconds``."""
        return job.done_event.wait(max(seconds, 0.0))

    def shutdown(self) -> None:
        """Drop queued jobs; a running one ends at its next progress step after its deadline."""
        with self._lock:
            pool, self._pool = self._pool, None
            dropped = [job for job in self._active.values() if job.state == "queued"]
            for job in dropped:
                del self._active[job.key]
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
        for job in dropped:
            job.error, job.state, job.finished = Busy("the server stopped before this computation started"), \
                "failed", time.time()
            job.end()
            job.done_event.set()



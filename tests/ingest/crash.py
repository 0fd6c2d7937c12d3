"""A per-file function that fails on one chosen file: stands in for a worker dying mid-ingest."""

from __future__ import annotations

from splinternet.ingest.worker import ingest_file


class crash_on:  # noqa: N801 - used like a function
    def __init__(self, url: str) -> None:
        self.url = url

    def __call__(self, task, out_dir, settings, strict):  # noqa: ANN001, ANN204
        if task.url == self.url:
            raise RuntimeError(f"simulated crash on {task.url}")
        return ingest_file(task, out_dir, settings, strict)

"""Every public ``__all__`` is sorted and every name in it imports: the front door has no dead names."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import splinternet


def _modules() -> list[str]:
    names = ["splinternet"]
    for info in pkgutil.walk_packages(splinternet.__path__, "splinternet."):
        if info.name == "splinternet.__main__":  # running it starts the CLI
            continue
        if info.name.startswith("splinternet.web"):  # needs the web extra; checked when installed
            try:
                importlib.import_module("fastapi")
            except ImportError:
                continue
        names.append(info.name)
    return names


@pytest.mark.parametrize("name", _modules())
def test_all_is_sorted_and_every_name_imports(name: str) -> None:
    module = importlib.import_module(name)
    public = getattr(module, "__all__", None)
    if public is None:
        return
    assert list(public) == sorted(public, key=lambda n: (n != "__version__", n)), f"{name}.__all__ is not sorted"
    assert len(set(public)) == len(public), f"{name}.__all__ names something twice"
    for item in public:
        assert hasattr(module, item), f"{name}.__all__ names {item!r}, which it does not define"


def test_the_front_door_answers_every_question() -> None:
    from splinternet import api

    for question in ("transit", "whatif", "diff", "ip_lookup", "as_profile", "as_search", "simulate",
                     "blocking_report", "blocking_diff", "blocking_series", "blocking_updates",
                     "topology_timeline", "archive_timeline", "blocking_register_timeline"):
        assert callable(getattr(api, question)), question

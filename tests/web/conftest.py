"""One web app for the whole test session, over the real data mirror, with a small data directory of registers."""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import pytest

with warnings.catch_warnings():
    # starlette asks for its httpx fork 'httpx2' here; plain httpx works (and is the project's dependency)
    warnings.simplefilter("ignore")
    import fastapi.testclient  # noqa: F401

from splinternet.config import Settings
from splinternet.web import WebSettings, create_app

DATE = "2022-03-01"
LATER = "2022-05-01"
PREFIXES = "2024-04-06"
TAIL = "samples/registry/rkn/dump-08-2020-02-16-tail-piece.csv"
RESOLUTIONS = "resolutions/top500-on-tail.csv"


@pytest.fixture(scope="session")
def register_dir(shared_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The data directory a request may name registers from; a secret and a link out sit beside it."""
    root = tmp_path_factory.mktemp("web-data")
    data = root / "registers"
    (data / "rkn").mkdir(parents=True)
    shutil.copyfile(shared_data_dir / TAIL, data / "rkn" / "tail-2020-02-16.csv")
    (data / "small.txt").write_text("# three addresses of Liechtenstein networks\n"
                                    "82.117.0.1\n82.117.0.2\n194.42.48.0/24\n", encoding="utf-8")
    (root / "secret.txt").write_text("must never be served\n", encoding="utf-8")
    (data / "link-out.txt").symlink_to(root / "secret.txt")
    (data / "resolutions").mkdir()
    (data / "resolutions" / RESOLUTIONS.rsplit("/", 1)[1]).write_text(
        collateral_case(shared_data_dir)["text"], encoding="utf-8")
    return data


def collateral_case(shared_data_dir: Path) -> dict:
    """A resolutions file built from real data: popular domains (moz top 500) put on addresses the 2020 register lists.

    The first address carries three unrelated domains, the next eleven one each; one of the
    register's own domains is added on its address (related: not collateral), and one bad line.
    Returns the text and what a plain reading of the two files says must be found.
    """
    import ipaddress
    import json

    text = (shared_data_dir / TAIL).read_bytes().decode("latin-1")
    listed: set[str] = set()
    addresses: list[str] = []
    own: tuple[str, str] | None = None
    for line in text.splitlines()[1:]:
        fields = line.split(";")
        if len(fields) < 3:
            continue
        if fields[1]:
            listed.add(fields[1].lower().removeprefix("*."))
        try:
            ipaddress.IPv4Address(fields[0])
        except ValueError:
            continue
        if fields[0] not in addresses:
            addresses.append(fields[0])
        if own is None and fields[1] and not fields[1].startswith("*"):
            own = (fields[1], fields[0])

    def related(name: str) -> bool:
        labels = name.split(".")
        return any(".".join(labels[k:]) in listed for k in range(len(labels)))

    top = json.loads((shared_data_dir / "samples/domains/moz-top500.json").read_text(encoding="utf-8"))
    popular = [d["rootDomain"].lower() for d in top if not related(d["rootDomain"].lower())][:14]
    pairs = [(popular[k], addresses[0]) for k in range(3)] + [(popular[3 + k], addresses[1 + k]) for k in range(11)]
    assert own is not None
    lines = ["domain,ip", *(f"{d},{a}" for d, a in pairs), f"{own[0]},{own[1]}", "not a resolution line"]
    return {"text": "\n".join(lines) + "\n", "first_address": addresses[0], "first_domains": popular[:3],
            "unrelated": len(popular), "addresses": 12, "own": own}


@pytest.fixture(scope="session")
def web_settings(mirror_settings: Settings, register_dir: Path, tmp_path_factory: pytest.TempPathFactory,
                 shared_data_dir: Path) -> WebSettings:
    # offline: the local mirror is still read, but nothing may come from the network
    data = Settings(cache_dir=mirror_settings.cache_dir, mirror=mirror_settings.mirror, offline=True)
    return WebSettings(data=data, data_dir=register_dir, cloud_dir=shared_data_dir / "samples/cloud/2022-03-15",
                       prefixes_date=PREFIXES, timeout_s=240, max_upload_bytes=1 << 20, workers=1, max_pending=8,
                       jobs_per_client=8)  # one test client asks for many results at once


@pytest.fixture(scope="session")
def web_app(web_settings: WebSettings):
    return create_app(web_settings)


@pytest.fixture(scope="session")
def client(web_app):
    from fastapi.testclient import TestClient

    with TestClient(web_app) as c:
        yield c


# the dashboard's world datasets (tests/web/world_fixtures.py), for every test module here
from .world_fixtures import dash_app, dash_client, dash_settings, world_root  # noqa: E402, F401

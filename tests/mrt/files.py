"""Every MRT file in ../shared/data, as mirror URLs (fetched through the download code) or sample paths."""

from __future__ import annotations

from pathlib import Path

URLS = [
    "https://data.ris.ripe.net/rrc23/2022.04/updates.20220421.0200.gz",
    "https://data.ris.ripe.net/rrc23/2022.05/updates.20220501.2305.gz",
    "https://data.ris.ripe.net/rrc01/2024.10/updates.20241001.0055.gz",
    "https://data.ris.ripe.net/rrc06/2015.04/updates.20150401.0000.gz",
    "https://data.ris.ripe.net/rrc15/2010.02/updates.20100227.1600.gz",
    "https://data.ris.ripe.net/rrc00/2000.01/bview.20000111.0032.gz",
    "https://archive.routeviews.org/route-views.sydney/bgpdata/2022.06/UPDATES/updates.20220601.0230.bz2",
    "https://archive.routeviews.org/route-views.sydney/bgpdata/2022.06/UPDATES/updates.20220601.0415.bz2",
    "https://archive.routeviews.org/route-views.jinx/bgpdata/2015.04/UPDATES/updates.20150401.0000.bz2",
]
SAMPLES = [
    "samples/mrt/bview.20020722.2337.gz",
    "samples/mrt/updates.20070211.0141.gz",
    "samples/mrt/updates.20160811.1600.gz",
    "samples/mrt/updates.20161101.0000.bz2",
    "samples/mrt/rib.20161101.0000_pick.bz2",
]
TRUNCATED = [
    "samples/mrt/truncated/rib.20080501.0644_firstMB.bz2",
    "samples/mrt/truncated/rib.20140523.0600_firstMB.bz2",
    "samples/mrt/truncated/rib6.20151101.0600_firstMB.bz2",
]
BVIEW_2000 = "https://data.ris.ripe.net/rrc00/2000.01/bview.20000111.0032.gz"
ALL = URLS + SAMPLES + TRUNCATED


def resolve(name: str, shared_file, shared_data_dir: Path) -> Path:
    return shared_file(name) if name.startswith("https://") else shared_data_dir / name

"""Files written atomically get the mode a plain open() would give them: 0666 minus the umask.

The umask is per process, so each umask runs in its own interpreter; it writes through every
path that ends in the atomic writer: a direct write, the download cache (file and sidecar),
a Parquet table and a plot.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

WRITER = r"""
import json, os, stat, sys
from pathlib import Path
os.umask(int(sys.argv[1], 8))
out, mirror = Path(sys.argv[2]), Path(sys.argv[3])
from splinternet.config import Settings
from splinternet.sources.download import atomic_write, fetch_url
from splinternet.sources.mrt import read_mrt
from splinternet.report.plots import save_figure
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
with atomic_write(out / "direct.bin") as fh:
    fh.write(b"x")
cached = fetch_url("https://data.ris.ripe.net/rrc06/2015.04/updates.20150401.0000.gz",
                   settings=Settings(cache_dir=out / "cache", mirror=str(mirror)))
read_mrt(cached.path).table.to_parquet(out / "table.parquet")
fig, ax = plt.subplots()
ax.plot([1, 2])
save_figure(fig, out / "plot.svg")
paths = [out / "direct.bin", cached.path, cached.path.with_name(cached.path.name + ".meta.json"),
         out / "table.parquet", out / "plot.svg"]
print(json.dumps({p.name: stat.S_IMODE(p.stat().st_mode) for p in paths}))
"""


@pytest.mark.data
@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_atomic_files_follow_the_umask(shared_data_dir: Path, tmp_path: Path, umask: int, mode: int) -> None:
    done = subprocess.run([sys.executable, "-c", WRITER, f"{umask:o}", str(tmp_path), str(shared_data_dir)],
                          capture_output=True, text=True, env=dict(os.environ), timeout=300)
    assert done.returncode == 0, done.stderr
    modes = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(modes) == 5
    assert modes == {name: mode for name in modes}, {k: oct(v) for k, v in modes.items()}

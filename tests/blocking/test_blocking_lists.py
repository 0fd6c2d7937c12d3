"""Plain blocklists and domain-resolution files, made from the real register's addresses."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from splinternet.errors import DamagedInputError, InputError
from splinternet.sources.registry import load_register
from splinternet.sources.resolutions import load_resolutions, normalize_domain


@pytest.fixture(scope="module")
def real_ips(shared_data_dir: Path) -> list[str]:
    text = (shared_data_dir / "samples/registry/rkn/dump-2016-06-13.csv").read_bytes().decode("cp1251")
    return sorted({ln.split(";")[0].split(" | ")[0] for ln in text.split("\n")[1:200] if ln})


@pytest.mark.data
def test_plain_list_items_comments_and_bad_lines(real_ips: list[str], tmp_path: Path) -> None:
    body = ["# blocked addresses", *real_ips[:50], "10.0.0.0/8   # a whole private block", "192.168.1.10-192.168.1.19",
            "2001:db8::/32", "example.org", "0.0.0.0 tracker.example.net", "", "1.2.3.400", real_ips[0]]
    p = tmp_path / "list.txt"
    p.write_text("\n".join(body) + "\n")
    with pytest.raises(DamagedInputError, match=r"list.txt:58: 1 of 59 records bad"):
        load_register(p)  # one bad item in 59 is above the 0.1% limit
    reg = load_register(p, allow_damaged=True)
    assert reg.kind == "plain" and reg.updated is None
    assert len(reg) == 50 + 5
    assert reg.v4.length[reg.v4.start == 0x0A000000].tolist() == [8]
    ranged = np.flatnonzero(reg.v4.length == -1)
    assert (reg.v4.end[ranged] - reg.v4.start[ranged]).tolist() == [9]
    assert len(reg.v6) == 1
    assert sorted(d for d in reg.domain.tolist() if d) == ["example.org", "tracker.example.net"]
    assert [(e.line, "1.2.3.400" in str(e) or "duplicate" in str(e)) for e in reg.bad.examples] == [
        (len(body) - 1, True), (len(body), True)]
    with pytest.raises(InputError, match=r"list.txt:58: .*1\.2\.3\.400"):
        load_register(p, strict=True)


def test_resolutions_csv_zdns_massdns(tmp_path: Path) -> None:
    csv_file = tmp_path / "res.csv"
    csv_file.write_text("domain,ip\nExample.com.,93.184.216.34\nb.ru,2001:db8::1\nbad line\nc.ru,300.1.1.1\n")
    res = load_resolutions(csv_file)
    assert res.domains.tolist() == ["example.com", "b.ru"]
    assert res.v4_address.tolist() == [0x5DB8D822] and res.v6_lo.tolist() == [1]
    assert [e.line for e in res.bad.examples] == [4, 5]
    zdns = {"name": "фавбет.бел", "data": {"answers": [{"type": "CNAME", "answer": "x.net"},
                                                      {"type": "A", "answer": "104.27.148.242"}]}}
    massdns = {"name": "y.com.", "type": "A", "data": {"answers": [{"type": "A", "data": "1.1.1.1"},
                                                                   {"type": "AAAA", "data": "::2"}]}}
    jl = tmp_path / "res.json"
    jl.write_text(json.dumps(zdns, ensure_ascii=False) + "\n" + json.dumps(massdns) + "\n{broken\n")
    res = load_resolutions(jl)
    assert res.domains.tolist() == [normalize_domain("фавбет.бел"), "y.com"]
    assert res.domains[0].startswith("xn--")
    assert res.v4_domain.tolist() == [0, 1] and res.v6_domain.tolist() == [1]
    assert [e.line for e in res.bad.examples] == [3]
    with pytest.raises(InputError, match="res.json:3"):
        load_resolutions(jl, strict=True)


def test_resolutions_of_another_kind_fail_loudly(tmp_path: Path) -> None:
    p = tmp_path / "not-resolutions.csv"
    p.write_text("a;b;c\nd;e;f\n")
    with pytest.raises(InputError, match="no domain resolutions"):
        load_resolutions(p)


def test_a_file_of_another_kind_is_one_clear_error(tmp_path: Path) -> None:
    p = tmp_path / "notes.txt"
    p.write_text("hello world\nthis is not a list\n")
    with pytest.raises(InputError, match=r"no plain register entries in 2 lines"):
        load_register(p)

"""Damaged copies of the real files: each gives one clear error, or is loaded with its damage
counted and shown; never a traceback, never a changed answer without a note."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from input_damage import (
    cut_at_byte,
    cut_at_line_end,
    duplicate_lines,
    flip_separator_bits,
    pack,
    unpack,
    wrong_shapes,
)

from splinternet.errors import (
    BadRecords,
    DamagedInputError,
    InputDamage,
    InputError,
    SplinternetError,
)
from splinternet.sources.asorg import load_as_orgs
from splinternet.sources.asrel import load_as_relationships
from splinternet.sources.cloud import load_cloud_file
from splinternet.sources.pfx2as import load_pfx2as
from splinternet.sources.registry import load_register
from splinternet.sources.rir import load_delegated

pytestmark = pytest.mark.data

_CAIDA = "https://publicdata.caida.org/datasets"
_SAMPLE_ADDRESSES = np.random.default_rng(7).integers(1 << 24, 224 << 24, 20_000, dtype=np.uint64).astype(np.uint32)


def _asrel(path: Path, bad: BadRecords) -> object:
    g = load_as_relationships(path, bad=bad)
    return g.provider_customer_links, g.peer_links, len(g.asns)


def _asorg(path: Path, bad: BadRecords) -> object:
    t = load_as_orgs(path, bad=bad)
    return len(t), int(t.asns.astype(np.int64).sum()), tuple(t.countries(t.asns[::97]))


def _pfx2as(path: Path, bad: BadRecords) -> object:
    t = load_pfx2as(path, bad=bad)
    rows = t.lookup(_SAMPLE_ADDRESSES)
    return tuple(np.where(rows >= 0, t.first_origin()[np.maximum(rows, 0)], 0).tolist())


def _delegated(path: Path, bad: BadRecords) -> object:
    d = load_delegated(path, bad)
    return frozenset(zip(d.ipv4_start.tolist(), d.ipv4_count.tolist(), d.ipv4_cc.tolist(), strict=True)), \
        len(d.ipv6_lo), len(d.asn_start)


def _cloud(path: Path, bad: BadRecords) -> object:
    r = load_cloud_file(path, bad=bad)
    return frozenset(zip(r.prefix_text(np.arange(len(r))), r.provider.tolist(), strict=True))


def _register(path: Path, bad: BadRecords) -> object:
    reg = load_register(path, strict=bad.strict, allow_damaged=bad.allow_damaged)
    bad.files[str(path)] = reg.bad.damage(path, reg.lines_read)
    return len(reg), len(reg.v4), len(reg.v6)


# name: (where the real file is, loader returning the answer, the character that separates fields)
SOURCES: dict[str, tuple[str, Callable[[Path, BadRecords], object], bytes]] = {
    "as-rel": (f"{_CAIDA}/as-relationships/serial-1/20220301.as-rel.txt.bz2", _asrel, b"|"),
    "as-org": (f"{_CAIDA}/as-organizations/20220401.as-org2info.txt.gz", _asorg, b"|"),
    "pfx2as": (f"{_CAIDA}/routing/routeviews-prefix2as/2024/04/routeviews-rv2-20240406.pfx2as.gz", _pfx2as, b"\t"),
    "afrinic": ("https://ftp.ripe.net/pub/stats/afrinic/delegated-afrinic-extended-latest", _delegated, b"|"),
    "lacnic": ("https://ftp.ripe.net/pub/stats/lacnic/delegated-lacnic-extended-latest", _delegated, b"|"),
    "cloud": ("samples/cloud/2022-03-15/digitalocean.csv", _cloud, b","),
    "register": ("samples/registry/rkn/dump-2016-06-13.csv", _register, b";"),
}


@pytest.fixture(scope="module")
def originals(shared_file, shared_data_dir: Path) -> dict[str, tuple[Path, bytes, str, object, InputDamage]]:
    """Each real file: its path, decompressed bytes, compression, the answer and damage report undamaged."""
    out = {}
    for name, (where, load, _) in SOURCES.items():
        path = shared_file(where) if where.startswith("https://") else shared_data_dir / where
        data, compression = unpack(path)
        bad = BadRecords()
        out[name] = (path, data, compression, load(path, bad), bad.files[str(path)])
    return out


def _outcome(name: str, path: Path, clean: object) -> tuple[str, object]:
    """Load a damaged copy: 'refused' (one clear error), 'reported' (damage counted) or 'same' answer.

    Anything but a library error propagates and fails the test: a traceback is never an answer.
    """
    load = SOURCES[name][1]
    bad = BadRecords()
    try:
        answer = load(path, bad)
    except SplinternetError as exc:
        assert str(path) in str(exc) and "\n" not in str(exc)
        return "refused", exc
    damage = bad.files[str(path)]
    if damage.bad or damage.repeats:
        note = damage.note()
        assert note.startswith(str(path)) and damage.examples and all(e.line for e in damage.examples)
        return "reported", damage
    assert answer == clean, f"{name}: a changed answer without a note"
    return "same", None


def _write(tmp_path: Path, name: str, data: bytes, compression: str, original: Path) -> Path:
    out = tmp_path / f"damaged-{original.name}"
    out.write_bytes(pack(data, compression))
    return out


@pytest.mark.parametrize("name", list(SOURCES))
def test_cut_in_the_middle_of_a_line(originals, tmp_path: Path, name: str) -> None:
    original, data, compression, clean, _ = originals[name]
    path = _write(tmp_path, name, cut_at_byte(data, 0.5), compression, original)
    kind, what = _outcome(name, path, clean)
    assert kind in ("refused", "reported")
    if name in ("as-rel", "as-org", "pfx2as"):  # files whose every line ends: the cut line is named
        assert kind == "reported" and "the file was cut here" in str(what.examples[0])
    if name in ("afrinic", "lacnic"):  # the header counts the records: half of them missing is refused
        assert kind == "refused" and isinstance(what, DamagedInputError) and what.damage.bad > 1000
        assert any("header announces" in e.problem for e in what.damage.examples)


@pytest.mark.parametrize("compression", ["gz", "bz2", "xz"])
@pytest.mark.parametrize("name", list(SOURCES))
def test_a_cut_compressed_stream_is_refused_whatever_the_policy(originals, tmp_path: Path, name: str,
                                                               compression: str) -> None:
    """Each file compressed as gzip, bzip2 and xz, then its compressed bytes cut at 90%: the records after
    the cut are lost and how many is unknown, so the cut stops loading even with damaged input allowed."""
    original, data, _, _, _ = originals[name]
    packed = pack(data, compression)
    path = tmp_path / f"cut-{original.name}"
    path.write_bytes(packed[: len(packed) * 9 // 10])
    for bad in (BadRecords(), BadRecords(allow_damaged=True), BadRecords(strict=True)):
        with pytest.raises(InputError) as caught:
            SOURCES[name][1](path, bad)
        err = caught.value
        assert not isinstance(err, DamagedInputError) and err.path == str(path)
        assert err.offset == len(packed) * 9 // 10 and "\n" not in str(err)
        kind = {"gz": "gzip", "bz2": "bzip2", "xz": "xz"}[compression]
        assert err.problem.startswith(f"{kind} stream ends before its end-of-stream marker: the file is truncated")


@pytest.mark.parametrize("name", ["afrinic", "lacnic"])
def test_cut_at_a_line_end_is_refused_where_the_format_counts_its_records(originals, tmp_path: Path,
                                                                          name: str) -> None:
    original, data, compression, clean, _ = originals[name]
    path = _write(tmp_path, name, cut_at_line_end(data, 0.9), compression, original)
    with pytest.raises(DamagedInputError, match=r"records bad .*header announces"):
        SOURCES[name][1](path, BadRecords())
    bad = BadRecords(allow_damaged=True)  # told to go on: the loss is counted, not hidden
    SOURCES[name][1](path, bad)
    assert bad.files[str(path)].bad > 100 and "header announces" in bad.files[str(path)].note()


@pytest.mark.parametrize("name", list(SOURCES))
def test_flipped_separator_bits_are_reported_or_refused(originals, tmp_path: Path, name: str) -> None:
    original, data, compression, clean, _ = originals[name]
    damaged, lines = flip_separator_bits(data, SOURCES[name][2], count=3)
    path = _write(tmp_path, name, damaged, compression, original)
    kind, what = _outcome(name, path, clean)
    assert kind in ("refused", "reported"), f"{name}: three broken lines passed unnoticed"
    if kind == "reported":
        assert {e.line for e in what.examples} & set(lines)


@pytest.mark.parametrize("name", list(SOURCES))
def test_a_few_lines_of_the_wrong_shape_are_counted_with_their_line(originals, tmp_path: Path, name: str) -> None:
    original, data, compression, clean, _ = originals[name]
    damaged, lines = wrong_shapes(data, count=3)
    path = _write(tmp_path, name, damaged, compression, original)
    kind, what = _outcome(name, path, clean)
    assert kind in ("refused", "reported")
    if kind == "reported":
        assert what.bad >= 3 and lines[0] in {e.line for e in what.examples}
    else:
        assert isinstance(what, InputError) and what.line in lines


@pytest.mark.parametrize("name", list(SOURCES))
def test_one_percent_of_bad_lines_stops_loading(originals, tmp_path: Path, name: str) -> None:
    original, data, compression, clean, _ = originals[name]
    damaged, lines = wrong_shapes(data, share=0.01)
    path = _write(tmp_path, name, damaged, compression, original)
    with pytest.raises(DamagedInputError) as caught:
        SOURCES[name][1](path, BadRecords())
    err = caught.value
    assert err.line == lines[0] and err.damage.bad >= len(lines) * 0.9 and "records bad" in str(err)
    bad = BadRecords(allow_damaged=True)
    SOURCES[name][1](path, bad)  # told to go on, it loads and says what it skipped
    assert bad.files[str(path)].bad >= len(lines) * 0.9
    with pytest.raises(InputError) as first:
        SOURCES[name][1](path, BadRecords(strict=True))  # strict stops at the first bad record
    assert first.value.line is not None and first.value.line <= lines[0]


@pytest.mark.parametrize("name", list(SOURCES))
def test_duplicated_lines_change_nothing_or_are_reported(originals, tmp_path: Path, name: str) -> None:
    original, data, compression, clean, before = originals[name]
    path = _write(tmp_path, name, duplicate_lines(data, count=5), compression, original)
    kind, what = _outcome(name, path, clean)
    assert kind in ("same", "reported")
    if kind == "reported":  # exact repeats lose nothing: counted apart, not against the limit
        assert what.repeats == before.repeats + 5 and what.bad == before.bad


def test_as_number_of_2_to_the_32_in_as_org(originals, tmp_path: Path) -> None:
    original, data, compression, clean, _ = originals["as-org"]
    lines = data.split(b"\n")
    k = next(i for i, line in enumerate(lines) if line.startswith(b"401308|"))
    lines[k] = b"4294967296" + lines[k][len(b"401308"):]
    lines.insert(k, b"99999999999999999999999|20210219|X|NAL-110-ARIN|x|ARIN")
    path = _write(tmp_path, "as-org", b"\n".join(lines), compression, original)
    bad = BadRecords()
    table = load_as_orgs(path, bad=bad)
    assert [(e.line, "out of range" in e.problem) for e in bad.examples] == [(k + 1, True), (k + 2, True)]
    assert len(table) == clean[0] - 1 and table.get(401308) is None

"""The register scanning kernels agree with slow references (hypothesis)."""

from __future__ import annotations

import numpy as np
from blocking_reference import fnv1a, iso_days
from hypothesis import given, settings
from hypothesis import strategies as st

from splinternet.sources.registry_scan import (
    _QUOTE_SPAN,
    NAT_DAYS,
    OK,
    UNCLOSED_QUOTE,
    count_in_fields,
    distinct_rows,
    fields_equal,
    gather_fields,
    parse_iso_days,
    record_hashes,
    search,
    split_records,
    unique_counts,
    unique_inverse,
)

plain = st.text(alphabet="ab1.| /:Яя", max_size=8).map(str.strip)
# a quoted field may span at most _QUOTE_SPAN physical lines before it counts as never closed
quoted_text = st.text(alphabet='ab;"\n |Я', max_size=8).filter(lambda t: t.count("\n") < _QUOTE_SPAN)
field = st.one_of(plain.map(lambda t: (t, t)),
                  quoted_text.map(lambda t: ('"' + t.replace('"', '""') + '"', t)))
record = st.lists(field, min_size=1, max_size=8)


@settings(max_examples=300, deadline=None)
@given(st.lists(record, min_size=1, max_size=6), st.booleans())
def test_split_records_recovers_generated_fields(records, final_newline) -> None:
    text = "\n".join(";".join(raw for raw, _ in rec) for rec in records) + ("\n" if final_newline else "")
    buf = np.frombuffer(text.encode("utf-8"), np.uint8)
    r_start, r_end, r_line, status, n_fields, quoted, f_start, f_end = split_records(buf, 1)
    expected = [rec for rec in records]
    if not final_newline and records and records[-1] == [("", "")]:
        expected = expected[:-1]  # an empty last line without newline is no record
    assert len(r_start) == len(expected)
    line = 1
    for r, rec in enumerate(expected):
        assert status[r] == OK and n_fields[r] == len(rec) and r_line[r] == line
        for k, (_, value) in enumerate(rec[:6]):
            got = buf[f_start[r, k]:f_end[r, k]].tobytes().decode("utf-8")
            assert (got.replace('""', '"') if quoted[r] == 2 else got) == value
        line += 1 + sum(value.count("\n") for raw, value in rec if raw.startswith('"'))


def test_unclosed_quote_ends_at_its_own_line() -> None:
    text = b'a;"open\nb;c\nd;e\nf;g\nh;i\nj;k\nl;m\n'
    _, _, r_line, status, n_fields, _, _, _ = split_records(np.frombuffer(text, np.uint8), 1)
    assert status[0] == UNCLOSED_QUOTE and r_line.tolist() == [1, 2, 3, 4, 5, 6, 7]
    assert (status[1:] == OK).all() and n_fields[1:].tolist() == [2] * 6


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.dates().map(lambda d: d.isoformat()),
                          st.text(alphabet="0123456789-x", min_size=8, max_size=11)), max_size=20))
def test_parse_iso_days_matches_datetime(texts) -> None:
    data = "".join(texts).encode()
    ends = np.cumsum([len(t) for t in texts]).astype(np.int64)
    starts = ends - np.array([len(t) for t in texts], np.int64)
    got = parse_iso_days(np.frombuffer(data, np.uint8), starts, ends).tolist() if texts else []
    want = [iso_days(t.encode()) for t in texts]
    assert got == [NAT_DAYS if w is None else w for w in want]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.binary(max_size=12), max_size=20), st.integers(0, 255))
def test_field_kernels_match_python(fields, byte) -> None:
    data = b"".join(fields)
    buf = np.frombuffer(data, np.uint8)
    ends = np.cumsum([len(f) for f in fields]).astype(np.int64)
    starts = ends - np.array([len(f) for f in fields], np.int64)
    assert gather_fields(buf, starts, ends, 0).tobytes() == b"\x00".join(fields)
    assert count_in_fields(buf, starts, ends, byte).tolist() == [f.count(bytes([byte])) for f in fields]
    assert record_hashes(buf, starts, ends).tolist() == [fnv1a(f) for f in fields]
    other = np.arange(len(fields))[::-1].copy()
    assert fields_equal(buf, starts, ends, other).tolist() == [fields[i] == fields[j] for i, j in
                                                             enumerate(other.tolist())]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 20), max_size=40), st.lists(st.integers(0, 3), max_size=40))
def test_sort_based_unique_helpers(values, other) -> None:
    a = np.array(values, np.int64)
    uniq, first, inverse = unique_inverse(a)
    assert uniq.tolist() == sorted(set(values))
    assert [values.index(u) for u in uniq.tolist()] == first.tolist()
    assert uniq[inverse].tolist() == values
    vals, counts = unique_counts(a)
    assert dict(zip(vals.tolist(), counts.tolist(), strict=True)) == {v: values.count(v) for v in set(values)}
    assert search(np.array(sorted(set(values)), np.int64), a).tolist() == [sorted(set(values)).index(v)
                                                                         for v in values]
    b = np.array((other + [0] * len(values))[:len(values)], np.int64)
    rows = distinct_rows(a, b)
    assert list(zip(*(r.tolist() for r in rows), strict=True)) == sorted(set(zip(values, b.tolist(), strict=True)))

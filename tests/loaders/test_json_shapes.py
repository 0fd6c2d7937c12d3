"""Malformed JSON to the JSON loaders (cloud ranges, zdns/massdns resolutions): one InputError naming
the file (and field or line), or a counted bad record, never a traceback or a silently smaller file."""

from __future__ import annotations

from pathlib import Path

import pytest

from splinternet.errors import InputError
from splinternet.sources.cloud import load_cloud_file
from splinternet.sources.resolutions import load_resolutions

NESTED = "[" * 100_000 + "]" * 100_000
HUGE = "9" * 5000
GOOD_ANSWER = '{"name": "ok.example", "data": {"answers": [{"type": "A", "answer": "192.0.2.1"}]}}'


@pytest.mark.parametrize(("text", "words"), [
    (NESTED, "nested too deeply"),
    ('{"prefixes": ' + NESTED + "}", "nested too deeply"),
    ('{"prefixes": [{"ip_prefix": "192.0.2.0/24", "n": ' + HUGE + "}]}", "number too long"),
    ('{"prefixes": "192.0.2.0/24"}', "'prefixes' is a JSON string"),
    ('{"prefixes": [{"ip_prefix": "192.0.2.0/24"}], "ipv6_prefixes": "2001:db8::/32"}',
     "'ipv6_prefixes' is a JSON string"),
    ('{"values": [{"properties": {"addressPrefixes": "192.0.2.0/24"}}]}',
     "'values[0].properties.addressPrefixes' is a JSON string"),
    ('{"values": ["192.0.2.0/24"]}', "'values[0]' is a JSON string"),
    ('{"regions": [{"cidrs": "192.0.2.0/24"}]}', "'regions[0].cidrs' is a JSON string"),
    ('{"regions": [{"cidrs": [{"cidr": "192.0.2.0/24", "tags": "OCI"}]}]}', "'regions[0].cidrs[0].tags'"),
    ('{"prefixes": [{"ip_prefix": "192.0.2.0/24"}', "broken JSON"),
])
def test_malformed_cloud_json_is_one_error_naming_the_file(tmp_path: Path, text: str, words: str) -> None:
    path = tmp_path / "ranges.json"
    path.write_text(text)
    with pytest.raises(InputError) as caught:
        load_cloud_file(path)
    assert words in str(caught.value) and str(path) in str(caught.value)


@pytest.mark.parametrize(("line", "words"), [
    ('{"name": "b.example", "data": ' + NESTED + "}", "nested too deeply"),
    ('{"name": "b.example", "ttl": ' + HUGE + "}", "number too long"),
    ('{"name": "b.example", "data": {"answers": "192.0.2.7"}}', "'answers' is not a list of objects"),
    ('{"name": "b.example", "data": "192.0.2.7"}', "'data' is not an object"),
    ('{"name": "b.example", "data": {"answers": [{"type": "A", "answer": 7}]}}', "address is not a string"),
    ('["b.example", "192.0.2.7"]', "not a JSON object with a 'name'"),
])
def test_malformed_resolution_lines_are_counted_and_named(tmp_path: Path, line: str, words: str) -> None:
    path = tmp_path / "res.jsonl"
    path.write_text(GOOD_ANSWER + "\n" + line + "\n")
    kept = load_resolutions(path)
    assert list(kept.domains) == ["ok.example"] and kept.bad.count == 1
    assert words in str(kept.bad.examples[0]) and ":2:" in str(kept.bad.examples[0])
    with pytest.raises(InputError, match=words.replace("(", r"\(")):
        load_resolutions(path, strict=True)


def test_records_without_answers_are_no_damage(tmp_path: Path) -> None:
    path = tmp_path / "res.jsonl"
    path.write_text(GOOD_ANSWER + '\n{"name": "gone.example", "status": "NXDOMAIN"}\n'
                    '{"name": "empty.example", "data": {"answers": []}}\n')
    kept = load_resolutions(path)
    assert kept.bad.count == 0 and list(kept.domains) == ["ok.example"]

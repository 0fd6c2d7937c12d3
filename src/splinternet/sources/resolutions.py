"""Domain resolutions (which name points at which address) for finding collateral blocking.

Accepted layouts, sniffed from the first non-blank line:

* CSV ``domain,ip`` (an optional header line ``domain,ip`` / ``name,ip`` is skipped);
* JSON lines as written by mass resolvers: zdns
  ``{"name": ..., "data": {"answers": [{"type": "A", "answer": "1.2.3.4"}]}}`` and
  massdns ``-o J`` ``{"name": ..., "data": {"answers": [{"type": "A", "data": "1.2.3.4"}]}}``
  (also zdns' nested ``results.A.data.answers``). Only A and AAAA answers count; a CNAME
  chain's final addresses are credited to the queried name.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..config import DecompressionLimits
from ..errors import BadRecords, InputError
from .address_text import parse_address_tokens
from .compression import read_decompressed
from .jsondoc import parse_json
from .registry_model import decode_text

__all__ = ["Resolutions", "load_resolutions", "normalize_domain"]


def normalize_domain(name: str) -> str:
    """Lower case, no trailing dot, IDNA (punycode) where possible, so register and resolver agree."""
    name = name.strip().rstrip(".").lower()
    if name.isascii():
        return name
    try:
        return name.encode("idna").decode("ascii")
    except UnicodeError:
        return name


@dataclass(frozen=True)
class Resolutions:
    """(domain, address) pairs: ``domains`` holds distinct names, pairs refer to them by index."""

    source: str
    domains: np.ndarray  # object (str), normalized
    v4_domain: np.ndarray  # int32
    v4_address: np.ndarray  # uint32
    v6_domain: np.ndarray  # int32
    v6_hi: np.ndarray  # uint64
    v6_lo: np.ndarray  # uint64
    bad: BadRecords

    @property
    def n_pairs(self) -> int:
        return int(len(self.v4_domain) + len(self.v6_domain))


_JSON_RECORD = '{"name": ..., "data": {"answers": [{"type": "A", "answer": "192.0.2.1"}, ...]}}'


def _answers(record: dict, path: Path, line: int) -> list[tuple[str, str]]:
    """(type, address) of every answer in a zdns or massdns JSON record.

    A record with no answers (NXDOMAIN, a timeout) has none; answers of the wrong JSON type
    (a string where a list of objects is expected, an address that is not a string) make the
    record bad, so a malformed file is counted, never read as a smaller one.
    """
    blocks = []
    data = record.get("data")
    if isinstance(data, dict):
        blocks.append(data)
    elif data is not None:
        raise InputError(path, "'data' is not an object", line=line, expected=_JSON_RECORD)
    results = record.get("results")
    if isinstance(results, dict):
        blocks.extend(v.get("data", {}) for v in results.values() if isinstance(v, dict))
    out = []
    for block in blocks:
        answers = block.get("answers") if isinstance(block, dict) else None
        if answers is None:
            continue
        if not isinstance(answers, list) or not all(isinstance(a, dict) for a in answers):
            raise InputError(path, "'answers' is not a list of objects", line=line, expected=_JSON_RECORD)
        for ans in answers:
            kind = str(ans.get("type", "")).upper()
            if kind in ("A", "AAAA"):
                value = ans.get("answer", ans.get("data"))
                if not isinstance(value, str):
                    raise InputError(path, f"an {kind} answer whose address is not a string", line=line,
                                     expected=_JSON_RECORD)
                out.append((kind, value))
    return out


def load_resolutions(path: str | os.PathLike[str], *, strict: bool = False,
                     limits: DecompressionLimits | None = None) -> Resolutions:
    """Read a CSV or JSON-lines resolution file; bad lines are counted (or raise when strict).

    ``limits`` caps decompression (default: the environment's).
    """
    path = Path(path)
    bad = BadRecords(strict=strict)
    data = read_decompressed(path, limits=limits).data
    if not data.strip():
        bad.report(InputError(path, "empty file", offset=0, expected="domain,ip lines or JSON lines"))
    text, _, damaged = decode_text(path, data, bad, fallback="latin-1")
    names: list[str] = []
    tokens: list[str] = []
    numbers: list[int] = []
    lines = text.split("\n")
    first = next((ln.strip() for ln in lines if ln.strip()), "")
    is_json = first.startswith("{")
    for no, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or no in damaged or line.startswith("#"):
            continue
        if is_json:
            try:
                record = parse_json(line, path, line=no, expected=_JSON_RECORD)
                if not isinstance(record, dict) or not isinstance(record.get("name"), str):
                    raise InputError(path, "not a JSON object with a 'name'", line=no, expected=_JSON_RECORD)
                name = record["name"]
                answers = _answers(record, path, no)
            except InputError as exc:
                bad.report(exc)
                continue
            for _, address in answers:
                names.append(name)
                tokens.append(address)
                numbers.append(no)
            continue
        fields = line.split(",")
        if len(fields) != 2 or not fields[0].strip() or not fields[1].strip():
            bad.report(InputError(path, f"{len(fields)} fields", line=no, expected="domain,ip"))
            continue
        if no == 1 and fields[1].strip().lower() in ("ip", "address", "addr"):
            continue
        names.append(fields[0])
        tokens.append(fields[1].strip())
        numbers.append(no)
    parsed = parse_address_tokens(tokens)
    single = parsed.single
    if not single.any() and (bad.count or len(tokens)):
        raise InputError(path, f"no domain resolutions in {len(lines):,} lines; first problem: "
                         f"{str(bad.examples[0]) if bad.examples else repr(tokens[0])}",
                         expected="domain,ip lines or zdns/massdns JSON lines")
    for t in np.flatnonzero(~single).tolist():
        bad.report(InputError(path, f"{tokens[t]!r} is not one IP address", line=numbers[t],
                              expected="an IPv4 or IPv6 address"))
    seen: dict[str, int] = {}
    normal: dict[str, str] = {}
    domain_ix = np.full(len(names), -1, np.int32)
    for t in np.flatnonzero(single).tolist():
        name = names[t]
        key = normal.get(name)
        if key is None:
            key = normal[name] = normalize_domain(name)
        domain_ix[t] = seen.setdefault(key, len(seen))
    v4 = np.flatnonzero(single & (parsed.version == 4))
    v6 = np.flatnonzero(single & (parsed.version == 6))
    return Resolutions(
        source=str(path),
        domains=np.array(list(seen), dtype=object),
        v4_domain=domain_ix[v4],
        v4_address=parsed.start_lo[v4].astype(np.uint32),
        v6_domain=domain_ix[v6],
        v6_hi=parsed.start_hi[v6],
        v6_lo=parsed.start_lo[v6],
        bad=bad,
    )

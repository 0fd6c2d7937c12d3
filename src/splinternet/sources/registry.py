"""Blocking registers as columnar tables: which entries exist and which addresses each one blocks.

Two input families share one shape (:class:`Register`): the Roskomnadzor register as
published by zapret-info (see :mod:`.registry_rkn`) and plain blocklists with one
address, subnet, range or domain per line (see :mod:`.blocklist`). Entries carry their
text columns; the blocked addresses are flat arrays linked to entries by index, one
array set per address family, so analyses never build an object per address.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from enum import StrEnum

from ..config import DecompressionLimits
from ..errors import DEFAULT_MAX_BAD_SHARE, BadRecords, InputError
from .blocklist import parse_blocklist
from .compression import read_decompressed
from .registry_files import register_files
from .registry_model import AddressLinks, Register, decode_text, factorize
from .registry_rkn import parse_rkn

__all__ = [
    "AddressLinks",
    "Register",
    "RegisterKind",
    "decode_text",
    "factorize",
    "load_register",
    "paused_gc",
    "sniff_register_kind",
]


class RegisterKind(StrEnum):
    """How a register file is laid out: the zapret-info Roskomnadzor dump, a plain list, or sniffed."""

    AUTO = "auto"
    RKN = "rkn"
    PLAIN = "plain"


def sniff_register_kind(head: str) -> RegisterKind:
    """'rkn' for the zapret-info register layout, 'plain' for a one-item-per-line list."""
    lines = [ln for ln in head.splitlines()[:50] if ln.strip() and not ln.lstrip().startswith("#")]
    if not lines:
        return RegisterKind.PLAIN
    if lines[0].startswith("Updated:"):
        return RegisterKind.RKN
    rkn_like = sum(1 for ln in lines if ln.count(";") >= 5)
    return RegisterKind.RKN if rkn_like * 2 >= len(lines) else RegisterKind.PLAIN


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection while parsing: millions of short-lived acyclic lists and
    strings would otherwise trigger repeated full collections (measured: 3-4x slower splits)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def load_register(paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]], *, strict: bool = False,
                  kind: RegisterKind | str = RegisterKind.AUTO, allow_damaged: bool = False,
                  max_bad_share: float = DEFAULT_MAX_BAD_SHARE,
                  limits: DecompressionLimits | None = None) -> Register:
    """Read a register: one file, or the pieces of a split register in order (dump-00, dump-01, ...).

    ``kind`` is 'rkn', 'plain' or 'auto' (sniffed from the first lines). A directory stands
    for the ``dump.csv`` or ``dump-NN.csv`` pieces it holds, or for its files when every one
    of them reads as a register of ``kind`` (:func:`.registry_files.register_files`). More than
    ``max_bad_share`` of its lines bad stops with :class:`DamagedInputError` unless
    ``allow_damaged`` (exact repeats of a line do not count: nothing is lost). ``limits`` caps
    decompression (default: the environment's; a server passes tighter ones for uploads).
    """
    if kind not in tuple(RegisterKind):
        raise InputError(paths if isinstance(paths, (str, os.PathLike)) else "<register>",
                         f"unknown register kind {kind!r}", expected="'rkn', 'plain' or 'auto'")
    files = register_files(paths, str(kind))
    policy = BadRecords(strict=strict, max_share=max_bad_share, allow_damaged=allow_damaged)
    bad = policy.for_file()
    blobs = [(f, read_decompressed(f, limits=limits).data) for f in files]
    if kind == RegisterKind.AUTO:
        first = next((b for _, b in blobs if b and not b.isspace()), b"")
        kind = sniff_register_kind(first[:65536].decode("utf-8", errors="replace"))
    kind = RegisterKind(kind)
    with paused_gc():
        register = parse_rkn(blobs, bad) if kind == "rkn" else parse_blocklist(blobs, bad)
    empty_files = sum(1 for _, b in blobs if not b.strip())  # each reported once as an empty file
    if len(register) == 0 and bad.count > empty_files:  # every line bad: a file of another kind
        raise InputError(files[0], f"no {kind} register entries in {register.lines_read:,} lines; "
                         f"first problem: {bad.examples[0]}",
                         expected="ips;domain;url;authority;decision;date lines, or one item per line")
    if len(register) == 0:
        raise InputError(files[0], "the register is empty (only blank lines or comments)", expected="ips;domain;url;authority;decision;date lines, or one item per line")
    policy.settle(files[0] if len(files) == 1 else f"{files[0]} (+{len(files) - 1} pieces)", bad,
                  max(register.lines_read, bad.count))
    return register

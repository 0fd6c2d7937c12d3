"""Cloud ranges shaped for blocking attribution: every published prefix with its (provider, service, region).

Built from :mod:`.cloud` (the provider files, and the AWS history tarballs whose
version current at the register's date is picked). Providers list the same prefix under
several services (AWS: ``AMAZON`` and ``EC2``), so groups overlap; the analysis counts
each group's union separately and never sums across groups.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..tables.addresses import prefix_bounds
from ..tables.prefixes import PrefixTable

__all__ = ["CloudSpace"]


@dataclass(frozen=True)
class CloudSpace:
    """Prefixes with a group label; ``labels[k]`` is (provider, service, region)."""

    providers: tuple[str, ...]
    labels: tuple[tuple[str, str, str], ...]
    provider_of_label: np.ndarray  # int64 per label
    label: np.ndarray  # int64 per prefix
    version: np.ndarray  # uint8 per prefix
    hi: np.ndarray  # uint64
    lo: np.ndarray  # uint64
    length: np.ndarray  # int16
    published: tuple[str, ...] = ()

    @classmethod
    def from_columns(cls, provider: list[str], service: list[str], region: list[str], version: np.ndarray,
                     hi: np.ndarray, lo: np.ndarray, length: np.ndarray, published: tuple[str, ...] = ()) -> CloudSpace:
        keys: dict[tuple[str, str, str], int] = {}
        label = np.fromiter((keys.setdefault((p, s or "", r or ""), len(keys))
                             for p, s, r in zip(provider, service, region, strict=True)), np.int64, count=len(provider))
        labels = tuple(keys)
        prov_index: dict[str, int] = {}
        prov_of_label = np.array([prov_index.setdefault(k[0], len(prov_index)) for k in labels], np.int64)
        return cls(tuple(prov_index), labels, prov_of_label, label, np.asarray(version, np.uint8),
                   np.asarray(hi, np.uint64), np.asarray(lo, np.uint64), np.asarray(length, np.int16), published)

    def __len__(self) -> int:
        return len(self.label)

    def bounds(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(start_hi, start_lo, end_hi, end_lo) of the selected prefixes (all of one family)."""
        version = int(self.version[rows][0]) if np.any(rows) else 4
        s_hi, s_lo, e_hi, e_lo = prefix_bounds(version, self.hi[rows], self.lo[rows], self.length[rows])
        return s_hi, s_lo, e_hi, e_lo

    def provider_of(self, version: int, hi: np.ndarray, lo: np.ndarray) -> np.ndarray:
        """Provider index of the most specific cloud prefix covering each address (-1 none)."""
        sel = self.version == version
        rows = self.provider_of_label[self.label[sel]]
        if version == 4:
            table = PrefixTable.from_arrays(v4_net=self.lo[sel].astype(np.uint32), v4_length=self.length[sel],
                                            v4_rows=rows)
            return table.lookup_ipv4(np.asarray(lo, np.uint32))
        table = PrefixTable.from_arrays(v6_hi=self.hi[sel], v6_lo=self.lo[sel], v6_length=self.length[sel],
                                        v6_rows=rows)
        return table.lookup_ipv6(hi, lo)

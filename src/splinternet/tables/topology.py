"""The AS topology as CSR arrays per relationship, indexed by dense AS number positions.

ASNs are mapped once to dense indices (position in the sorted ``asns`` array, so index
order is ASN order); every hot loop then works on int32 arrays. Each relationship has
its own CSR pair: ``provider_indptr[i]:provider_indptr[i+1]`` slices
``provider_indices`` to give the providers of AS ``i``, and likewise for customers and
peers. Neighbour lists are sorted by index.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numba import njit

from ..errors import ParameterError

__all__ = ["ASGraph", "build_csr"]


@njit(cache=True)
def _fill_csr(src, dst, n):
    indptr = np.zeros(n + 1, dtype=np.int64)
    for k in range(src.shape[0]):
        indptr[src[k] + 1] += 1
    for v in range(n):
        indptr[v + 1] += indptr[v]
    cursor = indptr[:-1].copy()
    indices = np.empty(src.shape[0], dtype=np.int32)
    for k in range(src.shape[0]):
        indices[cursor[src[k]]] = dst[k]
        cursor[src[k]] += 1
    for v in range(n):
        indices[indptr[v]:indptr[v + 1]].sort()
    return indptr, indices


def build_csr(src: np.ndarray, dst: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """CSR (indptr int64, indices int32) of directed pairs src -> dst, neighbours sorted."""
    return _fill_csr(np.asarray(src, dtype=np.int64), np.asarray(dst, dtype=np.int64), int(n))


@njit(cache=True)
def _cone_sizes(cust_indptr, cust_indices):
    """Exact customer-cone set sizes (self included) by one stamped DFS per AS.

    The stamp array marks which AS's DFS last visited a node, so no per-AS set is
    allocated; the cost is the sum of all cone sizes (a few million on the real graph).
    """
    n = cust_indptr.shape[0] - 1
    stamp = np.full(n, -1, dtype=np.int32)
    stack = np.empty(n, dtype=np.int32)
    sizes = np.zeros(n, dtype=np.int32)
    for root in range(n):
        if cust_indptr[root + 1] == cust_indptr[root]:
            sizes[root] = 1
            continue
        stamp[root] = root
        top = 0
        stack[top] = root
        top += 1
        count = 1
        while top > 0:
            top -= 1
            node = stack[top]
            for k in range(cust_indptr[node], cust_indptr[node + 1]):
                c = cust_indices[k]
                if stamp[c] != root:
                    stamp[c] = root
                    stack[top] = c
                    top += 1
                    count += 1
        sizes[root] = count
    return sizes


@njit(cache=True)
def _cone_members(root, cust_indptr, cust_indices):
    n = cust_indptr.shape[0] - 1
    seen = np.zeros(n, dtype=np.bool_)
    stack = np.empty(n, dtype=np.int32)
    seen[root] = True
    stack[0] = root
    top = 1
    while top > 0:
        top -= 1
        node = stack[top]
        for k in range(cust_indptr[node], cust_indptr[node + 1]):
            c = cust_indices[k]
            if not seen[c]:
                seen[c] = True
                stack[top] = c
                top += 1
    return np.nonzero(seen)[0]


@dataclass(frozen=True, eq=False)
class ASGraph:
    """AS relationships as CSR arrays; ``asns[i]`` is the AS number of dense index ``i``.

    ``clique`` and ``ixps`` are the AS numbers CAIDA names in the file header (input
    clique, IXP route servers); IXP ASes appear in ``asns`` even without links, as BGPy
    also keeps them.
    """

    asns: np.ndarray
    provider_indptr: np.ndarray
    provider_indices: np.ndarray
    customer_indptr: np.ndarray
    customer_indices: np.ndarray
    peer_indptr: np.ndarray
    peer_indices: np.ndarray
    clique: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.uint32))
    ixps: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.uint32))
    source: str = ""

    @classmethod
    def from_links(
        cls,
        providers: np.ndarray,
        customers: np.ndarray,
        peers_a: np.ndarray,
        peers_b: np.ndarray,
        *,
        extra_asns: np.ndarray | None = None,
        clique: np.ndarray | None = None,
        ixps: np.ndarray | None = None,
        source: str = "",
    ) -> ASGraph:
        """Build from AS-number arrays: provider[i] serves customer[i]; peers_a[j] peers with peers_b[j].

        Links must be unique per AS pair (the loader guarantees it).
        """
        parts = [np.asarray(x, dtype=np.uint32) for x in (providers, customers, peers_a, peers_b)]
        extra = np.asarray(extra_asns if extra_asns is not None else [], dtype=np.uint32)
        asns = np.unique(np.concatenate([*parts, extra]))
        n = len(asns)
        prov, cust, pa, pb = (np.searchsorted(asns, p).astype(np.int64) for p in parts)
        p_indptr, p_indices = build_csr(cust, prov, n)
        c_indptr, c_indices = build_csr(prov, cust, n)
        peer_indptr, peer_indices = build_csr(np.concatenate([pa, pb]), np.concatenate([pb, pa]), n)
        return cls(
            asns=asns,
            provider_indptr=p_indptr,
            provider_indices=p_indices,
            customer_indptr=c_indptr,
            customer_indices=c_indices,
            peer_indptr=peer_indptr,
            peer_indices=peer_indices,
            clique=np.asarray(clique if clique is not None else [], dtype=np.uint32),
            ixps=np.asarray(ixps if ixps is not None else [], dtype=np.uint32),
            source=source,
        )

    # --- sizes and lookups -------------------------------------------------------------

    def __len__(self) -> int:
        return int(self.asns.shape[0])

    @property
    def provider_customer_links(self) -> int:
        return int(self.customer_indices.shape[0])

    @property
    def peer_links(self) -> int:
        return int(self.peer_indices.shape[0] // 2)

    def index_of(self, asns: np.ndarray | list[int] | int) -> np.ndarray:
        """Dense indices (int32) of AS numbers; -1 for an AS not in the graph."""
        values = np.atleast_1d(np.asarray(asns, dtype=np.int64))
        out = np.full(values.shape, -1, dtype=np.int32)
        if len(self) == 0:
            return out
        pos = np.minimum(np.searchsorted(self.asns, values), len(self) - 1)
        hit = self.asns[pos].astype(np.int64) == values
        out[hit] = pos[hit]
        return out

    def link_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(providers, customers, peers_a, peers_b) as AS numbers, each peering once (a < b): what
        :meth:`from_links` takes."""
        n = len(self)
        customers = self.asns[np.repeat(np.arange(n), np.diff(self.provider_indptr))]
        providers = self.asns[self.provider_indices]
        owner = np.repeat(np.arange(n), np.diff(self.peer_indptr))
        once = owner < self.peer_indices
        return providers, customers, self.asns[owner[once]], self.asns[self.peer_indices[once]]

    def confirmed_links(self, others: list[ASGraph]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The links of this graph that at least one of ``others`` has too, with the same relationship,
        as :meth:`link_arrays` gives them.

        CAIDA infers relationships month by month; a link inferred in one month alone is the
        least certain part of it.
        """
        def keys(a: np.ndarray, b: np.ndarray) -> np.ndarray:
            return (a.astype(np.uint64) << np.uint64(32)) | b.astype(np.uint64)

        prov, cust, pa, pb = self.link_arrays()
        seen_p2c = np.zeros(len(prov), dtype=bool)
        seen_p2p = np.zeros(len(pa), dtype=bool)
        for other in others:
            o_prov, o_cust, o_pa, o_pb = other.link_arrays()
            seen_p2c |= np.isin(keys(prov, cust), keys(o_prov, o_cust))
            seen_p2p |= np.isin(keys(pa, pb), keys(o_pa, o_pb))
        return prov[seen_p2c], cust[seen_p2c], pa[seen_p2p], pb[seen_p2p]

    def confirmed_by(self, others: list[ASGraph]) -> ASGraph:
        """The graph of :meth:`confirmed_links`. A subset of an acyclic provider graph is still
        acyclic, and every AS stays (with its links, possibly none), as do the clique and IXP lists.
        """
        return ASGraph.from_links(*self.confirmed_links(others), extra_asns=self.asns, clique=self.clique,
                                  ixps=self.ixps, source=f"{self.source or 'in memory'}, links confirmed by another month")

    def require_index(self, asn: int) -> int:
        """Dense index of one AS; a ParameterError naming the AS when the graph lacks it."""
        idx = int(self.index_of(asn)[0])
        if idx < 0:
            raise ParameterError(f"AS{asn} is not in the AS graph ({self.source or 'in memory'})")
        return idx

    # --- per-AS relationship counts ----------------------------------------------------

    @property
    def provider_counts(self) -> np.ndarray:
        """Number of providers of every AS (aligned with ``asns``)."""
        return np.diff(self.provider_indptr).astype(np.int32)

    @property
    def customer_counts(self) -> np.ndarray:
        """Number of direct customers of every AS."""
        return np.diff(self.customer_indptr).astype(np.int32)

    @property
    def peer_counts(self) -> np.ndarray:
        """Number of peers of every AS."""
        return np.diff(self.peer_indptr).astype(np.int32)

    def _slice(self, indptr: np.ndarray, indices: np.ndarray, asn: int) -> np.ndarray:
        i = self.require_index(asn)
        return self.asns[indices[indptr[i] : indptr[i + 1]]]

    def providers_of(self, asn: int) -> np.ndarray:
        """AS numbers of the providers of ``asn``."""
        return self._slice(self.provider_indptr, self.provider_indices, asn)

    def customers_of(self, asn: int) -> np.ndarray:
        """AS numbers of the direct customers of ``asn``."""
        return self._slice(self.customer_indptr, self.customer_indices, asn)

    def peers_of(self, asn: int) -> np.ndarray:
        """AS numbers of the peers of ``asn``."""
        return self._slice(self.peer_indptr, self.peer_indices, asn)

    # --- customer cones ----------------------------------------------------------------

    def customer_cone_sizes(self) -> np.ndarray:
        """Size of every AS's customer cone (itself plus all ASes reachable downwards), exact.

        These are set sizes, not path counts: an AS reached over two paths counts once.
        """
        return _cone_sizes(self.customer_indptr, self.customer_indices)

    def customer_cone(self, asn: int) -> np.ndarray:
        """AS numbers in the customer cone of ``asn`` (itself included), sorted."""
        i = self.require_index(asn)
        return self.asns[_cone_members(np.int32(i), self.customer_indptr, self.customer_indices)]

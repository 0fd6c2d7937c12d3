"""Slow, obvious reference for route propagation: path-vector iteration to a fixed point.

Nothing here shares code or method with the engine: every AS repeatedly looks at what each
neighbour would announce to it (full AS paths, explicit loop check, Gao-Rexford export
rule) and keeps the best by (relationship class, path length, neighbour AS number) until
nothing changes. Scenario edits are applied to plain Python sets of links.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ORIGIN, CUSTOMER, PEER, PROVIDER = 0, 1, 2, 3


@dataclass
class RefGraph:
    """links[(a, b)] = class of b as seen from a: CUSTOMER (b is a's customer), PEER or PROVIDER."""

    links: dict[tuple[int, int], int] = field(default_factory=dict)
    removed: set[int] = field(default_factory=set)
    blocked: set[tuple[int, int]] = field(default_factory=set)  # (sender, receiver) pairs that may not announce

    @classmethod
    def from_lists(cls, p2c: list[tuple[int, int]], p2p: list[tuple[int, int]]) -> RefGraph:
        g = cls()
        for p, c in p2c:
            g.add(p, c, "provider")
        for a, b in p2p:
            g.add(a, b, "peer")
        return g

    def add(self, a: int, b: int, kind: str) -> None:
        if kind == "peer":
            self.links[(a, b)] = self.links[(b, a)] = PEER
        else:  # a provider of b
            self.links[(a, b)] = CUSTOMER
            self.links[(b, a)] = PROVIDER

    def drop(self, a: int, b: int) -> None:
        self.links.pop((a, b), None)
        self.links.pop((b, a), None)

    def apply(self, scenario) -> RefGraph:
        """A copy with a splinternet Scenario's edits applied, by their plain meaning."""
        g = RefGraph(dict(self.links), set(self.removed), set(self.blocked))
        for a, b, kind in scenario.added_links:
            g.drop(a, b)
            g.add(a, b, kind)
        for a, b in scenario.removed_links:
            g.drop(a, b)
        for a, members in scenario.cut_sets:
            for m in members:
                g.drop(a, m)
        for a, members in scenario.no_export:
            g.blocked |= {(a, m) for m in members}
        g.removed |= set(scenario.removed_ases)
        return g

    def neighbours(self, v: int) -> list[tuple[int, int]]:
        return [(b, cls) for (a, b), cls in self.links.items() if a == v]


def reference_routes(g: RefGraph, nodes: list[int], origin: int) -> dict[int, tuple[int, tuple[int, ...]]]:
    """Best (class, path from the AS to the origin) for every AS with a route."""
    if origin in g.removed:
        return {}
    best: dict[int, tuple[int, tuple[int, ...]]] = {origin: (ORIGIN, (origin,))}
    for _ in range(4 * len(nodes) + 10):
        changed = False
        for v in nodes:
            if v == origin or v in g.removed:
                continue
            new = _best_offer(g, best, v)
            if new != best.get(v):
                if new is None:
                    best.pop(v)
                else:
                    best[v] = new
                changed = True
        if not changed:
            return best
    raise AssertionError("reference propagation did not converge")


def offers(g: RefGraph, best: dict, v: int) -> list[tuple[int, int, int, tuple[int, ...]]]:
    """(class at v, path length, neighbour, path) for every route a neighbour announces to v."""
    out = []
    for u, u_is in g.neighbours(v):
        if u in g.removed or u not in best or (u, v) in g.blocked:
            continue
        u_cls, u_path = best[u]
        v_is_for_u = g.links[(u, v)]
        # export: routes from the origin or a customer go to all; others only to customers
        if u_cls >= PEER and v_is_for_u != CUSTOMER:
            continue
        if v in u_path:
            continue  # loop
        out.append((u_is, len(u_path), u, (v, *u_path)))
    return out


def _best_offer(g: RefGraph, best: dict, v: int):
    candidates = offers(g, best, v)
    if not candidates:
        return None
    cls, _, _, path = min(candidates)
    return cls, path


def reference_ties(g: RefGraph, best: dict, v: int) -> list[int]:
    """Every neighbour whose announcement is as good as v's best (same class and length)."""
    if v not in best or best[v][0] == ORIGIN:
        return []
    cls, path = best[v]
    return sorted(u for c, length, u, _ in offers(g, best, v) if c == cls and length + 1 == len(path))


def reference_transit(g: RefGraph, nodes: list[int], origins: list[int], split: bool) -> dict[int, float]:
    """(source, origin) pairs crossing each AS as an intermediate hop; split over ties when asked."""
    transit = {v: 0.0 for v in nodes}
    for o in origins:
        best = reference_routes(g, nodes, o)

        def walk(v: int, mass: float, o: int = o, best: dict = best) -> None:
            hops = reference_ties(g, best, v) if split else ([best[v][1][1]] if len(best[v][1]) > 1 else [])
            for u in hops:
                if u != o:
                    transit[u] += mass / len(hops)
                    walk(u, mass / len(hops))

        for s in best:
            walk(s, 1.0)
    return transit

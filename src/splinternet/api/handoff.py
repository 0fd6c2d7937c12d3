"""Each provider row's share handed over on links the neighbouring months do not confirm (``analysis/handoff_links``)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from ..analysis.handoff_links import confirmed_link_keys, unconfirmed_handoff
from ..analysis.transit import TransitReport, summarize
from ..analysis.transit_evidence import PathEvidence
from ..sources.snapshot import Snapshot

__all__ = ["with_handoff_check"]


def _confirmed(snapshot: Snapshot) -> tuple[np.ndarray | None, dict[str, object]]:
    """The snapshot's links that a neighbouring month confirms, once per snapshot, and what was read."""
    from .stability import neighbour_graphs

    def find() -> tuple[np.ndarray | None, dict[str, object]]:
        found = neighbour_graphs(snapshot)
        about: dict[str, object] = {"confirmed_by": [label.removeprefix("month: ") for label, _ in found.graphs],
                                    "left_out": list(found.left_out), "inputs": list(found.inputs)}
        if not found.graphs:
            return None, about
        return confirmed_link_keys(snapshot.graph(), [g for _, g in found.graphs]), about

    return snapshot.derived("confirmed-link-keys", find)


def with_handoff_check(report: TransitReport, evidence: PathEvidence, snapshot: Snapshot) -> TransitReport:
    """The report with each provider and gateway row's ``unconfirmed_handoff`` and
    ``evidence["handoff_links"]`` (the months read); the summary names a top provider, or the main
    gateway, whose share rests mostly on such links.

    For simulated paths on the snapshot's own AS relationships; with no neighbouring month the
    rows stay None and the evidence says why.
    """
    confirmed, about = _confirmed(snapshot)
    report.evidence["handoff_links"] = about
    if confirmed is None:
        return report
    def checked(rows: list[Any], first: np.ndarray, second: np.ndarray) -> list[Any]:
        groups = [[int(m["asn"]) for m in r.members] if r.members else [r.asn] for r in rows]
        shares = unconfirmed_handoff(first, second, evidence.pair_weight, confirmed, groups)
        return [replace(r, unconfirmed_handoff=v) for r, v in zip(rows, shares, strict=True)]

    report = replace(report, providers=checked(report.providers, evidence.pair_from, evidence.pair_to),
                     gateways=checked(report.gateways, evidence.pair_to, evidence.pair_from))
    return replace(report, summary=summarize(report))

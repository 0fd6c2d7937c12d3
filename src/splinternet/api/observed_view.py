"""An observed transit report made honest: ranked only on enough coverage, and shown beside the simulated one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from ..analysis.observed_agreement import (
    AGREEMENT_DEPTH,
    MIN_OBSERVED_COVERAGE,
    observed_coverage,
    side_by_side,
    thin_evidence_report,
)
from ..analysis.transit import TransitReport

__all__ = ["observed_view"]


def observed_view(report: TransitReport, *, rank_thin: bool, top: int,
                  simulated: Callable[[], TransitReport]) -> TransitReport:
    """``report`` (observed) checked against the coverage floor, and compared with simulation when it ranks.

    Below :data:`MIN_OBSERVED_COVERAGE` the rankings are emptied unless ``rank_thin``;
    whenever a ranking is given, ``simulated()`` (the simulated report for the same country,
    date and options; only called then, it costs a full run) is set beside it in
    ``evidence["observed_vs_simulated"]`` with their agreement.
    """
    coverage = observed_coverage(report.evidence)
    if coverage < MIN_OBSERVED_COVERAGE:
        report = thin_evidence_report(report, coverage, ranked=rank_thin)
        if not rank_thin:
            return report
    else:
        report = replace(report, evidence={**report.evidence, "coverage_threshold": MIN_OBSERVED_COVERAGE,
                                           "ranked": True, "thin_evidence": False})
    # compared as deep as the observed ranking goes; a list shorter than that has no more providers
    depth = min(AGREEMENT_DEPTH, top)
    return replace(report, evidence={**report.evidence,
                                     "observed_vs_simulated": side_by_side(report, simulated(), depth)})

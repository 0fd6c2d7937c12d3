"""An observed transit report made honest: ranked only on enough coverage, and shown beside the simulated one."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from ..analysis.observed_agreement import (
    AGREEMENT_DEPTH,
    MIN_OBSERVED_COVERAGE,
    observed_coverage,
    side_by_side,
    thin_evidence_report,
)
from ..analysis.transit import TransitReport
from ..progress import NO_PROGRESS, Progress
from ..sources.snapshot import Snapshot

if TYPE_CHECKING:
    from .providers import TransitOptions

__all__ = ["observed_view"]


def observed_view(report: TransitReport, snapshot: Snapshot, options: TransitOptions,
                  progress: Progress = NO_PROGRESS) -> TransitReport:
    """``report`` (observed) checked against the coverage floor, and compared with simulation when it ranks.

    Below :data:`MIN_OBSERVED_COVERAGE` the rankings are emptied unless
    ``options.rank_thin_evidence``; whenever a ranking is given, the simulated one for the
    same country, date and options is computed and set beside it in
    ``evidence["observed_vs_simulated"]`` with their agreement.
    """
    from .providers import Evidence, transit  # providers calls this module: imported here, not at the top

    coverage = observed_coverage(report.evidence)
    if coverage < MIN_OBSERVED_COVERAGE:
        report = thin_evidence_report(report, coverage, ranked=options.rank_thin_evidence)
        if not report.evidence["ranked"]:
            return report
    else:
        report = replace(report, evidence={**report.evidence, "coverage_threshold": MIN_OBSERVED_COVERAGE,
                                           "ranked": True, "thin_evidence": False})
    # compared as deep as the observed ranking goes; a list shorter than that has no more providers
    depth = min(AGREEMENT_DEPTH, options.top)
    simulated = transit(report.cc, None, options=replace(options, evidence=Evidence.SIMULATED),
                        snapshot=snapshot, progress=progress)
    return replace(report, evidence={**report.evidence, "observed_vs_simulated": side_by_side(report, simulated,
                                                                                               depth)})

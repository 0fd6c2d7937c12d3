"""The library's front door: one function per question, typed options in, typed frozen results out.

Every question (transit, what-if, diff, lookups, simulation, blocking, timelines) lives in
its own module and is re-exported here; the CLI and the web app are thin shells over
them. Names load on first use, so ``import splinternet.api`` stays cheap and a command
pays only for the analyses it runs.

    >>> from splinternet import api
    >>> report = api.transit("LI", "2022-03-01")        # doctest: +SKIP
    >>> report.to_frame().head()                         # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..analysis.address import AddressInfo
    from ..analysis.blocking import BlockingReport
    from ..analysis.blocking_diff import BlockingDiff
    from ..analysis.blocking_groups import GroupTable
    from ..analysis.blocking_updates import UpdateCadence
    from ..analysis.country import MembershipView, Weighting
    from ..analysis.diff import DiffReport
    from ..analysis.flow_measures import TieRule, VantageScheme
    from ..analysis.org_merge import Grouping
    from ..analysis.profile import AsProfile
    from ..analysis.timeline import ShareTimeline, TimelineEvent
    from ..analysis.transit import TransitReport
    from ..analysis.whatif import WhatIfReport
    from ..analysis.world_events import EventThresholds, WorldEvent
    from ..sources.registry import RegisterKind
    from ..sources.snapshot import DatasetChoice, Snapshot
    from . import data, ingest, mrt, params
    from .blocking import (
        AttributionFiles,
        BlockingOptions,
        blocking_diff,
        blocking_report,
        blocking_series,
        blocking_updates,
    )
    from .changes import diff
    from .lookup import AsSearch, as_profile, as_search, ip_lookup
    from .providers import Evidence, Membership, TransitOptions, country_membership, transit
    from .routes import SimulateOptions, SimulationResult, simulate
    from .scenarios import whatif
    from .timeline import archive_timeline, blocking_register_timeline, topology_timeline
    from .world import WorldOptions, WorldSummary, build_world, world_country, world_indices
    from .world_series import WorldEvents, WorldSeries, build_world_series, world_events
    from .world_tables import WorldDataset, WorldTimeline, find_worlds, world_table, world_timeline

_WHERE = {
    "AddressInfo": "..analysis.address", "AsProfile": "..analysis.profile", "AsSearch": ".lookup",
    "AttributionFiles": ".blocking", "BlockingDiff": "..analysis.blocking_diff", "BlockingOptions": ".blocking",
    "BlockingReport": "..analysis.blocking", "DatasetChoice": "..sources.snapshot", "DiffReport": "..analysis.diff",
    "Evidence": ".providers", "GroupTable": "..analysis.blocking_groups", "Grouping": "..analysis.org_merge", "Membership": ".providers", "MembershipView": "..analysis.country", "Weighting": "..analysis.country",
    "RegisterKind": "..sources.registry", "ShareTimeline": "..analysis.timeline", "SimulateOptions": ".routes",
    "SimulationResult": ".routes", "Snapshot": "..sources.snapshot", "TieRule": "..analysis.flow_measures", "TimelineEvent": "..analysis.timeline", "TransitOptions": ".providers", "VantageScheme": "..analysis.flow_measures",
    "TransitReport": "..analysis.transit", "UpdateCadence": "..analysis.blocking_updates",
    "WhatIfReport": "..analysis.whatif", "archive_timeline": ".timeline", "as_profile": ".lookup",
    "as_search": ".lookup", "blocking_diff": ".blocking", "blocking_register_timeline": ".timeline",
    "blocking_report": ".blocking", "blocking_series": ".blocking", "blocking_updates": ".blocking",
    "country_membership": ".providers", "diff": ".changes", "ip_lookup": ".lookup", "simulate": ".routes",
    "topology_timeline": ".timeline", "transit": ".providers", "whatif": ".scenarios",
    "WorldOptions": ".world", "WorldSummary": ".world", "build_world": ".world", "world_country": ".world",
    "world_indices": ".world", "WorldDataset": ".world_tables", "WorldTimeline": ".world_tables",
    "find_worlds": ".world_tables", "world_table": ".world_tables", "world_timeline": ".world_tables",
    "EventThresholds": "..analysis.world_events",
    "WorldEvent": "..analysis.world_events", "WorldEvents": ".world_series", "WorldSeries": ".world_series",
    "build_world_series": ".world_series", "world_events": ".world_series",
}
_MODULES = ("blocking", "changes", "data", "ingest", "lookup", "mrt", "params", "providers", "routes", "scenarios",
            "timeline", "world", "world_series", "world_tables")

__all__ = [
    "AddressInfo",
    "AsProfile",
    "AsSearch",
    "AttributionFiles",
    "BlockingDiff",
    "BlockingOptions",
    "BlockingReport",
    "DatasetChoice",
    "DiffReport",
    "EventThresholds",
    "Evidence",
    "GroupTable",
    "Grouping",
    "Membership",
    "MembershipView",
    "RegisterKind",
    "ShareTimeline",
    "SimulateOptions",
    "SimulationResult",
    "Snapshot",
    "TieRule",
    "TimelineEvent",
    "TransitOptions",
    "TransitReport",
    "UpdateCadence",
    "VantageScheme",
    "Weighting",
    "WhatIfReport",
    "WorldDataset",
    "WorldEvent",
    "WorldEvents",
    "WorldOptions",
    "WorldSeries",
    "WorldSummary",
    "WorldTimeline",
    "archive_timeline",
    "as_profile",
    "as_search",
    "blocking_diff",
    "blocking_register_timeline",
    "blocking_report",
    "blocking_series",
    "blocking_updates",
    "build_world",
    "build_world_series",
    "country_membership",
    "data",
    "diff",
    "find_worlds",
    "ingest",
    "ip_lookup",
    "mrt",
    "params",
    "simulate",
    "topology_timeline",
    "transit",
    "whatif",
    "world",
    "world_country",
    "world_events",
    "world_indices",
    "world_series",
    "world_table",
    "world_tables",
    "world_timeline",
]


def __getattr__(name: str) -> Any:
    """Import the module that defines ``name`` on first use (PEP 562)."""
    if name in _MODULES:
        return importlib.import_module(f".{name}", __name__)
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(where, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)

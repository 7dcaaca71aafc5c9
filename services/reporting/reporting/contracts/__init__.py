"""What the gateway and other services may use of reporting, one module per capability:
``series`` (the supervisor's figures), ``zyh`` (志愿汇 pushes), ``reconciliation``
(interchange reconciliation). Imports only marshmallow and the kit's pure core
(DESIGN.md §2); the events reporting consumes belong to their producers
(``demand.contracts``, ``ledger.contracts``, ``identity.contracts``)."""
from __future__ import annotations

from timebank_common.contracts import EventContract

from .national import (
    CORRECTION,
    NATIONAL_COLUMNS,
    NATIONAL_EXPORTERS,
    NATIONAL_RECORDS,
    NEW,
    ROW_TYPES,
    NationalExportOut,
    NationalExportParams,
    NationalExportsOut,
    NationalExportsQuery,
)
from .reconciliation import (
    DIFFERENCE_KINDS,
    MAX_DIFFERENCES,
    RECONCILIATION_READERS,
    ChannelReconciliation,
    DifferenceOut,
    InterchangeReconciliationOut,
    InterchangeReconciliationQuery,
    SideTotals,
)
from .series import (
    ACTIVE_VOLUNTEERS,
    DAYS,
    MAX_DAYS,
    MAX_ROWS,
    MEASURES,
    PERIODS,
    REGION_CODE,
    REPORT_READERS,
    SUMMED_MEASURES,
    BreakdownOut,
    BreakdownQuery,
    BreakdownRow,
    Freshness,
    MeasureList,
    RegionSpan,
    SeriesOut,
    SeriesQuery,
    SeriesRow,
)
from .zyh import (
    MAX_REPLAY_IDS,
    ZYH_READERS,
    ZYH_REPLAYERS,
    ZYH_STATUSES,
    ZyhDeadOut,
    ZyhDeadQuery,
    ZyhPushOut,
    ZyhReplayIn,
    ZyhReplayOut,
    ZyhStatusOut,
)

EVENTS: tuple[EventContract, ...] = ()
"""The events reporting produces (none yet)."""

__all__ = [
    "ACTIVE_VOLUNTEERS",
    "BreakdownOut",
    "BreakdownQuery",
    "BreakdownRow",
    "DAYS",
    "Freshness",
    "MAX_DAYS",
    "MAX_ROWS",
    "MEASURES",
    "MeasureList",
    "PERIODS",
    "REGION_CODE",
    "REPORT_READERS",
    "SUMMED_MEASURES",
    "SeriesOut",
    "SeriesQuery",
    "SeriesRow",
    "RegionSpan",
    "EVENTS",
    "MAX_REPLAY_IDS",
    "ZYH_READERS",
    "ZYH_REPLAYERS",
    "ZYH_STATUSES",
    "ZyhDeadOut",
    "ZyhDeadQuery",
    "ZyhPushOut",
    "ZyhReplayIn",
    "ZyhReplayOut",
    "ZyhStatusOut",
    "DIFFERENCE_KINDS",
    "MAX_DIFFERENCES",
    "RECONCILIATION_READERS",
    "ChannelReconciliation",
    "DifferenceOut",
    "InterchangeReconciliationOut",
    "InterchangeReconciliationQuery",
    "SideTotals",
    "CORRECTION",
    "NATIONAL_COLUMNS",
    "NATIONAL_EXPORTERS",
    "NATIONAL_RECORDS",
    "NEW",
    "ROW_TYPES",
    "NationalExportOut",
    "NationalExportParams",
    "NationalExportsOut",
    "NationalExportsQuery",
]

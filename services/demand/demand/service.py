"""The demand service: nameko composes its entrypoint mixins (``entrypoints/``) and gives them
the database, the outbox relay and a proxy to ``identity``."""
from __future__ import annotations

from timebank_common.outbox import OutboxRelay
from timebank_common.rpc import RpcProxy
from timebank_common.service import Database, IdempotencyPurge, ServiceBase

from .entrypoints.assignment import AssignmentEntrypoints
from .entrypoints.catalogue import CatalogueEntrypoints
from .entrypoints.demands import DemandEntrypoints
from .entrypoints.disputes import DisputeEntrypoints
from .entrypoints.evaluation import EvaluationEntrypoints
from .entrypoints.intake import IntakeEntrypoints
from .entrypoints.payments import PaymentEntrypoints
from .entrypoints.recording import RecordingEntrypoints
from .entrypoints.series import SeriesEntrypoints
from .entrypoints.standing import StandingEntrypoints
from .entrypoints.statistics import StatisticsEntrypoints
from .entrypoints.sweeps import SweepEntrypoints


class DemandService(CatalogueEntrypoints, IntakeEntrypoints, SeriesEntrypoints,
                    DemandEntrypoints, AssignmentEntrypoints, SweepEntrypoints,
                    PaymentEntrypoints, RecordingEntrypoints, EvaluationEntrypoints,
                    DisputeEntrypoints, StatisticsEntrypoints, StandingEntrypoints,
                    IdempotencyPurge, ServiceBase):
    name = "demand"
    db = Database()
    relay = OutboxRelay()
    identity = RpcProxy("identity")
    ledger = RpcProxy("ledger")  # an elder's balance at review (adapters/ledger.py)

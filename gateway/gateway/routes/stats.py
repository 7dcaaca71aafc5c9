"""/api/v1/stats: figures for supervisors. ``reporting`` answers every figure its read model
of events holds (``overview``: services, minutes credited, reversed, spent, gifted, donated,
granted and allocated; demands submitted, published, served, expired, cancelled and the mean
waits; evaluations and satisfaction; disputes; held records; unrecorded services; volunteers
registered, eligible and active; elders registered, served and by hardship category — with
``as_of`` and ``lag_seconds``), and the ``demand`` and ``matching`` sections too
(``demand_figures`` in demand's own ``DemandStatsOut``: the demands' states, exact medians,
completion, no-shows, funding choices, recording timeliness; ``matching_figures`` in
matching's ``StatsOut``: match rate, first candidates, dispatch — from demand's and
matching's events: their databases are not scanned for supervision). The owning services
answer only the snapshots a read model of events cannot know, under their own keys:
``identity`` (who is registered now, carriers, operators: the region's current roll) and
``ledger`` (balances now: issuance liability, donation pools, and the fallbacks). Each
checks the caller's role and scope itself. Identity's figures are required; the others are asked at
the same time, each within a short budget, and listed under ``unavailable`` when they do not
answer (a service that is not running, or whose queue nobody consumes)."""
import datetime as dt

import eventlet
from marshmallow import Schema, fields, validate
from nameko.exceptions import MethodNotFound, UnknownService

from demand.contracts import DemandStatsOut
from identity.contracts import IdentityStats, PeriodOut, StatsQuerySchema
from ledger.contracts.roles import INTERCHANGE_READERS
from ledger.contracts.statistics import InterchangeOut, InterchangeQuery, LedgerStatsOut
from matching.contracts import StatsOut as MatchingStatsOut
from reporting.contracts import FIRST_DAY, LAST_DAY, MAX_DAYS, OverviewOut
from timebank_common.caller import ADMIN_ROLES
from timebank_common.errors import Unavailable
from timebank_common.remote import answer_within

from ..routing import route

OPTIONAL_FIGURES_SECONDS = 3.0  # at most; never more than a third of the gateway's RPC timeout
OPTIONAL_SECTIONS = ("reporting", "ledger", "demand", "matching")


class SupervisionStatsOut(Schema):
    """The whole answer of ``GET /api/v1/stats``: each section is its service's own answer
    schema; an optional section that did not answer is null and named in ``unavailable``."""

    region = fields.Str(required=True, metadata={"example": "130102000000"})
    period = fields.Nested(PeriodOut, required=True)
    identity = fields.Nested(IdentityStats, required=True)
    reporting = fields.Nested(OverviewOut, required=True, allow_none=True, metadata={
        "description": "the read model's figures of the period (default: the five years up to "
                       "today), with as_of and lag_seconds"})
    ledger = fields.Nested(LedgerStatsOut, required=True, allow_none=True)
    demand = fields.Nested(DemandStatsOut, required=True, allow_none=True)
    matching = fields.Nested(MatchingStatsOut, required=True, allow_none=True)
    unavailable = fields.List(fields.Str(validate=validate.OneOf(OPTIONAL_SECTIONS)),
                              required=True, metadata={
                                  "description": "the sections whose service did not answer"})


def _day(value: dt.date | str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def overview_span(region_code: str, first: dt.date | str | None, last: dt.date | str | None,
                  today: dt.date) -> dict:
    """reporting's ``overview`` query for the stats period (days as dates or ISO text): open
    ends are today and the longest span reporting answers (five years) before it; days
    beyond its calendar are clipped to it."""
    last = min(max(_day(last) or today, FIRST_DAY), LAST_DAY)
    earliest = last - dt.timedelta(days=MAX_DAYS - 1)
    first = min(max(_day(first) or earliest, earliest, FIRST_DAY), last)
    return {"region_code": region_code, "from": first.isoformat(), "to": last.isoformat()}


class StatsRoutes:
    @route("GET", "/api/v1/stats",
           summary="统计 Figures of a region in your scope (admins, auditors, API clients)",
           tags=["statistics"], query=StatsQuerySchema, response=SupervisionStatsOut,
           roles=[*ADMIN_ROLES, "auditor", "api_client"], scoped=["region_code"])
    def stats(self, request, caller, query):
        args = (caller, query["region_code"], query["period_from"], query["period_to"])
        identity = self.identity.identity_stats(*args)
        budget = min(OPTIONAL_FIGURES_SECONDS, float(self.rpc_timeout) / 3)
        span = overview_span(identity["region_code"], query["period_from"],
                             query["period_to"], dt.date.fromisoformat(identity["as_of"]))
        asked = {name: eventlet.spawn(self._optional_figures, budget, call, call_args)
                 for name, call, call_args in (
                     ("reporting", self.reporting.overview, (caller, span)),
                     ("ledger", self.ledger.ledger_stats, args),
                     ("demand", self.reporting.demand_figures, (caller, span)),
                     ("matching", self.reporting.matching_figures, (caller, span)))}
        figures = {name: thread.wait() for name, thread in asked.items()}
        return {"region": identity["region_code"], "period": identity["period"],
                "identity": identity, **figures,
                "unavailable": [name for name, value in figures.items() if value is None]}

    @route("GET", "/api/v1/stats/interchange",
           summary="通存通兑 Minutes between city-level units, and each unit's issued, earned, "
                   "granted, held and spent minutes, with the identities that reconcile them "
                   "(province/city admins, auditors)",
           tags=["statistics"], query=InterchangeQuery, response=InterchangeOut,
           roles=list(INTERCHANGE_READERS))
    def interchange(self, request, caller, query):
        return self.ledger.interchange_report(caller, query)

    @staticmethod
    def _optional_figures(seconds, call, args):
        try:
            return answer_within(seconds, call, *args, unavailable=Unavailable(
                "figures_unavailable", "统计暂时无法获取", "These figures are not available now"))
        except (UnknownService, MethodNotFound, Unavailable):  # not running, older, or silent
            return None

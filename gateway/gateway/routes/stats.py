"""/api/v1/stats: figures for supervisors. Each service answers for what it owns, under its own
key: ``identity`` (people, carriers), ``ledger`` (minutes moved, issuance liability, donation
pool balances), ``demand`` (demands by status and category, timings, completion, satisfaction,
disputes) and ``matching`` (match rate, time to first candidate, dispatch outcomes); each
checks the caller's role and scope itself. Identity's figures are required; the others are
asked at the same time, each within a short budget, and listed under ``unavailable`` when they
do not answer (a service that is not running, or whose queue nobody consumes)."""
import eventlet
from marshmallow import Schema, fields, validate
from nameko.exceptions import MethodNotFound, UnknownService

from demand.contracts import DemandStatsOut
from identity.contracts import IdentityStats, PeriodOut, StatsQuerySchema
from ledger.contracts.roles import INTERCHANGE_READERS
from ledger.contracts.statistics import InterchangeOut, InterchangeQuery, LedgerStatsOut
from matching.contracts import StatsOut as MatchingStatsOut
from timebank_common.caller import ADMIN_ROLES
from timebank_common.errors import Unavailable
from timebank_common.remote import answer_within

from ..routing import route

OPTIONAL_FIGURES_SECONDS = 3.0  # at most; never more than a third of the gateway's RPC timeout
OPTIONAL_SECTIONS = ("ledger", "demand", "matching")


class SupervisionStatsOut(Schema):
    """The whole answer of ``GET /api/v1/stats``: each section is its service's own answer
    schema; an optional section that did not answer is null and named in ``unavailable``."""

    region = fields.Str(required=True, metadata={"example": "130102000000"})
    period = fields.Nested(PeriodOut, required=True)
    identity = fields.Nested(IdentityStats, required=True)
    ledger = fields.Nested(LedgerStatsOut, required=True, allow_none=True)
    demand = fields.Nested(DemandStatsOut, required=True, allow_none=True)
    matching = fields.Nested(MatchingStatsOut, required=True, allow_none=True)
    unavailable = fields.List(fields.Str(validate=validate.OneOf(OPTIONAL_SECTIONS)),
                              required=True, metadata={
                                  "description": "the sections whose service did not answer"})


class StatsRoutes:
    @route("GET", "/api/v1/stats",
           summary="统计 Figures of a region in your scope (admins, auditors, API clients)",
           tags=["statistics"], query=StatsQuerySchema, response=SupervisionStatsOut,
           roles=[*ADMIN_ROLES, "auditor", "api_client"], scoped=["region_code"])
    def stats(self, request, caller, query):
        args = (caller, query["region_code"], query["period_from"], query["period_to"])
        identity = self.identity.identity_stats(*args)
        budget = min(OPTIONAL_FIGURES_SECONDS, float(self.rpc_timeout) / 3)
        asked = {name: eventlet.spawn(self._optional_figures, budget, call, args)
                 for name, call in (("ledger", self.ledger.ledger_stats),
                                    ("demand", self.demand.demand_stats),
                                    ("matching", self.matching.matching_stats))}
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

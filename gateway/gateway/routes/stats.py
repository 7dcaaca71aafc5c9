"""/api/v1/stats: figures for supervisors. Each service answers for what it owns, under its own
key: ``identity`` (people, carriers), ``ledger`` (minutes moved, liability) and ``demand``
(demands by status and category, timings, completion); each checks the caller's role and
scope itself. A service that is not running is listed under ``unavailable``; people's figures
stand alone."""
import eventlet
from nameko.exceptions import UnknownService

from identity.schemas import StatsQuerySchema
from timebank_common.auth import ADMIN_ROLES

from ..routing import route

OPTIONAL_SERVICE_SECONDS = 5  # a queue nobody consumes is never answered: don't wait for it


def _optional(seconds: float, call, *args):
    """``call(*args)``, or None when its service is not running or does not answer in time."""
    try:
        with eventlet.Timeout(seconds):
            return call(*args)
    except (UnknownService, eventlet.Timeout):
        return None


class StatsRoutes:
    @route("GET", "/api/v1/stats",
           summary="统计 Figures of a region in your scope (admins, auditors, API clients)",
           tags=["statistics"], query=StatsQuerySchema,
           roles=[*ADMIN_ROLES, "auditor", "api_client"], scoped=["region_code"])
    def stats(self, request, caller, query):
        args = (caller, query["region_code"], query["period_from"], query["period_to"])
        identity = self.identity.identity_stats(*args)
        wait = min(OPTIONAL_SERVICE_SECONDS, self.rpc_timeout / 3)  # both within the route's
        answers = {"ledger": _optional(wait, self.ledger.ledger_stats, *args),
                   "demand": _optional(wait, self.demand.demand_stats, *args)}
        return {"region": identity["region_code"], "period": identity["period"],
                "identity": identity, **answers,
                "unavailable": [name for name, answer in answers.items() if answer is None]}

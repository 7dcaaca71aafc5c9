"""The matching service: its entrypoints (one mixin per feature) and its dependencies."""
from __future__ import annotations

from timebank_common.outbox import OutboxRelay
from timebank_common.rpc import RpcProxy
from timebank_common.service import Database, ServiceBase

from .adapters.shared_index import SharedIndex
from .entrypoints.candidates import Candidates
from .entrypoints.demand_events import DemandEvents
from .entrypoints.dispatch import Dispatch
from .entrypoints.feed import Feed
from .entrypoints.identity_events import IdentityEvents
from .entrypoints.preferences import Preferences
from .entrypoints.read_models import ReadModels
from .entrypoints.statistics import Statistics


# nameko injects each dependency provider's value (``ServiceBase.clock``: a ``Clock``) in place
# of the provider the class holds, as ``Dependencies`` declares them: hence the ignore
class MatchingService(Feed, Preferences, Candidates, Dispatch,  # type: ignore[misc]
                      Statistics, ReadModels, DemandEvents, IdentityEvents, ServiceBase):
    name = "matching"
    db = Database()
    relay = OutboxRelay()  # its events (first candidate, dispatch runs, decisions)
    demand = RpcProxy("demand")
    identity = RpcProxy("identity")
    volunteer_index = SharedIndex()

"""The identity nameko service: the entrypoint mixins of each feature and the dependencies
they use (DESIGN.md §2)."""
from __future__ import annotations

from timebank_common.outbox import OutboxRelay
from timebank_common.service import Database, ServiceBase

from .entrypoints.accounts import AccountEntrypoints
from .entrypoints.api_clients import ApiClientEntrypoints
from .entrypoints.audit import AuditEntrypoints
from .entrypoints.contacts import ContactEntrypoints
from .entrypoints.dependencies import LoginLockout, PersonalDataKeys, TokenSigner
from .entrypoints.interest import InterestEntrypoints
from .entrypoints.moves import MoveEntrypoints
from .entrypoints.operators import OperatorEntrypoints
from .entrypoints.people import PeopleEntrypoints
from .entrypoints.places import PlaceEntrypoints
from .entrypoints.priorities import PriorityEntrypoints
from .entrypoints.proxies import ProxyEntrypoints
from .entrypoints.qualifications import QualificationEntrypoints
from .entrypoints.relatives import RelativeEntrypoints
from .entrypoints.statistics import StatisticsEntrypoints
from .entrypoints.volunteering import VolunteerEntrypoints


class IdentityService(ServiceBase, AccountEntrypoints, PeopleEntrypoints, PlaceEntrypoints,
                      AuditEntrypoints, PriorityEntrypoints, RelativeEntrypoints,
                      ProxyEntrypoints, VolunteerEntrypoints, QualificationEntrypoints,
                      OperatorEntrypoints, ApiClientEntrypoints, ContactEntrypoints,
                      StatisticsEntrypoints, MoveEntrypoints, InterestEntrypoints):
    name = "identity"
    db = Database()
    relay = OutboxRelay()
    signer = TokenSigner()
    lockout = LoginLockout()
    personal_data = PersonalDataKeys()

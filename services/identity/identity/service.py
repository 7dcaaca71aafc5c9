"""The identity nameko service: the entrypoint mixins of each feature and the dependencies
they use (DESIGN.md §2)."""
from __future__ import annotations

from timebank_common.outbox import OutboxRelay
from timebank_common.service import Database, IdempotencyPurge, ServiceBase

from .adapters.personal_data import keys as personal_data_keys
from .entrypoints.accounts import AccountEntrypoints
from .entrypoints.api_clients import ApiClientEntrypoints
from .entrypoints.audit import AuditEntrypoints
from .entrypoints.contacts import ContactEntrypoints
from .entrypoints.dependencies import LoginLockout, PersonalDataKeys, TokenSigner
from .entrypoints.imports import ImportEntrypoints
from .entrypoints.interchange import InterchangeEntrypoints
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
                      StatisticsEntrypoints, MoveEntrypoints, InterestEntrypoints,
                      ImportEntrypoints, InterchangeEntrypoints, IdempotencyPurge):
    name = "identity"
    db = Database()
    relay = OutboxRelay()
    signer = TokenSigner()
    lockout = LoginLockout()
    personal_data = PersonalDataKeys()

    @property
    def answer_cipher(self):
        """Stored answers of idempotent creates (a registration, an API client's secret) are
        personal data: sealed at rest like the rest of it, with the keys the repositories use
        (``timebank_common.idempotency``; re-sealed by ``commands.rotate_pii_keys``)."""
        return personal_data_keys().cipher

"""The ledger's nameko service: the entrypoint mixins (one per feature, ``entrypoints/``) and
the dependencies they use."""
from __future__ import annotations

from timebank_common.outbox import OutboxRelay
from timebank_common.rpc import RpcProxy
from timebank_common.service import Database, IdempotencyPurge, ServiceBase

from .adapters.certificate_keys import CertificateSigner
from .entrypoints.accounts import AccountEntrypoints
from .entrypoints.certificates import CertificateEntrypoints
from .entrypoints.crediting import CreditingEntrypoints
from .entrypoints.disputes import DisputeEntrypoints
from .entrypoints.giving import GivingEntrypoints
from .entrypoints.grants import GrantEntrypoints
from .entrypoints.policies import PolicyEntrypoints
from .entrypoints.reservations import ReservationEntrypoints
from .entrypoints.standing import StandingEntrypoints
from .entrypoints.statistics import StatisticsEntrypoints
from .entrypoints.transfers import TransferEntrypoints
from .entrypoints.verification import VerificationEntrypoints


class LedgerService(AccountEntrypoints, TransferEntrypoints, CreditingEntrypoints,
                    ReservationEntrypoints, GrantEntrypoints, GivingEntrypoints,
                    DisputeEntrypoints, PolicyEntrypoints, StatisticsEntrypoints,
                    VerificationEntrypoints, CertificateEntrypoints, StandingEntrypoints,
                    IdempotencyPurge, ServiceBase):
    """Accounts, transfers, the journal, policies and certificates (DESIGN.md §6)."""

    name = "ledger"
    db = Database()
    relay = OutboxRelay()
    identity = RpcProxy("identity")  # giving, pool allocation, certificates
    demand = RpcProxy("demand")  # the catalogue's names (certificates), reconciliation
    certificate_setup = CertificateSigner()  # signing keys, the public base URL

"""The ledger's published contracts: every RPC declared, every event it emits has a contract,
and the contracts' enums are the ones the rules use."""
import inspect
import re
from pathlib import Path

from nameko.rpc import Rpc  # the kit's QuorumRpc is one

from ledger import contracts
from ledger.contracts import kinds
from ledger.contracts.events import EVENTS
from ledger.domain import accounts, transfers
from ledger.service import LedgerService

LEDGER = Path(contracts.__file__).parent.parent


def test_every_rpc_is_declared():
    rpcs = {name: member for name, member in inspect.getmembers(LedgerService, inspect.isfunction)
            if any(isinstance(e, Rpc) for e in getattr(member, "nameko_entrypoints", ()))}
    assert len(rpcs) >= 20
    assert [name for name, member in rpcs.items()
            if getattr(member, "rpc_declaration", None) is None] == []


def test_every_event_the_ledger_emits_has_a_contract():
    emitted = set()
    for path in LEDGER.rglob("*.py"):
        emitted |= set(re.findall(r"uow\.emit\((\w+)", path.read_text(encoding="utf-8")))
    names = {name for name in dir(contracts.events) if name.isupper()}
    assert emitted and emitted <= names, emitted - names  # emitted with a contract, not a name
    assert {e.source for e in EVENTS} == {"ledger"}
    assert len({e.name for e in EVENTS}) == len(EVENTS) == 9
    assert contracts.EVENTS is EVENTS


def test_the_rules_use_the_contracts_names():
    assert set(accounts.PERSON_ACCOUNT_KINDS) | set(accounts.REGION_ACCOUNT_KINDS) == set(
        kinds.ACCOUNT_KINDS)
    assert set(transfers.PHASE_OF_ACTION) == set(kinds.ACTIONS)
    assert set(transfers.STATUS_OF_PHASE) == set(kinds.PHASES)
    assert set(transfers.STATUS_OF_PHASE.values()) | {kinds.EXISTS, kinds.FAILED} == set(
        kinds.STATUSES)
    assert "money" not in " ".join(kinds.TRANSFER_KINDS + kinds.ACCOUNT_KINDS)

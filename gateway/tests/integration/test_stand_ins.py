"""The stand-ins of the gateway's integration tests are held to the services' contracts: every
example answer meets its schema as a client loads it, and ``answers_as`` refuses a stand-in
answer outside the contract of the RPC it replaces (pure: no broker, no container)."""
import pytest
from marshmallow import RAISE

from demand.contracts import (
    AssignmentOut,
    CategoryOut,
    DemandOut,
    DisputeOut,
    EvaluationOut,
    EvidencePolicyOut,
    EvidencePolicyRowOut,
    GroupFailureOut,
    RecordOut,
)
from ledger.contracts.accounts import BalanceOut
from ledger.contracts.certificates import CertificateVerification
from ledger.contracts.statistics import InterchangeOut, InterchangeUnitOut, LedgerStatsOut
from notify.contracts import CallTaskView, PreferencesView
from timebank_common.contracts import conforms
from timebank_common.service import ContractBroken

from . import examples
from .stand_ins import OutsideContract, answers_as, declaration_of

EXAMPLES = [
    (examples.category, CategoryOut), (examples.assignment, AssignmentOut),
    (examples.demand, DemandOut),
    (examples.record, RecordOut), (examples.group_failure, GroupFailureOut),
    (examples.evaluation, EvaluationOut), (examples.dispute, DisputeOut),
    (examples.evidence_policy_row, EvidencePolicyRowOut),
    (examples.evidence_policy, EvidencePolicyOut), (examples.balance, BalanceOut),
    (examples.certificate_verification, CertificateVerification),
    (examples.ledger_stats, LedgerStatsOut), (examples.interchange_unit, InterchangeUnitOut),
    (examples.interchange, InterchangeOut), (examples.call_task, CallTaskView),
    (examples.preferences, PreferencesView),
]


@pytest.mark.parametrize(("build", "schema"), EXAMPLES, ids=[b.__name__ for b, _ in EXAMPLES])
def test_every_example_answer_is_complete_and_valid(build, schema):
    answer = build("v-1") if build is examples.group_failure else build()
    assert conforms(schema, answer) == []
    assert schema(unknown=RAISE).validate(answer) == {}  # what the strict gateway applies
    required = {f.data_key or name for name, f in schema().fields.items() if f.required}
    assert required <= set(answer), "every field the contract requires"


def test_an_override_of_a_field_the_answer_does_not_have_is_refused():
    with pytest.raises(TypeError, match="earned_minuts"):
        examples.balance(earned_minuts=90)


class Ledger:
    @answers_as("ledger")
    def balance(self, caller, person_id):
        if person_id == "partial":
            return {"person_id": person_id, "earned_minutes": 90}
        if person_id == "on-purpose":
            return OutsideContract({"person_id": person_id})
        return examples.balance(person_id=person_id)


def test_a_stand_in_answering_outside_its_contract_breaks_loudly():
    with pytest.raises(ContractBroken, match="grant_minutes"):
        Ledger().balance({}, "partial")
    assert Ledger().balance({}, "complete")["person_id"] == "complete"


def test_a_stand_in_may_break_its_contract_on_purpose_only_explicitly():
    assert Ledger().balance({}, "on-purpose") == {"person_id": "on-purpose"}


def test_a_stand_in_for_an_rpc_the_service_does_not_declare_is_refused():
    def balanse(self, caller, person_id):
        return examples.balance(person_id=person_id)

    with pytest.raises(LookupError, match="no RPC named 'balanse'"):
        answers_as("ledger")(balanse)
    assert declaration_of("ledger", "balance").returns is not None

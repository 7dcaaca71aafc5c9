"""Who may read a balance or statement, and the balance summary."""
import pytest

from ledger.domain.access import authorize_account_read
from ledger.domain.accounts import AccountState
from ledger.domain.balances import balance_summary
from timebank_common.caller import Caller
from timebank_common.errors import Forbidden, NotFound

SHIJIAZHUANG_COMMUNITY = "130102001001"


def caller(person_id="p-1", roles=("volunteer",), scope=None) -> Caller:
    return Caller(person_id=person_id, roles=tuple(roles), scope=scope)


def test_a_person_reads_their_own_account():
    authorize_account_read(caller("v-1"), "v-1", SHIJIAZHUANG_COMMUNITY)


def test_another_volunteer_is_refused():
    with pytest.raises(Forbidden) as err:
        authorize_account_read(caller("v-2"), "v-1", SHIJIAZHUANG_COMMUNITY)
    assert err.value.code == "not_your_account"


@pytest.mark.parametrize("role, scope", [("station_operator", "130102001000"),
                                         ("auditor", "130100000000"),
                                         ("province_admin", "130000000000")])
def test_staff_in_scope_may_read(role, scope):
    authorize_account_read(caller("s-1", [role], scope), "v-1", SHIJIAZHUANG_COMMUNITY)


def test_staff_out_of_scope_are_told_what_an_unknown_id_is_told():
    with pytest.raises(NotFound) as outside:
        authorize_account_read(caller("s-1", ["county_admin"], "130104000000"), "v-1",
                               SHIJIAZHUANG_COMMUNITY)
    with pytest.raises(NotFound) as unknown:
        authorize_account_read(caller("s-1", ["county_admin"], "130104000000"), "v-1", None)
    assert outside.value.code == unknown.value.code == "person_not_found"
    assert (outside.value.zh, outside.value.en) == (unknown.value.zh, unknown.value.en)


def test_an_unknown_id_is_not_found_for_staff_and_not_yours_for_others():
    with pytest.raises(NotFound):
        authorize_account_read(caller("s-1", ["province_admin"], "130000000000"), "v-1", None)
    with pytest.raises(Forbidden):
        authorize_account_read(caller("v-2"), "v-1", None)


def test_balance_summary_counts_missing_accounts_as_zero():
    assert balance_summary("v-1", []) == {"person_id": "v-1", "earned_minutes": 0,
                                          "grant_minutes": 0, "reserved_minutes": 0,
                                          "available_minutes": 0}
    held = [AccountState("a", "personal", 30, 120, 20, 0), AccountState("b", "grant", 0, 120, 10)]
    summary = balance_summary("v-1", held)
    assert (summary["earned_minutes"], summary["grant_minutes"], summary["reserved_minutes"],
            summary["available_minutes"]) == (90, 120, 30, 180)

"""Balances, statements and the volunteer summary; the internal account RPCs."""
from __future__ import annotations

from marshmallow import fields

from timebank_common.schemas import load
from timebank_common.service import rpc

from ..adapters.identity import IdentityClient
from ..app import accounts
from ..contracts.accounts import (
    AccountOut,
    BalanceOut,
    OpenAccountIn,
    StatementOut,
    StatementQuery,
    VolunteerSummaryOut,
)
from ..contracts.values import person_id as person_id_field
from ..domain.stars import thresholds_from_config


def star_thresholds(config) -> tuple[int, ...]:
    """``STAR_THRESHOLDS_HOURS`` of the service's configuration, checked."""
    return thresholds_from_config(config.get("STAR_THRESHOLDS_HOURS"))


_BALANCE = BalanceOut()  # one instance: building the schema was 2% of a balance read's CPU
_ACCOUNT = AccountOut()


class AccountEntrypoints:
    @rpc(args={"person_id": person_id_field()}, returns=BalanceOut)
    def balance(self, caller, person_id):
        """Earned, grant, reserved and available minutes (zeros for a person with no
        account yet): the person themself, a proxy acting for them, or staff whose scope
        covers where the person belongs now (an id outside the scope answers as an unknown one: 404
        ``person_not_found``)."""
        return _BALANCE.dump(accounts.balance(
            self.db, caller, person_id, IdentityClient(self.config, self.identity)))

    @rpc(args={"person_id": person_id_field(), "query": StatementQuery}, returns=StatementOut)
    def statement(self, caller, person_id, query=None):
        """A page of the person's entries, newest first (as ``balance`` for who)."""
        if query is None:  # not sent: every default
            query = StatementQuery().load({})
        return StatementOut().dump(accounts.statement(
            self.db, caller, person_id, query, IdentityClient(self.config, self.identity)))

    @rpc(args={"person_id": person_id_field()}, returns=VolunteerSummaryOut)
    def volunteer_summary(self, caller, person_id):
        """The balance plus cumulative service time, star level, next star, milestones."""
        return VolunteerSummaryOut().dump(accounts.volunteer_summary(
            self.db, caller, person_id, star_thresholds(self.config),
            IdentityClient(self.config, self.identity)))

    @rpc(returns=AccountOut, internal=True)
    def open_account(self, kind, region_code, owner_person_id=None):
        """The account of this kind for this person/region, opened if missing
        (``OpenAccountIn``: personal and grant accounts, and only they, have an owner)."""
        data = load(OpenAccountIn(), {"kind": kind, "region_code": region_code,
                                      "owner_person_id": owner_person_id})
        return AccountOut().dump(accounts.open_account(
            self.db, data["kind"], data["region_code"], data["owner_person_id"]))

    @rpc(args={"account_id": fields.UUID(required=True)}, returns=AccountOut, internal=True)
    def account(self, account_id):
        """One account's four totals, balance and available minutes."""
        return _ACCOUNT.dump(accounts.account(self.db, str(account_id)))

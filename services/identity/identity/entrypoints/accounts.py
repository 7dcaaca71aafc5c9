"""Logging in, sessions, passwords, municipal systems' tokens, ``me`` and the revocations the
gateway honours."""
from __future__ import annotations

import datetime as dt

from marshmallow import fields

from timebank_common.errors import BadInput
from timebank_common.service import rpc

from ..app import accounts, revocation
from ..contracts import PASSWORD, ActiveRevocations, LoggedOut, Me, PasswordChanged, TokenPair


class AccountEntrypoints:
    @rpc(args={"phone": fields.Str(required=True), "password": fields.Str(required=True)},
         returns=TokenPair)
    def authenticate(self, phone, password):
        """A new login session: access and refresh tokens. An unknown phone and a wrong
        password are refused alike; five wrong passwords lock the account for a while."""
        return accounts.authenticate(self.db, self.signer, phone, password, self.clock.now(),
                                     self.lockout)

    @rpc(returns=TokenPair)
    def refresh(self, refresh_token):
        """A new pair of the same session; the used refresh token is revoked (a rotated one
        presented again revokes every token of the person)."""
        return accounts.refresh(self.db, self.signer, str(refresh_token or ""), self.clock.now())

    @rpc(args={"refresh_token": fields.Str(allow_none=True), "everywhere": fields.Bool()},
         returns=LoggedOut)
    def logout(self, caller, refresh_token=None, everywhere=False):
        """End the caller's login session (or, with ``everywhere``, every session)."""
        if everywhere:
            return accounts.logout_everywhere(self.db, caller, self.clock.now())
        return accounts.logout(self.db, caller, self.clock.now(), refresh_token)

    @rpc(returns=LoggedOut)
    def logout_everywhere(self, caller):
        """End every login session of the caller."""
        return accounts.logout_everywhere(self.db, caller, self.clock.now())

    @rpc(args={"current_password": fields.Str(required=True),
               "new_password": fields.Str(required=True, validate=PASSWORD)},
         returns=PasswordChanged)
    def change_password(self, caller, current_password, new_password):
        """Set a new password (the password rules apply); every session ends."""
        return accounts.change_password(self.db, caller, current_password, new_password,
                                        self.clock.now(), self.lockout)

    @rpc(returns=ActiveRevocations, internal=True)
    def active_revocations(self, since=None):
        """Access-token revocations that can still refuse a token (the gateway's list)."""
        try:
            since = dt.datetime.fromisoformat(since) if since else None
        except (TypeError, ValueError):
            raise BadInput("since_invalid", "since 应为 ISO 8601 时间",
                           "since must be an ISO 8601 instant") from None
        return revocation.active_revocations(self.db, self.clock.now(), self.signer.access_ttl,
                                             since)

    @rpc(returns=TokenPair)
    def client_token(self, client_id, client_secret):
        """An access token for a municipal system (role ``api_client``, its city's scope)."""
        return accounts.client_token(self.db, self.signer, str(client_id or ""),
                                     str(client_secret or ""), self.clock.now())

    @rpc(returns=Me)
    def me(self, caller):
        """Who the caller is: person, roles, scope, station."""
        return accounts.me(self.db, caller)

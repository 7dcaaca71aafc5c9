"""The one question demand asks the ``ledger``: an elder's balance, at review (the cover of
the source the elder chose), within ``LEDGER_RPC_TIMEOUT_SECONDS`` of demand's configuration
(default 5), else 503 ``ledger_unavailable`` (``timebank_common.remote.ask``). Asked before
the review's transaction opens, so no row lock waits on a call."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from timebank_common import remote
from timebank_common.caller import Caller
from timebank_common.errors import Forbidden, NotFound


class LedgerClient:
    """``LedgerClient(config, proxy)``: ``proxy`` is the service's ``RpcProxy("ledger")`` (or,
    in a test, any object with a ``balance(caller, person_id)`` method)."""

    def __init__(self, config: Mapping[str, Any] | None, proxy: Any):
        self._config = config
        self._proxy = proxy

    def balance(self, caller: Caller, person_id: str) -> dict[str, Any] | None:
        """The person's balance as the ledger shows it to ``caller`` (the reviewer); None when
        the ledger shows none to them (no account it will show: nothing to spend)."""
        try:
            return dict(remote.ask(self._config, self._proxy, "ledger", "balance",
                                   caller.to_dict(), person_id))
        except (NotFound, Forbidden):
            return None

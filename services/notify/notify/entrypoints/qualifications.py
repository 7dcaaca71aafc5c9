"""Expiring qualifications: a daily timer, and the same check as an internal RPC."""
from __future__ import annotations

import logging
from typing import Any

from marshmallow import fields

from timebank_common.errors import Unavailable
from timebank_common.service import rpc, scheduled

from ..app import qualifications
from ..contracts import QualificationCheck
from .base import NotifyEntrypoints

log = logging.getLogger("timebank.notify")


class QualificationEntrypoints(NotifyEntrypoints):
    @scheduled("QUALIFICATION_CHECK_SECONDS", 86400)
    def warn_expiring_qualifications(self) -> None:
        try:
            self._check(30)
        except Unavailable:
            log.warning("identity did not answer; expiring qualifications checked next time")

    @rpc(args={"days": fields.Integer()}, returns=QualificationCheck, internal=True)
    def check_qualifications(self, days=30) -> dict[str, Any]:
        """Tell each volunteer whose verified qualification runs out within ``days`` (once
        per qualification); 503 ``identity_unavailable`` without identity."""
        return self._check(days)

    def _check(self, days: int) -> dict[str, Any]:
        return qualifications.check_qualifications(self.db, self.identity_service(),
                                                   self.clock.now(), days)

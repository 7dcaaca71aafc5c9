"""The internal transfer API (``create_transfers``, ``reverse``, ``expire_pending``) and the
sweep of timed-out reservations."""
from __future__ import annotations

from timebank_common.schemas import load
from timebank_common.service import rpc, scheduled

from ..app import transfers as moving
from ..contracts.transfers import (
    ExpiredOut,
    ReverseIn,
    TransferResultOut,
    sweep_limit,
    transfer_batch,
)
from ..domain.batch import Outcome
from ..domain.transfers import TransferRequest

_RESULT = TransferResultOut()


def request_of(data: dict) -> TransferRequest:
    """A loaded ``TransferIn`` as the request the batch path takes."""
    data = dict(data)
    for side in ("debit_account_id", "credit_account_id"):
        if data[side] is not None:
            data[side] = str(data[side])
    return TransferRequest(transfer_id=data.pop("id"), **data)


def result_of(outcome: Outcome) -> dict:
    error = outcome.error
    return _RESULT.dump({
        "transfer_id": outcome.transfer_id, "status": outcome.status,
        "transfer": outcome.transfer,
        "error": None if error is None else {"code": error.code, "zh": error.zh, "en": error.en,
                                             "details": error.details}})


class TransferEntrypoints:
    @rpc(args={"transfers": transfer_batch()}, returns=TransferResultOut(many=True),
         internal=True)
    def create_transfers(self, transfers):
        """A batch in one transaction; one result per transfer, in order."""
        outcomes = moving.create(self.db, [request_of(t) for t in transfers], self.clock.now())
        return [result_of(o) for o in outcomes]

    @rpc(returns=TransferResultOut, internal=True)
    def reverse(self, transfer_id, reason, approver, amount_minutes=None, reversal_id=None):
        """A ``reversal`` mirroring a posted transfer (partial allowed); raises the refusal.
        Without ``reversal_id`` the id is ``reversal:<transfer_id>`` (one full or partial
        reversal; give distinct ids for several partial ones)."""
        data = load(ReverseIn(), {
            "transfer_id": transfer_id, "reason": reason, "approver": approver,
            "amount_minutes": amount_minutes, "reversal_id": reversal_id})
        return result_of(moving.reverse(self.db, data, self.clock.now()))

    @rpc(args={"limit": sweep_limit()}, returns=ExpiredOut, internal=True)
    def expire_pending(self, limit=500):
        """Void the reservations whose timeout passed (also run on a timer)."""
        return {"expired": moving.expire_pending(self.db, limit, self.clock.now())}

    @scheduled("PENDING_SWEEP_SECONDS", 30)
    def sweep_expired_pending(self):
        """Every process runs it; two sweepers expiring the same reservation agree on the
        expiry's transfer id, so the second gets ``exists``."""
        moving.sweep(self.db, self.clock)

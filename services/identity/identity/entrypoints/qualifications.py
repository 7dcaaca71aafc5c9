"""Qualifications (资质): added, verified (four-eyes), listed, and expired by a sweep."""
from __future__ import annotations

from timebank_common.service import rpc, scheduled

from ..app import qualifications
from ..contracts import (
    AddQualificationSchema,
    ExpiredQualifications,
    QualificationList,
    QualificationOut,
    ReviewSchema,
)


class QualificationEntrypoints:
    @rpc(args={"data": AddQualificationSchema}, returns=QualificationOut, idempotent=True)
    def add_qualification(self, caller, volunteer_id, data):
        """A qualification, pending (the volunteer, or staff in scope)."""
        return qualifications.add_qualification(self.db, caller, volunteer_id, data,
                                                self.clock.now())

    @rpc(args={"data": ReviewSchema}, returns=QualificationOut)
    def verify_qualification(self, caller, qualification_id, data):
        """Verify or reject a pending qualification (another staff member in scope)."""
        return qualifications.verify_qualification(self.db, caller, qualification_id, data,
                                                   self.clock.now())

    @rpc(returns=QualificationList)
    def list_qualifications(self, caller, volunteer_id):
        """A volunteer's qualifications (the volunteer, or staff in scope)."""
        return qualifications.list_qualifications(self.db, caller, volunteer_id,
                                                  self.clock.now())

    @rpc(returns=ExpiredQualifications, internal=True)
    def expire_qualifications(self):
        """Mark verified qualifications past ``valid_until``, announcing each once; also run
        by ``sweep_expired_qualifications``. Idempotent."""
        return qualifications.expire_qualifications(self.db, self.clock.now())

    @scheduled("QUALIFICATION_SWEEP_SECONDS", 3600)
    def sweep_expired_qualifications(self):
        """Hourly: a qualification that ran out yesterday is announced within the hour after
        midnight (China time). Runs in every identity process; rows are taken SKIP LOCKED."""
        qualifications.expire_qualifications(self.db, self.clock.now())

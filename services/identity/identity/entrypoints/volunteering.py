"""Volunteer eligibility (志愿者资格): the recorded facts, the computed eligibility, what other
services read of volunteers, and the daily reassessment."""
from __future__ import annotations

from marshmallow import fields, validate

from timebank_common.service import rpc, scheduled

from ..app import volunteering
from ..contracts import (
    BackgroundTagsSchema,
    EligibilityOut,
    HealthDeclarationSchema,
    MatchingVolunteersPage,
    Reassessment,
    RecordTrainingSchema,
    RegistryStatusSchema,
    ScreeningSchema,
    TrainingOut,
    VolunteerCheck,
)


class VolunteerEntrypoints:
    @rpc(returns=VolunteerCheck, internal=True)
    def check_volunteer(self, person_id):
        """Whether the volunteer may serve today (the reasons if not) and the qualification
        kinds valid today."""
        return volunteering.volunteer_check(self.db, person_id, self.clock.now())

    @rpc(args={"after": fields.Str(allow_none=True),
               "limit": fields.Int(validate=validate.Range(min=1, max=5000))},
         returns=MatchingVolunteersPage, internal=True)
    def matching_volunteers(self, after=None, limit=1000):
        """A page of eligible volunteers (as last announced) by person id, for matching's
        rebuild; ``next_after`` is null on the last page."""
        return volunteering.eligible_page(self.db, after, limit, self.clock.now())

    @rpc(returns=EligibilityOut)
    def eligibility(self, caller, volunteer_id):
        """The volunteer's facts and eligibility: the volunteer, or staff in scope."""
        return volunteering.eligibility(self.db, caller, volunteer_id, self.clock.now())

    @rpc(args={"data": RecordTrainingSchema}, returns=TrainingOut, idempotent=True)
    def record_training(self, caller, volunteer_id, data):
        """A completed training (staff in scope)."""
        return volunteering.record_training(self.db, caller, volunteer_id, data,
                                            self.clock.now())

    @rpc(args={"data": ScreeningSchema}, returns=EligibilityOut)
    def set_screening(self, caller, volunteer_id, data):
        """The credit and legal-record screening result (staff in scope)."""
        return volunteering.set_screening(self.db, caller, volunteer_id, data, self.clock.now())

    @rpc(args={"data": RegistryStatusSchema}, returns=EligibilityOut)
    def set_registry_status(self, caller, volunteer_id, data):
        """The national registry's verification (staff in scope)."""
        return volunteering.set_registry_status(self.db, caller, volunteer_id, data,
                                                self.clock.now())

    @rpc(args={"data": HealthDeclarationSchema}, returns=EligibilityOut)
    def declare_health(self, caller, volunteer_id, data):
        """The health self-declaration (the volunteer, or staff in scope)."""
        return volunteering.declare_health(self.db, caller, volunteer_id, data, self.clock.now())

    @rpc(args={"data": BackgroundTagsSchema}, returns=EligibilityOut)
    def set_background_tags(self, caller, volunteer_id, data):
        """Background tags, for statistics only (staff in scope)."""
        return volunteering.set_background_tags(self.db, caller, volunteer_id, data,
                                                self.clock.now())

    @rpc(returns=Reassessment, internal=True)
    def reassess_volunteers(self, batch_size=500):
        """Reassess every volunteer not yet checked today, in batches of one transaction each;
        announces eligibility that changed with time alone. Idempotent within a day; also run
        by ``sweep_volunteer_eligibility``."""
        return volunteering.reassess_volunteers(self.db, self.clock.now(), int(batch_size))

    @scheduled("VOLUNTEER_SWEEP_SECONDS", 3600)
    def sweep_volunteer_eligibility(self):
        """Hourly; after the first run of a day it finds nobody left to check."""
        volunteering.reassess_volunteers(self.db, self.clock.now())

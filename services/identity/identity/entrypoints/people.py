"""Registering elders and volunteers; reading a person or an elder (masked unless asked and
allowed: then audited)."""
from __future__ import annotations

from timebank_common.service import rpc

from ..app import corrections, people, reading, registration, standing
from ..contracts import (
    ElderListSchema,
    ElderOut,
    ElderPage,
    PersonOut,
    PersonStatusOut,
    RegisterElderSchema,
    RegisterVolunteerSchema,
    SetPersonStatusSchema,
    UpdateElderSchema,
    UpdateVolunteerSchema,
    VolunteerListSchema,
    VolunteerOut,
    VolunteerPage,
)


class PeopleEntrypoints:
    @rpc(args={"data": RegisterElderSchema}, returns=ElderOut, idempotent=True)
    def register_elder(self, caller, data):
        """An elder (60+), e.g. one who called by phone; staff in scope."""
        return registration.register_elder(self.db, caller, data, self.clock.now())

    @rpc(args={"data": RegisterVolunteerSchema}, returns=VolunteerOut, idempotent=True)
    def register_volunteer(self, caller, data):
        """A volunteer with a login and the facts the registering staff attests."""
        return registration.register_volunteer(self.db, caller, data, self.clock.now())

    @rpc(returns=PersonOut)
    def get_person(self, caller, person_id, unmasked=False):
        """Masked; ``unmasked=True`` for the roles of ``domain.disclosure`` (audited)."""
        return reading.read_person(self.db, caller, person_id, bool(unmasked), self.clock.now())

    @rpc(returns=ElderOut)
    def get_elder(self, caller, person_id, unmasked=False):
        """An elder with their priority categories and proxies; masked unless asked (audited)."""
        return reading.read_elder(self.db, caller, person_id, bool(unmasked), self.clock.now())

    @rpc(args={"query": ElderListSchema}, returns=ElderPage)
    def list_elders(self, caller, query):
        """Elders in the caller's scope, searched (name prefix, phone, ID number, region,
        status, hardship category) and paged; masked."""
        return people.list_elders(self.db, caller, query, self.clock.now())

    @rpc(args={"query": VolunteerListSchema}, returns=VolunteerPage)
    def list_volunteers(self, caller, query):
        """Volunteers in the caller's scope, searched (name prefix, phone, ID number, region,
        status, eligibility) and paged; masked."""
        return people.list_volunteers(self.db, caller, query, self.clock.now())

    @rpc(args={"data": UpdateElderSchema}, returns=ElderOut)
    def update_elder(self, caller, person_id, data):
        """Correct an elder: phone (the login follows), address, emergency contact,
        phone_only, coordinates; staff in scope, the elder their address and contact."""
        return corrections.update_elder(self.db, caller, person_id, data, self.clock.now())

    @rpc(args={"data": UpdateVolunteerSchema}, returns=VolunteerOut)
    def update_volunteer(self, caller, person_id, data):
        """Correct a volunteer: phone (the login follows), address, national volunteer number
        (eligibility reassessed); staff in scope, the volunteer their address."""
        return corrections.update_volunteer(self.db, caller, person_id, data, self.clock.now())

    @rpc(args={"data": SetPersonStatusSchema}, returns=PersonStatusOut)
    def set_person_status(self, caller, person_id, data):
        """Left, withdrew, deceased (with a reason) or back to active; staff in scope. A
        person who is not active cannot log in; a volunteer is no longer eligible."""
        return standing.set_person_status(self.db, caller, person_id, data, self.clock.now())

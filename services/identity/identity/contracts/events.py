"""The events identity produces, each with the schema of its payload (written to the outbox in
the transaction of the change; consumers import these contracts and read the payload with
them: ``required`` fields and validators are what every consumer may rely on, ``load_default``
what an absent optional field means; neither changes what identity publishes)."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from timebank_common.contracts import EventContract

from .accounts import TokensRevokedPayload
from .common import REGION_CODE, ReasonText
from .vocabulary import PERSON_STATUSES, PROFILES

__all__ = ["CARRIER_REGISTERED", "ELDER_PRIORITY_GRANTED", "ELDER_PROXY_REMOVED", "ELDER_PROXY_SET",
           "EVENTS", "OPERATOR_GRANTED", "OPERATOR_REVOKED", "PERSON_REGISTERED",
           "QUALIFICATION_EXPIRED", "QUALIFICATION_VERIFIED", "RELATIVES_LINKED",
           "TOKENS_REVOKED", "VOLUNTEER_ELIGIBLE", "VOLUNTEER_SUSPENDED",
           "PERSON_MOVED", "PERSON_STATUS_CHANGED", "ELDER_PRIORITY_REVOKED",
           "PersonMovedPayload", "PersonStatusChangedPayload", "ElderPriorityRevokedPayload",
           "CarrierRegisteredPayload", "ElderPriorityGrantedPayload",
           "ElderProxyRemovedPayload", "ElderProxySetPayload", "OperatorGrantedPayload",
           "OperatorRevokedPayload", "PersonRegisteredPayload", "QualificationExpiredPayload",
           "QualificationVerifiedPayload", "RelativesLinkedPayload", "TokensRevokedPayload",
           "VolunteerEligiblePayload", "VolunteerSuspendedPayload"]


class PersonRegisteredPayload(Schema):
    person_id = fields.Str(required=True)
    profile = fields.Str(required=True, validate=validate.OneOf(list(PROFILES)))
    region_code = fields.Str(required=True)


class CarrierRegisteredPayload(Schema):
    carrier_id = fields.Str(required=True)
    kind = fields.Str(required=True)
    region_code = fields.Str(required=True)


class VolunteerEligiblePayload(Schema):
    person_id = fields.Str(required=True)
    region_code = fields.Str(required=True, validate=REGION_CODE)
    # the kinds valid today (matching); absent: not said, a consumer keeps what it knew
    qualifications = fields.List(fields.Str(), load_default=None)


class VolunteerSuspendedPayload(Schema):
    """``reasons``: codes; ``reason_texts``: the same in words, ``[{code, zh, en}]`` (what
    notify tells the volunteer)."""

    person_id = fields.Str(required=True)
    region_code = fields.Str(required=True, validate=REGION_CODE)
    reasons = fields.List(fields.Str(), required=True)
    reason_texts = fields.List(fields.Nested(ReasonText), load_default=list)


class QualificationExpiredPayload(Schema):
    person_id = fields.Str(required=True)
    kind = fields.Str(required=True)
    qualification_id = fields.Str(required=True)
    region_code = fields.Str(required=True)


class QualificationVerifiedPayload(Schema):
    person_id = fields.Str(required=True)
    kind = fields.Str(required=True)
    qualification_id = fields.Str(required=True)
    valid_until = fields.Date(required=True)
    region_code = fields.Str(required=True)


class ElderPriorityGrantedPayload(Schema):
    """``category``: a verified hardship category, or ``advanced_age`` (高龄), which identity
    grants by rule — at registration for an elder already of that age, otherwise on the day
    the elder reaches it — with ``verified_by`` null (the ledger's grant policy names the
    category)."""

    person_id = fields.Str(required=True, validate=validate.Length(min=1, max=64))
    category = fields.Str(required=True, validate=validate.Length(min=1, max=40))
    region_code = fields.Str(required=True, validate=REGION_CODE)
    verified_by = fields.Str(required=True, allow_none=True)


class ElderPriorityRevokedPayload(Schema):
    """A hardship category withdrawn (with its reason): the ledger stops its grant from the
    next period on; the hours already granted stay."""

    person_id = fields.Str(required=True, validate=validate.Length(min=1, max=64))
    category = fields.Str(required=True, validate=validate.Length(min=1, max=40))
    region_code = fields.Str(required=True, validate=REGION_CODE)
    reason = fields.Str(required=True, validate=validate.Length(min=1, max=500))
    revoked_by = fields.Str(required=True, allow_none=True)


class PersonMovedPayload(Schema):
    """A person moved within the province: from now on they belong to ``to_region_code``
    (its staff take over; an elder's station is ``carrier_id``, null until one is set).
    What happened before stays where it happened."""

    person_id = fields.Str(required=True, validate=validate.Length(min=1, max=64))
    from_region_code = fields.Str(required=True, validate=REGION_CODE)
    to_region_code = fields.Str(required=True, validate=REGION_CODE)
    profiles = fields.List(fields.Str(validate=validate.OneOf(list(PROFILES))), required=True)
    carrier_id = fields.Str(required=True, allow_none=True)
    from_carrier_id = fields.Str(load_default=None, allow_none=True)
    moved_by = fields.Str(required=True, allow_none=True)
    moved_at = fields.AwareDateTime(required=True)


class PersonStatusChangedPayload(Schema):
    """A person's standing changed (``PERSON_STATUSES``): left, withdrew or deceased with a
    reason, or back to ``active``."""

    person_id = fields.Str(required=True, validate=validate.Length(min=1, max=64))
    region_code = fields.Str(required=True, validate=REGION_CODE)
    profiles = fields.List(fields.Str(validate=validate.OneOf(list(PROFILES))), required=True)
    status = fields.Str(required=True, validate=validate.OneOf(list(PERSON_STATUSES)))
    previous_status = fields.Str(required=True, validate=validate.OneOf(list(PERSON_STATUSES)))
    reason = fields.Str(required=True, allow_none=True)
    changed_by = fields.Str(required=True, allow_none=True)
    changed_at = fields.AwareDateTime(required=True)


class RelativesLinkedPayload(Schema):
    link_id = fields.Str(required=True)
    person_id = fields.Str(required=True)
    relative_person_id = fields.Str(required=True)
    kind = fields.Str(required=True)
    region_code = fields.Str(required=True)


class OperatorGrantedPayload(Schema):
    grant_id = fields.Str(required=True)
    person_id = fields.Str(required=True)
    role = fields.Str(required=True)
    scope_code = fields.Str(required=True)
    carrier_id = fields.Str(required=True, allow_none=True)
    granted_by = fields.Str(required=True, allow_none=True)


class OperatorRevokedPayload(Schema):
    grant_id = fields.Str(required=True)
    person_id = fields.Str(required=True)
    role = fields.Str(required=True)
    scope_code = fields.Str(required=True)
    revoked_by = fields.Str(required=True, allow_none=True)
    reason = fields.Str(required=True)


class ElderProxySetPayload(Schema):
    elder_id = fields.Str(required=True)
    proxy_person_id = fields.Str(required=True)
    kind = fields.Str(required=True, metadata={"description": "what the proxy is to the elder"})
    region_code = fields.Str(required=True)
    set_by = fields.Str(required=True, allow_none=True)


class ElderProxyRemovedPayload(Schema):
    elder_id = fields.Str(required=True)
    proxy_person_id = fields.Str(required=True)
    region_code = fields.Str(required=True)
    removed_by = fields.Str(required=True, allow_none=True)


def _event(name: str, payload: type[Schema], summary: str) -> EventContract:
    return EventContract("identity", name, payload, summary)


PERSON_REGISTERED = _event(
    "person_registered", PersonRegisteredPayload,
    "A person was registered as an elder or a volunteer (envelope region: theirs)")
CARRIER_REGISTERED = _event(
    "carrier_registered", CarrierRegisteredPayload, "A service carrier (station) was registered")
VOLUNTEER_ELIGIBLE = _event(
    "volunteer_eligible", VolunteerEligiblePayload,
    "A volunteer became eligible (at registration or when a fact changed); qualifications: "
    "the kinds valid that day")
VOLUNTEER_SUSPENDED = _event(
    "volunteer_suspended", VolunteerSuspendedPayload,
    "An eligible volunteer no longer is, with the reasons in words")
QUALIFICATION_EXPIRED = _event(
    "qualification_expired", QualificationExpiredPayload,
    "A verified qualification passed its valid_until (announced once)")
QUALIFICATION_VERIFIED = _event(
    "qualification_verified", QualificationVerifiedPayload,
    "A qualification was verified and is valid")
ELDER_PRIORITY_GRANTED = _event(
    "elder_priority_granted", ElderPriorityGrantedPayload,
    "A hardship category of an elder was verified (the ledger gives gifted hours)")
ELDER_PRIORITY_REVOKED = _event(
    "elder_priority_revoked", ElderPriorityRevokedPayload,
    "A hardship category of an elder was withdrawn: grants stop from the next period")
PERSON_MOVED = _event(
    "person_moved", PersonMovedPayload,
    "A person moved to another region of the province (envelope region: the new one)")
PERSON_STATUS_CHANGED = _event(
    "person_status_changed", PersonStatusChangedPayload,
    "A person left, withdrew, died, or came back (with the reason)")
RELATIVES_LINKED = _event(
    "relatives_linked", RelativesLinkedPayload,
    "A direct-relative link was verified (region: person_id's)")
TOKENS_REVOKED = _event(
    "tokens_revoked", TokensRevokedPayload,
    "Access tokens of a person, API client or session issued up to revoked_before are refused "
    "(envelope region null; every gateway process hears it)")
OPERATOR_GRANTED = _event(
    "operator_granted", OperatorGrantedPayload, "A staff role was granted (region: its scope)")
OPERATOR_REVOKED = _event(
    "operator_revoked", OperatorRevokedPayload, "A staff grant was revoked (region: its scope)")
ELDER_PROXY_SET = _event(
    "elder_proxy_set", ElderProxySetPayload,
    "A verified relative may now act for an elder (region: the elder's)")
ELDER_PROXY_REMOVED = _event(
    "elder_proxy_removed", ElderProxyRemovedPayload, "A proxy no longer acts for an elder")

EVENTS = (PERSON_REGISTERED, CARRIER_REGISTERED, VOLUNTEER_ELIGIBLE, VOLUNTEER_SUSPENDED,
          QUALIFICATION_EXPIRED, QUALIFICATION_VERIFIED, ELDER_PRIORITY_GRANTED, RELATIVES_LINKED,
          TOKENS_REVOKED, OPERATOR_GRANTED, OPERATOR_REVOKED, ELDER_PROXY_SET, ELDER_PROXY_REMOVED,
          ELDER_PRIORITY_REVOKED, PERSON_MOVED, PERSON_STATUS_CHANGED)
"""Every event identity produces."""

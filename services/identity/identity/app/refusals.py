"""Pure-rule refusals (``identity.domain``) turned into the typed errors that cross RPC."""
from __future__ import annotations

from timebank_common.errors import BadInput, Conflict, DomainError, Forbidden, RuleViolation

_ERROR_OF = {
    # domain.review
    "not_pending": Conflict,
    "unknown_decision": BadInput,
    "reason_required": BadInput,
    "four_eyes": Forbidden,
    "own_record": Forbidden,
    # domain.priority
    "unknown_category": BadInput,
    "derived_category": RuleViolation,
    "evidence_required": BadInput,
    "evidence_too_long": BadInput,
    "already_pending": Conflict,
    "already_verified": Conflict,
    "age_not_revocable": RuleViolation,
    "not_verified": Conflict,
    # domain.relatives
    "unknown_kind": BadInput,
    "self_link": RuleViolation,
    "already_linked": Conflict,
    # domain.proxies
    "self_proxy": RuleViolation,
    "not_verified_relative": RuleViolation,
    # domain.qualifications
    "already_expired": RuleViolation,
    # domain.delegation
    "unknown_role": BadInput,
    "not_an_admin": Forbidden,
    "province_admin_reserved": Forbidden,
    "role_not_delegable": Forbidden,
    "scope_required": BadInput,
    "scope_level_mismatch": BadInput,
    "carrier_required": BadInput,
    "carrier_not_for_role": BadInput,
    "out_of_scope": Forbidden,
    "own_grant": Forbidden,
    "already_revoked": Conflict,
    "not_an_operator_grant": BadInput,
    "client_scope_not_city": BadInput,
    # domain.standing
    "unknown_status": BadInput,
    "same_status": Conflict,
    "deceased_final": Forbidden,
    # domain.moves
    "role_required": Forbidden,
    "not_in_province": BadInput,
    "not_a_community": BadInput,
    "already_there": Conflict,
    "carrier_not_in_region": BadInput,
    "carrier_for_elders": BadInput,
    # domain.interest (not_in_province, not_a_community: as moves)
    "interest_closed": Conflict,
    "person_required": BadInput,
    "person_not_expected": BadInput,
    # domain.client_secrets
    "previous_secret_live": Conflict,
    "no_previous_secret": Conflict,
    "end_not_in_future": RuleViolation,
    "overlap_too_long": RuleViolation,
}


def as_error(refusal, details=None) -> DomainError:
    """``refusal``: a domain exception with ``reason``, ``zh`` and ``en``."""
    cls = _ERROR_OF.get(refusal.reason, RuleViolation)
    return cls(refusal.reason, refusal.zh, refusal.en, details)

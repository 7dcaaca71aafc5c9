"""The words identity and its callers share: kinds, categories, statuses and role sets.

Codes with their Chinese and English names (``code: (zh, en)``), in the order the policy
lists them. The domain rules and the schemas of this package use them; other services read
them here (never from identity's domain).
"""
from __future__ import annotations

from timebank_common.caller import ADMIN_ROLES, STAFF_ROLES, STATION_STAFF

__all__ = [
    "ADVANCED_AGE", "BACKGROUND_TAGS", "CARRIER_KINDS", "CLIENT_MANAGERS", "CLIENT_READERS",
    "CONTACT_PHONE_PATTERN", "GRANTABLE_ROLES", "HARDSHIP_CATEGORIES", "INTEREST_STATUSES",
    "MOBILE_PATTERN", "OPEN_INTEREST_STATUSES",
    "PERSON_READERS", "PERSON_REGISTRARS", "PERSON_STATUSES", "PROFILES", "PROXY_ROLE", "QUALIFICATION_KINDS", "REGISTRY_STATUSES",
    "RELATION_INVERSES", "RELATION_KINDS", "REVIEW_DECISIONS", "REVIEW_STATUSES",
    "REVOCATION_REASONS", "SCREENING_RESULTS", "STATISTICS_READERS", "SUPERVISORS",
]

# -- role sets (the kit's ADMIN_ROLES, STATION_STAFF and STAFF_ROLES serve the rest) ---------
PERSON_READERS = (*STAFF_ROLES, "api_client")
"""Who may read a person within their scope: staff (auditors included) and municipal systems."""

PERSON_REGISTRARS = (*STATION_STAFF, "api_client")
"""Who may register and correct elders within their scope: the staff who run a station's day
and municipal systems (their city's hotline or civil-affairs system). A municipal system
registers and corrects volunteers only when its ``may_register_volunteers`` flag is on (set
by a province or city admin; off by default), checked by identity against the client."""

SUPERVISORS = (*ADMIN_ROLES, "auditor")
"""Who read the audit log and the staff lists of their scope: admins and auditors."""

STATISTICS_READERS = (*SUPERVISORS, "api_client")
"""Who read the figures of a region in their scope: admins, auditors and municipal systems."""

GRANTABLE_ROLES = STAFF_ROLES
"""The staff roles an admin may grant (delegation only downward: ``domain.delegation``)."""

CLIENT_MANAGERS = ("province_admin", "city_admin")
"""Who create and manage municipal API clients (a city-level unit each)."""

CLIENT_READERS = (*CLIENT_MANAGERS, "auditor")
"""Who list municipal API clients."""

PROXY_ROLE = "relative"
"""The role an elder's proxy carries in their access token (not stored as a grant)."""

PROFILES = ("elder", "volunteer")

PERSON_STATUSES: dict[str, tuple[str, str]] = {
    "active": ("在册", "Active"),
    "left": ("已离开", "Left (moved out of the province or no longer takes part)"),
    "withdrew": ("已退出", "Withdrew (a volunteer who no longer serves)"),
    "deceased": ("已故", "Deceased"),
}
"""A person's standing in the time bank; every change but to ``active`` carries a reason.
Hours are never lost: what happens to a deceased person's account is the ledger's regional
policy; a person who left keeps their account and comes back to it."""

# -- service carriers (服务载体) ------------------------------------------------------------------
CARRIER_KINDS: dict[str, tuple[str, str]] = {
    "volunteer_service_org": ("志愿服务组织", "Volunteer service organisation"),
    "social_work_org": ("社会工作服务机构", "Social work service organisation"),
    "elderly_care_institution": ("养老服务机构", "Elderly care institution"),
    "social_work_station": ("社会工作服务站", "Social work service station"),
    "civilisation_practice_centre": ("新时代文明实践中心（所、站）",
                                     "New-era civilisation practice centre (institute, station)"),
    "lei_feng_station": ("学雷锋志愿服务站", "Learn-from-Lei-Feng volunteer service station"),
    "cuncaoxin_station": ("寸草心敬老志愿服务站", "Cuncaoxin elder-respect volunteer service station"),
}

# -- priority elders (优先/困难老人) ------------------------------------------------------------------
ADVANCED_AGE = "advanced_age"
"""高龄 (80+): derived from the birth date in the ID number, never submitted."""

HARDSHIP_CATEGORIES: dict[str, tuple[str, str]] = {
    "economic_hardship": ("经济困难", "Economic hardship"),
    "empty_nest": ("空巢", "Empty-nest elder"),
    "left_behind": ("留守", "Left-behind elder"),
    "disabled_care": ("失能", "Needs care (loss of ability to live independently)"),
    "disability": ("残疾", "Disability"),
    ADVANCED_AGE: ("高龄", "Advanced age (80+)"),
    "family_planning_special": ("计划生育特殊家庭", "Family-planning special family"),
}

# -- direct relatives (直系亲属) ----------------------------------------------------------------------
RELATION_KINDS: dict[str, tuple[str, str]] = {
    "spouse": ("配偶", "Spouse"),
    "parent": ("父母", "Parent"),
    "child": ("子女", "Child"),
    "grandparent": ("祖父母、外祖父母", "Grandparent"),
    "grandchild": ("孙子女、外孙子女", "Grandchild"),
}
"""A link ``(person, relative, kind)`` reads "relative is person's <kind>"."""

RELATION_INVERSES = {"spouse": "spouse", "parent": "child", "child": "parent",
                     "grandparent": "grandchild", "grandchild": "grandparent"}

# -- interest in volunteering (我要当志愿者) -----------------------------------------------------
INTEREST_STATUSES: dict[str, tuple[str, str]] = {
    "new": ("新登记", "New"),
    "contacted": ("已联系", "Contacted"),
    "registered": ("已注册为志愿者", "Registered as a volunteer"),
    "declined": ("已婉拒", "Declined"),
}
OPEN_INTEREST_STATUSES = ("new", "contacted")

# -- reviews (priorities, relative links, qualifications) ---------------------------------------
REVIEW_STATUSES = ("pending", "verified", "rejected")
REVIEW_DECISIONS = {"verify": "verified", "reject": "rejected"}

# -- volunteers (志愿者资格, 资质) ------------------------------------------------------------------
REGISTRY_STATUSES = ("unverified", "verified", "rejected")
SCREENING_RESULTS = ("clear", "flagged", "unknown")
BACKGROUND_TAGS: dict[str, tuple[str, str]] = {
    "younger_old": ("低龄老人", "Younger old person"),
    "retired_cadre": ("退休干部", "Retired cadre"),
    "party_member": ("党员", "Party member"),
    "family_care_worker": ("家庭照护者", "Family care worker"),
    "care_institution_staff": ("养老机构从业人员", "Care institution staff"),
    "licensed_social_worker": ("持证社会工作者", "Licensed social worker"),
}
QUALIFICATION_KINDS: dict[str, tuple[str, str]] = {
    "lawyer": ("律师", "Lawyer"),
    "social_worker": ("社会工作者", "Social worker"),
    "physician": ("执业医师", "Physician"),
    "nurse": ("护士", "Nurse"),
    "psychological_counsellor": ("心理咨询师", "Psychological counsellor"),
    "elderly_care_worker": ("养老护理员", "Elderly care worker"),
}

# -- phones -------------------------------------------------------------------------------------
MOBILE_PATTERN = r"^1[3-9][0-9]{9}$"
"""A mainland China mobile number (11 digits, 1[3-9]xxxxxxxxx)."""

CONTACT_PHONE_PATTERN = r"^(1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8}(-[0-9]{1,6})?)$"
"""A contact line: a mobile number, or a landline with area code (0311-12345678, extension
allowed)."""

# -- access-token revocation ---------------------------------------------------------------------
REVOCATION_REASONS = ("logout", "logout_everywhere", "password_changed", "refresh_token_reused",
                      "client_revoked", "account_disabled", "role_revoked")

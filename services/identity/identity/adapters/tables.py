"""SQLAlchemy Core tables of the identity database (mirrors migrations/versions/)."""
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Identity,
    Index,
    Integer,
    MetaData,
    Numeric,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

from timebank_common.jobs import job_table

metadata = MetaData()
TS = DateTime(timezone=True)

regions = Table(
    "regions", metadata,
    Column("code", String(12), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("level", String(16), nullable=False),
    Column("parent_code", String(12), ForeignKey("regions.code")),
    Column("longitude", Float),
    Column("latitude", Float),
)

carriers = Table(
    "carriers", metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("kind", String(50), nullable=False),
    Column("region_code", String(12), ForeignKey("regions.code"), nullable=False),
    Column("address", Text),
    Column("longitude", Float),
    Column("latitude", Float),
    Column("contact_name", String(100)),
    Column("contact_phone", String(20)),
    Column("registered_by", UUID(as_uuid=True)),
    Column("created_at", TS, nullable=False, server_default=func.now()),
    UniqueConstraint("region_code", "name", name="carriers_name_in_region"),
)

persons = Table(
    "persons", metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("name", String(100), nullable=False),
    # personal numbers only encrypted (personal_data.py), found by their keyed hash
    Column("id_number_hash", String(64), nullable=False, unique=True),
    Column("id_number_enc", Text, nullable=False),
    Column("sex", String(6), nullable=False),  # derived from the ID number, kept for statistics
    Column("birth_date", Date, nullable=False),  # likewise, for age queries
    Column("phone_hash", String(64), unique=True),
    Column("phone_enc", Text),
    Column("address_enc", Text),
    Column("region_code", String(12), nullable=False),
    Column("created_at", TS, nullable=False, server_default=func.now()),
    # standing (PERSON_STATUSES): a non-active person cannot log in
    Column("status", String(16), nullable=False, server_default="active"),
    Column("status_reason", Text),
    Column("status_changed_at", TS),
    Column("status_changed_by", UUID(as_uuid=True)),
    CheckConstraint("status IN ('active', 'left', 'withdrew', 'deceased')",
                    name="persons_status"),
    Index("persons_by_region", "region_code"),
    Index("persons_by_region_name", "region_code", "name", "id"),
    Index("persons_by_name", "name", "id"),
)

elder_profiles = Table(
    "elder_profiles", metadata,
    Column("person_id", UUID(as_uuid=True), ForeignKey("persons.id"), primary_key=True),
    Column("phone_only", Boolean, nullable=False),
    Column("carrier_id", UUID(as_uuid=True), ForeignKey("carriers.id")),
    Column("emergency_contact_name_enc", Text),
    Column("emergency_contact_phone_enc", Text),
    Column("registered_by", UUID(as_uuid=True)),
    Column("created_at", TS, nullable=False, server_default=func.now()),
    Column("longitude", Float),  # the elder's home (0012), corrected with the address
    Column("latitude", Float),
    Column("advanced_age_granted_at", TS),  # 高龄 granted by rule, once (0014)
    Index("elder_profiles_age_not_granted", "person_id",
          postgresql_where=text("advanced_age_granted_at IS NULL")),
)

volunteer_profiles = Table(
    "volunteer_profiles", metadata,
    Column("person_id", UUID(as_uuid=True), ForeignKey("persons.id"), primary_key=True),
    Column("volunteer_number", String(64), unique=True),
    Column("registered_by", UUID(as_uuid=True)),
    Column("created_at", TS, nullable=False, server_default=func.now()),
    Column("registry_status", String(16), nullable=False, server_default="unverified"),
    Column("registry_note", Text),
    Column("registry_set_by", UUID(as_uuid=True)),
    Column("registry_set_at", TS),
    Column("screening", String(16), nullable=False, server_default="unknown"),
    Column("screening_note", Text),
    Column("screening_set_by", UUID(as_uuid=True)),
    Column("screening_set_at", TS),
    Column("health_declared_at", TS),
    Column("health_note_enc", Text),
    Column("health_declared_by", UUID(as_uuid=True)),
    Column("background_tags", ARRAY(String(32)), nullable=False, server_default="{}"),
    Column("announced_eligible", Boolean, nullable=False, server_default="false"),
    Column("eligibility_checked_on", Date),
)

credentials = Table(
    "credentials", metadata,
    Column("person_id", UUID(as_uuid=True), ForeignKey("persons.id"), primary_key=True),
    Column("login_phone_hash", String(64), nullable=False, unique=True),
    Column("login_phone_enc", Text, nullable=False),
    Column("password_hash", Text, nullable=False),
    # a one-time password (bootstrap_admin): the login may only change it (migration 0020)
    Column("must_change_password", Boolean, nullable=False, server_default=text("false")),
    Column("updated_at", TS, nullable=False, server_default=func.now()),
)

role_grants = Table(
    "role_grants", metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("person_id", UUID(as_uuid=True), ForeignKey("persons.id"), nullable=False),
    Column("role", String(32), nullable=False),
    Column("scope_code", String(12), nullable=False),
    Column("carrier_id", UUID(as_uuid=True), ForeignKey("carriers.id")),
    Column("granted_by", UUID(as_uuid=True)),
    Column("created_at", TS, nullable=False, server_default=func.now()),
    Column("revoked_at", TS),  # a revoked grant is kept, and no longer counts
    Column("revoked_by", UUID(as_uuid=True)),
    Column("revoke_reason", Text),
    # one active grant per person, role and scope
    Index("role_grants_once", "person_id", "role", "scope_code", unique=True,
          postgresql_where=text("revoked_at IS NULL")),
    Index("role_grants_scope", "scope_code"),
)

refresh_tokens = Table(
    "refresh_tokens", metadata,
    Column("token_hash", String(64), primary_key=True),  # sha256 hex of the opaque token
    Column("person_id", UUID(as_uuid=True), ForeignKey("persons.id"), nullable=False),
    Column("created_at", TS, nullable=False, server_default=func.now()),
    Column("expires_at", TS, nullable=False),
    Column("revoked_at", TS),
    Column("session_id", UUID(as_uuid=True)),  # the login it belongs to (NULL before 0005)
    Column("revoked_reason", String(32)),  # rotated | logout | password_changed | reused ...
)

login_failures = Table(
    "login_failures", metadata,
    Column("person_id", UUID(as_uuid=True), ForeignKey("persons.id"), primary_key=True),
    Column("failed_count", Integer, nullable=False, server_default="0"),
    Column("first_failed_at", TS),
    Column("locked_until", TS),
    Column("updated_at", TS, nullable=False, server_default=func.now()),
)

token_revocations = Table(
    "token_revocations", metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("person_id", UUID(as_uuid=True)),
    Column("client_id", String(64)),
    Column("session_id", UUID(as_uuid=True)),
    Column("revoked_before", TS, nullable=False),
    Column("reason", String(32), nullable=False),
    Column("created_at", TS, nullable=False, server_default=func.now()),
)

api_clients = Table(
    "api_clients", metadata,
    Column("client_id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("secret_hash", Text, nullable=False),
    Column("scope_code", String(12), nullable=False),
    Column("created_at", TS, nullable=False, server_default=func.now()),
    Column("created_by", UUID(as_uuid=True)),
    Column("secret_rotated_at", TS),
    Column("revoked_at", TS),  # a revoked client gets no more tokens
    Column("revoked_by", UUID(as_uuid=True)),
    Column("revoke_reason", Text),
    # the province's policy per client: may it register volunteers (0015; elders it always may)
    Column("may_register_volunteers", Boolean, nullable=False, server_default="false"),
    # the secret the last rotation replaced, accepted until previous_secret_valid_until (0019,
    # domain.client_secrets); the hash is forgotten when the admin ends it early
    Column("previous_secret_hash", Text),
    Column("previous_secret_valid_until", TS),
)

_STATUS_CHECK = "status IN ('pending', 'verified', 'rejected')"
_PRIORITY_STATUS_CHECK = "status IN ('pending', 'verified', 'rejected', 'revoked')"  # 0014


def _review_columns() -> list[Column]:
    """Who submitted a reviewed record and how it was decided."""
    return [
        Column("evidence_enc", Text, nullable=False),
        Column("status", String(16), nullable=False),
        Column("submitted_by", UUID(as_uuid=True)),
        Column("submitted_at", TS, nullable=False, server_default=func.now()),
        Column("verified_by", UUID(as_uuid=True)),
        Column("verified_at", TS),
        Column("reason", Text),
    ]


elder_priorities = Table(
    "elder_priorities", metadata,
    Column("person_id", UUID(as_uuid=True), ForeignKey("persons.id"), nullable=False),
    Column("category", String(32), nullable=False),
    *_review_columns(),
    PrimaryKeyConstraint("person_id", "category"),
    CheckConstraint(_PRIORITY_STATUS_CHECK, name="elder_priorities_status"),
    CheckConstraint("category <> 'advanced_age'", name="elder_priorities_not_derived"),
)

relative_links = Table(
    "relative_links", metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("person_id", UUID(as_uuid=True), ForeignKey("persons.id"), nullable=False),
    Column("relative_person_id", UUID(as_uuid=True), ForeignKey("persons.id"), nullable=False),
    Column("kind", String(16), nullable=False),
    *_review_columns(),
    CheckConstraint(_STATUS_CHECK, name="relative_links_status"),
    CheckConstraint("person_id <> relative_person_id", name="relative_links_not_self"),
)

trainings = Table(
    "trainings", metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("person_id", UUID(as_uuid=True), ForeignKey("persons.id"), nullable=False),
    Column("course", String(200), nullable=False),
    Column("organiser", String(200), nullable=False),
    Column("date", Date, nullable=False),
    Column("hours", Numeric(5, 1), nullable=False),
    Column("recorded_by", UUID(as_uuid=True)),
    Column("recorded_at", TS, nullable=False, server_default=func.now()),
)

training_policies = Table(
    "training_policies", metadata,
    Column("region_code", String(12), nullable=False),
    Column("min_hours", Numeric(5, 1), nullable=False),
    Column("effective_from", Date, nullable=False),
    Column("note", Text),
    PrimaryKeyConstraint("region_code", "effective_from"),
)

qualifications = Table(
    "qualifications", metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("person_id", UUID(as_uuid=True), ForeignKey("persons.id"), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("number", String(64), nullable=False),
    Column("issuer", String(200), nullable=False),
    Column("valid_until", Date, nullable=False),
    Column("status", String(16), nullable=False),
    Column("submitted_by", UUID(as_uuid=True)),
    Column("submitted_at", TS, nullable=False, server_default=func.now()),
    Column("verified_by", UUID(as_uuid=True)),
    Column("verified_at", TS),
    Column("reason", Text),
    Column("expired_at", TS),
)

audit_log = Table(
    "audit_log", metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("at", TS, nullable=False, server_default=func.now()),
    Column("actor_person_id", UUID(as_uuid=True)),
    Column("actor_client_id", String(64)),
    Column("actor_roles", ARRAY(String(32)), nullable=False, server_default="{}"),
    Column("action", String(64), nullable=False),
    Column("target_type", String(32), nullable=False),
    Column("target_id", String(64)),
    Column("region_code", String(12)),
    Column("before", JSONB),
    Column("after", JSONB),
    Column("correlation_id", String(64)),
    Index("audit_log_region_at", "region_code", "at"),
    Index("audit_log_target", "target_type", "target_id"),
)

elder_proxies = Table(
    "elder_proxies", metadata,
    Column("elder_id", UUID(as_uuid=True), ForeignKey("persons.id"), nullable=False),
    Column("proxy_person_id", UUID(as_uuid=True), ForeignKey("persons.id"), nullable=False),
    Column("note", Text),
    Column("set_by", UUID(as_uuid=True)),
    Column("set_at", TS, nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("elder_id", "proxy_person_id"),
    CheckConstraint("elder_id <> proxy_person_id", name="elder_proxies_not_self"),
    Index("elder_proxies_by_proxy", "proxy_person_id"),
)

# a read model of demand's service_recorded events (no foreign key: the event may name a
# volunteer identity does not know, and is kept all the same)
volunteer_activity = Table(
    "volunteer_activity", metadata,
    Column("person_id", UUID(as_uuid=True), primary_key=True),
    Column("last_served_at", TS, nullable=False),
    Column("services", Integer, nullable=False, server_default="0"),
)

# moves within the province (0013): both the old and the new region read them
person_moves = Table(
    "person_moves", metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("person_id", UUID(as_uuid=True), ForeignKey("persons.id"), nullable=False),
    Column("from_region_code", String(12), nullable=False),
    Column("to_region_code", String(12), nullable=False),
    Column("from_carrier_id", UUID(as_uuid=True)),
    Column("to_carrier_id", UUID(as_uuid=True)),
    Column("reason", Text, nullable=False),
    Column("moved_by", UUID(as_uuid=True)),
    Column("moved_at", TS, nullable=False),
    CheckConstraint("from_region_code <> to_region_code", name="person_moves_somewhere"),
    Index("person_moves_from", "from_region_code", "moved_at"),
    Index("person_moves_to", "to_region_code", "moved_at"),
    Index("person_moves_person", "person_id", "moved_at"),
)

# interest in volunteering (0015): a resident's registration without a login, followed up by
# the station of their community; the phone sealed and hashed like every phone
volunteer_interest = Table(
    "volunteer_interest", metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("reference", String(20), nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("phone_enc", Text, nullable=False),
    Column("phone_hash", String(64), nullable=False),
    Column("region_code", String(12), nullable=False),
    Column("skills", Text),
    Column("notes", Text),
    Column("status", String(16), nullable=False, server_default="new"),
    Column("status_note", Text),
    Column("person_id", UUID(as_uuid=True), ForeignKey("persons.id")),
    Column("status_changed_by", UUID(as_uuid=True)),
    Column("created_at", TS, nullable=False),
    Column("updated_at", TS, nullable=False),
    CheckConstraint("status IN ('new', 'contacted', 'registered', 'declined')",
                    name="volunteer_interest_status"),
    CheckConstraint("(status = 'registered') = (person_id IS NOT NULL)",
                    name="volunteer_interest_registered_person"),
    Index("volunteer_interest_open", "phone_hash", "region_code", unique=True,
          postgresql_where=text("status IN ('new', 'contacted')")),
    Index("volunteer_interest_by_region", "region_code", "created_at"),
)

# Imports of the national volunteer system's files, run as background jobs (migration 0018;
# app/imports.py). The job's file is sealed like every personal value and dropped when the
# job ends; each data line's outcome is kept (the per-row report), one row per line.
import_jobs = job_table(metadata, "import_jobs")

import_files = Table(
    "import_files", metadata,
    Column("job_id", String(36), ForeignKey("import_jobs.id", ondelete="CASCADE"),
           primary_key=True),
    Column("file_name", Text, nullable=False),
    Column("size_bytes", Integer, nullable=False),
    Column("content_enc", Text),  # sealed (personal_data), base64 inside; null once ended
)

import_job_rows = Table(
    "import_job_rows", metadata,
    Column("job_id", String(36), ForeignKey("import_jobs.id", ondelete="CASCADE"),
           nullable=False),
    Column("line", Integer, nullable=False),
    Column("outcome", String(10), nullable=False),
    Column("code", String(60)),
    Column("zh", Text),
    Column("en", Text),
    Column("person_id", UUID(as_uuid=True)),
    PrimaryKeyConstraint("job_id", "line"),
    CheckConstraint("outcome IN ('created', 'updated', 'unchanged', 'refused')",
                    name="import_job_rows_outcome"),
    Index("import_job_rows_refused", "job_id", "line",
          postgresql_where=text("outcome = 'refused'")),
)

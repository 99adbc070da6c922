"""The schema as SQLAlchemy Core tables. Migrations own the real DDL; these describe it for queries.

Rules (DESIGN.md section 2): every business table leads with tenant_id, its primary key is
(tenant_id, id), and unique constraints and foreign keys include tenant_id.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSVECTOR, UUID

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

TS = sa.TIMESTAMP(timezone=True)
NOW = sa.text("now()")


def _record_columns() -> list[sa.Column[object]]:
    """Columns every business record carries."""
    return [
        sa.Column("created_at", TS, nullable=False, server_default=NOW),
        sa.Column("updated_at", TS, nullable=False, server_default=NOW),
        sa.Column("created_by", UUID(as_uuid=True)),
        sa.Column("updated_by", UUID(as_uuid=True)),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("deleted_at", TS),
    ]


def _tenant_fk(cols: list[str], table: str, name: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["tenant_id", *cols], [f"{table}.tenant_id", f"{table}.id"], name=name)


tenants = sa.Table(
    "tenants",
    metadata,
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("settings", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
    sa.Column("created_at", TS, nullable=False, server_default=NOW),
    sa.Column("updated_at", TS, nullable=False, server_default=NOW),
)

departments = sa.Table(
    "departments",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenants.id"), primary_key=True),
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("parent_id", UUID(as_uuid=True)),
    # Materialized path "/<root id>/.../<own id>/": a subtree is a prefix match.
    sa.Column("path", sa.Text, nullable=False),
    *_record_columns(),
    _tenant_fk(["parent_id"], "departments", "fk_departments_parent"),
    sa.Index(
        "ix_departments_tenant_path",
        "tenant_id",
        "path",
        postgresql_ops={"path": "text_pattern_ops"},
    ),
)

regions = sa.Table(
    "regions",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenants.id"), primary_key=True),
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("code", sa.Text, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    *_record_columns(),
    sa.Index(
        "uq_regions_tenant_code",
        "tenant_id",
        "code",
        unique=True,
        postgresql_where=sa.text("deleted_at IS NULL"),
    ),
)

users = sa.Table(
    "users",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenants.id"), primary_key=True),
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("email", sa.Text, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    # NULL: no password (invited and not yet accepted, or reset by an administrator).
    sa.Column("password_hash", sa.Text),
    sa.Column("department_id", UUID(as_uuid=True)),
    sa.Column("region_id", UUID(as_uuid=True)),
    sa.Column("locale", sa.Text, nullable=False, server_default="en"),
    sa.Column("timezone", sa.Text, nullable=False, server_default="UTC"),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    # Access tokens issued before this instant are void (deactivation; sessions end the rest).
    sa.Column("tokens_valid_after", TS, nullable=False, server_default=NOW),
    sa.Column("last_login_at", TS),
    *_record_columns(),
    _tenant_fk(["department_id"], "departments", "fk_users_department"),
    _tenant_fk(["region_id"], "regions", "fk_users_region"),
    # Email is unique across the whole service: login knows no tenant.
    sa.Index("uq_users_email", sa.text("lower(email)"), unique=True),
    sa.Index("ix_users_tenant_department", "tenant_id", "department_id"),
)

roles = sa.Table(
    "roles",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenants.id"), primary_key=True),
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("key", sa.Text, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("description", sa.Text, nullable=False, server_default=""),
    sa.Column("is_system", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("permissions", ARRAY(sa.Text), nullable=False, server_default="{}"),
    # {resource: {"range": "own", "regions": [uuid...] | null, "customer_types": [...] | null}}
    sa.Column("data_ranges", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
    *_record_columns(),
    sa.Index(
        "uq_roles_tenant_key",
        "tenant_id",
        "key",
        unique=True,
        postgresql_where=sa.text("deleted_at IS NULL"),
    ),
)

user_roles = sa.Table(
    "user_roles",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("user_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("role_id", UUID(as_uuid=True), primary_key=True),
    _tenant_fk(["user_id"], "users", "fk_user_roles_user"),
    _tenant_fk(["role_id"], "roles", "fk_user_roles_role"),
)

refresh_tokens = sa.Table(
    "refresh_tokens",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("user_id", UUID(as_uuid=True), nullable=False),
    # All tokens descending from one login share a family; reuse of a rotated one revokes it.
    sa.Column("family_id", UUID(as_uuid=True), nullable=False),
    sa.Column("token_hash", sa.LargeBinary, nullable=False, unique=True),
    sa.Column("created_at", TS, nullable=False, server_default=NOW),
    sa.Column("expires_at", TS, nullable=False),
    sa.Column("rotated_at", TS),
    sa.Column("revoked_at", TS),
    _tenant_fk(["user_id"], "users", "fk_refresh_tokens_user"),
    sa.Index("ix_refresh_tokens_family", "tenant_id", "family_id"),
    sa.Index("ix_refresh_tokens_user", "tenant_id", "user_id"),
)

# One sign-in: a refresh-token family (id = family_id). Access tokens carry its id (`sid`); the
# caller's statement checks it is alive, so ending it ends them at once.
user_sessions = sa.Table(
    "user_sessions",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("user_id", UUID(as_uuid=True), nullable=False),
    sa.Column("created_at", TS, nullable=False, server_default=NOW),
    sa.Column("last_used_at", TS, nullable=False, server_default=NOW),
    # Fixed at sign-in (CRM_SESSION_MAX_DAYS): rotation never extends it.
    sa.Column("expires_at", TS, nullable=False),
    sa.Column("revoked_at", TS),
    sa.Column("user_agent", sa.Text),
    sa.Column("created_ip", sa.Text),
    sa.Column("last_ip", sa.Text),
    _tenant_fk(["user_id"], "users", "fk_user_sessions_user"),
    sa.Index("ix_user_sessions_user", "tenant_id", "user_id"),
)

revoked_access_tokens = sa.Table(
    "revoked_access_tokens",
    metadata,
    sa.Column("jti", UUID(as_uuid=True), primary_key=True),
    sa.Column("expires_at", TS, nullable=False),
)

api_tokens = sa.Table(
    "api_tokens",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("user_id", UUID(as_uuid=True), nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("token_hash", sa.LargeBinary, nullable=False, unique=True),
    sa.Column("prefix", sa.Text, nullable=False),
    sa.Column("scopes", ARRAY(sa.Text), nullable=False),
    sa.Column("expires_at", TS),
    sa.Column("last_used_at", TS),
    sa.Column("revoked_at", TS),
    sa.Column("created_at", TS, nullable=False, server_default=NOW),
    _tenant_fk(["user_id"], "users", "fk_api_tokens_user"),
    sa.Index("ix_api_tokens_user", "tenant_id", "user_id"),
)

# One-time links by which users set their own password: an invitation (new account) or a reset.
# Only the SHA-256 of the secret is kept, set by the worker when it mails the link.
password_links = sa.Table(
    "password_links",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("user_id", UUID(as_uuid=True), nullable=False),
    sa.Column("purpose", sa.Text, nullable=False),  # invitation | reset
    sa.Column("token_hash", sa.LargeBinary, unique=True),
    sa.Column("created_at", TS, nullable=False, server_default=NOW),
    sa.Column("created_by", UUID(as_uuid=True)),
    sa.Column("expires_at", TS, nullable=False),
    sa.Column("sent_at", TS),
    sa.Column("used_at", TS),
    sa.Column("revoked_at", TS),
    sa.CheckConstraint("purpose IN ('invitation', 'reset')", name="ck_password_links_purpose"),
    _tenant_fk(["user_id"], "users", "fk_password_links_user"),
    sa.Index("ix_password_links_user", "tenant_id", "user_id"),
)

login_failures = sa.Table(
    "login_failures",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("account", sa.Text, nullable=False),  # lower-cased email, known user or not
    sa.Column("address", sa.Text, nullable=False),
    sa.Column("at", TS, nullable=False, server_default=NOW),
    sa.Index("ix_login_failures_account_at", "account", "at"),
    sa.Index("ix_login_failures_address_at", "address", "at"),
)

idempotency_keys = sa.Table(
    "idempotency_keys",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("principal_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("request_hash", sa.LargeBinary, nullable=False),
    sa.Column("status_code", sa.Integer, nullable=False),
    sa.Column("body", sa.LargeBinary, nullable=False),
    sa.Column("headers", JSONB, nullable=False),
    sa.Column("created_at", TS, nullable=False, server_default=NOW),
)

custom_field_defs = sa.Table(
    "custom_field_defs",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenants.id"), primary_key=True),
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("entity", sa.Text, nullable=False),
    sa.Column("key", sa.Text, nullable=False),
    sa.Column("label", sa.Text, nullable=False),
    sa.Column("type", sa.Text, nullable=False),
    sa.Column("required", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("options", ARRAY(sa.Text), nullable=False, server_default="{}"),
    sa.Column("position", sa.Integer, nullable=False, server_default="0"),
    *_record_columns(),
    sa.Index(
        "uq_custom_field_defs_key",
        "tenant_id",
        "entity",
        "key",
        unique=True,
        postgresql_where=sa.text("deleted_at IS NULL"),
    ),
)


def _owned_columns() -> list[sa.Column[object]]:
    """Owner and the owner's department, kept in step, so data ranges are plain predicates."""
    return [
        sa.Column("owner_id", UUID(as_uuid=True), nullable=False),
        sa.Column("department_id", UUID(as_uuid=True)),
    ]


customers = sa.Table(
    "customers",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenants.id"), primary_key=True),
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False, server_default="company"),
    sa.Column("customer_type", sa.Text),
    sa.Column("industry", sa.Text),
    sa.Column("level", sa.Text),
    sa.Column("status", sa.Text, nullable=False, server_default="prospect"),
    sa.Column("source", sa.Text),
    sa.Column("region_id", UUID(as_uuid=True)),
    sa.Column("address", sa.Text),
    sa.Column("phone", sa.Text),
    sa.Column("email", sa.Text),
    sa.Column("website", sa.Text),
    sa.Column("tags", ARRAY(sa.Text), nullable=False, server_default="{}"),
    *_owned_columns(),
    sa.Column("custom_fields", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
    sa.Column("description", sa.Text),
    # Derived on write: normalized keys for duplicate checks, lower-cased text for search.
    sa.Column("email_norm", sa.Text),
    sa.Column("phone_norm", sa.Text),
    sa.Column("search_text", sa.Text, nullable=False, server_default=""),
    *_record_columns(),
    _tenant_fk(["owner_id"], "users", "fk_customers_owner"),
    _tenant_fk(["department_id"], "departments", "fk_customers_department"),
    _tenant_fk(["region_id"], "regions", "fk_customers_region"),
)

contacts = sa.Table(
    "contacts",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenants.id"), primary_key=True),
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("customer_id", UUID(as_uuid=True)),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("title", sa.Text),
    sa.Column("phones", ARRAY(sa.Text), nullable=False, server_default="{}"),
    sa.Column("emails", ARRAY(sa.Text), nullable=False, server_default="{}"),
    sa.Column("birthday", sa.Date),
    sa.Column("is_primary", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("tags", ARRAY(sa.Text), nullable=False, server_default="{}"),
    *_owned_columns(),
    sa.Column("custom_fields", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
    sa.Column("description", sa.Text),
    sa.Column("emails_norm", ARRAY(sa.Text), nullable=False, server_default="{}"),
    sa.Column("phones_norm", ARRAY(sa.Text), nullable=False, server_default="{}"),
    sa.Column("search_text", sa.Text, nullable=False, server_default=""),
    *_record_columns(),
    _tenant_fk(["customer_id"], "customers", "fk_contacts_customer"),
    _tenant_fk(["owner_id"], "users", "fk_contacts_owner"),
    _tenant_fk(["department_id"], "departments", "fk_contacts_department"),
)

leads = sa.Table(
    "leads",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenants.id"), primary_key=True),
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("company", sa.Text),
    sa.Column("title", sa.Text),
    sa.Column("phone", sa.Text),
    sa.Column("email", sa.Text),
    sa.Column("source", sa.Text, nullable=False, server_default="other"),
    # Attribution (migration 0033): the first campaign that touched the lead, and the last.
    sa.Column("campaign_id", UUID(as_uuid=True)),
    sa.Column("last_campaign_id", UUID(as_uuid=True)),
    sa.Column("status", sa.Text, nullable=False, server_default="new"),
    sa.Column("unqualified_reason", sa.Text),
    sa.Column("rating", sa.Text),
    sa.Column("score", sa.Integer, nullable=False, server_default="0"),
    sa.Column("score_reasons", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
    sa.Column("region_id", UUID(as_uuid=True)),
    sa.Column("tags", ARRAY(sa.Text), nullable=False, server_default="{}"),
    # No owner: the lead waits in the unassigned queue (visible to department and all ranges).
    sa.Column("owner_id", UUID(as_uuid=True)),
    sa.Column("department_id", UUID(as_uuid=True)),
    sa.Column("custom_fields", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
    sa.Column("description", sa.Text),
    sa.Column("converted_customer_id", UUID(as_uuid=True)),
    sa.Column("converted_contact_id", UUID(as_uuid=True)),
    sa.Column("converted_opportunity_id", UUID(as_uuid=True)),
    sa.Column("converted_at", TS),
    # The service ticket this lead came from (POST /tickets/{id}/create-lead; migration 0012).
    sa.Column("source_ticket_id", UUID(as_uuid=True)),
    sa.Column("email_norm", sa.Text),
    sa.Column("phone_norm", sa.Text),
    sa.Column("search_text", sa.Text, nullable=False, server_default=""),
    *_record_columns(),
    _tenant_fk(["owner_id"], "users", "fk_leads_owner"),
    _tenant_fk(["department_id"], "departments", "fk_leads_department"),
    _tenant_fk(["region_id"], "regions", "fk_leads_region"),
    _tenant_fk(["converted_customer_id"], "customers", "fk_leads_converted_customer"),
    _tenant_fk(["converted_contact_id"], "contacts", "fk_leads_converted_contact"),
    # Added by the opportunities' migration (0004), which comes after this table.
    _tenant_fk(["converted_opportunity_id"], "opportunities", "fk_leads_converted_opportunity"),
    _tenant_fk(["source_ticket_id"], "tickets", "fk_leads_source_ticket"),  # migration 0012
    _tenant_fk(["campaign_id"], "campaigns", "fk_leads_campaign"),  # migration 0033
    _tenant_fk(["last_campaign_id"], "campaigns", "fk_leads_last_campaign"),
)

lead_scoring_rules = sa.Table(
    "lead_scoring_rules",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenants.id"), primary_key=True),
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("label", sa.Text, nullable=False),
    sa.Column("field", sa.Text, nullable=False),
    sa.Column("op", sa.Text, nullable=False),
    sa.Column("value", sa.Text),
    sa.Column("points", sa.Integer, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    *_record_columns(),
)

pipelines = sa.Table(
    "pipelines",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenants.id"), primary_key=True),
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("currency", sa.Text, nullable=False, server_default="CNY"),  # new deals' default
    *_record_columns(),
)

pipeline_stages = sa.Table(
    "pipeline_stages",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenants.id"), primary_key=True),
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("pipeline_id", UUID(as_uuid=True), nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("probability", sa.Integer, nullable=False),  # 0-100, a deal's default
    sa.Column("kind", sa.Text, nullable=False, server_default="open"),  # open | won | lost
    # Fields a deal must have to enter this stage (amount before "Proposal", say).
    sa.Column("required_fields", ARRAY(sa.Text), nullable=False, server_default="{}"),
    sa.Column("rotting_days", sa.Integer),  # a deal idle longer than this in the stage is rotting
    *_record_columns(),
    _tenant_fk(["pipeline_id"], "pipelines", "fk_pipeline_stages_pipeline"),
)

opportunities = sa.Table(
    "opportunities",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenants.id"), primary_key=True),
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("customer_id", UUID(as_uuid=True), nullable=False),
    sa.Column("primary_contact_id", UUID(as_uuid=True)),
    sa.Column("amount", sa.Numeric(18, 2), nullable=False, server_default="0"),
    sa.Column("currency", sa.Text, nullable=False),
    sa.Column("expected_close_date", sa.Date),
    sa.Column("pipeline_id", UUID(as_uuid=True), nullable=False),
    sa.Column("stage_id", UUID(as_uuid=True), nullable=False),
    sa.Column("probability", sa.Integer, nullable=False),
    sa.Column("forecast_category", sa.Text, nullable=False),
    sa.Column("source_lead_id", UUID(as_uuid=True)),
    # Attribution (migration 0033): first and last campaign touch, carried from the lead.
    sa.Column("campaign_id", UUID(as_uuid=True)),
    sa.Column("last_campaign_id", UUID(as_uuid=True)),
    sa.Column("competitors", ARRAY(sa.Text), nullable=False, server_default="{}"),
    sa.Column("next_step", sa.Text),
    sa.Column("lost_reason", sa.Text),
    sa.Column("won_reason", sa.Text),  # migration 0039
    sa.Column("tags", ARRAY(sa.Text), nullable=False, server_default="{}"),
    *_owned_columns(),
    sa.Column("custom_fields", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
    sa.Column("description", sa.Text),
    sa.Column("stage_entered_at", TS, nullable=False, server_default=NOW),
    sa.Column("closed_at", TS),
    sa.Column("search_text", sa.Text, nullable=False, server_default=""),
    *_record_columns(),
    _tenant_fk(["customer_id"], "customers", "fk_opportunities_customer"),
    _tenant_fk(["primary_contact_id"], "contacts", "fk_opportunities_contact"),
    _tenant_fk(["pipeline_id"], "pipelines", "fk_opportunities_pipeline"),
    _tenant_fk(["stage_id"], "pipeline_stages", "fk_opportunities_stage"),
    _tenant_fk(["source_lead_id"], "leads", "fk_opportunities_lead"),
    _tenant_fk(["owner_id"], "users", "fk_opportunities_owner"),
    _tenant_fk(["department_id"], "departments", "fk_opportunities_department"),
    _tenant_fk(["campaign_id"], "campaigns", "fk_opportunities_campaign"),  # migration 0033
    _tenant_fk(["last_campaign_id"], "campaigns", "fk_opportunities_last_campaign"),
)

opportunity_line_items = sa.Table(
    "opportunity_line_items",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("opportunity_id", UUID(as_uuid=True), nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("product_name", sa.Text, nullable=False),
    sa.Column("quantity", sa.Numeric(18, 4), nullable=False),
    sa.Column("unit_price", sa.Numeric(18, 2), nullable=False),
    sa.Column("discount_percent", sa.Numeric(5, 2), nullable=False, server_default="0"),
    _tenant_fk(["opportunity_id"], "opportunities", "fk_opportunity_line_items_opportunity"),
)

opportunity_stage_history = sa.Table(
    "opportunity_stage_history",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("opportunity_id", UUID(as_uuid=True), nullable=False),
    sa.Column("from_stage_id", UUID(as_uuid=True)),  # null: the deal was created in to_stage
    sa.Column("to_stage_id", UUID(as_uuid=True), nullable=False),
    sa.Column("changed_by", UUID(as_uuid=True)),
    sa.Column("changed_at", TS, nullable=False, server_default=NOW),
    sa.Column("seconds_in_from_stage", sa.BigInteger),
    _tenant_fk(["opportunity_id"], "opportunities", "fk_opportunity_stage_history_opportunity"),
)

# Live deals summed per key, maintained by triggers on opportunities (migration 0010) and on a
# stage's kind (0020); what the forecast reads. Owner and department are kept so data ranges apply.
opportunity_rollups = sa.Table(
    "opportunity_rollups",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), nullable=False),
    sa.Column("pipeline_id", UUID(as_uuid=True), nullable=False),
    sa.Column("kind", sa.Text, nullable=False),  # the deal's stage's: open, won or lost
    sa.Column("owner_id", UUID(as_uuid=True), nullable=False),
    sa.Column("department_id", UUID(as_uuid=True)),
    sa.Column("forecast_category", sa.Text, nullable=False),
    sa.Column("close_month", sa.Date),
    sa.Column("deals", sa.BigInteger, nullable=False),
    sa.Column("amount", sa.Numeric, nullable=False),
    sa.Column("weighted", sa.Numeric, nullable=False),
)

# The same for the board: live deals per pipeline, stage, owner and department (migration 0010).
opportunity_stage_rollups = sa.Table(
    "opportunity_stage_rollups",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), nullable=False),
    sa.Column("pipeline_id", UUID(as_uuid=True), nullable=False),
    sa.Column("stage_id", UUID(as_uuid=True), nullable=False),
    sa.Column("owner_id", UUID(as_uuid=True), nullable=False),
    sa.Column("department_id", UUID(as_uuid=True)),
    sa.Column("deals", sa.BigInteger, nullable=False),
    sa.Column("amount", sa.Numeric, nullable=False),
    sa.Column("weighted", sa.Numeric, nullable=False),
)

# Done activities per local day (the tenant's zone), owner, department and kind, and per local day,
# hour and department (the heat map); append-only deltas kept by triggers (migration 0039).
activity_day_rollups = sa.Table(
    "activity_day_rollups",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), nullable=False),
    sa.Column("day", sa.Date, nullable=False),
    sa.Column("owner_id", UUID(as_uuid=True), nullable=False),
    sa.Column("department_id", UUID(as_uuid=True)),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("done", sa.BigInteger, nullable=False),
)

activity_month_rollups = sa.Table(
    "activity_month_rollups",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), nullable=False),
    sa.Column("month", sa.Date, nullable=False),
    sa.Column("owner_id", UUID(as_uuid=True), nullable=False),
    sa.Column("department_id", UUID(as_uuid=True)),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("done", sa.BigInteger, nullable=False),
)

activity_hour_rollups = sa.Table(
    "activity_hour_rollups",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), nullable=False),
    sa.Column("day", sa.Date, nullable=False),
    sa.Column("hour", sa.SmallInteger, nullable=False),
    sa.Column("department_id", UUID(as_uuid=True)),
    sa.Column("done", sa.BigInteger, nullable=False),
)


def _lead_rollup(name: str, grain: str) -> sa.Table:
    return sa.Table(
        name,
        metadata,
        sa.Column("tenant_id", UUID(as_uuid=True), nullable=False),
        sa.Column(grain, sa.Date, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("campaign_id", UUID(as_uuid=True)),
        sa.Column("last_campaign_id", UUID(as_uuid=True)),
        sa.Column("owner_id", UUID(as_uuid=True)),
        sa.Column("department_id", UUID(as_uuid=True)),
        sa.Column("leads", sa.BigInteger, nullable=False),
        sa.Column("converted", sa.BigInteger, nullable=False),
        sa.Column("convert_days", sa.Numeric, nullable=False),
    )


# Leads per local day / month of creation and the lead analysis' keys (migration 0039).
lead_day_rollups = _lead_rollup("lead_day_rollups", "day")
lead_month_rollups = _lead_rollup("lead_month_rollups", "month")

# The forecast of a quarter as it stood each week (migration 0039): a week taken once per tenant,
# then per owner, department and currency.
forecast_snapshot_weeks = sa.Table(
    "forecast_snapshot_weeks",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenants.id"), primary_key=True),
    sa.Column("week", sa.Date, primary_key=True),
    sa.Column("period", sa.Text, nullable=False),
    sa.Column("taken_at", TS, nullable=False, server_default=NOW),
)

forecast_snapshots = sa.Table(
    "forecast_snapshots",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("week", sa.Date, primary_key=True),
    sa.Column("owner_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("currency", sa.Text, primary_key=True),
    sa.Column("period", sa.Text, nullable=False),
    sa.Column("department_id", UUID(as_uuid=True)),
    sa.Column("commit", sa.Numeric(18, 2), nullable=False),
    sa.Column("best_case", sa.Numeric(18, 2), nullable=False),
    sa.Column("pipeline", sa.Numeric(18, 2), nullable=False),
    sa.Column("closed_won", sa.Numeric(18, 2), nullable=False),
    sa.Column("target", sa.Numeric(18, 2)),
    sa.ForeignKeyConstraint(
        ["tenant_id", "week"],
        ["forecast_snapshot_weeks.tenant_id", "forecast_snapshot_weeks.week"],
        name="fk_forecast_snapshots_week",
        ondelete="CASCADE",
    ),
)

sales_targets = sa.Table(
    "sales_targets",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenants.id"), primary_key=True),
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    # Whose: one user, or one department (then owner is null).
    sa.Column("user_id", UUID(as_uuid=True)),
    sa.Column("department_id", UUID(as_uuid=True)),
    sa.Column("period_kind", sa.Text, nullable=False),  # month | quarter | year
    sa.Column("period_start", sa.Date, nullable=False),
    sa.Column("amount", sa.Numeric(18, 2), nullable=False),
    sa.Column("won_count", sa.Integer),
    *_record_columns(),
    _tenant_fk(["user_id"], "users", "fk_sales_targets_user"),
    _tenant_fk(["department_id"], "departments", "fk_sales_targets_department"),
)

# Per tenant and kind of document, the next number: taken in the creating transaction (the row
# lock serializes creators; a rollback gives the number back), so numbers have no gaps.
document_counters = sa.Table(
    "document_counters",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenants.id"), primary_key=True),
    sa.Column("kind", sa.Text, primary_key=True),
    sa.Column("next_value", sa.BigInteger, nullable=False, server_default="1"),
)

quotes = sa.Table(
    "quotes",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenants.id"), primary_key=True),
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("number", sa.Text, nullable=False),
    sa.Column("opportunity_id", UUID(as_uuid=True), nullable=False),
    sa.Column("customer_id", UUID(as_uuid=True), nullable=False),
    sa.Column("status", sa.Text, nullable=False, server_default="draft"),  # draft | sent | accepted | rejected
    sa.Column("valid_until", sa.Date),
    sa.Column("currency", sa.Text, nullable=False),
    sa.Column("total", sa.Numeric(18, 2), nullable=False),
    # The opportunity's line items when the quote was made: [{product_name, quantity, ...}].
    sa.Column("items", JSONB, nullable=False),
    sa.Column("notes", sa.Text),
    *_owned_columns(),
    *_record_columns(),
    _tenant_fk(["opportunity_id"], "opportunities", "fk_quotes_opportunity"),
    _tenant_fk(["customer_id"], "customers", "fk_quotes_customer"),
    _tenant_fk(["owner_id"], "users", "fk_quotes_owner"),
    sa.Index("uq_quotes_number", "tenant_id", "number", unique=True),
)

orders = sa.Table(
    "orders",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenants.id"), primary_key=True),
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("number", sa.Text, nullable=False),
    sa.Column("quote_id", UUID(as_uuid=True), nullable=False),
    sa.Column("opportunity_id", UUID(as_uuid=True), nullable=False),
    sa.Column("customer_id", UUID(as_uuid=True), nullable=False),
    sa.Column("status", sa.Text, nullable=False, server_default="confirmed"),  # confirmed | fulfilled | cancelled
    sa.Column("delivery_status", sa.Text, nullable=False, server_default="pending"),  # pending | partial | delivered
    sa.Column("payment_status", sa.Text, nullable=False, server_default="unpaid"),  # unpaid | partial | paid
    sa.Column("currency", sa.Text, nullable=False),
    sa.Column("total", sa.Numeric(18, 2), nullable=False),
    sa.Column("items", JSONB, nullable=False),
    sa.Column("notes", sa.Text),
    *_owned_columns(),
    *_record_columns(),
    _tenant_fk(["quote_id"], "quotes", "fk_orders_quote"),
    _tenant_fk(["opportunity_id"], "opportunities", "fk_orders_opportunity"),
    _tenant_fk(["customer_id"], "customers", "fk_orders_customer"),
    _tenant_fk(["owner_id"], "users", "fk_orders_owner"),
    sa.Index("uq_orders_number", "tenant_id", "number", unique=True),
    sa.Index("uq_orders_quote", "tenant_id", "quote_id", unique=True),
)

sales_plans = sa.Table(
    "sales_plans",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenants.id"), primary_key=True),
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("period_kind", sa.Text, nullable=False),
    sa.Column("period_start", sa.Date, nullable=False),
    sa.Column("goal", sa.Text),
    # Whom the plan works on; its progress counts the owner's done activities with them.
    sa.Column("target_customer_ids", ARRAY(UUID(as_uuid=True)), nullable=False, server_default="{}"),
    sa.Column("target_lead_ids", ARRAY(UUID(as_uuid=True)), nullable=False, server_default="{}"),
    sa.Column("planned_activities", sa.Integer, nullable=False, server_default="0"),
    sa.Column("status", sa.Text, nullable=False, server_default="active"),  # active | closed
    sa.Column("evaluation", sa.Text),
    *_owned_columns(),
    *_record_columns(),
    _tenant_fk(["owner_id"], "users", "fk_sales_plans_owner"),
)

lead_assignment_rules = sa.Table(
    "lead_assignment_rules",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenants.id"), primary_key=True),
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("position", sa.Integer, nullable=False),  # rules are tried in this order
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    # What a lead must have for the rule to take it (null: anything).
    sa.Column("region_id", UUID(as_uuid=True)),
    sa.Column("source", sa.Text),
    sa.Column("min_score", sa.Integer),
    # Where it goes: one user, or a department's active sales users by `method`.
    sa.Column("user_id", UUID(as_uuid=True)),
    sa.Column("department_id", UUID(as_uuid=True)),
    sa.Column("method", sa.Text, nullable=False, server_default="round_robin"),
    sa.Column("turns", sa.BigInteger, nullable=False, server_default="0"),  # round-robin position
    *_record_columns(),
    _tenant_fk(["region_id"], "regions", "fk_lead_assignment_rules_region"),
    _tenant_fk(["user_id"], "users", "fk_lead_assignment_rules_user"),
    _tenant_fk(["department_id"], "departments", "fk_lead_assignment_rules_department"),
)

lead_forms = sa.Table(
    "lead_forms",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenants.id"), primary_key=True),
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    # The public address: /api/v1/public/lead-forms/{form_key}; unique across tenants.
    sa.Column("form_key", sa.Text, nullable=False, unique=True),
    sa.Column("fields", ARRAY(sa.Text), nullable=False),  # what a submission may set
    sa.Column("campaign_id", UUID(as_uuid=True)),
    sa.Column("tags", ARRAY(sa.Text), nullable=False, server_default="{}"),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    *_record_columns(),
    _tenant_fk(["campaign_id"], "campaigns", "fk_lead_forms_campaign"),  # migration 0033
)

# Hits counted per bucket (a public form and a client address, say) in a sliding window.
rate_limit_hits = sa.Table(
    "rate_limit_hits",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("bucket", sa.Text, nullable=False),
    sa.Column("at", TS, nullable=False, server_default=NOW),
    sa.Index("ix_rate_limit_hits_bucket_at", "bucket", "at"),
)

# The API's request counters: one row per caller and fixed window (migration 0026, UNLOGGED).
rate_limit_counters = sa.Table(
    "rate_limit_counters",
    metadata,
    sa.Column("bucket", sa.Text, primary_key=True),
    sa.Column("hits", sa.Integer, nullable=False),
    sa.Column("expires_at", TS, nullable=False),
    sa.Index("ix_rate_limit_counters_expires_at", "expires_at"),
    prefixes=["UNLOGGED"],
)

activities = sa.Table(
    "activities",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenants.id"), primary_key=True),
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("body", sa.Text),
    sa.Column("occurred_at", TS, nullable=False),
    sa.Column("duration_minutes", sa.Integer),
    sa.Column("outcome", sa.Text),
    sa.Column("customer_id", UUID(as_uuid=True)),
    sa.Column("contact_id", UUID(as_uuid=True)),
    sa.Column("lead_id", UUID(as_uuid=True)),
    sa.Column("opportunity_id", UUID(as_uuid=True)),
    # Tasks and appointments: planned work, possibly for someone other than the owner.
    sa.Column("status", sa.Text, nullable=False, server_default="done"),  # planned | done | missed | cancelled
    sa.Column("assignee_id", UUID(as_uuid=True)),
    sa.Column("due_at", TS),
    sa.Column("starts_at", TS),
    sa.Column("ends_at", TS),
    sa.Column("evaluation", sa.Text),
    sa.Column("reminder_minutes", sa.Integer),
    sa.Column("reminded_at", TS),
    *_owned_columns(),
    *_record_columns(),
    _tenant_fk(["lead_id"], "leads", "fk_activities_lead"),
    _tenant_fk(["opportunity_id"], "opportunities", "fk_activities_opportunity"),
    _tenant_fk(["assignee_id"], "users", "fk_activities_assignee"),
    _tenant_fk(["customer_id"], "customers", "fk_activities_customer"),
    _tenant_fk(["contact_id"], "contacts", "fk_activities_contact"),
    _tenant_fk(["owner_id"], "users", "fk_activities_owner"),
    _tenant_fk(["department_id"], "departments", "fk_activities_department"),
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("at", TS, nullable=False, server_default=NOW),
    sa.Column("actor_id", UUID(as_uuid=True)),
    sa.Column("api_token_id", UUID(as_uuid=True)),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("entity", sa.Text, nullable=False),
    sa.Column("entity_id", UUID(as_uuid=True)),
    # {"field": {"before": ..., "after": ...}} for the fields that changed.
    sa.Column("changes", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
    sa.Column("request_id", sa.Text),
    sa.Column("ip", sa.Text),
    sa.Index("ix_audit_log_entity", "tenant_id", "entity", "entity_id", "id"),
    sa.Index("ix_audit_log_actor", "tenant_id", "actor_id", "id"),
)

outbox = sa.Table(
    "outbox",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("event_type", sa.Text, nullable=False),
    sa.Column("entity", sa.Text, nullable=False),
    sa.Column("entity_id", UUID(as_uuid=True), nullable=False),
    sa.Column("payload", JSONB, nullable=False),
    sa.Column("occurred_at", TS, nullable=False, server_default=NOW),
    sa.Column("available_at", TS, nullable=False, server_default=NOW),
    sa.Column("processed_at", TS),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("last_error", sa.Text),
    sa.Index("ix_outbox_pending", "available_at", postgresql_where=sa.text("processed_at IS NULL")),
)


def _list_indexes(table: sa.Table) -> None:
    """Keyset list indexes per data range: all, own (owner_id), department (department_id)."""
    name = table.name
    live = sa.text("deleted_at IS NULL")
    sa.Index(f"ix_{name}_updated", table.c.tenant_id, table.c.updated_at, table.c.id)
    sa.Index(
        f"ix_{name}_owner_updated",
        table.c.tenant_id,
        table.c.owner_id,
        table.c.updated_at,
        table.c.id,
        postgresql_where=live,
    )
    sa.Index(
        f"ix_{name}_department_updated",
        table.c.tenant_id,
        table.c.department_id,
        table.c.updated_at,
        table.c.id,
        postgresql_where=live,
    )


for _t in (customers, contacts):
    _list_indexes(_t)
    sa.Index(
        f"ix_{_t.name}_search",
        _t.c.search_text,
        postgresql_using="gin",
        postgresql_ops={"search_text": "gin_trgm_ops"},
    )
    sa.Index(f"ix_{_t.name}_tags", _t.c.tags, postgresql_using="gin")
    sa.Index(
        f"ix_{_t.name}_custom_fields",
        _t.c.custom_fields,
        postgresql_using="gin",
        postgresql_ops={"custom_fields": "jsonb_path_ops"},
    )

sa.Index(
    "ix_customers_name",
    customers.c.tenant_id,
    customers.c.name,
    customers.c.id,
    postgresql_where=sa.text("deleted_at IS NULL"),
)
sa.Index(
    "ix_customers_email_norm",
    customers.c.tenant_id,
    customers.c.email_norm,
    postgresql_where=sa.text("deleted_at IS NULL"),
)
sa.Index(
    "ix_customers_phone_norm",
    customers.c.tenant_id,
    customers.c.phone_norm,
    postgresql_where=sa.text("deleted_at IS NULL"),
)
sa.Index("ix_contacts_customer", contacts.c.tenant_id, contacts.c.customer_id)
sa.Index(
    "ix_contacts_name",
    contacts.c.tenant_id,
    contacts.c.name,
    contacts.c.id,
    postgresql_where=sa.text("deleted_at IS NULL"),
)
sa.Index("ix_contacts_emails_norm", contacts.c.emails_norm, postgresql_using="gin")
sa.Index("ix_contacts_phones_norm", contacts.c.phones_norm, postgresql_using="gin")
_list_indexes(activities)
# The default activity sort (-occurred_at), per data range (migration 0002).
for _name, _by in (("", ()), ("_owner", (activities.c.owner_id,)), ("_department", (activities.c.department_id,))):
    sa.Index(
        f"ix_activities{_name}_occurred",
        activities.c.tenant_id,
        *_by,
        activities.c.occurred_at,
        activities.c.id,
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
sa.Index(
    "ix_activities_customer",
    activities.c.tenant_id,
    activities.c.customer_id,
    activities.c.occurred_at,
    activities.c.id,
)
sa.Index(
    "ix_activities_contact",
    activities.c.tenant_id,
    activities.c.contact_id,
    activities.c.occurred_at,
    activities.c.id,
)

notifications = sa.Table(
    "notifications",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenants.id"), primary_key=True),
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("user_id", UUID(as_uuid=True), nullable=False),
    sa.Column("kind", sa.Text, nullable=False),  # assigned | rotting | ...
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("entity", sa.Text),
    sa.Column("entity_id", UUID(as_uuid=True)),
    # One notification per key and user: a job that runs again does not repeat itself.
    sa.Column("dedupe_key", sa.Text),
    sa.Column("created_at", TS, nullable=False, server_default=NOW),
    sa.Column("read_at", TS),
    _tenant_fk(["user_id"], "users", "fk_notifications_user"),
    sa.Index("ix_notifications_user", "tenant_id", "user_id", "created_at", "id"),
    sa.Index(
        "uq_notifications_dedupe",
        "tenant_id",
        "user_id",
        "dedupe_key",
        unique=True,
        postgresql_where=sa.text("dedupe_key IS NOT NULL"),
    ),
)


# -- service tickets (migration 0012) ---------------------------------------------------------

ticket_categories = sa.Table(
    "ticket_categories",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenants.id"), primary_key=True),
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("parent_id", UUID(as_uuid=True)),  # a tree: complaints' problem classification
    sa.Column("position", sa.Integer, nullable=False, server_default="0"),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    *_record_columns(),
    _tenant_fk(["parent_id"], "ticket_categories", "fk_ticket_categories_parent"),
)

# One per tenant: the business calendar every SLA clock runs on, and the reopen window.
ticket_calendars = sa.Table(
    "ticket_calendars",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenants.id"), primary_key=True),
    sa.Column("time_zone", sa.Text, nullable=False, server_default="UTC"),
    sa.Column("weekdays", ARRAY(sa.Integer), nullable=False),  # 0 = Monday
    sa.Column("open_minute", sa.Integer, nullable=False),
    sa.Column("close_minute", sa.Integer, nullable=False),
    sa.Column("holidays", ARRAY(sa.Date), nullable=False, server_default="{}"),
    sa.Column("reopen_days", sa.Integer, nullable=False, server_default="7"),
    sa.Column("updated_at", TS, nullable=False, server_default=NOW),
    sa.Column("updated_by", UUID(as_uuid=True)),
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
)

sla_policies = sa.Table(
    "sla_policies",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenants.id"), primary_key=True),
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("priority", sa.Text, nullable=False),
    sa.Column("customer_level", sa.Text),  # null: customers of any level
    sa.Column("first_response_minutes", sa.Integer, nullable=False),  # business minutes
    sa.Column("resolution_minutes", sa.Integer, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    *_record_columns(),
    sa.Index(
        "uq_sla_policies_target",
        "tenant_id",
        "priority",
        sa.text("coalesce(customer_level, '')"),
        unique=True,
        postgresql_where=sa.text("deleted_at IS NULL"),
    ),
)

ticket_assignment_rules = sa.Table(
    "ticket_assignment_rules",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenants.id"), primary_key=True),
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    # What a ticket must have for the rule to take it (null: anything).
    sa.Column("category_id", UUID(as_uuid=True)),
    sa.Column("channel", sa.Text),
    sa.Column("priority", sa.Text),
    sa.Column("kind", sa.Text),
    sa.Column("user_id", UUID(as_uuid=True)),
    sa.Column("department_id", UUID(as_uuid=True)),
    sa.Column("method", sa.Text, nullable=False, server_default="round_robin"),
    sa.Column("turns", sa.BigInteger, nullable=False, server_default="0"),
    *_record_columns(),
    _tenant_fk(["category_id"], "ticket_categories", "fk_ticket_assignment_rules_category"),
    _tenant_fk(["user_id"], "users", "fk_ticket_assignment_rules_user"),
    _tenant_fk(["department_id"], "departments", "fk_ticket_assignment_rules_department"),
)

TICKET_OPEN_SQL = "status IN ('new', 'open', 'pending')"

tickets = sa.Table(
    "tickets",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenants.id"), primary_key=True),
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    # T000001, gap-free per tenant; NULL only inside the transaction that opens the ticket, which
    # takes the number last (migration 0022: a deferred trigger refuses to commit it NULL).
    sa.Column("number", sa.Text, nullable=True),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("channel", sa.Text, nullable=False),
    sa.Column("priority", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False, server_default="new"),
    sa.Column("category_id", UUID(as_uuid=True)),
    sa.Column("customer_id", UUID(as_uuid=True)),
    sa.Column("contact_id", UUID(as_uuid=True)),
    sa.Column("opportunity_id", UUID(as_uuid=True)),
    sa.Column("order_id", UUID(as_uuid=True)),
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("description", sa.Text),
    sa.Column("solution", sa.Text),
    sa.Column("tags", ARRAY(sa.Text), nullable=False, server_default="{}"),
    sa.Column("custom_fields", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
    # The assignee (null: the unassigned queue) and the team.
    sa.Column("owner_id", UUID(as_uuid=True)),
    sa.Column("department_id", UUID(as_uuid=True)),
    # The customer's owner and department (null without a live customer), for the data ranges
    # that reach the caller's customers' tickets; kept in step by triggers (migration 0018).
    sa.Column("customer_owner_id", UUID(as_uuid=True)),
    sa.Column("customer_department_id", UUID(as_uuid=True)),
    # SLA: the policy's targets as due instants on the tenant's business calendar.
    sa.Column("sla_policy_id", UUID(as_uuid=True)),
    sa.Column("first_response_due_at", TS),
    sa.Column("first_responded_at", TS),
    sa.Column("resolution_due_at", TS),
    # 80% of each target: when the SLA job warns (moved with the due time).
    sa.Column("first_response_warn_at", TS),
    sa.Column("resolution_warn_at", TS),
    sa.Column("resolved_at", TS),
    sa.Column("closed_at", TS),
    sa.Column("sla_paused_at", TS),  # set while pending: the resolution clock stands still
    sa.Column("sla_paused_seconds", sa.Integer, nullable=False, server_default="0"),
    sa.Column("reopen_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("escalation_level", sa.Integer, nullable=False, server_default="0"),
    sa.Column("lead_id", UUID(as_uuid=True)),
    sa.Column("search_text", sa.Text, nullable=False, server_default=""),
    # Filters by naming convention (app/repositories/owned.py): ?owner=none, the open inbox.
    sa.Column("assigned", sa.Boolean, sa.Computed("owner_id IS NOT NULL", persisted=True)),
    sa.Column("is_open", sa.Boolean, sa.Computed(TICKET_OPEN_SQL, persisted=True)),
    *_record_columns(),
    _tenant_fk(["owner_id"], "users", "fk_tickets_owner"),
    _tenant_fk(["department_id"], "departments", "fk_tickets_department"),
    _tenant_fk(["category_id"], "ticket_categories", "fk_tickets_category"),
    _tenant_fk(["customer_id"], "customers", "fk_tickets_customer"),
    _tenant_fk(["contact_id"], "contacts", "fk_tickets_contact"),
    _tenant_fk(["opportunity_id"], "opportunities", "fk_tickets_opportunity"),
    _tenant_fk(["order_id"], "orders", "fk_tickets_order"),
    _tenant_fk(["sla_policy_id"], "sla_policies", "fk_tickets_sla_policy"),
    _tenant_fk(["lead_id"], "leads", "fk_tickets_lead"),
    sa.Index("uq_tickets_number", "tenant_id", "number", unique=True),
)
_list_indexes(tickets)
_LIVE_OPEN = sa.text(f"deleted_at IS NULL AND {TICKET_OPEN_SQL}")
sa.Index("ix_tickets_status_updated", tickets.c.tenant_id, tickets.c.status, tickets.c.updated_at, tickets.c.id,
         postgresql_where=sa.text("deleted_at IS NULL"))  # fmt: skip
# The "own" and "department" ranges through the customer (migration 0018).
sa.Index("ix_tickets_customer_owner_updated", tickets.c.tenant_id, tickets.c.customer_owner_id, tickets.c.updated_at,
         tickets.c.id, postgresql_where=sa.text("deleted_at IS NULL"))  # fmt: skip
sa.Index("ix_tickets_customer_department_updated", tickets.c.tenant_id, tickets.c.customer_department_id,
         tickets.c.updated_at, tickets.c.id, postgresql_where=sa.text("deleted_at IS NULL"))  # fmt: skip
# Whoever opened a ticket keeps reading it (migration 0028).
sa.Index("ix_tickets_creator_updated", tickets.c.tenant_id, tickets.c.created_by, tickets.c.updated_at, tickets.c.id,
         postgresql_where=sa.text("deleted_at IS NULL"))  # fmt: skip
# The unassigned queue, per team.
sa.Index("ix_tickets_queue", tickets.c.tenant_id, tickets.c.department_id, tickets.c.updated_at, tickets.c.id,
         postgresql_where=sa.text(f"owner_id IS NULL AND deleted_at IS NULL AND {TICKET_OPEN_SQL}"))  # fmt: skip
# Breaching soon: open tickets by due time (also what the SLA job scans).
sa.Index("ix_tickets_resolution_due", tickets.c.tenant_id, tickets.c.resolution_due_at, postgresql_where=_LIVE_OPEN)
_AWAITING_REPLY = sa.text(f"first_responded_at IS NULL AND deleted_at IS NULL AND {TICKET_OPEN_SQL}")
sa.Index("ix_tickets_first_response_due", tickets.c.tenant_id, tickets.c.first_response_due_at,
         postgresql_where=_AWAITING_REPLY)  # fmt: skip
# The SLA job's scans, across tenants: warnings whose time has come.
sa.Index("ix_tickets_first_response_warn", tickets.c.first_response_warn_at, postgresql_where=_AWAITING_REPLY)
_CLOCK_RUNNING = sa.text(f"resolved_at IS NULL AND sla_paused_at IS NULL AND deleted_at IS NULL AND {TICKET_OPEN_SQL}")
sa.Index("ix_tickets_resolution_warn", tickets.c.resolution_warn_at, postgresql_where=_CLOCK_RUNNING)
sa.Index("ix_tickets_customer", tickets.c.tenant_id, tickets.c.customer_id, tickets.c.created_at)
# The stats' live reads (migration 0019): the partial days at a period's edges, and the tickets
# that may still breach by the clock alone (with every column that count reads).
sa.Index(
    "ix_tickets_created", tickets.c.tenant_id, tickets.c.created_at, postgresql_where=sa.text("deleted_at IS NULL")
)
TICKET_UNSETTLED_SQL = (
    "deleted_at IS NULL AND ((first_responded_at IS NULL AND first_response_due_at IS NOT NULL)"
    " OR (resolved_at IS NULL AND resolution_due_at IS NOT NULL))"
)
sa.Index("ix_tickets_unsettled", tickets.c.tenant_id, tickets.c.created_at,
         postgresql_include=["department_id", "customer_department_id", "first_response_due_at", "first_responded_at",
                             "resolution_due_at", "resolved_at", "sla_paused_at"],
         postgresql_where=sa.text(TICKET_UNSETTLED_SQL))  # fmt: skip


def _ticket_stats_rollup(name: str, period: str) -> sa.Table:
    """Live tickets counted per (dimension, value) pair, per UTC day, month or year of creation and
    team (migration 0019): append-only deltas, summed by the reader."""
    return sa.Table(
        name,
        metadata,
        sa.Column("tenant_id", UUID(as_uuid=True), nullable=False),
        sa.Column(period, sa.Date, nullable=False),
        sa.Column("department_id", UUID(as_uuid=True)),
        sa.Column("dimension", sa.Text, nullable=False),
        sa.Column("value", sa.Text),
        sa.Column("tickets", sa.BigInteger, nullable=False),
        sa.Column("complaints", sa.BigInteger, nullable=False),
        sa.Column("folded", sa.Boolean, nullable=False, server_default=sa.false()),
    )


ticket_stats_rollups = _ticket_stats_rollup("ticket_stats_rollups", "day")
ticket_stats_month_rollups = _ticket_stats_rollup("ticket_stats_month_rollups", "month")
ticket_stats_year_rollups = _ticket_stats_rollup("ticket_stats_year_rollups", "year")

# Each customer's live tickets and complaints, all time (migration 0019).
ticket_customer_counts = sa.Table(
    "ticket_customer_counts",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("customer_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("tickets", sa.BigInteger, nullable=False),
    sa.Column("complaints", sa.BigInteger, nullable=False),
)
sa.Index("ix_tickets_search", tickets.c.search_text, postgresql_using="gin",
         postgresql_ops={"search_text": "gin_trgm_ops"})  # fmt: skip
sa.Index("ix_tickets_tags", tickets.c.tags, postgresql_using="gin")

ticket_comments = sa.Table(
    "ticket_comments",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenants.id"), primary_key=True),
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("ticket_id", UUID(as_uuid=True), nullable=False),
    sa.Column("visibility", sa.Text, nullable=False),  # public (a reply) | internal (a note)
    sa.Column("body", sa.Text, nullable=False),
    # [{"name", "size", "content_type", "storage_key"}]: metadata only; the bytes live elsewhere.
    sa.Column("attachments", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
    sa.Column("author_id", UUID(as_uuid=True)),
    *_record_columns(),
    _tenant_fk(["ticket_id"], "tickets", "fk_ticket_comments_ticket"),
    sa.Index("ix_ticket_comments_ticket", "tenant_id", "ticket_id", "created_at", "id"),
)

# The SLA job's alerts, one per ticket, target and kind: a warning or breach is told once.
ticket_sla_alerts = sa.Table(
    "ticket_sla_alerts",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenants.id"), primary_key=True),
    sa.Column("ticket_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("target", sa.Text, primary_key=True),  # first_response | resolution
    sa.Column("kind", sa.Text, primary_key=True),  # warning | breached
    sa.Column("due_at", TS, nullable=False),
    sa.Column("created_at", TS, nullable=False, server_default=NOW),
    _tenant_fk(["ticket_id"], "tickets", "fk_ticket_sla_alerts_ticket"),
)

ticket_status_changes = sa.Table(
    "ticket_status_changes",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenants.id"), primary_key=True),
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("ticket_id", UUID(as_uuid=True), nullable=False),
    sa.Column("from_status", sa.Text),
    sa.Column("to_status", sa.Text, nullable=False),
    sa.Column("changed_by", UUID(as_uuid=True)),
    sa.Column("changed_at", TS, nullable=False, server_default=NOW),
    _tenant_fk(["ticket_id"], "tickets", "fk_ticket_status_changes_ticket"),
    sa.Index("ix_ticket_status_changes_ticket", "tenant_id", "ticket_id", "changed_at"),
)

ticket_escalations = sa.Table(
    "ticket_escalations",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenants.id"), primary_key=True),
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("ticket_id", UUID(as_uuid=True), nullable=False),
    sa.Column("level", sa.Integer, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("from_priority", sa.Text, nullable=False),
    sa.Column("to_priority", sa.Text, nullable=False),
    sa.Column("from_owner_id", UUID(as_uuid=True)),
    sa.Column("to_owner_id", UUID(as_uuid=True)),
    sa.Column("escalated_by", UUID(as_uuid=True)),  # null: a rule or the SLA job
    sa.Column("escalated_at", TS, nullable=False, server_default=NOW),
    sa.Column("rule_id", UUID(as_uuid=True)),  # the escalation rule that made it (null: a person)
    _tenant_fk(["ticket_id"], "tickets", "fk_ticket_escalations_ticket"),
    _tenant_fk(["rule_id"], "ticket_escalation_rules", "fk_ticket_escalations_rule"),
    sa.Index("ix_ticket_escalations_ticket", "tenant_id", "ticket_id", "escalated_at"),
    sa.Index(
        "uq_ticket_escalations_rule",
        "tenant_id",
        "rule_id",
        "ticket_id",
        unique=True,
        postgresql_where=sa.text("rule_id IS NOT NULL"),
    ),
)

ticket_escalation_rules = sa.Table(
    "ticket_escalation_rules",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenants.id"), primary_key=True),
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    # When: sla_first_response_breached | sla_resolution_breached | sla_first_response_warning |
    # sla_resolution_warning | unassigned (for `minutes` business minutes).
    sa.Column("condition", sa.Text, nullable=False),
    sa.Column("minutes", sa.Integer),
    # Which tickets (null: any).
    sa.Column("priority", sa.Text),
    sa.Column("category_id", UUID(as_uuid=True)),
    sa.Column("kind", sa.Text),
    sa.Column("channel", sa.Text),
    # What: raise the priority ("step" or a level), reassign (team_manager | user | department), notify.
    sa.Column("raise_priority", sa.Text),
    sa.Column("reassign", sa.Text),
    sa.Column("user_id", UUID(as_uuid=True)),
    sa.Column("department_id", UUID(as_uuid=True)),
    sa.Column("notify", sa.Boolean, nullable=False, server_default=sa.true()),
    *_record_columns(),
    _tenant_fk(["category_id"], "ticket_categories", "fk_ticket_escalation_rules_category"),
    _tenant_fk(["user_id"], "users", "fk_ticket_escalation_rules_user"),
    _tenant_fk(["department_id"], "departments", "fk_ticket_escalation_rules_department"),
    sa.Index(
        "ix_ticket_escalation_rules_category_id",
        "tenant_id",
        "category_id",
        postgresql_where=sa.text("category_id IS NOT NULL"),
    ),
    sa.Index(
        "ix_ticket_escalation_rules_user_id", "tenant_id", "user_id", postgresql_where=sa.text("user_id IS NOT NULL")
    ),
    sa.Index(
        "ix_ticket_escalation_rules_department_id",
        "tenant_id",
        "department_id",
        postgresql_where=sa.text("department_id IS NOT NULL"),
    ),
)


# -- satisfaction surveys (migration 0014) ---------------------------------------------------


def _survey_links(table: str) -> list[sa.Column[object] | sa.ForeignKeyConstraint]:
    """What a survey invitation, response or call-back is about: ticket, customer, contact, the
    agent (owner_id: whose service is rated) and the team (department_id)."""
    return [
        sa.Column("ticket_id", UUID(as_uuid=True)),
        sa.Column("customer_id", UUID(as_uuid=True)),
        sa.Column("contact_id", UUID(as_uuid=True)),
        sa.Column("owner_id", UUID(as_uuid=True)),
        sa.Column("department_id", UUID(as_uuid=True)),
        _tenant_fk(["ticket_id"], "tickets", f"fk_{table}_ticket"),
        _tenant_fk(["customer_id"], "customers", f"fk_{table}_customer"),
        _tenant_fk(["contact_id"], "contacts", f"fk_{table}_contact"),
        _tenant_fk(["owner_id"], "users", f"fk_{table}_owner"),
        _tenant_fk(["department_id"], "departments", f"fk_{table}_department"),
    ]


surveys = sa.Table(
    "surveys",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenants.id"), primary_key=True),
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("description", sa.Text),
    # [{"id", "type", "text", "required", "choices"}] (app/domain/surveys/questions.py)
    sa.Column("questions", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    # The one survey a ticket's resolution invites the customer to answer (at most one per tenant).
    sa.Column("is_ticket_csat", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("link_valid_days", sa.Integer, nullable=False, server_default="14"),
    *_record_columns(),
    sa.Index(
        "uq_surveys_ticket_csat",
        "tenant_id",
        unique=True,
        postgresql_where=sa.text("is_ticket_csat AND deleted_at IS NULL"),
    ),
)

survey_call_backs = sa.Table(
    "survey_call_backs",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenants.id"), primary_key=True),
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("survey_id", UUID(as_uuid=True)),
    sa.Column("outcome", sa.Text, nullable=False),
    sa.Column("notes", sa.Text),
    sa.Column("next_action", sa.Text),
    sa.Column("next_action_at", TS),
    sa.Column("called_at", TS, nullable=False, server_default=NOW),
    *_survey_links("survey_call_backs"),
    *_record_columns(),
    _tenant_fk(["survey_id"], "surveys", "fk_survey_call_backs_survey"),
    sa.Index("ix_survey_call_backs_called", "tenant_id", "called_at", "id"),
)

survey_invitations = sa.Table(
    "survey_invitations",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenants.id"), primary_key=True),
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("survey_id", UUID(as_uuid=True), nullable=False),
    sa.Column("token", sa.Text, nullable=False),
    sa.Column("source_event_id", UUID(as_uuid=True)),  # the ticket.resolved event: one invitation each
    # An event's satisfaction survey (migration 0033): one invitation per attendee and survey.
    sa.Column("campaign_id", UUID(as_uuid=True)),
    sa.Column("expires_at", TS, nullable=False),
    sa.Column("answered_at", TS),
    sa.Column("revoked_at", TS),
    *_survey_links("survey_invitations"),
    *_record_columns(),
    _tenant_fk(["survey_id"], "surveys", "fk_survey_invitations_survey"),
    _tenant_fk(["campaign_id"], "campaigns", "fk_survey_invitations_campaign"),
    sa.Index("uq_survey_invitations_token", "token", unique=True),
    sa.Index("uq_survey_invitations_source_event", "tenant_id", "source_event_id", unique=True),
)

survey_responses = sa.Table(
    "survey_responses",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenants.id"), primary_key=True),
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("survey_id", UUID(as_uuid=True), nullable=False),
    sa.Column("channel", sa.Text, nullable=False),  # link | call_back
    sa.Column("invitation_id", UUID(as_uuid=True)),
    sa.Column("call_back_id", UUID(as_uuid=True)),
    sa.Column("answers", JSONB, nullable=False),  # {question id: value}
    sa.Column("answered_at", TS, nullable=False, server_default=NOW),
    *_survey_links("survey_responses"),
    *_record_columns(),
    _tenant_fk(["survey_id"], "surveys", "fk_survey_responses_survey"),
    _tenant_fk(["invitation_id"], "survey_invitations", "fk_survey_responses_invitation"),
    _tenant_fk(["call_back_id"], "survey_call_backs", "fk_survey_responses_call_back"),
    sa.Index(
        "uq_survey_responses_invitation",
        "tenant_id",
        "invitation_id",
        unique=True,
        postgresql_where=sa.text("invitation_id IS NOT NULL"),
    ),
    sa.Index(
        "ix_survey_responses_survey",
        "tenant_id",
        "survey_id",
        "answered_at",
        postgresql_where=sa.text("deleted_at IS NULL"),
    ),
)


# -- knowledge base (migration 0013) ----------------------------------------------------------

kb_categories = sa.Table(
    "kb_categories",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenants.id"), primary_key=True),
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("parent_id", UUID(as_uuid=True)),
    sa.Column("position", sa.Integer, nullable=False, server_default="0"),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    *_record_columns(),
    _tenant_fk(["parent_id"], "kb_categories", "fk_kb_categories_parent"),
)

kb_articles = sa.Table(
    "kb_articles",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenants.id"), primary_key=True),
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("category_id", UUID(as_uuid=True)),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("body", sa.Text, nullable=False, server_default=""),  # Markdown
    sa.Column("tags", ARRAY(sa.Text), nullable=False, server_default="{}"),
    sa.Column("status", sa.Text, nullable=False, server_default="draft"),  # draft | published | archived
    sa.Column("visibility", sa.Text, nullable=False, server_default="internal"),  # internal | public
    # The content's revision: each edit of title, body, category, tags or visibility stores the
    # previous one in kb_article_versions and counts up (status moves and counters do not).
    sa.Column("revision", sa.Integer, nullable=False, server_default="1"),
    sa.Column("revised_at", TS, nullable=False, server_default=NOW),
    sa.Column("revised_by", UUID(as_uuid=True)),
    sa.Column("published_at", TS),
    sa.Column("archived_at", TS),
    # Counters: bumped in place, without touching version or updated_at.
    sa.Column("view_count", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("helpful_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("not_helpful_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("used_in_count", sa.Integer, nullable=False, server_default="0"),
    # Words (weight A in the title, B in the body) and Chinese bigrams: app/domain/kb/search.py.
    sa.Column("search_vector", TSVECTOR, nullable=False, server_default=""),
    *_record_columns(),
    _tenant_fk(["category_id"], "kb_categories", "fk_kb_articles_category"),
)
sa.Index("ix_kb_articles_updated", kb_articles.c.tenant_id, kb_articles.c.updated_at, kb_articles.c.id,
         postgresql_where=kb_articles.c.deleted_at.is_(None))  # fmt: skip
sa.Index("ix_kb_articles_status_updated", kb_articles.c.tenant_id, kb_articles.c.status, kb_articles.c.updated_at,
         kb_articles.c.id, postgresql_where=kb_articles.c.deleted_at.is_(None))  # fmt: skip
sa.Index("ix_kb_articles_search", kb_articles.c.search_vector, postgresql_using="gin")
sa.Index("ix_kb_articles_tags", kb_articles.c.tags, postgresql_using="gin")

kb_article_versions = sa.Table(
    "kb_article_versions",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenants.id"), primary_key=True),
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("article_id", UUID(as_uuid=True), nullable=False),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("category_id", UUID(as_uuid=True)),
    sa.Column("tags", ARRAY(sa.Text), nullable=False, server_default="{}"),
    sa.Column("visibility", sa.Text, nullable=False),
    sa.Column("revised_at", TS, nullable=False),
    sa.Column("revised_by", UUID(as_uuid=True)),
    sa.Column("superseded_at", TS, nullable=False, server_default=NOW),
    sa.Column("superseded_by", UUID(as_uuid=True)),
    _tenant_fk(["article_id"], "kb_articles", "fk_kb_article_versions_article"),
    sa.Index("uq_kb_article_versions_revision", "tenant_id", "article_id", "revision", unique=True),
)

# One vote per reader and article; changing one's mind moves the vote.
kb_feedback = sa.Table(
    "kb_feedback",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenants.id"), primary_key=True),
    sa.Column("article_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("user_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("helpful", sa.Boolean, nullable=False),
    sa.Column("created_at", TS, nullable=False, server_default=NOW),
    sa.Column("updated_at", TS, nullable=False, server_default=NOW),
    _tenant_fk(["article_id"], "kb_articles", "fk_kb_feedback_article"),
    _tenant_fk(["user_id"], "users", "fk_kb_feedback_user"),
)

kb_ticket_links = sa.Table(
    "kb_ticket_links",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenants.id"), primary_key=True),
    sa.Column("ticket_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("article_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("linked_by", UUID(as_uuid=True)),
    sa.Column("linked_at", TS, nullable=False, server_default=NOW),
    _tenant_fk(["ticket_id"], "tickets", "fk_kb_ticket_links_ticket"),
    _tenant_fk(["article_id"], "kb_articles", "fk_kb_ticket_links_article"),
    sa.Index("ix_kb_ticket_links_article", "tenant_id", "article_id"),
)


# -- sync feeds (migration 0024) --------------------------------------------------------------


# Marketing (migration 0029): campaigns, sessions, members, consent, suppressions, sends.
# One of contact_id / lead_id is set on members, consents and deliveries, never both.
campaigns = sa.Table(
    "campaigns",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenants.id"), primary_key=True),
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    # event | webinar | promotion | email | sms | advertising | trade_show | other
    sa.Column("campaign_type", sa.Text, nullable=False),
    sa.Column("channel", sa.Text),
    sa.Column("status", sa.Text, nullable=False, server_default="draft"),  # draft|scheduled|running|completed|cancelled
    sa.Column("parent_id", UUID(as_uuid=True)),
    sa.Column("starts_on", sa.Date),
    sa.Column("ends_on", sa.Date),
    sa.Column("currency", sa.Text, nullable=False, server_default="CNY"),
    sa.Column("budget", sa.Numeric(18, 2)),
    sa.Column("actual_cost", sa.Numeric(18, 2)),
    sa.Column("expected_revenue", sa.Numeric(18, 2)),
    sa.Column("description", sa.Text),
    sa.Column("tags", ARRAY(sa.Text), nullable=False, server_default="{}"),
    sa.Column("custom_fields", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
    *_owned_columns(),
    # The public registration page's random key: unique across tenants (the URL names none).
    sa.Column("public_key", sa.Text),
    sa.Column("registration_open", sa.Boolean, nullable=False, server_default=sa.false()),
    # {fields: [...], consents: [...], confirmation: {zh-CN, en}, ...}
    sa.Column("registration_form", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
    sa.Column("capacity", sa.Integer),
    sa.Column("survey_id", UUID(as_uuid=True)),  # the satisfaction survey sent to attendees
    sa.Column("search_text", sa.Text, nullable=False, server_default=""),
    *_record_columns(),
    _tenant_fk(["owner_id"], "users", "fk_campaigns_owner"),
    _tenant_fk(["department_id"], "departments", "fk_campaigns_department"),
    _tenant_fk(["parent_id"], "campaigns", "fk_campaigns_parent"),
    _tenant_fk(["survey_id"], "surveys", "fk_campaigns_survey"),
    sa.Index("uq_campaigns_public_key", "public_key", unique=True),
)

campaign_sessions = sa.Table(
    "campaign_sessions",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenants.id"), primary_key=True),
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("campaign_id", UUID(as_uuid=True), nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("starts_at", TS, nullable=False),
    sa.Column("ends_at", TS),
    sa.Column("location", sa.Text),
    sa.Column("online_url", sa.Text),
    sa.Column("capacity", sa.Integer),
    *_record_columns(),
    _tenant_fk(["campaign_id"], "campaigns", "fk_campaign_sessions_campaign"),
)

# The funnel, in order; bounced and unsubscribed end it.
MEMBER_STATUSES = ("targeted", "sent", "opened", "clicked", "registered", "attended", "responded", "converted")

campaign_members = sa.Table(
    "campaign_members",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenants.id"), primary_key=True),
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("campaign_id", UUID(as_uuid=True), nullable=False),
    sa.Column("contact_id", UUID(as_uuid=True)),
    sa.Column("lead_id", UUID(as_uuid=True)),
    sa.Column("status", sa.Text, nullable=False, server_default="targeted"),
    sa.Column(
        "source", sa.Text, nullable=False, server_default="manual"
    ),  # manual|segment|registration|automation|import
    sa.Column("targeted_at", TS, nullable=False, server_default=NOW),
    sa.Column("sent_at", TS),
    sa.Column("opened_at", TS),
    sa.Column("clicked_at", TS),
    sa.Column("registered_at", TS),
    sa.Column("attended_at", TS),
    sa.Column("responded_at", TS),
    sa.Column("converted_at", TS),
    sa.Column("bounced_at", TS),
    sa.Column("unsubscribed_at", TS),
    sa.Column("registration_status", sa.Text),  # null | registered | waitlisted | cancelled
    sa.Column("session_id", UUID(as_uuid=True)),
    sa.Column("registration", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),  # the form's answers
    sa.Column("checkin_code", sa.Text),
    sa.Column("registration_at", TS),  # when the current registration was submitted (waitlist order; 0036)
    *_record_columns(),
    _tenant_fk(["campaign_id"], "campaigns", "fk_campaign_members_campaign"),
    _tenant_fk(["contact_id"], "contacts", "fk_campaign_members_contact"),
    _tenant_fk(["lead_id"], "leads", "fk_campaign_members_lead"),
    _tenant_fk(["session_id"], "campaign_sessions", "fk_campaign_members_session"),
)

# Registered members per campaign (scope_id = the campaign's id) and per session (scope_id = the
# session's id), kept by a trigger on campaign_members (migration 0042); its rows are the seat lock.
campaign_seats = sa.Table(
    "campaign_seats",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenants.id"), primary_key=True),
    sa.Column("campaign_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("scope_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("taken", sa.Integer, nullable=False, server_default="0"),
    sa.ForeignKeyConstraint(
        ["tenant_id", "campaign_id"],
        ["campaigns.tenant_id", "campaigns.id"],
        name="fk_campaign_seats_campaign",
        ondelete="CASCADE",
    ),
    sa.CheckConstraint("taken >= 0", name="taken"),
)

marketing_consents = sa.Table(
    "marketing_consents",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenants.id"), primary_key=True),
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("contact_id", UUID(as_uuid=True)),
    sa.Column("lead_id", UUID(as_uuid=True)),
    sa.Column("channel", sa.Text, nullable=False),  # email | sms
    sa.Column("status", sa.Text, nullable=False),  # granted | withdrawn
    sa.Column("source", sa.Text, nullable=False),  # registration | form | import | manual | unsubscribe
    sa.Column("proof", sa.Text),
    sa.Column("recorded_at", TS, nullable=False, server_default=NOW),
    sa.Column("recorded_by", UUID(as_uuid=True)),
    _tenant_fk(["contact_id"], "contacts", "fk_marketing_consents_contact"),
    _tenant_fk(["lead_id"], "leads", "fk_marketing_consents_lead"),
)

# Addresses no campaign message reaches, whoever holds them (normalized e-mail or phone).
marketing_suppressions = sa.Table(
    "marketing_suppressions",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenants.id"), primary_key=True),
    sa.Column("channel", sa.Text, primary_key=True),
    sa.Column("address", sa.Text, primary_key=True),
    sa.Column("reason", sa.Text, nullable=False),  # unsubscribed | hard_bounce | complaint | manual
    sa.Column("detail", sa.Text),
    sa.Column("delivery_id", UUID(as_uuid=True)),
    sa.Column("created_at", TS, nullable=False, server_default=NOW),
    sa.Column("created_by", UUID(as_uuid=True)),
    sa.Index("ix_marketing_suppressions_created", "tenant_id", sa.text("created_at DESC"), "channel", "address"),
)

# The secret of a tenant's bounce webhook (migration 0035): HMAC key or bearer secret.
marketing_webhook_secrets = sa.Table(
    "marketing_webhook_secrets",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenants.id"), primary_key=True),
    sa.Column("secret", sa.Text, nullable=False),
    sa.Column("created_at", TS, nullable=False, server_default=NOW),
    sa.Column("created_by", UUID(as_uuid=True)),
)

message_sends = sa.Table(
    "message_sends",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenants.id"), primary_key=True),
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("campaign_id", UUID(as_uuid=True), nullable=False),
    sa.Column("template_id", UUID(as_uuid=True), nullable=False),
    sa.Column("channel", sa.Text, nullable=False),  # email | sms
    sa.Column("audience", sa.Text, nullable=False),  # members | segment
    sa.Column("segment_id", UUID(as_uuid=True)),
    sa.Column("member_statuses", ARRAY(sa.Text)),
    # draft | scheduled | preparing | sending | completed | cancelled | failed
    sa.Column("status", sa.Text, nullable=False, server_default="draft"),
    sa.Column("scheduled_at", TS),
    sa.Column("rate_per_minute", sa.Integer),
    sa.Column("queued", sa.Integer, nullable=False, server_default="0"),
    sa.Column("sent", sa.Integer, nullable=False, server_default="0"),
    sa.Column("failed", sa.Integer, nullable=False, server_default="0"),
    sa.Column("skipped", sa.Integer, nullable=False, server_default="0"),
    sa.Column("skipped_reasons", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
    sa.Column("started_at", TS),
    sa.Column("completed_at", TS),
    # Migration 0034: the send's fixed locale (null: each recipient's), the rate's slots handed
    # out so far (shared by the workers), why it failed as a whole.
    sa.Column("locale", sa.Text),
    sa.Column("paced_until", TS),
    sa.Column("error", sa.Text),
    *_owned_columns(),
    *_record_columns(),
    _tenant_fk(["campaign_id"], "campaigns", "fk_message_sends_campaign"),
    _tenant_fk(["owner_id"], "users", "fk_message_sends_owner"),
)

# One row per (send, recipient): the unit a worker claims, sends and records exactly once.
message_deliveries = sa.Table(
    "message_deliveries",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenants.id"), primary_key=True),
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("send_id", UUID(as_uuid=True), nullable=False),
    sa.Column("member_id", UUID(as_uuid=True)),
    sa.Column("contact_id", UUID(as_uuid=True)),
    sa.Column("lead_id", UUID(as_uuid=True)),
    sa.Column("address", sa.Text),
    sa.Column("status", sa.Text, nullable=False, server_default="queued"),  # queued|sending|sent|failed|skipped|bounced
    sa.Column("skip_reason", sa.Text),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("claimed_by", sa.Text),
    sa.Column("lease_until", TS),
    sa.Column("message_id", sa.Text),
    sa.Column("error", sa.Text),
    sa.Column("sent_at", TS),
    sa.Column("opened_at", TS),
    sa.Column("clicked_at", TS),
    sa.Column("opens", sa.Integer, nullable=False, server_default="0"),
    sa.Column("clicks", sa.Integer, nullable=False, server_default="0"),
    # Migration 0034: when its member, event and suppression were booked; the locale it is written in.
    sa.Column("booked_at", TS),
    sa.Column("locale", sa.Text),
    sa.Column("created_at", TS, nullable=False, server_default=NOW),
    sa.Column("updated_at", TS, nullable=False, server_default=NOW),
    _tenant_fk(["send_id"], "message_sends", "fk_message_deliveries_send"),
)

tracking_events = sa.Table(
    "tracking_events",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenants.id"), primary_key=True),
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("delivery_id", UUID(as_uuid=True), nullable=False),
    sa.Column("kind", sa.Text, nullable=False),  # open | click
    sa.Column("url", sa.Text),
    sa.Column("occurred_at", TS, nullable=False, server_default=NOW),
    sa.Column("ip", sa.Text),
    sa.Column("user_agent", sa.Text),
)


class XID8(sa.types.UserDefinedType[int]):
    """PostgreSQL's 64-bit transaction id (no wraparound); asyncpg reads it as an int."""

    cache_ok = True

    def get_col_spec(self, **kw: object) -> str:
        return "xid8"


# The tables whose lists are sync feeds: `sync_xid` is the id of the transaction that last wrote
# the row (a BEFORE trigger stamps every insert and update), the feed's commit-order key.
SYNCED = {t.name: t for t in (customers, contacts, activities, leads, opportunities, tickets, campaigns)}
for _t in SYNCED.values():
    _t.append_column(sa.Column("sync_xid", XID8(), nullable=False, server_default="0"))
    sa.Index(f"ix_{_t.name}_sync", _t.c.tenant_id, _t.c.sync_xid, _t.c.id)

# A record that left a data range: the OLD values of the columns data ranges read (for records
# narrowed through their customer, the customer's region and type), appended by triggers.
sync_departures = sa.Table(
    "sync_departures",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenants.id"), primary_key=True),
    sa.Column("resource", sa.Text, primary_key=True),
    sa.Column("sync_xid", XID8(), primary_key=True),
    sa.Column("record_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("owner_id", UUID(as_uuid=True)),
    sa.Column("department_id", UUID(as_uuid=True)),
    sa.Column("region_id", UUID(as_uuid=True)),
    sa.Column("customer_type", sa.Text),
    sa.Column("customer_id", UUID(as_uuid=True)),
    sa.Column("customer_owner_id", UUID(as_uuid=True)),
    sa.Column("customer_department_id", UUID(as_uuid=True)),
    sa.Column("occurred_at", TS, nullable=False, server_default=NOW),
    sa.Index("ix_sync_departures_occurred_at", "occurred_at"),  # the purge
    # The primary key is the keyset order of feeds from a token; this one from an instant.
    sa.Index("ix_sync_departures_resource_occurred_at", "tenant_id", "resource", "occurred_at", "record_id"),
)

# The newest departure purged per tenant: an older sync token may have lost one (410 Gone).
sync_horizons = sa.Table(
    "sync_horizons",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenants.id"), primary_key=True),
    sa.Column("purged_xid", XID8(), nullable=False),
)


# -- marketing: message templates (migration 0030) --------------------------------------------

message_templates = sa.Table(
    "message_templates",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenants.id"), primary_key=True),
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("channel", sa.Text, nullable=False),  # email | sms
    sa.Column("description", sa.Text),
    sa.Column("default_locale", sa.Text, nullable=False),  # zh-CN | en
    # {locale: {"subject", "html", "text"}} (e-mail) or {locale: {"text"}} (SMS): template sources.
    sa.Column("content", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
    *_record_columns(),
    sa.CheckConstraint("channel IN ('email', 'sms')", name="channel"),
    sa.CheckConstraint("default_locale IN ('zh-CN', 'en')", name="default_locale"),
    # A name is unique among live templates (a send names its template by it in lists).
    sa.Index(
        "uq_message_templates_name",
        "tenant_id",
        sa.text("lower(name)"),
        unique=True,
        postgresql_where=sa.text("deleted_at IS NULL"),
    ),
)
sa.Index("ix_message_templates_updated", message_templates.c.tenant_id, message_templates.c.updated_at,
         message_templates.c.id, postgresql_where=message_templates.c.deleted_at.is_(None))  # fmt: skip
sa.Index("ix_message_templates_name", message_templates.c.tenant_id, message_templates.c.name,
         message_templates.c.id, postgresql_where=message_templates.c.deleted_at.is_(None))  # fmt: skip


# -- segments (migration 0031) -------------------------------------------------------------------

segments = sa.Table(
    "segments",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenants.id"), primary_key=True),
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("description", sa.Text),
    sa.Column("audience", sa.Text, nullable=False),  # contacts | leads | both
    sa.Column("conditions", JSONB, nullable=False),  # a condition tree (app/domain/shared/conditions.py)
    *_record_columns(),
    sa.CheckConstraint("audience IN ('contacts', 'leads', 'both')", name="audience"),
    sa.Index("ix_segments_name", "tenant_id", "name", "id", postgresql_where=sa.text("deleted_at IS NULL")),
)
# Segments over the customers' fields (migration 0031): index-only from the customers to their contacts.
sa.Index("ix_customers_level", customers.c.tenant_id, customers.c.level, customers.c.industry, customers.c.id,
         postgresql_where=sa.text("deleted_at IS NULL"))  # fmt: skip
sa.Index("ix_customers_industry", customers.c.tenant_id, customers.c.industry, customers.c.id,
         postgresql_where=sa.text("deleted_at IS NULL"))  # fmt: skip
sa.Index("ix_contacts_customer_live", contacts.c.customer_id, postgresql_include=["tenant_id", "tags"],
         postgresql_where=sa.text("deleted_at IS NULL"))  # fmt: skip


# -- automations (migration 0037) -----------------------------------------------------------------

automations = sa.Table(
    "automations",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenants.id"), primary_key=True),
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("description", sa.Text),
    sa.Column("trigger", sa.Text, nullable=False),  # a key of app/domain/marketing/automations.TRIGGERS
    sa.Column("conditions", JSONB, nullable=False),  # a condition tree over the run's record
    sa.Column("actions", JSONB, nullable=False),  # [{"type": ..., parameters}]
    sa.Column("delay_amount", sa.Integer, nullable=False, server_default="0"),
    sa.Column("delay_unit", sa.Text, nullable=False, server_default="minutes"),  # minutes | hours | days
    sa.Column("status", sa.Text, nullable=False, server_default="active"),  # active | paused
    sa.Column("owner_id", UUID(as_uuid=True), nullable=False),  # whose permissions and ranges the runs use
    *_record_columns(),
    sa.CheckConstraint("status IN ('active', 'paused')", name="status"),
    sa.CheckConstraint("delay_unit IN ('minutes', 'hours', 'days')", name="delay_unit"),
    sa.CheckConstraint("delay_amount >= 0", name="delay_amount"),
    _tenant_fk(["owner_id"], "users", "fk_automations_owner"),
    sa.Index("ix_automations_owner", "tenant_id", "owner_id"),
    sa.Index(
        "ix_automations_trigger", "tenant_id", "trigger",
        postgresql_where=sa.text("deleted_at IS NULL AND status = 'active'"),
    ),
)  # fmt: skip

# The run log and the run queue: one row per (automation, trigger, record), claimed when due.
automation_runs = sa.Table(
    "automation_runs",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenants.id"), primary_key=True),
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("automation_id", UUID(as_uuid=True), nullable=False),
    sa.Column("trigger", sa.Text, nullable=False),
    sa.Column("event_id", UUID(as_uuid=True)),  # the outbox event that started it
    sa.Column("record_kind", sa.Text, nullable=False),  # lead | contact
    sa.Column("record_id", UUID(as_uuid=True), nullable=False),
    sa.Column("source_entity", sa.Text),  # the event's own record when not the lead/contact (deal, ticket, member)
    sa.Column("source_id", UUID(as_uuid=True)),
    sa.Column("status", sa.Text, nullable=False, server_default="pending"),  # pending | done | skipped | failed
    sa.Column("run_at", TS, nullable=False, server_default=NOW),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("error", sa.Text),
    sa.Column("reason", sa.Text),  # why a run was skipped
    sa.Column("actions_done", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
    sa.Column("created_at", TS, nullable=False, server_default=NOW),
    sa.Column("updated_at", TS, nullable=False, server_default=NOW),
    sa.Column("started_at", TS),
    sa.Column("finished_at", TS),
    sa.CheckConstraint("status IN ('pending', 'done', 'skipped', 'failed')", name="status"),
    sa.CheckConstraint("record_kind IN ('lead', 'contact')", name="record_kind"),
    _tenant_fk(["automation_id"], "automations", "fk_automation_runs_automation"),
    sa.Index(
        "uq_automation_runs_once", "tenant_id", "automation_id", "trigger", "record_kind", "record_id", unique=True
    ),
    sa.Index("ix_automation_runs_log", "tenant_id", "automation_id", "id"),
    sa.Index("ix_automation_runs_due", "run_at", postgresql_where=sa.text("status = 'pending'")),
)

# -- customer analysis (migration 0038): kept by the worker, see that migration -----------------

customer_metrics = sa.Table(
    "customer_metrics",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("customer_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("department_id", UUID(as_uuid=True)),
    sa.Column("status", sa.Text),
    sa.Column("last_purchase_at", TS),
    sa.Column("purchases_365d", sa.Integer, nullable=False, server_default="0"),
    sa.Column("orders_90d", sa.Integer, nullable=False, server_default="0"),
    sa.Column("orders_prev_90d", sa.Integer, nullable=False, server_default="0"),
    sa.Column("currency", sa.Text),
    sa.Column("monetary_365d", sa.Numeric(18, 2)),
    sa.Column("last_activity_at", TS),
    sa.Column("open_complaints", sa.Integer, nullable=False, server_default="0"),
    sa.Column("latest_csat", sa.SmallInteger),
    sa.Column("lost_at", TS),
    sa.Column("recency_score", sa.SmallInteger),
    sa.Column("frequency_score", sa.SmallInteger),
    sa.Column("monetary_score", sa.SmallInteger),
    sa.Column("rfm_segment", sa.Text),
    sa.Column("churn_score", sa.SmallInteger, nullable=False, server_default="0"),
    sa.Column("computed_at", TS),
)

# All-time purchases per customer and currency: the value ranking.
customer_values = sa.Table(
    "customer_values",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("customer_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("currency", sa.Text, primary_key=True),
    sa.Column("won_value", sa.Numeric(18, 2), nullable=False),
    sa.Column("purchases", sa.Integer, nullable=False),
)

# Scored customers per (department, R, F, segment, currency): the RFM view of the whole tenant or
# of departments without reading every customer.
customer_segment_counts = sa.Table(
    "customer_segment_counts",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), nullable=False),
    sa.Column("department_id", UUID(as_uuid=True)),
    sa.Column("recency_score", sa.SmallInteger, nullable=False),
    sa.Column("frequency_score", sa.SmallInteger, nullable=False),
    sa.Column("rfm_segment", sa.Text, nullable=False),
    sa.Column("currency", sa.Text),
    sa.Column("customers", sa.BigInteger, nullable=False),
    sa.Column("monetary", sa.Numeric(20, 2)),
)

customer_metrics_dirty = sa.Table(
    "customer_metrics_dirty",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("customer_id", UUID(as_uuid=True), primary_key=True),
)

customer_metrics_state = sa.Table(
    "customer_metrics_state",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("refreshed_on", sa.Date),
    sa.Column("scored_at", TS),
    # The last full ranking's quintile boundaries (migration 0044): the lowest value of scores 2..5.
    sa.Column("r_bounds", ARRAY(TS)),
    sa.Column("f_bounds", ARRAY(sa.Integer)),
    sa.Column("ranked_customers", sa.Integer),
    sa.Column("changed_since_rank", sa.Integer, nullable=False, server_default="0"),
)

customer_monetary_bounds = sa.Table(
    "customer_monetary_bounds",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("currency", sa.Text, primary_key=True),
    sa.Column("bounds", ARRAY(sa.Numeric(18, 2)), nullable=False),
)

# -- the lifecycle rollup (migration 0044): kept by the worker with the customer metrics ------------

customer_touch_days = sa.Table(
    "customer_touch_days",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("customer_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("prev_day", sa.Date),
)

customer_lifecycle_counted = sa.Table(
    "customer_lifecycle_counted",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("customer_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("department_id", UUID(as_uuid=True)),
    sa.Column("created_day", sa.Date, nullable=False),
    sa.Column("lost_day", sa.Date),
    sa.Column("lost", sa.Boolean, nullable=False),
    sa.Column("last_day", sa.Date),
)

customer_lifecycle_days = sa.Table(
    "customer_lifecycle_days",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), nullable=False),
    sa.Column("department_id", UUID(as_uuid=True)),
    sa.Column("day", sa.Date, nullable=False),
    *(
        sa.Column(name, sa.Integer, nullable=False, server_default="0")
        for name in ("new", "lost", "touched", "first_week", "first_month", "first_quarter", "first_year", "dormant")
    ),
)


# -- reports (migration 0040) ----------------------------------------------------------------------

reports = sa.Table(
    "reports",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenants.id"), primary_key=True),
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("description", sa.Text),
    sa.Column("entity", sa.Text, nullable=False),
    sa.Column("definition", JSONB, nullable=False),  # measures, groupings, filters... (app/domain/analytics/reports.py)
    sa.Column("chart", sa.Text, nullable=False, server_default="table"),  # table | bar | line | pie
    sa.Column("owner_id", UUID(as_uuid=True), nullable=False),
    sa.Column("shared_roles", ARRAY(sa.Text), nullable=False, server_default="{}"),  # role keys
    *_record_columns(),
    _tenant_fk(["owner_id"], "users", "fk_reports_owner"),
    sa.CheckConstraint("chart IN ('table', 'bar', 'line', 'pie')", name="chart"),
    sa.Index("ix_reports_owner", "tenant_id", "owner_id", "name", postgresql_where=sa.text("deleted_at IS NULL")),
    sa.Index(
        "ix_reports_shared", "shared_roles", postgresql_using="gin", postgresql_where=sa.text("deleted_at IS NULL")
    ),
)

# User dashboards (migration 0043): a grid of built-in widgets, private or shared with role keys.
dashboards = sa.Table(
    "dashboards",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenants.id"), primary_key=True),
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("description", sa.Text),
    # [{widget, x, y, w, h, options}]
    sa.Column("layout", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
    sa.Column("shared_roles", ARRAY(sa.Text), nullable=False, server_default="{}"),  # role keys
    sa.Column("owner_id", UUID(as_uuid=True), nullable=False),
    *_record_columns(),
    _tenant_fk(["owner_id"], "users", "fk_dashboards_owner"),
    sa.Index("ix_dashboards_owner", "tenant_id", "owner_id", postgresql_where=sa.text("deleted_at IS NULL")),
    sa.Index(
        "ix_dashboards_shared", "shared_roles", postgresql_using="gin", postgresql_where=sa.text("deleted_at IS NULL")
    ),
)
# Home's counts (migration 0043), index-only for a whole company: open deals per stage with their
# currency and amount; leads still to work; planned tasks and appointments by time.
sa.Index("ix_opportunities_stage_live", opportunities.c.tenant_id, opportunities.c.stage_id,
         postgresql_include=["currency", "amount", "owner_id", "department_id", "pipeline_id", "probability"],
         postgresql_where=sa.text("deleted_at IS NULL"))  # fmt: skip
sa.Index("ix_opportunities_currency", opportunities.c.tenant_id, opportunities.c.currency,
         postgresql_where=sa.text("deleted_at IS NULL"))  # fmt: skip
sa.Index("ix_leads_to_work", leads.c.tenant_id, leads.c.status, postgresql_include=["owner_id", "department_id"],
         postgresql_where=sa.text("deleted_at IS NULL AND status IN ('new', 'contacted')"))  # fmt: skip
sa.Index("ix_activities_planned", activities.c.tenant_id, activities.c.occurred_at,
         postgresql_include=["owner_id", "department_id", "kind"],
         postgresql_where=sa.text("deleted_at IS NULL AND status = 'planned'"))  # fmt: skip

# Live leads per (status, owner, department), appended to by triggers and folded by the worker
# (migration 0043): Home's "leads to work" reads these instead of the leads.
lead_status_rollups = sa.Table(
    "lead_status_rollups",
    metadata,
    sa.Column("tenant_id", UUID(as_uuid=True), nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("owner_id", UUID(as_uuid=True)),
    sa.Column("department_id", UUID(as_uuid=True)),
    sa.Column("leads", sa.BigInteger, nullable=False),
    sa.Index(
        "ix_lead_status_rollups", "tenant_id", "status", postgresql_include=["owner_id", "department_id", "leads"]
    ),
)

"""Marketing foundation (issue 14): campaigns, their sessions and members, consent, the
suppression list, message sends and their per-recipient deliveries, and the tracking log.

- `campaigns` are owned records (owner and department, data ranges) with a sync feed like
  customers: the same `sync_stamp` trigger, and departures when the owner or department changes.
  `public_key` is the random key of the public registration page: unique across tenants, since the
  public URL names no tenant.
- `campaign_members`: one row per (campaign, contact) or (campaign, lead), a status that moves
  forward through the funnel with a timestamp per step, and the registration (session, waitlist,
  answers, check-in code).
- `marketing_consents`: the current consent of a contact or lead per channel, with its source,
  time and proof (history in the audit log). `marketing_suppressions`: addresses no campaign
  message may reach (unsubscribed, hard-bounced, complained), keyed by the normalized address so
  that every contact or lead sharing it is covered.
- `message_sends`: a template to an audience, now or scheduled, with live counters.
  `message_deliveries`: one row per (send, recipient), the unit the worker claims, sends and
  records exactly once. `tracking_events`: opens and clicks per delivery.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-07 21:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

revision: str = "0029"
down_revision: str | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.TIMESTAMP(timezone=True)
ID = UUID(as_uuid=True)


def _record() -> list[sa.Column[object]]:
    return [
        sa.Column("created_at", TS, nullable=False, server_default=sa.text("now()")),
        sa.Column("updated_at", TS, nullable=False, server_default=sa.text("now()")),
        sa.Column("created_by", ID),
        sa.Column("updated_by", ID),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("deleted_at", TS),
    ]


def _fk(cols: list[str], target: str, name: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["tenant_id", *cols], [f"{target}.tenant_id", f"{target}.id"], name=name)


def _tenant() -> sa.Column[object]:
    return sa.Column("tenant_id", ID, sa.ForeignKey("tenants.id"), primary_key=True)


# One of contact_id / lead_id, never both.
ONE_SUBJECT = "(contact_id IS NULL) <> (lead_id IS NULL)"

CAMPAIGN_DEPARTURE = """
CREATE FUNCTION sync_departure_campaigns() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO sync_departures (tenant_id, resource, sync_xid, record_id, owner_id, department_id)
    VALUES (OLD.tenant_id, 'campaigns', pg_current_xact_id(), OLD.id, OLD.owner_id, OLD.department_id)
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$"""


def upgrade() -> None:
    op.create_table(
        "campaigns",
        _tenant(),
        sa.Column("id", ID, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("campaign_type", sa.Text, nullable=False),
        sa.Column("channel", sa.Text),
        sa.Column("status", sa.Text, nullable=False, server_default="draft"),
        sa.Column("parent_id", ID),
        sa.Column("starts_on", sa.Date),
        sa.Column("ends_on", sa.Date),
        sa.Column("currency", sa.Text, nullable=False, server_default="CNY"),
        sa.Column("budget", sa.Numeric(18, 2)),
        sa.Column("actual_cost", sa.Numeric(18, 2)),
        sa.Column("expected_revenue", sa.Numeric(18, 2)),
        sa.Column("description", sa.Text),
        sa.Column("tags", ARRAY(sa.Text), nullable=False, server_default="{}"),
        sa.Column("custom_fields", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
        sa.Column("owner_id", ID, nullable=False),
        sa.Column("department_id", ID),
        sa.Column("public_key", sa.Text),
        sa.Column("registration_open", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("registration_form", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
        sa.Column("capacity", sa.Integer),
        sa.Column("survey_id", ID),
        sa.Column("search_text", sa.Text, nullable=False, server_default=""),
        *_record(),
        _fk(["owner_id"], "users", "fk_campaigns_owner"),
        _fk(["department_id"], "departments", "fk_campaigns_department"),
        _fk(["parent_id"], "campaigns", "fk_campaigns_parent"),
        _fk(["survey_id"], "surveys", "fk_campaigns_survey"),
        sa.CheckConstraint("ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on", name="dates"),
        sa.CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity"),
    )
    # sync_xid as in migration 0024 (xid8 has no SQLAlchemy type).
    op.execute("ALTER TABLE campaigns ADD COLUMN sync_xid xid8 NOT NULL DEFAULT '0'")
    op.create_index("ix_campaigns_sync", "campaigns", ["tenant_id", "sync_xid", "id"])
    op.create_index("ix_campaigns_updated", "campaigns", ["tenant_id", "updated_at", "id"])
    op.create_index("ix_campaigns_owner_updated", "campaigns", ["tenant_id", "owner_id", "updated_at", "id"])
    op.create_index("ix_campaigns_department", "campaigns", ["tenant_id", "department_id"])
    op.create_index("ix_campaigns_starts_on", "campaigns", ["tenant_id", "starts_on"])
    op.create_index("uq_campaigns_public_key", "campaigns", ["public_key"], unique=True)
    for column in ("parent_id", "survey_id"):
        op.create_index(
            f"ix_campaigns_{column}", "campaigns", ["tenant_id", column], postgresql_where=sa.text(f"{column} IS NOT NULL")
        )
    op.execute(
        "CREATE TRIGGER campaigns_sync_stamp BEFORE INSERT OR UPDATE ON campaigns FOR EACH ROW"
        " EXECUTE FUNCTION sync_stamp()"
    )
    op.execute(CAMPAIGN_DEPARTURE)
    op.execute(
        "CREATE TRIGGER campaigns_sync_departure AFTER UPDATE OF owner_id, department_id ON campaigns"
        " FOR EACH ROW WHEN (OLD.owner_id IS DISTINCT FROM NEW.owner_id"
        " OR OLD.department_id IS DISTINCT FROM NEW.department_id)"
        " EXECUTE FUNCTION sync_departure_campaigns()"
    )

    op.create_table(
        "campaign_sessions",
        _tenant(),
        sa.Column("id", ID, primary_key=True),
        sa.Column("campaign_id", ID, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("starts_at", TS, nullable=False),
        sa.Column("ends_at", TS),
        sa.Column("location", sa.Text),
        sa.Column("online_url", sa.Text),
        sa.Column("capacity", sa.Integer),
        *_record(),
        _fk(["campaign_id"], "campaigns", "fk_campaign_sessions_campaign"),
        sa.CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity"),
        sa.CheckConstraint("ends_at IS NULL OR ends_at >= starts_at", name="times"),
    )
    op.create_index("ix_campaign_sessions_campaign", "campaign_sessions", ["tenant_id", "campaign_id", "starts_at"])

    op.create_table(
        "campaign_members",
        _tenant(),
        sa.Column("id", ID, primary_key=True),
        sa.Column("campaign_id", ID, nullable=False),
        sa.Column("contact_id", ID),
        sa.Column("lead_id", ID),
        # targeted -> sent -> opened -> clicked -> registered -> attended -> responded -> converted,
        # or bounced / unsubscribed.
        sa.Column("status", sa.Text, nullable=False, server_default="targeted"),
        sa.Column(
            "source", sa.Text, nullable=False, server_default="manual"
        ),  # manual|segment|registration|automation|import
        sa.Column("targeted_at", TS, nullable=False, server_default=sa.text("now()")),
        sa.Column("sent_at", TS),
        sa.Column("opened_at", TS),
        sa.Column("clicked_at", TS),
        sa.Column("registered_at", TS),
        sa.Column("attended_at", TS),
        sa.Column("responded_at", TS),
        sa.Column("converted_at", TS),
        sa.Column("bounced_at", TS),
        sa.Column("unsubscribed_at", TS),
        # Registration: null (not registered) | registered | waitlisted | cancelled.
        sa.Column("registration_status", sa.Text),
        sa.Column("session_id", ID),
        sa.Column("registration", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
        sa.Column("checkin_code", sa.Text),
        *_record(),
        _fk(["campaign_id"], "campaigns", "fk_campaign_members_campaign"),
        _fk(["contact_id"], "contacts", "fk_campaign_members_contact"),
        _fk(["lead_id"], "leads", "fk_campaign_members_lead"),
        _fk(["session_id"], "campaign_sessions", "fk_campaign_members_session"),
        sa.CheckConstraint(ONE_SUBJECT, name="one_subject"),
    )
    op.create_index(
        "uq_campaign_members_contact",
        "campaign_members",
        ["tenant_id", "campaign_id", "contact_id"],
        unique=True,
        postgresql_where=sa.text("contact_id IS NOT NULL"),
    )
    op.create_index(
        "uq_campaign_members_lead",
        "campaign_members",
        ["tenant_id", "campaign_id", "lead_id"],
        unique=True,
        postgresql_where=sa.text("lead_id IS NOT NULL"),
    )
    op.create_index("ix_campaign_members_campaign_status", "campaign_members", ["tenant_id", "campaign_id", "status"])
    op.create_index(
        "ix_campaign_members_contact", "campaign_members", ["tenant_id", "contact_id"],
        postgresql_where=sa.text("contact_id IS NOT NULL"),
    )  # fmt: skip
    op.create_index(
        "ix_campaign_members_lead", "campaign_members", ["tenant_id", "lead_id"],
        postgresql_where=sa.text("lead_id IS NOT NULL"),
    )  # fmt: skip
    op.create_index(
        "ix_campaign_members_session", "campaign_members", ["tenant_id", "session_id"],
        postgresql_where=sa.text("session_id IS NOT NULL"),
    )  # fmt: skip
    op.create_index(
        "uq_campaign_members_checkin_code", "campaign_members", ["tenant_id", "checkin_code"], unique=True,
        postgresql_where=sa.text("checkin_code IS NOT NULL"),
    )  # fmt: skip

    op.create_table(
        "marketing_consents",
        _tenant(),
        sa.Column("id", ID, primary_key=True),
        sa.Column("contact_id", ID),
        sa.Column("lead_id", ID),
        sa.Column("channel", sa.Text, nullable=False),  # email | sms
        sa.Column("status", sa.Text, nullable=False),  # granted | withdrawn
        sa.Column("source", sa.Text, nullable=False),  # registration | form | import | manual | unsubscribe
        sa.Column("proof", sa.Text),  # the wording agreed to, the address, the page...
        sa.Column("recorded_at", TS, nullable=False, server_default=sa.text("now()")),
        sa.Column("recorded_by", ID),
        _fk(["contact_id"], "contacts", "fk_marketing_consents_contact"),
        _fk(["lead_id"], "leads", "fk_marketing_consents_lead"),
        sa.CheckConstraint(ONE_SUBJECT, name="one_subject"),
        sa.CheckConstraint("channel IN ('email', 'sms')", name="channel"),
        sa.CheckConstraint("status IN ('granted', 'withdrawn')", name="status"),
    )
    op.create_index(
        "uq_marketing_consents_contact", "marketing_consents", ["tenant_id", "contact_id", "channel"], unique=True,
        postgresql_where=sa.text("contact_id IS NOT NULL"),
    )  # fmt: skip
    op.create_index(
        "uq_marketing_consents_lead", "marketing_consents", ["tenant_id", "lead_id", "channel"], unique=True,
        postgresql_where=sa.text("lead_id IS NOT NULL"),
    )  # fmt: skip

    op.create_table(
        "marketing_suppressions",
        sa.Column("tenant_id", ID, sa.ForeignKey("tenants.id"), primary_key=True),
        sa.Column("channel", sa.Text, primary_key=True),  # email | sms
        sa.Column("address", sa.Text, primary_key=True),  # normalized e-mail or phone
        sa.Column("reason", sa.Text, nullable=False),  # unsubscribed | hard_bounce | complaint | manual
        sa.Column("detail", sa.Text),
        sa.Column("delivery_id", ID),
        sa.Column("created_at", TS, nullable=False, server_default=sa.text("now()")),
        sa.Column("created_by", ID),
        sa.CheckConstraint("channel IN ('email', 'sms')", name="channel"),
    )

    op.create_table(
        "message_sends",
        _tenant(),
        sa.Column("id", ID, primary_key=True),
        sa.Column("campaign_id", ID, nullable=False),
        sa.Column("template_id", ID, nullable=False),
        sa.Column("channel", sa.Text, nullable=False),  # email | sms
        sa.Column("audience", sa.Text, nullable=False),  # members | segment
        sa.Column("segment_id", ID),
        sa.Column("member_statuses", ARRAY(sa.Text)),  # members audience: only these statuses
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
        sa.Column("owner_id", ID, nullable=False),
        sa.Column("department_id", ID),
        *_record(),
        _fk(["campaign_id"], "campaigns", "fk_message_sends_campaign"),
        _fk(["owner_id"], "users", "fk_message_sends_owner"),
        sa.CheckConstraint("channel IN ('email', 'sms')", name="channel"),
    )
    op.create_index("ix_message_sends_campaign", "message_sends", ["tenant_id", "campaign_id", "created_at"])
    op.create_index("ix_message_sends_owner", "message_sends", ["tenant_id", "owner_id"])
    op.create_index(
        "ix_message_sends_due", "message_sends", ["scheduled_at"],
        postgresql_where=sa.text("status IN ('scheduled', 'preparing', 'sending')"),
    )  # fmt: skip

    op.create_table(
        "message_deliveries",
        _tenant(),
        sa.Column("id", ID, primary_key=True),
        sa.Column("send_id", ID, nullable=False),
        sa.Column("member_id", ID),
        sa.Column("contact_id", ID),
        sa.Column("lead_id", ID),
        sa.Column("address", sa.Text),  # the e-mail or phone it goes to
        # queued | sending | sent | failed | skipped | bounced
        sa.Column("status", sa.Text, nullable=False, server_default="queued"),
        sa.Column("skip_reason", sa.Text),  # no_address | no_consent | suppressed | out_of_range ...
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
        sa.Column("created_at", TS, nullable=False, server_default=sa.text("now()")),
        sa.Column("updated_at", TS, nullable=False, server_default=sa.text("now()")),
        _fk(["send_id"], "message_sends", "fk_message_deliveries_send"),
        sa.CheckConstraint(ONE_SUBJECT, name="one_subject"),
    )
    op.create_index(
        "uq_message_deliveries_contact", "message_deliveries", ["tenant_id", "send_id", "contact_id"], unique=True,
        postgresql_where=sa.text("contact_id IS NOT NULL"),
    )  # fmt: skip
    op.create_index(
        "uq_message_deliveries_lead", "message_deliveries", ["tenant_id", "send_id", "lead_id"], unique=True,
        postgresql_where=sa.text("lead_id IS NOT NULL"),
    )  # fmt: skip
    # The worker's queue: what is left of a send, in order.
    op.create_index(
        "ix_message_deliveries_pending", "message_deliveries", ["tenant_id", "send_id", "id"],
        postgresql_where=sa.text("status IN ('queued', 'sending')"),
    )  # fmt: skip
    op.create_index("ix_message_deliveries_send_status", "message_deliveries", ["tenant_id", "send_id", "status"])
    op.create_index("ix_message_deliveries_message_id", "message_deliveries", ["message_id"])

    op.create_table(
        "tracking_events",
        _tenant(),
        sa.Column("id", ID, primary_key=True),
        sa.Column("delivery_id", ID, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),  # open | click
        sa.Column("url", sa.Text),
        sa.Column("occurred_at", TS, nullable=False, server_default=sa.text("now()")),
        sa.Column("ip", sa.Text),
        sa.Column("user_agent", sa.Text),
        sa.CheckConstraint("kind IN ('open', 'click')", name="kind"),
    )
    op.create_index("ix_tracking_events_delivery", "tracking_events", ["tenant_id", "delivery_id", "occurred_at"])


def downgrade() -> None:
    op.drop_table("tracking_events")
    op.drop_table("message_deliveries")
    op.drop_table("message_sends")
    op.drop_table("marketing_suppressions")
    op.drop_table("marketing_consents")
    op.drop_table("campaign_members")
    op.drop_table("campaign_sessions")
    op.execute("DROP TRIGGER campaigns_sync_departure ON campaigns")
    op.execute("DROP FUNCTION sync_departure_campaigns()")
    op.execute("DROP TRIGGER campaigns_sync_stamp ON campaigns")
    op.drop_table("campaigns")

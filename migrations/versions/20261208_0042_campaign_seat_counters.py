"""Seat counters of event registration (issue 14): `campaign_seats` holds, per campaign (scope_id =
the campaign's id) and per session (scope_id = the session's id), how many members are
registered, kept in step by a trigger on campaign_members whatever changes them (registration,
cancel, promotion, a member removed or restored, moved to another session).

A registration decides its seat in the statement that inserts the member: the upsert of the
campaign's (and the session's) counter row locks it and reads its latest count, however recent,
so two registrations never take the same last seat; the lock is held from that statement to the
commit only. Before this, a transaction-scoped advisory lock was taken in a statement of its own
and the seats counted under it (a count of every registered member), which held every
registration of the campaign queued for two more round trips.

Revision ID: 0042
Revises: 0041
Create Date: 2026-12-08 00:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0042"
down_revision: str | None = "0041"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UUID = sa.dialects.postgresql.UUID(as_uuid=True)

FUNCTION = """
CREATE FUNCTION campaign_seats_follow() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    was boolean := false;
    is_now boolean := false;
    same_session boolean := false;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        was := coalesce(OLD.registration_status = 'registered' AND OLD.deleted_at IS NULL, false);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        is_now := coalesce(NEW.registration_status = 'registered' AND NEW.deleted_at IS NULL, false);
    END IF;
    IF TG_OP = 'UPDATE' THEN
        same_session := OLD.session_id IS NOT DISTINCT FROM NEW.session_id;
    END IF;
    -- The campaign's row first, then the session's: every writer locks them in this order.
    IF was AND NOT (is_now AND same_session) THEN
        UPDATE campaign_seats SET taken = taken - 1
         WHERE tenant_id = OLD.tenant_id AND campaign_id = OLD.campaign_id AND scope_id = OLD.campaign_id;
        IF OLD.session_id IS NOT NULL THEN
            UPDATE campaign_seats SET taken = taken - 1
             WHERE tenant_id = OLD.tenant_id AND campaign_id = OLD.campaign_id AND scope_id = OLD.session_id;
        END IF;
    END IF;
    IF is_now AND NOT (was AND same_session) THEN
        INSERT INTO campaign_seats AS s (tenant_id, campaign_id, scope_id, taken)
        VALUES (NEW.tenant_id, NEW.campaign_id, NEW.campaign_id, 1)
        ON CONFLICT (tenant_id, campaign_id, scope_id) DO UPDATE SET taken = s.taken + 1;
        IF NEW.session_id IS NOT NULL THEN
            INSERT INTO campaign_seats AS s (tenant_id, campaign_id, scope_id, taken)
            VALUES (NEW.tenant_id, NEW.campaign_id, NEW.session_id, 1)
            ON CONFLICT (tenant_id, campaign_id, scope_id) DO UPDATE SET taken = s.taken + 1;
        END IF;
    END IF;
    RETURN NULL;
END $$
"""


def upgrade() -> None:
    op.create_table(
        "campaign_seats",
        sa.Column("tenant_id", UUID, sa.ForeignKey("tenants.id"), primary_key=True),
        sa.Column("campaign_id", UUID, primary_key=True),
        # The campaign's own id: its seats in all; a session's id: that session's.
        sa.Column("scope_id", UUID, primary_key=True),
        sa.Column("taken", sa.Integer, nullable=False, server_default="0"),
        sa.ForeignKeyConstraint(
            ["tenant_id", "campaign_id"], ["campaigns.tenant_id", "campaigns.id"],
            name="fk_campaign_seats_campaign", ondelete="CASCADE",
        ),  # fmt: skip
        sa.CheckConstraint("taken >= 0", name="taken"),
    )
    op.execute(FUNCTION)
    # Only rows whose registration can change fire it: a segment of 100,000 members added does not.
    op.execute(
        """
        CREATE TRIGGER campaign_seats_follow_insert AFTER INSERT ON campaign_members
        FOR EACH ROW WHEN (NEW.registration_status = 'registered') EXECUTE FUNCTION campaign_seats_follow()
        """
    )
    op.execute(
        """
        CREATE TRIGGER campaign_seats_follow_update AFTER UPDATE OF registration_status, deleted_at, session_id
        ON campaign_members FOR EACH ROW
        WHEN (OLD.registration_status = 'registered' OR NEW.registration_status = 'registered')
        EXECUTE FUNCTION campaign_seats_follow()
        """
    )
    op.execute(
        """
        CREATE TRIGGER campaign_seats_follow_delete AFTER DELETE ON campaign_members
        FOR EACH ROW WHEN (OLD.registration_status = 'registered') EXECUTE FUNCTION campaign_seats_follow()
        """
    )
    op.execute(
        """
        INSERT INTO campaign_seats (tenant_id, campaign_id, scope_id, taken)
        SELECT tenant_id, campaign_id, campaign_id, count(*) FROM campaign_members
         WHERE registration_status = 'registered' AND deleted_at IS NULL GROUP BY tenant_id, campaign_id
        UNION ALL
        SELECT tenant_id, campaign_id, session_id, count(*) FROM campaign_members
         WHERE registration_status = 'registered' AND deleted_at IS NULL AND session_id IS NOT NULL
         GROUP BY tenant_id, campaign_id, session_id
        """
    )


def downgrade() -> None:
    for name in ("insert", "update", "delete"):
        op.execute(f"DROP TRIGGER campaign_seats_follow_{name} ON campaign_members")
    op.execute("DROP FUNCTION campaign_seats_follow()")
    op.drop_table("campaign_seats")

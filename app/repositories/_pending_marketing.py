"""TEMPORARY: the foundation's marketing tables (migration 0029) until main's tables.py has them."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import UUID

_m = sa.MetaData()
_ID = UUID(as_uuid=True)
TS = sa.TIMESTAMP(timezone=True)

campaigns = sa.Table(
    "campaigns", _m,
    sa.Column("tenant_id", _ID, primary_key=True), sa.Column("id", _ID, primary_key=True),
    sa.Column("name", sa.Text), sa.Column("status", sa.Text), sa.Column("owner_id", _ID),
    sa.Column("department_id", _ID), sa.Column("deleted_at", TS),
)  # fmt: skip
campaign_members = sa.Table(
    "campaign_members", _m,
    sa.Column("tenant_id", _ID, primary_key=True), sa.Column("id", _ID, primary_key=True),
    sa.Column("campaign_id", _ID), sa.Column("contact_id", _ID), sa.Column("lead_id", _ID),
    sa.Column("status", sa.Text), sa.Column("source", sa.Text), sa.Column("targeted_at", TS),
    sa.Column("created_by", _ID), sa.Column("updated_by", _ID), sa.Column("deleted_at", TS),
)  # fmt: skip
marketing_consents = sa.Table(
    "marketing_consents", _m,
    sa.Column("tenant_id", _ID, primary_key=True), sa.Column("id", _ID, primary_key=True),
    sa.Column("contact_id", _ID), sa.Column("lead_id", _ID), sa.Column("channel", sa.Text),
    sa.Column("status", sa.Text),
)  # fmt: skip
marketing_suppressions = sa.Table(
    "marketing_suppressions", _m,
    sa.Column("tenant_id", _ID, primary_key=True), sa.Column("channel", sa.Text, primary_key=True),
    sa.Column("address", sa.Text, primary_key=True),
)  # fmt: skip

"""The application role's privileges: data only, and the audit log append-only.

`crm serve` and `crm worker` connect as the application role (CRM_APP_DATABASE_ROLE, `crm_app` by
default); the migrations run as the schema owner. This grants the application role SELECT, INSERT,
UPDATE and DELETE on every table, USAGE on the sequences and EXECUTE on the functions, but on
`audit_log` only SELECT and INSERT (no UPDATE, DELETE or TRUNCATE) and on `alembic_version` only
SELECT. Default privileges of the migrating role give what later migrations create the same
grants; `app.migrate` applies the grants again after every upgrade as well (a role created after
this migration ran, or tables made by another role, are covered then).

A database whose application role does not exist (one URL for everything, as before) is left as
it is: the grants follow on the first `crm migrate` after the role is created.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-07 18:30:00
"""

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op

from app.repositories import db_roles
from app.settings import get_settings

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger("alembic.runtime.migration")


def _app_role() -> str | None:
    role: str = context.config.attributes.get("app_role") or get_settings().app_database_role
    if op.get_bind().execute(sa.text(db_roles.role_exists_sql(role))).first() is None:
        log.warning("database role %s does not exist: no grants made", role)
        return None
    return role


def upgrade() -> None:
    role = _app_role()
    if role is not None:
        for statement in (*db_roles.app_grants(role), *db_roles.app_default_privileges(role)):
            op.execute(statement)


def downgrade() -> None:
    role = _app_role()
    if role is not None:
        for statement in db_roles.app_revokes(role):
            op.execute(statement)

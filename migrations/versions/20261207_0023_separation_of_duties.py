"""Separation of duties: three administrators, and passwords only their owners choose.

- The system role `it_admin` becomes `system_admin` (its holders keep it); `crm migrate` then
  brings its permissions to the new definition and adds `security_admin` and `audit_admin` to
  every tenant (app/repositories/identity.py `sync_system_roles`).
- `users.password_hash` may be NULL: an invited user has no password until they set one through
  their invitation link, and an administrator's forced reset clears it.
- `password_links`: one-time invitation and reset links. Only the SHA-256 of the secret is kept;
  the worker sets it when it mails the link (the secret itself is never stored).

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 18:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)


def _rename(old: str, new: str, old_name: str, new_name: str) -> None:
    op.execute(
        sa.text(
            """
            UPDATE roles r SET key = :new, name = CASE WHEN r.name = :old_name THEN :new_name ELSE r.name END,
                   updated_at = now(), version = r.version + 1
            WHERE r.is_system AND r.key = :old AND r.deleted_at IS NULL
              AND NOT EXISTS (SELECT FROM roles o WHERE o.tenant_id = r.tenant_id AND o.key = :new
                              AND o.deleted_at IS NULL)
            """
        ).bindparams(old=old, new=new, old_name=old_name, new_name=new_name)
    )


def upgrade() -> None:
    _rename("it_admin", "system_admin", "IT administrator", "System administrator")
    op.alter_column("users", "password_hash", nullable=True)
    op.create_table(
        "password_links",
        sa.Column("tenant_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("user_id", UUID(as_uuid=True), nullable=False),
        sa.Column("purpose", sa.Text, nullable=False),
        sa.Column("token_hash", sa.LargeBinary, unique=True),
        sa.Column("created_at", TS, nullable=False, server_default=sa.text("now()")),
        sa.Column("created_by", UUID(as_uuid=True)),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("sent_at", TS),
        sa.Column("used_at", TS),
        sa.Column("revoked_at", TS),
        sa.CheckConstraint("purpose IN ('invitation', 'reset')", name="ck_password_links_purpose"),
        sa.ForeignKeyConstraint(
            ["tenant_id", "user_id"], ["users.tenant_id", "users.id"], name="fk_password_links_user"
        ),
    )
    op.create_index("ix_password_links_user", "password_links", ["tenant_id", "user_id"])


def downgrade() -> None:
    import secrets

    from passlib.context import CryptContext  # an unusable password for accounts that have none

    op.drop_index("ix_password_links_user", table_name="password_links")
    op.drop_table("password_links")
    placeholder = CryptContext(schemes=["argon2"]).hash(secrets.token_urlsafe(32))
    op.execute(sa.text("UPDATE users SET password_hash = :h WHERE password_hash IS NULL").bindparams(h=placeholder))
    op.alter_column("users", "password_hash", nullable=False)
    op.execute(
        "DELETE FROM user_roles ur USING roles r WHERE ur.tenant_id = r.tenant_id AND ur.role_id = r.id "
        "AND r.is_system AND r.key IN ('security_admin', 'audit_admin')"
    )
    op.execute("DELETE FROM roles WHERE is_system AND key IN ('security_admin', 'audit_admin')")
    _rename("system_admin", "it_admin", "System administrator", "IT administrator")

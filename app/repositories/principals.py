"""Resolve the caller of a request in one statement: the user as it is now (active, roles with
their permissions and data ranges, department subtree), plus the token's state and the tenant's
request quotas."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.dialects.postgresql import UUID as PGUUID
from sqlalchemy.ext.asyncio import AsyncConnection

from app.auth.principal import RoleGrant
from app.repositories.prepared import Prepared

_USER_PART = """
    u.id AS user_id, u.tenant_id, u.email, u.name, u.department_id, u.active,
    extract(epoch FROM u.tokens_valid_after)::bigint AS valid_after,
    (SELECT coalesce(jsonb_agg(jsonb_build_array(r.key, r.permissions, r.data_ranges)), '[]'::jsonb)
       FROM user_roles ur
       JOIN roles r ON r.tenant_id = ur.tenant_id AND r.id = ur.role_id AND r.deleted_at IS NULL
      WHERE ur.tenant_id = u.tenant_id AND ur.user_id = u.id) AS roles,
    (SELECT coalesce(array_agg(d.id), '{}')
       FROM departments me
       JOIN departments d ON d.tenant_id = me.tenant_id AND d.path LIKE me.path || '%'
                          AND d.deleted_at IS NULL
      WHERE me.tenant_id = u.tenant_id AND me.id = u.department_id) AS department_ids
"""
# The tenant's request quotas: read only while the rate limits are on (CRM_RATE_LIMIT_ENABLED).
_QUOTAS_PART = ", (SELECT t.settings->'rate_limits' FROM tenants t WHERE t.id = u.tenant_id) AS rate_limits"

_COLUMNS: dict[str, Any] = {"roles": JSONB, "department_ids": ARRAY(PGUUID(as_uuid=True))}


def _columns(quotas: str) -> dict[str, Any]:
    return {**_COLUMNS, "rate_limits": JSONB} if quotas else _COLUMNS


# The access token's session, by primary key: alive while neither ended nor past its absolute
# expiry. Ending a session (sign-out, password change, refresh-token reuse, an administrator)
# so cuts its access tokens at the next request, whatever second they were issued in.
def _by_user(quotas: str) -> sa.TextualSelect:
    return (
        sa.text(
            f"SELECT {_USER_PART}{quotas}, "  # noqa: S608
            "EXISTS (SELECT 1 FROM revoked_access_tokens x WHERE x.jti = :jti) AS revoked, "
            "EXISTS (SELECT 1 FROM user_sessions s WHERE s.tenant_id = u.tenant_id AND s.id = :session_id "
            "AND s.user_id = u.id AND s.revoked_at IS NULL AND s.expires_at > now()) AS session_alive "
            "FROM users u WHERE u.tenant_id = :tenant_id AND u.id = :user_id AND u.deleted_at IS NULL"
        )
        .columns(**_columns(quotas))
        .bindparams(sa.bindparam("session_id", type_=PGUUID(as_uuid=True)))
    )


def _by_api_token(quotas: str) -> sa.TextualSelect:
    return sa.text(
        f"SELECT {_USER_PART}{quotas}, t.id AS token_id, t.scopes, t.last_used_at "  # noqa: S608
        "FROM api_tokens t JOIN users u ON u.tenant_id = t.tenant_id AND u.id = t.user_id "
        "WHERE t.token_hash = :token_hash AND t.revoked_at IS NULL "
        "AND (t.expires_at IS NULL OR t.expires_at > now()) AND u.deleted_at IS NULL"
    ).columns(**_columns(quotas), scopes=ARRAY(sa.Text))


BY_USER = _by_user(_QUOTAS_PART)
BY_API_TOKEN = _by_api_token(_QUOTAS_PART)

# Every authenticated request runs one of these: compiled once (app/repositories/prepared.py).
# Keyed by whether the tenant's quotas are read.
_BY_USER = {True: Prepared.of(BY_USER), False: Prepared.of(_by_user(""))}
_BY_API_TOKEN = {True: Prepared.of(BY_API_TOKEN), False: Prepared.of(_by_api_token(""))}

TOUCH_API_TOKEN = sa.text("UPDATE api_tokens SET last_used_at = now() WHERE tenant_id = :tenant_id AND id = :token_id")


@dataclass(frozen=True, slots=True)
class CallerRow:
    user_id: UUID
    tenant_id: UUID
    email: str
    name: str
    department_id: UUID | None
    active: bool
    valid_after: int
    roles: tuple[RoleGrant, ...]
    department_ids: tuple[UUID, ...]
    # The tenant's own request quotas (settings.rate_limits), if it has any.
    rate_limits: dict[str, Any] | None = None
    revoked: bool = False
    session_alive: bool = False
    token_id: UUID | None = None
    token_scopes: frozenset[str] | None = None
    token_last_used_at: datetime | None = None


def _caller(row: Any, **extra: Any) -> CallerRow:
    return CallerRow(
        user_id=row.user_id,
        tenant_id=row.tenant_id,
        email=row.email,
        name=row.name,
        department_id=row.department_id,
        active=row.active,
        valid_after=row.valid_after,
        roles=tuple(RoleGrant.from_row(*r) for r in row.roles),
        department_ids=tuple(row.department_ids),
        rate_limits=getattr(row, "rate_limits", None),
        **extra,
    )


class PgPrincipalRepository:
    def __init__(self, conn: AsyncConnection, quotas: bool = False) -> None:
        self.conn = conn
        self.quotas = quotas  # read the tenant's request quotas along (the rate limits are on)

    async def by_user(
        self, tenant_id: UUID, user_id: UUID, jti: UUID, session_id: UUID | None = None
    ) -> CallerRow | None:
        params = {"tenant_id": tenant_id, "user_id": user_id, "jti": jti, "session_id": session_id}
        rows = await _BY_USER[self.quotas].rows(self.conn, params)
        return _caller(rows[0], revoked=rows[0].revoked, session_alive=rows[0].session_alive) if rows else None

    async def by_api_token(self, token_hash: bytes) -> CallerRow | None:
        rows = await _BY_API_TOKEN[self.quotas].rows(self.conn, {"token_hash": token_hash})
        if not rows:
            return None
        row = rows[0]
        return _caller(
            row,
            token_id=row.token_id,
            token_scopes=frozenset(row.scopes),
            token_last_used_at=row.last_used_at,
        )

    async def touch_api_token(self, tenant_id: UUID, token_id: UUID) -> None:
        await self.conn.execute(TOUCH_API_TOKEN, {"tenant_id": tenant_id, "token_id": token_id})

"""Sign-in state in PostgreSQL, shared by every server process.

`PgSessionRepository` works on the request's connection: sessions (one per sign-in, with an
absolute expiry), their refresh tokens (hashed, rotated, one family per session) and revoked
access-token ids; it commits or rolls back with the request.

`PgSecurityLog` is given the engine and writes in its own short transactions (`engine.begin()`):
login failures (the throttle's memory, plus an audit entry) and the revocation of a refresh-token
family whose rotated member came back. The request that discovers them answers 401/403/422 and
rolls back; these records must stay.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from app.domain.identity.entities import RefreshTokenRow, Session
from app.domain.shared.ids import new_id
from app.repositories.tables import audit_log, login_failures, refresh_tokens, revoked_access_tokens, user_sessions

rt = refresh_tokens
us = user_sessions
SESSION = [
    us.c.id, us.c.created_at, us.c.last_used_at, us.c.expires_at, us.c.user_agent, us.c.created_ip, us.c.last_ip,
]  # fmt: skip
# A client's User-Agent is kept to this length.
USER_AGENT_MAX = 512
ROW = [rt.c.tenant_id, rt.c.user_id, rt.c.family_id, rt.c.rotated_at, rt.c.revoked_at, rt.c.expires_at]
# Failures older than this are of no use to any rule (the longest window is an hour).
FAILURE_RETENTION = timedelta(hours=2)
# A successful sign-in from an address makes it "known" for this long (per-account rule).
KNOWN_ADDRESS_DAYS = 30


def _alive() -> sa.ColumnElement[bool]:
    return sa.and_(us.c.revoked_at.is_(None), us.c.expires_at > sa.func.now())


async def open_session(
    conn: AsyncConnection,
    tenant_id: UUID,
    user_id: UUID,
    expires_at: datetime,
    *,
    user_agent: str | None = None,
    address: str | None = None,
) -> UUID:
    """A new session row; its id is the refresh-token family's (and the access tokens' `sid`).
    Also what tests and the benchmark use to mint tokens without a sign-in."""
    session_id = new_id()
    await conn.execute(
        us.insert().values(
            tenant_id=tenant_id, id=session_id, user_id=user_id, expires_at=expires_at,
            user_agent=user_agent[:USER_AGENT_MAX] if user_agent else None, created_ip=address, last_ip=address,
        )
    )  # fmt: skip
    return session_id


class PgSessionRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def open(
        self, tenant_id: UUID, user_id: UUID, expires_at: datetime, user_agent: str | None, address: str | None
    ) -> UUID:
        return await open_session(self.conn, tenant_id, user_id, expires_at, user_agent=user_agent, address=address)

    async def touch(
        self, tenant_id: UUID, session_id: UUID, user_agent: str | None, address: str | None
    ) -> datetime | None:
        stmt = (
            us.update()
            .where(us.c.tenant_id == tenant_id, us.c.id == session_id, _alive())
            .values(
                last_used_at=sa.func.now(),
                last_ip=address,
                user_agent=user_agent[:USER_AGENT_MAX] if user_agent else us.c.user_agent,
            )
            .returning(us.c.expires_at)
        )
        expires_at: datetime | None = (await self.conn.execute(stmt)).scalar_one_or_none()
        return expires_at

    async def list_sessions(self, tenant_id: UUID, user_id: UUID) -> list[Session]:
        stmt = (
            sa.select(*SESSION)
            .where(us.c.tenant_id == tenant_id, us.c.user_id == user_id, _alive())
            .order_by(us.c.last_used_at.desc(), us.c.id)
        )
        return [Session(*row) for row in await self.conn.execute(stmt)]

    async def end_session(self, tenant_id: UUID, user_id: UUID, session_id: UUID) -> bool:
        """End one live session of this user; False when there is none by that id."""
        stmt = (
            us.update()
            .where(us.c.tenant_id == tenant_id, us.c.user_id == user_id, us.c.id == session_id, _alive())
            .values(revoked_at=sa.func.now())
        )
        if (await self.conn.execute(stmt)).rowcount != 1:
            return False
        await self.conn.execute(_revoke_family_tokens(tenant_id, session_id))
        return True

    async def retire_refresh(self, tenant_id: UUID, session_id: UUID) -> None:
        """Void the session's outstanding refresh tokens (a new one is issued), leaving the session."""
        await self.conn.execute(_revoke_family_tokens(tenant_id, session_id))

    async def insert_refresh(
        self, tenant_id: UUID, user_id: UUID, family_id: UUID, token_hash: bytes, expires_at: datetime
    ) -> None:
        await self.conn.execute(
            rt.insert().values(
                tenant_id=tenant_id, id=new_id(), user_id=user_id, family_id=family_id, token_hash=token_hash,
                expires_at=expires_at,
            )
        )  # fmt: skip

    async def rotate(self, token_hash: bytes) -> RefreshTokenRow | None:
        # One conditional UPDATE: of two concurrent rotations, the second finds rotated_at set.
        stmt = (
            rt.update()
            .where(
                rt.c.token_hash == token_hash,
                rt.c.rotated_at.is_(None),
                rt.c.revoked_at.is_(None),
                rt.c.expires_at > sa.func.now(),
            )
            .values(rotated_at=sa.func.now())
            .returning(*ROW)
        )
        row = (await self.conn.execute(stmt)).first()
        return RefreshTokenRow(*row) if row else None

    async def find(self, token_hash: bytes) -> RefreshTokenRow | None:
        row = (await self.conn.execute(sa.select(*ROW).where(rt.c.token_hash == token_hash))).first()
        return RefreshTokenRow(*row) if row else None

    async def revoke_family(self, tenant_id: UUID, family_id: UUID) -> None:
        for stmt in _revoke_family(tenant_id, family_id):
            await self.conn.execute(stmt)

    async def revoke_user(self, tenant_id: UUID, user_id: UUID, *, keep: UUID | None = None) -> int:
        """End every session of the user but `keep`; the number of live sessions ended."""
        ended = await self.conn.execute(
            us.update()
            .where(us.c.tenant_id == tenant_id, us.c.user_id == user_id, us.c.revoked_at.is_(None))
            .where(us.c.id != keep if keep is not None else sa.true())
            .values(revoked_at=sa.func.now())
            .returning(us.c.expires_at > sa.func.now())
        )
        count = sum(1 for (live,) in ended if live)
        await self.conn.execute(
            rt.update()
            .where(rt.c.tenant_id == tenant_id, rt.c.user_id == user_id, rt.c.revoked_at.is_(None))
            .where(rt.c.family_id != keep if keep is not None else sa.true())
            .values(revoked_at=sa.func.now())
        )
        return count

    async def revoke_access(self, jti: UUID, expires_at: datetime) -> None:
        await self.conn.execute(
            pg_insert(revoked_access_tokens)
            .values(jti=jti, expires_at=expires_at)
            .on_conflict_do_nothing(index_elements=["jti"])
        )
        # Entries past their token's expiry guard nothing; drop them while here.
        await self.conn.execute(
            revoked_access_tokens.delete().where(revoked_access_tokens.c.expires_at < sa.func.now())
        )


def _revoke_family_tokens(tenant_id: UUID, family_id: UUID) -> sa.Update:
    return (
        rt.update()
        .where(rt.c.tenant_id == tenant_id, rt.c.family_id == family_id, rt.c.revoked_at.is_(None))
        .values(revoked_at=sa.func.now())
    )


def _revoke_family(tenant_id: UUID, family_id: UUID) -> tuple[sa.Update, sa.Update]:
    """End the session and its refresh tokens: its access tokens stop at their next request."""
    session = (
        us.update()
        .where(us.c.tenant_id == tenant_id, us.c.id == family_id, us.c.revoked_at.is_(None))
        .values(revoked_at=sa.func.now())
    )
    return session, _revoke_family_tokens(tenant_id, family_id)


def _audit_row(
    tenant_id: UUID, action: str, user_id: UUID, changes: dict[str, Any], address: str, request_id: str | None
) -> dict[str, Any]:
    """An audit entry without a signed-in actor (the attempt was made as `user_id`, by whoever)."""
    return {
        "tenant_id": tenant_id, "id": new_id(), "actor_id": None, "api_token_id": None, "action": action,
        "entity": "user", "entity_id": user_id, "changes": orjson.loads(orjson.dumps(changes, default=str)),
        "request_id": request_id, "ip": address,
    }  # fmt: skip


class PgSecurityLog:
    def __init__(self, conn: AsyncConnection, engine: AsyncEngine) -> None:
        self.conn = conn  # reads: the request's connection
        self.engine = engine  # durable writes: their own transactions

    async def failures(self, account: str, address: str, window_seconds: int, nth: int) -> datetime | None:
        lf = login_failures
        stmt = (
            sa.select(lf.c.at)
            .where(
                lf.c.account == account,
                lf.c.address == address,
                lf.c.at > sa.func.now() - timedelta(seconds=window_seconds),
            )
            .order_by(lf.c.at.desc())
            .offset(nth - 1)
            .limit(1)
        )
        return (await self.conn.execute(stmt)).scalar_one_or_none()

    async def account_failures(self, account: str, window_seconds: int, nth: int) -> datetime | None:
        return await self._nth_failure(login_failures.c.account, account, window_seconds, nth)

    async def address_failures(self, address: str, window_seconds: int, nth: int) -> datetime | None:
        return await self._nth_failure(login_failures.c.address, address, window_seconds, nth)

    async def _nth_failure(
        self, column: sa.ColumnElement[str], value: str, window_seconds: int, nth: int
    ) -> datetime | None:
        """When the nth newest failure of this account (or address) within the window happened."""
        lf = login_failures
        stmt = (
            sa.select(lf.c.at)
            .where(column == value, lf.c.at > sa.func.now() - timedelta(seconds=window_seconds))
            .order_by(lf.c.at.desc())
            .offset(nth - 1)
            .limit(1)
        )
        return (await self.conn.execute(stmt)).scalar_one_or_none()

    async def known_address(self, tenant_id: UUID, user_id: UUID, address: str) -> bool:
        stmt = sa.select(
            sa.exists().where(
                audit_log.c.tenant_id == tenant_id,
                audit_log.c.actor_id == user_id,
                audit_log.c.action == "auth.login",
                audit_log.c.ip == address,
                audit_log.c.at > sa.func.now() - timedelta(days=KNOWN_ADDRESS_DAYS),
            )
        )
        return bool((await self.conn.execute(stmt)).scalar_one())

    async def login_failed(
        self,
        account: str,
        ctx_address: str,
        request_id: str | None,
        *,
        tenant_id: UUID | None,
        user_id: UUID | None,
        reason: str,
        count: bool = True,
    ) -> None:
        async with self.engine.begin() as conn:
            if count:
                await conn.execute(login_failures.insert().values(account=account, address=ctx_address))
                await conn.execute(
                    login_failures.delete().where(
                        login_failures.c.account == account,
                        login_failures.c.at < sa.func.now() - FAILURE_RETENTION,
                    )
                )
            if tenant_id is not None and user_id is not None:
                await conn.execute(
                    audit_log.insert().values(
                        _audit_row(tenant_id, "auth.login_failed", user_id, {"reason": reason}, ctx_address, request_id)
                    )
                )

    async def refresh_reused(self, row: RefreshTokenRow, address: str, request_id: str | None) -> None:
        async with self.engine.begin() as conn:
            for stmt in _revoke_family(row.tenant_id, row.family_id):
                await conn.execute(stmt)
            await conn.execute(
                audit_log.insert().values(
                    _audit_row(
                        row.tenant_id, "auth.refresh_token_reused", row.user_id, {"family_id": row.family_id},
                        address, request_id,
                    )
                )
            )  # fmt: skip

"""Setting a new password, whoever sets it: the user (POST /auth/password), or a one-time reset
or invitation link. One function, so every path has the same effect:

- every session of the user ends at once (their access tokens with them, whatever second they
  were issued in), except `keep_session` (the session of a user changing their own password);
- the user's API tokens are revoked unless `keep_api_tokens`;
- one audit entry says what ended.

`new_password=None` clears the password (an administrator's forced reset): nobody signs in with
one until the user sets their own through the link mailed to them.

The caller checks who may set it (the current password, a link's secret) and runs this in its
transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from app.auth.passwords import check_policy, hash_password
from app.auth.principal import Principal
from app.domain.identity.entities import PasswordSet
from app.domain.identity.ports import ApiTokenRepository, SessionRepository, UserRepository
from app.domain.shared.ports import AuditTrail


async def set_password(
    users: UserRepository,
    sessions: SessionRepository,
    api_tokens: ApiTokenRepository,
    audit: AuditTrail,
    *,
    tenant_id: UUID,
    user_id: UUID,
    email: str,
    new_password: str | None,
    by: Principal | None,
    action: str,
    keep_session: UUID | None = None,
    keep_api_tokens: bool = False,
    field: str = "new_password",
    details: Mapping[str, Any] | None = None,
) -> PasswordSet:
    """Check the policy (422 on `field`), store the hash, end the sessions and API tokens, audit
    `action` (by `by`, or with no actor for a link) with `details` beside what ended."""
    password_hash = None
    if new_password is not None:
        check_policy(new_password, email=email, field=field)
        password_hash = await hash_password(new_password)
    actor = by.user_id if by is not None else user_id
    await users.set_password(tenant_id, user_id, password_hash, actor)
    ended = await sessions.revoke_user(tenant_id, user_id, keep=keep_session)
    revoked = 0 if keep_api_tokens else await api_tokens.revoke_user(tenant_id, user_id)
    result = PasswordSet(sessions_ended=ended, api_tokens_revoked=revoked)
    changes = {
        **(details or {}),
        "sessions_ended": ended,
        "api_tokens_revoked": revoked,
        "api_tokens_kept": keep_api_tokens,
    }
    await audit.record(by, action, "user", user_id, changes, tenant_id=tenant_id)
    return result

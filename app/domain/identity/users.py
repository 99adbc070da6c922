"""Users of a tenant: administration (create, edit, roles, deactivate).

Role assignment, password resets and (de)activation change what a person may do, so they need
`users:manage` (a password reset `users:update` as well); every one of them is audited.

Separation of duties (app/domain/identity/grants.py): roles are granted only within what the
actor holds (the owner and, to others, the security administrator aside); nobody changes their
own roles; no administrator chooses another person's password (a new user gets an invitation
link, a forced reset sends a reset link). Changing the e-mail of a user who holds more than the
actor is refused (unless the actor is the owner): it would let the actor send that user's reset
link to itself and take the account over.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

from app.auth.passwords import check_policy, hash_password
from app.auth.principal import Principal
from app.domain.identity.clock import next_second, this_second
from app.domain.identity.entities import USER_SORTABLE, USER_WRITABLE, LinkPurpose, Role, Session, User, UserQuery
from app.domain.identity.grants import is_owner, require_holds, require_may_assign
from app.domain.identity.password_links import PasswordLinkService
from app.domain.identity.passwords import set_password
from app.domain.identity.ports import (
    ApiTokenRepository,
    DepartmentRepository,
    RegionRepository,
    RoleRepository,
    SessionRepository,
    UserRepository,
)
from app.domain.identity.validation import check_department, check_locale, check_region, check_timezone
from app.domain.shared.errors import Conflict, NotFound, PreconditionFailed, ValidationFailed
from app.domain.shared.paging import Page, Sort
from app.domain.shared.ports import AuditTrail, diff

EMAIL_TAKEN = "a user with this email already exists"


class UserService:
    def __init__(
        self,
        users: UserRepository,
        roles: RoleRepository,
        departments: DepartmentRepository,
        regions: RegionRepository,
        sessions: SessionRepository,
        api_tokens: ApiTokenRepository,
        audit: AuditTrail,
        links: PasswordLinkService,
    ) -> None:
        self.users = users
        self.roles = roles
        self.departments = departments
        self.regions = regions
        self.sessions = sessions
        self.api_tokens = api_tokens
        self.audit = audit
        self.links = links

    async def list(self, principal: Principal, query: UserQuery) -> Page[User]:
        principal.require("users", "read")
        Sort.parse(query.sort, USER_SORTABLE)
        return await self.users.list(principal.tenant_id, query)

    async def get(self, principal: Principal, user_id: UUID) -> User:
        principal.require("users", "read")
        return await self._get(principal.tenant_id, user_id)

    async def create(
        self,
        principal: Principal,
        values: Mapping[str, Any],
        role_ids: Sequence[UUID] = (),
        *,
        password: str | None = None,
    ) -> User:
        """A new account. Through the API it has no password: the user is mailed an invitation link
        and chooses one. `password` is for the operator at the console (`crm create-user`)."""
        principal.require("users", "create")
        if role_ids:
            principal.require("users", "manage")
        tenant_id = principal.tenant_id
        fields = {k: values[k] for k in USER_WRITABLE if values.get(k) is not None}
        await self._check_fields(tenant_id, fields)
        if password is not None:
            check_policy(password, email=fields["email"])
        if await self.users.email_owner(fields["email"]) is not None:
            raise Conflict(EMAIL_TAKEN)
        granted = await self._check_roles(tenant_id, role_ids)
        require_holds(principal, granted, "grant")
        password_hash = await hash_password(password) if password is not None else None
        user_id = await self.users.insert(tenant_id, fields, password_hash, principal.user_id)
        if role_ids:
            await self.users.set_roles(tenant_id, user_id, role_ids)
        user = await self._get(tenant_id, user_id)
        await self.audit.record(principal, "user.created", "user", user_id, diff(None, user.audit_view()))
        if role_ids:
            await self.audit.record(
                principal, "user.roles_changed", "user", user_id, diff({"role_ids": []}, {"role_ids": user.role_ids})
            )
        if password_hash is None:
            await self.links.issue(principal, tenant_id, user_id, LinkPurpose.INVITATION, "user.invited")
        return user

    async def invite_again(self, principal: Principal, user_id: UUID) -> User:
        """A fresh invitation (the older link stops working) for a user who has not set a password."""
        principal.require("users", "create")
        user = await self._get(principal.tenant_id, user_id)
        if user.password_set:
            raise Conflict("this user has set a password already; send a password reset link instead")
        if not user.active:
            raise Conflict("this user is deactivated")
        await self.links.issue(principal, principal.tenant_id, user_id, LinkPurpose.INVITATION, "user.invited")
        return user

    async def force_password_reset(self, principal: Principal, user_id: UUID) -> User:
        """The password stops working at once, every session ends, and the user is mailed a link to
        choose a new one. The administrator never learns or sets a password."""
        principal.require("users", "update")
        principal.require("users", "manage")
        tenant_id = principal.tenant_id
        user = await self._get(tenant_id, user_id)
        if not user.active:
            raise Conflict("this user is deactivated")
        await set_password(
            self.users, self.sessions, self.api_tokens, self.audit,
            tenant_id=tenant_id, user_id=user_id, email=user.email, new_password=None, by=principal,
            action="user.password_cleared",
        )  # fmt: skip
        await self.links.issue(principal, tenant_id, user_id, LinkPurpose.RESET, "user.password_reset")
        return await self._get(tenant_id, user_id)

    async def update(
        self, principal: Principal, user_id: UUID, changes: Mapping[str, Any], expected_version: int | None = None
    ) -> User:
        tenant_id = principal.tenant_id
        unknown = set(changes) - {*USER_WRITABLE, "role_ids"}
        if unknown:
            raise ValidationFailed.one(sorted(unknown)[0], "is not a field of a user")
        role_ids: Sequence[UUID] | None = changes.get("role_ids")
        # Role assignment alone needs users:manage (the security administrator has no users:update).
        if set(changes) - {"role_ids"} or role_ids is None:
            principal.require("users", "update")
        if role_ids is not None:
            principal.require("users", "manage")
        current = await self._get(tenant_id, user_id)
        if expected_version is not None and expected_version != current.version:
            raise PreconditionFailed("the user changed since you read it")
        fields = {k: changes[k] for k in USER_WRITABLE if k in changes and changes[k] != getattr(current, k)}
        for required in ("email", "name", "locale", "timezone"):
            if required in fields and fields[required] is None:
                raise ValidationFailed.one(required, "must not be null")
        await self._check_fields(tenant_id, fields)
        if "email" in fields:
            if user_id != principal.user_id and not is_owner(principal):
                # Else: point a more powerful user's address at one's own mailbox, ask for a reset link.
                held = await self.roles.by_ids(tenant_id, current.role_ids)
                require_holds(principal, held, "change the e-mail address of a user holding")
            owner = await self.users.email_owner(fields["email"])
            if owner is not None and owner != user_id:
                raise Conflict(EMAIL_TAKEN)
        new_roles = None
        if role_ids is not None and set(role_ids) != set(current.role_ids):
            wanted = await self._check_roles(tenant_id, role_ids)
            before = set(current.role_ids)
            removed = await self.roles.by_ids(tenant_id, before - set(role_ids))
            # Given or taken away: a role changes hands only through someone who holds it.
            require_may_assign(principal, user_id, [*(r for r in wanted if r.id not in before), *removed])
            new_roles = role_ids
        if not fields and new_roles is None:
            return current
        if not await self.users.update(tenant_id, user_id, fields, principal.user_id, current.version):
            raise PreconditionFailed("the user changed since you read it")
        if "department_id" in fields:
            await self.users.move_owned_records(tenant_id, user_id, fields["department_id"])
        if new_roles is not None:
            await self.users.set_roles(tenant_id, user_id, new_roles)
        user = await self._get(tenant_id, user_id)
        if fields:
            await self.audit.record(
                principal, "user.updated", "user", user_id, diff(current.audit_view(), user.audit_view())
            )
        if new_roles is not None:
            await self.audit.record(
                principal,
                "user.roles_changed",
                "user",
                user_id,
                diff({"role_ids": sorted(current.role_ids)}, {"role_ids": sorted(user.role_ids)}),
            )
        return user

    async def deactivate(self, principal: Principal, user_id: UUID) -> User:
        """Ends the user's sessions and API tokens at once; access tokens already out stop
        working on their next request."""
        principal.require("users", "manage")
        if user_id == principal.user_id:
            raise Conflict("you cannot deactivate yourself")
        current = await self._get(principal.tenant_id, user_id)
        if not current.active:
            return current
        await self.users.set_active(principal.tenant_id, user_id, False, principal.user_id, next_second())
        await self.sessions.revoke_user(principal.tenant_id, user_id)
        await self.api_tokens.revoke_user(principal.tenant_id, user_id)
        await self.links.withdraw(principal.tenant_id, user_id)
        await self.audit.record(
            principal, "user.deactivated", "user", user_id, diff({"active": True}, {"active": False})
        )
        return await self._get(principal.tenant_id, user_id)

    async def activate(self, principal: Principal, user_id: UUID) -> User:
        """The user may sign in again; sessions and API tokens ended by deactivation stay ended."""
        principal.require("users", "manage")
        current = await self._get(principal.tenant_id, user_id)
        if current.active:
            return current
        await self.users.set_active(principal.tenant_id, user_id, True, principal.user_id, this_second())
        await self.audit.record(principal, "user.activated", "user", user_id, diff({"active": False}, {"active": True}))
        return await self._get(principal.tenant_id, user_id)

    # -- sessions --------------------------------------------------------------------------------

    async def list_sessions(self, principal: Principal, user_id: UUID) -> builtins.list[Session]:
        """A user's live sign-in sessions (an account administrator's view)."""
        principal.require("users", "manage")
        await self._get(principal.tenant_id, user_id)
        found = await self.sessions.list_sessions(principal.tenant_id, user_id)
        for session in found:
            session.current = session.id == principal.session_id
        return found

    async def end_sessions(self, principal: Principal, user_id: UUID) -> int:
        """End every session of a user at once (their access tokens stop at the next request);
        API tokens are left alone (revoke them in the token list, or deactivate the user)."""
        principal.require("users", "manage")
        await self._get(principal.tenant_id, user_id)
        ended = await self.sessions.revoke_user(principal.tenant_id, user_id)
        await self.audit.record(principal, "user.sessions_ended", "user", user_id, {"sessions_ended": ended})
        return ended

    async def _get(self, tenant_id: UUID, user_id: UUID) -> User:
        user = await self.users.get(tenant_id, user_id)
        if user is None:
            raise NotFound("no such user")
        return user

    async def _check_fields(self, tenant_id: UUID, fields: Mapping[str, Any]) -> None:
        if "locale" in fields:
            check_locale(fields["locale"])
        if "timezone" in fields:
            check_timezone(fields["timezone"])
        if fields.get("department_id") is not None:
            await check_department(self.departments, tenant_id, fields["department_id"])
        if fields.get("region_id") is not None:
            await check_region(self.regions, tenant_id, fields["region_id"])

    async def _check_roles(self, tenant_id: UUID, role_ids: Sequence[UUID]) -> builtins.list[Role]:
        found = {role.id: role for role in await self.roles.by_ids(tenant_id, role_ids)}
        for index, role_id in enumerate(role_ids):
            if role_id not in found:
                raise ValidationFailed.one(f"role_ids.{index}", f"refers to no such role: {role_id}")
        return list(found.values())

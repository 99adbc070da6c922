"""A new tenant: its system roles and its first administrator. Self-service sign-up (when the
deployment allows it) and `crm create-tenant` share this use case."""

from __future__ import annotations

from uuid import UUID

from app.auth.passwords import check_policy, hash_password
from app.auth.permissions import ALL_PERMISSIONS, OWNER_ROLE
from app.auth.principal import Principal, RoleGrant
from app.domain.identity.auth import AuthService
from app.domain.identity.entities import ClientContext, NewTenant, TokenPair
from app.domain.identity.ports import TenantRepository, UserRepository
from app.domain.shared.errors import Conflict, FeatureDisabled, TooManyRequests, ValidationFailed
from app.domain.shared.ports import AuditTrail, RateLimiter

# Self-service sign-ups per client address and window.
SIGNUPS_PER_WINDOW = 5
SIGNUP_WINDOW_SECONDS = 3600
# The actor recorded for changes made from the command line (no user performs them).
COMMAND_LINE_ACTOR = UUID(int=0)


def command_line_principal(tenant_id: UUID) -> Principal:
    """Whoever runs `crm` on the server: may do anything within the tenant."""
    return Principal(
        tenant_id=tenant_id,
        user_id=COMMAND_LINE_ACTOR,
        email="",
        name="command line",
        department_id=None,
        department_ids=(),
        # The owner role: the console grants anything (app/domain/identity/grants.py).
        roles=(RoleGrant(OWNER_ROLE, frozenset(ALL_PERMISSIONS), {}),),
    )


class TenantService:
    def __init__(
        self,
        tenants: TenantRepository,
        users: UserRepository,
        audit: AuditTrail,
        auth: AuthService | None = None,
        *,
        allow_signup: bool = False,
        limiter: RateLimiter | None = None,
    ) -> None:
        self.tenants = tenants
        self.users = users
        self.audit = audit
        self.auth = auth
        self.allow_signup = allow_signup
        self.limiter = limiter

    async def signup(self, company_name: str, name: str, email: str, password: str, ctx: ClientContext) -> TokenPair:
        """A new tenant with the caller as its administrator, signed in."""
        if not self.allow_signup or self.auth is None:
            raise FeatureDisabled("sign-up is turned off on this server; ask its operator for an account")
        if self.limiter is not None:  # anyone may call it: a few new companies per address and hour
            retry = await self.limiter.hit(f"signup:{ctx.address}", SIGNUPS_PER_WINDOW, SIGNUP_WINDOW_SECONDS)
            if retry is not None:
                raise TooManyRequests("too many sign-ups from this address; try again later", retry_after=retry)
        created = await self.create_tenant(company_name, name, email, password, ctx=ctx)
        principal = await self.users.principal(
            created.tenant_id, created.admin_id, address=ctx.address, request_id=ctx.request_id
        )
        assert principal is not None
        pair = await self.auth.start_session(principal, ctx)
        await self.users.record_login(created.tenant_id, created.admin_id)
        await self.audit.record(principal, "auth.login", "user", created.admin_id)
        return pair

    async def create_tenant(
        self,
        company_name: str,
        admin_name: str,
        admin_email: str,
        password: str,
        *,
        ctx: ClientContext | None = None,
    ) -> NewTenant:
        company_name = company_name.strip()
        if not company_name:
            raise ValidationFailed.one("company_name", "must not be empty")
        if not admin_name.strip():
            raise ValidationFailed.one("name", "must not be empty")
        check_policy(password, email=admin_email)
        if await self.users.email_owner(admin_email) is not None:
            raise Conflict("a user with this email already exists")
        tenant_id = await self.tenants.insert_tenant(company_name)
        role_ids = await self.tenants.insert_system_roles(tenant_id)
        admin_id = await self.users.insert(
            tenant_id, {"email": admin_email.strip(), "name": admin_name.strip()}, await hash_password(password), None
        )
        await self.users.set_roles(tenant_id, admin_id, [role_ids["admin"]])
        admin = await self.users.principal(
            tenant_id, admin_id, address=ctx.address if ctx else None, request_id=ctx.request_id if ctx else None
        )
        await self.audit.record(
            admin, "tenant.created", "tenant", tenant_id, {"name": {"before": None, "after": company_name}}
        )
        await self.audit.record(
            admin,
            "user.created",
            "user",
            admin_id,
            {
                "email": {"before": None, "after": admin_email.strip()},
                "name": {"before": None, "after": admin_name.strip()},
                "role_ids": {"before": [], "after": [role_ids["admin"]]},
            },
            tenant_id=tenant_id,
        )
        return NewTenant(tenant_id, admin_id, role_ids)

"""Request and response shapes of the identity endpoints (auth, users, departments, regions,
roles, API tokens, audit log). Request models forbid unknown fields; responses document what the
domain dataclasses serialize to."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import AfterValidator, AwareDatetime, BaseModel, Field, StringConstraints, field_validator

from app.api.v1.schemas.common import Email, Name, RequestModel, ShortText


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    return False


def reject_nul(value: Any) -> Any:
    """PostgreSQL text cannot hold NUL: refuse it here, naming the field, not as a database error."""
    if _has_nul(value):
        raise ValueError("must not contain NUL (\\u0000) characters")
    return value


# For query parameters: `Annotated[str | None, Query(...), NoNul]`.
NoNul = AfterValidator(reject_nul)


class IdentityRequest(RequestModel):
    """Request bodies of the identity endpoints: unknown fields and NUL characters refused."""

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        return reject_nul(value)


# The password policy (10..1024 characters, not the email, not common) is the domain's: it answers
# 422 naming the reason. The schema only bounds what is read.
Password = Annotated[str, StringConstraints(max_length=4096)]
Secret = Annotated[str, StringConstraints(max_length=512)]
Locale = Annotated[str, StringConstraints(max_length=35), Field(description="A language tag: en, zh-CN")]
TimeZone = Annotated[str, StringConstraints(max_length=64), Field(description="An IANA time zone: Asia/Shanghai")]
Permission = Annotated[str, StringConstraints(max_length=64), Field(description="<resource>:<action>")]
Description = Annotated[str, StringConstraints(max_length=2000)]
RangeName = Literal["none", "own", "department", "all"]


# -- auth ------------------------------------------------------------------------------------------


class LoginBody(IdentityRequest):
    email: Annotated[str, StringConstraints(max_length=320)]
    password: Password
    browser: bool = Field(
        False,
        description="A web browser client: the refresh token is set as an httpOnly, SameSite=Strict cookie "
        "scoped to /api/v1/auth instead of being returned in the body (where refresh_token is then null).",
    )


class RefreshBody(IdentityRequest):
    refresh_token: Secret | None = Field(
        None, description="Omit (or send no body) to use the refresh cookie set by a browser login."
    )


class LogoutBody(IdentityRequest):
    refresh_token: Secret | None = Field(None, description="Also end this refresh token's session.")


class PasswordChangeBody(IdentityRequest):
    current_password: Password
    new_password: Password
    keep_api_tokens: bool = Field(
        False, description="Keep your API tokens working; by default a password change revokes them."
    )


class PasswordResetRequestBody(IdentityRequest):
    email: Annotated[str, StringConstraints(max_length=320)]


class PasswordLinkBody(IdentityRequest):
    password: Password


class PasswordLinkOut(BaseModel):
    purpose: Literal["invitation", "reset"]
    email: str
    name: str
    expires_at: datetime


class SignupBody(IdentityRequest):
    company_name: Name
    name: Name
    email: Email
    password: Password


class TokenPairOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"]
    expires_in: int = Field(description="Seconds the access token lives.")
    refresh_token: str | None = Field(
        description="Opaque; single use: /auth/refresh returns the next one. Null when the session keeps it in "
        "the httpOnly refresh cookie (browser clients)."
    )
    refresh_expires_in: int = Field(
        description="Seconds the refresh token lives: never past the session's absolute expiry (a session "
        "lasts CRM_SESSION_MAX_DAYS from sign-in, however often it is refreshed)."
    )


class SessionOut(BaseModel):
    id: UUID
    created_at: datetime = Field(description="Sign-in.")
    last_used_at: datetime = Field(description="Sign-in or the last refresh.")
    expires_at: datetime = Field(description="Absolute: refreshing never extends it.")
    user_agent: str | None = Field(description="The client's User-Agent at sign-in or the last refresh.")
    created_ip: str | None = Field(description="The client address at sign-in.")
    last_ip: str | None = Field(description="The client address at sign-in or the last refresh.")
    current: bool = Field(description="The session of the request asking.")


class SessionList(BaseModel):
    items: list[SessionOut] = Field(description="Live sessions, most recently used first.")


# -- users -----------------------------------------------------------------------------------------


class UserCreate(IdentityRequest):
    """No password: the user is mailed an invitation link and chooses one."""

    email: Email
    name: Name
    department_id: UUID | None = None
    region_id: UUID | None = None
    locale: Locale | None = None
    timezone: TimeZone | None = None
    role_ids: list[UUID] = Field(default_factory=list, max_length=50, description="Needs users:manage.")


class UserPatch(IdentityRequest):
    email: Email = None  # type: ignore[assignment]
    name: Name = None  # type: ignore[assignment]
    department_id: UUID | None = None
    region_id: UUID | None = None
    locale: Locale = None  # type: ignore[assignment]
    timezone: TimeZone = None  # type: ignore[assignment]
    role_ids: list[UUID] | None = Field(
        None,
        max_length=50,
        description="Replaces the user's roles; needs users:manage (users:update only for the "
        "other fields). Only roles you hold yourself, never your own roles.",
    )


class UserOut(BaseModel):
    id: UUID
    email: str
    name: str
    department_id: UUID | None
    region_id: UUID | None
    locale: str
    timezone: str
    active: bool
    role_ids: list[UUID]
    last_login_at: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int
    password_set: bool = Field(
        description="False while the user has not chosen a password (invited; or reset by an administrator)."
    )


class UserPage(BaseModel):
    items: list[UserOut]
    next_cursor: str | None


class RoleSummaryOut(BaseModel):
    id: UUID
    key: str
    name: str


class MeOut(BaseModel):
    user: UserOut
    tenant_id: UUID
    tenant_name: str
    roles: list[RoleSummaryOut]
    permissions: list[str] = Field(description="What this request may do (an API token's scopes narrow it).")
    data_ranges: dict[str, dict[str, RangeName]] = Field(
        description="resource -> action -> the widest data range, for customers, contacts and activities."
    )
    api_token_id: UUID | None


# -- departments and regions -----------------------------------------------------------------------


class DepartmentCreate(IdentityRequest):
    name: Name
    parent_id: UUID | None = None


class DepartmentPatch(IdentityRequest):
    name: Name = None  # type: ignore[assignment]
    parent_id: UUID | None = Field(None, description="Move under another department; null makes it a root.")


class DepartmentOut(BaseModel):
    id: UUID
    name: str
    parent_id: UUID | None
    path: str = Field(description="/<root id>/.../<own id>/ : the subtree is every path with this prefix.")
    created_at: datetime
    updated_at: datetime
    version: int


class DepartmentPage(BaseModel):
    items: list[DepartmentOut]
    next_cursor: str | None


RegionCode = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]


class RegionCreate(IdentityRequest):
    code: RegionCode
    name: Name


class RegionPatch(IdentityRequest):
    code: RegionCode = None  # type: ignore[assignment]
    name: Name = None  # type: ignore[assignment]


class RegionOut(BaseModel):
    id: UUID
    code: str
    name: str
    created_at: datetime
    updated_at: datetime
    version: int


class RegionPage(BaseModel):
    items: list[RegionOut]
    next_cursor: str | None


# -- roles -----------------------------------------------------------------------------------------


class DataRangeSpec(IdentityRequest):
    range: RangeName
    regions: list[UUID] | None = Field(None, max_length=500, description="Only records in these regions; null: any.")
    customer_types: list[ShortText] | None = Field(
        None, max_length=100, description="Only customers of these types; null: any."
    )


DataRanges = Annotated[
    dict[str, DataRangeSpec],
    Field(
        max_length=20,
        description="Per ranged resource (customers, contacts, activities, leads, opportunities, quotes, orders, "
        "sales_plans, tickets).",
    ),
]


class RoleCreate(IdentityRequest):
    key: Annotated[str, StringConstraints(max_length=63)] | None = Field(
        None, description="a-z, 0-9, _; generated when omitted."
    )
    name: Name
    description: Description = ""
    permissions: list[Permission] = Field(max_length=500)
    data_ranges: DataRanges = Field(default_factory=dict)

    def ranges(self) -> dict[str, dict[str, Any]]:
        return {res: spec.model_dump() for res, spec in self.data_ranges.items()}


class RolePatch(IdentityRequest):
    key: Annotated[str, StringConstraints(max_length=63)] = None  # type: ignore[assignment]
    name: Name = None  # type: ignore[assignment]
    description: Description = None  # type: ignore[assignment]
    permissions: list[Permission] | None = Field(None, max_length=500)
    data_ranges: DataRanges = None  # type: ignore[assignment]

    def changes(self) -> dict[str, Any]:
        out = super().changes()
        if self.data_ranges is not None:
            out["data_ranges"] = {res: spec.model_dump() for res, spec in self.data_ranges.items()}
        return out


class DataRangeOut(BaseModel):
    range: RangeName
    regions: list[UUID] | None
    customer_types: list[str] | None


class RoleOut(BaseModel):
    id: UUID
    key: str
    name: str
    description: str
    is_system: bool = Field(description="Seeded; permissions and data ranges fixed, name and description editable.")
    permissions: list[str]
    data_ranges: dict[str, DataRangeOut]
    created_at: datetime
    updated_at: datetime
    version: int


class RolePage(BaseModel):
    items: list[RoleOut]
    next_cursor: str | None


# -- API tokens ------------------------------------------------------------------------------------


class ApiTokenCreate(IdentityRequest):
    name: Name
    scopes: list[Permission] = Field(min_length=1, max_length=500, description="A subset of your permissions.")
    expires_at: AwareDatetime | None = Field(None, description="null: until revoked.")


class ApiTokenOut(BaseModel):
    id: UUID
    user_id: UUID
    name: str
    prefix: str = Field(description="The first characters of the secret.")
    scopes: list[str]
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None
    created_at: datetime


class ApiTokenCreated(ApiTokenOut):
    token: str = Field(description="The secret (crm_pat_...). Shown this once; store it now.")


class ApiTokenPage(BaseModel):
    items: list[ApiTokenOut]
    next_cursor: str | None


# -- audit log -------------------------------------------------------------------------------------


class AuditEntryOut(BaseModel):
    id: UUID
    at: datetime
    actor_id: UUID | None
    api_token_id: UUID | None
    action: str = Field(description="user.created, role.updated, auth.login, auth.login_failed, ...")
    entity: str
    entity_id: UUID | None
    changes: dict[str, Any] = Field(description='{"field": {"before": ..., "after": ...}}')
    request_id: str | None
    ip: str | None


class AuditPage(BaseModel):
    items: list[AuditEntryOut]
    next_cursor: str | None


BookKindName = Literal[
    "customers", "contacts", "leads", "opportunities", "activities", "quotes", "orders", "sales_plans", "tickets"
]


class BookTransferBody(RequestModel):
    to_owner_id: UUID = Field(description="The active user who takes the book over.")
    kinds: list[BookKindName] | None = Field(
        None,
        min_length=1,
        max_length=9,
        description="What moves (each needs `<kind>:assign`); omitted: every kind you may assign. Leads move "
        "unless converted, activities when they are planned tasks or appointments, tickets while open "
        "(new, open, pending); every customer, contact, deal, quote, order and sales plan moves.",
    )


class BookTransferResult(BaseModel):
    moved: dict[BookKindName, int] = Field(description="Per kind moved, how many records moved.")
    total: int

"""Identity rules without I/O: permission and data-range validation, login throttling decisions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from app.auth.passwords import hash_password
from app.domain.identity.auth import AuthPolicy, AuthService
from app.domain.identity.entities import ClientContext, Credentials
from app.domain.identity.roles import RoleService, check_permissions
from app.domain.shared.clock import utcnow
from app.domain.shared.errors import TooManyRequests, Unauthenticated, ValidationFailed


def test_check_permissions_sorts_dedupes_and_names_the_unknown_one() -> None:
    assert check_permissions(["users:read", "customers:read", "users:read"]) == ["customers:read", "users:read"]
    with pytest.raises(ValidationFailed) as caught:
        check_permissions(["users:read", "users:fly"], "scopes")
    assert (caught.value.errors[0].field, caught.value.errors[0].message) == (
        "scopes.1",
        "unknown permission 'users:fly'",
    )


@dataclass
class FakeRegions:
    known: set[UUID] = field(default_factory=set)

    async def existing(self, tenant_id: UUID, region_ids: Any) -> set[UUID]:
        return {r for r in region_ids if r in self.known}


async def _ranges(permissions: list[str], ranges: dict[str, Any], known: set[UUID] | None = None) -> dict[str, Any]:
    service = RoleService(roles=None, regions=FakeRegions(known or set()), audit=None)  # type: ignore[arg-type]
    return await service._check_ranges(uuid4(), permissions, ranges)


async def test_data_ranges_are_normalized_and_required_for_ranged_permissions() -> None:
    region = uuid4()
    out = await _ranges(
        ["customers:read", "users:read"],
        {"customers": {"range": "all", "regions": [region, region], "customer_types": ["smb", "enterprise"]}},
        {region},
    )
    assert out == {"customers": {"range": "all", "regions": [str(region)], "customer_types": ["enterprise", "smb"]}}
    assert await _ranges(["users:read"], {}) == {}
    with pytest.raises(ValidationFailed, match="data_ranges.contacts: is required"):
        await _ranges(["contacts:read"], {})
    with pytest.raises(ValidationFailed, match="data_ranges.customers.regions.0: refers to no such region"):
        await _ranges(["customers:read"], {"customers": {"range": "all", "regions": [uuid4()]}})
    with pytest.raises(ValidationFailed, match="data_ranges.roles"):
        await _ranges(["roles:read"], {"roles": {"range": "all"}})


# -- login throttling --------------------------------------------------------------------------------


@dataclass
class FakeSecurity:
    per_address: datetime | None = None
    per_account: datetime | None = None
    per_client: datetime | None = None
    known: bool = False
    failed: list[str] = field(default_factory=list)

    async def failures(self, account: str, address: str, window_seconds: int, nth: int) -> datetime | None:
        return self.per_address

    async def account_failures(self, account: str, window_seconds: int, nth: int) -> datetime | None:
        return self.per_account

    async def address_failures(self, address: str, window_seconds: int, nth: int) -> datetime | None:
        return self.per_client

    async def known_address(self, tenant_id: UUID, user_id: UUID, address: str) -> bool:
        return self.known

    async def login_failed(self, account: str, address: str, request_id: str | None, **kw: Any) -> None:
        self.failed.append(kw["reason"])


@dataclass
class FakeUsers:
    credentials: Credentials | None

    async def credentials_by_email(self, email: str) -> Credentials | None:
        return self.credentials


async def _auth(security: FakeSecurity, credentials: Credentials | None) -> AuthService:
    return AuthService(
        users=FakeUsers(credentials),  # type: ignore[arg-type]
        tenants=None, sessions=None, security=security, audit=None, api_tokens=None,  # type: ignore[arg-type]
        issue_access=None, policy=AuthPolicy(failure_window_minutes=15),  # type: ignore[arg-type]
    )  # fmt: skip


CTX = ClientContext(address="198.51.100.1")


async def test_throttled_login_answers_429_without_verifying_or_counting() -> None:
    creds = Credentials(uuid4(), uuid4(), "a@b.c", await hash_password("right password 1"), True)
    security = FakeSecurity(per_address=utcnow() - timedelta(minutes=5))
    service = await _auth(security, creds)
    with pytest.raises(TooManyRequests) as caught:
        await service.login("a@b.c", "right password 1", CTX)
    assert 9 * 60 <= caught.value.retry_after <= 10 * 60 + 1  # the 10th failure leaves the window in ~10 min
    assert security.failed == []


async def test_account_limit_spares_known_addresses() -> None:
    creds = Credentials(uuid4(), uuid4(), "a@b.c", await hash_password("right password 1"), True)
    security = FakeSecurity(per_account=utcnow() - timedelta(minutes=30))
    with pytest.raises(TooManyRequests) as caught:
        await (await _auth(security, creds)).login("a@b.c", "wrong password 1", CTX)
    assert 29 * 60 <= caught.value.retry_after <= 30 * 60 + 1
    security.known = True
    with pytest.raises(Unauthenticated):  # past the throttle: judged on the password
        await (await _auth(security, creds)).login("a@b.c", "wrong password 1", CTX)
    assert security.failed == ["bad_credentials"]


async def test_unknown_email_counts_as_a_failure_like_a_wrong_password() -> None:
    security = FakeSecurity()
    with pytest.raises(Unauthenticated) as unknown:
        await (await _auth(security, None)).login("nobody@b.c", "whatever pass 1", CTX)
    creds = Credentials(uuid4(), uuid4(), "a@b.c", await hash_password("right password 1"), True)
    with pytest.raises(Unauthenticated) as wrong:
        await (await _auth(security, creds)).login("a@b.c", "whatever pass 1", CTX)
    assert unknown.value.detail == wrong.value.detail
    assert security.failed == ["bad_credentials", "bad_credentials"]

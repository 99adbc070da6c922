"""Checks shared by identity use cases: references to the tenant's records, locale, time zone."""

from __future__ import annotations

import re
from functools import cache
from uuid import UUID
from zoneinfo import available_timezones

from app.domain.identity.ports import DepartmentRepository, RegionRepository
from app.domain.shared.errors import ValidationFailed

_LOCALE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


@cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def check_locale(locale: str) -> None:
    if not _LOCALE.match(locale):
        raise ValidationFailed.one("locale", "must be a language tag such as en or zh-CN")


def check_timezone(timezone: str) -> None:
    zones = _zones()
    # Without a time-zone database on the host, only the shape can be checked.
    if (zones and timezone not in zones and timezone != "UTC") or not timezone:
        raise ValidationFailed.one("timezone", "must be an IANA time zone such as Asia/Shanghai")


async def check_department(repo: DepartmentRepository, tenant_id: UUID, department_id: UUID | None) -> None:
    if department_id is not None and await repo.get(tenant_id, department_id) is None:
        raise ValidationFailed.one("department_id", "refers to no such department")


async def check_region(repo: RegionRepository, tenant_id: UUID, region_id: UUID | None) -> None:
    if region_id is not None and not await repo.existing(tenant_id, [region_id]):
        raise ValidationFailed.one("region_id", "refers to no such region")

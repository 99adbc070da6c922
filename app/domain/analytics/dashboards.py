"""User dashboards: a name and a grid of built-in widgets, private to the one who made it or shared
with roles (issue 15).

- reports:read lists and reads the caller's own dashboards and those shared with one of their
  roles; reports:create / update / delete keep their own. Sharing (a non-empty `shared_roles`)
  takes reports:manage. A shared dashboard is read-only for everyone but its owner (403), and one
  neither owned nor shared with the caller does not exist for them (404).
- The layout is a 12-column grid: items {widget, x, y, w, h, options}, x + w <= 12. Widgets are
  the built-in keys (app/domain/analytics/widgets.py); saved reports as items come with the report
  builder. What a dashboard shows is always computed for whoever looks at it, within their own
  ranges: sharing shares the arrangement, never anyone's data.
Every write is audited (`dashboard.created`, `.updated`, `.deleted`, `.restored`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

import orjson

from app.auth.principal import Principal
from app.domain.analytics.widgets import Widget
from app.domain.shared.errors import NotFound, PermissionDenied, PreconditionFailed, ValidationFailed
from app.domain.shared.ports import AuditTrail, diff

RESOURCE = "reports"
ENTITY = "dashboard"
COLUMNS = 12
MAX_OPTIONS_BYTES = 2000


@dataclass(slots=True)
class Dashboard:
    id: UUID
    name: str
    description: str | None
    layout: list[dict[str, Any]]
    shared_roles: list[str]
    owner_id: UUID
    created_at: datetime
    updated_at: datetime
    created_by: UUID | None
    updated_by: UUID | None
    version: int


class DashboardRepository(Protocol):
    async def visible(self, tenant_id: UUID, user_id: UUID, role_keys: list[str]) -> list[Dashboard]:
        """Live dashboards the user owns or that are shared with one of the role keys, by name."""
        ...

    async def get(self, tenant_id: UUID, dashboard_id: UUID, *, for_update: bool = False) -> Dashboard | None: ...
    async def insert(self, tenant_id: UUID, actor: UUID, values: dict[str, Any]) -> Dashboard: ...
    async def update(self, tenant_id: UUID, dashboard_id: UUID, actor: UUID, values: dict[str, Any]) -> Dashboard: ...
    async def delete(self, tenant_id: UUID, dashboard_id: UUID, actor: UUID) -> None: ...
    async def restore(self, tenant_id: UUID, dashboard_id: UUID, actor: UUID) -> Dashboard | None:
        """Undo the soft delete of a dashboard `actor` owns; None when there is none."""
        ...

    async def role_keys(self, tenant_id: UUID) -> set[str]:
        """The tenant's live role keys."""
        ...


def check_layout(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The grid's rules the request schema cannot state alone: within 12 columns, known widgets,
    small options. Returns the items as stored."""
    out = []
    for i, item in enumerate(items):
        path = f"layout[{i}]"
        try:
            widget = Widget(item["widget"])
        except ValueError:
            raise ValidationFailed.one(f"{path}.widget", f"must be one of: {', '.join(Widget)}") from None
        if item["x"] + item["w"] > COLUMNS:
            raise ValidationFailed.one(f"{path}.w", f"x + w must be at most {COLUMNS}")
        options = item.get("options") or {}
        if len(orjson.dumps(options)) > MAX_OPTIONS_BYTES:
            raise ValidationFailed.one(f"{path}.options", f"at most {MAX_OPTIONS_BYTES} bytes of JSON")
        out.append({"widget": widget.value, **{k: item[k] for k in ("x", "y", "w", "h")}, "options": options})
    return out


class DashboardService:
    def __init__(self, dashboards: DashboardRepository, audit: AuditTrail) -> None:
        self.dashboards = dashboards
        self.audit = audit

    async def list(self, principal: Principal) -> list[Dashboard]:
        principal.require(RESOURCE, "read")
        return await self.dashboards.visible(principal.tenant_id, principal.user_id, _keys(principal))

    async def get(self, principal: Principal, dashboard_id: UUID) -> Dashboard:
        principal.require(RESOURCE, "read")
        found = await self.dashboards.get(principal.tenant_id, dashboard_id)
        return self._seen(principal, found)

    async def create(self, principal: Principal, values: dict[str, Any]) -> Dashboard:
        principal.require(RESOURCE, "create")
        values["layout"] = check_layout(values.get("layout") or [])
        values["shared_roles"] = await self._sharing(principal, values.get("shared_roles") or [])
        values["owner_id"] = principal.user_id
        made = await self.dashboards.insert(principal.tenant_id, principal.user_id, values)
        await self._record(principal, "created", made.id, diff(None, _comparable(made)))
        return made

    async def update(
        self, principal: Principal, dashboard_id: UUID, changes: dict[str, Any], *, expected_version: int | None
    ) -> Dashboard:
        principal.require(RESOURCE, "update")
        current = await self._mine(principal, dashboard_id, expected_version, for_update=True)
        if "layout" in changes:
            changes["layout"] = check_layout(changes["layout"] or [])
        if "shared_roles" in changes:
            changes["shared_roles"] = await self._sharing(principal, changes["shared_roles"] or [])
        changes = {k: v for k, v in changes.items() if getattr(current, k) != v}
        if not changes:
            return current
        updated = await self.dashboards.update(principal.tenant_id, dashboard_id, principal.user_id, changes)
        await self._record(principal, "updated", dashboard_id, diff(_comparable(current), _comparable(updated)))
        return updated

    async def delete(self, principal: Principal, dashboard_id: UUID) -> None:
        principal.require(RESOURCE, "delete")
        await self._mine(principal, dashboard_id, None)
        await self.dashboards.delete(principal.tenant_id, dashboard_id, principal.user_id)
        await self._record(principal, "deleted", dashboard_id, {"deleted": {"before": False, "after": True}})

    async def restore(self, principal: Principal, dashboard_id: UUID) -> Dashboard:
        principal.require(RESOURCE, "delete")
        restored = await self.dashboards.restore(principal.tenant_id, dashboard_id, principal.user_id)
        if restored is None:
            raise NotFound("no deleted dashboard of yours with this id")
        await self._record(principal, "restored", dashboard_id, {"deleted": {"before": True, "after": False}})
        return restored

    # -- helpers ---------------------------------------------------------------------------------

    @staticmethod
    def _seen(principal: Principal, found: Dashboard | None) -> Dashboard:
        if found is None or not (
            found.owner_id == principal.user_id or set(found.shared_roles) & set(_keys(principal))
        ):
            raise NotFound("no such dashboard")
        return found

    async def _mine(
        self, principal: Principal, dashboard_id: UUID, expected_version: int | None, *, for_update: bool = False
    ) -> Dashboard:
        found = await self.dashboards.get(principal.tenant_id, dashboard_id, for_update=for_update)
        found = self._seen(principal, found)
        if found.owner_id != principal.user_id:
            raise PermissionDenied("a dashboard shared with you is read-only; only its owner changes it")
        if expected_version is not None and expected_version != found.version:
            raise PreconditionFailed(f"the dashboard is at version {found.version}, not {expected_version}")
        return found

    async def _sharing(self, principal: Principal, given: Sequence[str]) -> Sequence[str]:
        keys = sorted(set(given))
        if not keys:
            return []
        if not principal.can(RESOURCE, "manage"):
            raise PermissionDenied("sharing a dashboard with roles requires the reports:manage permission")
        unknown = set(keys) - await self.dashboards.role_keys(principal.tenant_id)
        if unknown:
            raise ValidationFailed.one("shared_roles", f"no such role: {', '.join(sorted(unknown))}")
        return keys

    async def _record(self, principal: Principal, event: str, dashboard_id: UUID, changes: dict[str, Any]) -> None:
        await self.audit.record(principal, f"{ENTITY}.{event}", RESOURCE, dashboard_id, changes)


def _keys(principal: Principal) -> list[str]:
    return sorted({role.key for role in principal.roles})


def _comparable(dashboard: Dashboard) -> dict[str, Any]:
    keep = ("id", "name", "description", "layout", "shared_roles")
    return {k: getattr(dashboard, k) for k in keep}

"""Report use cases: run a report (saved or not), keep saved reports, export them.

- reports:read runs reports and reads the saved ones the caller may see: their own, and those
  shared with one of their roles. What a report counts is read through the caller's read range on
  the entity's resource (deals: opportunities:read): without that permission, 403.
- reports:create / update / delete keep the caller's own reports, on entities they can read
  (someone else's shared report is read-only: 403 on a change; one not shared with the caller
  does not exist: 404).
- Sharing (`shared_roles` not empty, or changed) needs reports:manage.
- Exporting needs <resource>:export on the entity's resource; every export is audited.
Every write is audited and published to the outbox (`report.created`, `report.updated`,
`report.deleted`, `report.exported`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol
from uuid import UUID
from zoneinfo import ZoneInfo

from app.auth.principal import Principal
from app.domain.analytics.reports import (
    ENTITIES,
    Catalogue,
    Report,
    catalogue,
    custom_entity,
    drill,
    drill_base,
    parse_report,
)
from app.domain.analytics.window import zone as to_zone
from app.domain.custom_fields.entities import CustomFieldDef
from app.domain.shared import clock
from app.domain.shared.access import scope_or_empty
from app.domain.shared.errors import NotFound, PermissionDenied, PreconditionFailed, ValidationFailed
from app.domain.shared.ports import AuditTrail, NewEvent, diff
from app.domain.shared.scope import DataScope

RESOURCE = "reports"
ENTITY = "report"
CHARTS = ("table", "bar", "line", "pie")


@dataclass(slots=True)
class SavedReport:
    id: UUID
    name: str
    description: str | None
    entity: str
    definition: dict[str, Any]
    chart: str
    owner_id: UUID
    shared_roles: list[str]
    created_at: datetime
    updated_at: datetime
    created_by: UUID | None
    updated_by: UUID | None
    version: int


class SavedReportRepository(Protocol):
    async def visible(self, tenant_id: UUID, user_id: UUID, role_keys: list[str]) -> list[SavedReport]: ...
    async def get(self, tenant_id: UUID, report_id: UUID, *, for_update: bool = False) -> SavedReport | None: ...
    async def insert(self, tenant_id: UUID, actor: UUID, values: dict[str, Any]) -> SavedReport: ...
    async def update(self, tenant_id: UUID, report_id: UUID, actor: UUID, values: dict[str, Any]) -> SavedReport: ...
    async def delete(self, tenant_id: UUID, report_id: UUID, actor: UUID) -> None: ...


@dataclass(frozen=True, slots=True)
class Scopes:
    """The caller's read range on the report's resource; for campaign members also on contacts
    and leads (a member is listed only when its contact or lead is visible)."""

    main: DataScope
    contacts: DataScope | None = None
    leads: DataScope | None = None


class ReportReader(Protocol):
    async def zone(self, tenant_id: UUID) -> str: ...

    async def run(self, scopes: Scopes, report: Report, zone: str, now: datetime) -> list[dict[str, Any]]:
        """Rows of {group key: value, "label:<group key>": label, measure key: value}, at most limit + 1."""
        ...


class CustomFieldReader(Protocol):
    async def list_all(self, tenant_id: UUID, entity: str | None) -> list[CustomFieldDef]: ...


@dataclass(slots=True)
class Result:
    report: Report
    zone: str
    rows: list[dict[str, Any]]  # shaped for the API (see `shape`)
    truncated: bool

    def body(self) -> dict[str, Any]:
        return {
            "entity": self.report.entity.name,
            "definition": self.report.definition(),
            "columns": columns(self.report),
            "rows": self.rows,
            "truncated": self.truncated,
            "time_zone": self.zone,
        }


def columns(report: Report) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [
        {"key": g.key, "kind": "group", "field": g.field.name, "label": g.field.label, "grain": g.grain}
        for g in report.groupings
    ]
    out += [
        {"key": m.key, "kind": "measure", "field": m.field.name if m.field else None, "fn": m.fn.value,
         "label": m.field.label if m.field else "Count", "money": m.currency is not None}
        for m in report.measures
    ]  # fmt: skip
    return out


def _json(value: Any) -> Any:
    kind = type(value)
    if kind is Decimal or kind is UUID:
        return str(value)
    if kind is date or kind is datetime:
        return value.isoformat()
    return value


def shape(report: Report, rows: list[dict[str, Any]], tz: ZoneInfo) -> list[dict[str, Any]]:
    """API rows: each group's value and label, each measure, and where the row's records are.
    Up to 5,000 rows: the keys, the shared part of the drill-down and each group value's
    conditions are worked out once, not per row."""
    out = []
    base = drill_base(report, tz)
    groups = [(g.key, f"label:{g.key}") for g in report.groupings]
    measures = [m.key for m in report.measures]
    conditions: dict[tuple[int, Any], list[dict[str, Any]]] = {}
    for row in rows[: report.limit]:
        out.append({
            "groups": [{"key": key, "value": _json(row[key]), "label": row.get(label)} for key, label in groups],
            "values": {key: _json(row[key]) for key in measures},
            "drill": drill(report, row, tz, base, conditions),
        })  # fmt: skip
    return out


class ReportService:
    def __init__(
        self, saved: SavedReportRepository, reader: ReportReader, custom_fields: CustomFieldReader, audit: AuditTrail
    ) -> None:
        self.saved = saved
        self.reader = reader
        self.custom_fields = custom_fields
        self.audit = audit

    # -- the builder -------------------------------------------------------------------------

    async def catalogue(self, principal: Principal, entity: str) -> Catalogue:
        if entity not in ENTITIES:
            raise ValidationFailed.one("entity", f"must be one of: {', '.join(ENTITIES)}")
        custom_name = custom_entity(entity)
        custom = {entity: await self.custom_fields.list_all(principal.tenant_id, custom_name)} if custom_name else {}
        return catalogue(entity, custom)

    async def fields(self, principal: Principal, entity: str) -> Catalogue:
        principal.require(RESOURCE, "read")
        return await self.catalogue(principal, entity)

    async def parse(self, principal: Principal, raw: dict[str, Any], zone: str) -> Report:
        entity = raw.get("entity")
        if not isinstance(entity, str) or entity not in ENTITIES:
            raise ValidationFailed.one("entity", f"must be one of: {', '.join(ENTITIES)}")
        cat = await self.catalogue(principal, entity)
        return parse_report(raw, cat, today=clock.utcnow().astimezone(to_zone(zone)).date())

    # -- running -----------------------------------------------------------------------------

    async def run_unsaved(self, principal: Principal, raw: dict[str, Any]) -> Result:
        principal.require(RESOURCE, "read")
        zone = await self.reader.zone(principal.tenant_id)
        report = await self.parse(principal, raw, zone)
        return await self._run(principal, report, zone)

    async def run(self, principal: Principal, report_id: UUID) -> Result:
        saved = await self.get(principal, report_id)
        return await self.run_unsaved(principal, saved.definition)

    async def _run(self, principal: Principal, report: Report, zone: str) -> Result:
        main = principal.scope(report.entity.resource, "read")
        if report.entity.name == "tickets":  # as the tickets list reads them: their openers too
            main = replace(main, creator_reads=True)
        scopes = Scopes(main)
        if report.entity.name == "campaign_members":
            people = scope_or_empty(principal, "contacts", "read"), scope_or_empty(principal, "leads", "read")
            scopes = Scopes(scopes.main, *people)
        rows = await self.reader.run(scopes, report, zone, clock.utcnow())
        return Result(report, zone, shape(report, rows, to_zone(zone)), len(rows) > report.limit)

    async def export(self, principal: Principal, raw: dict[str, Any], report_id: UUID | None, fmt: str) -> Result:
        """The rows of a report for a file, after checking the export permission; audited."""
        principal.require(RESOURCE, "read")
        zone = await self.reader.zone(principal.tenant_id)
        report = await self.parse(principal, raw, zone)
        principal.require(report.entity.resource, "export")
        result = await self._run(principal, report, zone)
        facts = {"report_id": report_id, "entity": report.entity.name, "format": fmt, "rows": len(result.rows)}
        subject = report_id or principal.user_id
        await self.audit.record(
            principal, f"{ENTITY}.exported", RESOURCE, subject, {"exported": {"before": None, "after": facts}},
            events=[NewEvent(f"{ENTITY}.exported", ENTITY, subject, facts)],
        )  # fmt: skip
        return result

    # -- saved reports -----------------------------------------------------------------------

    async def list(self, principal: Principal) -> list[SavedReport]:
        principal.require(RESOURCE, "read")
        return await self.saved.visible(principal.tenant_id, principal.user_id, _role_keys(principal))

    async def get(self, principal: Principal, report_id: UUID) -> SavedReport:
        principal.require(RESOURCE, "read")
        found = await self.saved.get(principal.tenant_id, report_id)
        if found is None or not _visible(principal, found):
            raise NotFound("no such report")
        return found

    async def create(self, principal: Principal, values: dict[str, Any]) -> SavedReport:
        principal.require(RESOURCE, "create")
        if values.get("shared_roles"):
            principal.require(RESOURCE, "manage")
        zone = await self.reader.zone(principal.tenant_id)
        report = await self.parse(principal, values["definition"], zone)
        principal.require(report.entity.resource, "read")  # a report one could never run is no report
        row = {
            "name": values["name"], "description": values.get("description"), "entity": report.entity.name,
            "definition": report.definition(), "chart": values.get("chart") or "table", "owner_id": principal.user_id,
            "shared_roles": sorted(set(values.get("shared_roles") or [])),
        }  # fmt: skip
        made = await self.saved.insert(principal.tenant_id, principal.user_id, row)
        await self._record(principal, "created", made.id, diff(None, _comparable(made)), _comparable(made))
        return made

    async def update(
        self, principal: Principal, report_id: UUID, changes: dict[str, Any], *, expected_version: int | None
    ) -> SavedReport:
        principal.require(RESOURCE, "update")
        current = await self._mine(principal, report_id, expected_version)
        if "definition" in changes:
            zone = await self.reader.zone(principal.tenant_id)
            report = await self.parse(principal, changes["definition"], zone)
            principal.require(report.entity.resource, "read")
            changes["definition"], changes["entity"] = report.definition(), report.entity.name
        if "shared_roles" in changes:
            changes["shared_roles"] = sorted(set(changes["shared_roles"] or []))
            if changes["shared_roles"] != current.shared_roles:
                principal.require(RESOURCE, "manage")
        changes = {k: v for k, v in changes.items() if getattr(current, k) != v}
        if not changes:
            return current
        updated = await self.saved.update(principal.tenant_id, report_id, principal.user_id, changes)
        change_set = diff(_comparable(current), _comparable(updated))
        await self._record(principal, "updated", report_id, change_set, {"id": report_id, "changes": change_set})
        return updated

    async def delete(self, principal: Principal, report_id: UUID) -> None:
        principal.require(RESOURCE, "delete")
        await self._mine(principal, report_id, None)
        await self.saved.delete(principal.tenant_id, report_id, principal.user_id)
        await self._record(
            principal, "deleted", report_id, {"deleted": {"before": False, "after": True}}, {"id": report_id}
        )

    async def _mine(self, principal: Principal, report_id: UUID, expected_version: int | None) -> SavedReport:
        current = await self.saved.get(principal.tenant_id, report_id, for_update=True)
        if current is None or not _visible(principal, current):
            raise NotFound("no such report")
        if current.owner_id != principal.user_id:
            raise PermissionDenied("only the report's owner changes it")
        if expected_version is not None and expected_version != current.version:
            raise PreconditionFailed(f"the report is at version {current.version}, not {expected_version}")
        return current

    async def _record(
        self, principal: Principal, event: str, report_id: UUID, changes: dict[str, Any], payload: dict[str, Any]
    ) -> None:
        name = f"{ENTITY}.{event}"
        await self.audit.record(
            principal, name, RESOURCE, report_id, changes, events=[NewEvent(name, ENTITY, report_id, payload)]
        )


def _role_keys(principal: Principal) -> list[str]:
    return sorted({r.key for r in principal.roles})


def _visible(principal: Principal, report: SavedReport) -> bool:
    return report.owner_id == principal.user_id or bool(set(report.shared_roles) & set(_role_keys(principal)))


def _comparable(report: SavedReport) -> dict[str, Any]:
    keep = ("id", "name", "description", "entity", "definition", "chart", "owner_id", "shared_roles")
    return {k: getattr(report, k) for k in keep}

"""Request and response shapes of /api/v1/reports. A report's definition is checked by the domain
against its entity's declared fields (app/domain/analytics/reports.py): here it is JSON of bounded
size, so a bad part answers 422 naming it (`definition.groupings[1].grain`, `filters.conditions[0].op`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field

from app.api.v1.schemas.common import LongText, Name, RequestModel

ReportEntityName = Literal["customers", "contacts", "leads", "deals", "activities", "tickets", "campaign_members"]
Chart = Literal["table", "bar", "line", "pie"]
ExportFormat = Literal["csv", "xlsx"]
RoleKey = str

DEFINITION_DOC = (
    'A report: {"entity": "deals", "measures": [{"fn": "count"}, {"fn": "sum", "field": "amount"}], '
    '"groupings": [{"field": "owner"}, {"field": "created_at", "grain": "month"}], "filters": <a condition tree>, '
    '"period": {"field": "created_at", "from": "2026-01-01", "to": "2026-12-31"}, '
    '"sort": {"by": "count", "desc": true}, '
    '"limit": 500}. GET /reports/fields?entity= lists what each entity measures, groups and filters by. A money '
    "measure (a deal's amount) is grouped by currency automatically. Dates are local to the tenant's time zone."
)


class ReportMeasureIn(BaseModel):
    fn: Literal["count", "sum", "avg", "min", "max"]
    field: str | None = None


class ReportGroupingIn(BaseModel):
    field: str
    grain: Literal["day", "week", "month", "quarter", "year"] | None = None


class ReportPeriodIn(BaseModel):
    field: str
    from_: str | None = Field(None, alias="from")
    to: str | None = None


class ReportSortIn(BaseModel):
    by: str
    desc: bool = False


class ReportDefinition(BaseModel):
    """Documented shape; the domain parses the JSON itself (unknown members are 422)."""

    entity: ReportEntityName
    measures: list[ReportMeasureIn] = Field(default_factory=list, max_length=10)
    groupings: list[ReportGroupingIn] = Field(default_factory=list, max_length=2)
    filters: dict[str, Any] | None = None
    period: ReportPeriodIn | None = None
    sort: ReportSortIn | None = None
    limit: int = 500


class ReportRunBody(RequestModel):
    definition: dict[str, Any] = Field(description=DEFINITION_DOC)


class ReportCreate(RequestModel):
    name: Name
    description: LongText | None = None
    definition: dict[str, Any] = Field(description=DEFINITION_DOC)
    chart: Chart = "table"
    shared_roles: list[RoleKey] = Field(
        default_factory=list, max_length=50, description="Role keys the report is shared with (reports:manage)."
    )


class ReportPatch(RequestModel):
    name: Name = None  # type: ignore[assignment]
    description: LongText | None = None
    definition: dict[str, Any] | None = Field(None, description=DEFINITION_DOC)
    chart: Chart = None  # type: ignore[assignment]
    shared_roles: list[RoleKey] | None = Field(None, max_length=50)


class ReportOut(BaseModel):
    id: UUID
    name: str
    description: str | None
    entity: ReportEntityName
    definition: dict[str, Any]
    chart: Chart
    owner_id: UUID
    shared_roles: list[str]
    created_at: datetime
    updated_at: datetime
    created_by: UUID | None
    updated_by: UUID | None
    version: int


class ReportList(BaseModel):
    items: list[ReportOut]


class ReportColumn(BaseModel):
    key: str = Field(description="`owner`, `created_at:month`, `count`, `sum:amount`...")
    kind: Literal["group", "measure"]
    field: str | None
    label: str
    grain: str | None = None
    fn: str | None = None
    money: bool = False


class ReportGroupValue(BaseModel):
    key: str
    value: Any = Field(description="The group's value (an id, a text, a bucket's first local date); null: none.")
    label: str | None = Field(description="The name of a referenced record (owner, region, stage...).")


class ReportDrill(BaseModel):
    path: str = Field(description="The list endpoint of the records behind the row.")
    query: dict[str, str] = Field(description="Its query: `where`, a JSON condition tree.")


class ReportRow(BaseModel):
    groups: list[ReportGroupValue]
    values: dict[str, Any] = Field(description="Per measure key: a count, or a number as a decimal string.")
    drill: ReportDrill | None = Field(description="Where the row's records are (null: not listable).")


class ReportResult(BaseModel):
    entity: ReportEntityName
    definition: dict[str, Any]
    columns: list[ReportColumn]
    rows: list[ReportRow]
    truncated: bool = Field(description="More rows exist than the limit.")
    time_zone: str


class ReportFieldOption(BaseModel):
    name: str
    kind: Literal["text", "number", "date", "datetime", "bool", "choice", "ref", "tags", "campaign"]
    label: str
    label_zh: str = Field(description="The label in Chinese (zh-CN).")
    operators: list[str]
    choices: list[str]


class ReportCatalogue(BaseModel):
    entity: ReportEntityName
    filters: list[ReportFieldOption] = Field(description="Every field a filter may use, with its operators.")
    numbers: list[str] = Field(description="Fields sum / avg / min / max take.")
    groups: list[str] = Field(description="Fields a grouping may name.")
    dates: list[str] = Field(description="Date fields: a bucketed grouping, or the period.")
    money: list[str] = Field(description="Numbers measured per currency.")
    measures: list[str]
    grains: list[str]

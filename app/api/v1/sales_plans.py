"""/api/v1/sales-plans: thin HTTP shapes around SalesPlanService."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from functools import partial
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from app.api.deps import requires
from app.api.errors import problem_responses
from app.api.idempotency import IdempotentRoute
from app.api.responses import etag_for, json_response, record_response
from app.api.services import SalesPlans
from app.api.v1.lifecycle import lifecycle_routes
from app.api.v1.params import CursorParam, IfMatch, Limit, expected_version, owner_filter
from app.api.v1.schemas.common import LongText, Name, RequestModel
from app.api.v1.schemas.forecast import PERIOD_PATTERN
from app.auth.principal import Principal
from app.domain.plans.entities import PlanQuery
from app.domain.shared.paging import DEFAULT_LIMIT

router = APIRouter(route_class=IdempotentRoute, prefix="/sales-plans", tags=["sales-plans"])

READ = Annotated[Principal, requires("sales_plans:read")]
CREATE = Annotated[Principal, requires("sales_plans:create")]
UPDATE = Annotated[Principal, requires("sales_plans:update")]
Status = Literal["active", "closed"]


class PlanCreate(RequestModel):
    name: Name
    period: str = Field(pattern=PERIOD_PATTERN, description="A month (2026-11), quarter (2026-Q4) or year.")
    goal: LongText | None = None
    target_customer_ids: list[UUID] = Field(default_factory=list, max_length=200)
    target_lead_ids: list[UUID] = Field(default_factory=list, max_length=200)
    planned_activities: int = Field(0, ge=0, le=100_000, description="How many activities the plan takes.")
    owner_id: UUID | None = Field(None, description="Defaults to the caller; another user needs sales_plans:assign.")


class PlanPatch(RequestModel):
    name: Name = None  # type: ignore[assignment]
    period: str = Field(None, pattern=PERIOD_PATTERN)  # type: ignore[assignment]
    goal: LongText | None = None
    target_customer_ids: list[UUID] = Field(None, max_length=200)  # type: ignore[arg-type]
    target_lead_ids: list[UUID] = Field(None, max_length=200)  # type: ignore[arg-type]
    planned_activities: int = Field(None, ge=0, le=100_000)  # type: ignore[assignment]
    status: Status = None  # type: ignore[assignment]
    evaluation: LongText | None = Field(None, description="How it went.")


class PlanOut(BaseModel):
    id: UUID
    name: str
    period_kind: Literal["month", "quarter", "year"]
    period_start: date
    goal: str | None
    target_customer_ids: list[UUID]
    target_lead_ids: list[UUID]
    planned_activities: int
    status: Status
    evaluation: str | None
    owner_id: UUID
    department_id: UUID | None
    created_at: datetime
    updated_at: datetime
    created_by: UUID | None
    updated_by: UUID | None
    version: int


class ProgressOut(BaseModel):
    planned: int
    done: int = Field(description="The owner's done activities in the period with the plan's customers or leads.")
    scheduled: int = Field(description="Those still planned.")
    ratio: float | None = Field(description="done / planned.")


class PlanDetailOut(PlanOut):
    progress: ProgressOut


class PlanPage(BaseModel):
    items: list[PlanOut]
    next_cursor: str | None


_one = partial(record_response, collection="sales-plans")


@router.get(
    "",
    operation_id="sales_plans_list",
    response_model=PlanPage,
    summary="List sales plans in your data range",
    responses=problem_responses(401, 403, 422),
)
async def list_plans(
    caller: READ,
    service: SalesPlans,
    owner: Annotated[str | None, Query(max_length=36, description="`me` or a user id")] = None,
    status: Status | None = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: CursorParam = None,
) -> Response:
    query = PlanQuery(owner_id=owner_filter(owner, caller), status=status, limit=limit, cursor=cursor)
    page = await service.list_page(caller, query)
    return json_response({"items": page.items, "next_cursor": page.next_cursor})


@router.post(
    "",
    operation_id="sales_plans_create",
    status_code=201,
    response_model=PlanOut,
    summary="Make a sales plan",
    responses=problem_responses(401, 403, 413, 422),
)
async def create_plan(body: PlanCreate, caller: CREATE, service: SalesPlans) -> Response:
    return _one(await service.create(caller, body.model_dump()), 201)


@router.get(
    "/{plan_id}",
    operation_id="sales_plans_get",
    response_model=PlanDetailOut,
    summary="Get a sales plan with its progress (planned vs. done)",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_plan(plan_id: UUID, caller: READ, service: SalesPlans) -> Response:
    plan, progress = await service.progress(caller, plan_id)
    body = {**asdict(plan), "progress": {**asdict(progress), "ratio": progress.ratio}}
    return json_response(body, headers={"ETag": etag_for(plan.version)})


@router.patch(
    "/{plan_id}",
    operation_id="sales_plans_update",
    response_model=PlanOut,
    summary="Change a sales plan (close it with an evaluation, say)",
    responses=problem_responses(401, 403, 404, 412, 422),
)
async def update_plan(
    plan_id: UUID, body: PlanPatch, caller: UPDATE, service: SalesPlans, if_match: IfMatch = None
) -> Response:
    return _one(await service.update(caller, plan_id, body.changes(), expected_version=expected_version(if_match)))


lifecycle_routes(router, "sales_plans", "plan", SalesPlans, PlanOut)

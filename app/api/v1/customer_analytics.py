"""/api/v1/analytics/customers/...: lifecycle, RFM, churn risk and value ranking, within your
customers' data range (app/domain/analytics/customer_service.py)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from app.api.deps import requires
from app.api.errors import problem_responses
from app.api.responses import json_response
from app.api.services import CustomerAnalytics
from app.api.v1.schemas.customer_analytics import (
    CustomerChurnRiskPage,
    CustomerLifecycleOut,
    CustomerRfmOut,
    CustomerValueOut,
)
from app.auth.principal import Principal
from app.domain.shared.clock import utcnow

router = APIRouter(prefix="/analytics/customers", tags=["analytics"])

READ = Annotated[Principal, requires("customers:read")]


@router.get(
    "/lifecycle",
    operation_id="analytics_customers_lifecycle",
    response_model=CustomerLifecycleOut,
    summary="New, active, dormant and lost customers per period (tenant's time zone)",
    responses=problem_responses(401, 403, 422),
)
async def lifecycle(
    caller: READ,
    service: CustomerAnalytics,
    start: Annotated[date | None, Query(alias="from", description="First local date (default: 1 January).")] = None,
    to: Annotated[date | None, Query(description="Last local date, inclusive (default: today).")] = None,
    grain: Annotated[str | None, Query(max_length=10, description="day, week, month, quarter or year.")] = None,
    dormant_days: Annotated[int | None, Query(description="Days without a touch that make a customer dormant.")] = None,
) -> Response:
    return json_response(await service.lifecycle(caller, start, to, grain, dormant_days, utcnow()))


@router.get(
    "/rfm",
    operation_id="analytics_customers_rfm",
    response_model=CustomerRfmOut,
    summary="Customers and value per RFM segment, and the recency x frequency grid",
    responses=problem_responses(401, 403),
)
async def rfm(caller: READ, service: CustomerAnalytics) -> Response:
    return json_response(await service.rfm(caller))


@router.get(
    "/churn-risk",
    operation_id="analytics_customers_churn_risk",
    response_model=CustomerChurnRiskPage,
    summary="Customers ranked by churn risk, with the reasons",
    responses=problem_responses(401, 403, 422),
)
async def churn_risk(
    caller: READ,
    service: CustomerAnalytics,
    limit: Annotated[int | None, Query(description="Page size (max 200).")] = None,
    cursor: Annotated[str | None, Query(max_length=512, description="next_cursor of the previous page.")] = None,
) -> Response:
    return json_response(await service.churn_risk(caller, limit, cursor, utcnow()))


@router.get(
    "/value",
    operation_id="analytics_customers_value",
    response_model=CustomerValueOut,
    summary="Customers ranked by won value, per currency",
    responses=problem_responses(401, 403, 422),
)
async def value(
    caller: READ,
    service: CustomerAnalytics,
    limit: Annotated[int | None, Query(description="Customers per currency (max 200).")] = None,
    currency: Annotated[str | None, Query(max_length=3, description="One currency only (ISO 4217).")] = None,
) -> Response:
    return json_response(await service.value(caller, limit, currency))

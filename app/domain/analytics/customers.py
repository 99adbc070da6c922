"""Customer analysis (issue 15): lifecycle per period, RFM segments, churn risk and value ranking,
within the caller's customers read range.

The figures per customer are kept in `customer_metrics` by the worker (migration 0038 says how
and why); this module holds their rules, which the migration's SQL repeats and the tests check:

- RFM: a purchase is a live order not cancelled, or a live won deal without one (the order
  replaces its deal). R scores the latest purchase, F the purchases of the last 365 days, M the
  value of those purchases in the customer's main currency (that of its latest purchase). Each is
  1-5 by quintile of rank among the tenant's customers with a purchase (ties share the lower
  score); M is ranked among the customers of the same main currency, so amounts are never
  compared across currencies. Customers without any purchase have no scores and no segment.
- Segments: the standard RFM map over the R x F grid (M is shown, not mapped), see SEGMENT_MAP.
- Churn risk 0-100: no touch (done activity or purchase) for 90 days 40; open complaints 15 each
  up to 30; latest CSAT 1-2 20; fewer purchases in the last 90 days than in the 90 before 10. A
  lost customer scores 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Protocol
from uuid import UUID

from app.domain.analytics.window import Window, zone
from app.domain.shared.errors import ValidationFailed
from app.domain.shared.scope import DataScope

# The standard RFM segment map over (R, F), checked in this order (the first match names it).
SEGMENT_MAP: tuple[tuple[str, range, range], ...] = (
    ("cant_lose", range(1, 3), range(5, 6)),
    ("at_risk", range(1, 3), range(3, 5)),
    ("lost", range(1, 2), range(1, 2)),
    ("hibernating", range(1, 3), range(1, 3)),
    ("about_to_sleep", range(3, 4), range(1, 3)),
    ("need_attention", range(3, 4), range(3, 4)),
    ("champions", range(5, 6), range(4, 6)),
    ("loyal", range(3, 6), range(4, 6)),
    ("promising", range(4, 5), range(1, 2)),
    ("new", range(5, 6), range(1, 2)),
    ("potential_loyalist", range(4, 6), range(2, 4)),
)
SEGMENTS = (
    "champions", "loyal", "potential_loyalist", "new", "promising", "need_attention", "about_to_sleep",
    "at_risk", "cant_lose", "hibernating", "lost",
)  # fmt: skip

CHURN_INACTIVE_DAYS = 90
CHURN_INACTIVE, CHURN_COMPLAINT, CHURN_COMPLAINTS_MAX, CHURN_LOW_CSAT, CHURN_FALLING = 40, 15, 2, 20, 10
LOW_CSAT = 2  # a latest rating of 1 or 2 (of 5)
RISK_BANDS = {"high": (60, 101), "medium": (30, 60), "low": (1, 30)}
DORMANT_DAYS = 90
MAX_DORMANT_DAYS = 3650
MAX_LIMIT = 200


def segment_of(recency: int | None, frequency: int | None) -> str | None:
    if recency is None or frequency is None:
        return None
    return next(name for name, rs, fs in SEGMENT_MAP if recency in rs and frequency in fs)


def quintile(rank: int, count: int) -> int:
    """The 1-5 score of the `rank`-th (1-based, ties sharing the lowest rank) of `count` values."""
    return min(5, 1 + (5 * (rank - 1)) // count)


@dataclass(frozen=True, slots=True)
class ChurnFacts:
    status: str | None
    last_activity_at: datetime | None
    last_purchase_at: datetime | None
    open_complaints: int
    latest_csat: int | None
    orders_90d: int
    orders_prev_90d: int


def churn_reasons(facts: ChurnFacts, now: datetime) -> list[dict[str, Any]]:
    """Why a customer is at risk, each reason with its points and the figure behind it."""
    if facts.status == "lost":
        return []
    out: list[dict[str, Any]] = []
    touches = [at for at in (facts.last_activity_at, facts.last_purchase_at) if at is not None]
    last = max(touches) if touches else None
    if last is None or last <= now - timedelta(days=CHURN_INACTIVE_DAYS):
        days = None if last is None else (now - last).days
        out.append({"code": "no_activity", "points": CHURN_INACTIVE, "days": days})
    if facts.open_complaints:
        points = CHURN_COMPLAINT * min(facts.open_complaints, CHURN_COMPLAINTS_MAX)
        out.append({"code": "open_complaints", "points": points, "count": facts.open_complaints})
    if facts.latest_csat is not None and facts.latest_csat <= LOW_CSAT:
        out.append({"code": "low_csat", "points": CHURN_LOW_CSAT, "rating": facts.latest_csat})
    if facts.orders_prev_90d > facts.orders_90d:
        out.append(
            {"code": "falling_orders", "points": CHURN_FALLING, "last_90_days": facts.orders_90d,
             "previous_90_days": facts.orders_prev_90d}
        )  # fmt: skip
    return out


def churn_score(facts: ChurnFacts, now: datetime) -> int:
    return sum(int(r["points"]) for r in churn_reasons(facts, now))


def dormant_days(value: int | None) -> int:
    n = DORMANT_DAYS if value is None else value
    if not 1 <= n <= MAX_DORMANT_DAYS:
        raise ValidationFailed.one("dormant_days", f"must be between 1 and {MAX_DORMANT_DAYS}")
    return n


def page_limit(value: int | None, default: int = 50) -> int:
    n = default if value is None else value
    if not 1 <= n <= MAX_LIMIT:
        raise ValidationFailed.one("limit", f"must be between 1 and {MAX_LIMIT}")
    return n


class CustomerAnalyticsRepository(Protocol):
    async def zone(self, tenant_id: UUID) -> str: ...

    async def lifecycle(
        self, scope: DataScope, window: Window, zone: str, dormant_days: int, now: datetime
    ) -> dict[date, dict[str, int]]:
        """Per bucket start: new, active, dormant and lost customers in range."""
        ...

    async def rfm(self, scope: DataScope) -> list[dict[str, Any]]:
        """Rows of (recency, frequency, segment, currency, customers, monetary) in range."""
        ...

    async def churn_risk(
        self, scope: DataScope, limit: int, after: tuple[int, UUID] | None
    ) -> list[dict[str, Any]]: ...

    async def value(self, scope: DataScope, limit: int, currency: str | None) -> list[dict[str, Any]]: ...


def local_today(now: datetime, zone_name: str) -> date:
    return now.astimezone(zone(zone_name)).date()

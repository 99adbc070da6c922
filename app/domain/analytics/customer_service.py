"""Customer analysis use cases: each reads through the caller's customers read range (403
without customers:read) and shapes the figures with where their records are (`drill`: the
customer list and the filters it understands)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from app.auth.principal import Principal
from app.domain.analytics.customers import (
    SEGMENTS,
    ChurnFacts,
    CustomerAnalyticsRepository,
    churn_reasons,
    dormant_days,
    local_today,
    page_limit,
    segment_of,
)
from app.domain.analytics.window import Window, next_bucket, zone
from app.domain.shared.errors import ValidationFailed
from app.domain.shared.paging import Cursor, Sort

CUSTOMERS = "/api/v1/customers"
_CHURN_SORT = Sort("churn_score", descending=True)


def _drill(**query: Any) -> dict[str, Any]:
    return {"path": CUSTOMERS, "query": {k: v for k, v in query.items() if v is not None}}


def _money(amounts: dict[str, Decimal]) -> list[dict[str, str]]:
    return [{"currency": cur, "amount": f"{amount:.2f}"} for cur, amount in sorted(amounts.items())]


class CustomerAnalyticsService:
    def __init__(self, repo: CustomerAnalyticsRepository) -> None:
        self.repo = repo

    async def lifecycle(
        self,
        principal: Principal,
        start: date | None,
        to: date | None,
        grain: str | None,
        dormant: int | None,
        now: datetime,
    ) -> dict[str, Any]:
        scope = principal.scope("customers", "read")
        zone_name = await self.repo.zone(principal.tenant_id)
        window = Window.parse(start, to, grain, today=local_today(now, zone_name))
        days = dormant_days(dormant)
        counted = await self.repo.lifecycle(scope, window, zone_name, days, now)
        tz = zone(zone_name)

        def instant(day: date) -> str:
            return datetime.combine(day, time(), tzinfo=tz).astimezone(UTC).isoformat().replace("+00:00", "Z")

        today = local_today(now, zone_name)
        series = []
        for first in window.buckets():
            lo, hi = max(first, window.start), min(next_bucket(first, window.grain), window.end)
            # Dormant at the bucket's end, or at the end of today for the current bucket.
            dormant_at = min(hi, today + timedelta(days=1))
            span = {"created_from": instant(lo), "created_to": instant(hi)}
            series.append(
                {
                    "period": first,
                    **counted[first],
                    "drill": {
                        "new": _drill(**span),
                        "active": _drill(touched_from=instant(lo), touched_to=instant(hi)),
                        "dormant": _drill(dormant_at=instant(dormant_at), dormant_days=days) if lo <= today else None,
                        "lost": _drill(status="lost", lost_from=instant(lo), lost_to=instant(hi)),
                    },
                }
            )
        return {**_window(window, zone_name), "dormant_days": days, "series": series}

    async def rfm(self, principal: Principal) -> dict[str, Any]:
        scope = principal.scope("customers", "read")
        rows = await self.repo.rfm(scope)
        segments: dict[str, dict[str, Any]] = {s: {"customers": 0, "monetary": defaultdict(Decimal)} for s in SEGMENTS}
        grid: dict[tuple[int, int], int] = defaultdict(int)
        monetary_total: dict[str, Decimal] = defaultdict(Decimal)
        for row in rows:
            seg = segments[row["rfm_segment"]]
            seg["customers"] += row["customers"]
            if row["currency"] is not None and row["monetary"] is not None:
                seg["monetary"][row["currency"]] += row["monetary"]
                monetary_total[row["currency"]] += row["monetary"]
            grid[(row["recency_score"], row["frequency_score"])] += row["customers"]
        total = sum(s["customers"] for s in segments.values())
        return {
            "scored": total,
            "monetary": _money(monetary_total),
            "segments": [
                {
                    "segment": name,
                    "customers": seg["customers"],
                    "share": round(seg["customers"] / total, 4) if total else None,
                    "monetary": _money(seg["monetary"]),
                    "drill": _drill(rfm_segment=name),
                }
                for name, seg in segments.items()
            ],
            "grid": [
                {
                    "recency": r,
                    "frequency": f,
                    "segment": segment_of(r, f),
                    "customers": grid[(r, f)],
                    "drill": _drill(rfm_recency=r, rfm_frequency=f),
                }
                for r in range(5, 0, -1)
                for f in range(1, 6)
            ],
        }

    async def churn_risk(
        self, principal: Principal, limit: int | None, cursor: str | None, now: datetime
    ) -> dict[str, Any]:
        scope = principal.scope("customers", "read")
        n = page_limit(limit)
        after = None
        if cursor is not None:
            position = Cursor.decode(cursor, _CHURN_SORT, datetime_field=False)
            if not isinstance(position.value, int):
                raise ValidationFailed.one("cursor", "is not a cursor this list handed out (or the sort changed)")
            after = (position.value, position.id)
        rows = await self.repo.churn_risk(scope, n + 1, after)
        items = []
        for row in rows[:n]:
            facts = ChurnFacts(
                row["status"], row["last_activity_at"], row["last_purchase_at"], row["open_complaints"],
                row["latest_csat"], row["orders_90d"], row["orders_prev_90d"],
            )  # fmt: skip
            items.append(
                {
                    "customer_id": row["customer_id"],
                    "name": row["name"],
                    "owner_id": row["owner_id"],
                    "score": row["churn_score"],
                    "rfm_segment": row["rfm_segment"],
                    "last_activity_at": row["last_activity_at"],
                    # As scored (the worker's last round): the reasons and the score agree.
                    "reasons": churn_reasons(facts, row["scored_at"] or now),
                    "drill": {"path": f"{CUSTOMERS}/{row['customer_id']}", "query": {}},
                }
            )
        next_cursor = None
        if len(rows) > n:
            last = rows[n - 1]
            next_cursor = Cursor(str(_CHURN_SORT), int(last["churn_score"]), last["customer_id"]).encode()
        return {"items": items, "next_cursor": next_cursor}

    async def value(self, principal: Principal, limit: int | None, currency: str | None) -> dict[str, Any]:
        scope = principal.scope("customers", "read")
        n = page_limit(limit, default=20)
        if currency is not None and (len(currency) != 3 or not currency.isalpha() or not currency.isupper()):
            raise ValidationFailed.one("currency", "an ISO 4217 code, such as CNY")
        rows = await self.repo.value(scope, n, currency)
        by_currency: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in rows:
            items = by_currency[row["currency"]]
            items.append(
                {
                    "rank": len(items) + 1,
                    "customer_id": row["customer_id"],
                    "name": row["name"],
                    "owner_id": row["owner_id"],
                    "value": {"currency": row["currency"], "amount": f"{row['won_value']:.2f}"},
                    "purchases": row["purchases"],
                    "drill": {"path": f"{CUSTOMERS}/{row['customer_id']}", "query": {}},
                }
            )
        return {
            "currencies": [
                {"currency": cur, "customers": items, "drill": _drill(value_currency=cur)}
                for cur, items in sorted(by_currency.items())
            ]
        }


def _window(window: Window, zone_name: str) -> dict[str, Any]:
    return {
        "from": window.start,
        "to": window.end - timedelta(days=1),
        "grain": window.grain.value,
        "time_zone": zone_name,
    }

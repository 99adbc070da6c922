"""Pieces the lead, activity and reason analyses share: money per currency, rates, the window as
the response echoes it, drill-downs and the caller's local today."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from app.domain.analytics.window import Window, zone

CENT = Decimal("0.01")


def money(amounts: Mapping[str, Decimal]) -> list[dict[str, Any]]:
    """[{"currency", "amount"}] sorted by currency: never a sum across currencies."""
    return [{"currency": c, "amount": amounts[c].quantize(CENT)} for c in sorted(amounts)]


def add_money(into: dict[str, Decimal], currency: str, amount: Decimal) -> None:
    into[currency] = into.get(currency, Decimal(0)) + amount


def rate(part: int, whole: int) -> float | None:
    """part / whole to four places; None when there is nothing to divide by."""
    return round(part / whole, 4) if whole else None


def days(value: float | Decimal | None) -> float | None:
    return None if value is None else round(float(value), 2)


def local_today(now: datetime, time_zone: str) -> date:
    return now.astimezone(UTC).astimezone(zone(time_zone)).date()


def window_echo(window: Window, time_zone: str) -> dict[str, Any]:
    """The window as every analysis answers it: inclusive local dates."""
    last = window.end - timedelta(days=1)
    return {"from": window.start, "to": last, "grain": window.grain.value, "time_zone": time_zone}


def instants_query(window: Window, time_zone: str, start: str, end: str) -> dict[str, str]:
    """The window as a list endpoint's `<x>_from` / `<x>_to` query parameters (UTC instants)."""
    lo, hi = window.instants(zone(time_zone))
    return {start: lo.isoformat().replace("+00:00", "Z"), end: hi.isoformat().replace("+00:00", "Z")}


def drill(path: str, query: Mapping[str, Any]) -> dict[str, Any]:
    return {"path": path, "query": {k: str(v) for k, v in query.items() if v is not None}}


def zero_filled(
    window: Window, counted: Mapping[date, Mapping[str, Any]], zero: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """One point per bucket of the window, oldest first; buckets without records count zero."""
    return [{"bucket": at, **zero, **counted.get(at, {})} for at in window.buckets()]


def ordered(keys: Iterable[str | None]) -> list[str | None]:
    """Keys in a stable order, the empty key (no owner, no campaign...) last."""
    listed = list(keys)
    present = [k for k in listed if k is not None]
    return sorted(present) + ([None] if None in listed else [])

"""Quote and order use cases: the shared owned-record ones (app/domain/shared/owned.py) plus the
documents' own rules: a quote is made from a deal the caller can read (its line items copied),
moves draft -> sent -> accepted | rejected and is frozen once accepted; an order is made from an
accepted quote, once. Numbers come from the tenant's gap-free counters."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from app.auth.principal import Principal
from app.domain.opportunities.ports import OpportunityRepository
from app.domain.quotes.entities import QUOTE_MOVES, Order, OrderStatus, Quote, QuoteStatus
from app.domain.quotes.ports import DealLines, Numbering, OrderRepository, QuoteRepository
from app.domain.shared.access import scope_or_empty
from app.domain.shared.errors import Conflict, InvalidTransition, ValidationFailed
from app.domain.shared.owned import OwnedRecords, WriteContextRepository
from app.domain.shared.ports import AuditTrail, EventOutbox


class QuoteService(OwnedRecords[Quote]):
    resource = "quotes"
    entity = "quote"
    records: QuoteRepository

    def __init__(
        self,
        quotes: QuoteRepository,
        deals: OpportunityRepository,
        lines: DealLines,
        numbering: Numbering,
        context: WriteContextRepository,
        audit: AuditTrail,
        outbox: EventOutbox,
    ) -> None:
        super().__init__(quotes, context, audit, outbox)
        self.deals = deals
        self.lines = lines
        self.numbering = numbering

    async def _prepare_create(self, principal: Principal, values: dict[str, Any], *, allow_duplicate: bool) -> None:
        deal = await self.deals.get(scope_or_empty(principal, "opportunities", "read"), values["opportunity_id"])
        if deal is None:
            raise ValidationFailed.one("opportunity_id", "is not a deal you can see")
        items = [
            {"product_name": li.product_name, "quantity": str(li.quantity), "unit_price": str(li.unit_price),
             "discount_percent": str(li.discount_percent), "total": str(li.total)}
            for li in await self.lines.line_items(principal.tenant_id, deal.id)
        ]  # fmt: skip
        if not items:
            items = [{"product_name": deal.name, "quantity": "1", "unit_price": str(deal.amount),
                      "discount_percent": "0", "total": str(deal.amount)}]  # fmt: skip
        values |= {
            "customer_id": deal.customer_id,
            "currency": deal.currency,
            "items": items,
            "total": sum((Decimal(i["total"]) for i in items), Decimal(0)),
            "status": QuoteStatus.DRAFT.value,
            "number": f"Q{await self.numbering.next_number(principal.tenant_id, 'quote'):06d}",
        }

    async def _prepare_update(
        self, principal: Principal, current: Quote, changes: dict[str, Any], *, allow_duplicate: bool
    ) -> None:
        if current.status == QuoteStatus.ACCEPTED:
            raise Conflict("an accepted quote is final; it lives on as its order")
        target = changes.get("status", current.status)
        if target != current.status and target not in QUOTE_MOVES[current.status]:
            raise InvalidTransition(f"a {current.status} quote cannot become {target}")


class OrderService(OwnedRecords[Order]):
    resource = "orders"
    entity = "order"
    records: OrderRepository

    def __init__(
        self,
        orders: OrderRepository,
        quotes: QuoteRepository,
        numbering: Numbering,
        context: WriteContextRepository,
        audit: AuditTrail,
        outbox: EventOutbox,
    ) -> None:
        super().__init__(orders, context, audit, outbox)
        self.quotes = quotes
        self.numbering = numbering

    async def _prepare_create(self, principal: Principal, values: dict[str, Any], *, allow_duplicate: bool) -> None:
        quote = await self.quotes.get(scope_or_empty(principal, "quotes", "read"), values["quote_id"])
        if quote is None:
            raise ValidationFailed.one("quote_id", "is not a quote you can see")
        if quote.status != QuoteStatus.ACCEPTED:
            raise ValidationFailed.one("quote_id", "only an accepted quote becomes an order")
        existing = await self.records.for_quote(principal.tenant_id, quote.id)
        if existing is not None:
            raise Conflict("this quote already has its order", existing_id=str(existing))
        values |= {
            "opportunity_id": quote.opportunity_id,
            "customer_id": quote.customer_id,
            "currency": quote.currency,
            "items": quote.items,
            "total": quote.total,
            "status": OrderStatus.CONFIRMED.value,
            "number": f"SO{await self.numbering.next_number(principal.tenant_id, 'order'):06d}",
        }

    async def _prepare_update(
        self, principal: Principal, current: Order, changes: dict[str, Any], *, allow_duplicate: bool
    ) -> None:
        if current.status == OrderStatus.CANCELLED and changes.get("status", current.status) == OrderStatus.CANCELLED:
            raise Conflict("a cancelled order is closed")

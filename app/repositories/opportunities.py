"""Opportunities in PostgreSQL: the shared owned-record adapter (app/repositories/owned.py), their
line items and stage history, and the pipeline board."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import UUID as PGUUID

from app.domain.opportunities.entities import (
    CENT,
    SORTABLE,
    BoardCard,
    BoardColumn,
    LineItem,
    Opportunity,
    StageChange,
)
from app.domain.pipelines.entities import Pipeline
from app.domain.shared.ids import new_id
from app.domain.shared.normalize import search_text
from app.domain.shared.scope import DataScope
from app.repositories import deal_facts as facts
from app.repositories.deal_sums import deal_sums, deal_sums_kind
from app.repositories.owned import OwnedTable, Term
from app.repositories.prepared import Prepared, StatementCache
from app.repositories.scoping import Shape, scope_clause, scope_params, scope_shape
from app.repositories.tables import (
    opportunities,
    opportunity_line_items,
    opportunity_stage_history,
)

t, li, h = opportunities, opportunity_line_items, opportunity_stage_history
ITEM_COLUMNS = [li.c[name] for name in LineItem.__dataclass_fields__]
HISTORY_COLUMNS = [h.c[name] for name in StageChange.__dataclass_fields__]
CARD_COLUMNS = [t.c[name] for name in BoardCard.__dataclass_fields__]
_HISTORY_INSERT = Prepared.insert(
    h, ("tenant_id", "id", "opportunity_id", "from_stage_id", "to_stage_id", "changed_by", "seconds_in_from_stage")
)

# The board's statements, prepared per scope shape (app/repositories/prepared.py).
_STATEMENTS = StatementCache()


def _board_totals(shape: Shape) -> sa.ClauseElement:
    d = deal_sums(shape, pipeline=True)
    return (
        sa.select(
            d.c.stage_id,
            sa.func.sum(d.c.deals).label("n"),
            sa.func.sum(d.c.amount).label("amount"),
            sa.func.sum(d.c.weighted).label("weighted"),
        )
        .group_by(d.c.stage_id)
        .having(sa.func.sum(d.c.deals) > 0)
    )


def derived(values: dict[str, Any]) -> dict[str, Any]:
    return {"search_text": search_text(values.get("name"), values.get("next_step"))}


class PgOpportunityRepository(OwnedTable[Opportunity]):
    table = t
    record = Opportunity
    sortable = SORTABLE
    fk_fields = {
        "fk_opportunities_customer": "customer_id",
        "fk_opportunities_contact": "primary_contact_id",
        "fk_opportunities_lead": "source_lead_id",
        "fk_opportunities_owner": "owner_id",
    }
    derived_from = ("name", "next_step")
    derived = staticmethod(derived)

    def query_terms(self, query: Any) -> list[Term]:
        """The naming convention's filters, and the drill-down ones of sales analysis."""
        drills = [
            Term(name, getattr(query, name), predicate, PGUUID(as_uuid=True) if name.endswith("_stage") else sa.Text)
            for name, predicate in facts.DRILL_FILTERS.items()
            if getattr(query, name) is not None
        ]
        rest = replace(query, **dict.fromkeys(facts.DRILL_FILTERS))
        return [*super().query_terms(rest), *drills]

    async def line_items(self, tenant_id: UUID, opportunity_id: UUID) -> list[LineItem]:
        stmt = sa.select(*ITEM_COLUMNS).where(li.c.tenant_id == tenant_id, li.c.opportunity_id == opportunity_id)
        return [LineItem(*row) for row in await self.conn.execute(stmt.order_by(li.c.position))]

    async def replace_line_items(self, tenant_id: UUID, opportunity_id: UUID, items: list[dict[str, Any]]) -> None:
        await self.conn.execute(li.delete().where(li.c.tenant_id == tenant_id, li.c.opportunity_id == opportunity_id))
        if items:
            await self.conn.execute(
                li.insert(),
                [
                    {
                        "tenant_id": tenant_id,
                        "id": new_id(),
                        "opportunity_id": opportunity_id,
                        "position": position,
                        "discount_percent": 0,
                        **item,
                    }
                    for position, item in enumerate(items)
                ],
            )

    async def stage_history(self, tenant_id: UUID, opportunity_id: UUID) -> list[StageChange]:
        stmt = sa.select(*HISTORY_COLUMNS).where(h.c.tenant_id == tenant_id, h.c.opportunity_id == opportunity_id)
        return [StageChange(*row) for row in await self.conn.execute(stmt.order_by(h.c.changed_at, h.c.id))]

    async def record_stage_change(
        self,
        tenant_id: UUID,
        opportunity_id: UUID,
        from_stage: UUID | None,
        to_stage: UUID,
        actor: UUID | None,
        seconds_in_from_stage: int | None,
    ) -> None:
        await _HISTORY_INSERT.rows(
            self.conn,
            {
                "tenant_id": tenant_id,
                "id": new_id(),
                "opportunity_id": opportunity_id,
                "from_stage_id": from_stage,
                "to_stage_id": to_stage,
                "changed_by": actor,
                "seconds_in_from_stage": seconds_in_from_stage,
            },
        )

    @staticmethod
    def _board_cards(shape: Shape) -> sa.ClauseElement:
        """The first `cards` deals of each of `stage_ids` (most recently updated first), one
        index range per stage (ix_opportunities_board)."""
        stage = (
            sa.func.unnest(sa.bindparam("stage_ids", type_=ARRAY(t.c.stage_id.type)))
            .table_valued("stage_id")
            .render_derived(name="stage")
        )
        firsts = (
            sa.select(*CARD_COLUMNS)
            .where(
                scope_clause(t, shape),
                t.c.pipeline_id == sa.bindparam("pipeline_id", type_=t.c.pipeline_id.type),
                t.c.stage_id == stage.c.stage_id,
                t.c.deleted_at.is_(None),
            )
            .order_by(t.c.updated_at.desc(), t.c.id.desc())
            .limit(sa.bindparam("cards", type_=sa.Integer))
            .lateral("card")
        )
        newest = (firsts.c.updated_at.desc(), firsts.c.id.desc())
        return sa.select(firsts).select_from(stage).join(firsts, sa.true()).order_by(*newest)

    async def board(self, scope: DataScope, pipeline: Pipeline, cards: int) -> list[BoardColumn]:
        shape = scope_shape(scope)
        params = {**scope_params(scope), "pipeline_id": pipeline.id}
        totals_of = _STATEMENTS.get(("board_totals", shape, deal_sums_kind(shape)), lambda: _board_totals(shape))
        totals = {row.stage_id: row for row in await totals_of.rows(self.conn, params)}
        by_stage: dict[UUID, list[BoardCard]] = {}
        filled = [stage.id for stage in pipeline.stages if stage.id in totals]
        if filled:
            firsts = _STATEMENTS.get(("board_cards", shape), lambda: self._board_cards(shape))
            for row in await firsts.rows(self.conn, {**params, "stage_ids": filled, "cards": cards}):
                card = BoardCard(*row)
                by_stage.setdefault(card.stage_id, []).append(card)
        zero = Decimal(0)
        return [
            BoardColumn(
                stage.id,
                int(totals[stage.id].n) if stage.id in totals else 0,
                (totals[stage.id].amount if stage.id in totals else zero).quantize(CENT),
                (totals[stage.id].weighted if stage.id in totals else zero).quantize(CENT),
                by_stage.get(stage.id, []),
            )
            for stage in pipeline.stages
        ]

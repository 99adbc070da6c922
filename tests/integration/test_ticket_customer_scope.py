"""The tickets' copies of their customer's owner and department (migration 0018) against their
definition, whatever writes the rows: after plain SQL inserts, customer changes, bulk reassignments
(many customers in one statement), deletes and restores, every ticket carries its live customer's
owner and department (nulls without one). And a ticket opened while its customer is being
reassigned ends up with the new owner."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from app.domain.shared.ids import new_id
from app.repositories.tables import customers, tickets
from tests.builders import Factory


async def mismatches(conn: Any, tenant_id: UUID) -> list[Any]:
    """Tickets whose copies differ from their live customer's values."""
    c = customers
    live = sa.and_(c.c.tenant_id == tickets.c.tenant_id, c.c.id == tickets.c.customer_id, c.c.deleted_at.is_(None))
    return list(
        await conn.execute(
            sa.select(tickets.c.number, tickets.c.customer_owner_id, c.c.owner_id)
            .select_from(tickets.outerjoin(c, live))
            .where(
                tickets.c.tenant_id == tenant_id,
                sa.or_(
                    tickets.c.customer_owner_id.is_distinct_from(c.c.owner_id),
                    tickets.c.customer_department_id.is_distinct_from(c.c.department_id),
                ),
            )
        )
    )


def ticket_row(tenant_id: UUID, number: str, customer_id: UUID | None) -> dict[str, Any]:
    return {
        "tenant_id": tenant_id,
        "id": new_id(),
        "number": number,
        "kind": "question",
        "channel": "email",
        "priority": "normal",
        "subject": number,
        "customer_id": customer_id,
    }


async def test_the_copies_follow_every_write(factory: Factory, engine: AsyncEngine) -> None:
    w = await factory.tenant()
    east, west = await w.department("East"), await w.department("West")
    ann, bob = await w.user("ann", ["sales_rep"], east), await w.user("bob", ["sales_rep"], west)
    ids = [new_id() for _ in range(6)]
    async with engine.begin() as conn:
        await conn.execute(
            customers.insert(),
            [
                {"tenant_id": w.id, "id": i, "name": f"c{n}", "owner_id": ann.id, "department_id": east}
                for n, i in enumerate(ids)
            ],
        )
        await conn.execute(
            tickets.insert(),
            [ticket_row(w.id, f"T{n}", ids[n % 6] if n % 7 else None) for n in range(30)],
        )
        assert await mismatches(conn, w.id) == []
        owned = (
            await conn.execute(
                sa.select(sa.func.count()).where(tickets.c.tenant_id == w.id, tickets.c.customer_owner_id == ann.id)
            )
        ).scalar_one()
        assert owned == 25  # all but the tickets without a customer
        # A bulk reassignment (one statement, many customers), as the customers' transfer does.
        await conn.execute(
            customers.update()
            .where(customers.c.tenant_id == w.id, customers.c.id.in_(ids[:4]))
            .values(owner_id=bob.id, department_id=west)
        )
        assert await mismatches(conn, w.id) == []
        # Edits that leave owner and department alone; a delete and a restore.
        await conn.execute(customers.update().where(customers.c.tenant_id == w.id).values(name=customers.c.name + "!"))
        await conn.execute(
            customers.update().where(customers.c.id == ids[0]).values(deleted_at=sa.func.now(), department_id=None)
        )
        assert await mismatches(conn, w.id) == []
        await conn.execute(customers.update().where(customers.c.id == ids[0]).values(deleted_at=None))
        # Tickets moved between customers, to none, and from none.
        await conn.execute(
            tickets.update()
            .where(tickets.c.tenant_id == w.id, tickets.c.customer_id == ids[5])
            .values(customer_id=ids[1])
        )
        await conn.execute(
            tickets.update()
            .where(tickets.c.tenant_id == w.id, tickets.c.customer_id == ids[2])
            .values(customer_id=None)
        )
        await conn.execute(
            tickets.update()
            .where(tickets.c.tenant_id == w.id, tickets.c.customer_id.is_(None))
            .values(customer_id=ids[4])
        )
        assert await mismatches(conn, w.id) == []
        # A write that sets the copies itself is overruled when it names the customer.
        await conn.execute(
            tickets.update()
            .where(tickets.c.tenant_id == w.id, tickets.c.customer_id == ids[4])
            .values(customer_id=ids[3], customer_owner_id=ann.id)
        )
        assert await mismatches(conn, w.id) == []


async def test_a_ticket_opened_during_a_reassignment_gets_the_new_owner(factory: Factory, engine: AsyncEngine) -> None:
    w = await factory.tenant()
    ann, bob = await w.user("ann", ["sales_rep"]), await w.user("bob", ["sales_rep"])
    customer = new_id()
    async with engine.begin() as conn:
        await conn.execute(customers.insert().values(tenant_id=w.id, id=customer, name="c", owner_id=ann.id))
    async with engine.connect() as reassigning, engine.connect() as opening:
        await reassigning.begin()
        await reassigning.execute(customers.update().where(customers.c.id == customer).values(owner_id=bob.id))
        await opening.begin()
        insert = asyncio.create_task(opening.execute(tickets.insert().values(ticket_row(w.id, "T1", customer))))
        await asyncio.sleep(0.3)
        assert not insert.done()  # waits for the reassignment, rather than copying the old owner
        await reassigning.commit()
        await insert
        await opening.commit()
    async with engine.connect() as conn:
        assert await mismatches(conn, w.id) == []
        owner = (await conn.execute(sa.select(tickets.c.customer_owner_id).where(tickets.c.tenant_id == w.id))).scalar()
        assert owner == bob.id

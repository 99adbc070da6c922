"""Sync feeds and data ranges narrowed by region and customer type (migration 0024): contacts
are narrowed through their customer, so a customer moved to another region takes its contacts
out of one range (tombstones) and into another (changes) without a write to the contacts; a
customer whose type changes leaves a type-narrowed range."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from app.domain.contacts.entities import ContactQuery
from app.domain.customers.entities import CustomerQuery
from app.domain.shared.ids import new_id
from app.domain.shared.scope import DataRange, DataScope, Grant
from app.repositories.contacts import PgContactRepository
from app.repositories.customers import PgCustomerRepository
from app.repositories.tables import contacts, customers, regions
from tests.builders import Factory

EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


async def _pass(engine: AsyncEngine, repo: Any, scope: DataScope, query: Any) -> tuple[list[Any], str]:
    async with engine.connect() as conn:
        page = await repo(conn).list_page(scope, query)
    assert page.next_cursor is None and page.next_sync_token is not None
    return page.items, page.next_sync_token


async def test_records_follow_their_customers_region_and_type(factory: Factory, engine: AsyncEngine) -> None:
    w = await factory.tenant()
    owner = await w.user("owner", ["sales_rep"])
    reader = await w.user("reader", ["sales_rep"])
    north, south, customer, contact = new_id(), new_id(), new_id(), new_id()
    async with engine.begin() as conn:
        await conn.execute(
            regions.insert(),
            [
                {"tenant_id": w.id, "id": north, "code": "n", "name": "North"},
                {"tenant_id": w.id, "id": south, "code": "s", "name": "South"},
            ],
        )
        await conn.execute(
            customers.insert().values(
                tenant_id=w.id, id=customer, name="Acme", owner_id=owner.id, region_id=north, customer_type="smb"
            )
        )
        await conn.execute(
            contacts.insert().values(tenant_id=w.id, id=contact, name="Ann", owner_id=owner.id, customer_id=customer)
        )

    def scope(**narrowing: Any) -> DataScope:
        return DataScope(w.id, reader.id, (), (Grant(DataRange.ALL, **narrowing),))

    north_only, south_only = scope(regions=frozenset({north})), scope(regions=frozenset({south}))
    smb_only = scope(customer_types=frozenset({"smb"}))
    first = ContactQuery(updated_since=EPOCH)
    items, north_token = await _pass(engine, PgContactRepository, north_only, first)
    assert [i.id for i in items] == [contact]
    items, south_token = await _pass(engine, PgContactRepository, south_only, first)
    assert items == []
    items, smb_token = await _pass(engine, PgCustomerRepository, smb_only, CustomerQuery(updated_since=EPOCH))
    assert [i.id for i in items] == [customer]

    async with engine.begin() as conn:
        moved = customers.update().where(customers.c.tenant_id == w.id, customers.c.id == customer)
        await conn.execute(moved.values(region_id=south, customer_type="enterprise"))

    items, north_token = await _pass(engine, PgContactRepository, north_only, ContactQuery(sync_token=north_token))
    assert [(i["id"], i["reason"]) for i in items] == [(contact, "out_of_range")]
    items, _ = await _pass(engine, PgContactRepository, south_only, ContactQuery(sync_token=south_token))
    assert [i.id for i in items] == [contact]
    items, _ = await _pass(engine, PgCustomerRepository, smb_only, CustomerQuery(sync_token=smb_token))
    assert [(i["id"], i["reason"]) for i in items] == [(customer, "out_of_range")]
    # Told once: the next pass from the new token is empty.
    items, _ = await _pass(engine, PgContactRepository, north_only, ContactQuery(sync_token=north_token))
    assert items == []


async def test_only_scope_columns_record_departures(factory: Factory, engine: AsyncEngine) -> None:
    """The trigger's WHEN clause: an ordinary edit appends nothing; an owner change one row."""
    w = await factory.tenant()
    a = await w.user("a", ["sales_rep"])
    b = await w.user("b", ["sales_rep"])
    customer = new_id()
    of_it = sa.text("SELECT count(*) FROM sync_departures WHERE tenant_id = :t AND record_id = :r")
    row = customers.c.tenant_id == w.id, customers.c.id == customer
    async with engine.begin() as conn:
        await conn.execute(customers.insert().values(tenant_id=w.id, id=customer, name="Acme", owner_id=a.id))
        await conn.execute(customers.update().where(*row).values(name="Acme Ltd"))
        assert (await conn.execute(of_it, {"t": w.id, "r": customer})).scalar_one() == 0
        await conn.execute(customers.update().where(*row).values(owner_id=b.id))
        await conn.execute(customers.update().where(*row).values(owner_id=a.id))  # same transaction: one row
        assert (await conn.execute(of_it, {"t": w.id, "r": customer})).scalar_one() == 1
        stamped = sa.select(customers.c.sync_xid, sa.func.pg_current_xact_id()).where(*row)
        xid, current = (await conn.execute(stamped)).one()
        assert xid == current and isinstance(xid, int)

"""DataScope -> SQL, checked against real rows: ranges, narrowing, union of grants, deny by default."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from app.domain.shared.ids import new_id
from app.domain.shared.scope import DataRange, DataScope, Grant
from app.repositories.scoping import scope_predicate
from app.repositories.tables import contacts, customers, regions
from tests.builders import Factory


@pytest.fixture
async def rows(factory: Factory, engine: AsyncEngine) -> dict[str, object]:
    w = await factory.tenant()
    east = await w.department("East")
    me = await w.user("me", ["sales_rep"], east)
    other = await w.user("other", ["sales_rep"])
    north, south = new_id(), new_id()
    made: dict[str, object] = {"tenant": w.id, "me": me.id, "east": east, "north": north, "south": south}
    async with engine.begin() as conn:
        await conn.execute(
            regions.insert(),
            [
                {"tenant_id": w.id, "id": north, "code": "n", "name": "North"},
                {"tenant_id": w.id, "id": south, "code": "s", "name": "South"},
            ],
        )
        for key, owner, dept, region, ctype in (
            ("mine_north_smb", me.id, east, north, "smb"),
            ("other_south_ent", other.id, None, south, "enterprise"),
        ):
            made[key] = new_id()
            await conn.execute(
                customers.insert().values(
                    tenant_id=w.id,
                    id=made[key],
                    name=key,
                    owner_id=owner,
                    department_id=dept,
                    region_id=region,
                    customer_type=ctype,
                )
            )
        for key, customer in (
            ("contact_north", made["mine_north_smb"]),
            ("contact_south", made["other_south_ent"]),
            ("contact_orphan", None),
        ):
            made[key] = new_id()
            await conn.execute(
                contacts.insert().values(
                    tenant_id=w.id, id=made[key], name=key, owner_id=other.id, customer_id=customer
                )
            )
    return made


async def _visible(engine: AsyncEngine, table: sa.Table, scope: DataScope) -> set[uuid.UUID]:
    async with engine.connect() as conn:
        result = await conn.execute(sa.select(table.c.id).where(scope_predicate(table, scope)))
        return set(result.scalars())


def _scope(rows: dict[str, object], *grants: Grant) -> DataScope:
    return DataScope(rows["tenant"], rows["me"], (rows["east"],), grants)  # type: ignore[arg-type]


async def test_ranges(engine: AsyncEngine, rows: dict[str, object]) -> None:
    everything = {rows["mine_north_smb"], rows["other_south_ent"]}
    assert await _visible(engine, customers, _scope(rows)) == set()
    assert await _visible(engine, customers, _scope(rows, Grant(DataRange.NONE))) == set()
    assert await _visible(engine, customers, _scope(rows, Grant(DataRange.OWN))) == {rows["mine_north_smb"]}
    assert await _visible(engine, customers, _scope(rows, Grant(DataRange.DEPARTMENT))) == {rows["mine_north_smb"]}
    assert await _visible(engine, customers, _scope(rows, Grant(DataRange.ALL))) == everything
    # a union: own OR everything in the south
    union = _scope(rows, Grant(DataRange.OWN), Grant(DataRange.ALL, regions=frozenset({rows["south"]})))  # type: ignore[arg-type]
    assert await _visible(engine, customers, union) == everything


async def test_narrowing_by_region_and_type(engine: AsyncEngine, rows: dict[str, object]) -> None:
    south_only = _scope(rows, Grant(DataRange.ALL, regions=frozenset({rows["south"]})))  # type: ignore[arg-type]
    assert await _visible(engine, customers, south_only) == {rows["other_south_ent"]}
    smb_only = _scope(rows, Grant(DataRange.ALL, customer_types=frozenset({"smb"})))
    assert await _visible(engine, customers, smb_only) == {rows["mine_north_smb"]}


async def test_narrowing_reaches_contacts_through_their_customer(engine: AsyncEngine, rows: dict[str, object]) -> None:
    south_only = _scope(rows, Grant(DataRange.ALL, regions=frozenset({rows["south"]})))  # type: ignore[arg-type]
    assert await _visible(engine, contacts, south_only) == {rows["contact_south"]}
    smb_only = _scope(rows, Grant(DataRange.ALL, customer_types=frozenset({"smb"})))
    assert await _visible(engine, contacts, smb_only) == {rows["contact_north"]}
    assert rows["contact_orphan"] in await _visible(engine, contacts, _scope(rows, Grant(DataRange.ALL)))

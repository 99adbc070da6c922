"""The filter compiler against real rows: for every declared field and operator, the records the
SQL matches are exactly those a direct Python evaluation of the condition picks
(tests/segment_data.py), alone and in random AND/OR trees; data ranges (own, department, all,
narrowed by region) hold around any tree; values that look like SQL are only values."""

from __future__ import annotations

import random
from datetime import date, datetime
from types import SimpleNamespace
from typing import Any
from uuid import UUID

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from app.domain.shared.conditions import (
    MEMBER_FUNNEL,
    MEMBER_OFF_FUNNEL,
    FieldSpec,
    Group,
    Kind,
    Leaf,
    Op,
    Schema,
    parse,
    schema_for,
)
from app.domain.shared.ids import new_id
from app.domain.shared.scope import DataRange, DataScope, Grant
from app.repositories.conditions import ENTITY_TABLES, compile_tree
from app.repositories.segments import matching
from tests.builders import Factory
from tests.segment_data import (
    INDUSTRIES,
    LEVELS,
    MAILS,
    NAMES,
    NOW,
    OPTIONS,
    PHONES,
    TAGS,
    TITLES,
    WECHAT,
    Data,
    Rec,
    build,
    holds,
)

# Columns every record has (NOT NULL): is_null cannot tell records apart on them.
NEVER_MISSING = {"name", "owner", "created_at", "updated_at", "is_primary", "status", "source", "score"}
CUSTOM_ENTITY = {"contacts": "contact", "leads": "lead"}
TEXTS = [*NAMES, *(t for t in TITLES if t), *MAILS, *PHONES, *WECHAT, *(x for x in LEVELS + INDUSTRIES if x),
         "Acme", "Initech", "某公司", "zzz", "smb", "enterprise"]  # fmt: skip
PIECES = ["ali", "ALI", "王", "%", "_", "'", "acme", "138", "@", "x.com", "wx_", ";", "--", "Zo", "b@ex"]


@pytest.fixture(scope="module")
def seeded() -> dict[str, Any]:
    return {}


async def _data(engine: AsyncEngine, factory: Factory, seeded: dict[str, Any]) -> Data:
    if "data" not in seeded:  # one tenant for the module's tests: its rows are never changed
        seeded["data"] = await build(engine, factory, seed=20261207)
    data: Data = seeded["data"]
    return data


def _schema(data: Data, entity: str) -> Schema:
    defs = [
        SimpleNamespace(key=k, type=ty, label=k, options=OPTIONS.get(k, []))
        for k, ty in data.customer_defs[CUSTOM_ENTITY[entity]].items()
    ]
    return schema_for([entity], {entity: defs})


def _observed(data: Data, spec: FieldSpec) -> list[Any]:
    """The JSON values a field holds in the data (list members one by one)."""
    out: list[Any] = []
    for recs in data.records.values():
        for r in recs:
            v = r.values.get(spec.name)
            for x in v if isinstance(v, list | set) else [v]:
                if isinstance(x, str | int | float) and not isinstance(x, bool) and x != "":
                    texty = spec.kind in (Kind.TEXT, Kind.CHOICE, Kind.TAGS)
                    if texty == isinstance(x, str) and (texty or spec.kind is Kind.NUMBER):
                        out.append(x)
                elif isinstance(x, UUID) and spec.kind is Kind.REF:
                    out.append(str(x))
                if spec.kind is Kind.DATE and isinstance(x, str | date) and not isinstance(x, datetime):
                    out.append(str(x))
                elif spec.kind is Kind.DATETIME and isinstance(x, datetime):
                    out.append(x.isoformat())
    return sorted(set(out), key=str)


def _value(rng: random.Random, spec: FieldSpec, op: Op, data: Data) -> Any:
    """A JSON value for the operator, drawn from what the data holds (and a little it does not)."""
    kind = spec.kind
    if op is Op.IS_NULL:
        return rng.random() < 0.5
    if op in (Op.WITHIN_LAST_DAYS, Op.MORE_THAN_DAYS_AGO):
        seen = _observed(data, spec)
        if seen and rng.random() < 0.5:  # a day count that cuts through the data
            return max(0, (NOW.date() - date.fromisoformat(rng.choice(seen)[:10])).days + rng.choice([-1, 0, 1]))
        return rng.choice([0, 1, 7, 30, 90, 200, 365, 1000, 20000])
    if op in (Op.MEMBER, Op.NOT_MEMBER):
        out: dict[str, Any] = {"campaign_id": str(rng.choice([*data.campaigns, new_id()]))}
        if rng.random() < 0.7:
            out["status"] = rng.choice([*MEMBER_FUNNEL, *MEMBER_OFF_FUNNEL])
        return out
    if op in (Op.CONTAINS, Op.STARTS_WITH):
        prefixes = [str(v)[:3] for v in _observed(data, spec) if str(v)[:3].strip()]
        if prefixes and rng.random() < 0.6:
            return rng.choice(prefixes)
        return rng.choice([x for x in [*PIECES, *TEXTS] if x.strip()])

    seen = _observed(data, spec)

    def scalar() -> Any:
        if seen and rng.random() < 0.6:
            return rng.choice(seen)
        if kind is Kind.NUMBER:
            return rng.choice([-5, 0, 1, 3, 5, 12.5, 50, 99, 100])
        if kind is Kind.BOOL:
            return rng.random() < 0.5
        if kind is Kind.DATE:
            return (NOW.date().replace(year=rng.choice([1975, 1990, 2025, 2026]))).isoformat()
        if kind is Kind.DATETIME:
            return (NOW.replace(month=rng.randint(1, 12), day=rng.randint(1, 28))).isoformat()
        if kind is Kind.REF:
            pool = [u.id for u in data.users] + data.departments + data.regions + data.stages + data.campaigns
            return str(rng.choice([*pool, new_id()]))
        if kind in (Kind.CHOICE, Kind.TAGS) and spec.choices:
            return rng.choice(spec.choices)
        if kind is Kind.TAGS:
            return rng.choice([*TAGS, "nope"])
        return rng.choice(TEXTS)

    if op in (Op.IN, Op.NOT_IN, Op.HAS_ANY, Op.HAS_ALL, Op.HAS_NONE):
        return [scalar() for _ in range(rng.randint(1, 3))]
    if op is Op.BETWEEN:
        low, high = scalar(), scalar()
        return sorted([low, high]) if not isinstance(low, str) else sorted([low, high])
    return scalar()


async def _ids(engine: AsyncEngine, entity: str, data: Data, tree: Group, scope: DataScope | None = None) -> set[UUID]:
    t = ENTITY_TABLES[entity]
    if scope is None:
        stmt = sa.select(t.c.id).where(
            t.c.tenant_id == data.world.id, t.c.deleted_at.is_(None), compile_tree(tree, entity, now=NOW)
        )
    else:
        stmt = matching(entity, scope, tree, NOW, t.c.id)
    async with engine.connect() as conn:
        return {r.id for r in await conn.execute(stmt)}


def _holds(tree: Group | Leaf, rec: Rec) -> bool:
    if isinstance(tree, Leaf):
        return holds(tree, rec)
    if not tree.conditions:  # an empty group is no condition (a builder's fresh group)
        return True
    results = [_holds(c, rec) for c in tree.conditions]
    return all(results) if tree.op == "and" else any(results)


@pytest.mark.parametrize("entity", ["contacts", "leads"])
async def test_every_field_and_operator_matches_python(
    engine: AsyncEngine, factory: Factory, seeded: dict[str, Any], entity: str
) -> None:
    data = await _data(engine, factory, seeded)
    schema = _schema(data, entity)
    rng = random.Random(f"operators {entity}")  # str seeds are stable across runs
    live = data.live(entity)
    untold = []
    for spec in schema.fields.values():
        for op in spec.operators:
            telling = 0
            for _ in range(12):
                raw = {"field": spec.name, "op": str(op), "value": _value(rng, spec, op, data)}
                tree = parse({"op": "and", "conditions": [raw]}, schema)
                expected = {r.id for r in live if _holds(tree, r)}
                assert await _ids(engine, entity, data, tree) == expected, raw
                telling += 0 < len(expected) < len(live)
            if not telling and not (op in (Op.IS_NULL,) and spec.name in NEVER_MISSING):
                untold.append(f"{spec.name} {op}")
    # The data must tell each operator apart: some case of each matches some records and not others.
    assert not untold


@pytest.mark.parametrize("entity", ["contacts", "leads"])
async def test_random_trees_match_python(
    engine: AsyncEngine, factory: Factory, seeded: dict[str, Any], entity: str
) -> None:
    data = await _data(engine, factory, seeded)
    schema = _schema(data, entity)
    rng = random.Random(7 + len(entity))
    specs = list(schema.fields.values())

    def node(depth: int) -> dict[str, Any]:
        if depth < 3 and rng.random() < 0.35:
            return {"op": rng.choice(["and", "or"]), "conditions": [node(depth + 1) for _ in range(rng.randint(0, 3))]}
        spec = rng.choice(specs)
        op = rng.choice(spec.operators)
        return {"field": spec.name, "op": str(op), "value": _value(rng, spec, op, data)}

    for _ in range(60):
        raw = {"op": rng.choice(["and", "or"]), "conditions": [node(1) for _ in range(rng.randint(1, 4))]}
        tree = parse(raw, schema)
        expected = {r.id for r in data.live(entity) if _holds(tree, r)}
        assert await _ids(engine, entity, data, tree) == expected, raw


def _in_range(rec: Rec, scope: DataScope) -> bool:
    for grant in scope.grants:
        if grant.range is DataRange.NONE:
            continue
        ok = (
            grant.range is DataRange.ALL
            or (grant.range is DataRange.OWN and rec.owner_id == scope.user_id)
            or (grant.range is DataRange.DEPARTMENT and rec.department_id in scope.department_ids)
        )
        if ok and (grant.regions is None or rec.region_id in grant.regions):
            return True
    return False


@pytest.mark.parametrize("entity", ["contacts", "leads"])
async def test_data_ranges_hold_around_any_tree(
    engine: AsyncEngine, factory: Factory, seeded: dict[str, Any], entity: str
) -> None:
    data = await _data(engine, factory, seeded)
    schema = _schema(data, entity)
    u1, u2, _ = data.users
    trees = [
        {"op": "and", "conditions": []},
        {"op": "or", "conditions": [{"field": "tags", "op": "has_any", "value": ["vip"]},
                                    {"field": "name", "op": "contains", "value": "a"}]},
        {"op": "and", "conditions": [{"field": "owner", "op": "neq", "value": str(u1.id)}]},
    ]  # fmt: skip
    t, east = data.world.id, data.departments[0]
    scopes = [
        DataScope(t, u1.id, (east,), (Grant(DataRange.OWN),)),
        DataScope(t, u1.id, (east,), (Grant(DataRange.DEPARTMENT),)),
        DataScope(t, u1.id, (east,), (Grant(DataRange.ALL),)),
        DataScope(t, u1.id, (east,), (Grant(DataRange.ALL, regions=frozenset({data.regions[0]})),)),
        DataScope(t, u2.id, (), (Grant(DataRange.OWN), Grant(DataRange.DEPARTMENT, regions=frozenset(data.regions)))),
        DataScope(t, u1.id, (east,), ()),  # no grant: nothing
        DataScope(new_id(), u1.id, (east,), (Grant(DataRange.ALL),)),  # another tenant: nothing of this one
    ]
    for raw in trees:
        tree = parse(raw, schema)
        for scope in scopes:
            expected = {r.id for r in data.live(entity) if _holds(tree, r) and _in_range(r, scope)}
            if scope.tenant_id != t:
                expected = set()
            assert await _ids(engine, entity, data, tree, scope) == expected, (raw, scope)


async def test_sql_looking_values_are_values(engine: AsyncEngine, factory: Factory, seeded: dict[str, Any]) -> None:
    data = await _data(engine, factory, seeded)
    schema = _schema(data, "contacts")
    evil = "'; DROP TABLE contacts; --"
    for raw in (
        {"field": "name", "op": "eq", "value": evil},
        {"field": "name", "op": "contains", "value": "%' OR '1'='1"},
        {"field": "custom.wechat", "op": "in", "value": [evil, "x') OR true --"]},
        {"field": "tags", "op": "has_any", "value": ["vip'}", '{"a"}']},
    ):
        tree = parse({"op": "and", "conditions": [raw]}, schema)
        expected = {r.id for r in data.live("contacts") if _holds(tree, r)}
        assert await _ids(engine, "contacts", data, tree) == expected, raw
    # The name that *is* the injection text is found as text, and the table is still there.
    found = await _ids(engine, "contacts", data, parse({"op": "and", "conditions": [
        {"field": "name", "op": "eq", "value": evil}]}, schema))  # fmt: skip
    assert found == {r.id for r in data.live("contacts") if r.values["name"] == evil}
    async with engine.connect() as conn:
        assert (await conn.execute(sa.text("SELECT count(*) FROM contacts"))).scalar() > 0

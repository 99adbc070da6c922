"""Condition trees checked against the declared fields: typed values, the path of every bad
condition, depth and size limits, the round trip to JSON; and the declarations of the domain and
of the SQL compiler naming the same fields."""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace
from typing import Any
from uuid import uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.customers.entities import CustomerStatus
from app.domain.leads.entities import LeadRating, LeadSource, LeadStatus
from app.domain.shared.conditions import (
    ENTITY_FIELDS,
    MAX_CONDITIONS,
    OPS,
    Campaign,
    Group,
    Kind,
    Leaf,
    Op,
    dump,
    parse,
    schema_for,
    statuses_at_least,
)
from app.domain.shared.errors import ValidationFailed
from app.repositories.conditions import ENTITIES

CONTACTS = schema_for(
    ["contacts"],
    {"contacts": [SimpleNamespace(key="tier", type="select", label="Tier", options=["gold", "silver"]),
                  SimpleNamespace(key="budget", type="number", label="Budget", options=[])]},
)  # fmt: skip


def one(field: str, op: str, value: Any, schema: Any = CONTACTS) -> Leaf:
    tree = parse({"op": "and", "conditions": [{"field": field, "op": op, "value": value}]}, schema)
    leaf = tree.conditions[0]
    assert isinstance(leaf, Leaf)
    return leaf


def errors(raw: Any, schema: Any = CONTACTS) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as caught:
        parse(raw, schema)
    return {e.field: e.message for e in caught.value.errors}


def test_values_come_out_typed() -> None:
    assert one("birthday", "between", ["1980-01-01", "1990-12-31"]).value == (date(1980, 1, 1), date(1990, 12, 31))
    assert one("created_at", "gte", "2026-01-01T00:00:00Z").value == datetime(2026, 1, 1, tzinfo=UTC)
    owner = uuid4()
    assert one("owner", "in", [str(owner), str(owner)]).value == (owner,)  # duplicates dropped
    assert one("custom.budget", "gt", 2.5).value == 2.5
    assert one("custom.tier", "eq", "gold").value == "gold"
    assert one("last_activity_at", "within_last_days", 30).value == 30
    cid = uuid4()
    assert one("campaign", "member", {"campaign_id": str(cid), "status": "opened"}).value == Campaign(cid, "opened")


@pytest.mark.parametrize(
    ("field", "op", "value"),
    [
        ("custom.budget", "gt", True),  # a boolean is no number
        ("custom.budget", "gt", "5"),
        ("custom.budget", "eq", float("nan")),
        ("custom.tier", "eq", "bronze"),  # not an option
        ("owner", "eq", "me"),
        ("owner", "in", []),
        ("owner", "in", [str(uuid4())] * 501),
        ("birthday", "eq", "1990-02-30"),
        ("birthday", "between", ["1990-01-02", "1990-01-01"]),
        ("birthday", "between", ["1990-01-01"]),
        ("created_at", "gt", "2026-01-01T00:00:00"),  # no UTC offset
        ("created_at", "gt", 1_700_000_000),
        ("name", "contains", ""),
        ("name", "contains", "x" * 501),
        ("name", "eq", 5),
        ("tags", "has_any", "vip"),
        ("last_activity_at", "within_last_days", True),
        ("last_activity_at", "within_last_days", -1),
        ("last_activity_at", "within_last_days", 1.5),
        ("is_primary", "eq", "true"),
        ("is_primary", "is_null", 1),
        ("campaign", "member", {"campaign_id": "x"}),
        ("campaign", "member", {"campaign_id": str(uuid4()), "status": "won"}),
        ("campaign", "member", {"campaign_id": str(uuid4()), "extra": 1}),
    ],
)
def test_wrong_values_name_the_value(field: str, op: str, value: Any) -> None:
    raw = {"op": "or", "conditions": [{"op": "and", "conditions": [{"field": field, "op": op, "value": value}]}]}
    assert list(errors(raw)) == ["conditions.conditions[0].conditions[0].value"]


def test_unknown_fields_and_operators_name_their_member() -> None:
    found = errors({"op": "and", "conditions": [
        {"field": "password_hash", "op": "eq", "value": "x"},
        {"field": "name", "op": "gt", "value": "x"},
        {"field": "name", "op": "like", "value": "x"},
        {"field": "score", "op": "gt", "value": 1},  # a lead's field, not a contact's
        {"field": "custom.nope", "op": "eq", "value": 1},
        {"field": "name", "op": "eq"},
        {"field": "name", "op": "eq", "value": "x", "sql": "1=1"},
        "name = 'x'",
        {"op": "nand", "conditions": []},
    ]})  # fmt: skip
    assert found.keys() == {
        "conditions.conditions[0].field", "conditions.conditions[1].op", "conditions.conditions[2].op",
        "conditions.conditions[3].field", "conditions.conditions[4].field", "conditions.conditions[5].value",
        "conditions.conditions[6]", "conditions.conditions[7]", "conditions.conditions[8].op",
    }  # fmt: skip
    assert "unknown field 'password_hash'" in found["conditions.conditions[0].field"]
    assert errors([]) == {"conditions": 'must be a group: {"op": "and" | "or", "conditions": [...]}'}
    assert "conditions.conditions" in errors({"op": "and", "conditions": "x"})


def test_depth_and_size_are_bounded() -> None:
    deep: dict[str, Any] = {"op": "and", "conditions": []}
    for _ in range(5):
        deep = {"op": "and", "conditions": [deep]}
    assert any("nest at most" in m for m in errors(deep).values())
    leaves = [{"field": "name", "op": "eq", "value": "x"}] * (MAX_CONDITIONS + 1)
    assert "at most 50" in errors({"op": "or", "conditions": leaves})["conditions"]
    parse({"op": "or", "conditions": leaves[:MAX_CONDITIONS]}, CONTACTS)


def test_audiences_of_both_share_fields() -> None:
    both = schema_for(
        ["contacts", "leads"],
        {"contacts": [SimpleNamespace(key="tier", type="select", label="T", options=["a"])], "leads": []},
    )
    assert "email" in both.fields and "customer.level" in both.fields and "custom.tier" in both.fields
    assert "birthday" not in both.fields and "score" not in both.fields


def test_funnel_statuses() -> None:
    assert statuses_at_least("clicked") == ("clicked", "registered", "attended", "responded", "converted")
    assert statuses_at_least("bounced") == ("bounced",)


def test_declared_fields_have_sql_and_choices_match_the_modules() -> None:
    for entity, specs in ENTITY_FIELDS.items():
        assert {s.name for s in specs} == set(ENTITIES[entity]), entity
        for s in specs:
            assert set(s.operators) <= set(OPS[s.kind]), s.name
    leads = {s.name: s for s in ENTITY_FIELDS["leads"]}
    assert set(leads["status"].choices) == {x.value for x in LeadStatus}
    assert set(leads["source"].choices) == {x.value for x in LeadSource}
    assert set(leads["rating"].choices) == {x.value for x in LeadRating}
    assert set(leads["customer.status"].choices) == {x.value for x in CustomerStatus}


# -- round trip ------------------------------------------------------------------------------------

_SPECS = [s for s in CONTACTS.fields.values()]


@st.composite
def leaves(draw: st.DrawFn) -> dict[str, Any]:
    spec = draw(st.sampled_from(_SPECS))
    op = draw(st.sampled_from(spec.operators))
    text = st.text(min_size=1, max_size=20).filter(str.strip)
    scalar: st.SearchStrategy[Any] = {
        Kind.TEXT: text,
        Kind.CHOICE: st.sampled_from(spec.choices or ("x",)),
        Kind.TAGS: st.sampled_from(spec.choices) if spec.choices else text,
        Kind.NUMBER: st.integers(-1000, 1000) | st.floats(-1e6, 1e6, allow_nan=False),
        Kind.BOOL: st.booleans(),
        Kind.REF: st.uuids().map(str),
        Kind.DATE: st.dates().map(date.isoformat),
        Kind.DATETIME: st.datetimes(timezones=st.just(UTC)).map(datetime.isoformat),
        Kind.CAMPAIGN: st.just(None),
    }[spec.kind]
    if op is Op.IS_NULL:
        value: Any = draw(st.booleans())
    elif op in (Op.WITHIN_LAST_DAYS, Op.MORE_THAN_DAYS_AGO):
        value = draw(st.integers(0, 3650))
    elif op in (Op.MEMBER, Op.NOT_MEMBER):
        value = {"campaign_id": str(draw(st.uuids()))}
    elif op in (Op.IN, Op.NOT_IN, Op.HAS_ANY, Op.HAS_ALL, Op.HAS_NONE):
        value = draw(st.lists(scalar, min_size=1, max_size=4))
    elif op is Op.BETWEEN:
        value = sorted(draw(st.lists(scalar, min_size=2, max_size=2)))
    else:
        value = draw(scalar)
    return {"field": spec.name, "op": str(op), "value": value}


trees = st.recursive(
    leaves(),
    lambda inner: st.builds(
        lambda op, items: {"op": op, "conditions": items}, st.sampled_from(["and", "or"]), st.lists(inner, max_size=3)
    ),
    max_leaves=10,
)


@settings(max_examples=200, deadline=None)
@given(st.lists(trees, max_size=4), st.sampled_from(["and", "or"]))
def test_a_tree_survives_its_json(items: list[Any], op: str) -> None:
    raw = {"op": op, "conditions": items}
    try:
        tree = parse(raw, CONTACTS)
    except ValidationFailed as failed:  # only the depth limit may refuse a generated tree
        assert all("nest at most" in e.message for e in failed.errors), failed.errors
        return
    assert isinstance(tree, Group)
    assert parse(dump(tree), CONTACTS) == tree

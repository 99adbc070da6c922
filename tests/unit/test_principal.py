from uuid import uuid4

import pytest

from app.auth.principal import Principal, RoleGrant
from app.domain.shared.errors import PermissionDenied
from app.domain.shared.scope import DataRange, Grant


def _principal(*roles: RoleGrant, token_scopes: frozenset[str] | None = None) -> Principal:
    return Principal(uuid4(), uuid4(), "a@b.c", "A", None, (), roles, token_scopes=token_scopes)


def test_scope_unites_only_roles_that_grant_the_action() -> None:
    reader = RoleGrant("reader", frozenset({"customers:read"}), {"customers": Grant(DataRange.ALL)})
    editor = RoleGrant("editor", frozenset({"customers:read", "customers:update"}), {"customers": Grant(DataRange.OWN)})
    p = _principal(reader, editor)
    assert p.scope("customers", "read").widest is DataRange.ALL
    assert [g.range for g in p.scope("customers", "update").grants] == [DataRange.OWN]


def test_missing_permission_is_denied_and_token_scopes_narrow() -> None:
    role = RoleGrant("r", frozenset({"customers:read", "customers:update"}), {"customers": Grant(DataRange.ALL)})
    p = _principal(role, token_scopes=frozenset({"customers:read", "users:manage"}))
    assert p.permissions == frozenset({"customers:read"})  # users:manage is not the user's to give
    with pytest.raises(PermissionDenied):
        p.scope("customers", "update")


def test_permission_without_range_grants_nothing() -> None:
    role = RoleGrant("r", frozenset({"contacts:read"}), {})
    assert _principal(role).scope("contacts", "read").is_empty

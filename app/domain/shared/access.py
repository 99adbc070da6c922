"""Scopes for records a use case only looks at on the side (the customer a contact links to, the
activities on a customer's timeline), where lacking the permission means "sees none", not 403."""

from __future__ import annotations

from app.auth.principal import Principal
from app.domain.shared.scope import DataScope


def scope_or_empty(principal: Principal, resource: str, action: str) -> DataScope:
    """The caller's scope for `resource:action`; without that permission, a scope matching nothing."""
    if principal.can(resource, action):
        return principal.scope(resource, action)
    return DataScope(principal.tenant_id, principal.user_id, principal.department_ids, ())

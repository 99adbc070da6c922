"""Nobody grants what they do not hold (separation of duties, MLPS 2.0 三员分立).

Creating a user with roles, assigning roles, creating or editing a role, and minting an API token
may only hand out permissions and data ranges the acting user holds itself. A data range is held
when one of the actor's grants for that resource and action is at least as wide: a range as wide
or wider, and no narrowing the granted one lacks (any region covers a list of regions; a list
covers only its subsets; the same for customer types). Grants are compared one to one: two
narrow grants of the actor that together would cover a wider one do not count (conservative).

Exceptions: the tenant's owner role (`admin`) grants anything; the security administrator may
assign any existing role to other people (never to itself). Both only when signed in: through an
API token, the plain rule applies (a token never grants beyond its scopes).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from app.auth.permissions import OWNER_ROLE, RANGED_RESOURCES, SECURITY_ADMIN_ROLE
from app.auth.principal import Principal, grant_from_json
from app.domain.shared.errors import PermissionDenied
from app.domain.shared.scope import RANGE_ORDER, DataRange, Grant


class Grantable(Protocol):
    """A role, or a role being defined: its permissions and data ranges (JSON form)."""

    @property
    def permissions(self) -> Any: ...  # an iterable of "<resource>:<action>"
    @property
    def data_ranges(self) -> Any: ...  # {resource: {"range": ..., "regions": ..., "customer_types": ...}}


def is_owner(principal: Principal) -> bool:
    return principal.api_token_id is None and any(role.key == OWNER_ROLE for role in principal.roles)


def is_security_admin(principal: Principal) -> bool:
    return principal.api_token_id is None and any(role.key == SECURITY_ADMIN_ROLE for role in principal.roles)


def covers(held: Grant, wanted: Grant) -> bool:
    if wanted.range is DataRange.NONE:
        return True
    if RANGE_ORDER[held.range] < RANGE_ORDER[wanted.range]:
        return False
    if held.regions is not None and (wanted.regions is None or not wanted.regions <= held.regions):
        return False
    return held.customer_types is None or (
        wanted.customer_types is not None and wanted.customer_types <= held.customer_types
    )


def unheld(
    principal: Principal, permissions: Iterable[str], data_ranges: Mapping[str, Mapping[str, Any]]
) -> str | None:
    """The first permission (or "<permission> over <range>") of a grant the principal does not
    hold itself; None when it holds all of it."""
    for permission in sorted(set(permissions)):
        if permission not in principal.permissions:
            return permission
        resource, _, action = permission.partition(":")
        if resource not in RANGED_RESOURCES:
            continue
        spec = data_ranges.get(resource)
        wanted = grant_from_json(dict(spec)) if spec else Grant(DataRange.NONE)
        if not any(covers(held, wanted) for held in principal.scope(resource, action).grants):
            return f"{permission} over a {wanted.range} range" + (" (narrowed)" if wanted.regions else "")
    return None


def require_holds(principal: Principal, grants: Iterable[Grantable], what: str = "grant") -> None:
    """403 unless the principal holds everything in `grants` (the owner holds everything)."""
    if is_owner(principal):
        return
    for grant in grants:
        missing = unheld(principal, grant.permissions, grant.data_ranges)
        if missing is not None:
            raise PermissionDenied(f"you cannot {what} {missing}: you do not hold it yourself")


def require_may_assign(principal: Principal, target_user_id: Any, roles: Iterable[Grantable]) -> None:
    """Role assignment: never to oneself; the security administrator may assign any role to others;
    everyone else only roles within what they hold."""
    if target_user_id == principal.user_id:
        raise PermissionDenied("you cannot change your own roles")
    if is_security_admin(principal):
        return
    require_holds(principal, roles, "grant")

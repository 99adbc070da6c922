"""A leaving employee's book: everything one user owns moves to another in one transaction, kind
by kind (customers, contacts, leads, deals, tasks and appointments, quotes, orders, sales plans,
tickets), each through its module's `transfer_owner` (app/domain/shared/owned.py): owner and
department in step, version bumped, `<entity>.assigned` audited and published per record.

The caller needs `<kind>:assign` for each kind moved and moves only what that assign range
reaches. Without `kinds`, every kind the caller may assign moves. Open work only for leads (not
converted), tasks and appointments (planned) and tickets (new, open, pending): what was done
stays with who did it. Every customer, contact, deal, quote, order and sales plan moves."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Protocol
from uuid import UUID

from app.auth.principal import Principal
from app.domain.shared.errors import NotFound, PermissionDenied, ValidationFailed
from app.domain.shared.ownership import UserDirectory, owner_department


class BookKind(StrEnum):
    """The kinds of a book, in the order they move; each is its permission resource."""

    CUSTOMERS = "customers"
    CONTACTS = "contacts"
    LEADS = "leads"
    OPPORTUNITIES = "opportunities"
    ACTIVITIES = "activities"
    QUOTES = "quotes"
    ORDERS = "orders"
    SALES_PLANS = "sales_plans"
    TICKETS = "tickets"


class OwnerTransfer(Protocol):
    async def transfer_owner(
        self, principal: Principal, from_owner: UUID, to_owner: UUID, department_id: UUID | None
    ) -> list[UUID]: ...


class BookTransfer:
    def __init__(self, kinds: Mapping[BookKind, OwnerTransfer], users: UserDirectory) -> None:
        self.kinds = kinds
        self.users = users

    async def transfer(
        self, principal: Principal, from_owner: UUID, to_owner: UUID, kinds: Sequence[BookKind] | None = None
    ) -> dict[BookKind, list[UUID]]:
        """The moved record ids per kind moved (an empty list: nothing of that kind to move)."""
        if kinds is None:
            chosen = [kind for kind in BookKind if principal.can(kind.value, "assign")]
            if not chosen:
                raise PermissionDenied("moving a book requires the assign permission on at least one kind")
        else:
            chosen = [kind for kind in BookKind if kind in kinds]
            for kind in chosen:
                principal.require(kind.value, "assign")
            if not chosen:
                raise ValidationFailed.one("kinds", "name at least one kind")
        if await self.users.active_user_department(principal.tenant_id, from_owner) is None:
            raise NotFound("no such user")
        if from_owner == to_owner:
            raise ValidationFailed.one("to_owner_id", "must differ from the user whose book moves")
        department_id = await owner_department(principal, self.users, to_owner, field="to_owner_id")
        return {
            kind: await self.kinds[kind].transfer_owner(principal, from_owner, to_owner, department_id)
            for kind in chosen
        }

"""Contacts in PostgreSQL: the shared owned-record adapter (app/repositories/owned.py) plus the
duplicate check over a contact's several emails and phones."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY

from app.domain.contacts.entities import SORTABLE, Contact, email_keys, phone_keys
from app.domain.shared.normalize import phone_key, search_text
from app.repositories.locks import lock_keys
from app.repositories.owned import OwnedTable
from app.repositories.tables import contacts

t = contacts
TEXT_ARRAY = ARRAY(sa.Text)


def derived(values: dict[str, Any]) -> dict[str, Any]:
    """Columns kept in step with the record: duplicate keys and search text. `values` holds at
    least name, emails and phones (the demo seed calls this too, so seeded rows match)."""
    emails = list(values.get("emails") or [])
    phones = list(values.get("phones") or [])
    return {
        "emails_norm": email_keys(emails),
        "phones_norm": phone_keys(phones),
        # Phones twice: as written, and as digits so "13911" finds "139 1122 3344".
        "search_text": search_text(values.get("name"), *emails, *phones, *map(phone_key, phones)),
    }


class PgContactRepository(OwnedTable[Contact]):
    table = t
    record = Contact
    sortable = SORTABLE
    fk_fields = {"fk_contacts_customer": "customer_id", "fk_contacts_owner": "owner_id"}
    derived_from = ("name", "emails", "phones")
    derived = staticmethod(derived)

    async def find_duplicate(
        self,
        tenant_id: UUID,
        emails: list[str],
        phones: list[str],
        *,
        exclude: UUID | None = None,
    ) -> UUID | None:
        """A live contact of the tenant holding any of these normalized emails or phones."""
        if not emails and not phones:
            return None
        # Serialize writers of the same keys, so two concurrent creates cannot both pass; the keys
        # are locked in one order so that two writers sharing several keys cannot deadlock.
        await lock_keys(self.conn, (f"{tenant_id}:contact:{key}" for key in (*emails, *phones)))
        # `&&` (overlap) on the GIN-indexed key arrays.
        match = sa.or_(
            *([t.c.emails_norm.overlap(sa.literal(emails, TEXT_ARRAY))] if emails else []),
            *([t.c.phones_norm.overlap(sa.literal(phones, TEXT_ARRAY))] if phones else []),
        )
        stmt = sa.select(t.c.id).where(t.c.tenant_id == tenant_id, t.c.deleted_at.is_(None), match)
        if exclude is not None:
            stmt = stmt.where(t.c.id != exclude)
        return (await self.conn.execute(stmt.limit(1))).scalar()

"""Transaction-scoped advisory locks on natural keys (a normalized email or phone): writers that
check for a duplicate and then insert hold them, so two concurrent creates of one person cannot
both pass the check."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncConnection

from app.repositories.prepared import Prepared

# unnest yields the keys in array order and each row's lock is taken as it is read, so passing
# them sorted takes them in one order everywhere: writers sharing several keys cannot deadlock.
_LOCK = Prepared.of(
    sa.text("SELECT pg_advisory_xact_lock(hashtextextended(key, 0)) FROM unnest(:keys) AS key").bindparams(
        sa.bindparam("keys", type_=ARRAY(sa.Text))
    )
)


async def lock_keys(conn: AsyncConnection, keys: Iterable[str]) -> None:
    """Lock every key until the transaction ends, in one round trip."""
    ordered = sorted(set(keys))
    if ordered:
        await _LOCK.rows(conn, {"keys": ordered})

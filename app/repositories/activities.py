"""Activities in PostgreSQL: the shared owned-record adapter (app/repositories/owned.py). The data
range applies by the activity's own owner and department."""

from __future__ import annotations

from app.domain.activities.entities import SORTABLE, Activity
from app.repositories.owned import OwnedTable
from app.repositories.tables import activities


class PgActivityRepository(OwnedTable[Activity]):
    table = activities
    record = Activity
    sortable = SORTABLE
    # Foreign keys a client can point at a missing row (or one deleted meanwhile); each is a 422.
    fk_fields = {
        "fk_activities_customer": "customer_id",
        "fk_activities_contact": "contact_id",
        "fk_activities_owner": "owner_id",
    }

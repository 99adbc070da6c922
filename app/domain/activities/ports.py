from __future__ import annotations

from typing import Protocol

from app.domain.activities.entities import Activity
from app.domain.shared.owned import OwnedRepository


class ActivityRepository(OwnedRepository[Activity], Protocol):
    pass

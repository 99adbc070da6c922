"""The benchmarked event: a campaign of Bench Corp whose public registration page is open, with a
seat limit far beyond what a run registers (so every registration counts the seats under the
campaign's lock, as a real one does, and is never waitlisted), one session (no limit of its own),
a select field and a consent checkbox. Made once, on the first run that looks for it; its registrations are removed
before each run (bench/drive.py `_cleanup`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from app.domain.shared.ids import new_id
from app.repositories.database import create_engine
from app.repositories.tables import campaign_sessions, campaigns
from app.settings import Settings
from bench.generate import BenchTenant

# The public page's key (campaigns.public_key is unique across tenants).
EVENT_KEY = "ev_bench_corp_summit_2027"
CAPACITY = 10_000_000
FORM = {
    "fields": [
        {"key": "role", "label": {"zh-CN": "职位", "en": "Role"}, "type": "select", "required": True,
         "options": ["CTO", "工程师", "采购", "其他"]},
    ],
    "consents": [
        {"key": "terms", "channel": "email", "required": True,
         "text": {"zh-CN": "我同意主办方处理我的报名信息", "en": "I agree to the terms"}},
    ],
    "confirmation": {"zh-CN": "期待与您见面。", "en": "See you there!"},
}  # fmt: skip


async def ensure_event(url: str, settings: Settings, tenant: BenchTenant, owner: str) -> tuple[str, UUID]:
    """The event's key and campaign id (made when missing)."""
    engine = create_engine(url, settings)
    try:
        async with engine.begin() as conn:
            found = (
                await conn.execute(sa.select(campaigns.c.id).where(campaigns.c.public_key == EVENT_KEY))
            ).scalar_one_or_none()
            if found is not None:  # as defined here, whatever an earlier version made
                await conn.execute(
                    campaigns.update()
                    .where(campaigns.c.id == found)
                    .values(status="running", registration_open=True, registration_form=FORM, capacity=CAPACITY)
                )
                await conn.execute(
                    campaign_sessions.update().where(campaign_sessions.c.campaign_id == found).values(capacity=None)
                )
                return EVENT_KEY, found
            user = tenant.users[owner]
            campaign_id, start = new_id(), datetime.now(UTC).replace(microsecond=0) + timedelta(days=60)
            await conn.execute(
                insert(campaigns).values(
                    tenant_id=tenant.id, id=campaign_id, name="Bench Summit 2027 压测峰会", campaign_type="event",
                    status="running", owner_id=user.id, department_id=None, public_key=EVENT_KEY,
                    registration_open=True, registration_form=FORM, capacity=CAPACITY,
                )
            )  # fmt: skip
            await conn.execute(
                campaign_sessions.insert().values(
                    tenant_id=tenant.id, id=new_id(), campaign_id=campaign_id, name="Main hall", starts_at=start,
                    ends_at=start + timedelta(hours=8), location="上海国际会议中心", capacity=None,
                )
            )  # fmt: skip
            return EVENT_KEY, campaign_id
    finally:
        await engine.dispose()

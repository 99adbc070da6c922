"""Migration 0033: campaign ids on leads, deals and lead forms that name no campaign of their
tenant are nulled (a campaign of another tenant included); the others are kept, and a lead's or
deal's first touch becomes its last touch too. Then the foreign keys hold."""

import asyncio
import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app import migrate
from tests.dbutil import drop_database, recreate_database

SETUP = """
INSERT INTO tenants (id, name) VALUES (:t, 'T'), (:t2, 'T2');
INSERT INTO users (tenant_id, id, email, name, password_hash, created_by, updated_by)
VALUES (:t, :u, :email, 'U', 'x', :u, :u), (:t2, :u2, :email2, 'U2', 'x', :u2, :u2);
INSERT INTO campaigns (tenant_id, id, name, campaign_type, owner_id) VALUES (:t, :mine, 'Mine', 'event', :u),
    (:t2, :theirs, 'Theirs', 'event', :u2);
INSERT INTO leads (tenant_id, id, name, campaign_id) VALUES (:t, :kept, 'Kept', :mine),
    (:t, :made_up, 'Made up', :bogus), (:t, :crossed, 'Crossed', :theirs), (:t, :none, 'None', NULL);
INSERT INTO lead_forms (tenant_id, id, name, form_key, fields, campaign_id)
VALUES (:t, :form, 'F', :key, '{name}', :bogus)
"""


async def test_dead_campaign_ids_are_nulled(admin_url: str, database_url: str, scratch_engine_factory) -> None:  # type: ignore[no-untyped-def]
    name = "crm_migration_attribution_" + str(sa.engine.make_url(database_url).database)
    url, _ = await recreate_database(admin_url, name)
    names = ("t", "t2", "u", "u2", "mine", "theirs", "bogus", "kept", "made_up", "crossed", "none", "form")
    ids = {k: uuid.uuid4() for k in names}
    params = {**ids, "email": f"{ids['u']}@example.com", "email2": f"{ids['u2']}@example.com", "key": "lf_x"}
    try:
        await asyncio.to_thread(migrate.upgrade, url, "0029")
        engine = scratch_engine_factory(url)
        async with engine.begin() as conn:
            for statement in filter(str.strip, SETUP.split(";")):
                await conn.execute(sa.text(statement), params)
        await asyncio.to_thread(migrate.upgrade, url, "0033")
        async with engine.connect() as conn:
            rows = {r.id: (r.campaign_id, r.last_campaign_id) for r in await conn.execute(
                sa.text("SELECT id, campaign_id, last_campaign_id FROM leads"))}  # fmt: skip
            form = (await conn.execute(sa.text("SELECT campaign_id FROM lead_forms"))).scalar()
        assert rows == {
            ids["kept"]: (ids["mine"], ids["mine"]),
            ids["made_up"]: (None, None),
            ids["crossed"]: (None, None),
            ids["none"]: (None, None),
        }
        assert form is None
        async with engine.connect() as conn:
            with pytest.raises(IntegrityError, match="fk_leads_last_campaign"):
                await conn.execute(sa.text("UPDATE leads SET last_campaign_id = :theirs"), params)
        await engine.dispose()
        await asyncio.to_thread(migrate.downgrade, url, "0029")
    finally:
        await drop_database(admin_url, name)

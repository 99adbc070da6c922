"""Generate the benchmark's knowledge base: 10,000 articles in "Bench Corp" (mixed Chinese and
English, 60/40, a few hundred words each, most published) in a handful of categories, and the
service agent who searches them (`kb.agent`, the `kb_search` scenario's caller).

Like bench/generate_selling.py this part carries its own marker, `settings.bench.kb` of the big
tenant ({version, articles}), and is redone alone (its rows deleted and generated again) when the
marker is missing or says something else. The search vector is the app's own
(app/domain/kb/search.py document_vector), computed here in Python; the text comes from the demo
seed's topics and sentences (app/seed_kb.py article_text), several topics per article.
"""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import orjson
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from app.auth.passwords import hash_password
from app.domain.kb.search import document_vector
from app.domain.shared.ids import new_id
from app.repositories.identity import PgIdentityRepository
from app.repositories.tables import kb_categories, roles, tenants
from app.seed_kb import CATEGORIES, TOPICS, article_text
from bench.generate import BIG_TENANT, bench_marker, lit

log = logging.getLogger("bench.generate")

KB_VERSION = 1
AGENT = "kb.agent"
# The queries the kb_search scenario rotates over: words and phrases the articles hold.
QUERIES_ZH = ["退款", "打印机卡纸", "发票", "密码", "两步验证", "物流", "蓝屏", "自动分配"]
QUERIES_EN = ["refund", "password", "invoice", "printer jam", "barcode", "delivery", "wechat", "export reports"]
_CHUNK = 500
_INSERT = sa.text(
    "INSERT INTO kb_articles (tenant_id, id, category_id, title, body, tags, status, visibility, revised_at, "
    "published_at, view_count, helpful_count, used_in_count, created_at, updated_at, search_vector) "
    "VALUES (:tenant_id, :id, :category_id, :title, :body, :tags, :status, :visibility, :at, :published_at, "
    ":views, :helpful, :used, :at, :at, CAST(:vector AS tsvector))"
).bindparams(sa.bindparam("tags", type_=sa.ARRAY(sa.Text)))


@dataclass(frozen=True)
class KbSize:
    articles: int

    def scaled(self, factor: float) -> KbSize:
        return KbSize(max(100, int(self.articles * factor)))


KB = KbSize(10_000)


def wanted_marker(size: KbSize) -> dict[str, Any]:
    return {"version": KB_VERSION, "articles": size.articles}


def article_rows(tenant_id: UUID, category_ids: list[UUID], count: int, seed: int = 2027) -> list[dict[str, Any]]:
    """`count` articles: 60% Chinese; 2 to 4 topics each (a few hundred words); 90% published."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    rows = []
    for _ in range(count):
        zh = rng.random() < 0.6
        topics = rng.sample(TOPICS, rng.randint(2, 4))
        title, body = article_text(rng, topics[0], zh, steps=rng.randint(4, 8))
        for extra in topics[1:]:
            _, more = article_text(rng, extra, zh, steps=rng.randint(3, 6))
            body += "\n\n" + more
        at = now - timedelta(days=rng.uniform(0, 700))
        status = rng.choices(["published", "draft", "archived"], [90, 6, 4])[0]
        rows.append(
            {
                "tenant_id": tenant_id, "id": new_id(), "category_id": category_ids[topics[0][0]], "title": title,
                "body": body, "tags": sorted({t for topic in topics for t in topic[3]}), "status": status,
                "visibility": rng.choice(["internal", "public"]), "at": at,
                "published_at": at if status != "draft" else None, "views": rng.randint(0, 5000),
                "helpful": rng.randint(0, 200), "used": rng.randint(0, 50),
                "vector": document_vector(title, body),
            }
        )  # fmt: skip
    return rows


async def kb_marker(engine: AsyncEngine) -> dict[str, Any] | None:
    return await bench_marker(engine, "kb")


async def ensure(engine: AsyncEngine, size: KbSize = KB) -> dict[str, Any]:
    """The knowledge base as `size` asks, generated when missing or outdated; returns its marker."""
    want = wanted_marker(size)
    found = await kb_marker(engine)
    if found == want:
        log.info("kb data present (%s articles)", f"{size.articles:,}")
        return found
    log.info("kb data %s: generating it (%s)", "outdated" if found else "missing", want)
    await generate(engine, size)
    return want


async def _agent(conn: AsyncConnection, tenant_id: UUID) -> None:
    """The service agent the kb_search scenario searches as (kept across regenerations)."""
    found = await conn.execute(sa.text("SELECT 1 FROM users WHERE tenant_id = :t AND email LIKE :e"),
                               {"t": tenant_id, "e": f"{AGENT}@%"})  # fmt: skip
    if found.first() is not None:
        return
    domain = (
        await conn.execute(
            sa.text("SELECT split_part(email, '@', 2) FROM users WHERE tenant_id = :t LIMIT 1"), {"t": tenant_id}
        )
    ).scalar()
    repo = PgIdentityRepository(conn)
    role_id = (
        await conn.execute(sa.select(roles.c.id).where(roles.c.tenant_id == tenant_id, roles.c.key == "service_agent"))
    ).scalar_one()
    uid = await repo.insert_user(
        tenant_id, email=f"{AGENT}@{domain}", name="Kb Agent", password_hash=await hash_password(new_id().hex)
    )
    await repo.set_user_roles(tenant_id, uid, [role_id])


async def generate(engine: AsyncEngine, size: KbSize = KB) -> None:
    started = time.perf_counter()
    async with engine.begin() as conn:
        tenant_id = (await conn.execute(sa.select(tenants.c.id).where(tenants.c.name == BIG_TENANT))).scalar()
        if tenant_id is None:
            raise RuntimeError("the bench tenant is missing: generate the base data first")
        for table in ("kb_ticket_links", "kb_feedback", "kb_article_versions", "kb_articles", "kb_categories"):
            await conn.execute(sa.text(f"DELETE FROM {table} WHERE tenant_id = :t"), {"t": tenant_id})
        await _agent(conn, tenant_id)
        category_ids = [new_id() for _ in CATEGORIES]
        await conn.execute(
            kb_categories.insert(),
            [{"tenant_id": tenant_id, "id": c, "name": n} for c, n in zip(category_ids, CATEGORIES, strict=True)],
        )
        rows = article_rows(tenant_id, category_ids, size.articles)
        for start in range(0, len(rows), _CHUNK):
            await conn.execute(_INSERT, rows[start : start + _CHUNK])
        marker = orjson.dumps(wanted_marker(size)).decode()
        await conn.exec_driver_sql(
            "UPDATE tenants SET settings = jsonb_set(settings || jsonb_build_object('bench', "
            f"coalesce(settings->'bench', '{{}}')), '{{bench,kb}}', {lit(marker)}::jsonb) "
            f"WHERE id = {lit(str(tenant_id))}::uuid"
        )
    log.info("kb load committed after %.1f s; VACUUM ANALYZE", time.perf_counter() - started)
    async with engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.exec_driver_sql("VACUUM ANALYZE kb_articles")

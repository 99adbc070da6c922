"""The knowledge base over HTTP: articles (create, edit with revisions and If-Match, publish and
archive, soft delete), sanitized HTML, ranked search in Chinese and English, filters and paging,
views and votes, categories, ticket suggestions and links (used-in count), audit and outbox, and
bad input that changes nothing."""

from __future__ import annotations

import uuid
from html.parser import HTMLParser

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from app.repositories.tables import audit_log, outbox
from tests.builders import Factory, World

KB = "/api/v1/kb/articles"
CATEGORIES = "/api/v1/kb/categories"


@pytest.fixture
async def world(factory: Factory) -> World:
    return await factory.sales_world()


async def article(client: httpx.AsyncClient, headers: dict[str, str], **body) -> dict:  # type: ignore[no-untyped-def]
    body.setdefault("title", f"Article {uuid.uuid4().hex[:6]}")
    body.setdefault("status", "published")
    r = await client.post(KB, json=body, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


async def titles(client: httpx.AsyncClient, headers: dict[str, str], **params: str) -> list[str]:
    r = await client.get(KB, params=params, headers=headers)
    assert r.status_code == 200, r.text
    return [a["title"] for a in r.json()["items"]]


async def test_write_edit_revisions_and_etag(client: httpx.AsyncClient, world: World) -> None:
    editor = world.users["service_manager"].headers
    a = await article(client, editor, title="Reset a password", body="Open **Settings**.", tags=["login", "login"])
    assert a["status"] == "published" and a["published_at"] and a["revision"] == 1 and a["tags"] == ["login"]
    assert a["body_html"] == "<p>Open <strong>Settings</strong>.</p>\n" and a["visibility"] == "internal"
    r = await client.get(f"{KB}/{a['id']}", headers=editor)
    assert r.headers["etag"] == 'W/"1"'
    # Two edits of the content: two superseded revisions, kept in order.
    r = await client.patch(f"{KB}/{a['id']}", json={"body": "Open *Settings*, then Security."}, headers=editor)
    assert r.status_code == 200 and r.json()["revision"] == 2 and r.json()["version"] == 2
    r = await client.patch(
        f"{KB}/{a['id']}", json={"title": "Reset your password"}, headers={**editor, "If-Match": 'W/"2"'}
    )
    assert r.status_code == 200 and r.json()["revision"] == 3
    # A stale If-Match: 412, nothing changes.
    r = await client.patch(f"{KB}/{a['id']}", json={"title": "Stale"}, headers={**editor, "If-Match": 'W/"1"'})
    assert r.status_code == 412
    # Sending the same content is no new revision.
    r = await client.patch(f"{KB}/{a['id']}", json={"title": "Reset your password"}, headers=editor)
    assert r.json()["revision"] == 3 and r.json()["version"] == 3
    r = await client.get(f"{KB}/{a['id']}/versions", headers=editor)
    assert r.status_code == 200
    assert [(v["revision"], v["title"], v["current"]) for v in r.json()["items"]] == [
        (3, "Reset your password", True),
        (2, "Reset a password", False),
        (1, "Reset a password", False),
    ]
    r = await client.get(f"{KB}/{a['id']}/versions/1", headers=editor)
    assert r.json()["body"] == "Open **Settings**." and r.json()["body_html"].startswith("<p>Open <strong>")
    assert (await client.get(f"{KB}/{a['id']}/versions/9", headers=editor)).status_code == 404
    assert (await client.get(f"{KB}/{a['id']}/versions/0", headers=editor)).status_code == 422
    # Readers do not see the history.
    assert (await client.get(f"{KB}/{a['id']}/versions", headers=world.users["agent1"].headers)).status_code == 403


async def test_publish_archive_and_draft_visibility(client: httpx.AsyncClient, world: World) -> None:
    editor, agent = world.users["service_manager"].headers, world.users["agent1"].headers
    draft = await article(client, editor, title="草稿：退货政策", status="draft")
    assert draft["status"] == "draft" and draft["published_at"] is None
    # A draft does not exist for a reader: 404 and left out of lists, whatever status is asked.
    assert (await client.get(f"{KB}/{draft['id']}", headers=agent)).status_code == 404
    assert await titles(client, agent) == []
    assert await titles(client, agent, status="draft") == []
    assert await titles(client, editor, status="draft") == ["草稿：退货政策"]
    r = await client.post(f"{KB}/{draft['id']}/publish", headers={**editor, "If-Match": 'W/"1"'})
    assert r.status_code == 200 and r.json()["status"] == "published" and r.json()["published_at"]
    assert (await client.post(f"{KB}/{draft['id']}/publish", headers=editor)).status_code == 409
    assert await titles(client, agent) == ["草稿：退货政策"]
    r = await client.post(f"{KB}/{draft['id']}/archive", headers=editor)
    assert r.status_code == 200 and r.json()["status"] == "archived" and r.json()["revision"] == 1
    assert (await client.post(f"{KB}/{draft['id']}/archive", headers=editor)).status_code == 409
    assert (await client.get(f"{KB}/{draft['id']}", headers=agent)).status_code == 404
    assert await titles(client, editor, status="archived") == ["草稿：退货政策"]
    # Republish; a stale If-Match on a move is a 412.
    assert (
        await client.post(f"{KB}/{draft['id']}/publish", headers={**editor, "If-Match": 'W/"1"'})
    ).status_code == 412
    assert (await client.post(f"{KB}/{draft['id']}/publish", headers=editor)).status_code == 200
    # Agents read but never write.
    assert (await client.post(f"{KB}/{draft['id']}/archive", headers=agent)).status_code == 403
    assert (await client.patch(f"{KB}/{draft['id']}", json={"title": "x"}, headers=agent)).status_code == 403
    assert (await client.post(KB, json={"title": "x"}, headers=agent)).status_code == 403


async def test_body_html_is_sanitized(client: httpx.AsyncClient, world: World) -> None:
    editor = world.users["service_manager"].headers
    body = (
        "# 标题\n\n<script>alert('x')</script>\n\n"
        '<img src="x.png" onerror="alert(1)"> <a href="javascript:alert(1)" onclick="steal()">click</a>\n\n'
        '[link](javascript:alert(2)) [ok](https://example.com/help) <b onmouseover="x()">bold</b>\n\n'
        '<iframe src="https://evil.example"></iframe><style>body{display:none}</style>'
    )
    a = await article(client, editor, body=body)
    html = (await client.get(f"{KB}/{a['id']}", headers=world.users["agent1"].headers)).json()["body_html"]

    class Tags(HTMLParser):
        found: list[tuple[str, list[tuple[str, str | None]]]] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.found.append((tag, attrs))

    parser = Tags()
    parser.found = []
    parser.feed(html)
    tags = {tag for tag, _ in parser.found}
    attrs = [(name, value or "") for _, pairs in parser.found for name, value in pairs]
    assert {"h1", "img", "a", "b"} <= tags and not tags & {"script", "iframe", "style"}
    assert not [n for n, _ in attrs if n.startswith("on")]
    assert not [v for _, v in attrs if "javascript" in v.lower()]
    assert ("href", "https://example.com/help") in attrs
    assert "alert" not in html.replace("[link](javascript:alert(2))", "")  # only the unlinked Markdown text
    # The Markdown is kept as written.
    assert a["body"] == body


async def test_search_ranks_in_chinese_and_english(client: httpx.AsyncClient, world: World) -> None:
    editor, agent = world.users["service_manager"].headers, world.users["agent1"].headers
    in_title = await article(client, editor, title="如何申请退款", body="在订单页面点击申请，填写原因。")
    in_body = await article(
        client, editor, title="订单常见问题", body="付款以后如果想退款，请先联系客服。退款会在三天内到账。"
    )
    await article(client, editor, title="发票开具", body="电子发票在付款后自动发送。")
    pw_title = await article(client, editor, title="Reset your password", body="Go to Settings, then Security.")
    pw_body = await article(client, editor, title="Login problems", body="If you forgot the password, reset it.")
    await article(client, editor, title="Password policy draft", body="password rules", status="draft")

    async def search(q: str, headers: dict[str, str] = agent) -> list[dict]:
        r = await client.get(KB, params={"q": q}, headers=headers)
        assert r.status_code == 200, r.text
        return r.json()["items"]

    found = await search("退款")
    assert [a["id"] for a in found] == [in_title["id"], in_body["id"]]  # the title match first
    assert found[0]["rank"] > 1 > found[1]["rank"] > 0
    assert "退款" in found[1]["snippet"]
    assert [a["id"] for a in await search("申请退款")] == [in_title["id"]]  # a phrase, not any bigram
    assert [a["id"] for a in await search("退款 客服")] == [in_body["id"]]  # every term
    assert await search("退货") == []
    assert [a["id"] for a in await search("password")] == [pw_title["id"], pw_body["id"]]  # the draft is left out
    assert [a["id"] for a in await search("PASSW")] == [pw_title["id"], pw_body["id"]]  # a prefix, any case
    assert [a["id"] for a in await search("reset password security")] == [pw_title["id"]]
    assert len(await search("password", editor)) == 3  # editors find drafts too
    assert await search("!!! ???") == []
    assert await search("' OR 1=1 --") == []  # SQL-looking text is only text
    # Another tenant's articles are never found.
    other = await (await world.factory.tenant()).user("admin", ["admin"])
    assert await search("退款", other.headers) == []


async def test_filters_sort_and_paging(client: httpx.AsyncClient, world: World) -> None:
    editor = world.users["service_manager"].headers
    r = await client.post(CATEGORIES, json={"name": "账户"}, headers=editor)
    assert r.status_code == 201
    account = r.json()["id"]
    r = await client.post(CATEGORIES, json={"name": "密码", "parent_id": account}, headers=editor)
    assert r.status_code == 201 and r.json()["parent_id"] == account
    r = await client.patch(f"{CATEGORIES}/{account}", json={"parent_id": r.json()["id"]}, headers=editor)
    assert r.status_code == 422  # a cycle
    made = [
        await article(client, editor, title=f"Guide {i}", body="setup guide", category_id=account if i % 2 else None,
                      tags=["vip"] if i == 0 else [], visibility="public" if i < 2 else "internal")
        for i in range(5)
    ]  # fmt: skip
    assert set(await titles(client, editor, category=account)) == {"Guide 1", "Guide 3"}
    assert await titles(client, editor, tag="vip") == ["Guide 0"]
    assert set(await titles(client, editor, visibility="public")) == {"Guide 0", "Guide 1"}
    assert await titles(client, editor, sort="created_at") == [f"Guide {i}" for i in range(5)]
    # Keyset paging, for a list and for a search.
    for params in ({"sort": "-created_at"}, {"q": "guide"}):
        seen: list[str] = []
        cursor = None
        while True:
            r = await client.get(
                KB, params={**params, "limit": 2, **({"cursor": cursor} if cursor else {})}, headers=editor
            )
            assert r.status_code == 200, r.text
            seen += [a["id"] for a in r.json()["items"]]
            cursor = r.json()["next_cursor"]
            if cursor is None:
                break
        assert sorted(seen) == sorted(a["id"] for a in made) and len(seen) == 5
    assert (await client.get(KB, params={"cursor": "garbage"}, headers=editor)).status_code == 422
    assert (await client.get(KB, params={"q": "guide", "cursor": "garbage"}, headers=editor)).status_code == 422
    assert (await client.get(KB, params={"sort": "title"}, headers=editor)).status_code == 422
    assert (await client.get(KB, params={"status": "gone"}, headers=editor)).status_code == 422
    assert (await client.get(KB, params={"q": "x" * 201}, headers=editor)).status_code == 422
    # Deleting a category that articles use is refused by the reference (422), not a 500.
    r = await client.post(KB, json={"title": "x", "category_id": str(uuid.uuid4())}, headers=editor)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "category_id"


async def test_views_and_votes(client: httpx.AsyncClient, world: World) -> None:
    editor, agent, analyst = (world.users[u].headers for u in ("service_manager", "agent1", "analyst"))
    a = await article(client, editor)
    for _ in range(2):
        await client.get(f"{KB}/{a['id']}", headers=agent)
    r = await client.get(f"{KB}/{a['id']}", headers=analyst)
    # Views count without touching the version (an editor's If-Match stays good).
    assert r.json()["view_count"] == 3 and r.json()["version"] == 1
    r = await client.post(f"{KB}/{a['id']}/feedback", json={"helpful": True}, headers=agent)
    assert r.status_code == 200 and (r.json()["helpful_count"], r.json()["not_helpful_count"]) == (1, 0)
    r = await client.post(f"{KB}/{a['id']}/feedback", json={"helpful": True}, headers=agent)  # the same vote again
    assert (r.json()["helpful_count"], r.json()["not_helpful_count"]) == (1, 0)
    r = await client.post(f"{KB}/{a['id']}/feedback", json={"helpful": False}, headers=agent)  # a changed mind
    assert (r.json()["helpful_count"], r.json()["not_helpful_count"]) == (0, 1)
    r = await client.post(f"{KB}/{a['id']}/feedback", json={"helpful": False}, headers=analyst)
    assert (r.json()["helpful_count"], r.json()["not_helpful_count"], r.json()["version"]) == (0, 2, 1)
    assert (await client.post(f"{KB}/{a['id']}/feedback", json={"helpful": "maybe"}, headers=agent)).status_code == 422
    assert (await client.post(f"{KB}/{a['id']}/feedback", json={}, headers=agent)).status_code == 422
    draft = await article(client, editor, status="draft")
    assert (await client.post(f"{KB}/{draft['id']}/feedback", json={"helpful": True}, headers=agent)).status_code == 404
    r = await client.get(f"{KB}/{draft['id']}", headers=editor)
    assert r.json()["view_count"] == 0  # an editor's look at a draft is no view


async def test_delete_and_restore(client: httpx.AsyncClient, world: World) -> None:
    editor, agent = world.users["service_manager"].headers, world.users["agent1"].headers
    a = await article(client, editor, title="Old printer guide")
    assert (await client.delete(f"{KB}/{a['id']}", headers=agent)).status_code == 403
    assert (await client.delete(f"{KB}/{a['id']}", headers=editor)).status_code == 204
    assert (await client.delete(f"{KB}/{a['id']}", headers=editor)).status_code == 404
    assert (await client.get(f"{KB}/{a['id']}", headers=editor)).status_code == 404
    assert await titles(client, editor, q="printer") == []
    r = await client.post(f"{KB}/{a['id']}/restore", headers=editor)
    assert r.status_code == 200 and r.json()["title"] == "Old printer guide"
    assert (await client.post(f"{KB}/{a['id']}/restore", headers=editor)).status_code == 404


async def test_bad_input_changes_nothing(client: httpx.AsyncClient, world: World) -> None:
    editor = world.users["service_manager"].headers
    for body in (
        {},
        {"title": ""},
        {"title": "x" * 301},
        {"title": "ok", "status": "archived"},
        {"title": "ok", "visibility": "secret"},
        {"title": "ok", "tags": ["x" * 51]},
        {"title": "ok", "owner_id": str(uuid.uuid4())},
        {"title": "ok", "version": 7},
        {"title": "ok", "body": "x" * 100_001},
    ):
        r = await client.post(KB, json=body, headers=editor)
        assert r.status_code == 422, body
        assert r.headers["content-type"] == "application/problem+json"
    assert await titles(client, editor) == []
    a = await article(client, editor, title="<b>Tag-looking</b> title")
    assert (await client.patch(f"{KB}/{a['id']}", json={"status": "draft"}, headers=editor)).status_code == 422
    assert (await client.patch(f"{KB}/{a['id']}", json={"title": None}, headers=editor)).status_code == 422
    assert (await client.get(f"{KB}/not-a-uuid", headers=editor)).status_code == 422
    assert (await client.get(f"{KB}/{uuid.uuid4()}", headers=editor)).status_code == 404
    assert (await client.patch(f"{KB}/{uuid.uuid4()}", json={"title": "x"}, headers=editor)).status_code == 404
    r = await client.patch(f"{KB}/{a['id']}", json={"title": "x"}, headers={**editor, "If-Match": "nonsense"})
    assert r.status_code == 412
    r = await client.get(f"{KB}/{a['id']}", headers=editor)
    assert r.json()["title"] == "<b>Tag-looking</b> title" and r.json()["version"] == 1
    assert (await client.get(KB)).status_code == 401


async def test_audit_and_outbox(client: httpx.AsyncClient, world: World, engine: AsyncEngine) -> None:
    editor = world.users["service_manager"].headers
    a = await article(client, editor, status="draft")
    await client.patch(f"{KB}/{a['id']}", json={"body": "new text"}, headers=editor)
    await client.post(f"{KB}/{a['id']}/publish", headers=editor)
    async with engine.connect() as conn:
        actions = (
            (
                await conn.execute(
                    sa.select(audit_log.c.action)
                    .where(audit_log.c.entity_id == uuid.UUID(a["id"]))
                    .order_by(audit_log.c.at)
                )
            )
            .scalars()
            .all()
        )
        events = (
            (
                await conn.execute(
                    sa.select(outbox.c.event_type)
                    .where(outbox.c.entity_id == uuid.UUID(a["id"]))
                    .order_by(outbox.c.occurred_at)
                )
            )
            .scalars()
            .all()
        )
    assert list(actions) == ["kb_article.created", "kb_article.updated", "kb_article.published"]
    assert list(events) == list(actions)


async def test_ticket_suggestions_and_links(client: httpx.AsyncClient, world: World) -> None:
    editor, agent = world.users["service_manager"].headers, world.users["agent1"].headers
    refund = await article(client, editor, title="如何申请退款", body="在订单页面点击申请退款。")
    invoice = await article(
        client, editor, title="发票开具说明", body="电子发票在付款后发送。Refund of invoices: see 退款."
    )
    printer = await article(client, editor, title="Printer jams", body="Open the tray and remove the paper.")
    await article(client, editor, title="退款草稿", status="draft")
    r = await client.post(
        "/api/v1/tickets", json={"subject": "客户要求退款", "description": "订单已付款，想申请退款"}, headers=agent
    )
    ticket = r.json()
    base = f"/api/v1/tickets/{ticket['id']}"
    r = await client.get(f"{base}/kb-suggestions", headers=agent)
    assert r.status_code == 200, r.text
    ids = [s["article"]["id"] for s in r.json()["items"]]
    assert ids[:2] == [refund["id"], invoice["id"]] and printer["id"] not in ids  # drafts never suggested
    assert all(not s["linked"] for s in r.json()["items"])
    # Link, count the use, refuse a second link; unlink.
    r = await client.post(f"{base}/kb-links", json={"article_id": refund["id"]}, headers=agent)
    assert r.status_code == 201 and r.json()["title"] == "如何申请退款"
    assert (await client.post(f"{base}/kb-links", json={"article_id": refund["id"]}, headers=agent)).status_code == 409
    assert (await client.get(f"{KB}/{refund['id']}", headers=agent)).json()["used_in_count"] == 1
    r = await client.get(f"{base}/kb-suggestions", headers=agent)
    assert [s["linked"] for s in r.json()["items"]][:2] == [True, False]
    r = await client.get(f"{base}/kb-links", headers=agent)
    assert [link["article_id"] for link in r.json()["items"]] == [refund["id"]]
    # Bad links: no such article, a draft, not a UUID.
    assert (
        await client.post(f"{base}/kb-links", json={"article_id": str(uuid.uuid4())}, headers=agent)
    ).status_code == 404
    drafts = await client.get(KB, params={"status": "draft"}, headers=editor)
    draft_id = drafts.json()["items"][0]["id"]
    assert (await client.post(f"{base}/kb-links", json={"article_id": draft_id}, headers=agent)).status_code == 404
    assert (await client.post(f"{base}/kb-links", json={"article_id": "x"}, headers=agent)).status_code == 422
    assert (await client.delete(f"{base}/kb-links/{refund['id']}", headers=agent)).status_code == 204
    assert (await client.delete(f"{base}/kb-links/{refund['id']}", headers=agent)).status_code == 404
    assert (await client.get(f"{KB}/{refund['id']}", headers=agent)).json()["used_in_count"] == 0
    r = await client.get(f"/api/v1/tickets/{uuid.uuid4()}/kb-suggestions", headers=agent)
    assert r.status_code == 404


async def test_preview_renders_like_the_article(client: httpx.AsyncClient, world: World) -> None:
    editor, agent = world.users["service_manager"].headers, world.users["agent1"].headers
    r = await client.post("/api/v1/kb/render", json={"body": "**粗体** <script>x()</script>"}, headers=editor)
    assert r.status_code == 200 and r.json()["html"] == "<p><strong>粗体</strong> </p>\n"
    assert (await client.post("/api/v1/kb/render", json={"body": "x"}, headers=agent)).status_code == 403
    assert (await client.post("/api/v1/kb/render", json={"body": 1}, headers=editor)).status_code == 422

# ruff: noqa: RUF001  (Chinese text uses full-width punctuation)
"""The demo tenant's knowledge base: a few categories and 60 articles, half in Chinese and half in
English (the same 30 topics), most published, some drafts and archived ones, internal and public,
with views and votes. Its own seeded generator like app/seed_sales.py, so a demo seeded by an
earlier release gets the same rows. The article text is built from the topic and a pool of
sentences (`article_text`), which the benchmark's generator (bench/generate_kb.py) reuses for
its 10,000 articles."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.ext.asyncio import AsyncConnection

from app.domain.kb.search import document_vector
from app.domain.shared.ids import new_id
from app.repositories.tables import kb_articles, kb_categories, roles, user_roles, users

SEED = 20261130
CATEGORIES = [
    "账户与登录 Accounts",
    "订单与退款 Orders & refunds",
    "发票与付款 Invoices",
    "设备故障 Devices",
    "使用指南 How-to",
]
# (category index, Chinese subject, English subject, tags)
TOPICS: list[tuple[int, str, str, list[str]]] = [
    (0, "重置登录密码", "reset your login password", ["login", "password"]),
    (0, "开启两步验证", "turn on two-step verification", ["login", "security"]),
    (0, "修改绑定手机号", "change the phone number on your account", ["account"]),
    (0, "找回被锁定的账号", "unlock a locked account", ["login"]),
    (0, "添加子账号和权限", "add team members and permissions", ["account", "team"]),
    (0, "注销账号", "close your account", ["account"]),
    (1, "申请退款", "request a refund", ["refund"]),
    (1, "退款到账时间", "how long a refund takes", ["refund"]),
    (1, "取消未发货订单", "cancel an order before it ships", ["order"]),
    (1, "修改收货地址", "change the delivery address", ["order", "delivery"]),
    (1, "查询物流进度", "track a delivery", ["delivery"]),
    (1, "申请退货换货", "return or exchange an item", ["refund", "return"]),
    (2, "开具增值税专用发票", "get a VAT special invoice", ["invoice"]),
    (2, "修改发票抬头", "change the invoice title", ["invoice"]),
    (2, "对公转账付款", "pay by bank transfer", ["payment"]),
    (2, "续费与自动扣款", "renewals and automatic payment", ["payment", "renewal"]),
    (2, "合同与报价单下载", "download contracts and quotes", ["contract"]),
    (3, "打印机卡纸处理", "clear a printer paper jam", ["printer", "hardware"]),
    (3, "设备无法开机", "a device that will not power on", ["hardware"]),
    (3, "扫码枪无法识别条码", "a scanner that does not read barcodes", ["hardware", "scanner"]),
    (3, "网络连接频繁断开", "a network connection that keeps dropping", ["network"]),
    (3, "系统升级后蓝屏", "a blue screen after a system update", ["hardware", "update"]),
    (3, "设备保修与送修", "warranty and repair of a device", ["warranty"]),
    (4, "导入客户数据", "import customer data", ["import"]),
    (4, "设置工单自动分配", "set up automatic ticket assignment", ["tickets"]),
    (4, "配置服务时限", "configure service level targets", ["sla", "tickets"]),
    (4, "导出报表", "export reports", ["reports"]),
    (4, "微信渠道接入", "connect the WeChat channel", ["wechat"]),
    (4, "移动端安装与登录", "install and sign in to the mobile app", ["mobile", "login"]),
    (4, "批量发送营销短信", "send marketing text messages in bulk", ["campaigns"]),
]
_ZH_STEPS = [
    "登录管理后台，进入“设置”页面。",
    "在左侧菜单中找到对应的功能入口。",
    "核对页面上显示的信息是否正确。",
    "点击“保存”，系统会提示操作成功。",
    "如果页面提示权限不足，请联系管理员开通权限。",
    "等待几分钟后刷新页面，查看最新状态。",
    "准备好订单号和联系人手机号，以便客服快速核实。",
    "按照页面提示上传相关凭证或截图。",
    "重启设备，并确认电源和网线连接正常。",
    "在工单中记录处理过程，方便后续跟进。",
]
_ZH_NOTES = [
    "处理过程中请勿重复提交，以免产生多条记录。",
    "工作日一般在两小时内响应，节假日顺延。",
    "涉及金额的操作需要主管审批。",
    "如问题仍未解决，请升级给二线技术支持。",
    "请提醒客户保存好相关凭证。",
    "该操作会记录在审计日志中。",
]
_EN_STEPS = [
    "Sign in to the admin console and open Settings.",
    "Find the matching entry in the menu on the left.",
    "Check that the details shown on the page are correct.",
    "Click Save; a message confirms the change.",
    "If the page says you lack permission, ask an administrator to grant it.",
    "Wait a few minutes, then refresh the page to see the new status.",
    "Have the order number and the contact's phone number ready so support can verify quickly.",
    "Upload the receipts or screenshots the page asks for.",
    "Restart the device and check that the power and network cables are connected.",
    "Record what you did in the ticket so the next agent can follow up.",
]
_EN_NOTES = [
    "Do not submit twice while the request is processed, or duplicate records appear.",
    "On working days we answer within two hours; holidays move the clock.",
    "Anything involving money needs a supervisor's approval.",
    "If the problem remains, escalate to second-line technical support.",
    "Remind the customer to keep the receipts.",
    "The change is recorded in the audit log.",
]


def article_text(
    rng: random.Random, topic: tuple[int, str, str, list[str]], zh: bool, steps: int = 5
) -> tuple[str, str]:
    """(title, Markdown body) of an article on `topic`: an introduction, numbered steps and notes."""
    _, zh_subject, en_subject, _ = topic
    if zh:
        title = rng.choice(["如何{}", "{}的操作步骤", "{}常见问题", "{}"]).format(zh_subject)
        parts = [f"本文介绍{zh_subject}的方法，适用于客服人员和客户自助处理。", "", "## 操作步骤", ""]
        parts += [f"{i + 1}. {s}" for i, s in enumerate(rng.sample(_ZH_STEPS, min(steps, len(_ZH_STEPS))))]
        parts += ["", "## 注意事项", "", *(f"- {n}" for n in rng.sample(_ZH_NOTES, 2))]
        parts += ["", f"仍有疑问？在工单中搜索“{zh_subject}”查看相关记录。"]
    else:
        title = rng.choice(["How to {}", "{}: step by step", "FAQ: {}", "{}"]).format(en_subject)
        title = title[0].upper() + title[1:]
        parts = [f"This article explains how to {en_subject}, for agents and for customers helping themselves.", ""]
        parts += ["## Steps", ""]
        parts += [f"{i + 1}. {s}" for i, s in enumerate(rng.sample(_EN_STEPS, min(steps, len(_EN_STEPS))))]
        parts += ["", "## Notes", "", *(f"- {n}" for n in rng.sample(_EN_NOTES, 2))]
        parts += ["", f"Still stuck? Search the tickets for “{en_subject}” to see earlier cases."]
    return title, "\n".join(parts)


async def seed_demo_kb(conn: AsyncConnection, tenant_id: UUID, today: datetime) -> int:
    rng = random.Random(SEED)  # noqa: S311 - demo data, not secrets
    author = (
        await conn.execute(
            sa.select(users.c.id)
            .join(user_roles, sa.and_(user_roles.c.tenant_id == users.c.tenant_id, user_roles.c.user_id == users.c.id))
            .join(roles, sa.and_(roles.c.tenant_id == user_roles.c.tenant_id, roles.c.id == user_roles.c.role_id))
            .where(users.c.tenant_id == tenant_id, roles.c.key == "service_manager")
            .order_by(users.c.email)
            .limit(1)
        )
    ).scalar()
    category_ids = [new_id() for _ in CATEGORIES]
    await conn.execute(
        kb_categories.insert(),
        [
            {"tenant_id": tenant_id, "id": cid, "name": name, "position": (i + 1) * 10, "created_by": author}
            for i, (cid, name) in enumerate(zip(category_ids, CATEGORIES, strict=True))
        ],
    )
    rows: list[dict[str, Any]] = []
    for n, topic in enumerate(TOPICS):
        for zh in (True, False):
            title, body = article_text(rng, topic, zh)
            index = len(rows)
            status = "draft" if index % 9 == 4 else "archived" if index % 13 == 7 else "published"
            written = today - timedelta(days=rng.uniform(5, 400))
            published = status != "draft"
            views = rng.randint(20, 3000) if published else 0
            rows.append(
                {
                    "tenant_id": tenant_id, "id": new_id(), "category_id": category_ids[topic[0]], "title": title,
                    "body": body, "tags": topic[3] + (["中文"] if zh else ["english"]), "status": status,
                    "visibility": "public" if n % 2 == 0 else "internal", "revised_at": written,
                    "revised_by": author, "published_at": written + timedelta(hours=2) if published else None,
                    "archived_at": written + timedelta(days=30) if status == "archived" else None,
                    "view_count": views, "helpful_count": views // rng.randint(8, 20),
                    "not_helpful_count": views // rng.randint(40, 200), "created_at": written,
                    "updated_at": written + timedelta(days=30 if status == "archived" else 0),
                    "created_by": author, "updated_by": author,
                    "search_vector": sa.cast(sa.literal(document_vector(title, body)), TSVECTOR),
                }
            )  # fmt: skip
    for row in rows:  # one by one: each row carries its own search vector expression
        await conn.execute(kb_articles.insert().values(row))
    return len(rows)

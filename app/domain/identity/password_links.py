# ruff: noqa: RUF001  (Chinese text uses full-width punctuation)
"""One-time links by which people set their own password: no administrator ever chooses one.

- An invitation goes to every user created through the API (`UserService.create`).
- A reset link goes after an administrator forces a reset (the old password is cleared at once)
  or when someone asks for one (forgot password; the password stays until the link is used).

Issuing a link writes its row (no secret yet), an audit entry and an outbox event in the use
case's transaction. The worker (`deliver`) then makes the secret, stores its SHA-256 and mails
the link: a rolled-back request mails nothing, a committed one is mailed even if the mail server
is down for a while (the event is retried), and the secret is never stored. A link works once,
until it expires; a newer link withdraws the older ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from html import escape
from uuid import UUID

from app.auth.passwords import check_policy
from app.auth.principal import Principal
from app.auth.secrets import digest, new_secret
from app.domain.identity.entities import (
    ClientContext,
    LinkPurpose,
    OutgoingMail,
    PasswordLink,
    PasswordLinkInfo,
)
from app.domain.identity.passwords import set_password
from app.domain.identity.ports import (
    ApiTokenRepository,
    Mailer,
    PasswordLinkRepository,
    SessionRepository,
    UserRepository,
)
from app.domain.shared.clock import utcnow
from app.domain.shared.errors import Gone, NotFound
from app.domain.shared.ports import AuditTrail, NewEvent, RateLimiter

LINK_EVENT = "user.password_link_issued"
LINK_PREFIX = "crm_pwl_"
UNKNOWN_LINK = "no such link"
# Forgot-password requests per e-mail address (and per client address) and hour.
RESETS_PER_HOUR = 5
HOUR = 3600


@dataclass(frozen=True, slots=True)
class LinkPolicy:
    public_url: str = "http://127.0.0.1:8000"
    invitation_hours: int = 72
    reset_minutes: int = 60


class PasswordLinkService:
    def __init__(
        self,
        links: PasswordLinkRepository,
        users: UserRepository,
        sessions: SessionRepository,
        api_tokens: ApiTokenRepository,
        audit: AuditTrail,
        policy: LinkPolicy,
        *,
        limiter: RateLimiter | None = None,
        mailer: Mailer | None = None,
    ) -> None:
        self.links = links
        self.users = users
        self.sessions = sessions
        self.api_tokens = api_tokens
        self.audit = audit
        self.policy = policy
        self.limiter = limiter
        self.mailer = mailer

    async def issue(
        self, principal: Principal | None, tenant_id: UUID, user_id: UUID, purpose: LinkPurpose, action: str
    ) -> UUID:
        """A new link for the user (withdrawing older ones), audited as `action`, mailed by the worker."""
        lifetime = (
            timedelta(hours=self.policy.invitation_hours)
            if purpose is LinkPurpose.INVITATION
            else timedelta(minutes=self.policy.reset_minutes)
        )
        expires_at = utcnow() + lifetime
        link_id = await self.links.insert(
            tenant_id, user_id, purpose, expires_at, principal.user_id if principal else None
        )
        await self.audit.record(
            principal,
            action,
            "user",
            user_id,
            {"link_id": str(link_id), "purpose": str(purpose), "expires_at": expires_at.isoformat()},
            tenant_id=tenant_id,
            events=[NewEvent(LINK_EVENT, "user", user_id, {"link_id": str(link_id)})],
        )
        return link_id

    async def withdraw(self, tenant_id: UUID, user_id: UUID) -> None:
        """The user's open links stop working (deactivation)."""
        await self.links.revoke_user(tenant_id, user_id)

    async def request_reset(self, email: str, ctx: ClientContext) -> None:
        """Forgot password: the same answer whether or not the address is known."""
        account = email.strip().lower()
        if self.limiter is not None:
            for bucket in (f"password-reset:{account}", f"password-reset-from:{ctx.address}"):
                if await self.limiter.hit(bucket, RESETS_PER_HOUR, HOUR) is not None:
                    return  # silently: a 429 would tell which addresses are being tried
        credentials = await self.users.credentials_by_email(account)
        if credentials is None or not credentials.active:
            return
        await self.issue(
            None, credentials.tenant_id, credentials.user_id, LinkPurpose.RESET, "user.password_reset_requested"
        )

    async def deliver(self, tenant_id: UUID, link_id: UUID) -> bool:
        """The worker's part: make the secret, keep its hash, mail the link. False when the link is
        no longer worth sending (used, withdrawn, expired, the user deactivated)."""
        assert self.mailer is not None, "delivering needs a mailer"
        link = await self.links.get(tenant_id, link_id)
        if link is None or not _open(link) or not link.active:
            return False
        secret = new_secret(LINK_PREFIX)
        await self.links.set_secret(tenant_id, link_id, digest(secret))
        await self.mailer.send(compose(link, self.link_url(link.purpose, secret)))
        return True

    def link_url(self, purpose: LinkPurpose, secret: str) -> str:
        page = "invite" if purpose is LinkPurpose.INVITATION else "reset-password"
        return f"{self.policy.public_url.rstrip('/')}/{page}/{secret}"

    async def inspect(self, token: str) -> PasswordLinkInfo:
        link = await self._valid(token)
        return PasswordLinkInfo(str(link.purpose), link.email, link.name, link.expires_at)

    async def accept(self, token: str, password: str, ctx: ClientContext) -> None:
        """Set the user's own password through the link (once); every session of theirs ends."""
        link = await self._valid(token)
        check_policy(password, email=link.email)
        if not await self.links.use(link.tenant_id, link.id):
            raise Gone("this link has already been used")
        await set_password(
            self.users, self.sessions, self.api_tokens, self.audit,
            tenant_id=link.tenant_id, user_id=link.user_id, email=link.email, new_password=password, by=None,
            action="user.password_set" if link.purpose is LinkPurpose.INVITATION else "user.password_reset_completed",
            field="password", details={"link_id": str(link.id), "ip": ctx.address},
        )  # fmt: skip
        await self.links.revoke_user(link.tenant_id, link.user_id)

    async def _valid(self, token: str) -> PasswordLink:
        if not token.startswith(LINK_PREFIX):
            raise NotFound(UNKNOWN_LINK)
        link = await self.links.by_hash(digest(token))
        if link is None:
            raise NotFound(UNKNOWN_LINK)
        if link.used_at is not None:
            raise Gone("this link has already been used")
        if not _open(link) or not link.active:
            raise Gone("this link has expired or was withdrawn; ask for a new one")
        return link


def _open(link: PasswordLink) -> bool:
    return link.used_at is None and link.revoked_at is None and link.expires_at > utcnow()


# -- the message ---------------------------------------------------------------------------------

_TEXTS = {
    ("en", LinkPurpose.INVITATION): (
        "You are invited to the CRM",
        "Hello {name},\n\nan account was created for you ({email}). Choose your password here:\n\n{url}\n\n"
        "The link works once and expires at {expires} (UTC).",
        "Choose your password",
    ),
    ("en", LinkPurpose.RESET): (
        "Reset your CRM password",
        "Hello {name},\n\nset a new password for {email} here:\n\n{url}\n\n"
        "The link works once and expires at {expires} (UTC). If you did not ask for it, ignore this message.",
        "Set a new password",
    ),
    ("zh-CN", LinkPurpose.INVITATION): (
        "您已受邀使用 CRM",
        "{name}，您好：\n\n已为您创建账号（{email}）。请通过以下链接设置您的密码：\n\n{url}\n\n"
        "该链接仅可使用一次，将于 {expires}（UTC）失效。",
        "设置密码",
    ),
    ("zh-CN", LinkPurpose.RESET): (
        "重置您的 CRM 密码",
        "{name}，您好：\n\n请通过以下链接为 {email} 设置新密码：\n\n{url}\n\n"
        "该链接仅可使用一次，将于 {expires}（UTC）失效。如非本人操作，请忽略此邮件。",
        "设置新密码",
    ),
}


def compose(link: PasswordLink, url: str) -> OutgoingMail:
    """The message in the user's language (zh-CN for any Chinese locale, English otherwise)."""
    language = "zh-CN" if link.locale.lower().startswith("zh") else "en"
    subject, body, button = _TEXTS[(language, link.purpose)]
    expires = link.expires_at.strftime("%Y-%m-%d %H:%M")
    text = body.format(name=link.name, email=link.email, url=url, expires=expires)
    paragraphs = "".join(
        f"<p>{escape(part).replace(chr(10), '<br>')}</p>"
        for part in body.format(name=link.name, email=link.email, url="\0", expires=expires).split("\n\n")
        if part != "\0"
    )
    html = (
        f'<!doctype html><html lang="{language}"><body>{paragraphs}'
        f'<p><a href="{escape(url, quote=True)}">{escape(button)}</a></p></body></html>'
    )
    return OutgoingMail(link.email, link.name, subject, text, html)

"""Service settings, read once from the environment (prefix CRM_).

Every setting is listed in README.md. Development defaults let `make run` work with no
configuration; `CRM_ENV=production` refuses the development secrets.
"""

from __future__ import annotations

from functools import cached_property, lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# A development-only signing key. Production refuses to start with it (see _no_dev_secrets).
DEV_JWT_KEY = "dev:development-only-signing-key-change-me-0123456789"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CRM_", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1

    # Unset: `crm serve` starts an embedded PostgreSQL under data_dir.
    database_url: str | None = None
    data_dir: Path = Path(".crm")
    # Per engine (reads and writes each have one). A request holds a connection throughout, so
    # the pool must cover the concurrent requests one process serves, or waits pile up in p99.
    db_pool_size: int = 40
    db_max_overflow: int = 10
    # Read connections opened at start-up (0: on demand).
    db_prewarm: int = 16

    # "kid:secret" pairs, comma separated. The first signs; all verify.
    jwt_keys: Annotated[list[str], NoDecode] = Field(default_factory=lambda: [DEV_JWT_KEY])
    jwt_issuer: str = "crm"
    jwt_audience: str = "crm-api"
    access_token_minutes: int = 15
    refresh_token_days: int = 30

    allow_signup: bool = True
    max_body_bytes: int = 1024 * 1024
    # Login throttling: failures per (account, client address) per window, and per account per hour.
    login_max_failures_per_address: int = 10
    login_failure_window_minutes: int = 15
    login_max_failures_per_account_hour: int = 100
    # Trust X-Forwarded-For from the load balancer for the client address (audit, throttling).
    trust_forwarded_for: bool = False
    idempotency_ttl_hours: int = 24
    # The worker (app/worker.py) runs inside `crm serve` unless turned off (then run `crm worker`).
    worker_in_serve: bool = True
    worker_poll_seconds: float = 1.0
    worker_jobs_seconds: int = 60
    # Outgoing mail (invitation and password-reset links): smtp://user:password@host:port or
    # smtps://…; unset: each message is written to <data_dir>/mail/*.eml and its link logged.
    smtp_url: str | None = None
    mail_from: str = "CRM <no-reply@crm.localhost>"
    # Where people open the web client: the base of the links in those messages.
    public_url: str = "http://127.0.0.1:8000"
    invitation_link_hours: int = 72
    reset_link_minutes: int = 60
    log_level: str = "info"
    # Browser origins allowed to call the API cross-origin (comma separated). The SPA served by
    # this process is same-origin and needs none.
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # The built web client (index.html + assets), served at /. Missing: the API alone.
    web_dir: Path = Path(__file__).resolve().parent.parent / "frontend" / "dist"

    @model_validator(mode="before")
    @classmethod
    def _split_keys(cls, data: dict[str, object]) -> dict[str, object]:
        for name in ("jwt_keys", "cors_origins"):
            value = data.get(name)
            if isinstance(value, str):
                data[name] = [v.strip() for v in value.split(",") if v.strip()]
        return data

    @model_validator(mode="after")
    def _no_dev_secrets(self) -> Settings:
        for entry in self.jwt_keys:
            kid, sep, secret = entry.partition(":")
            if not sep or not kid or len(secret) < 32:
                raise ValueError("CRM_JWT_KEYS entries must be 'kid:secret' with 32+ character secrets")
        if self.env == "production" and DEV_JWT_KEY in self.jwt_keys:
            raise ValueError("CRM_JWT_KEYS must be set in production")
        for origin in self.cors_origins:
            if not origin.startswith(("http://", "https://")) or origin.endswith("/"):
                raise ValueError("CRM_CORS_ORIGINS entries must be origins like https://crm.example.com (no '*')")
        if self.env == "production" and not self.database_url:
            raise ValueError("CRM_DATABASE_URL must be set in production")
        return self

    @cached_property
    def signing_key(self) -> tuple[str, str]:
        kid, _, secret = self.jwt_keys[0].partition(":")
        return kid, secret

    @cached_property
    def verification_keys(self) -> dict[str, str]:
        return {k: s for k, _, s in (e.partition(":") for e in self.jwt_keys)}


@lru_cache
def get_settings() -> Settings:
    return Settings()

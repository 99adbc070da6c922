"""Service settings, read once from the environment (prefix CRM_).

Every setting is listed in README.md. Development defaults let `make run` work with no
configuration; `CRM_ENV=production` refuses the development secrets.
"""

from __future__ import annotations

import re
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

    # Unset: `crm serve` starts an embedded PostgreSQL under data_dir (and connects as crm_app).
    # The application's connection: serve and worker. In production a role that cannot alter the
    # schema or the audit log (README "Database roles").
    database_url: str | None = None
    # The schema owner's connection, for `crm migrate` / `crm serve --migrate`. Unset: database_url.
    migration_database_url: str | None = None
    # The application's role, granted its privileges by the migrations (run as the owner).
    app_database_role: str = "crm_app"
    data_dir: Path = Path(".crm")
    # Per engine (reads and writes each have one). A request holds a connection throughout, so
    # the pool must cover the concurrent requests one process serves, or waits pile up in p99.
    db_pool_size: int = 40
    db_max_overflow: int = 10
    # Read connections opened at start-up (0: on demand).
    db_prewarm: int = 16
    # How long a request waits for a pooled connection, or for a new one to be made; then 503.
    db_pool_timeout_seconds: float = 5.0
    # The time budget of each statement a request (or the worker) runs, and of each wait for a lock;
    # past it, 503. Work that needs more asks for db_long_statement_timeout_ms explicitly
    # (app/repositories/database.py: allow_long_statements). 0 turns a limit off.
    db_statement_timeout_ms: int = 5000
    db_lock_timeout_ms: int = 2000
    db_long_statement_timeout_ms: int = 600_000

    # "kid:secret" pairs, comma separated. The first signs; all verify.
    jwt_keys: Annotated[list[str], NoDecode] = Field(default_factory=lambda: [DEV_JWT_KEY])
    jwt_issuer: str = "crm"
    jwt_audience: str = "crm-api"
    access_token_minutes: int = 15
    refresh_token_days: int = 30
    # A session's absolute lifetime from sign-in: refresh-token rotation never extends it.
    session_max_days: int = 30

    allow_signup: bool = True
    max_body_bytes: int = 1024 * 1024
    # Login throttling: failures per (account, client address) per window, and per account per hour.
    login_max_failures_per_address: int = 10
    login_failure_window_minutes: int = 15
    login_max_failures_per_account_hour: int = 100
    # ... and per client address across accounts within the window (password spraying).
    login_max_failures_per_client: int = 20
    # Request quotas of the authenticated API per fixed window: per API token for calls with one,
    # else per user. A tenant's settings.rate_limits override them ({"user": n, "token": n,
    # "window_seconds": n}). Counted in each process, synced every rate_limit_sync_ms. A short
    # window, as HubSpot's 100 per 10 s per app: a burst is caught within seconds, not a minute.
    rate_limit_enabled: bool = True
    rate_limit_per_user: int = Field(default=100, ge=1)
    rate_limit_per_token: int = Field(default=100, ge=1)
    rate_limit_window_seconds: int = Field(default=10, ge=1)
    rate_limit_sync_ms: int = Field(default=250, ge=10)
    # Set: the request counters live in Redis (redis://host:6379/0) instead of PostgreSQL.
    redis_url: str | None = None
    # Trust X-Forwarded-For from the load balancer for the client address (audit, throttling).
    trust_forwarded_for: bool = False
    idempotency_ttl_hours: int = 24
    # Sync feeds keep tombstones of records that left a caller's data range this long; an older
    # sync token is answered 410 Gone (the client syncs again from the start).
    sync_retention_days: int = Field(30, ge=1)
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
    # Campaign mail's second List-Unsubscribe target (mailto:...); unset: only the one-click URL.
    unsubscribe_mailto: str | None = None
    invitation_link_hours: int = 72
    reset_link_minutes: int = 60
    log_level: str = "info"
    # Swagger UI at /docs and ReDoc at /redoc. Unset: on, except in production.
    docs_enabled: bool | None = None
    # Where the contract (OpenAPI document) is served; empty: not served (it stays in the repository).
    openapi_path: str = "/openapi.json"
    # Send Strict-Transport-Security on every response, not only on requests seen as https (for a
    # TLS proxy whose X-Forwarded-Proto is not trusted through CRM_TRUST_FORWARDED_FOR).
    force_hsts: bool = False
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
        if self.openapi_path and not self.openapi_path.startswith("/"):
            raise ValueError("CRM_OPENAPI_PATH must be a path starting with '/' (or empty)")
        if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", self.app_database_role):
            raise ValueError("CRM_APP_DATABASE_ROLE must be a plain lower-case role name")
        return self

    @property
    def interactive_docs(self) -> bool:
        if self.docs_enabled is None:
            return self.env != "production"
        return self.docs_enabled

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

"""`crm` command line: serve, migrate, seed, openapi, create-tenant, create-user."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path

import typer

from app.settings import get_settings

cli = typer.Typer(help="CRM service command line.", no_args_is_help=True, add_completion=False)

ROOT = Path(__file__).resolve().parent.parent


def _url() -> str:
    """The application's connection (the application role in production)."""
    from app.repositories.database import resolve_url

    return resolve_url(get_settings())


def _log_to_console(level: str) -> None:
    """The service's own loggers (crm.*) to stderr at CRM_LOG_LEVEL; uvicorn configures only its
    own, so without this an info line (a development mail's link, say) would be dropped."""
    import logging

    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)s:     %(name)s: %(message)s"))
    crm = logging.getLogger("crm")
    crm.addHandler(handler)
    crm.setLevel(level.upper())
    crm.propagate = False


def _migration_url() -> str:
    """The schema owner's connection."""
    from app.repositories.database import resolve_migration_url

    return resolve_migration_url(get_settings())


@cli.command()
def migrate(revision: str = typer.Argument("head", help="Target revision")) -> None:
    """Apply database migrations (alembic upgrade) as the schema owner (CRM_MIGRATION_DATABASE_URL)."""
    from app import migrate as m

    m.upgrade(_migration_url(), revision)
    typer.echo(f"database migrated to {revision}")


@cli.command()
def serve(
    host: str | None = typer.Option(None, help="Default: CRM_HOST"),
    port: int | None = typer.Option(None, help="Default: CRM_PORT"),
    migrate_first: bool = typer.Option(
        False, "--migrate", help="Apply migrations (as CRM_MIGRATION_DATABASE_URL's role) before serving"
    ),
    seed_demo: bool = typer.Option(False, "--seed-demo", help="Seed the demo tenant (idempotent) before serving"),
) -> None:
    """Serve the API (and, when built, the web client)."""
    import signal

    import uvicorn

    from app.main import create_app

    # SIGTERM ends the process by exiting, as Ctrl-C does, not by the signal's default (which
    # skips the exit handlers): the embedded PostgreSQL this process started then stops with it.
    # uvicorn shuts down gracefully first and raises the signal again once it has.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    settings = get_settings()
    _log_to_console(settings.log_level)
    if migrate_first:  # as the schema owner; the service itself runs as the application role
        from app import migrate as m

        m.upgrade(_migration_url())
    url = _url()  # starts the embedded PostgreSQL when CRM_DATABASE_URL is unset
    if seed_demo:
        from app.seed import print_demo_logins
        from app.seed import seed_demo as run_seed

        asyncio.run(run_seed(url, settings, owner_url=_migration_url()))
        print_demo_logins()
    app = create_app(settings, database_url=url)
    uvicorn.run(
        app,
        host=host or settings.host,
        port=port or settings.port,
        log_level=settings.log_level,
        loop="uvloop",
        http="httptools",
        access_log=False,
        # Behind a load balancer the operator trusts (CRM_TRUST_FORWARDED_FOR), take its
        # X-Forwarded-Proto as well: a browser's refresh cookie is then Secure when it came by https.
        forwarded_allow_ips="*" if settings.trust_forwarded_for else None,
    )


def _exit_on_signal(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


@cli.command()
def worker() -> None:
    """Consume the outbox and run the periodic jobs until interrupted (any number side by side).
    `crm serve` runs one inside unless CRM_WORKER_IN_SERVE=false."""
    import signal

    from app.repositories.database import create_engine
    from app.worker import Worker

    settings = get_settings()
    _log_to_console(settings.log_level)
    url = _url()

    async def run() -> None:
        engine = create_engine(url, settings, budget=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        typer.echo("worker running; Ctrl-C stops it")
        try:
            await Worker(engine, settings).run(stop)
        finally:
            await engine.dispose()

    asyncio.run(run())


@cli.command()
def seed(demo: bool = typer.Option(False, "--demo", help="Seed the demo tenant")) -> None:
    """Seed data. `--demo` creates the demo tenant (a second run adds nothing)."""
    if not demo:
        typer.echo("nothing to seed; pass --demo")
        raise typer.Exit(1)
    from app.seed import print_demo_logins, seed_demo

    asyncio.run(seed_demo(_url(), get_settings(), owner_url=_migration_url()))
    print_demo_logins()


@cli.command()
def openapi(output: Path = typer.Option(ROOT / "openapi" / "openapi.json", help="Where to write the document")) -> None:
    """Write the OpenAPI document (the committed contract)."""
    from app.main import create_app

    document = create_app(get_settings(), database_url="postgresql+asyncpg://unused/unused").openapi()
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(document, indent=2, ensure_ascii=False, sort_keys=False) + "\n", encoding="utf-8")
    typer.echo(f"wrote {output}")


@cli.command("create-tenant")
def create_tenant(
    name: str = typer.Option(..., help="Company name"),
    admin_email: str = typer.Option(..., help="The first administrator's email (their sign-in)"),
    admin_name: str = typer.Option(..., help="The first administrator's name"),
    password: str = typer.Option(..., prompt=True, hide_input=True, help="The administrator's password"),
) -> None:
    """Create a tenant with its system roles and its first administrator."""
    from app import admin
    from app.domain.shared.errors import DomainError

    try:
        created = asyncio.run(
            admin.create_tenant(
                _url(), get_settings(), name=name, admin_email=admin_email, admin_name=admin_name, password=password
            )
        )
    except DomainError as error:
        typer.echo(f"error: {error.detail}", err=True)
        raise typer.Exit(1)
    typer.echo(f"tenant {created.tenant_id} created; administrator {admin_email} ({created.admin_id})")


@cli.command("create-user")
def create_user(
    tenant_id: uuid.UUID = typer.Option(..., help="The tenant's id"),
    email: str = typer.Option(..., help="Sign-in email, unique across the service"),
    name: str = typer.Option(..., help="Full name"),
    role: list[str] = typer.Option(..., help="A role key (sales_rep, admin, ...); repeat for several"),
    department_id: uuid.UUID | None = typer.Option(None, help="The user's department"),
    password: str = typer.Option(..., prompt=True, hide_input=True, help="Initial password"),
) -> None:
    """Create a user in a tenant with the given roles."""
    from app import admin
    from app.domain.shared.errors import DomainError

    try:
        user = asyncio.run(
            admin.create_user(
                _url(), get_settings(), tenant_id=tenant_id, email=email, name=name, role_keys=role,
                department_id=department_id, password=password,
            )
        )  # fmt: skip
    except DomainError as error:
        typer.echo(f"error: {error.detail}", err=True)
        raise typer.Exit(1)
    typer.echo(f"user {user.id} created: {user.email}")


def main() -> None:
    cli()


if __name__ == "__main__":
    main()

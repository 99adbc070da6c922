"""The two database roles (README "Database roles"): the schema owner runs the migrations and owns
every table; the application role (CRM_APP_DATABASE_ROLE, `crm_app` by default) runs `crm serve`
and `crm worker` with data privileges only, and on the audit log only SELECT and INSERT.

The SQL here is plain statements so that every runner can execute it: the migrations (op.execute),
`app.migrate` (asyncpg), the embedded server's psql, and the test harness.
"""

from __future__ import annotations

import re

OWNER_ROLE = "crm_owner"
_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")

# Tables the application may read but never change. The audit log is append-only for it (no
# UPDATE, DELETE or TRUNCATE; the append-only trigger of migration 0001 also refuses row changes
# to everyone); the migrations' bookkeeping is the owner's alone.
READ_INSERT_ONLY = ("audit_log",)
READ_ONLY = ("alembic_version",)


def _checked(role: str) -> str:
    # Role names go into SQL text (GRANT takes no parameters): plain lower-case names only.
    if not _NAME.fullmatch(role):
        raise ValueError(f"unusable role name {role!r}")
    return role


def role_exists_sql(role: str) -> str:
    return f"SELECT 1 FROM pg_roles WHERE rolname = '{_checked(role)}'"  # noqa: S608 (checked name)


def app_grants(role: str) -> list[str]:
    """The application role's privileges on everything in the schema now. Idempotent."""
    r = _checked(role)
    return [
        f"GRANT USAGE ON SCHEMA public TO {r}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {r}",
        # Never TRUNCATE, REFERENCES or TRIGGER: a grant of ALL from earlier days is taken back.
        f"REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public FROM {r}",
        *(f"REVOKE UPDATE, DELETE ON {t} FROM {r}" for t in READ_INSERT_ONLY),
        *(f"REVOKE INSERT, UPDATE, DELETE ON {t} FROM {r}" for t in READ_ONLY),
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {r}",
        f"GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO {r}",
    ]


def app_default_privileges(role: str) -> list[str]:
    """What the migrating role creates from now on is granted to the application role as it is
    created (a later migration's tables need no grant of their own)."""
    r = _checked(role)
    return [
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {r}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {r}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT EXECUTE ON FUNCTIONS TO {r}",
    ]


def app_revokes(role: str) -> list[str]:
    """Undo app_grants and app_default_privileges (the migration's downgrade)."""
    r = _checked(role)
    return [
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON TABLES FROM {r}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON SEQUENCES FROM {r}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON FUNCTIONS FROM {r}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {r}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {r}",
        f"REVOKE USAGE ON SCHEMA public FROM {r}",
    ]


def create_roles(owner: str, app: str) -> list[str]:
    """Both roles, as a superuser (or a role with CREATEROLE), if missing. Roles are cluster-wide
    and several processes may start at once: an existing role is not an error."""
    return [
        "DO $$BEGIN CREATE ROLE " + _checked(name) + " LOGIN; "
        "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END$$"
        for name in (owner, app)
    ]


def own_database(database: str, owner: str) -> list[str]:
    """Run in `database` as a superuser: the owner role owns it, its schema and everything in it.
    A database built before the roles existed (its tables owned by the superuser) is handed over;
    objects of extensions stay where they are. Nobody else may create objects in the schema."""
    d, o = _checked(database), _checked(owner)
    return [
        f'ALTER DATABASE "{d}" OWNER TO {o}',
        f"ALTER SCHEMA public OWNER TO {o}",
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
        f"""DO $$
DECLARE item record;
BEGIN
    FOR item IN
        SELECT c.oid::regclass AS name FROM pg_class c
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
          AND c.relowner <> '{o}'::regrole
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                          AND d.objid = c.oid AND d.deptype IN ('a', 'i', 'e'))
    LOOP
        EXECUTE format('ALTER TABLE %s OWNER TO {o}', item.name);
    END LOOP;
    FOR item IN
        SELECT p.oid::regprocedure AS name FROM pg_proc p
        WHERE p.pronamespace = 'public'::regnamespace AND p.proowner <> '{o}'::regrole
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                          AND d.objid = p.oid AND d.deptype = 'e')
    LOOP
        EXECUTE format('ALTER ROUTINE %s OWNER TO {o}', item.name);
    END LOOP;
    FOR item IN
        SELECT t.oid::regtype AS name FROM pg_type t
        WHERE t.typnamespace = 'public'::regnamespace AND t.typtype IN ('e', 'd', 'r')
          AND t.typowner <> '{o}'::regrole
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass
                          AND d.objid = t.oid AND d.deptype = 'e')
    LOOP
        EXECUTE format('ALTER TYPE %s OWNER TO {o}', item.name);
    END LOOP;
END$$""",  # noqa: S608 (names checked)
    ]

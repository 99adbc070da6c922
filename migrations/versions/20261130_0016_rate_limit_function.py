"""The sliding-window rate limit as one function: lock the bucket, forget hits older than the
window, count the rest and either record this hit or say how long to wait. Called as a single
autocommitted statement, a public form's check is one round trip instead of five statements in a
transaction of their own (BEGIN, lock, delete, count, insert, COMMIT).

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30 09:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Returns NULL when the hit is allowed (and recorded), else the seconds until the oldest counted
# hit leaves the window (at least 1). The advisory lock serializes one bucket's hits, so a burst
# cannot slip past the limit.
HIT_FUNCTION = """
CREATE FUNCTION rate_limit_hit(p_bucket text, p_limit integer, p_window_seconds integer)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    win interval := make_interval(secs => p_window_seconds);
    counted integer;
    oldest timestamptz;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended(p_bucket, 0));
    DELETE FROM rate_limit_hits WHERE bucket = p_bucket AND at <= now() - win;
    SELECT count(*), min(at) INTO counted, oldest
    FROM (SELECT at FROM rate_limit_hits WHERE bucket = p_bucket ORDER BY at LIMIT p_limit) AS recent;
    IF counted >= p_limit THEN
        RETURN greatest(1, floor(extract(epoch FROM oldest + win - now()))::integer + 1);
    END IF;
    INSERT INTO rate_limit_hits (bucket) VALUES (p_bucket);
    RETURN NULL;
END $$
"""


def upgrade() -> None:
    op.execute(HIT_FUNCTION)


def downgrade() -> None:
    op.execute("DROP FUNCTION rate_limit_hit(text, integer, integer)")

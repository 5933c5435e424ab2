"""Change marks: a row per table (and writer slot) that every transaction writing the table updates at its
commit, so the read path can tell whether an answer it keeps is still the one the database would give.

The evaluation list, the employee list and /me/tasks are answered from a per-process cache of their encoded pages
(services/common/db.py ``ReadConnection.cached``). Before serving a kept page, the request reads the marks of
the tables the page's statement reads (one statement for every request of that turn of the event loop); a
page is served only while they are what they were before the page was read. A write commits its rows and
its mark together, so a request that starts after a write committed never gets a page from before it, in any
worker or replica (no notification to wait for, nothing that can be lost).

- ``kinerja.change_mark (tbl, slot, n)``: ``n`` counts the commits that wrote ``tbl`` from a backend whose
  pid falls in ``slot`` (0-7). The mark of a table is its rows' ``xmin`` (the last writer's transaction id,
  never reused in the cluster) and ``n``: a truncation or a database built anew does not bring an old mark back.
- ``kinerja.mark_change()``: a deferred constraint trigger on each table in ``MARKED``. It runs at commit,
  so the mark's row lock is held only while the transaction commits, and writers from different slots never
  wait for each other. It is queued once per transaction and table: its ``WHEN`` (evaluated as each row is
  written) calls ``kinerja.mark_queued(table)``, true only for the transaction's first row of that table (a
  transaction-local setting, undone with a rolled-back savepoint as the queued event is), so a bulk write
  pays a function call per row, not a queued event and a plpgsql call each: an UPDATE of 250,000 evaluations
  took the same time with the trigger on and off (docs/benchmarks.md, round 13). TRUNCATE marks the table too
  (a statement trigger).

Revision ID: kinerja_0031_c21_change_marks
Revises: kinerja_0030_t21_team_drafts_ix
"""

from collections.abc import Sequence

from alembic import op

revision: str = "kinerja_0031_c21_change_marks"
down_revision: str | None = "kinerja_0030_t21_team_drafts_ix"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# What the kept answers read: the employee and evaluation lists, and /me/tasks (services/kinerja_api/tasks).
MARKED = (
    "calendar_year",
    "employee",
    "employee_assignment",
    "evaluation",
    "objection",
    "period_calendar",
    "realization",
    "skp",
    "skp_indicator",
    "skp_result",
)


def upgrade() -> None:
    op.execute(
        "CREATE TABLE kinerja.change_mark (tbl text NOT NULL, slot smallint NOT NULL, n bigint NOT NULL,"
        " CONSTRAINT pk_change_mark PRIMARY KEY (tbl, slot))"
    )
    op.execute(
        """
        CREATE FUNCTION kinerja.mark_queued(tbl text) RETURNS boolean LANGUAGE sql VOLATILE AS $$
            SELECT CASE WHEN current_setting('asn_mark.' || tbl, true) = 'q' THEN false
                        ELSE set_config('asn_mark.' || tbl, 'q', true) = 'q' END
        $$
        """
    )
    op.execute(
        """
        CREATE FUNCTION kinerja.mark_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO kinerja.change_mark AS m (tbl, slot, n) VALUES (TG_TABLE_NAME, pg_backend_pid() % 8, 1)
            ON CONFLICT (tbl, slot) DO UPDATE SET n = m.n + 1;
            RETURN NULL;
        END
        $$
        """
    )
    for table in MARKED:
        op.execute(
            f"CREATE CONSTRAINT TRIGGER asn_mark_change AFTER INSERT OR UPDATE OR DELETE ON kinerja.{table}"
            f" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (kinerja.mark_queued('{table}'))"
            " EXECUTE FUNCTION kinerja.mark_change()"
        )
        op.execute(
            f"CREATE TRIGGER asn_mark_truncate AFTER TRUNCATE ON kinerja.{table}"
            " FOR EACH STATEMENT EXECUTE FUNCTION kinerja.mark_change()"
        )


def downgrade() -> None:
    for table in MARKED:
        op.execute(f"DROP TRIGGER asn_mark_truncate ON kinerja.{table}")
        op.execute(f"DROP TRIGGER asn_mark_change ON kinerja.{table}")
    op.execute("DROP FUNCTION kinerja.mark_change()")
    op.execute("DROP FUNCTION kinerja.mark_queued(text)")
    op.execute("DROP TABLE kinerja.change_mark")

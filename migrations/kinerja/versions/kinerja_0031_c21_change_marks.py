"""Change marks: a row per table (and writer slot) that every transaction writing the table updates at its
commit, so the read path can tell whether an answer it keeps is still the one the database would give.

The evaluation list and the employee list are answered from a per-process cache of their encoded pages
(services/common/db.py ``ReadConnection.cached``). Before serving a kept page, the request reads the marks of
the tables the page's statement reads (one statement for every request of that turn of the event loop); a
page is served only while they are what they were before the page was read. A write commits its rows and
its mark together, so a request that starts after a write committed never gets a page from before it, in any
worker or replica (no notification to wait for, nothing that can be lost).

- ``kinerja.change_mark (tbl, slot, n)``: ``n`` counts the commits that wrote ``tbl`` from a backend whose
  pid falls in ``slot`` (0-7). The mark of a table is its rows' ``xmin`` (the last writer's transaction id,
  never reused in the cluster) and ``n``: a truncation or a database built anew does not bring an old mark back.
- ``kinerja.mark_change()``: a deferred constraint trigger on ``evaluation`` and ``employee``, for each row
  written. It runs at commit, once per transaction and table (a transaction-local setting skips the rest of
  its rows), so the mark's row lock is held only while the transaction commits, and writers from different
  slots never wait for each other. TRUNCATE marks the table too (a statement trigger).

Revision ID: kinerja_0031_c21_change_marks
Revises: kinerja_0030_t21_team_drafts_ix
"""

from collections.abc import Sequence

from alembic import op

revision: str = "kinerja_0031_c21_change_marks"
down_revision: str | None = "kinerja_0030_t21_team_drafts_ix"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MARKED = ("evaluation", "employee")


def upgrade() -> None:
    op.execute(
        "CREATE TABLE kinerja.change_mark (tbl text NOT NULL, slot smallint NOT NULL, n bigint NOT NULL,"
        " CONSTRAINT pk_change_mark PRIMARY KEY (tbl, slot))"
    )
    op.execute(
        """
        CREATE FUNCTION kinerja.mark_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            -- Once per transaction and table: the setting is local to the transaction.
            IF current_setting('asn_mark.' || TG_TABLE_NAME, true) = 'y' THEN
                RETURN NULL;
            END IF;
            PERFORM set_config('asn_mark.' || TG_TABLE_NAME, 'y', true);
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
            " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION kinerja.mark_change()"
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
    op.execute("DROP TABLE kinerja.change_mark")

"""a session's schedule: ``training_session.days``, its training days each with whole JP (issue 18)

Existing sessions get the weekdays (Monday to Friday) between ``starts_on`` and ``ends_on`` as their schedule
(every day of the range when it holds no weekday), with the programme's JP spread over them by largest
remainder (the earlier days take the extra JP) — the same default the app applies to a new session listed
without days (services/pelatihan_api/sessions/schedule.py). Built in SQL, so the migration keeps running on a
fresh database whatever the models become. JP already credited in ``jp_entry`` are not touched: ledger rows
are never recomputed.

Revision ID: pelatihan_0008_session_days
Revises: pelatihan_0007_edge2_append_only
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "pelatihan_0008_session_days"
down_revision: str | None = "pelatihan_0007_edge2_append_only"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BACKFILL = """
WITH cal AS (
    SELECT s.id, g::date AS d, EXTRACT(ISODOW FROM g) < 6 AS weekday
    FROM pelatihan.training_session s,
         generate_series(s.starts_on::timestamp, s.ends_on::timestamp, interval '1 day') AS g
), chosen AS (
    SELECT c.id, c.d FROM cal c
    WHERE c.weekday OR NOT EXISTS (SELECT 1 FROM cal w WHERE w.id = c.id AND w.weekday)
), numbered AS (
    SELECT ch.id, ch.d, p.jp,
           ROW_NUMBER() OVER (PARTITION BY ch.id ORDER BY ch.d) - 1 AS i,
           COUNT(*) OVER (PARTITION BY ch.id) AS n
    FROM chosen ch
    JOIN pelatihan.training_session s ON s.id = ch.id
    JOIN pelatihan.program p ON p.id = s.program_id
), schedule AS (
    SELECT id,
           jsonb_agg(
               jsonb_build_object(
                   'on', to_char(d, 'YYYY-MM-DD'),
                   'jp', jp / n + CASE WHEN i < jp % n THEN 1 ELSE 0 END
               ) ORDER BY d
           ) AS days
    FROM numbered
    GROUP BY id
)
UPDATE pelatihan.training_session t SET days = schedule.days FROM schedule WHERE schedule.id = t.id
"""


def upgrade() -> None:
    op.add_column(
        "training_session",
        sa.Column("days", postgresql.JSONB(), server_default=sa.text("'[]'::jsonb"), nullable=False),
        schema="pelatihan",
    )
    op.execute(_BACKFILL)


def downgrade() -> None:
    op.drop_column("training_session", "days", schema="pelatihan")

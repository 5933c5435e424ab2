"""cadence per year: calendar_year.cadence (QUARTERLY default | MONTHLY), and every period CHECK widened to
accept months YYYY-MM (issue 17 item 1; PermenPANRB 6/2022 Pasal 1, domain.md §11.1)

Revision ID: kinerja_0023_k17_cadence
Revises: kinerja_0022_k16_annual_final
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "kinerja_0023_k17_cadence"
down_revision: str | None = "kinerja_0022_k16_annual_final"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies (a migration must not follow later edits of services/common/periods.py).
_QUARTERS = "period ~ '^[0-9]{4}(-Q[1-4])?$'"
_MONTHS = "period ~ '^[0-9]{4}(-Q[1-4]|-(0[1-9]|1[0-2]))?$'"
_TABLES = ("realization", "period_calendar", "unit_org_predikat", "evaluation")


def _recheck(check: str) -> None:
    for table in _TABLES:
        name = f"ck_{table}_period_format"
        op.drop_constraint(op.f(name), table, type_="check", schema="kinerja")
        op.create_check_constraint(op.f(name), table, check, schema="kinerja")


def upgrade() -> None:
    op.add_column(
        "calendar_year",
        sa.Column("cadence", sa.String(length=9), server_default="QUARTERLY", nullable=False),
        schema="kinerja",
    )
    op.create_check_constraint(
        op.f("ck_calendar_year_cadence"),
        "calendar_year",
        "cadence IN ('QUARTERLY', 'MONTHLY')",
        schema="kinerja",
    )
    _recheck(_MONTHS)


def downgrade() -> None:
    # Monthly rows cannot go back under the quarterly CHECK: delete them first (data of the new cadence).
    for table in _TABLES:
        op.execute(f"DELETE FROM kinerja.{table} WHERE period ~ '^[0-9]{{4}}-[0-9]{{2}}$'")
    _recheck(_QUARTERS)
    op.drop_constraint(op.f("ck_calendar_year_cadence"), "calendar_year", type_="check", schema="kinerja")
    op.drop_column("calendar_year", "cadence", schema="kinerja")

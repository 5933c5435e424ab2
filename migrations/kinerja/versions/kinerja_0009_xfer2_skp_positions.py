"""one SKP per position held: position history and dated SKPs (issue 15, domain.md §11.1, 8/2021 Lampiran)

An employee who moves to another position drafts a new SKP, so an employee's year may hold several SKPs.
The assignment history gains the position held (backfilled from today's registry row: earlier positions
were never recorded), and each SKP gains the dates it covers, ``[valid_from, valid_to)`` inside its year,
and the position it plans for. Existing SKPs cover their whole year. ``skp`` is unique per (nip, year,
valid_from) instead of per (nip, year).

Revision ID: kinerja_0009_xfer2_skp_positions
Revises: kinerja_0008_sinks_audit_head
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "kinerja_0009_xfer2_skp_positions"
down_revision: str | None = "kinerja_0008_sinks_audit_head"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "kinerja"


def upgrade() -> None:
    op.add_column("employee_assignment", sa.Column("position", sa.String(200), nullable=True), schema=S)
    op.execute(
        f"UPDATE {S}.employee_assignment a SET position = e.position FROM {S}.employee e WHERE e.nip = a.nip"
    )
    op.alter_column("employee_assignment", "position", nullable=False, schema=S)

    op.add_column("skp", sa.Column("valid_from", sa.Date(), nullable=True), schema=S)
    op.add_column("skp", sa.Column("valid_to", sa.Date(), nullable=True), schema=S)
    op.add_column("skp", sa.Column("position", sa.String(200), nullable=True), schema=S)
    op.execute(
        f"""
        UPDATE {S}.skp s SET valid_from = make_date(s.year, 1, 1), valid_to = make_date(s.year + 1, 1, 1),
               position = e.position
        FROM {S}.employee e WHERE e.nip = s.nip
        """
    )
    for column in ("valid_from", "valid_to", "position"):
        op.alter_column("skp", column, nullable=False, schema=S)
    op.drop_constraint("uq_skp_nip_year", "skp", schema=S)
    op.create_unique_constraint(
        op.f("uq_skp_nip_year_valid_from"), "skp", ["nip", "year", "valid_from"], schema=S
    )
    op.create_check_constraint(
        op.f("ck_skp_dates_in_year"),
        "skp",
        "valid_from < valid_to AND valid_from >= make_date(year, 1, 1) AND valid_to <= make_date(year + 1, 1, 1)",
        schema=S,
    )


def downgrade() -> None:
    # Only the first SKP of each (nip, year) survives a downgrade: the old unique (nip, year) allows one.
    op.drop_constraint("ck_skp_dates_in_year", "skp", schema=S)
    op.drop_constraint("uq_skp_nip_year_valid_from", "skp", schema=S)
    op.execute(
        f"""
        DELETE FROM {S}.skp s USING {S}.skp f
        WHERE f.nip = s.nip AND f.year = s.year AND f.valid_from < s.valid_from
        """
    )
    op.create_unique_constraint(op.f("uq_skp_nip_year"), "skp", ["nip", "year"], schema=S)
    op.drop_column("skp", "position", schema=S)
    op.drop_column("skp", "valid_to", schema=S)
    op.drop_column("skp", "valid_from", schema=S)
    op.drop_column("employee_assignment", "position", schema=S)

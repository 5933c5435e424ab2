"""Each realisation carries its SKP's owner and year (``skp_nip``, ``skp_year``), kept equal to the SKP's by
triggers, and ``ix_realization_period_skp_nip`` reads a period's realisations in NIP order, index-only.

Why (issue 21, reports at scale): "has reported a realisation" joins each SKP of the year to its realisations.
For the province that is one probe per SKP (800,000 at 10,000,000 evaluations: 3.3 s of the 4.9 s compliance
report) or a hash of the period's SKP ids (1.3-2 s); with the owner on the row it is one ordered index range,
counted like the evaluations. A trigger, not the write path, keeps the copy: every insert (the API's upsert,
imports, SQL) takes the owner from the SKP, and a change of an SKP's owner or year is copied to its
realisations, so the copy cannot differ from the join.

Revision ID: kinerja_0026_r22_skp_owner
Revises: kinerja_0025_r21_report_ix
"""

from collections.abc import Sequence

from alembic import op

revision: str = "kinerja_0026_r22_skp_owner"
down_revision: str | None = "kinerja_0025_r21_report_ix"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("ALTER TABLE kinerja.realization ADD COLUMN skp_nip varchar(18), ADD COLUMN skp_year integer")
    op.execute(
        """
        CREATE FUNCTION kinerja.realization_skp_owner() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            SELECT s.nip, s.year INTO NEW.skp_nip, NEW.skp_year FROM kinerja.skp s WHERE s.id = NEW.skp_id;
            RETURN NEW;
        END $$
        """
    )
    # Also on an update of the copies themselves: they are always re-read from the SKP, never taken as given.
    op.execute(
        "CREATE TRIGGER realization_skp_owner BEFORE INSERT OR UPDATE OF skp_id, skp_nip, skp_year"
        " ON kinerja.realization FOR EACH ROW EXECUTE FUNCTION kinerja.realization_skp_owner()"
    )
    op.execute(
        """
        CREATE FUNCTION kinerja.skp_owner_to_realization() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE kinerja.realization SET skp_nip = NEW.nip, skp_year = NEW.year WHERE skp_id = NEW.id;
            RETURN NULL;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER skp_owner_to_realization AFTER UPDATE OF nip, year ON kinerja.skp FOR EACH ROW"
        " WHEN (OLD.nip IS DISTINCT FROM NEW.nip OR OLD.year IS DISTINCT FROM NEW.year)"
        " EXECUTE FUNCTION kinerja.skp_owner_to_realization()"
    )
    op.execute(
        "UPDATE kinerja.realization r SET skp_nip = s.nip, skp_year = s.year FROM kinerja.skp s WHERE s.id = r.skp_id"
    )
    op.execute(
        "ALTER TABLE kinerja.realization ALTER COLUMN skp_nip SET NOT NULL, ALTER COLUMN skp_year SET NOT NULL"
    )
    op.execute(
        "CREATE INDEX ix_realization_period_skp_nip ON kinerja.realization (period, skp_nip) INCLUDE (skp_year)"
    )




def downgrade() -> None:
    op.execute("DROP INDEX kinerja.ix_realization_period_skp_nip")
    op.execute("DROP TRIGGER skp_owner_to_realization ON kinerja.skp")
    op.execute("DROP FUNCTION kinerja.skp_owner_to_realization()")
    op.execute("DROP TRIGGER realization_skp_owner ON kinerja.realization")
    op.execute("DROP FUNCTION kinerja.realization_skp_owner()")
    op.execute("ALTER TABLE kinerja.realization DROP COLUMN skp_year, DROP COLUMN skp_nip")

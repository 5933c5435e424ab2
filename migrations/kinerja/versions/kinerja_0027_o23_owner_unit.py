"""Each SKP carries its owner's current unit (``skp.owner_unit_id``) and each realisation its SKP's
(``realization.skp_unit_id``), kept equal to ``employee.unit_id`` by triggers; ``ix_skp_owner_unit_id_year_nip``
and ``ix_realization_period_skp_unit_id`` read one unit's SKPs of a year and realisations of a period as one
index range each.

Why (issue 21, reports at scale): the compliance report for one OPD probed ``skp`` by NIP for each of its
employees and ``realization`` by SKP for each of their SKPs (5,004 and 4,040 index descents for one OPD at
1,000,000 evaluations: about 70 % of the statement). With the unit on the rows the two flags are counted from
one range per unit, like the evaluations (``ix_evaluation_period_unit_id_predikat``), whatever the size of the
province.

A trigger, not the write path, keeps the copies, as for ``skp_nip`` (kinerja_0026): every insert of an SKP
takes the unit from its employee, every insert of a realisation from its SKP, whatever was given; a move of
an employee to another unit is copied to all their SKPs, and from each SKP to its realisations; a change of
an SKP's owner re-reads the new owner's unit. So the copy cannot differ from the join with ``employee``.

Revision ID: kinerja_0027_o23_owner_unit
Revises: kinerja_0026_r22_skp_owner
"""

from collections.abc import Sequence

from alembic import op

revision: str = "kinerja_0027_o23_owner_unit"
down_revision: str | None = "kinerja_0026_r22_skp_owner"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("ALTER TABLE kinerja.skp ADD COLUMN owner_unit_id uuid")
    op.execute("ALTER TABLE kinerja.realization ADD COLUMN skp_unit_id uuid")
    op.execute(
        "UPDATE kinerja.skp s SET owner_unit_id = e.unit_id FROM kinerja.employee e WHERE e.nip = s.nip"
    )
    op.execute(
        "UPDATE kinerja.realization r SET skp_unit_id = s.owner_unit_id FROM kinerja.skp s WHERE s.id = r.skp_id"
    )
    op.execute("ALTER TABLE kinerja.skp ALTER COLUMN owner_unit_id SET NOT NULL")
    op.execute("ALTER TABLE kinerja.realization ALTER COLUMN skp_unit_id SET NOT NULL")

    # An SKP's unit is always re-read from its owner, on insert and on any change of the owner or of the copy.
    op.execute(
        """
        CREATE FUNCTION kinerja.skp_owner_unit() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            SELECT e.unit_id INTO NEW.owner_unit_id FROM kinerja.employee e WHERE e.nip = NEW.nip;
            RETURN NEW;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER skp_owner_unit BEFORE INSERT OR UPDATE OF nip, owner_unit_id ON kinerja.skp"
        " FOR EACH ROW EXECUTE FUNCTION kinerja.skp_owner_unit()"
    )
    # A move to another unit: the employee's SKPs follow (their realisations through skp_owner_to_realization).
    op.execute(
        """
        CREATE FUNCTION kinerja.employee_unit_to_skp() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE kinerja.skp SET owner_unit_id = NEW.unit_id WHERE nip = NEW.nip;
            RETURN NULL;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER employee_unit_to_skp AFTER UPDATE OF unit_id ON kinerja.employee FOR EACH ROW"
        " WHEN (OLD.unit_id IS DISTINCT FROM NEW.unit_id) EXECUTE FUNCTION kinerja.employee_unit_to_skp()"
    )
    # kinerja_0026's two functions and triggers, now with the unit.
    op.execute(
        """
        CREATE OR REPLACE FUNCTION kinerja.realization_skp_owner() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            SELECT s.nip, s.year, s.owner_unit_id INTO NEW.skp_nip, NEW.skp_year, NEW.skp_unit_id
              FROM kinerja.skp s WHERE s.id = NEW.skp_id;
            RETURN NEW;
        END $$
        """
    )
    op.execute("DROP TRIGGER realization_skp_owner ON kinerja.realization")
    op.execute(
        "CREATE TRIGGER realization_skp_owner BEFORE INSERT OR UPDATE OF skp_id, skp_nip, skp_year, skp_unit_id"
        " ON kinerja.realization FOR EACH ROW EXECUTE FUNCTION kinerja.realization_skp_owner()"
    )
    op.execute(
        """
        CREATE OR REPLACE FUNCTION kinerja.skp_owner_to_realization() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE kinerja.realization SET skp_nip = NEW.nip, skp_year = NEW.year, skp_unit_id = NEW.owner_unit_id
             WHERE skp_id = NEW.id;
            RETURN NULL;
        END $$
        """
    )
    op.execute("DROP TRIGGER skp_owner_to_realization ON kinerja.skp")
    op.execute(
        "CREATE TRIGGER skp_owner_to_realization AFTER UPDATE OF nip, year, owner_unit_id ON kinerja.skp"
        " FOR EACH ROW WHEN (OLD.nip IS DISTINCT FROM NEW.nip OR OLD.year IS DISTINCT FROM NEW.year"
        " OR OLD.owner_unit_id IS DISTINCT FROM NEW.owner_unit_id)"
        " EXECUTE FUNCTION kinerja.skp_owner_to_realization()"
    )

    op.execute(
        "CREATE INDEX ix_skp_owner_unit_id_year_nip ON kinerja.skp (owner_unit_id, year, nip) INCLUDE (status)"
    )
    op.execute(
        "CREATE INDEX ix_realization_period_skp_unit_id ON kinerja.realization (period, skp_unit_id, skp_nip)"
        " INCLUDE (skp_year)"
    )


def downgrade() -> None:
    op.execute("DROP INDEX kinerja.ix_realization_period_skp_unit_id")
    op.execute("DROP INDEX kinerja.ix_skp_owner_unit_id_year_nip")
    op.execute("DROP TRIGGER skp_owner_to_realization ON kinerja.skp")
    op.execute(
        """
        CREATE OR REPLACE FUNCTION kinerja.skp_owner_to_realization() RETURNS trigger LANGUAGE plpgsql AS $$
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
    op.execute("DROP TRIGGER realization_skp_owner ON kinerja.realization")
    op.execute(
        """
        CREATE OR REPLACE FUNCTION kinerja.realization_skp_owner() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            SELECT s.nip, s.year INTO NEW.skp_nip, NEW.skp_year FROM kinerja.skp s WHERE s.id = NEW.skp_id;
            RETURN NEW;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER realization_skp_owner BEFORE INSERT OR UPDATE OF skp_id, skp_nip, skp_year"
        " ON kinerja.realization FOR EACH ROW EXECUTE FUNCTION kinerja.realization_skp_owner()"
    )
    op.execute("DROP TRIGGER employee_unit_to_skp ON kinerja.employee")
    op.execute("DROP FUNCTION kinerja.employee_unit_to_skp()")
    op.execute("DROP TRIGGER skp_owner_unit ON kinerja.skp")
    op.execute("DROP FUNCTION kinerja.skp_owner_unit()")
    op.execute("ALTER TABLE kinerja.realization DROP COLUMN skp_unit_id")
    op.execute("ALTER TABLE kinerja.skp DROP COLUMN owner_unit_id")

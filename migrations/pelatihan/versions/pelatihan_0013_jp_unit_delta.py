"""The province compliance report's figures kept per unit without a shared counter row (issue 21: 473-605 ms
for the province at 1,000,000 ledger rows, growing with the employees).

- ``jp_unit_delta``: insert-only changes per (year, unit, employment): headcount (year 0), employees at 20 JP
  or more, and their JP. The triggers on ``jp_entry`` (which keep ``jp_total``) and new ones on
  ``roster_employee`` append rows; nothing updates a shared row, so credits in one unit never wait for each
  other, and a roster import cannot deadlock with a completion over unit rows. The report sums a unit's rows;
  ``ledger.compaction`` folds them in the background.
- ``jp_pppk_above``: per PPPK with contract dates, the calendar years in which one of its contract years holds
  more than 24 JP, rebuilt for the NIP whenever its live entries or contract dates change.

Ordering: a ledger write locks the roster rows of the NIPs it changes (FOR NO KEY UPDATE, in NIP order) before
it applies them, and a roster change holds its rows while it carries totals; so for one employee the two are
serialised and each reads the other's committed figures (READ COMMITTED: every statement in a trigger takes a
new snapshot). For a NIP the roster does not hold yet, the ledger write takes a shared advisory lock that the
roster's insert trigger takes exclusively before it reads the totals. Backfilled here under table locks.

Revision ID: pelatihan_0013_jp_unit_delta
Revises: pelatihan_0012_jp_total
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "pelatihan_0013_jp_unit_delta"
down_revision: str | None = "pelatihan_0012_jp_total"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Taken shared by a ledger write for NIPs absent from the roster, exclusively by a roster insert.
_ROSTER_INSERT_LOCK = "hashtext('pelatihan.roster_employee:insert')"
# Who the report counts, and in which (unit, employment): the roster's active PNS and PPPK with a unit.
_COUNTED = "{r}.active AND {r}.employment IN ('PNS', 'PPPK') AND {r}.unit_id IS NOT NULL"

# A NIP's contract years above the ceiling, as the calendar years they overlap: the same age()/make_interval
# arithmetic as the report's own query (services/pelatihan_api/ledger/repository.py), 29 February included.
_ABOVE_YEARS = """
CREATE FUNCTION pelatihan.jp_pppk_above_years(nips text[])
RETURNS TABLE (nip varchar, year smallint) LANGUAGE sql STABLE AS $$
    SELECT DISTINCT c.nip, y::smallint
    FROM (
        SELECT r.nip, r.contract_start, EXTRACT(YEAR FROM age(e.completed_on, r.contract_start))::int AS k
        FROM pelatihan.roster_employee r
        JOIN pelatihan.jp_entry e ON e.nip = r.nip AND e.revoked_at IS NULL
        WHERE r.nip = ANY(nips) AND r.contract_start IS NOT NULL
          AND e.completed_on >= r.contract_start
          AND (r.contract_end IS NULL OR e.completed_on <= r.contract_end)
        GROUP BY r.nip, r.contract_start, k
        HAVING SUM(e.jp) > 24
    ) c
    CROSS JOIN LATERAL generate_series(EXTRACT(YEAR FROM c.contract_start)::int + c.k - 1,
                                       EXTRACT(YEAR FROM c.contract_start)::int + c.k + 1) AS y
    WHERE c.contract_start + make_interval(years => c.k) <= make_date(y, 12, 31)
      AND c.contract_start + make_interval(years => c.k + 1) > make_date(y, 1, 1)
$$
"""

# Custom plans on purpose: generic ones (plan_cache_mode = force_generic_plan) cut a PPPK credit's trigger time
# from 2.1 to 0.8 ms, but a bulk statement's arrays then got plans made for a few elements (the bench's one-
# statement ledger of 1,000,000 rows ran over 20 minutes instead of 65 s).
# A NIP's years above rebuilt from its entries and contract dates, the difference counted at its roster row's
# (unit, employment) now: nothing deleted is inserted again, so no key is both in one statement.
_REBUILD_ABOVE = f"""
CREATE FUNCTION pelatihan.jp_pppk_above_rebuild(nips text[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF cardinality(nips) = 0 THEN
        RETURN;
    END IF;
    WITH want AS (
        SELECT nip, year FROM pelatihan.jp_pppk_above_years(nips)
    ), had AS (
        SELECT nip, year FROM pelatihan.jp_pppk_above WHERE nip = ANY(nips)
    ), gone AS (
        DELETE FROM pelatihan.jp_pppk_above a
        WHERE a.nip = ANY(nips) AND (a.nip, a.year) NOT IN (SELECT nip, year FROM want)
        RETURNING a.nip, a.year
    ), added AS (
        INSERT INTO pelatihan.jp_pppk_above (nip, year)
        SELECT nip, year FROM (SELECT nip, year FROM want EXCEPT SELECT nip, year FROM had) AS n
        RETURNING nip, year
    )
    INSERT INTO pelatihan.jp_unit_delta (year, unit_id, employment, headcount, meeting, jp, above)
    SELECT c.year, r.unit_id, r.employment, 0, 0, 0, SUM(c.sign)
    FROM (SELECT nip, year, 1 AS sign FROM added UNION ALL SELECT nip, year, -1 FROM gone) AS c
    JOIN pelatihan.roster_employee r ON r.nip = c.nip
    WHERE {_COUNTED.format(r="r")}
    GROUP BY c.year, r.unit_id, r.employment
    HAVING SUM(c.sign) <> 0;
END
$$
"""

# The ledger's side: (ys, ns, js) is the statement's change per (year, nip), ``touched`` the NIPs whose live
# entries changed (dates, JP, revocation). 20 JP is PP 11/2017 Pasal 203(4) (ledger.service.JP_REQUIRED_PNS).
_LEDGER_APPLY = f"""
CREATE FUNCTION pelatihan.jp_ledger_apply(ys smallint[], ns text[], js int[], touched text[])
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    nips text[] := ARRAY(SELECT DISTINCT n FROM unnest(coalesce(ns, '{{}}') || touched) AS n ORDER BY n);
    held int;
BEGIN
    IF cardinality(nips) = 0 THEN
        RETURN;
    END IF;
    SELECT count(*) INTO held FROM (
        SELECT 1 FROM pelatihan.roster_employee WHERE nip = ANY(nips) ORDER BY nip FOR NO KEY UPDATE
    ) AS locked;
    IF held < cardinality(nips) THEN
        -- Someone the roster does not hold (yet): wait for a roster insert in flight, then hold what it added.
        PERFORM pg_advisory_xact_lock_shared({_ROSTER_INSERT_LOCK});
        PERFORM 1 FROM (
            SELECT 1 FROM pelatihan.roster_employee WHERE nip = ANY(nips) ORDER BY nip FOR NO KEY UPDATE
        ) AS locked;
    END IF;
    -- Rows summed per (year, nip) and taken in key order, so two writers lock shared totals in the same order.
    WITH c AS (
        SELECT * FROM unnest(ys, ns, js) AS c(year, nip, jp)
    ), up AS (
        INSERT INTO pelatihan.jp_total AS t (year, nip, jp_total)
        SELECT year, nip, jp FROM c ORDER BY year, nip
        ON CONFLICT (year, nip) DO UPDATE SET jp_total = t.jp_total + EXCLUDED.jp_total
        RETURNING t.year, t.nip, t.jp_total
    )
    INSERT INTO pelatihan.jp_unit_delta (year, unit_id, employment, headcount, meeting, jp, above)
    SELECT up.year, r.unit_id, r.employment, 0,
           SUM((up.jp_total >= 20)::int - (up.jp_total - c.jp >= 20)::int), SUM(c.jp), 0
    FROM up
    JOIN c ON c.year = up.year AND c.nip = up.nip
    JOIN pelatihan.roster_employee r ON r.nip = up.nip
    WHERE {_COUNTED.format(r="r")}
    GROUP BY up.year, r.unit_id, r.employment
    HAVING SUM((up.jp_total >= 20)::int - (up.jp_total - c.jp >= 20)::int) <> 0 OR SUM(c.jp) <> 0;
    PERFORM pelatihan.jp_pppk_above_rebuild(ARRAY(
        SELECT nip FROM pelatihan.roster_employee WHERE nip = ANY(touched) AND contract_start IS NOT NULL
    ));
END
$$
"""

# Statement-level, with transition tables: a bulk write costs one grouped statement per step, not one per row.
# PostgreSQL allows transition tables only on single-event triggers, hence three triggers on one function.
_LEDGER_TRIGGER = """
CREATE OR REPLACE FUNCTION pelatihan.jp_total_apply() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ys smallint[];
    ns text[];
    js int[];
    touched text[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(year ORDER BY year, nip), array_agg(nip ORDER BY year, nip), array_agg(jp ORDER BY year, nip)
        INTO ys, ns, js
        FROM (SELECT year, nip, SUM(jp)::int AS jp FROM new_rows WHERE revoked_at IS NULL GROUP BY year, nip) AS c;
        touched := ARRAY(SELECT DISTINCT nip FROM new_rows WHERE revoked_at IS NULL);
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(year ORDER BY year, nip), array_agg(nip ORDER BY year, nip), array_agg(jp ORDER BY year, nip)
        INTO ys, ns, js
        FROM (SELECT year, nip, -SUM(jp)::int AS jp FROM old_rows WHERE revoked_at IS NULL GROUP BY year, nip) AS c;
        touched := ARRAY(SELECT DISTINCT nip FROM old_rows WHERE revoked_at IS NULL);
    ELSE
        -- A revocation, its undoing, a corrected jp, or an entry moved to another year, date or NIP: what the
        -- statement took from the live rows and what it added, per total.
        SELECT array_agg(year ORDER BY year, nip), array_agg(nip ORDER BY year, nip), array_agg(jp ORDER BY year, nip)
        INTO ys, ns, js
        FROM (
            SELECT year, nip, SUM(jp)::int AS jp FROM (
                SELECT year, nip, jp FROM new_rows WHERE revoked_at IS NULL
                UNION ALL
                SELECT year, nip, -jp FROM old_rows WHERE revoked_at IS NULL
            ) AS change
            GROUP BY year, nip HAVING SUM(jp) <> 0
        ) AS c;
        touched := ARRAY(
            SELECT nip FROM (
                (SELECT nip, completed_on, jp FROM new_rows WHERE revoked_at IS NULL
                 EXCEPT ALL
                 SELECT nip, completed_on, jp FROM old_rows WHERE revoked_at IS NULL)
                UNION ALL
                (SELECT nip, completed_on, jp FROM old_rows WHERE revoked_at IS NULL
                 EXCEPT ALL
                 SELECT nip, completed_on, jp FROM new_rows WHERE revoked_at IS NULL)
            ) AS moved
            GROUP BY nip
        );
    END IF;
    PERFORM pelatihan.jp_ledger_apply(ys, ns, js, touched);
    RETURN NULL;
END
$$
"""

# A truncation deletes deltas as a compaction does (ledger.repository.compact_unit_deltas): under its lock, or
# the compaction's folded row, committed after this DELETE's snapshot, would survive it.
_COMPACTION_LOCK = "hashtext('pelatihan.jp_unit_delta:compact')"

_LEDGER_TRUNCATE = f"""
CREATE OR REPLACE FUNCTION pelatihan.jp_total_clear() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock({_COMPACTION_LOCK});
    DELETE FROM pelatihan.jp_total;
    DELETE FROM pelatihan.jp_unit_delta WHERE year <> 0;
    DELETE FROM pelatihan.jp_pppk_above;
    RETURN NULL;
END
$$
"""

# The roster's side: employees entering (+1) or leaving (-1) a counted (unit, employment) take their totals of
# every year along; ``dated`` are the NIPs whose contract dates changed.
# The roster's side: employees entering (+1) or leaving (-1) a counted (unit, employment) take their totals of
# every year and their years above the ceiling along; then ``dated`` (contract dates changed) are rebuilt.
_ROSTER_MOVE = """
CREATE FUNCTION pelatihan.jp_roster_move(nips text[], units uuid[], kinds text[], signs int[], dated text[])
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF cardinality(nips) > 0 THEN
        WITH m AS (
            SELECT * FROM unnest(nips, units, kinds, signs) AS m(nip, unit_id, employment, sign)
        )
        INSERT INTO pelatihan.jp_unit_delta (year, unit_id, employment, headcount, meeting, jp, above)
        SELECT 0, unit_id, employment, SUM(sign), 0, 0, 0 FROM m GROUP BY unit_id, employment HAVING SUM(sign) <> 0
        UNION ALL
        SELECT year, unit_id, employment, 0, SUM(meeting), SUM(jp), SUM(above)
        FROM (
            SELECT t.year, m.unit_id, m.employment, m.sign * (t.jp_total >= 20)::int AS meeting,
                   m.sign * t.jp_total AS jp, 0 AS above
            FROM m JOIN pelatihan.jp_total t ON t.nip = m.nip
            UNION ALL
            SELECT a.year, m.unit_id, m.employment, 0, 0, m.sign
            FROM m JOIN pelatihan.jp_pppk_above a ON a.nip = m.nip
        ) AS carried
        GROUP BY year, unit_id, employment
        HAVING SUM(meeting) <> 0 OR SUM(jp) <> 0 OR SUM(above) <> 0;
    END IF;
    PERFORM pelatihan.jp_pppk_above_rebuild(dated);
END
$$
"""

_ROSTER_TRIGGER = f"""
CREATE FUNCTION pelatihan.jp_roster_apply() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    nips text[];
    units uuid[];
    kinds text[];
    signs int[];
    dated text[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NOT EXISTS (SELECT 1 FROM new_rows) THEN
            RETURN NULL;
        END IF;
        -- After ledger writes in flight for these NIPs (they hold this lock shared): read their totals.
        PERFORM pg_advisory_xact_lock({_ROSTER_INSERT_LOCK});
        SELECT array_agg(nip), array_agg(unit_id), array_agg(employment), array_agg(1)
        INTO nips, units, kinds, signs FROM new_rows r WHERE {_COUNTED.format(r="r")};
        dated := ARRAY(SELECT nip FROM new_rows WHERE contract_start IS NOT NULL);
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(nip), array_agg(unit_id), array_agg(employment), array_agg(-1)
        INTO nips, units, kinds, signs FROM old_rows r WHERE {_COUNTED.format(r="r")};
        dated := ARRAY(SELECT nip FROM old_rows WHERE contract_start IS NOT NULL);
    ELSE
        IF EXISTS (SELECT nip FROM new_rows EXCEPT SELECT nip FROM old_rows) THEN
            PERFORM pg_advisory_xact_lock({_ROSTER_INSERT_LOCK});
        END IF;
        SELECT array_agg(nip), array_agg(unit_id), array_agg(employment), array_agg(sign)
        INTO nips, units, kinds, signs
        FROM (
            (SELECT nip, unit_id, employment, 1 AS sign FROM new_rows r WHERE {_COUNTED.format(r="r")}
             EXCEPT
             SELECT nip, unit_id, employment, 1 FROM old_rows r WHERE {_COUNTED.format(r="r")})
            UNION ALL
            (SELECT nip, unit_id, employment, -1 FROM old_rows r WHERE {_COUNTED.format(r="r")}
             EXCEPT
             SELECT nip, unit_id, employment, -1 FROM new_rows r WHERE {_COUNTED.format(r="r")})
        ) AS moved;
        dated := ARRAY(
            SELECT nip FROM (
                (SELECT nip, contract_start, contract_end FROM new_rows
                 EXCEPT SELECT nip, contract_start, contract_end FROM old_rows)
                UNION
                (SELECT nip, contract_start, contract_end FROM old_rows
                 EXCEPT SELECT nip, contract_start, contract_end FROM new_rows)
            ) AS changed
            GROUP BY nip
        );
    END IF;
    PERFORM pelatihan.jp_roster_move(coalesce(nips, '{{}}'), units, kinds, signs, dated);
    RETURN NULL;
END
$$
"""

_ROSTER_TRUNCATE = f"""
CREATE FUNCTION pelatihan.jp_roster_clear() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock({_COMPACTION_LOCK});
    DELETE FROM pelatihan.jp_unit_delta;
    DELETE FROM pelatihan.jp_pppk_above;
    RETURN NULL;
END
$$
"""

_TRIGGERS = [
    "CREATE TRIGGER jp_roster_insert AFTER INSERT ON pelatihan.roster_employee REFERENCING NEW TABLE AS new_rows"
    " FOR EACH STATEMENT EXECUTE FUNCTION pelatihan.jp_roster_apply()",
    "CREATE TRIGGER jp_roster_update AFTER UPDATE ON pelatihan.roster_employee"
    " REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"
    " FOR EACH STATEMENT EXECUTE FUNCTION pelatihan.jp_roster_apply()",
    "CREATE TRIGGER jp_roster_delete AFTER DELETE ON pelatihan.roster_employee REFERENCING OLD TABLE AS old_rows"
    " FOR EACH STATEMENT EXECUTE FUNCTION pelatihan.jp_roster_apply()",
    "CREATE TRIGGER jp_roster_truncate AFTER TRUNCATE ON pelatihan.roster_employee"
    " FOR EACH STATEMENT EXECUTE FUNCTION pelatihan.jp_roster_clear()",
]

# 0012's functions, restored on downgrade.
_OLD_APPLY = """
CREATE OR REPLACE FUNCTION pelatihan.jp_total_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO pelatihan.jp_total AS t (year, nip, jp_total)
        SELECT year, nip, SUM(jp) FROM new_rows WHERE revoked_at IS NULL GROUP BY year, nip ORDER BY year, nip
        ON CONFLICT (year, nip) DO UPDATE SET jp_total = t.jp_total + EXCLUDED.jp_total;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO pelatihan.jp_total AS t (year, nip, jp_total)
        SELECT year, nip, -SUM(jp) FROM old_rows WHERE revoked_at IS NULL GROUP BY year, nip ORDER BY year, nip
        ON CONFLICT (year, nip) DO UPDATE SET jp_total = t.jp_total + EXCLUDED.jp_total;
    ELSE
        INSERT INTO pelatihan.jp_total AS t (year, nip, jp_total)
        SELECT year, nip, SUM(jp) FROM (
            SELECT year, nip, jp FROM new_rows WHERE revoked_at IS NULL
            UNION ALL
            SELECT year, nip, -jp FROM old_rows WHERE revoked_at IS NULL
        ) AS change
        GROUP BY year, nip HAVING SUM(jp) <> 0 ORDER BY year, nip
        ON CONFLICT (year, nip) DO UPDATE SET jp_total = t.jp_total + EXCLUDED.jp_total;
    END IF;
    RETURN NULL;
END
$$
"""

_OLD_CLEAR = """
CREATE OR REPLACE FUNCTION pelatihan.jp_total_clear() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM pelatihan.jp_total;
    RETURN NULL;
END
$$
"""


def upgrade() -> None:
    op.create_table(
        "jp_unit_delta",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("year", sa.SmallInteger(), nullable=False),
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.Column("employment", sa.String(length=4), nullable=False),
        sa.Column("headcount", sa.Integer(), nullable=False),
        sa.Column("meeting", sa.Integer(), nullable=False),
        sa.Column("jp", sa.Integer(), nullable=False),
        sa.Column("above", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jp_unit_delta")),
        schema="pelatihan",
    )
    op.create_index(
        "ix_jp_unit_delta_year_unit_id_employment",
        "jp_unit_delta",
        ["year", "unit_id", "employment"],
        unique=False,
        schema="pelatihan",
        postgresql_include=["headcount", "meeting", "jp", "above"],
    )
    op.create_table(
        "jp_pppk_above",
        sa.Column("nip", sa.String(length=18), nullable=False),
        sa.Column("year", sa.SmallInteger(), nullable=False),
        sa.PrimaryKeyConstraint("nip", "year", name=op.f("pk_jp_pppk_above")),
        schema="pelatihan",
    )
    op.create_index(
        "ix_jp_total_nip", "jp_total", ["nip"], schema="pelatihan", postgresql_include=["jp_total"]
    )
    # Neither table is written from the backfill to the triggers' creation (this migration's one transaction).
    op.execute("LOCK TABLE pelatihan.jp_entry, pelatihan.roster_employee IN SHARE ROW EXCLUSIVE MODE")
    op.execute(_ABOVE_YEARS)
    op.execute(_REBUILD_ABOVE)
    op.execute(
        "INSERT INTO pelatihan.jp_pppk_above (nip, year) SELECT nip, year FROM pelatihan.jp_pppk_above_years("
        " ARRAY(SELECT nip FROM pelatihan.roster_employee WHERE contract_start IS NOT NULL))"
    )
    op.execute(
        "INSERT INTO pelatihan.jp_unit_delta (year, unit_id, employment, headcount, meeting, jp, above)"
        " SELECT 0, r.unit_id, r.employment, COUNT(*), 0, 0, 0 FROM pelatihan.roster_employee r"
        f" WHERE {_COUNTED.format(r='r')} GROUP BY r.unit_id, r.employment"
        " UNION ALL"
        " SELECT year, unit_id, employment, 0, SUM(meeting), SUM(jp), SUM(above) FROM ("
        "  SELECT t.year, r.unit_id, r.employment, (t.jp_total >= 20)::int AS meeting, t.jp_total AS jp, 0 AS above"
        "  FROM pelatihan.roster_employee r JOIN pelatihan.jp_total t ON t.nip = r.nip"
        f"  WHERE {_COUNTED.format(r='r')}"
        "  UNION ALL"
        "  SELECT a.year, r.unit_id, r.employment, 0, 0, 1"
        "  FROM pelatihan.roster_employee r JOIN pelatihan.jp_pppk_above a ON a.nip = r.nip"
        f"  WHERE {_COUNTED.format(r='r')}"
        " ) AS kept GROUP BY year, unit_id, employment"
    )
    op.execute(_LEDGER_APPLY)
    op.execute(_LEDGER_TRIGGER)
    op.execute(_LEDGER_TRUNCATE)
    op.execute(_ROSTER_MOVE)
    op.execute(_ROSTER_TRIGGER)
    op.execute(_ROSTER_TRUNCATE)
    for statement in _TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    for name in ("jp_roster_truncate", "jp_roster_delete", "jp_roster_update", "jp_roster_insert"):
        op.execute(f"DROP TRIGGER {name} ON pelatihan.roster_employee")
    op.execute(_OLD_APPLY)
    op.execute(_OLD_CLEAR)
    op.execute("DROP FUNCTION pelatihan.jp_roster_clear()")
    op.execute("DROP FUNCTION pelatihan.jp_roster_apply()")
    op.execute("DROP FUNCTION pelatihan.jp_roster_move(text[], uuid[], text[], int[], text[])")
    op.execute("DROP FUNCTION pelatihan.jp_ledger_apply(smallint[], text[], int[], text[])")
    op.execute("DROP FUNCTION pelatihan.jp_pppk_above_rebuild(text[])")
    op.execute("DROP FUNCTION pelatihan.jp_pppk_above_years(text[])")
    op.drop_index("ix_jp_total_nip", table_name="jp_total", schema="pelatihan", postgresql_include=["jp_total"])
    op.drop_table("jp_pppk_above", schema="pelatihan")
    op.drop_index(
        "ix_jp_unit_delta_year_unit_id_employment",
        table_name="jp_unit_delta",
        schema="pelatihan",
        postgresql_include=["headcount", "meeting", "jp", "above"],
    )
    op.drop_table("jp_unit_delta", schema="pelatihan")

"""one result per person per period: evaluations become RESULTs and their PARTs (issue 15, domain.md §11.1)

Where one or several evaluations exist for one person and period, the one covering the period's end becomes
the result and the others become parts of it (their predikat stays in the audit log only: the finalize entry
kept it). When none covers the period's end, all become parts and a DRAFT result opens for the supervisor of
record at the period's end (the assignment holding on that day, else the last one: someone who left is rated
by their last supervisor and counted in their last unit). A FINAL result's decider (the evaluator's superior
for objections) is stored from today's reporting line, and never recomputed afterwards.

Revision ID: kinerja_0007_xfer_parts
Revises: kinerja_0006_chg_outbox_ver
"""

from collections.abc import Sequence
from datetime import timedelta

import sqlalchemy as sa
from alembic import op

revision: str = "kinerja_0007_xfer_parts"
down_revision: str | None = "kinerja_0006_chg_outbox_ver"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "kinerja"

# The calendar end of a period code: '2026' -> 2026-12-31, '2026-Q2' -> 2026-06-30.
PERIOD_END = """
CASE WHEN length({p}) = 4 THEN make_date(substr({p}, 1, 4)::int, 12, 31)
     ELSE (make_date(substr({p}, 1, 4)::int, substr({p}, 7, 1)::int * 3, 1)
           + interval '1 month' - interval '1 day')::date END
"""


def upgrade() -> None:
    op.add_column(
        "evaluation", sa.Column("kind", sa.String(6), server_default="RESULT", nullable=False), schema=S
    )
    op.add_column("evaluation", sa.Column("result_id", sa.Uuid(), nullable=True), schema=S)
    op.add_column("evaluation", sa.Column("decider_nip", sa.String(18), nullable=True), schema=S)
    op.add_column("evaluation", sa.Column("closed_reason", sa.String(2000), nullable=True), schema=S)
    op.create_foreign_key(
        op.f("fk_evaluation_result_id_evaluation"),
        "evaluation",
        "evaluation",
        ["result_id"],
        ["id"],
        source_schema=S,
        referent_schema=S,
        ondelete="CASCADE",
    )
    op.create_foreign_key(
        op.f("fk_evaluation_decider_nip_employee"),
        "evaluation",
        "employee",
        ["decider_nip"],
        ["nip"],
        source_schema=S,
        referent_schema=S,
    )
    op.drop_constraint("ck_evaluation_final_has_predikat", "evaluation", schema=S)
    op.drop_index("uq_evaluation_nip_period_evaluator", table_name="evaluation", schema=S)

    bind = op.get_bind()
    end = PERIOD_END.format(p="e.period")
    # 1. In each (nip, period), the evaluation covering the period's end stays the result; the others
    #    become its parts. (Two covering the end cannot happen: assignments never overlap.)
    bind.execute(
        sa.text(
            f"""
            WITH r AS (
                SELECT DISTINCT ON (e.nip, e.period) e.id, e.nip, e.period
                FROM {S}.evaluation e WHERE e.period_end = {end}
                ORDER BY e.nip, e.period, e.created_at
            )
            UPDATE {S}.evaluation p SET kind = 'PART', result_id = r.id, predikat = NULL
            FROM r WHERE p.nip = r.nip AND p.period = r.period AND p.id <> r.id
            """
        )
    )
    # 2. Groups with no evaluation covering the end: a DRAFT result for the supervisor of record at the
    #    period's end, and every evaluation of the group becomes its part.
    groups = bind.execute(
        sa.text(
            f"""
            SELECT e.nip, e.period, {end} AS period_end, min(e.period_start) AS first_start,
                   max(e.period_end) AS last_end
            FROM {S}.evaluation e
            WHERE e.kind = 'RESULT'
            GROUP BY e.nip, e.period
            HAVING bool_and(e.period_end < {end})
            """
        )
    ).all()
    for g in groups:
        a = bind.execute(
            sa.text(
                f"""
                SELECT supervisor_nip, unit_id, valid_from FROM {S}.employee_assignment
                WHERE nip = :nip AND valid_from <= :end ORDER BY valid_from DESC LIMIT 1
                """
            ),
            {"nip": g.nip, "end": g.period_end},
        ).one()
        start = max(a.valid_from, g.first_start)
        if start <= g.last_end:
            # The last assignment began inside a part already recorded (history was not kept): the result
            # covers the rest of the period.
            start = g.last_end + timedelta(days=1)
        result_id = bind.execute(
            sa.text(
                f"""
                INSERT INTO {S}.evaluation (id, kind, nip, unit_id, period, period_start, period_end,
                    evaluator_nip, on_behalf, status, behavior_notes, version, reopened_count)
                VALUES (gen_random_uuid(), 'RESULT', :nip, :unit, :period, :start, :end, :sup,
                    CASE WHEN CAST(:sup AS varchar) IS NULL THEN 'GUBERNUR' END, 'DRAFT', '{{}}'::jsonb, 1, 0)
                RETURNING id
                """
            ),
            {
                "nip": g.nip,
                "unit": a.unit_id,
                "period": g.period,
                "start": start,
                "end": g.period_end,
                "sup": a.supervisor_nip,
            },
        ).scalar_one()
        bind.execute(
            sa.text(
                f"""
                UPDATE {S}.evaluation SET kind = 'PART', result_id = :r, predikat = NULL
                WHERE nip = :nip AND period = :period AND id <> :r
                """
            ),
            {"r": result_id, "nip": g.nip, "period": g.period},
        )
    # 3. The decider of FINAL results, as the reporting line stands at migration time.
    bind.execute(
        sa.text(
            f"""
            UPDATE {S}.evaluation e SET decider_nip = s.supervisor_nip
            FROM {S}.employee s
            WHERE e.kind = 'RESULT' AND e.status = 'FINAL' AND s.nip = e.evaluator_nip
            """
        )
    )

    op.create_check_constraint(
        op.f("ck_evaluation_kind"), "evaluation", "kind IN ('RESULT', 'PART')", schema=S
    )
    op.create_check_constraint(
        op.f("ck_evaluation_only_result_has_predikat"),
        "evaluation",
        "(kind = 'RESULT' AND (status = 'FINAL') = (predikat IS NOT NULL)) OR (kind = 'PART' AND predikat IS NULL)",
        schema=S,
    )
    op.create_check_constraint(
        op.f("ck_evaluation_part_has_result"),
        "evaluation",
        "(kind = 'PART') = (result_id IS NOT NULL)",
        schema=S,
    )
    op.create_index(
        "uq_evaluation_result_nip_period",
        "evaluation",
        ["nip", "period"],
        unique=True,
        schema=S,
        postgresql_where=sa.text("kind = 'RESULT'"),
    )
    op.create_index(
        "uq_evaluation_part_start", "evaluation", ["result_id", "period_start"], unique=True, schema=S
    )


def downgrade() -> None:
    # Parts lose their link; the one-per-evaluator index comes back. Predikats of former parts are in the
    # audit log only, so a downgraded FINAL part keeps FINAL without one: the old check is not restored.
    op.drop_index("uq_evaluation_part_start", table_name="evaluation", schema=S)
    op.drop_index("uq_evaluation_result_nip_period", table_name="evaluation", schema=S)
    op.drop_constraint("ck_evaluation_part_has_result", "evaluation", schema=S)
    op.drop_constraint("ck_evaluation_only_result_has_predikat", "evaluation", schema=S)
    op.drop_constraint("ck_evaluation_kind", "evaluation", schema=S)
    op.drop_constraint("fk_evaluation_decider_nip_employee", "evaluation", schema=S)
    op.drop_constraint("fk_evaluation_result_id_evaluation", "evaluation", schema=S)
    op.drop_column("evaluation", "closed_reason", schema=S)
    op.drop_column("evaluation", "decider_nip", schema=S)
    op.drop_column("evaluation", "result_id", schema=S)
    op.drop_column("evaluation", "kind", schema=S)
    op.create_index(
        "uq_evaluation_nip_period_evaluator",
        "evaluation",
        ["nip", "period", "evaluator_nip"],
        unique=True,
        schema=S,
        postgresql_nulls_not_distinct=True,
    )

"""change log starts with everything that exists: an UPSERT per employee, SKP and evaluation that has no row
yet (in a stable order), and RFC 3339 timestamps in rows already written (issue 11)

The payloads are built in SQL, not by the app's state functions: this migration must keep running on a fresh
database after later migrations change the models. ``tests/kinerja/test_changes_backfill.py`` checks that a
backfilled row equals the row ``record_change`` writes for the same entity (employee_state, skp_data,
evaluation_data); change them together.

Revision ID: kinerja_0010_nc3_backfill
Revises: kinerja_0009_xfer2_skp_positions
"""

from collections.abc import Sequence

from alembic import op
from sqlalchemy import text

from services.common.changelog import normalise_stored_timestamps
from services.common.rfc3339 import sql_instant

revision: str = "kinerja_0010_nc3_backfill"
down_revision: str | None = "kinerja_0009_xfer2_skp_positions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MISSING = (
    "NOT EXISTS (SELECT 1 FROM kinerja.change_log c WHERE c.entity = '{entity}' AND c.entity_id = {key})"
)

# Employees first (SKPs and evaluations name them), then SKPs, then evaluations; each in a stable order.
BACKFILL = [
    f"""
    INSERT INTO kinerja.change_log (entity, entity_id, op, data)
    SELECT 'employee', e.nip, 'UPSERT', jsonb_build_object(
        'nip', e.nip, 'name', e.name, 'unit_id', e.unit_id::text, 'position', e.position,
        'position_type', e.position_type, 'rank', e.rank, 'employment', e.employment,
        'supervisor_nip', e.supervisor_nip, 'active', e.active)
    FROM kinerja.employee e
    WHERE {_MISSING.format(entity="employee", key="e.nip")}
    ORDER BY e.nip
    """,
    f"""
    INSERT INTO kinerja.change_log (entity, entity_id, op, data)
    SELECT 'skp', s.id::text, 'UPSERT', jsonb_build_object(
        'id', s.id::text, 'nip', s.nip, 'year', s.year,
        'valid_from', to_char(s.valid_from, 'YYYY-MM-DD'), 'valid_to', to_char(s.valid_to, 'YYYY-MM-DD'),
        'position', s.position, 'status', s.status, 'approach', s.approach,
        'approver_nip', s.approver_nip, 'approved_on_behalf', s.approved_on_behalf,
        'approved_at', {sql_instant("s.approved_at")}, 'returned_reason', s.returned_reason,
        'version', s.version,
        'results', COALESCE((
            SELECT jsonb_agg(jsonb_build_object(
                'id', r.id::text, 'kind', r.kind, 'text', r.text,
                'parent_result_id', r.parent_result_id::text, 'aspect', r.aspect,
                'perspective', r.perspective,
                'indicators', COALESCE((
                    SELECT jsonb_agg(jsonb_build_object('id', i.id::text, 'text', i.text, 'target', i.target)
                                     ORDER BY i.position, i.id)
                    FROM kinerja.skp_indicator i WHERE i.result_id = r.id), '[]'::jsonb))
                ORDER BY r.position, r.id)
            FROM kinerja.skp_result r WHERE r.skp_id = s.id), '[]'::jsonb))
    FROM kinerja.skp s
    WHERE {_MISSING.format(entity="skp", key="s.id::text")}
    ORDER BY s.year, s.nip, s.valid_from, s.created_at, s.id
    """,
    f"""
    INSERT INTO kinerja.change_log (entity, entity_id, op, data)
    SELECT 'evaluation', v.id::text, 'UPSERT', jsonb_build_object(
        'id', v.id::text, 'kind', v.kind, 'result_id', v.result_id::text,
        'nip', v.nip, 'unit_id', v.unit_id::text, 'period', v.period,
        'period_start', v.period_start, 'period_end', v.period_end, 'evaluator_nip', v.evaluator_nip,
        'on_behalf', v.on_behalf, 'status', v.status, 'result_rating', v.result_rating,
        'behavior_rating', v.behavior_rating, 'behavior_notes', v.behavior_notes, 'predikat', v.predikat,
        'version', v.version, 'reopened_count', v.reopened_count,
        'finalized_at', {sql_instant("v.finalized_at")},
        'acknowledged_at', {sql_instant("v.acknowledged_at")},
        'decider_nip', v.decider_nip, 'closed_reason', v.closed_reason)
    FROM kinerja.evaluation v
    WHERE {_MISSING.format(entity="evaluation", key="v.id::text")}
    ORDER BY v.period_start, v.nip, v.created_at, v.id
    """,
]


def upgrade() -> None:
    conn = op.get_bind()
    normalise_stored_timestamps(conn, "kinerja.change_log")
    # Same lock as append_changes: no writer may take seq values while the backfill takes its own.
    conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('changelog:kinerja'))"))
    for statement in BACKFILL:
        conn.execute(text(statement))


def downgrade() -> None:
    # The backfilled rows are true history from now on; readers may already hold cursors past them.
    pass

"""change log starts with everything that exists: an UPSERT per session, enrolment and completion that has no
row yet (in a stable order), and RFC 3339 timestamps in rows already written (issue 11)

The payloads are built in SQL, not by the app's state functions: this migration must keep running on a fresh
database after later migrations change the models. ``tests/pelatihan/test_changes_backfill.py`` checks that a
backfilled row equals the row the app writes for the same entity (services/pelatihan_api/sync/service.py:
session_data, enrolment_data, completion_state); change them together.

Revision ID: pelatihan_0006_nc3_backfill
Revises: pelatihan_0005_sinks_audit
"""

from collections.abc import Sequence

from alembic import op
from sqlalchemy import text

from services.common.changelog import normalise_stored_timestamps
from services.common.rfc3339 import sql_instant

revision: str = "pelatihan_0006_nc3_backfill"
down_revision: str | None = "pelatihan_0005_sinks_audit"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MISSING = (
    "NOT EXISTS (SELECT 1 FROM pelatihan.change_log c WHERE c.entity = '{entity}' AND c.entity_id = {key})"
)

# Sessions first (enrolments name them), then enrolments, then completions; each in a stable order.
BACKFILL = [
    f"""
    INSERT INTO pelatihan.change_log (entity, entity_id, op, data)
    SELECT 'session', s.id::text, 'UPSERT', jsonb_build_object(
        'id', s.id::text, 'program_id', s.program_id::text, 'institution_id', s.institution_id::text,
        'starts_on', s.starts_on, 'ends_on', s.ends_on, 'capacity', s.capacity,
        'enrol_opens_at', {sql_instant("s.enrol_opens_at")},
        'enrol_closes_at', {sql_instant("s.enrol_closes_at")},
        'location', s.location, 'seats_taken', s.seats_taken, 'waitlist_length', s.waitlist_length,
        'eligible_position_types', to_jsonb(s.eligible_position_types::text[]), 'min_rank', s.min_rank,
        'eligible_unit_ids', to_jsonb(s.eligible_unit_ids::text[]), 'version', s.version)
    FROM pelatihan.training_session s
    WHERE {_MISSING.format(entity="session", key="s.id::text")}
    ORDER BY s.starts_on, s.created_at, s.id
    """,
    f"""
    INSERT INTO pelatihan.change_log (entity, entity_id, op, data)
    SELECT 'enrolment', e.id::text, 'UPSERT', jsonb_build_object(
        'id', e.id::text, 'session_id', e.session_id::text, 'nip', e.nip, 'status', e.status,
        'requested_by', e.requested_by, 'decided_by', e.decided_by,
        'decided_at', {sql_instant("e.decided_at")}, 'reason', e.reason, 'passed', e.passed,
        'score', e.score::float8, 'created_at', {sql_instant("e.created_at")},
        'completed_at', {sql_instant("e.completed_at")}, 'updated_at', {sql_instant("e.updated_at")})
    FROM pelatihan.enrolment e JOIN pelatihan.training_session s ON s.id = e.session_id
    WHERE {_MISSING.format(entity="enrolment", key="e.id::text")}
    ORDER BY s.starts_on, e.session_id, e.created_at, e.id
    """,
    f"""
    INSERT INTO pelatihan.change_log (entity, entity_id, op, data)
    SELECT 'completion', e.id::text, 'UPSERT', jsonb_build_object(
        'enrolment_id', e.id::text, 'session_id', e.session_id::text, 'program_id', s.program_id::text,
        'completed_on', s.ends_on, 'nip', e.nip, 'passed', e.passed, 'score', e.score::float8,
        'completed_at', {sql_instant("e.completed_at")},
        'jp', CASE WHEN e.passed THEN (SELECT j.jp FROM pelatihan.jp_entry j WHERE j.enrolment_id = e.id)
                   ELSE 0 END,
        'certificate_number', (SELECT c.number FROM pelatihan.certificate c WHERE c.enrolment_id = e.id))
    FROM pelatihan.enrolment e JOIN pelatihan.training_session s ON s.id = e.session_id
    WHERE e.completed_at IS NOT NULL AND {_MISSING.format(entity="completion", key="e.id::text")}
    ORDER BY s.starts_on, e.session_id, e.created_at, e.id
    """,
]


def upgrade() -> None:
    conn = op.get_bind()
    normalise_stored_timestamps(conn, "pelatihan.change_log")
    # Same lock as append_changes: no writer may take seq values while the backfill takes its own.
    conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('changelog:pelatihan'))"))
    for statement in BACKFILL:
        conn.execute(text(statement))


def downgrade() -> None:
    # The backfilled rows are true history from now on; readers may already hold cursors past them.
    pass

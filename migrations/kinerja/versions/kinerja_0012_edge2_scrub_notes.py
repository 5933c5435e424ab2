"""change log without behaviour notes: drop ``behavior_notes`` from the evaluation rows already stored
(issue 14 finding 4). New rows never carry it (services/kinerja_api/evaluations/service.py
``synced_data``); the audit keeps it for admins.

Revision ID: kinerja_0012_edge2_scrub_notes
Revises: kinerja_0011_nc3_employee_search
"""

from collections.abc import Sequence

from alembic import op

revision: str = "kinerja_0012_edge2_scrub_notes"
down_revision: str | None = "kinerja_0011_nc3_employee_search"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "UPDATE kinerja.change_log SET data = data - 'behavior_notes' "
        "WHERE entity = 'evaluation' AND data ? 'behavior_notes'"
    )


def downgrade() -> None:
    # The notes are gone from the change log on purpose; the audit still holds them.
    pass

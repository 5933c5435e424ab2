"""Bodies of GET /v1/me/tasks."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class TaskKind(StrEnum):
    """What needs doing."""

    SKP_TO_APPROVE = "SKP_TO_APPROVE"
    REALIZATION_DUE = "REALIZATION_DUE"
    EVALUATION_TO_WRITE = "EVALUATION_TO_WRITE"
    # An earlier supervisor of the period assesses the stretch they supervised: a part of the result.
    PART_TO_WRITE = "PART_TO_WRITE"
    OBJECTION_TO_DECIDE = "OBJECTION_TO_DECIDE"
    EVALUATION_TO_ACKNOWLEDGE = "EVALUATION_TO_ACKNOWLEDGE"


class Task(BaseModel):
    """One open piece of work, with its deadline and where to do it."""

    kind: TaskKind
    title: str
    period: str
    subject_nip: str = Field(description="Whose SKP, realisation, evaluation or objection it is.")
    subject_name: str | None
    due_on: date
    overdue: bool
    link: str = Field(
        description=(
            "The resource to open (or, for an evaluation not started yet, to POST to), as the caller reaches it: "
            "through the gateway it carries the service prefix (`/kinerja/v1/...`)."
        )
    )
    method: str = Field(description="GET to open the resource, POST to start it (with create_body).")
    create_body: dict[str, str] | None = None
    count: int = Field(
        default=1, description="For REALIZATION_DUE: the indicators still without a realisation."
    )


class TaskList(BaseModel):
    """Everything the caller has open, soonest deadline first."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "as_of": "2026-03-31",
                    "counts": {
                        "SKP_TO_APPROVE": 0,
                        "REALIZATION_DUE": 1,
                        "EVALUATION_TO_WRITE": 1,
                        "PART_TO_WRITE": 0,
                        "OBJECTION_TO_DECIDE": 0,
                        "EVALUATION_TO_ACKNOWLEDGE": 0,
                    },
                    "items": [
                        {
                            "kind": "EVALUATION_TO_WRITE",
                            "title": "Evaluate Siti Rahmawati for 2026-Q1",
                            "period": "2026-Q1",
                            "subject_nip": "199001012015031001",
                            "subject_name": "Siti Rahmawati",
                            "due_on": "2026-04-15",
                            "overdue": False,
                            "link": "/kinerja/v1/evaluations",
                            "method": "POST",
                            "create_body": {"nip": "199001012015031001", "period": "2026-Q1"},
                            "count": 1,
                        }
                    ],
                }
            ]
        }
    )

    as_of: date
    counts: dict[TaskKind, int]
    items: list[Task]

"""Events pelatihan sends (``source: pelatihan``)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from services.common.changes.events import Catalogue, Event


class TrainingStats(Event):
    """A unit's anonymous training figures for a year."""

    event_type: ClassVar[str] = "pelatihan.training_stats"
    destinations: ClassVar[tuple[str, ...]] = ("publik",)

    unit_id: str = Field(description="The unit (uuid).")
    unit_name: str = Field(description="The unit's name (the last known one when kinerja cannot answer).")
    year: int = Field(description="The calendar year.")
    participants: int = Field(description="Employees of the unit who attended training this year.")
    jp_delivered: float = Field(description="JP credited to the unit's employees this year.")
    pns_total: int = Field(description="PNS in the unit.")
    pns_meeting_20jp: int = Field(description="PNS with at least 20 JP this year.")
    share_meeting_20jp: float | None = Field(description="pns_meeting_20jp / pns_total, 4 decimals.")
    data_as_of: str = Field(description="When the figures were computed (ISO 8601, UTC).")


class EnrolmentConfirmed(Event):
    """An enrolment was confirmed, on approval with a free seat or on promotion from the waitlist."""

    event_type: ClassVar[str] = "pelatihan.enrolment_confirmed"
    destinations: ClassVar[tuple[str, ...]] = ("gateway",)

    enrolment_id: str = Field(description="The enrolment (uuid).")
    session_id: str = Field(description="The training session (uuid).")
    nip: str = Field(description="The enrolled employee.")
    status: str = Field(description="`CONFIRMED`.")
    program_id: str | None = Field(default=None, description="The session's programme (uuid).")


class TrainingCompleted(Event):
    """A participant's completion was recorded."""

    event_type: ClassVar[str] = "pelatihan.training_completed"
    destinations: ClassVar[tuple[str, ...]] = ("gateway",)

    enrolment_id: str = Field(description="The enrolment (uuid).")
    session_id: str = Field(description="The training session (uuid).")
    nip: str = Field(description="The participant.")
    status: str = Field(description="`COMPLETED` or `FAILED`.")
    program_id: str | None = Field(default=None, description="The session's programme (uuid).")
    jp: int = Field(description="JP credited (0 when failed).")
    certificate_number: str | None = Field(description="The certificate's number; null when failed.")
    completed_on: str | None = Field(description="The session's last day, the certificate's date (ISO date).")


PELATIHAN_EVENTS = Catalogue("pelatihan", [TrainingStats, EnrolmentConfirmed, TrainingCompleted])

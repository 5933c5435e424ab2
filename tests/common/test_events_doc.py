"""docs/events.md documents every event type once, exactly as the catalogue models define it, and the
catalogues refuse what they do not know."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from services.common.changes import Catalogue, Envelope, UnknownEvent
from services.common.changes.catalogue import GATEWAY_EVENTS, KINERJA_EVENTS, PELATIHAN_EVENTS
from services.common.changes.catalogue.doc import DOC, generated_part, render
from services.common.changes.catalogue.kinerja import EmployeeChanged
from services.common.errors import InvalidInput


def test_the_doc_matches_the_models() -> None:
    assert generated_part(DOC.read_text()) == render(), (
        "docs/events.md is out of date: python -m services.common.changes.catalogue.doc"
    )


def test_every_event_type_is_documented_once() -> None:
    text = DOC.read_text()
    for model in [*GATEWAY_EVENTS, *KINERJA_EVENTS, *PELATIHAN_EVENTS]:
        assert text.count(f"### `{model.event_type}` (version {model.version})") == 1, model.event_type


def test_a_receiver_refuses_a_version_it_does_not_know_and_ignores_added_fields() -> None:
    receives = Catalogue("pelatihan", [EmployeeChanged])
    data = {
        "nip": "198609262015051001",
        "unit_id": str(uuid.uuid4()),
        "employment": "PNS",
        "position_type": "PELAKSANA",
        "rank": "III/a",
        "active": True,
        "supervisor_nip": None,
    }
    old_peer = Envelope.model_validate(
        {
            "id": str(uuid.uuid4()),
            "type": "kinerja.employee",
            "source": "kinerja",
            "occurred_at": datetime.now(UTC).isoformat(),
            "data": {**data, "added_later": 1},
        }
    )
    assert old_peer.version == 1
    assert receives.parse_envelope(old_peer) == EmployeeChanged(**data)
    with pytest.raises(UnknownEvent, match="version 2"):
        receives.parse("kinerja.employee", 2, data)
    with pytest.raises(UnknownEvent, match="event type"):
        receives.parse("kinerja.unknown", 1, data)
    with pytest.raises(InvalidInput):
        receives.parse("kinerja.employee", 1, {"nip": "1"})

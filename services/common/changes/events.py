"""Typed events: one pydantic model per event type, a versioned envelope, and a catalogue per sender.

An event type is a model with three class variables: ``event_type`` (the wire name), ``version`` (the
payload's shape; an *additive* change — a new optional field — keeps it, anything a receiver built for the
old shape could misread bumps it) and ``destinations`` (the outboxes it goes to). The model's fields are the
payload, exactly the ``data`` of the envelope.

A receiver builds a :class:`Catalogue` of what it accepts and calls :meth:`Catalogue.parse`, which refuses
an unknown type or a version it does not know (:class:`UnknownEvent`, a 422 problem), and ignores fields it
does not know (so a sender may add fields without bumping the version).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from services.common.errors import InvalidInput
from services.common.i18n import msg


class Event(BaseModel):
    """Base of every event payload model."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    event_type: ClassVar[str]
    version: ClassVar[int] = 1
    destinations: ClassVar[tuple[str, ...]] = ()

    def payload(self) -> dict[str, Any]:
        """The envelope's ``data``: the fields as JSON values."""
        return self.model_dump(mode="json")

    def outbox_rows(self) -> list[dict[str, Any]]:
        """The outbox columns of the rows this event writes: one row per destination. An outbox with more
        columns (the gateway's webhook deliveries carry their endpoint and event ids) overrides this."""
        payload = self.payload()
        return [
            {"destination": d, "event_type": self.event_type, "version": self.version, "payload": payload}
            for d in self.destinations
        ]


class Envelope(BaseModel):
    """An event as an outbox dispatcher POSTs it (``services.common.outbox.envelope``)."""

    model_config = ConfigDict(extra="forbid")

    id: uuid.UUID
    type: str = Field(min_length=1, max_length=80)
    # Senders before the catalogue sent no version: what they sent is version 1.
    version: int = Field(
        default=1, ge=1, description="The payload's shape; receivers refuse one they do not know."
    )
    source: str = Field(min_length=1, max_length=40)
    occurred_at: datetime
    data: dict[str, Any]


class UnknownEvent(InvalidInput):
    """An event type or version the receiver does not know (422: retrying cannot help)."""


class Catalogue:
    """The event types one sender emits (or one receiver accepts), by (type, version)."""

    def __init__(self, name: str, events: Iterable[type[Event]]) -> None:
        self.name = name
        self.models: dict[tuple[str, int], type[Event]] = {}
        for model in events:
            key = (model.event_type, model.version)
            if key in self.models:
                raise ValueError(f"{name}: {model.event_type} v{model.version} is defined twice")
            self.models[key] = model

    def __iter__(self) -> Any:
        return iter(self.models.values())

    def __add__(self, other: Catalogue) -> Catalogue:
        return Catalogue(f"{self.name}+{other.name}", [*self, *other])

    def types(self) -> set[str]:
        """The event type names in the catalogue."""
        return {t for t, _ in self.models}

    def model(self, event_type: str, version: int) -> type[Event]:
        """The model of one (type, version), or :class:`UnknownEvent`."""
        found = self.models.get((event_type, version))
        if found is None:
            known = sorted(v for t, v in self.models if t == event_type)
            detail = (
                msg(
                    "{name} does not know version {version} of {event_type} (it knows versions {known})",
                    name=self.name,
                    version=version,
                    event_type=event_type,
                    known=known,
                )
                if known
                else msg(
                    "{name} does not know event type {event_type}", name=self.name, event_type=event_type
                )
            )
            raise UnknownEvent(
                detail,
                errors=[
                    {"loc": ["body", "version" if known else "type"], "msg": "not in the event catalogue"}
                ],
            )
        return found

    def parse(self, event_type: str, version: int, data: Mapping[str, Any]) -> Event:
        """Validate a received payload against its model (422 when it does not fit)."""
        model = self.model(event_type, version)
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            raise InvalidInput(
                msg(
                    "the data of {event_type} v{version} does not fit its model",
                    event_type=event_type,
                    version=version,
                ),
                errors=[
                    {"loc": ["body", "data", *map(str, e["loc"])], "msg": e["msg"]} for e in exc.errors()
                ],
            ) from None

    def parse_envelope(self, envelope: Envelope) -> Event:
        """:meth:`parse` for a whole envelope."""
        return self.parse(envelope.type, envelope.version, envelope.data)

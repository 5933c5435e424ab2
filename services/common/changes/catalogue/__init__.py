"""The event catalogues: one module per sending service. They live in the shared kernel because sender and
receivers must validate against the same models (a service imports only itself and services.common);
they hold wire shapes only, no rules. docs/events.md documents each model (tests/common/test_events_doc.py)."""

from services.common.changes.catalogue.gateway import GATEWAY_EVENTS
from services.common.changes.catalogue.kinerja import KINERJA_EVENTS
from services.common.changes.catalogue.pelatihan import PELATIHAN_EVENTS

__all__ = ["GATEWAY_EVENTS", "KINERJA_EVENTS", "PELATIHAN_EVENTS"]

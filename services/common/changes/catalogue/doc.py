"""The event reference in docs/events.md, rendered from the catalogue models (one table per event type).

``python -m services.common.changes.catalogue.doc`` rewrites the generated part of docs/events.md;
tests/common/test_events_doc.py fails when the file and the models disagree.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from services.common.changes.catalogue import GATEWAY_EVENTS, KINERJA_EVENTS, PELATIHAN_EVENTS
from services.common.changes.events import Catalogue

BEGIN = "<!-- BEGIN event types: generated from services/common/changes/catalogue by its doc.py -->"
END = "<!-- END event types -->"
DOC = Path(__file__).resolve().parents[4] / "docs" / "events.md"


def _type(prop: dict[str, Any], defs: dict[str, Any]) -> str:
    if "$ref" in prop:
        name = prop["$ref"].rsplit("/", 1)[-1]
        fields = ", ".join(defs[name]["properties"])
        return f"object `{{{fields}}}`"
    if "anyOf" in prop:
        return " or ".join(_type(p, defs) for p in prop["anyOf"])
    if prop.get("type") == "array":
        return f"array of {_type(prop['items'], defs)}"
    return str(prop.get("type", "any"))


def render(catalogues: tuple[Catalogue, ...] = (GATEWAY_EVENTS, KINERJA_EVENTS, PELATIHAN_EVENTS)) -> str:
    """The generated section: for every event type, its version, route and one row per payload field."""
    out: list[str] = [BEGIN, ""]
    for catalogue in catalogues:
        for model in sorted(catalogue, key=lambda m: (m.event_type, m.version)):
            schema = model.model_json_schema()
            defs = schema.get("$defs", {})
            required = set(schema.get("required", []))
            route = f"{catalogue.name} → {', '.join(model.destinations)}"
            doc = " ".join((model.__doc__ or "").split())
            out += [f"### `{model.event_type}` (version {model.version})", "", f"{route}. {doc}", ""]
            out += ["| field | type | required | meaning |", "|---|---|---|---|"]
            for name, prop in schema["properties"].items():
                req = "yes" if name in required else "no"
                out.append(f"| `{name}` | {_type(prop, defs)} | {req} | {prop.get('description', '')} |")
            out.append("")
    out.append(END)
    return "\n".join(out)


def generated_part(text: str) -> str:
    """The part of docs/events.md between the markers (markers included)."""
    start, end = text.index(BEGIN), text.index(END) + len(END)
    return text[start:end]


def main() -> None:
    """Rewrite the generated part of docs/events.md."""
    text = DOC.read_text()
    DOC.write_text(text.replace(generated_part(text), render()))
    sys.stdout.write(f"wrote {DOC}\n")


if __name__ == "__main__":
    main()

"""Only ``record_change`` writes an audit entry, a change-log row or an outbox event.

An AST scan of the runtime packages finds every model class built on ``AuditMixin``, ``ChangeLogMixin`` or
``OutboxMixin`` and fails on any construction of one (the only way to ``session.add`` it), any
``insert(Model)`` / ``insert(Model.__table__)`` of one, and any call of the low-level writers (``enqueue``,
``enqueue_many``, ``append_changes``, ``append_entries``) outside services/common/changes/. Every app
(kinerja, pelatihan, publik, the gateway) writes through it; there is no exception left.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("services", "gateway", "asn_cli", "bench")
MIXINS = {"AuditMixin", "ChangeLogMixin", "OutboxMixin"}
WRITERS = {"enqueue", "enqueue_many", "append_changes", "append_entries"}
# Where the writing is done: record_change's package.
HOME = "services/common/changes/"


def _files() -> list[Path]:
    return sorted(p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py"))


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _models(trees: dict[str, ast.Module]) -> set[str]:
    """Classes whose bases include one of the mixins (directly, or through another such class)."""
    found: set[str] = set()
    changed = True
    while changed:
        changed = False
        for tree in trees.values():
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef) and node.name not in found | MIXINS:
                    bases = {_name(b) for b in node.bases}
                    if bases & (MIXINS | found):
                        found.add(node.name)
                        changed = True
    return found


def _writes(tree: ast.Module, models: set[str]) -> set[str]:
    out: set[str] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        called = _name(node.func)
        if called in models:
            out.add(f"new {called}")
        elif called in WRITERS:
            out.add(f"call {called}")
        elif called in {"insert", "insert_rows"} and node.args:
            target = node.args[0]
            if isinstance(target, ast.Attribute) and target.attr == "__table__":
                target = target.value
            if _name(target) in models:
                out.add(f"insert {_name(target)}")
    return out


def scan() -> set[tuple[str, str]]:
    """Every (file, write) outside record_change's package."""
    trees = {_rel(p): ast.parse(p.read_text(), str(p)) for p in _files()}
    models = _models(trees)
    assert {"AuditEntry", "ChangeLog", "OutboxEvent", "WebhookDelivery"} <= models, models
    # Every app owns an audit chain (the scan sees four AuditEntry classes, one per app).
    audited = {
        f
        for f, t in trees.items()
        for n in ast.walk(t)
        if isinstance(n, ast.ClassDef) and n.name == "AuditEntry"
    }
    assert len(audited) == 4, audited
    return {(f, w) for f, tree in trees.items() if not f.startswith(HOME) for w in _writes(tree, models)}


def test_audit_change_log_and_outbox_are_written_only_by_record_change() -> None:
    found = scan()
    assert not found, f"write these through services.common.changes.record_change: {sorted(found)}"


def test_the_scan_sees_a_direct_write() -> None:
    tree = ast.parse(
        "session.add(OutboxEvent(id=1))\nawait session.execute(insert(AuditEntry.__table__), rows)\n"
        "enqueue(session, OutboxEvent, destination='x', event_type='t', payload={})\n"
    )
    assert _writes(tree, {"OutboxEvent", "AuditEntry"}) == {
        "new OutboxEvent",
        "insert AuditEntry",
        "call enqueue",
    }

"""``asn verify-audit``: check every app's audit chain, and check it against publik's anchors.

It reads the databases (``ASN_DATABASE_URL``, else each app's ``<PREFIX>_DATABASE_URL``, else the embedded
PostgreSQL, as ``asn migrate`` does), not the HTTP API: a chain rewritten by its schema's owner, with every
later hash recomputed, still verifies on its own (``/v1/audit/verify`` says valid); what gives it away is an
anchored ``(seq, hash)`` that is no longer in it. The anchors themselves are checked first (hash links and
signatures with publik's snapshot key: ``PUBLIK_SNAPSHOT_KEY_PEM`` or ``PUBLIK_DATA_DIR/keys/publik-snapshot.pem``).
Exit 0 when everything holds, 1 naming each app and seq that does not, 2 when it cannot check.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from asn_cli.apps import APPS
from asn_cli.database import CliSettings, with_database
from services.common.apps import APP_NAMES
from services.common.auth import JwsInvalid, jws_header, verify_jws
from services.common.changes.audit import AuditMixin, verify_chain
from services.common.settings import normalise_database_url
from services.publik_api.models.anchors import AuditAnchor
from services.publik_api.snapshots.service import SnapshotSigner
from services.publik_api.snapshots.verify import snapshot_keys
from services.publik_api.snapshots.verify import verify_chain as verify_signed_chain

ANCHORS_APP = "publik"


class CannotCheck(Exception):
    """The check cannot be made (no key to verify the anchors with)."""


def audit_model(app: str) -> type[AuditMixin]:
    """The app's ``AuditEntry`` model, under the package of its app factory: ``models/audit.py`` where the
    app keeps its tables in a models package (pelatihan, publik), else ``audit/models.py``."""
    package = APPS[app].factory.split(":")[0].rsplit(".", 1)[0]
    for name in (f"{package}.models.audit", f"{package}.audit.models"):
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name is None or not name.startswith(exc.name):
                raise
            continue
        model: type[AuditMixin] = module.AuditEntry
        return model
    raise LookupError(f"{app} has no audit model")


def anchor_jwks() -> dict[str, Any]:
    """The public key of publik's snapshot signer, which signs the anchors too."""
    settings: Any = APPS[ANCHORS_APP].settings()
    if settings.snapshot_key_pem is not None:
        return SnapshotSigner(settings.snapshot_key_pem.get_secret_value()).jwks()
    path = Path(settings.data_dir) / "keys" / "publik-snapshot.pem"
    if not path.exists():
        raise CannotCheck(
            f"no snapshot key: set PUBLIK_SNAPSHOT_KEY_PEM or PUBLIK_DATA_DIR (looked in {path})"
        )
    return SnapshotSigner(path.read_text()).jwks()


def signed_payload(anchor: dict[str, Any], jwks: dict[str, Any]) -> bytes | None:
    """What the anchor's signature covers (the stored ``payload`` column is only a copy), or None."""
    try:
        key = snapshot_keys(jwks).get(str(jws_header(anchor["jws"]).get("kid")))
        return verify_jws(anchor["jws"], key) if key is not None else None
    except JwsInvalid:
        return None


def anchored_heads(anchors: list[dict[str, Any]], jwks: dict[str, Any]) -> dict[str, dict[int, str]]:
    """Every ``(seq, hash)`` ever anchored and signed, by app (``seq`` 0, the empty chain, says nothing)."""
    found: dict[str, dict[int, str]] = {}
    for anchor in anchors:
        payload = signed_payload(anchor, jwks)
        if payload is None:
            continue
        for app, head in json.loads(payload)["heads"].items():
            if int(head["seq"]) > 0:
                found.setdefault(app, {})[int(head["seq"])] = str(head["hash"])
    return found


async def _session_for(url: str) -> tuple[Any, AsyncSession]:
    engine = create_async_engine(normalise_database_url(url))
    return engine, AsyncSession(engine)


async def check_audit(urls: dict[str, str], jwks: dict[str, Any]) -> tuple[list[str], list[str]]:
    """``(what holds, problems)`` over the anchors and every app's chain."""
    held: list[str] = []
    problems: list[str] = []
    engine, session = await _session_for(urls[ANCHORS_APP])
    try:
        rows = (await session.scalars(select(AuditAnchor).order_by(AuditAnchor.n))).all()
    finally:
        await session.close()
        await engine.dispose()
    anchors: list[dict[str, Any]] = [
        {"n": a.n, "hash": a.hash, "prev_hash": a.prev_hash, "jws": a.jws, "payload": a.payload} for a in rows
    ]
    if anchors:
        anchor_problems = verify_signed_chain(anchors, jwks, label="anchor")
        anchor_problems.extend(
            f"anchor {a['n']}: the stored payload is not the signed one"
            for a in anchors
            if (signed := signed_payload(a, jwks)) is not None and signed != a["payload"].encode()
        )
        problems.extend(f"anchors: {p}" for p in anchor_problems)
        if not anchor_problems:
            held.append(f"anchors: {len(anchors)} record(s), every signature and link verifies")
    else:
        problems.append("anchors: none recorded yet; the chains below are checked on their own only")
    anchored = anchored_heads(anchors, jwks)
    for app in APP_NAMES:
        model = audit_model(app)
        engine, session = await _session_for(urls[app])
        try:
            report = await verify_chain(session, model)
            if not report.valid:
                problems.append(f"{app}: the chain is broken at seq {report.first_bad_seq}: {report.problem}")
            for seq, digest in sorted(anchored.get(app, {}).items()):
                stored = await session.scalar(select(model.hash).where(model.seq == seq))
                if stored is None:
                    problems.append(f"{app}: anchored seq {seq} is missing from the chain (truncated)")
                elif stored != digest:
                    problems.append(f"{app}: seq {seq} no longer has its anchored hash (rewritten)")
        finally:
            await session.close()
            await engine.dispose()
        if report.valid and not any(p.startswith(f"{app}:") for p in problems):
            held.append(
                f"{app}: {report.entries} entries, {len(anchored.get(app, {}))} anchored head(s) present"
            )
    return held, problems


def cmd_verify_audit(args: argparse.Namespace, settings: CliSettings) -> int:
    """Print what holds and every problem; exit 1 on any problem, 2 when the check cannot be made."""
    try:
        jwks = anchor_jwks()
    except CannotCheck as exc:
        print(f"asn: cannot verify the anchors: {exc}")
        return 2

    def run(urls: dict[str, str]) -> int:
        held, problems = asyncio.run(check_audit(urls, jwks))
        for line in held:
            print(f"OK: {line}")
        if problems:
            print(f"FAILED: {len(problems)} problem(s):")
            for problem in problems:
                print(f"  - {problem}")
            return 1
        return 0

    return with_database(settings, run, list(APP_NAMES))


def register(sub: Any) -> None:
    """Add ``verify-audit`` to the parser."""
    p: argparse.ArgumentParser = sub.add_parser(
        "verify-audit",
        help="check every app's audit chain against publik's signed anchors (through the databases)",
    )
    p.set_defaults(fn=cmd_verify_audit)

"""Demo accounts and the demo API client (``asn seed-demo``; demo data only).

Idempotent: accounts that already exist are left exactly as they are, so a password someone changed
after the first seed is never reset by running the seed again.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from gateway.identity import repository
from gateway.identity.bootstrap import ensure_account, ensure_client
from services.common.auth import Role, Scope

DEMO_PASSWORD = "bengkulu-demo"
DEMO_CLIENT_ID = "demo-integrator"
DEMO_CLIENT_SECRET = "bengkulu-demo-integrator"
FALLBACK_INSTITUTION_ID = "00000000-0000-4000-8000-000000000001"


async def _account(
    session: AsyncSession,
    *,
    username: str,
    roles: list[str],
    label: str,
    nip: str | None = None,
    institution_id: str | None = None,
) -> str:
    existing = await repository.account_by_username(session, username)
    if existing is None:
        await ensure_account(
            session,
            username=username,
            password=DEMO_PASSWORD,
            roles=roles,
            nip=nip,
            institution_id=institution_id,
            is_demo=True,
        )
        state = "created"
    else:
        state = "exists, left unchanged"
    return f"  {username:<24} {'/'.join(roles):<16} {label} ({state})"


async def seed_demo(session: AsyncSession, context: dict[str, Any]) -> list[str]:
    """Create the demo accounts (password ``bengkulu-demo``) and the demo integrator client.

    Pegawai accounts come from ``context["demo_accounts"]`` (``{"username", "nip", "label"}`` dicts put
    there by the kinerja demo); without it none are created. Returns human-readable summary lines.
    """
    institution_id = str(context.get("demo_institution_id") or FALLBACK_INSTITUTION_ID)
    lines = [f"gateway: demo accounts (password {DEMO_PASSWORD!r})"]
    lines.append(await _account(session, username="admin", roles=[Role.ADMIN], label="BKD administrator"))
    lines.append(
        await _account(
            session,
            username="pelatihan.admin",
            roles=[Role.PELATIHAN_ADMIN],
            label="training administrator",
        )
    )
    lines.append(
        await _account(
            session,
            username="mitra.bpsdm",
            roles=[Role.MITRA],
            label=f"partner institution staff (institution {institution_id})",
            institution_id=institution_id,
        )
    )
    for entry in context.get("demo_accounts") or []:
        lines.append(
            await _account(
                session,
                username=str(entry["username"]),
                roles=[Role.PEGAWAI],
                label=f"{entry.get('label', 'employee')}, NIP {entry['nip']}",
                nip=str(entry["nip"]),
            )
        )

    client = await repository.client_by_id(session, DEMO_CLIENT_ID)
    if client is None:
        created, _ = await ensure_client(
            session,
            client_id=DEMO_CLIENT_ID,
            name="Demo integrator",
            secret=DEMO_CLIENT_SECRET,
            roles=[Role.INTEGRATOR],
            scopes=list(Scope.ALL),
        )
        created.is_demo = True
        await session.flush()
        state = "created"
    else:
        state = "exists, left unchanged"
    lines.append(
        f"gateway: API client {DEMO_CLIENT_ID!r} / secret {DEMO_CLIENT_SECRET!r} (integrator; scopes {' '.join(Scope.ALL)}) ({state})"
    )
    return lines

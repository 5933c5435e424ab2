"""Learning from outside (issue 18, item 2) through the gateway, on the demo data, with all four apps as real
processes: the employee claims, another supervisor gets 404, the direct supervisor (pelatihan's roster, from
kinerja's events) verifies or rejects, the training admin verifies and revokes; caps and duplicates are
refused, and the verified JP move the ledger."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from asn_cli.seed import bootstrap, create_admin, seed_demo
from services.common import clock
from services.common.apps import APP_NAMES
from tests.support.stack import ADMIN_PASSWORD, ADMIN_USER, SERVICE_SECRETS, Stack

pytestmark = pytest.mark.e2e


def _claim(**extra: Any) -> dict[str, Any]:
    ended = clock.today() - timedelta(days=1)
    return {
        "path": "E_LEARNING",
        "title": "Manajemen ASN (e-learning)",
        "provider": "LAN RI",
        "certificate_number": "LAN-EL-0001",
        "starts_on": (ended - timedelta(days=9)).isoformat(),
        "ends_on": ended.isoformat(),
        "jp": 12,
        "evidence_url": "https://asn-unggul.lan.go.id/sertifikat/0001",
        **extra,
    }


async def test_outside_learning_through_the_gateway(db: str, tmp_path: Path) -> None:
    await bootstrap(db, SERVICE_SECRETS)
    await create_admin(db, ADMIN_USER, ADMIN_PASSWORD)
    await seed_demo(dict.fromkeys(APP_NAMES, db), None)  # type: ignore[arg-type]
    stack = Stack(database_url=db, workdir=tmp_path)
    await asyncio.to_thread(stack.start)
    try:
        async with httpx.AsyncClient(base_url=stack.url + "/pelatihan", timeout=20.0) as gw:

            async def login(user: str, password: str = "bengkulu-demo") -> dict[str, str]:
                r = await gw.post(
                    stack.url + "/auth/token",
                    data={"grant_type": "password", "username": user, "password": password},
                )
                assert r.status_code == 200, r.text
                return {"Authorization": f"Bearer {r.json()['access_token']}"}

            staff, boss, other_boss, trainer = [
                await login(u) for u in ("pegawai.bkd", "atasan.bkd", "kabid.mutasi", "pelatihan.admin")
            ]
            admin = await login("admin")
            nip = (await gw.get("/v1/whoami", headers=staff)).json()["nip"]
            year = (clock.today() - timedelta(days=1)).year

            async def jp_total() -> int:
                r = await gw.get(f"/v1/employees/{nip}/jp?year={year}", headers=staff)
                assert r.status_code == 200, r.text
                return int(r.json()["jp_total"])

            start = await jp_total()
            caps = {
                c["path"]: c["jp_per_year"]
                for c in (await gw.get("/v1/outside-learning/caps", headers=staff)).json()["items"]
            }
            assert (caps["SELF_STUDY"], caps["E_LEARNING"]) == (10, 40)

            # The employee claims; the JP do not count before verification.
            r = await gw.post("/v1/outside-learning", json=_claim(), headers=staff)
            assert r.status_code == 201, r.text
            claim = r.json()
            assert (claim["status"], claim["nip"], claim["jp"]) == ("CLAIMED", nip, 12)
            assert await jp_total() == start
            # Another supervisor cannot see or decide it (404); the employee cannot verify their own (403).
            assert (
                await gw.get(f"/v1/outside-learning/{claim['id']}", headers=other_boss)
            ).status_code == 404
            r = await gw.post(f"/v1/outside-learning/{claim['id']}/verify", json={}, headers=other_boss)
            assert r.status_code == 404, r.text
            assert (await gw.get("/v1/outside-learning?status=CLAIMED", headers=other_boss)).json()[
                "items"
            ] == []
            r = await gw.post(f"/v1/outside-learning/{claim['id']}/verify", json={}, headers=staff)
            assert r.status_code == 403, r.text
            # The direct supervisor sees it among their reports' claims and verifies it: the JP count.
            waiting = (await gw.get("/v1/outside-learning?status=CLAIMED", headers=boss)).json()["items"]
            assert claim["id"] in [c["id"] for c in waiting]
            r = await gw.post(
                f"/v1/outside-learning/{claim['id']}/verify",
                json={"reason": "Sertifikat valid"},
                headers=boss,
            )
            assert r.status_code == 200, r.text
            assert r.json()["status"] == "VERIFIED"
            assert await jp_total() == start + 12
            r = await gw.post(f"/v1/outside-learning/{claim['id']}/verify", json={}, headers=boss)
            assert r.status_code == 409

            # Refused: the same provider and certificate number again (any case), a future end, a reversed range.
            r = await gw.post(
                "/v1/outside-learning",
                json=_claim(provider="lan ri", certificate_number="lan-el-0001"),
                headers=staff,
            )
            assert (r.status_code, r.json()["type"].split("/")[-1]) == (409, "already-credited")
            future = (clock.today() + timedelta(days=3)).isoformat()
            r = await gw.post(
                "/v1/outside-learning", json=_claim(certificate_number="X-2", ends_on=future), headers=staff
            )
            assert r.status_code == 422, r.text
            assert r.json()["errors"][0]["loc"] == ["body", "ends_on"]

            # Caps: self-study adds at most 10 JP a year; 11 at once or 6 + 5 are refused.
            r = await gw.post(
                "/v1/outside-learning",
                json=_claim(path="SELF_STUDY", certificate_number=None, jp=11, provider="Mandiri"),
                headers=staff,
            )
            assert (r.status_code, r.json()["type"].split("/")[-1]) == (409, "jp-cap-exceeded")
            r = await gw.post(
                "/v1/outside-learning",
                json=_claim(path="SELF_STUDY", certificate_number=None, jp=6, provider="Mandiri"),
                headers=staff,
            )
            assert r.status_code == 201, r.text
            # The training admin verifies too.
            r = await gw.post(f"/v1/outside-learning/{r.json()['id']}/verify", headers=trainer)
            assert r.status_code == 200, r.text
            r = await gw.post(
                "/v1/outside-learning",
                json=_claim(path="SELF_STUDY", certificate_number=None, jp=5, provider="Mandiri"),
                headers=staff,
            )
            assert r.status_code == 409
            assert await jp_total() == start + 18

            # Reject: a reason is required; another supervisor still gets 404.
            r = await gw.post(
                "/v1/outside-learning",
                json=_claim(path="SEMINAR_WORKSHOP", certificate_number="SEM-9", provider="Unib", jp=8),
                headers=staff,
            )
            seminar = r.json()["id"]
            r = await gw.post(
                f"/v1/outside-learning/{seminar}/reject", json={"reason": "Bukan atasan"}, headers=other_boss
            )
            assert r.status_code == 404
            r = await gw.post(f"/v1/outside-learning/{seminar}/reject", json={}, headers=boss)
            assert r.status_code == 422
            r = await gw.post(
                f"/v1/outside-learning/{seminar}/reject", json={"reason": "Bukti tidak terbaca"}, headers=boss
            )
            assert (r.status_code, r.json()["status"], r.json()["reason"]) == (
                200,
                "REJECTED",
                "Bukti tidak terbaca",
            )
            assert await jp_total() == start + 18

            # Revoke: the JP leave the ledger; the certificate may then be claimed and credited again.
            r = await gw.post(
                f"/v1/outside-learning/{claim['id']}/revoke",
                json={"reason": "Sertifikat palsu"},
                headers=other_boss,
            )
            assert r.status_code == 404
            r = await gw.post(
                f"/v1/outside-learning/{claim['id']}/revoke",
                json={"reason": "Sertifikat palsu"},
                headers=trainer,
            )
            assert (r.status_code, r.json()["status"]) == (200, "REVOKED")
            assert await jp_total() == start + 6

            # The employee lists their own; every step is in the audit log.
            mine = (await gw.get(f"/v1/outside-learning?nip={nip}", headers=staff)).json()["items"]
            assert {c["status"] for c in mine} == {"REVOKED", "VERIFIED", "REJECTED"}
            assert (await gw.get(f"/v1/outside-learning?nip={nip}", headers=other_boss)).status_code == 403
            audit = (
                await gw.get(f"/v1/audit?entity=outside_learning&entity_id={claim['id']}", headers=admin)
            ).json()["items"]
            assert sorted(a["action"] for a in audit) == [
                "outside_learning.claim",
                "outside_learning.revoke",
                "outside_learning.verify",
            ]
    finally:
        await asyncio.to_thread(stack.stop)

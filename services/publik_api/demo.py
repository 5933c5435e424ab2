"""Demo data of publik: SKM responses and innovations of a few units, with signed snapshots. The performance
and training figures are not publik's to invent: they arrive from kinerja and pelatihan through the outbox
(``asn_cli.seed.publish_demo`` approves them). Idempotent: running it again changes nothing. Uses kinerja's
demo unit ids from ``context["demo_units"]`` when present, else its own."""

from __future__ import annotations

import random
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.common import clock
from services.publik_api.config import PublikSettings
from services.publik_api.models.publications import Item
from services.publik_api.models.surveys import SurveyResponse
from services.publik_api.publications.repository import bump_version
from services.publik_api.publications.service import upsert_item
from services.publik_api.snapshots.service import load_signer
from services.publik_api.surveys import repository as surveys
from services.publik_api.surveys.ikm import compute_ikm
from services.publik_api.surveys.refresher import ikm_public
from services.publik_api.unit_registry import repository as units

NAMESPACE = uuid.UUID("0e4b5c1a-7d2f-4c3e-9a8b-6f1d2e3c4b5a")
# (code, name, SKM respondents, answer bias, service population)
DEMO: list[tuple[str, str, int, int, int | None]] = [
    ("BKD", "Badan Kepegawaian Daerah", 48, 3, 1000),
    ("DPMPTSP", "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu", 120, 4, 5000),
    ("DINSOS", "Dinas Sosial", 36, 2, None),
    ("SETDA", "Sekretariat Daerah", 25, 3, None),
]
INNOVATIONS = [
    (
        "SETDA",
        "Pendaftaran dokumen kependudukan daring",
        "Warga mengajukan KK, KTP-el dan akta kelahiran dari rumah melalui portal provinsi yang terhubung "
        "dengan Dukcapil kabupaten/kota; dokumen terbit sebagai PDF bertanda tangan elektronik.",
        "2025-08-17",
        "https://bengkuluprov.go.id/layanan/adminduk-daring",
    ),
    (
        "DPMPTSP",
        "Perizinan berusaha satu pintu daring",
        "Permohonan izin diajukan dan dipantau secara daring, dengan waktu layanan yang diumumkan.",
        "2024-11-01",
        "https://dpmptsp.bengkuluprov.go.id",
    ),
    (
        "BKD",
        "Layanan kepegawaian tanpa antre",
        "ASN mengurus kenaikan pangkat dan cuti lewat aplikasi, tanpa datang ke kantor BKD.",
        "2025-03-01",
        None,
    ),
]


def _unit_ids(context: dict[str, Any]) -> dict[str, uuid.UUID]:
    known: dict[str, Any] = context.get("demo_units") or {}
    return {
        code: uuid.UUID(str(known[code])) if code in known else uuid.uuid5(NAMESPACE, code)
        for code, *_ in DEMO
    }


def _answers(rng: random.Random, bias: int) -> list[int]:
    return [max(1, min(4, bias + rng.choice((-1, 0, 0, 0, 1)))) for _ in range(9)]


async def seed_demo(session: AsyncSession, context: dict[str, Any]) -> list[str]:
    """Write publik's own demo data once: units it does not know yet, SKM responses of units that have none,
    and the innovations. Performance and training figures are not made up here: kinerja and pelatihan send
    theirs through the outbox, and the demo approves them with the admin flow (``asn_cli.seed``). Data that
    exists is never changed, and a run that adds nothing leaves the publication version and snapshots alone."""
    settings = PublikSettings()
    signer = await load_signer(
        settings.snapshot_key_pem.get_secret_value() if settings.snapshot_key_pem else None, settings.data_dir
    )
    ids = _unit_ids(context)
    now = clock.now()
    year = clock.wib_date(now).year
    rng = random.Random(2017)  # PermenPANRB 14/2017
    added_surveys = 0
    for code, name, respondents, bias, population in DEMO:
        unit_id = ids[code]
        if await units.get(session, unit_id) is None:
            await units.upsert(session, unit_id, name=name, code=code, name_only=True)
            unit = await units.get(session, unit_id)
            if unit is not None and population:
                unit.service_population = population
        existing = await session.scalar(
            select(func.count()).select_from(SurveyResponse).where(SurveyResponse.unit_id == unit_id)
        )
        if existing or not respondents:
            continue
        for i in range(respondents):
            answers = _answers(rng, bias)
            session.add(
                SurveyResponse(
                    id=uuid.uuid4(),
                    unit_id=unit_id,
                    year=year,
                    **{f"u{j + 1}": a for j, a in enumerate(answers)},
                    comment=None,
                    submitted_at=now - timedelta(hours=i),
                )
            )
        await session.flush()
        n, sums, _ = await surveys.sums(session, unit_id, year)
        await surveys.upsert_ikm_item(
            session, unit_id, year, ikm_public(compute_ikm(n, sums)), settings.policy_version, now
        )
        added_surveys += respondents
    titles = set(
        (await session.scalars(select(Item.data["title"].astext).where(Item.kind == "INOVASI"))).all()
    )
    added_innovations = 0
    for code, title, description, launched, url in INNOVATIONS:
        if title in titles:
            continue
        data = {"title": title, "description": description, "launched_on": launched, "url": url}
        await upsert_item(
            session,
            actor="demo",
            kind="INOVASI",
            unit_id=ids[code],
            period=launched[:4],
            slug=uuid.uuid4().hex,
            data=data,
            public_data=data,
            suppressed=[],
            policy_version=settings.policy_version,
            data_as_of=None,
            signer=signer,
            publish_now=True,
        )
        added_innovations += 1
    if added_surveys and not added_innovations:
        # The IKM items went live: cached feeds must be rebuilt (an innovation already bumped the version).
        await bump_version(session)
    context["publik_demo_units"] = {code: str(uid) for code, uid in ids.items()}
    return [
        f"publik: {len(DEMO)} units, {added_surveys} new survey responses, {added_innovations} new innovations"
    ]

"""Demo data of publik: approved periods for a few units (one small sub-unit shows suppression), training
statistics, SKM responses and innovations, with signed snapshots. Idempotent: running it again changes
nothing. Uses kinerja's demo unit ids from ``context["demo_units"]`` when present, else its own."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.publik_api.config import PublikSettings
from services.publik_api.publications import suppression
from services.publik_api.publications.models import Item, Publication
from services.publik_api.publications.repository import bump_version
from services.publik_api.publications.service import approve, upsert_item
from services.publik_api.snapshots.service import load_signer
from services.publik_api.surveys import repository as surveys
from services.publik_api.surveys.ikm import compute_ikm
from services.publik_api.surveys.models import SurveyResponse
from services.publik_api.surveys.refresher import ikm_public
from services.publik_api.units import repository as units

NAMESPACE = uuid.UUID("0e4b5c1a-7d2f-4c3e-9a8b-6f1d2e3c4b5a")
# (code, name, headcount, predikat counts, respondents, answer bias, service population)
DEMO: list[tuple[str, str, int, dict[str, int], int, int, int | None]] = [
    (
        "BKD",
        "Badan Kepegawaian Daerah",
        64,
        {"SANGAT_BAIK": 9, "BAIK": 41, "BUTUH_PERBAIKAN": 8, "KURANG": 3, "SANGAT_KURANG": 0},
        48,
        3,
        1000,
    ),
    (
        "DPMPTSP",
        "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu",
        52,
        {"SANGAT_BAIK": 8, "BAIK": 34, "BUTUH_PERBAIKAN": 6, "KURANG": 2, "SANGAT_KURANG": 0},
        120,
        4,
        5000,
    ),
    (
        "DINSOS",
        "Dinas Sosial",
        47,
        {"SANGAT_BAIK": 5, "BAIK": 30, "BUTUH_PERBAIKAN": 7, "KURANG": 3, "SANGAT_KURANG": 1},
        36,
        2,
        None,
    ),
    (
        "SETDA",
        "Sekretariat Daerah",
        80,
        {"SANGAT_BAIK": 12, "BAIK": 52, "BUTUH_PERBAIKAN": 10, "KURANG": 2, "SANGAT_KURANG": 0},
        25,
        3,
        None,
    ),
    # A small sub-unit: 4 people evaluated, so its distribution is suppressed.
    (
        "BKD.MUT",
        "Bidang Mutasi dan Promosi",
        5,
        {"SANGAT_BAIK": 1, "BAIK": 2, "BUTUH_PERBAIKAN": 1, "KURANG": 0, "SANGAT_KURANG": 0},
        0,
        3,
        None,
    ),
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
    """Write publik's demo data once (safe to run again)."""
    settings = PublikSettings()
    signer = await load_signer(
        settings.snapshot_key_pem.get_secret_value() if settings.snapshot_key_pem else None, settings.data_dir
    )
    ids = _unit_ids(context)
    now = datetime.now(UTC)
    year = now.year
    period = f"{year}-Q1"
    k = settings.min_group_size
    rng = random.Random(2017)  # PermenPANRB 14/2017
    added_surveys = 0
    for code, name, headcount, counts, respondents, bias, population in DEMO:
        unit_id = ids[code]
        await units.upsert(session, unit_id, name=name, code=code, name_only=True)
        unit = await units.get(session, unit_id)
        if unit is not None and population and unit.service_population is None:
            unit.service_population = population
        evaluated = sum(counts.values())
        raw = {
            "headcount": headcount,
            "evaluated": evaluated,
            "counts": counts,
            "compliance": {
                "skp_approved": headcount - 1,
                "realization_reported": evaluated,
                "evaluated": evaluated,
            },
        }
        public, hidden = suppression.unit_performance(raw, k)
        await upsert_item(
            session,
            actor="demo",
            kind="UNIT_PERFORMANCE",
            unit_id=unit_id,
            period=period,
            data=raw,
            public_data=public,
            suppressed=hidden,
            policy_version=settings.policy_version,
            data_as_of=now,
            signer=signer,
        )
        meeting = max(0, headcount - rng.randint(3, 12))
        training = {
            "participants": max(0, headcount - rng.randint(0, 10)),
            "jp_delivered": float(headcount * rng.randint(15, 30)),
            "pns_total": headcount,
            "pns_meeting_20jp": meeting,
            "share_meeting_20jp": round(meeting / headcount, 4) if headcount else None,
        }
        public_t, hidden_t = suppression.training_stats(training, k)
        await upsert_item(
            session,
            actor="demo",
            kind="TRAINING_STATS",
            unit_id=unit_id,
            period=str(year),
            data=training,
            public_data=public_t,
            suppressed=hidden_t,
            policy_version=settings.policy_version,
            data_as_of=now,
            signer=signer,
        )
        existing = await session.scalar(
            select(func.count()).select_from(SurveyResponse).where(SurveyResponse.unit_id == unit_id)
        )
        if not existing and respondents:
            for i in range(respondents):
                answers = _answers(rng, bias)
                session.add(
                    SurveyResponse(
                        id=uuid.uuid4(),
                        unit_id=unit_id,
                        year=year,
                        **{f"u{j + 1}": a for j, a in enumerate(answers)},
                        comment=None,
                        device_hash=None,
                        submitted_at=now - timedelta(hours=i),
                    )
                )
            await session.flush()
            n, sums, _ = await surveys.sums(session, unit_id, year)
            await surveys.upsert_ikm_item(
                session, unit_id, year, ikm_public(compute_ikm(n, sums)), settings.policy_version, now
            )
            added_surveys += respondents
    for pub in (
        await session.scalars(select(Publication).where(Publication.period.in_([period, str(year)])))
    ).all():
        if pub.status != "APPROVED":
            await approve(session, pub.id, "demo", signer)
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
    await bump_version(session)
    context["publik_demo_units"] = {code: str(uid) for code, uid in ids.items()}
    return [
        f"publik: {len(DEMO)} units with approved {period} and {year} figures, "
        f"{added_surveys} new survey responses, {added_innovations} new innovations"
    ]

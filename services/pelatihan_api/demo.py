"""Demo data of pelatihan: partner institutions, programmes, open sessions, and last year's completed
training with certificates and JP (run by ``asn`` after kinerja's demo; idempotent). Each unit's training
statistics for last year go to publik through the outbox, like those of any completion.

kinerja's demo leaves ``context["demo_units"]`` and, when present, ``context["demo_employees"]``
(roster entries); this module mirrors those into the roster, and leaves ``context["demo_institution_id"]``
(BPSDM) for the gateway's demo mitra account.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.common import clock
from services.common.changes import Change, record_change, record_changes
from services.pelatihan_api.certificates.numbers import check_char
from services.pelatihan_api.events import SINK
from services.pelatihan_api.models.certificates import Certificate
from services.pelatihan_api.models.enrolments import Enrolment
from services.pelatihan_api.models.institutions import Institution
from services.pelatihan_api.models.ledger import JpEntry
from services.pelatihan_api.models.programs import Program
from services.pelatihan_api.models.roster import RosterEmployee
from services.pelatihan_api.models.sessions import TrainingSession
from services.pelatihan_api.sessions.schedule import default_days
from services.pelatihan_api.stats import service as stats
from services.pelatihan_api.sync.service import (
    COMPLETION,
    ENROLMENT,
    SESSION,
    completion_state,
    enrolment_data,
    session_data,
)

NS = uuid.UUID("6f1c2b9e-7d0a-4c55-9a3e-0b2d4e6f8a10")
# Older than any real event, so kinerja's own kinerja.employee events always win over the demo mirror.
DEMO_AS_OF = datetime(2000, 1, 1, tzinfo=UTC)

INSTITUTIONS = [
    ("BPSDM Provinsi Bengkulu", "BPSDM"),
    ("Lembaga Administrasi Negara", "LAN"),
    ("Universitas Bengkulu", "UNIVERSITAS"),
    ("UIN Fatmawati Sukarno Bengkulu", "UNIVERSITAS"),
]

# (key, institution, title, competency, tags, jp, mode)
PROGRAMS = [
    ("kolaborasi", "BPSDM Provinsi Bengkulu", "Kolaborasi dan Kerja Tim Lintas OPD", "SOSIAL_KULTURAL",
     ["KOLABORATIF", "HARMONIS"], 20, "KLASIKAL"),
    ("pelayanan", "BPSDM Provinsi Bengkulu", "Pelayanan Publik Prima", "SOSIAL_KULTURAL",
     ["BERORIENTASI_PELAYANAN"], 24, "KLASIKAL"),
    ("kinerja", "BPSDM Provinsi Bengkulu", "Manajemen Kinerja ASN (PermenPANRB 6/2022)", "MANAJERIAL",
     ["KINERJA", "AKUNTABEL"], 12, "NONKLASIKAL"),
    ("pkp", "Lembaga Administrasi Negara", "Pelatihan Kepemimpinan Pengawas (PKP)", "MANAJERIAL",
     ["KEPEMIMPINAN", "AKUNTABEL", "LOYAL"], 120, "KLASIKAL"),
    ("digital", "Universitas Bengkulu", "Transformasi Digital Pemerintahan (e-learning)", "TEKNIS",
     ["ADAPTIF", "KOMPETEN"], 16, "NONKLASIKAL"),
    ("integritas", "UIN Fatmawati Sukarno Bengkulu", "Etika dan Integritas ASN", "SOSIAL_KULTURAL",
     ["LOYAL", "AKUNTABEL"], 8, "NONKLASIKAL"),
]  # fmt: skip


def _id(*parts: str) -> uuid.UUID:
    return uuid.uuid5(NS, "/".join(parts))


def _certificate_number(year: int, key: str) -> str:
    body = "".join("0123456789ABCDEFGHJKMNPQRSTVWXYZ"[b % 32] for b in _id("cert", key).bytes[:10])
    return f"BGK-{year:04d}-{body}{check_char(body)}"


async def _mirror_roster(session: AsyncSession, employees: list[dict[str, Any]]) -> None:
    rows = [
        {
            "nip": e["nip"],
            "unit_id": uuid.UUID(str(e["unit_id"])) if e.get("unit_id") else None,
            "employment": e.get("employment", "PNS"),
            "position_type": e.get("position_type"),
            "rank": e.get("rank"),
            "supervisor_nip": e.get("supervisor_nip"),
            "active": bool(e.get("active", True)),
            "as_of": DEMO_AS_OF,
        }
        for e in employees
        if e.get("nip")
    ]
    for start in range(0, len(rows), 1000):
        await session.execute(
            insert(RosterEmployee)
            .values(rows[start : start + 1000])
            .on_conflict_do_nothing(index_elements=["nip"])
        )


DEMO_ACTOR = "demo-seed"


async def _publish_stats(
    session: AsyncSession, context: dict[str, Any], employees: list[dict[str, Any]], year: int
) -> int:
    """Queue each demo unit's training statistics for ``year`` for publik through the same function a
    completion uses (``pelatihan.training_stats`` in the outbox), so publik's figures are pelatihan's own."""
    names = {
        str(uid): (context.get("demo_unit_names") or {}).get(code)
        for code, uid in (context.get("demo_units") or {}).items()
    }
    unit_ids = sorted({str(e["unit_id"]) for e in employees if e.get("unit_id")})
    for unit in unit_ids:
        event = await stats.unit_event(session, uuid.UUID(unit), names.get(unit), year)
        await record_change(
            session,
            SINK,
            actor=DEMO_ACTOR,
            action="training_stats.publish",
            entity="training_stats",
            entity_id=f"{unit}/{year}",
            after=event.payload(),
            events=[event],
        )
    return len(unit_ids)


async def seed_demo(session: AsyncSession, context: dict[str, Any]) -> list[str]:
    """Write pelatihan's demo data once; always leave ``context["demo_institution_id"]``."""
    bpsdm_id = _id("institution", INSTITUTIONS[0][0])
    context["demo_institution_id"] = str(bpsdm_id)
    context["demo_training_year"] = str(clock.today().year - 1)
    employees: list[dict[str, Any]] = list(context.get("demo_employees") or [])
    if employees:
        await _mirror_roster(session, employees)
    if await session.get(Institution, bpsdm_id) is not None:
        return ["pelatihan: demo data already present"]

    inst_ids = {name: _id("institution", name) for name, _ in INSTITUTIONS}
    for name, kind in INSTITUTIONS:
        session.add(Institution(id=inst_ids[name], name=name, kind=kind))
    await session.flush()
    programs: dict[str, Program] = {}
    for key, inst, title, competency, tags, jp, mode in PROGRAMS:
        programs[key] = Program(
            id=_id("program", key),
            institution_id=inst_ids[inst],
            title=title,
            competency=competency,
            tags=tags,
            jp=jp,
            mode=mode,
        )
        session.add(programs[key])
    await session.flush()

    now = clock.now()
    today = clock.wib_date(now)  # the province clock, as kinerja's demo
    opened = 0
    for n, (key, program) in enumerate(programs.items()):
        starts = today + timedelta(days=24 + 7 * n)
        starts += timedelta(days=-starts.weekday() % 7)  # a Monday: a klasikal run is Monday to Wednesday
        ends = starts + timedelta(days=2 if program.mode == "KLASIKAL" else 13)
        session.add(
            TrainingSession(
                id=_id("session", key, "open"),
                program_id=program.id,
                institution_id=program.institution_id,
                starts_on=starts,
                ends_on=ends,
                days=default_days(starts, ends, program.jp),
                capacity=30 if key != "pkp" else 40,
                enrol_opens_at=now - timedelta(days=1),
                enrol_closes_at=now + timedelta(days=21),
                location="Aula BPSDM Provinsi Bengkulu, Jl. Pembangunan No. 1"
                if program.mode == "KLASIKAL"
                else "Daring",
                seats_taken=0,
                waitlist_length=0,
                waitlist_seq=0,
                eligible_position_types=["PENGAWAS"] if key == "pkp" else None,
                version=1,
            )
        )
        opened += 1
    await session.flush()

    # Last year's completed training, so ledgers, certificates and the compliance report have content.
    seeded_sessions = [_id("session", key, "open") for key in programs]
    seeded_enrolments: list[uuid.UUID] = []
    last_year = int(context["demo_training_year"])  # the year declared above, so the two cannot differ
    done = 0
    pns = [e for e in employees if e.get("employment", "PNS") == "PNS"]
    for key, starts in (("kolaborasi", date(last_year, 5, 12)), ("digital", date(last_year, 9, 1))):
        program = programs[key]
        ends = starts + timedelta(days=2)
        past = TrainingSession(
            id=_id("session", key, str(last_year)),
            program_id=program.id,
            institution_id=program.institution_id,
            starts_on=starts,
            ends_on=ends,
            days=default_days(starts, ends, program.jp),
            capacity=max(1, len(pns)),
            enrol_opens_at=datetime(starts.year, starts.month, 1, tzinfo=UTC) - timedelta(days=30),
            enrol_closes_at=datetime(starts.year, starts.month, 1, tzinfo=UTC),
            location="Aula BPSDM Provinsi Bengkulu",
            seats_taken=0,
            waitlist_length=0,
            waitlist_seq=0,
            version=1,
        )
        session.add(past)
        await session.flush()
        # Two in three PNS took the first programme; every other one the second, so some reach 20 JP and some not.
        chosen = [e for i, e in enumerate(pns) if (i % 3 != 2 if key == "kolaborasi" else i % 2 == 0)]
        inst_name = next(n for n in inst_ids if inst_ids[n] == program.institution_id)
        for e in chosen:
            enrolment_id = _id("enrolment", key, str(last_year), e["nip"])
            number = _certificate_number(last_year, f"{key}/{e['nip']}")
            session.add(
                Enrolment(
                    id=enrolment_id,
                    session_id=past.id,
                    nip=e["nip"],
                    status="COMPLETED",
                    requested_by=e["nip"],
                    decided_by=e.get("supervisor_nip") or "demo",
                    decided_at=past.enrol_closes_at,
                    passed=True,
                    score=85,
                    completed_at=datetime.combine(ends, datetime.min.time(), tzinfo=UTC),
                )
            )
        await session.flush()  # no ORM relationships: enrolments first, for the foreign keys below
        for e in chosen:
            enrolment_id = _id("enrolment", key, str(last_year), e["nip"])
            number = _certificate_number(last_year, f"{key}/{e['nip']}")
            session.add(
                Certificate(
                    number=number,
                    enrolment_id=enrolment_id,
                    nip=e["nip"],
                    program_title=program.title,
                    institution_name=inst_name,
                    jp=program.jp,
                    completed_on=ends,
                )
            )
            session.add(
                JpEntry(
                    nip=e["nip"],
                    year=last_year,
                    jp=program.jp,
                    enrolment_id=enrolment_id,
                    program_title=program.title,
                    mode=program.mode,
                    completed_on=ends,
                    certificate_number=number,
                )
            )
            done += 1
        past.seats_taken = len(chosen)
        await session.flush()
        seeded_sessions.append(past.id)
        seeded_enrolments += [_id("enrolment", key, str(last_year), e["nip"]) for e in chosen]
    # Audited and in the change log with the same data as every other write, so an integrator mirroring it
    # sees the demo too; without webhooks, which would announce last year's history as news.
    await session.flush()
    seeded: list[Change] = []
    for sid in seeded_sessions:
        data = session_data(await session.get_one(TrainingSession, sid))
        seeded.append(Change("demo.seed", SESSION, str(sid), after=data))
    for eid in seeded_enrolments:
        data = enrolment_data(await session.get_one(Enrolment, eid))
        seeded.append(Change("demo.seed", ENROLMENT, str(eid), after=data))
    for eid in seeded_enrolments:
        seeded.append(Change("demo.seed", COMPLETION, str(eid), after=await completion_state(session, eid)))
    await record_changes(session, SINK, seeded, actor=DEMO_ACTOR)
    published = await _publish_stats(session, context, employees, last_year)
    mirrored = len(employees)
    return [
        f"pelatihan: {len(INSTITUTIONS)} institutions, {len(programs)} programmes, {opened} open sessions, "
        f"{done} completions in {last_year}, {mirrored} employees mirrored into the roster, "
        f"training statistics of {published} units queued for publik"
    ]

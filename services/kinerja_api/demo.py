"""Demo data of kinerja: the provincial OPD of Bengkulu with a few sub-units, and a few hundred employees
on a real reporting line — JPT (the OPD head, answering to the governor, so no supervisor here) →
ADMINISTRATOR (sekretaris, kepala bidang) → PENGAWAS (kasubbag, kasubbid) → PELAKSANA / FUNGSIONAL.

The OPD list follows domain.md §7.2 (Perda Provinsi Bengkulu No. 8 Tahun 2016; several names are marked
unverified there) and the sub-units are illustrative. Everything is generated deterministically
(random.Random with a fixed seed), so a second run regenerates the same people. Idempotent: when the demo
units exist nothing is written, and ``context`` is filled all the same.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.roles import Role
from services.kinerja_api import clock
from services.kinerja_api.calendar.periods import Period, quarter_of
from services.kinerja_api.caller import Caller
from services.kinerja_api.employees import changes, repository
from services.kinerja_api.employees import service as employees
from services.kinerja_api.employees.repository import EmployeeState
from services.kinerja_api.employees.schemas import EmployeeUpdate
from services.kinerja_api.evaluations import anchoring
from services.kinerja_api.evaluations import service as evaluations
from services.kinerja_api.evaluations.schemas import BehaviorNote, EvaluationUpdate, MainRating
from services.kinerja_api.samples import make_name, make_ni_pppk, make_nip
from services.kinerja_api.skp import flows
from services.kinerja_api.skp import service as skp_service
from services.kinerja_api.skp.enums import Aspect, Perspective, ResultKind, SkpStatus
from services.kinerja_api.skp.models import Skp, SkpResult
from services.kinerja_api.skp.schemas import IndicatorIn, ResultCreate, SkpCreate
from services.kinerja_api.tables.evaluation_enums import Berakhlak, Rating
from services.kinerja_api.units import changes as unit_changes
from services.kinerja_api.units.models import Unit

SEED = 1968  # Provinsi Bengkulu was formed by UU 9/1967, in force 1968
NAMESPACE = uuid.UUID("5d0c1e53-8a8e-4b6f-9a57-b3a4f0d1c017")

# (code, name, head's position, sub-units as (code suffix, name, head's position))
OPD: list[tuple[str, str, str, list[tuple[str, str, str]]]] = [
    ("SETDA", "Sekretariat Daerah", "Sekretaris Daerah", []),
    ("SETWAN", "Sekretariat DPRD", "Sekretaris DPRD", []),
    (
        "BKD",
        "Badan Kepegawaian Daerah",
        "Kepala Badan Kepegawaian Daerah",
        [
            ("SEK", "Sekretariat BKD", "Sekretaris"),
            ("MUT", "Bidang Mutasi dan Promosi", "Kepala Bidang Mutasi dan Promosi"),
            (
                "PKP",
                "Bidang Penilaian Kinerja dan Penghargaan",
                "Kepala Bidang Penilaian Kinerja dan Penghargaan",
            ),
            ("PSDM", "Bidang Pengembangan Sumber Daya Manusia", "Kepala Bidang Pengembangan SDM"),
        ],
    ),
    (
        "DIKBUD",
        "Dinas Pendidikan dan Kebudayaan",
        "Kepala Dinas Pendidikan dan Kebudayaan",
        [
            ("SEK", "Sekretariat Dinas Pendidikan dan Kebudayaan", "Sekretaris"),
            ("SMA", "Bidang Pembinaan SMA", "Kepala Bidang Pembinaan SMA"),
            ("SMK", "Bidang Pembinaan SMK", "Kepala Bidang Pembinaan SMK"),
        ],
    ),
    (
        "BPKAD",
        "Badan Pengelolaan Keuangan dan Aset Daerah",
        "Kepala BPKAD",
        [
            ("ANG", "Bidang Anggaran", "Kepala Bidang Anggaran"),
            ("ASET", "Bidang Aset", "Kepala Bidang Aset"),
        ],
    ),
    ("BAPPEDA", "Badan Perencanaan Pembangunan Daerah", "Kepala Bappeda", []),
    ("INSPEKTORAT", "Inspektorat Daerah", "Inspektur", []),
    (
        "DINKES",
        "Dinas Kesehatan",
        "Kepala Dinas Kesehatan",
        [
            ("YANKES", "Bidang Pelayanan Kesehatan", "Kepala Bidang Pelayanan Kesehatan"),
            ("P2P", "Bidang Pencegahan dan Pengendalian Penyakit", "Kepala Bidang P2P"),
        ],
    ),
    ("BPSDM", "Badan Pengembangan Sumber Daya Manusia", "Kepala BPSDM", []),
    ("PUPR", "Dinas Pekerjaan Umum dan Penataan Ruang", "Kepala Dinas PUPR", []),
    ("DINSOS", "Dinas Sosial", "Kepala Dinas Sosial", []),
    ("DPMPTSP", "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu", "Kepala DPMPTSP", []),
    ("DISKOMINFOTIK", "Dinas Komunikasi, Informatika dan Statistik", "Kepala Diskominfotik", []),
    ("SATPOLPP", "Satuan Polisi Pamong Praja", "Kepala Satpol PP", []),
    ("BPBD", "Badan Penanggulangan Bencana Daerah", "Kepala Pelaksana BPBD", []),
    ("KESBANGPOL", "Badan Kesatuan Bangsa dan Politik", "Kepala Kesbangpol", []),
    ("RSUD-MYUNUS", "RSUD Dr. M. Yunus", "Direktur", []),
]
FLAT_ADMINISTRATORS = ("Sekretaris", "Kepala Bidang Program dan Evaluasi")
PENGAWAS_TITLES = (
    "Kepala Sub Bagian Umum dan Kepegawaian",
    "Kepala Sub Bagian Keuangan",
    "Kepala Sub Bidang",
)
PELAKSANA = (
    "Pengadministrasi Perkantoran",
    "Penata Laporan Keuangan",
    "Pengolah Data dan Informasi",
    "Operator Layanan Operasional",
    "Penelaah Teknis Kebijakan",
)
FUNGSIONAL = (
    "Analis Sumber Daya Manusia Aparatur Ahli Pertama",
    "Pranata Komputer Ahli Muda",
    "Perencana Ahli Muda",
    "Analis Kebijakan Ahli Pertama",
    "Arsiparis Terampil",
)
BY_OPD_FUNGSIONAL = {
    "DIKBUD": ("Pengawas Sekolah Ahli Madya", "Guru Ahli Pertama"),
    "DINKES": ("Epidemiolog Kesehatan Ahli Muda", "Perawat Ahli Pertama"),
    "RSUD-MYUNUS": ("Dokter Ahli Madya", "Perawat Ahli Muda", "Bidan Terampil"),
    "INSPEKTORAT": ("Auditor Ahli Pertama", "Auditor Ahli Muda"),
}


@dataclass
class DemoPlan:
    """The generated demo: units, employees and the named demo accounts."""

    units: list[tuple[uuid.UUID, str, str, uuid.UUID | None]] = field(default_factory=list)
    employees: list[EmployeeState] = field(default_factory=list)
    accounts: list[dict[str, str]] = field(default_factory=list)


def demo_followup_fields(
    nip: str, position: str, ptype: str, pppk: bool
) -> tuple[str | None, date | None, date | None, str | None]:
    """The issue-17 fields of a demo employee, derived (no random draw, so the rest of the demo is unchanged):
    a JF's jenjang from the title, a PPPK's five-year contract from March of the NI's appointment year, and a
    SIASN person id for all but about one in ten (so the SIASN export lists who lacks one)."""
    jenjang = None
    if ptype == "FUNGSIONAL":
        jenjang = next((code for words, code in _JENJANG_TITLES if words in position), None)
    start = end = None
    if pppk:
        start = date(int(nip[8:12]), 3, 1)
        end = date(start.year + 5, 2, 28)
    siasn = None if int(nip[-6:]) % 10 == 7 else uuid.uuid5(NAMESPACE, f"siasn:{nip}").hex.upper()
    return jenjang, start, end, siasn


_JENJANG_TITLES = (
    ("Ahli Pertama", "AHLI_PERTAMA"),
    ("Ahli Muda", "AHLI_MUDA"),
    ("Ahli Madya", "AHLI_MADYA"),
    ("Ahli Utama", "AHLI_UTAMA"),
    ("Pemula", "PEMULA"),
    ("Terampil", "TERAMPIL"),
    ("Mahir", "MAHIR"),
    ("Penyelia", "PENYELIA"),
)


def unit_id(code: str) -> uuid.UUID:
    """The stable id of a demo unit (the same on every machine and every run)."""
    return uuid.uuid5(NAMESPACE, code)


def build_plan() -> DemoPlan:
    """Generate the demo deterministically."""
    rng = random.Random(SEED)
    plan = DemoPlan()
    used: set[str] = set()

    def new_nip(pppk: bool, sex: int, born_from: int = 1965, born_to: int = 1998) -> str:
        seq = 1
        while True:
            nip = (
                make_ni_pppk(rng, sex=sex, seq=seq)
                if pppk
                else make_nip(rng, sex=sex, birth_from=born_from, birth_to=born_to, seq=seq)
            )
            if nip not in used:
                used.add(nip)
                return nip
            seq += 1

    def person(unit: uuid.UUID, position: str, ptype: str, rank: str, sup: str | None, *, pppk: bool = False,
               born: tuple[int, int] = (1965, 1998)) -> str:  # fmt: skip
        sex = rng.choice((1, 2))
        nip = new_nip(pppk, sex, *born)
        plan.employees.append(
            EmployeeState(
                nip,
                make_name(rng, sex),
                unit,
                position,
                ptype,
                rank,
                "PPPK" if pppk else "PNS",
                sup,
                True,
                *demo_followup_fields(nip, position, ptype, pppk),
            )
        )
        return nip

    for code, name, head_title, subs in OPD:
        opd_id = unit_id(code)
        plan.units.append((opd_id, code, name, None))
        head = person(opd_id, head_title, "JPT", rng.choice(("IV/c", "IV/d")), None, born=(1966, 1975))
        branches: list[tuple[uuid.UUID, str]] = []
        for suffix, sub_name, sub_head in subs:
            sid = unit_id(f"{code}.{suffix}")
            plan.units.append((sid, f"{code}.{suffix}", sub_name, opd_id))
            branches.append((sid, sub_head))
        if not branches:
            branches = [(opd_id, title) for title in FLAT_ADMINISTRATORS]
        fungsional = BY_OPD_FUNGSIONAL.get(code, FUNGSIONAL)
        for b, (bid, admin_title) in enumerate(branches):
            admin = person(
                bid, admin_title, "ADMINISTRATOR", rng.choice(("IV/a", "IV/b")), head, born=(1968, 1982)
            )
            for p in range(2):
                title = PENGAWAS_TITLES[p] if b == 0 else f"Kepala Sub Bidang {p + 1}"
                pengawas = person(
                    bid, title, "PENGAWAS", rng.choice(("III/c", "III/d")), admin, born=(1972, 1988)
                )
                first_team = code == "BKD" and b == 1 and p == 0
                staff_count = 5 if first_team else rng.randint(2, 4)
                staff: list[str] = []
                for s in range(staff_count):
                    pppk = not first_team and rng.random() < 0.15
                    if s % 2 == 0 and not pppk:
                        staff.append(person(bid, rng.choice(PELAKSANA), "PELAKSANA",
                                            rng.choice(("II/a", "II/b", "II/c", "II/d", "III/a", "III/b")), pengawas))  # fmt: skip
                    elif pppk:
                        staff.append(person(bid, rng.choice(fungsional), "FUNGSIONAL",
                                            rng.choice(("VII", "IX", "IX", "X")), pengawas, pppk=True))  # fmt: skip
                    else:
                        staff.append(person(bid, rng.choice(fungsional), "FUNGSIONAL",
                                            rng.choice(("III/a", "III/b", "III/c", "III/d")), pengawas))  # fmt: skip
                if first_team:
                    plan.accounts = [
                        {"username": "kepala.bkd", "nip": head, "label": "Kepala BKD (JPT, no supervisor)"},
                        {"username": "atasan.bkd", "nip": pengawas, "label": f"Supervisor in BKD ({staff_count} reports)"},
                        {"username": "pegawai.bkd", "nip": staff[0], "label": "Staff member reporting to atasan.bkd"},
                        {"username": "kabid.mutasi", "nip": admin, "label": "Kepala Bidang Mutasi dan Promosi (supervisor of atasan.bkd)"},
                    ]  # fmt: skip
    return plan


DEMO_ACTOR = "demo-seed"


def demo_caller(nip: str | None, *, admin: bool = False) -> Caller:
    """The seed acting as an employee (or as an admin): audited as ``demo-seed`` whoever it acts as."""
    return Caller(
        subject=DEMO_ACTOR,
        roles=frozenset({Role.ADMIN}) if admin else frozenset(),
        nip=nip,
        acting_nip=nip,
        id=DEMO_ACTOR,
    )


async def seed_demo(session: AsyncSession, context: dict[str, Any]) -> list[str]:
    """Write the demo units and employees once; always fill ``context["demo_units"]`` ({code: id}) and
    ``context["demo_accounts"]`` ([{username, nip, label}])."""
    plan = build_plan()
    context["demo_units"] = {code: uid for uid, code, _, _ in plan.units}
    context["demo_unit_names"] = {code: name for _, code, name, _ in plan.units}
    context["demo_period"] = demo_quarter(clock.today()).code
    context["demo_accounts"] = plan.accounts
    context["demo_employee_nips"] = [e.nip for e in plan.employees]
    moved = context["demo_transfer"] = demo_transfer(plan, clock.today())
    renamed = new_position_nip(plan)
    # The roster as it stands after the transfer and the change of position (what pelatihan's roster ends up
    # holding).
    context["demo_employees"] = [
        changes.roster_entry(
            e._replace(
                unit_id=uuid.UUID(moved["to_unit"]),
                supervisor_nip=moved["to_supervisor"],
                position=moved["position"],
            )
            if e.nip == moved["nip"]
            else e._replace(position=NEW_POSITION)
            if e.nip == renamed
            else e
        )
        for e in plan.employees
    ]
    if await session.scalar(select(Unit.id).where(Unit.code == "BKD")) is not None:
        return [
            f"kinerja: demo data already present ({len(plan.units)} units, {len(plan.employees)} employees)"
        ]
    for uid, code, name, parent in plan.units:  # parents come first in the plan
        await session.execute(
            insert(Unit).values(id=uid, code=code, name=name, parent_id=parent).on_conflict_do_nothing()
        )
        await unit_changes.unit_changed(
            session, actor=DEMO_ACTOR, unit=Unit(id=uid, code=code, name=name, parent_id=parent)
        )
    await repository.bulk_upsert(session, plan.employees)
    # The reporting line holds from the start of the demo's quarter (last year's Q4 during Q1), so its
    # evaluations have a direct supervisor during the period.
    await repository.bulk_record_assignments(session, plan.employees, demo_quarter(clock.today()).start)
    # Through the same hooks as an import: audited, and published to pelatihan's roster by the outbox.
    await changes.employees_imported(session, actor=DEMO_ACTOR, changes=[(None, e) for e in plan.employees])
    await _seed_cycle(session, plan)
    await _seed_transfer(session, context["demo_transfer"])
    pppk = sum(1 for e in plan.employees if e.employment == "PPPK")
    return [
        f"kinerja: {len(plan.units)} units, {len(plan.employees)} employees ({pppk} PPPK); "
        f"atasan.bkd has an SKP to approve and evaluations to write; {FINISHED_UNIT} is evaluated for "
        f"{context['demo_period']} (its aggregate is queued for publik); "
        f"{context['demo_transfer']['nip']} moved to another position and supervisor on "
        f"{context['demo_transfer']['on']} (one result, with a part for the earlier supervisor)"
    ]


NEW_POSITION = "Pengadministrasi Mutasi"


def new_position_nip(plan: DemoPlan) -> str:
    """The report of atasan.bkd (not pegawai.bkd) who takes a new position when the current quarter begins,
    so that their new SKP waits for atasan.bkd's approval while the old one anchors the demo quarter."""
    nips = {a["username"]: a["nip"] for a in plan.accounts}
    atasan, pegawai = nips["atasan.bkd"], nips["pegawai.bkd"]
    return next(e.nip for e in plan.employees if e.supervisor_nip == atasan and e.nip != pegawai)


async def _seed_cycle(session: AsyncSession, plan: DemoPlan) -> None:
    """The performance cycle of the BKD demo accounts, written through the SKP and evaluation services (so
    every rule is checked and every step audited as ``demo-seed``): approved SKPs cascading kepala.bkd ->
    Kepala Bidang Mutasi -> atasan.bkd, pegawai.bkd's SKP awaiting atasan.bkd, and the whole of Bidang
    Mutasi dan Promosi evaluated and FINAL for the last completed quarter (the current quarter is left for
    atasan.bkd to write)."""
    nips = {a["username"]: a["nip"] for a in plan.accounts}
    kepala, atasan, pegawai = nips["kepala.bkd"], nips["atasan.bkd"], nips["pegawai.bkd"]
    sup = {e.nip: e.supervisor_nip for e in plan.employees}
    kabid = sup[atasan]
    assert kabid is not None  # Kepala Bidang Mutasi, who answers to kepala.bkd
    today = clock.today()

    def who(nip: str | None, admin: bool = False) -> Caller:
        return demo_caller(nip, admin=admin)

    async def skp(nip: str, results: list[dict[str, Any]], approver: Caller | None) -> list[uuid.UUID]:
        plan_ = await skp_service.create_skp(session, who(nip), SkpCreate(year=today.year))
        ids = []
        for r in results:
            _, result = await skp_service.add_result(session, who(nip), plan_.id, ResultCreate(kind=ResultKind.UTAMA, **r), if_match=None)  # fmt: skip
            ids.append(result.id)
        await flows.submit(session, who(nip), plan_.id, if_match=None)
        if approver is not None:
            await flows.approve(session, approver, plan_.id, if_match=None)
        return ids

    def rhk(text: str, indicator: str, target: str, **shape: Any) -> dict[str, Any]:
        return {"text": text, "indicators": [IndicatorIn(text=indicator, target=target)], **shape}

    head = await skp(kepala, [
        rhk("Meningkatnya kualitas layanan kepegawaian", "Indeks kepuasan layanan BKD", "85", perspective=Perspective.PENERIMA_LAYANAN),
        rhk("Meningkatnya sistem merit ASN Provinsi Bengkulu", "Indeks sistem merit", "0,80", perspective=Perspective.PROSES_BISNIS),
    ], who(None, admin=True))  # fmt: skip
    mid = await skp(kabid, [
        rhk("Terlaksananya layanan mutasi ASN tepat waktu", "Usul mutasi selesai tepat waktu", "95%", parent_result_id=head[0], aspect=Aspect.WAKTU),
        rhk("Terlaksananya promosi terbuka sesuai merit", "Seleksi terbuka sesuai ketentuan", "100%", parent_result_id=head[1], aspect=Aspect.KUALITAS),
    ], who(kepala))  # fmt: skip
    own = await skp(atasan, [
        rhk("Terverifikasinya berkas usul mutasi", "Berkas usul mutasi terverifikasi", "300 berkas", parent_result_id=mid[0], aspect=Aspect.KUANTITAS),
        rhk("Tersusunnya bahan seleksi terbuka JPT", "Dokumen seleksi tersusun", "4 dokumen", parent_result_id=mid[1], aspect=Aspect.KUANTITAS),
    ], who(kabid))  # fmt: skip
    await skp(pegawai, [
        rhk("Teragendanya berkas usul mutasi", "Berkas usul mutasi teragenda", "300 berkas", parent_result_id=own[0], aspect=Aspect.KUANTITAS),
    ], who(atasan))  # fmt: skip
    # Another report of atasan.bkd, rated on an approved SKP for the demo quarter, took a new position when
    # the current quarter began: the new position's SKP waits for atasan.bkd's approval (the demo task).
    waiting = new_position_nip(plan)
    archive = rhk("Terarsipnya berkas usul mutasi", "Berkas usul mutasi terarsip", "300 berkas", parent_result_id=own[0], aspect=Aspect.KUANTITAS)  # fmt: skip
    await skp(waiting, [archive], who(atasan))
    await employees.update_employee(
        session,
        waiting,
        EmployeeUpdate(position=NEW_POSITION, effective_on=quarter_of(today).start),
        if_match=None,
        today=today,
        actor=DEMO_ACTOR,
    )
    await skp(waiting, [archive], None)
    await _finish_quarter(session, plan, demo_quarter(today))


def demo_quarter(today: date) -> Period:
    """The quarter the demo's evaluations are for: the last completed one (in Q1, last year's Q4), never the
    current one, so the demo shows finished work on any day of the year."""
    return quarter_of(today).previous()


# The ratings the demo's evaluators give, in the unit's employee order (cycled): mostly BAIK, with one
# SANGAT_BAIK and one BUTUH_PERBAIKAN so that the distribution report and its curve check have something to say.
DEMO_RATINGS = (
    (Rating.DI_ATAS_EKSPEKTASI, Rating.SESUAI_EKSPEKTASI),  # BAIK
    (Rating.DI_ATAS_EKSPEKTASI, Rating.DI_ATAS_EKSPEKTASI),  # SANGAT_BAIK
    (Rating.SESUAI_EKSPEKTASI, Rating.SESUAI_EKSPEKTASI),  # BAIK
    (Rating.DI_BAWAH_EKSPEKTASI, Rating.SESUAI_EKSPEKTASI),  # BUTUH_PERBAIKAN
    (Rating.SESUAI_EKSPEKTASI, Rating.DI_ATAS_EKSPEKTASI),  # BAIK
)
FINISHED_UNIT = "BKD.MUT"


async def _finish_quarter(session: AsyncSession, plan: DemoPlan, period: Period) -> None:
    """Every employee of Bidang Mutasi dan Promosi evaluated for ``period`` by their direct supervisor and
    finalised through the evaluation service. The last finalisation completes the unit, so kinerja itself
    puts the unit's aggregate into the outbox for publik (``kinerja.unit_performance``), as in production."""
    unit = unit_id(FINISHED_UNIT)
    members = [e for e in plan.employees if e.unit_id == unit]
    supervisor = {e.nip: e.supervisor_nip for e in plan.employees}
    today = clock.today()
    for member in members:
        await _approved_skp(session, member.nip, period.year, supervisor)
    for n, member in enumerate(members):
        evaluator = demo_caller(member.supervisor_nip)
        ev = await evaluations.create_evaluation(session, evaluator, member.nip, period.code, today=today)
        result, behavior = DEMO_RATINGS[n % len(DEMO_RATINGS)]
        # Anchored (issue 16): each main result of the SKP rated like the overall rating, the seven
        # BerAKHLAK levels at the behaviour rating (their median), a reason for a DI_BAWAH rating.
        _, mains = await anchoring.covering(session, member.nip, ev.period_start, ev.period_end)
        level = BehaviorNote(level=behavior, note="")
        ev = await evaluations.update_evaluation(
            session,
            evaluator,
            ev.id,
            EvaluationUpdate(
                result_rating=result,
                behavior_rating=behavior,
                behavior_notes=dict.fromkeys(Berakhlak, level),
                main_ratings={
                    m.skp_result_id: MainRating(rating=result, note="Sesuai bukti dukung.") for m in mains
                },
                result_reason="Sebagian besar target triwulan tidak tercapai."
                if result is Rating.DI_BAWAH_EKSPEKTASI
                else None,
            ),
            if_match=evaluations.etag_of(ev),
        )
        await evaluations.finalize(session, evaluator, ev.id, if_match=None)


async def _approved_skp(
    session: AsyncSession, nip: str, year: int, supervisor: dict[str, str | None]
) -> uuid.UUID:
    """The first main result of ``nip``'s approved SKP for ``year``, written through the SKP services when
    missing: cascaded from the supervisor's (made first, up the line), approved by the supervisor or, at the
    top of the line, by an admin in the governor's name."""
    existing = await session.scalar(
        select(Skp.id).where(Skp.nip == nip, Skp.year == year, Skp.status == SkpStatus.APPROVED.value)
    )
    if existing is not None:
        first = await session.scalar(
            select(SkpResult.id).where(SkpResult.skp_id == existing).order_by(SkpResult.position).limit(1)
        )
        assert first is not None
        return first
    boss = supervisor.get(nip)
    shape: dict[str, Any] = (
        {"parent_result_id": await _approved_skp(session, boss, year, supervisor), "aspect": Aspect.KUANTITAS}
        if boss is not None
        else {"perspective": Perspective.PROSES_BISNIS}
    )
    owner = demo_caller(nip)
    plan_ = await skp_service.create_skp(session, owner, SkpCreate(year=year))
    _, result = await skp_service.add_result(
        session,
        owner,
        plan_.id,
        ResultCreate(
            kind=ResultKind.UTAMA,
            text="Terlaksananya tugas jabatan sesuai rencana",
            indicators=[IndicatorIn(text="Tugas selesai tepat waktu", target="100%")],
            **shape,
        ),
        if_match=None,
    )
    await flows.submit(session, owner, plan_.id, if_match=None)
    approver = demo_caller(boss) if boss is not None else demo_caller(None, admin=True)
    await flows.approve(session, approver, plan_.id, if_match=None)
    return result.id


TRANSFER_FROM, TRANSFER_TO = "BKD.SEK", "BKD.PKP"


def demo_transfer(plan: DemoPlan, today: date) -> dict[str, str]:
    """The demo's one transfer (issue 15): the first pelaksana of the Sekretariat BKD moves to a new position
    under the first kasubbid of Bidang Penilaian Kinerja, in the middle of the demo quarter (relative to the
    province clock, so the quarter has two stretches: a part for the earlier supervisor, the result for the
    new one). Deterministic: the same on every run."""
    source, target = unit_id(TRANSFER_FROM), unit_id(TRANSFER_TO)
    pengawas = {e.nip for e in plan.employees if e.position_type == "PENGAWAS"}
    mover = next(e for e in plan.employees if e.unit_id == source and e.position_type == "PELAKSANA")
    new_sup = next(e for e in plan.employees if e.unit_id == target and e.nip in pengawas)
    on = demo_quarter(today).start + timedelta(days=45)
    return {
        "nip": mover.nip,
        "from_supervisor": mover.supervisor_nip or "",
        "to_supervisor": new_sup.nip,
        "to_unit": str(target),
        "position": "Analis Kinerja",
        "on": on.isoformat(),
    }


async def _seed_transfer(session: AsyncSession, transfer: dict[str, str]) -> None:
    """Record the demo's transfer through the registry service (new assignment, the SKP rule, audit)."""
    await employees.update_employee(
        session,
        transfer["nip"],
        EmployeeUpdate(
            unit_id=uuid.UUID(transfer["to_unit"]),
            supervisor_nip=transfer["to_supervisor"],
            position=transfer["position"],
            effective_on=date.fromisoformat(transfer["on"]),
        ),
        if_match=None,
        today=clock.today(),
        actor=DEMO_ACTOR,
    )

"""Report rules: who may read which report, the curve check, the compliance deadlines, the SIASN mapping."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.changes import record_change
from services.common.db import Reader
from services.common.errors import Forbidden, InvalidInput, NotFound
from services.common.i18n import msg
from services.common.pagination import decode_cursor, encode_cursor
from services.common.periods import PeriodKind
from services.common.reports import meta
from services.common.roles import Role
from services.kinerja_api.calendar import service as calendar
from services.kinerja_api.calendar.periods import realization_periods
from services.kinerja_api.caller import Caller
from services.kinerja_api.events import SINK
from services.kinerja_api.predikat import (
    MIN_RESULTS,
    PREDIKAT_SIASN,
    RATING_SIASN,
    Violation,
    curve_check,
)
from services.kinerja_api.reports import repository
from services.kinerja_api.reports.schemas import (
    ComplianceCounts,
    ComplianceDeadlines,
    ComplianceFlags,
    ComplianceItem,
    ComplianceReport,
    CurveCheck,
    CurveViolation,
    OrgPredikatRead,
    PredikatDistribution,
    SiasnKinerjaPeriodik,
    SiasnKinerjaReport,
    SiasnMissing,
)
from services.kinerja_api.reports.siasn_refs import GOLONGAN_PNS_ID, PERIODIK_BULANAN, PERIODIK_TRIWULAN
from services.kinerja_api.tables.evaluation_enums import OrgPredikat, Predikat, Rating

SCHEMA_VERSION = "1"

GOVERNOR_NAME = "Gubernur Bengkulu"


async def unit_scope(
    session: AsyncSession, unit_id: uuid.UUID | None, include_subunits: bool
) -> list[uuid.UUID] | None:
    """The units a report counts: None for the province, the unit (and those below it), or 404."""
    if unit_id is None:
        return None
    if not include_subunits:
        if await repository.unit_name(session, unit_id) is None:
            raise NotFound(msg("no unit {unit_id}", unit_id=unit_id))
        return [unit_id]
    ids = await repository.subtree(session, unit_id)
    if not ids:
        raise NotFound(msg("no unit {unit_id}", unit_id=unit_id))
    return ids


def reads_every_unit(actor: Caller) -> bool:
    """Who reads the predikat distribution and the compliance report (others get 403):

    1. admins and integrators, for any unit or the whole province;
    2. the head of a unit (by ``acting_nip``), for that unit only."""
    return actor.has(Role.ADMIN, Role.INTEGRATOR)


async def authorise_unit_report(db: Reader, actor: Caller, unit_id: uuid.UUID | None, what: str) -> None:
    """403 unless the actor reads every unit (:func:`reads_every_unit`) or heads ``unit_id``
    (repository.heads_unit); the province as a whole is never a head's."""
    if reads_every_unit(actor):
        return
    if (
        unit_id is None
        or actor.acting_nip is None
        or not await repository.heads_unit(db, actor.acting_nip, unit_id)
    ):
        raise Forbidden(msg("{what} is for admins, integrators and the head of the unit", what=what))


async def predikat_distribution(
    db: Reader,
    actor: Caller,
    period_code: str,
    unit_id: uuid.UUID | None,
    *,
    include_subunits: bool,
) -> PredikatDistribution:
    """Admins and integrators for any unit or the province; the head of a unit for their unit. One statement
    (a head's authorisation is a second)."""
    period = calendar.parse(period_code, "query")
    await authorise_unit_report(db, actor, unit_id, msg("the distribution"))
    found = await repository.distribution(db, period.code, unit_id, include_subunits)
    if not found.found:
        raise NotFound(msg("no unit {unit_id}", unit_id=unit_id))
    counts = {p: found.counts.get(p.value, 0) for p in Predikat}
    org = OrgPredikat(found.org_predikat) if found.org_predikat else None
    if org is None:
        check = CurveCheck(checked=False, ok=True, violations=[])
    elif sum(counts.values()) < MIN_RESULTS:
        check = CurveCheck(checked=False, too_small=True, ok=True, violations=[])
    else:
        violations = [_violation(v) for v in curve_check(org, counts)]
        check = CurveCheck(checked=True, ok=not violations, violations=violations)
    return PredikatDistribution(
        **meta(SCHEMA_VERSION, found.as_of),
        period=period.code,
        unit_id=unit_id,
        include_subunits=include_subunits,
        total=sum(counts.values()),
        counts=counts,
        org_predikat=org,
        curve_check=check,
    )


def _violation(v: Violation) -> CurveViolation:
    return CurveViolation(rule=v.rule, expected=v.expected, actual=v.actual, explanation=v.explanation)


async def set_org_predikat(
    session: AsyncSession, actor: Caller, unit_id: uuid.UUID, period_code: str, value: OrgPredikat
) -> OrgPredikatRead:
    """An admin records the organisation predikat of a unit for a period (audit-logged)."""
    period = calendar.parse(period_code)
    if await repository.unit_name(session, unit_id) is None:
        raise NotFound(msg("no unit {unit_id}", unit_id=unit_id))
    before = await repository.set_org_predikat(session, unit_id, period.code, value.value, actor.subject)
    await record_change(
        session,
        SINK,
        actor=actor.subject,
        action="org_predikat.set",
        entity="unit_org_predikat",
        entity_id=f"{unit_id}/{period.code}",
        before={"org_predikat": before} if before else None,
        after={"org_predikat": value.value},
    )
    return OrgPredikatRead(unit_id=unit_id, period=period.code, org_predikat=value)


async def compliance(
    session: AsyncSession,
    actor: Caller,
    period_code: str,
    unit_id: uuid.UUID | None,
    *,
    include_subunits: bool,
    today: date,
    cursor: str | None,
    limit: int,
) -> ComplianceReport:
    """Counts over the active employees, and a keyset page of those missing a step (NIP order). Admins and
    integrators for any unit or the province; the head of a unit for their unit."""
    period = calendar.parse(period_code, "query")
    await authorise_unit_report(session, actor, unit_id, msg("the compliance report"))
    units = await unit_scope(session, unit_id, include_subunits)
    after = decode_cursor(cursor, 1)
    d = (await calendar.deadlines(session, [period]))[period.code]
    rperiods = realization_periods(period)
    # An integrator without kinerja:individual gets the counts; the rows name people (issue 14).
    withheld = Role.INTEGRATOR in actor.roles and not actor.reads_individuals
    summary, rows = await repository.compliance(
        session,
        period.year,
        period.code,
        rperiods,
        units,
        after_nip=str(after[0]) if after else None,
        limit=0 if withheld else limit + 1,
    )
    next_cursor = encode_cursor([rows[limit - 1].nip]) if len(rows) > limit else None
    return ComplianceReport(
        **meta(SCHEMA_VERSION, live=True),
        period=period.code,
        unit_id=unit_id,
        as_of=today,
        deadlines=ComplianceDeadlines(
            skp_due_on=d.skp_due_on,
            realization_due_on=d.realization_due_on,
            evaluation_due_on=d.evaluation_due_on,
        ),
        overdue=ComplianceFlags(
            skp=today > d.skp_due_on,
            realization=today > d.realization_due_on,
            evaluation=today > d.evaluation_due_on,
        ),
        headcount=summary.headcount,
        counts=ComplianceCounts(
            skp_approved=summary.skp_approved,
            realization_reported=summary.realization_reported,
            evaluated=summary.evaluated,
        ),
        items=[ComplianceItem(**r._asdict()) for r in rows[:limit]],
        next_cursor=next_cursor,
        individuals_withheld=withheld,
    )


async def siasn_report(
    session: AsyncSession, period_code: str, *, cursor: str | None, limit: int
) -> SiasnKinerjaReport:
    """The SIASN export page with the report metadata (live: ``data_as_of`` is ``generated_at``)."""
    return await siasn_export(session, period_code, cursor=cursor, limit=limit)


async def siasn_export(
    session: AsyncSession, period_code: str, *, cursor: str | None, limit: int
) -> SiasnKinerjaReport:
    """A keyset page of a quarter's or a month's FINAL results as SIASN kinerjaperiodik records (``periodikId``
    2 triwulan, 1 bulanan; domain.md §8.2, §11.1): ``pnsDinilaiId`` is the
    employee's SIASN person id (results of employees without one are listed, not sent with the NIP),
    ``penilaiGolongan`` the golonganPns reference id, and the penilai block the snapshot taken at finalisation.
    The months are those of the stretch the evaluator of record covered."""
    period = calendar.parse(period_code, "query")
    if period.is_annual:
        raise InvalidInput(
            msg(
                "kinerjaperiodik carries periodic (triwulan or bulanan) evaluations; the annual one goes to "
                "SIASN's SKP endpoints. Ask for a quarter or a month, e.g. 2026-Q1 or 2026-01."
            ),
            errors=[{"loc": ["query", "period"], "msg": "a quarter YYYY-Qn or a month YYYY-MM is required"}],
        )
    after = decode_cursor(cursor, 1)
    rows = await repository.siasn_page(
        session, period.code, after_id=uuid.UUID(str(after[0])) if after else None, limit=limit + 1
    )
    page = rows[:limit]
    periodik = PERIODIK_BULANAN if period.kind is PeriodKind.MONTH else PERIODIK_TRIWULAN
    items = [_siasn_record(r, period.year, periodik) for r in page if r.siasn_id is not None]
    next_cursor = encode_cursor([str(rows[limit - 1].id)]) if len(rows) > limit else None
    return SiasnKinerjaReport(
        **meta(SCHEMA_VERSION, live=True),
        items=items,
        next_cursor=next_cursor,
        missing_siasn_id=[SiasnMissing(evaluation_id=r.id, nip=r.nip) for r in page if r.siasn_id is None],
        unmapped_penilai_golongan=[
            i.evaluation_id for i in items if i.statusPenilai == "ASN" and i.penilaiGolongan is None
        ],
    )


def _siasn_record(r: repository.SiasnRow, year: int, periodik: int) -> SiasnKinerjaPeriodik:
    governor = r.penilai_nip is None
    return SiasnKinerjaPeriodik(
        evaluation_id=r.id,
        pnsDinilaiId=str(r.siasn_id),
        periodikId=periodik,
        bulanMulaiPenilaian=r.period_start.month,
        bulanSelesaiPenilaian=r.period_end.month,
        tahun=year,
        tahunMulaiPenilaian=r.period_start.year,
        tahunSelesaiPenilaian=r.period_end.year,
        hasilKinerjaNilai=RATING_SIASN[Rating(r.result_rating)],
        perilakuKerjaNilai=RATING_SIASN[Rating(r.behavior_rating)],
        kuadranKinerjaNilai=PREDIKAT_SIASN[Predikat(r.predikat)],
        penilaiNipNrp=r.penilai_nip,
        penilaiNama=r.penilai_nama or GOVERNOR_NAME,
        penilaiGolongan=GOLONGAN_PNS_ID.get(r.penilai_golongan or ""),
        penilaiJabatanNama=r.penilai_jabatan or "Gubernur",
        penilaiUnorNama=r.penilai_unor or ("Pemerintah Provinsi Bengkulu" if governor else None),
        statusPenilai="NON ASN" if governor else "ASN",
    )

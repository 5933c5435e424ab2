"""The CSV shape of the unit scorecard report."""

from __future__ import annotations

from services.common.reports import Column, ReportSpec

_PREDIKAT = ("SANGAT_BAIK", "BAIK", "BUTUH_PERBAIKAN", "KURANG", "SANGAT_KURANG")

UNIT_SCORECARD = ReportSpec(
    name="gateway.unit-scorecard",
    schema_version="1",
    rows=None,
    data_as_of="The oldest data_as_of of the parts fetched (each service's own measure); null when no "
    "part has one.",
    columns=(
        Column("unit_id", "string", "The unit."),
        Column("period", "string", "`2026-Q1`, `2026-01` (monthly year) or `2026`."),
        Column("year", "integer", "The period's year (pelatihan and publik figures are yearly)."),
        Column("kinerja.total", "integer", "FINAL evaluations of the period in the unit and below."),
        *(Column(f"kinerja.counts.{p}", "integer", f"Evaluations with predikat {p}.") for p in _PREDIKAT),
        Column("kinerja.org_predikat", "string", "The unit's organisation predikat, if set."),
        Column("kinerja.curve_check_ok", "boolean", "The distribution follows the curve (or none is set)."),
        Column("kinerja.compliance.headcount", "integer", "Active employees."),
        Column("kinerja.compliance.skp_approved", "integer", "With an approved SKP for the year."),
        Column("kinerja.compliance.realization_reported", "integer", "With a realisation for the period."),
        Column("kinerja.compliance.evaluated", "integer", "With a FINAL evaluation for the period."),
        Column("pelatihan.pns_total", "integer", "Active PNS of the unit."),
        Column("pelatihan.pns_meeting_20jp", "integer", "PNS with at least 20 JP in the year."),
        Column("pelatihan.pns_below_20jp", "integer", "PNS below 20 JP."),
        Column("pelatihan.share_meeting_20jp", "number", "Share meeting 20 JP, four decimals."),
        Column("pelatihan.jp_delivered", "integer", "JP credited in the year."),
        Column("publik.respondents", "integer", "SKM answers in the year."),
        Column("publik.ikm", "number", "IKM, two decimals."),
        Column("publik.mutu", "string", "A-D."),
        Column("publik.kinerja", "string", "The IKM label."),
        Column("missing", "array", "Parts that could not be fetched, as JSON text."),
    ),
    csv_example=(
        "unit_id,period,year,kinerja.total,kinerja.counts.SANGAT_BAIK,kinerja.counts.BAIK,"
        "kinerja.counts.BUTUH_PERBAIKAN,kinerja.counts.KURANG,kinerja.counts.SANGAT_KURANG,kinerja.org_predikat,"
        "kinerja.curve_check_ok,kinerja.compliance.headcount,kinerja.compliance.skp_approved,"
        "kinerja.compliance.realization_reported,kinerja.compliance.evaluated,pelatihan.pns_total,"
        "pelatihan.pns_meeting_20jp,pelatihan.pns_below_20jp,pelatihan.share_meeting_20jp,"
        "pelatihan.jp_delivered,publik.respondents,publik.ikm,publik.mutu,publik.kinerja,missing\r\n"
        "0b6f3c7e-7a55-4f3e-9d8c-1f2a3b4c5d6e,2026-Q1,2026,10,1,8,1,0,0,BAIK,false,12,12,11,10,11,7,4,0.6364,260,"
        "120,82.41,B,BAIK,[]\r\n"
    ),
)

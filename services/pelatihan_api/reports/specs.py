"""The CSV shape (rows, columns, schema version) of pelatihan's reports, also read by the gateway's catalogue."""

from __future__ import annotations

from services.common.reports import Column, ReportSpec

JP_COMPLIANCE = ReportSpec(
    name="pelatihan.jp-compliance",
    schema_version="1",
    rows="units",
    data_as_of="Live: computed from the current ledger and roster, so data_as_of equals generated_at.",
    columns=(
        Column("unit_id", "string", "The unit (from kinerja's roster events)."),
        Column("pns_total", "integer", "Active PNS of the unit."),
        Column("pns_meeting_20jp", "integer", "PNS with at least 20 JP credited in the year."),
        Column("pns_below_20jp", "integer", "PNS below 20 JP."),
        Column("share_meeting_20jp", "number", "pns_meeting_20jp / pns_total, four decimals."),
        Column("jp_delivered", "integer", "JP credited to the unit's PNS in the year."),
        Column("pppk_total", "integer", "Active PPPK of the unit (no 20 JP target applies to them)."),
        Column("pppk_jp_delivered", "integer", "JP credited to the unit's PPPK in the year."),
        Column(
            "pppk_above_24jp",
            "integer",
            "PPPK above 24 JP in a contract year overlapping the year (contract dates from kinerja).",
        ),
    ),
    csv_example=(
        "unit_id,pns_total,pns_meeting_20jp,pns_below_20jp,share_meeting_20jp,jp_delivered,pppk_total,"
        "pppk_jp_delivered,pppk_above_24jp\r\n"
        "7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f,120,85,35,0.7083,2710,14,180,1\r\n"
    ),
    notes=("One row per unit; the `below` list (with unit_id) is in the JSON only.",),
)

DEVELOPMENT_PLAN = ReportSpec(
    name="pelatihan.development-plan",
    schema_version="1",
    rows="people",
    roles=("admin", "pelatihan_admin", "integrator"),
    data_as_of="Live: computed from the current roster, ledger, needs and sessions (data_as_of = generated_at).",
    columns=(
        Column("nip", "string", "The employee (integrators need the scope pelatihan:individual)."),
        Column("employment", "string", "PNS or PPPK."),
        Column("jp_total", "integer", "JP credited in the year."),
        Column("jp_required", "integer", "20 for PNS; empty for PPPK."),
        Column("jp_gap", "integer", "JP still missing to 20."),
        Column("evaluation_period", "string", "The latest finalised evaluation the gaps come from."),
        Column("behaviour_rating", "string", "Its overall behaviour rating."),
        Column("behavior_gaps", "array", "BerAKHLAK values rated below expectation."),
        Column("result_below_expectation", "boolean", "The result rating was below expectation."),
        Column("needs", "array", "Programme tags that answer the gaps."),
        Column("sessions", "array", "Sessions of the year with seats left that cover them.", items="object"),
    ),
    notes=("One row per person who still needs JP or has a gap; withheld without pelatihan:individual.",),
)

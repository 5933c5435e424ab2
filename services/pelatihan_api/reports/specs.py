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
    ),
    csv_example=(
        "unit_id,pns_total,pns_meeting_20jp,pns_below_20jp,share_meeting_20jp,jp_delivered\r\n"
        "7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f,120,85,35,0.7083,2710\r\n"
    ),
    notes=("One row per unit; the `below` list (with unit_id) is in the JSON only.",),
)

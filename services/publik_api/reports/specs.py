"""The CSV shape (rows, columns, schema version) of publik's reports, also read by the gateway's catalogue."""

from __future__ import annotations

from services.common.reports import Column, ReportSpec

IKM = ReportSpec(
    name="publik.ikm",
    schema_version="1",
    rows="units",
    data_as_of="The newest survey answer (max submitted_at) the figures include; null without answers.",
    columns=(
        Column("unit_id", "string", "The unit."),
        Column("unit_name", "string", "The unit's name."),
        Column("year", "integer", "The survey year."),
        Column("respondents", "integer", "Answers received in the year."),
        Column("ikm", "number", "25 x mean NRR, two decimals; empty without respondents."),
        Column("mutu", "string", "A-D."),
        Column("kinerja", "string", "SANGAT_BAIK, BAIK, KURANG_BAIK or TIDAK_BAIK."),
        *(Column(f"nrr.U{i}", "number", f"NRR of unsur U{i} (1-4, four decimals).") for i in range(1, 10)),
    ),
    csv_example=(
        "unit_id,unit_name,year,respondents,ikm,mutu,kinerja,nrr.U1,nrr.U2,nrr.U3,nrr.U4,nrr.U5,nrr.U6,"
        "nrr.U7,nrr.U8,nrr.U9\r\n"
        "0b6f3c7e-7a55-4f3e-9d8c-1f2a3b4c5d6e,Dinas Kependudukan dan Pencatatan Sipil,2026,120,82.41,B,BAIK,"
        "3.3,3.25,3.4,3.3,3.1,3.35,3.3,3.2,3.45\r\n"
    ),
)

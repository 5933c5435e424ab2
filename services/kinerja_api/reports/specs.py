"""What kinerja's reports carry as CSV: their rows, columns and schema versions (also the ``x-report``
extension the gateway's catalogue reads)."""

from __future__ import annotations

from services.common.reports import Column, ReportSpec
from services.kinerja_api.tables.evaluation_enums import Predikat

PREDIKAT_DISTRIBUTION = ReportSpec(
    name="kinerja.predikat-distribution",
    schema_version="1",
    rows=None,
    roles=("admin", "integrator", "pegawai (head of the unit)"),
    data_as_of="max(updated_at) of the FINAL evaluations counted; null when there are none.",
    columns=(
        Column("period", "string", "`2026-Q1`, `2026-01` (monthly year) or `2026`."),
        Column("unit_id", "string", "The unit, empty for the province."),
        Column("include_subunits", "boolean", "Whether units below it are counted."),
        Column("total", "integer", "FINAL evaluations counted."),
        *(Column(f"counts.{p.value}", "integer", f"Evaluations with predikat {p.value}.") for p in Predikat),
        Column("org_predikat", "string", "The unit's organisation predikat, if set."),
        Column("curve_check.checked", "boolean", "False when no organisation predikat is set."),
        Column(
            "curve_check.too_small", "boolean", "True when fewer than 10 results are final (not applied)."
        ),
        Column("curve_check.ok", "boolean", "True when no rule of the curve is broken."),
        Column("curve_check.violations", "array", "The broken rules, as JSON text in CSV.", items="object"),
    ),
    csv_example=(
        "period,unit_id,include_subunits,total,counts.SANGAT_BAIK,counts.BAIK,counts.BUTUH_PERBAIKAN,"
        "counts.KURANG,counts.SANGAT_KURANG,org_predikat,curve_check.checked,curve_check.too_small,curve_check.ok,"
        "curve_check.violations\r\n"
        "2026-Q1,0b6f3c7e-7a55-4f3e-9d8c-1f2a3b4c5d6e,true,10,1,8,1,0,0,,false,false,true,[]\r\n"
    ),
)

COMPLIANCE = ReportSpec(
    name="kinerja.compliance",
    schema_version="1",
    rows="items",
    data_as_of="Live: computed from the current state, so data_as_of equals generated_at.",
    columns=(
        Column("nip", "string", "The employee's NIP."),
        Column("name", "string", "The employee's name."),
        Column("unit_id", "string", "The employee's unit."),
        Column("skp_approved", "boolean", "An approved SKP for the year."),
        Column("realization_reported", "boolean", "A realisation for the period."),
        Column("evaluated", "boolean", "A FINAL evaluation for the period."),
    ),
    csv_example=(
        "nip,name,unit_id,skp_approved,realization_reported,evaluated\r\n"
        "199001012015031001,Siti Rahmawati,0b6f3c7e-7a55-4f3e-9d8c-1f2a3b4c5d6e,true,false,false\r\n"
    ),
    notes=("One row per employee missing a step; counts and deadlines are in the JSON only.",),
)

_SIASN_FIELDS = (
    ("evaluation_id", "string"),
    ("pnsDinilaiId", "string"),
    ("periodikId", "integer"),
    ("bulanMulaiPenilaian", "integer"),
    ("bulanSelesaiPenilaian", "integer"),
    ("tahun", "integer"),
    ("tahunMulaiPenilaian", "integer"),
    ("tahunSelesaiPenilaian", "integer"),
    ("hasilKinerjaNilai", "integer"),
    ("perilakuKerjaNilai", "integer"),
    ("kuadranKinerjaNilai", "integer"),
    ("koefisienId", "string"),
    ("penilaiNipNrp", "string"),
    ("penilaiNama", "string"),
    ("penilaiGolongan", "string"),
    ("penilaiJabatanNama", "string"),
    ("penilaiUnorNama", "string"),
    ("statusPenilai", "string"),
)

SIASN_KINERJA = ReportSpec(
    name="kinerja.siasn-kinerja",
    schema_version="1",
    rows="items",
    data_as_of="Live: computed from the current state, so data_as_of equals generated_at.",
    columns=tuple(Column(n, t, "SIASN kinerjaperiodik field.") for n, t in _SIASN_FIELDS),
    csv_example=",".join(n for n, _ in _SIASN_FIELDS)
    + "\r\n3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f,199001012015031001,2,1,3,2026,2026,2026,1,2,2,,"
    "198503152010011002,Budi Santoso,IV/a,Kepala Bidang Mutasi,Badan Kepegawaian Daerah,ASN\r\n",
)

"""The PDF of an evaluation document, in Bahasa Indonesia (pure: content in, bytes out; run in a thread).

fpdf2 is pure Python (no system libraries, unlike WeasyPrint's Pango/Cairo or ReportLab's optional C parts),
maintained, MIT-compatible (LGPL-3.0), and embeds a TrueType font subset, so names with any Unicode letters
print. The font is DejaVu Sans, shipped in ``fonts/`` with its licence (from Debian's fonts-dejavu-core).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from fpdf import FPDF
from fpdf.enums import XPos, YPos

FONTS = Path(__file__).parent / "fonts"
FAMILY = "DejaVu"

SECTIONS = (
    "A. IDENTITAS",
    "B. CAPAIAN KINERJA ORGANISASI",
    "C. HASIL KERJA",
    "D. PERILAKU KERJA (BerAKHLAK)",
    "E. RATING DAN PREDIKAT KINERJA",
    "F. EVALUASI KINERJA PERIODIK",
    "G. KEBERATAN",
    "H. ANGKA KREDIT",
    "I. KODE VERIFIKASI",
)
_LABEL = {
    "DI_ATAS_EKSPEKTASI": "Di Atas Ekspektasi",
    "SESUAI_EKSPEKTASI": "Sesuai Ekspektasi",
    "DI_BAWAH_EKSPEKTASI": "Di Bawah Ekspektasi",
    "SANGAT_BAIK": "Sangat Baik",
    "BAIK": "Baik",
    "BUTUH_PERBAIKAN": "Butuh Perbaikan",
    "KURANG": "Kurang/Misconduct",
    "SANGAT_KURANG": "Sangat Kurang",
    "ISTIMEWA": "Istimewa",
    "ACCEPTED": "Diterima",
    "REJECTED": "Ditolak",
    "PENDING": "Menunggu keputusan",
    "UTAMA": "Utama",
    "TAMBAHAN": "Tambahan",
}
BERAKHLAK = (
    ("BERORIENTASI_PELAYANAN", "Berorientasi Pelayanan"),
    ("AKUNTABEL", "Akuntabel"),
    ("KOMPETEN", "Kompeten"),
    ("HARMONIS", "Harmonis"),
    ("LOYAL", "Loyal"),
    ("ADAPTIF", "Adaptif"),
    ("KOLABORATIF", "Kolaboratif"),
)


def label(value: str | None) -> str:
    """The Indonesian label of an enum value ("-" for none)."""
    if value is None:
        return "-"
    return _LABEL.get(value, value)


class _Doc(FPDF):
    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILY, "", 7)
        self.cell(0, 5, f"Dokumen Evaluasi Kinerja Pegawai — halaman {self.page_no()}", align="C")


def _line(pdf: FPDF, text: str, *, bold: bool = False, size: float = 9, height: float = 5) -> None:
    pdf.set_font(FAMILY, "B" if bold else "", size)
    pdf.multi_cell(0, height, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _heading(pdf: FPDF, text: str) -> None:
    pdf.ln(2)
    pdf.set_fill_color(230, 230, 230)
    pdf.set_font(FAMILY, "B", 10)
    pdf.cell(0, 7, text, fill=True, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1)


def _person(pdf: FPDF, title: str, p: dict[str, Any]) -> None:
    _line(pdf, title, bold=True)
    for name, value in (
        ("Nama", p.get("name")),
        ("NIP", p.get("nip") or "-"),
        ("Pangkat/Gol. Ruang", p.get("rank") or "-"),
        ("Jabatan", p.get("position")),
        ("Unit Kerja", p.get("unit_name")),
    ):
        pdf.set_font(FAMILY, "", 9)
        pdf.cell(8, 5, "")
        pdf.cell(38, 5, name)
        pdf.multi_cell(0, 5, f": {value or '-'}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def render(content: dict[str, Any], *, code: str, issued_at: datetime) -> bytes:
    """The PDF of ``content`` (see documents/service.py for its shape)."""
    pdf = _Doc(format="A4")
    pdf.set_creation_date(issued_at)
    pdf.set_title(f"Dokumen Evaluasi Kinerja Pegawai {content['nip']} {content['year']}")
    pdf.set_author("Pemerintah Provinsi Bengkulu")
    pdf.add_font(FAMILY, "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font(FAMILY, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font(FAMILY, "B", 13)
    pdf.cell(0, 8, "DOKUMEN EVALUASI KINERJA PEGAWAI", align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FAMILY, "", 10)
    pdf.cell(
        0, 6, f"Periode penilaian: 1 Januari – 31 Desember {content['year']}", align="C",  # noqa: RUF001
        new_x=XPos.LMARGIN, new_y=YPos.NEXT,
    )  # fmt: skip

    _heading(pdf, SECTIONS[0])
    _person(pdf, "Pegawai yang dinilai", content["employee"])
    _person(pdf, "Pejabat Penilai Kinerja", content["penilai"])
    _person(pdf, "Atasan Pejabat Penilai Kinerja", content["atasan_penilai"])

    _heading(pdf, SECTIONS[1])
    _line(pdf, f"Predikat kinerja organisasi: {label(content['org_predikat'])}")

    _heading(pdf, SECTIONS[2])
    if not content["results"]:
        _line(pdf, "Tidak ada SKP yang disetujui untuk tahun ini.")
    for i, r in enumerate(content["results"], 1):
        _line(pdf, f"{i}. [{label(r['kind'])}] {r['text']}", bold=True)
        _line(pdf, f"    Indikator: {r['indicator']} — Target: {r['target']}")
        _line(pdf, f"    Realisasi: {r['realization'] or '-'}")
        _line(pdf, f"    Umpan balik: {r['note'] or '-'}")
        if r.get("rating"):
            _line(
                pdf,
                f"    Penilaian hasil kerja: {label(r['rating'])}"
                + (f" — {r['rating_note']}" if r.get("rating_note") else ""),
            )

    _heading(pdf, SECTIONS[3])
    notes = content["behavior_notes"]
    for key, name in BERAKHLAK:
        note = notes.get(key) or {}
        text = note.get("note") if isinstance(note, dict) else str(note)
        level = note.get("level") if isinstance(note, dict) else None
        _line(pdf, f"{name}: {text or '-'}" + (f" ({label(level)})" if level else ""))

    _heading(pdf, SECTIONS[4])
    _line(pdf, f"Rating Hasil Kerja   : {label(content['result_rating'])}")
    _line(pdf, f"Rating Perilaku Kerja: {label(content['behavior_rating'])}")
    _line(pdf, f"PREDIKAT KINERJA PEGAWAI: {label(content['predikat']).upper()}", bold=True, size=11)

    _heading(pdf, SECTIONS[5])
    if not content["periodic"]:
        _line(pdf, "Tidak ada evaluasi periodik.")
    for p in content["periodic"]:
        _line(pdf, f"{p['period']}: {label(p['predikat']) if p['predikat'] else p['status']}")

    _heading(pdf, SECTIONS[6])
    objection = content["objection"]
    if objection is None:
        _line(pdf, "Tidak ada keberatan.")
    else:
        _line(pdf, f"Keberatan: {label(objection['status'])}; diputus {objection['decided_on'] or '-'}")
        _line(pdf, f"Catatan atasan pejabat penilai: {objection['decision_note'] or '-'}")

    _heading(pdf, SECTIONS[7])
    credit = content["credit_points"]
    if credit is None:
        _line(pdf, "Tidak berlaku (bukan jabatan fungsional).")
    else:
        for line in credit["lines"]:
            _line(
                pdf,
                f"{label(line['jenjang']).replace('_', ' ').title()}: koefisien {line['coefficient']} × "  # noqa: RUF001
                f"{credit['percentage']}% × {line['months']}/12 = {line['credit_points']}",  # noqa: RUF001
            )
        _line(pdf, f"Angka kredit tahun {content['year']}: {credit['credit_points']}", bold=True)

    _heading(pdf, SECTIONS[8])
    _line(pdf, f"Kode verifikasi: {code}", bold=True)
    _line(pdf, f"Diterbitkan: {issued_at.date().isoformat()}")
    _line(pdf, "Keaslian dokumen dapat diperiksa di /kinerja/v1/documents/verify?code=<kode verifikasi>.")
    return bytes(pdf.output())

"""Small server-rendered SVG charts of a unit's trends, and their text alternatives (Bahasa Indonesia).

Every text in a chart is escaped; a chart carries its text alternative as <title> and <desc>, and the card
shows the same figures in a data table, so nothing is available only as a picture. Suppressed figures are
drawn as grey "disembunyikan" gaps, never estimated."""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape

from services.publik_api.publications.figures import IkmFigure, JpFigure, PredikatFigure
from services.publik_api.publications.suppression import PREDIKAT

W, H = 360, 180
LEFT, RIGHT, TOP, BOTTOM = 36, 8, 12, 40
LABELS = {
    "SANGAT_BAIK": "Sangat Baik",
    "BAIK": "Baik",
    "BUTUH_PERBAIKAN": "Butuh Perbaikan",
    "KURANG": "Kurang",
    "SANGAT_KURANG": "Sangat Kurang",
}
# WCAG AA against white for the axis text; the fills are told apart by the legend and the table too.
COLOURS = {
    "SANGAT_BAIK": "#004a80",
    "BAIK": "#2f7fbf",
    "BUTUH_PERBAIKAN": "#b35900",
    "KURANG": "#a30000",
    "SANGAT_KURANG": "#5c0000",
}
HIDDEN = "#c8c8c8"
TEXT = "#1a1a1a"


def _num(value: float, digits: int = 0) -> str:
    """Indonesian number format: a decimal comma, a dot between thousands."""
    text = f"{value:,.{digits}f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def ikm_text(points: Sequence[IkmFigure]) -> str:
    """The IKM trend in words."""
    if not points:
        return "Belum ada IKM yang dipublikasikan."
    parts = [
        f"{p.period}: {_num(p.ikm, 2)} (mutu {p.mutu}, {_num(p.respondents)} responden)"
        if p.ikm is not None
        else f"{p.period}: belum ada responden"
        for p in points
    ]
    return "Indeks Kepuasan Masyarakat per tahun. " + "; ".join(parts) + "."


def predikat_text(points: Sequence[PredikatFigure]) -> str:
    """The predikat spread per period in words."""
    if not points:
        return "Belum ada sebaran predikat yang dipublikasikan."
    parts = []
    for p in points:
        cells = ", ".join(
            f"{LABELS[k]} {'disembunyikan' if p.counts[k] is None else _num(p.counts[k] or 0)}"
            for k in PREDIKAT
        )
        who = (
            "jumlah dinilai disembunyikan" if p.evaluated is None else f"{_num(p.evaluated)} pegawai dinilai"
        )
        parts.append(f"{p.period} ({who}): {cells}")
    return "Sebaran predikat kinerja pegawai per periode. " + "; ".join(parts) + "."


def jp_text(points: Sequence[JpFigure]) -> str:
    """The 20 JP compliance per year in words."""
    if not points:
        return "Belum ada data pengembangan kompetensi yang dipublikasikan."
    parts = [
        f"{p.period}: disembunyikan"
        if p.share_meeting_20jp is None
        else f"{p.period}: {_num(100 * p.share_meeting_20jp, 1)} %"
        for p in points
    ]
    return "Persentase PNS yang memenuhi 20 JP per tahun. " + "; ".join(parts) + "."


def _frame(title: str, desc: str, body: list[str], ticks: Sequence[tuple[float, str]]) -> bytes:
    inner_h = H - TOP - BOTTOM
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="{W}" height="{H}" '
        'role="img" aria-labelledby="t d" font-family="system-ui, sans-serif" font-size="11">',
        f'<title id="t">{escape(title)}</title><desc id="d">{escape(desc)}</desc>',
        f'<rect width="{W}" height="{H}" fill="#fff"/>',
    ]
    for fraction, label in ticks:
        y = TOP + inner_h * (1 - fraction)
        out.append(
            f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e0e0e0"/>'
            f'<text x="{LEFT - 4}" y="{y + 4:.1f}" text-anchor="end" fill="{TEXT}">{escape(label)}</text>'
        )
    out.extend(body)
    out.append("</svg>")
    return "".join(out).encode()


def _slots(n: int) -> list[float]:
    """The x centre of each of ``n`` periods."""
    width = (W - LEFT - RIGHT) / max(n, 1)
    return [LEFT + width * (i + 0.5) for i in range(n)]


def _period_labels(periods: Sequence[str]) -> list[str]:
    return [
        f'<text x="{x:.1f}" y="{H - BOTTOM + 14}" text-anchor="middle" fill="{TEXT}">{escape(p)}</text>'
        for x, p in zip(_slots(len(periods)), periods, strict=True)
    ]


def _y(fraction: float) -> float:
    return TOP + (H - TOP - BOTTOM) * (1 - max(0.0, min(1.0, fraction)))


def ikm_svg(points: Sequence[IkmFigure]) -> bytes:
    """The IKM per year as a line on the 25-100 scale (a gap where a year had no respondents)."""
    xs = _slots(len(points))
    body = _period_labels([p.period for p in points])
    coords = [(x, _y((p.ikm - 25) / 75), p.ikm) for x, p in zip(xs, points, strict=True) if p.ikm is not None]
    if len(coords) > 1:
        line = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in coords)
        body.append(f'<polyline points="{line}" fill="none" stroke="#004a80" stroke-width="2"/>')
    for x, y, v in coords:
        body.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="#004a80"/>'
            f'<text x="{x:.1f}" y="{y - 7:.1f}" text-anchor="middle" fill="{TEXT}">{_num(v, 2)}</text>'
        )
    ticks = [(0.0, "25"), (40 / 75, "65"), (1.0, "100")]
    return _frame("Tren IKM", ikm_text(points), body, ticks)


def predikat_svg(points: Sequence[PredikatFigure]) -> bytes:
    """Each period's predikat spread as a 100 % stacked bar; hidden cells together as one grey block."""
    xs = _slots(len(points))
    bar = min(36.0, (W - LEFT - RIGHT) / max(len(points), 1) * 0.6)
    body = _period_labels([p.period for p in points])
    for x, p in zip(xs, points, strict=True):
        shown = {k: v for k, v in p.counts.items() if v is not None}
        total = p.evaluated if p.evaluated is not None else sum(shown.values())
        if not total:
            continue
        level = 0.0
        hidden = total - sum(shown.values())
        for value, fill in [*((shown.get(k), COLOURS[k]) for k in PREDIKAT), (hidden, HIDDEN)]:
            if not value:
                continue
            top = level + value / total
            y0, y1 = _y(top), _y(level)
            body.append(
                f'<rect x="{x - bar / 2:.1f}" y="{y0:.1f}" width="{bar:.1f}" height="{y1 - y0:.1f}" '
                f'fill="{fill}"/>'
            )
            level = top
    legend = [*((LABELS[k], COLOURS[k]) for k in PREDIKAT), ("Disembunyikan", HIDDEN)]
    step = (W - LEFT) / 3
    for i, (label, fill) in enumerate(legend):
        lx, ly = LEFT + step * (i % 3), H - 18 + 11 * (i // 3)
        body.append(
            f'<rect x="{lx:.1f}" y="{ly - 8}" width="8" height="8" fill="{fill}"/>'
            f'<text x="{lx + 11:.1f}" y="{ly}" fill="{TEXT}" font-size="9">{escape(label)}</text>'
        )
    ticks = [(0.0, "0 %"), (0.5, "50 %"), (1.0, "100 %")]
    return _frame("Tren sebaran predikat", predikat_text(points), body, ticks)


def jp_svg(points: Sequence[JpFigure]) -> bytes:
    """The share of PNS meeting 20 JP per year as bars (none drawn where it is suppressed)."""
    xs = _slots(len(points))
    bar = min(36.0, (W - LEFT - RIGHT) / max(len(points), 1) * 0.6)
    body = _period_labels([p.period for p in points])
    for x, p in zip(xs, points, strict=True):
        if p.share_meeting_20jp is None:
            body.append(f'<text x="{x:.1f}" y="{_y(0) - 4:.1f}" text-anchor="middle" fill="{TEXT}">*</text>')
            continue
        y = _y(p.share_meeting_20jp)
        body.append(
            f'<rect x="{x - bar / 2:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{_y(0) - y:.1f}" '
            'fill="#004a80"/>'
            f'<text x="{x:.1f}" y="{y - 4:.1f}" text-anchor="middle" fill="{TEXT}">'
            f"{_num(100 * p.share_meeting_20jp, 1)} %</text>"
        )
    ticks = [(0.0, "0 %"), (0.5, "50 %"), (1.0, "100 %")]
    return _frame("Tren kepatuhan 20 JP", jp_text(points), body, ticks)

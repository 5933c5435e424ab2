"""The feed as JSON Feed 1.1 (https://jsonfeed.org/version/1.1) and Atom (RFC 4287).

Every text that goes into either feed passes :func:`xml_safe` first: XML 1.0 forbids most C0 controls (Word's
manual line break U+000B among them), U+FFFE/U+FFFF and surrogates, and one of them anywhere in a title makes
the whole Atom document malformed for every reader. JSON could carry the controls, but both feeds show the
same text, and a lone surrogate cannot be encoded as UTF-8 at all.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any
from xml.etree import ElementTree as ET

KIND_TITLES = {
    "UNIT_PERFORMANCE": "Kinerja pegawai",
    "TRAINING_STATS": "Pengembangan kompetensi",
    "IKM": "Indeks Kepuasan Masyarakat",
    "INOVASI": "Inovasi pelayanan publik",
    "TINDAK_LANJUT": "Tindak lanjut hasil survei kepuasan",
    "CAPAIAN_KINERJA": "Capaian kinerja organisasi",
}
FEED_TITLE = "Transparansi Kinerja ASN Provinsi Bengkulu"
# Everything outside XML 1.0's Char production (tab, LF, CR, U+0020-U+D7FF, U+E000-U+FFFD, U+10000-U+10FFFF).
_XML_ILLEGAL = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot carry."""
    return _XML_ILLEGAL.sub("", text)


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return xml_safe(value)
    if isinstance(value, dict):
        return {xml_safe(str(k)): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def _iso(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat().replace("+00:00", "Z")


def title_of(item: dict[str, Any]) -> str:
    """A human title for an item."""
    if item["kind"] == "INOVASI" and item["data"].get("title"):
        return f"Inovasi: {item['data']['title']} — {item['unit_name']}"
    return f"{KIND_TITLES.get(item['kind'], item['kind'])} {item['period']} — {item['unit_name']}"


def summary_of(item: dict[str, Any]) -> str:
    """A one-line text summary (suppressed figures are named, never shown)."""
    data = item["data"]
    if item["kind"] == "IKM":
        return f"IKM {data.get('ikm')} (mutu {data.get('mutu')}) dari {data.get('respondents')} responden."
    if item["kind"] == "INOVASI":
        return str(data.get("description") or data.get("title") or "")
    if item["kind"] == "TINDAK_LANJUT":
        return str(data.get("statement") or "")
    if item["kind"] == "CAPAIAN_KINERJA":
        return "; ".join(
            f"{r.get('text')} ({len(r.get('indicators') or [])} indikator)" for r in data.get("results") or []
        )
    text = ", ".join(f"{k}: {v}" for k, v in data.items() if not isinstance(v, dict | list))
    if item["suppressed"]:
        text += f". Disembunyikan (kelompok kecil): {', '.join(item['suppressed'])}"
    return text


def json_feed(items: list[dict[str, Any]], *, home_url: str, feed_url: str, item_url: str) -> bytes:
    """JSON Feed 1.1; each item's full figures are kept under the `_asn` extension."""
    items = [_clean(item) for item in items]
    home_url, feed_url, item_url = xml_safe(home_url), xml_safe(feed_url), xml_safe(item_url)
    doc = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": FEED_TITLE,
        "home_page_url": home_url,
        "feed_url": feed_url,
        "description": "Data kinerja unit, pengembangan kompetensi, IKM dan inovasi yang telah dipublikasikan.",
        "language": "id",
        "items": [
            {
                "id": f"urn:uuid:{item['id']}",
                "url": item_url.format(id=item["id"]),
                "title": title_of(item),
                "content_text": summary_of(item),
                "date_published": _iso(item["published_at"]),
                "date_modified": _iso(item["updated_at"]),
                "tags": [item["kind"], item["period"]],
                "_asn": {
                    "kind": item["kind"],
                    "unit_id": str(item["unit_id"]),
                    "unit_name": item["unit_name"],
                    "period": item["period"],
                    "version": item["version"],
                    "data": item["data"],
                    "suppressed": item["suppressed"],
                    "policy_version": item["policy_version"],
                },
            }
            for item in items
        ],
    }
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def atom_feed(
    items: list[dict[str, Any]], *, updated: datetime | None, home_url: str, feed_url: str, item_url: str
) -> bytes:
    """An Atom 1.0 feed (escaping is done by the XML serialiser, illegal characters are dropped first)."""
    items = [_clean(item) for item in items]
    home_url, feed_url, item_url = xml_safe(home_url), xml_safe(feed_url), xml_safe(item_url)
    ns = "http://www.w3.org/2005/Atom"
    ET.register_namespace("", ns)

    def el(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        node = ET.SubElement(parent, f"{{{ns}}}{tag}", attrs)
        if text is not None:
            node.text = text
        return node

    feed = ET.Element(f"{{{ns}}}feed", {"xml:lang": "id"})
    el(feed, "id", feed_url)
    el(feed, "title", FEED_TITLE)
    el(feed, "updated", _iso(updated or datetime(2026, 1, 1, tzinfo=UTC)))
    el(feed, "link", rel="self", href=feed_url, type="application/atom+xml")
    el(feed, "link", rel="alternate", href=home_url)
    author = el(feed, "author")
    el(author, "name", "Pemerintah Provinsi Bengkulu")
    for item in items:
        entry = el(feed, "entry")
        el(entry, "id", f"urn:uuid:{item['id']}")
        el(entry, "title", title_of(item))
        el(entry, "updated", _iso(item["updated_at"]))
        el(entry, "published", _iso(item["published_at"]))
        el(entry, "link", rel="alternate", href=item_url.format(id=item["id"]))
        el(entry, "category", term=item["kind"])
        el(entry, "summary", summary_of(item), type="text")
    xml: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + xml

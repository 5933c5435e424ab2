"""The Atom feed stays well-formed XML whatever text a title or description holds: every C0 control (incl.
Word's manual line break U+000B), U+FFFE/U+FFFF and lone surrogates are dropped from both feeds, checked with
feedparser (``bozo`` false) and the standard library's XML parser."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any
from xml.etree import ElementTree as ET

import feedparser  # type: ignore[import-untyped]
import httpx

from services.publik_api.feed.render import atom_feed, json_feed, xml_safe
from tests.publik.test_cache_and_feeds import _published_feed
from tests.support.fixtures import Tokens

C0 = "".join(chr(c) for c in range(0x20))
ILLEGAL = [chr(c) for c in range(0x20) if chr(c) not in "\t\n\r"] + ["\ufffe", "\uffff", "\ud800", "\udfff"]
URLS = {
    "home_url": "https://example.org",
    "feed_url": "https://example.org/feed",
    "item_url": "https://x/{id}",
}


def _item(title: str, description: str) -> dict[str, Any]:
    now = datetime(2026, 4, 1, tzinfo=UTC)
    return {
        "id": uuid.uuid4(),
        "kind": "INOVASI",
        "unit_id": uuid.uuid4(),
        "unit_name": "Dinas\x0bKominfo\ufffe",
        "period": "2026",
        "published_at": now,
        "updated_at": now,
        "version": 1,
        "data": {"title": title, "description": description, "nested": {"note\x01": ["a\x0cb"]}},
        "suppressed": [],
        "policy_version": 1,
    }


def test_xml_safe_drops_exactly_the_characters_xml_forbids() -> None:
    kept = "\t\n\r Aé\u20ac\ud7ff\ue000\ufffd\U0001f600\U0010ffff"
    assert xml_safe(kept) == kept
    for ch in ILLEGAL:
        assert xml_safe(f"a{ch}b") == "ab", hex(ord(ch))


def test_every_illegal_character_leaves_the_atom_feed_well_formed() -> None:
    hostile = "Satu" + "".join(ILLEGAL) + "Dua"
    items = [_item(f"Judul{ch}baris", f"deskripsi{ch}") for ch in ILLEGAL] + [_item(hostile, C0 + hostile)]
    atom = atom_feed(items, updated=None, **URLS)
    root = ET.fromstring(atom)  # raises on any illegal character
    assert len(root.findall("{http://www.w3.org/2005/Atom}entry")) == len(items)
    parsed = feedparser.parse(atom)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert len(parsed.entries) == len(items)
    assert parsed.entries[0].title == "Inovasi: Judulbaris — DinasKominfo"
    assert parsed.entries[-1].title == "Inovasi: SatuDua — DinasKominfo"
    # JSON Feed: the same texts, and the document encodes (a lone surrogate cannot be UTF-8).
    doc = json.loads(json_feed(items, **URLS))
    assert [i["title"] for i in doc["items"]] == [e.title for e in parsed.entries]
    assert doc["items"][-1]["_asn"]["data"]["description"] == "\t\n\rSatuDua"
    assert doc["items"][-1]["_asn"]["data"]["nested"] == {"note": ["ab"]}


async def test_a_title_with_a_manual_line_break_keeps_the_served_feed_valid(
    publik: httpx.AsyncClient, tokens: Tokens
) -> None:
    unit = await _published_feed(publik, tokens)
    controls = "".join(chr(c) for c in range(1, 0x20))  # PostgreSQL text cannot hold NUL
    created = await publik.post(
        "/v1/innovations",
        json={
            "unit_id": str(unit),
            "title": "Layanan\x0bKTP keliling",
            "description": f"Baris satu{controls}baris dua\ufffe",
            "launched_on": "2026-02-01",
        },
        headers=tokens.admin(),
    )
    assert created.status_code == 201, created.text
    atom = await publik.get("/v1/feed.atom")
    assert atom.status_code == 200
    ET.fromstring(atom.content)
    parsed = feedparser.parse(atom.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert any(e.title.startswith("Inovasi: LayananKTP keliling") for e in parsed.entries)
    as_json = (await publik.get("/v1/feed.json")).json()
    texts = [i["content_text"] for i in as_json["items"] if i["title"].startswith("Inovasi: LayananKTP")]
    assert texts == ["Baris satu\t\n\rbaris dua"]

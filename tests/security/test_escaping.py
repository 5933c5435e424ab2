"""The feeds and the widget escape everything they render.

Markup and quotes go in through the API (a kinerja unit name that publik learns, and an innovation's
title, description and link); the Atom feed must stay well-formed XML with the text as text, the JSON Feed
must carry it as JSON strings (no ``content_html``), and the widget must only ever write text nodes."""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path

import httpx
import pytest

from tests.support.seeded import Seeded

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ATOM = "{http://www.w3.org/2005/Atom}"
WIDGET = Path(__file__).resolve().parents[2] / "services/publik_api/embed/static/widget.js"
UNIT_NAME = "<script>alert('unit')</script> \"Dinas\" & 'Badan'"
TITLE = '<script>alert("title")</script>'
DESCRIPTION = "a & b <img src=x onerror=alert(1)> 'q' \"dq\" ]]> <!-- c -->"


@pytest.fixture(scope="module")
def hostile_item(seeded: Seeded) -> str:
    admin = seeded.headers("admin")
    unit = httpx.post(
        seeded.url + "/kinerja/v1/units",
        json={"code": f"XSS-{uuid.uuid4().hex[:6]}", "name": UNIT_NAME},
        headers=admin,
        timeout=10,
    )
    assert unit.status_code == 201, unit.text
    resp = httpx.post(
        seeded.url + "/publik/v1/innovations",
        json={
            "unit_id": unit.json()["id"],
            "title": TITLE,
            "description": DESCRIPTION,
            "launched_on": "2026-01-05",
            "url": 'https://example.org/?a=<b>&q="x"',
        },
        headers=admin,
        timeout=10,
    )
    assert resp.status_code == 201, resp.text
    return str(resp.json()["id"])


def test_atom_feed_escapes_markup_and_quotes(seeded: Seeded, hostile_item: str) -> None:
    resp = httpx.get(seeded.url + "/publik/v1/feed.atom", timeout=10)
    assert resp.status_code == 200
    raw = resp.text
    assert "<script" not in raw
    assert "<img" not in raw
    root = ET.fromstring(resp.content)  # well-formed, whatever the text held
    entry = next(e for e in root.iter(ATOM + "entry") if hostile_item in (e.findtext(ATOM + "id") or ""))
    title = entry.findtext(ATOM + "title") or ""
    assert TITLE in title
    assert UNIT_NAME in title
    summary = entry.find(ATOM + "summary")
    assert summary is not None
    assert summary.get("type", "text") == "text"  # never type="html": the text is not markup
    assert summary.text == DESCRIPTION
    for link in entry.iter(ATOM + "link"):
        assert '"' not in (link.get("href") or "")
        assert "<" not in (link.get("href") or "")


def test_json_feed_carries_text_only(seeded: Seeded, hostile_item: str) -> None:
    resp = httpx.get(seeded.url + "/publik/v1/feed.json", timeout=10)
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("application/feed+json") or resp.headers[
        "content-type"
    ].startswith("application/json")
    item = next(i for i in resp.json()["items"] if hostile_item in i["id"])
    assert "content_html" not in item
    assert item["content_text"] == DESCRIPTION
    assert item["_asn"]["unit_name"] == UNIT_NAME
    assert "<" not in item["_asn"]["data"]["url"]
    assert '"' not in item["_asn"]["data"]["url"]
    # The plain JSON list says the same, as JSON strings.
    feed = httpx.get(seeded.url + "/publik/v1/feed", params={"kind": "INOVASI"}, timeout=10).json()
    mine = next(i for i in feed["items"] if i["id"] == hostile_item)
    assert mine["unit_name"] == UNIT_NAME
    assert mine["data"]["title"] == TITLE


def test_item_page_and_scorecard_are_json_not_html(seeded: Seeded, hostile_item: str) -> None:
    for url in (f"/publik/v1/items/{hostile_item}",):
        resp = httpx.get(seeded.url + url, timeout=10)
        assert resp.status_code == 200
        assert resp.headers["content-type"].startswith("application/json")
        assert resp.headers["x-content-type-options"] == "nosniff"


def test_widget_writes_text_nodes_only() -> None:
    source = WIDGET.read_text()
    sinks = re.findall(
        r"\.(innerHTML|outerHTML|insertAdjacentHTML)\s*[=(]|document\.write|\beval\s*\(|new Function\(",
        source,
    )
    assert not sinks, f"widget.js writes markup: {sinks}"
    assert "textContent" in source
    # Links are built from the API's data: they must be checked to be http(s) before use.
    if ".href" in source:
        assert "/^https?:" in source, "widget.js sets hrefs without checking the scheme"


def test_embed_page_renders_only_a_parsed_uuid(seeded: Seeded) -> None:
    for hostile in ('"><script>alert(1)</script>', "%22%3E%3Cscript%3E", "x' onload='alert(1)"):
        resp = httpx.get(f"{seeded.url}/publik/embed/units/{hostile}", timeout=10)
        assert resp.status_code in (404, 422)
        # The problem document may quote the path, as JSON text that no browser renders (nosniff).
        assert resp.headers["content-type"] == "application/problem+json"
        assert resp.headers["x-content-type-options"] == "nosniff"
    unit = str(uuid.uuid4())
    page = httpx.get(f"{seeded.url}/publik/embed/units/{unit}", timeout=10)
    assert page.status_code == 200
    assert "<script" not in page.text.replace('<script src="', "")  # only the widget's own script tag

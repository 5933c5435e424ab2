"""pelatihan's refusals in Bahasa Indonesia (a 409 listing every unmet rule, the duplicate enrolment)."""

from __future__ import annotations

import httpx

from tests.pelatihan.helpers import Headers, make_institution, make_program, make_session, nip
from tests.pelatihan.kinerja_standin import StandIn

ID = {"Accept-Language": "id"}


async def test_pelatihan_409_in_indonesian(api: httpx.AsyncClient, h: Headers, kinerja: StandIn) -> None:
    kinerja.add(nip(1), supervisor_nip=nip(900), position_type="PELAKSANA", rank="II/c")
    inst = await make_institution(api, h)
    prog = await make_program(api, h, inst)
    ruled = await make_session(api, h, prog, eligible_position_types=["PENGAWAS"], min_rank="III/a")
    r = await api.post(
        f"/v1/sessions/{ruled['id']}/enrolments", json={"nip": nip(1)}, headers={**h.pegawai(nip(1)), **ID}
    )
    assert r.status_code == 409
    assert r.headers["content-language"] == "id"
    body = r.json()
    assert body["type"].endswith("/not-eligible")
    assert body["title"] == "Tidak memenuhi syarat"
    assert body["detail"] == (
        "Tidak memenuhi syarat: jenis jabatan PELAKSANA tidak termasuk PENGAWAS; "
        "golongan II/c lebih rendah daripada III/a."
    )

    open_ = await make_session(api, h, prog)
    first = await api.post(
        f"/v1/sessions/{open_['id']}/enrolments", json={"nip": nip(1)}, headers=h.pegawai(nip(1))
    )
    assert first.status_code == 201, first.text
    again = await api.post(
        f"/v1/sessions/{open_['id']}/enrolments", json={"nip": nip(1)}, headers={**h.pegawai(nip(1)), **ID}
    )
    assert again.status_code == 409
    assert (again.json()["title"], again.json()["detail"]) == (
        "Sudah terdaftar",
        f"{nip(1)} sudah memiliki pendaftaran aktif di sesi ini.",
    )
    english = await api.post(
        f"/v1/sessions/{open_['id']}/enrolments", json={"nip": nip(1)}, headers=h.pegawai(nip(1))
    )
    assert english.headers["content-language"] == "en"
    assert english.json()["detail"] == f"{nip(1)} already holds a live enrolment in this session."

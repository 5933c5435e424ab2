/* ASN Bengkulu — widget kartu kinerja unit dan survei kepuasan masyarakat. Tanpa framework, tanpa cookie.
   Pemakaian: <div data-unit="UUID-UNIT"></div> <script src=".../publik/embed/widget.js" defer></script>
   (data-survey="off" menyembunyikan formulir survei). */
(function () {
  "use strict";
  var script = document.currentScript;
  var src = (script && script.src) || "";
  var base = src.replace(/\/embed\/widget\.js(\?.*)?$/, "");
  var PREDIKAT = [
    ["SANGAT_BAIK", "Sangat Baik"], ["BAIK", "Baik"], ["BUTUH_PERBAIKAN", "Butuh Perbaikan"],
    ["KURANG", "Kurang/Misconduct"], ["SANGAT_KURANG", "Sangat Kurang"]
  ];
  var KINERJA = { SANGAT_BAIK: "Sangat Baik", BAIK: "Baik", KURANG_BAIK: "Kurang Baik", TIDAK_BAIK: "Tidak Baik" };
  var uid = 0;

  function num(v, digits) {
    if (v === null || v === undefined) { return "—"; }
    return Number(v).toLocaleString("id-ID", { minimumFractionDigits: digits || 0, maximumFractionDigits: digits || 0 });
  }
  function date(v) {
    if (!v) { return "—"; }
    var d = new Date(v);
    return isNaN(d) ? "—" : d.toLocaleDateString("id-ID", { day: "numeric", month: "long", year: "numeric" });
  }
  /* Every text goes through textContent: nothing from the API is parsed as HTML. */
  function el(tag, cls, text) {
    var n = document.createElement(tag);
    if (cls) { n.className = cls; }
    if (text !== undefined && text !== null) { n.textContent = String(text); }
    return n;
  }
  function add(parent, child) { parent.appendChild(child); return child; }

  function ensureStyle() {
    if (document.querySelector("link[data-asn-widget]")) { return; }
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = base + "/embed/widget.css";
    link.setAttribute("data-asn-widget", "");
    document.head.appendChild(link);
  }

  function ikmBlock(card, ikm, sub) {
    var sec = add(card, el("section", "asn-w-ikm"));
    var hid = "asn-w-h" + (++uid);
    sec.setAttribute("aria-labelledby", hid);
    add(sec, el(sub, "asn-w-sec-h", "Indeks Kepuasan Masyarakat (IKM) " + ikm.year)).id = hid;
    if (ikm.ikm === null) {
      add(sec, el("p", null, "Belum ada responden survei kepuasan masyarakat tahun ini."));
      return;
    }
    var p = add(sec, el("p", "asn-w-big"));
    add(p, el("span", "asn-w-value", num(ikm.ikm, 2)));
    add(p, el("span", null, " dari 100 — mutu " + ikm.mutu + " (" + (KINERJA[ikm.kinerja] || ikm.kinerja) + ")"));
    var meter = add(sec, el("div", "asn-w-meter"));
    meter.setAttribute("aria-hidden", "true");
    add(meter, el("span", "asn-w-fill")).style.width = Math.max(0, Math.min(100, ikm.ikm)) + "%";
    var note = num(ikm.respondents) + " responden";
    if (ikm.min_sample) {
      note += "; sampel minimum " + num(ikm.min_sample) + (ikm.sample_sufficient ? " (terpenuhi)" : " (belum terpenuhi)");
    }
    add(sec, el("p", "asn-w-note", note));
  }

  /* The footnote for withheld figures (docs/publik.md, "Disclosure control"). */
  function hiddenNote(sec, minGroup) {
    add(sec, el("p", "asn-w-note", "* Disembunyikan agar tidak ada angka yang menunjuk seseorang: kelompok kurang dari " +
      minGroup + " orang, angka yang dapat dihitung dari angka lain, dari versi sebelumnya atau dari sub-unit, " +
      "dan sebaran yang (hampir) semua anggotanya sama."));
  }
  function shown(v) { return v !== null && v !== undefined; }

  function perfBlock(card, items, minGroup, sub) {
    if (!items.length) { return; }
    var last = items[items.length - 1];
    var sec = add(card, el("section"));
    var hid = "asn-w-h" + (++uid);
    sec.setAttribute("aria-labelledby", hid);
    add(sec, el(sub, "asn-w-sec-h", "Predikat kinerja pegawai")).id = hid;
    var counts = last.data.counts || {};
    var withheld = PREDIKAT.every(function (p) { return !shown(counts[p[0]]); });
    if (withheld) {
      /* The whole distribution is withheld: the group size alone (when it may show). */
      add(sec, el("p", null, "Sebaran predikat periode " + last.period + " disembunyikan*" +
        (shown(last.data.evaluated) ? " (" + num(last.data.evaluated) + " pegawai dinilai)." : ".")));
      hiddenNote(sec, minGroup);
      return;
    }
    var table = add(sec, el("table", "asn-w-table"));
    add(table, el("caption", null, "Sebaran predikat, periode " + last.period +
      " (" + num(last.data.evaluated) + " pegawai dinilai)"));
    var head = add(add(table, el("thead")), el("tr"));
    ["Predikat", "Jumlah pegawai", "Grafik"].forEach(function (h, i) {
      var th = add(head, el("th", i === 2 ? "asn-w-chart" : null, h));
      th.scope = "col";
      if (i === 2) { th.setAttribute("aria-hidden", "true"); }
    });
    var body = add(table, el("tbody"));
    var total = last.data.evaluated || 0;
    var hidden = false;
    PREDIKAT.forEach(function (p) {
      var v = counts[p[0]];
      var tr = add(body, el("tr"));
      var th = add(tr, el("th", null, p[1]));
      th.scope = "row";
      if (!shown(v)) { hidden = true; }
      add(tr, el("td", null, shown(v) ? num(v) : "disembunyikan*"));
      var cell = add(tr, el("td", "asn-w-chart"));
      cell.setAttribute("aria-hidden", "true");
      var bar = add(cell, el("span", "asn-w-bar"));
      bar.style.width = (total && v ? Math.round((100 * v) / total) : 0) + "%";
    });
    if (hidden) { hiddenNote(sec, minGroup); }
  }

  function trainingBlock(card, t, minGroup, sub) {
    if (!t) { return; }
    var sec = add(card, el("section"));
    var hid = "asn-w-h" + (++uid);
    sec.setAttribute("aria-labelledby", hid);
    add(sec, el(sub, "asn-w-sec-h", "Pengembangan kompetensi " + t.period)).id = hid;
    var dl = add(sec, el("dl", "asn-w-dl"));
    var hidden = false;
    function val(v, text) {
      if (shown(v)) { return text; }
      hidden = true;
      return "disembunyikan*";
    }
    [["Peserta pelatihan", val(t.data.participants, num(t.data.participants))],
     ["Jam pelajaran (JP) terselenggara", val(t.data.jp_delivered, num(t.data.jp_delivered))],
     ["PNS memenuhi 20 JP", val(t.data.pns_meeting_20jp, num(t.data.pns_meeting_20jp) + " dari " + num(t.data.pns_total))]
    ].forEach(function (r) {
      add(dl, el("dt", null, r[0]));
      add(dl, el("dd", null, r[1]));
    });
    if (hidden) { hiddenNote(sec, minGroup); }
  }

  function innovationBlock(card, list, sub) {
    if (!list.length) { return; }
    var sec = add(card, el("section"));
    var hid = "asn-w-h" + (++uid);
    sec.setAttribute("aria-labelledby", hid);
    add(sec, el(sub, "asn-w-sec-h", "Inovasi pelayanan")).id = hid;
    var ul = add(sec, el("ul", "asn-w-list"));
    list.forEach(function (i) {
      var li = add(ul, el("li"));
      var url = i.data.url;
      if (url && /^https?:\/\//i.test(url)) {
        var a = add(li, el("a", null, i.data.title));
        a.href = url;
        a.rel = "noopener noreferrer";
        a.target = "_blank";
      } else {
        add(li, el("strong", null, i.data.title));
      }
      add(li, el("span", null, " — diluncurkan " + date(i.data.launched_on)));
    });
  }


  /* The SKM form (PermenPANRB 14/2017): nine unsur on the 1-4 scale, the service used, an optional profile and
     a comment. A signed one-answer token is asked for when the form is opened, never on page load. */
  var UNSUR = ["Persyaratan", "Sistem, Mekanisme, dan Prosedur", "Waktu Penyelesaian", "Biaya/Tarif",
    "Produk Spesifikasi Jenis Pelayanan", "Kompetensi Pelaksana", "Perilaku Pelaksana",
    "Penanganan Pengaduan, Saran dan Masukan", "Sarana dan Prasarana"];
  var SKALA = ["Tidak baik", "Kurang baik", "Baik", "Sangat baik"];
  var PROFIL = [
    ["age_group", "Kelompok usia", [["USIA_BAWAH_20", "Di bawah 20 tahun"], ["USIA_20_29", "20–29 tahun"],
      ["USIA_30_39", "30–39 tahun"], ["USIA_40_49", "40–49 tahun"], ["USIA_50_59", "50–59 tahun"],
      ["USIA_60_KE_ATAS", "60 tahun ke atas"]]],
    ["sex", "Jenis kelamin", [["LAKI_LAKI", "Laki-laki"], ["PEREMPUAN", "Perempuan"]]],
    ["education", "Pendidikan terakhir", [["SD_KE_BAWAH", "SD ke bawah"], ["SMP", "SMP"], ["SMA", "SMA/sederajat"],
      ["DIPLOMA", "Diploma (D1–D4)"], ["S1", "S1"], ["S2_KE_ATAS", "S2 ke atas"]]],
    ["occupation", "Pekerjaan utama", [["PNS_TNI_POLRI", "PNS/TNI/Polri"], ["PEGAWAI_SWASTA", "Pegawai swasta"],
      ["WIRAUSAHA", "Wirausaha"], ["PELAJAR_MAHASISWA", "Pelajar/mahasiswa"], ["LAINNYA", "Lainnya"]]]
  ];

  function post(path, body) {
    return fetch(base + path, {
      method: "POST", credentials: "omit", cache: "no-store",
      headers: { "Content-Type": "application/json", Accept: "application/json" }, body: JSON.stringify(body)
    });
  }
  function labelled(parent, text, control) {
    var id = "asn-w-f" + (++uid);
    var l = add(parent, el("label", "asn-w-label", text));
    l.htmlFor = id;
    control.id = id;
    add(parent, control);
    return control;
  }
  function choice(parent, text, name, options, hint) {
    var s = el("select", "asn-w-input");
    s.name = name;
    add(s, el("option", null, hint)).value = "";
    options.forEach(function (o) { add(s, el("option", null, o[1])).value = o[0]; });
    return labelled(parent, text, s);
  }

  function surveyBlock(card, unitId, sub) {
    var sec = add(card, el("section", "asn-w-survey"));
    var hid = "asn-w-h" + (++uid);
    sec.setAttribute("aria-labelledby", hid);
    add(sec, el(sub, "asn-w-sec-h", "Survei kepuasan masyarakat")).id = hid;
    add(sec, el("p", "asn-w-note", "Nilai layanan yang Anda terima. Tanpa nama, tanpa cookie; alamat IP tidak disimpan."));
    var open = add(sec, el("button", "asn-w-btn", "Isi survei"));
    open.type = "button";
    open.setAttribute("aria-expanded", "false");
    var status = add(sec, el("p", "asn-w-status"));
    status.setAttribute("role", "status");
    status.tabIndex = -1;
    open.addEventListener("click", function () {
      open.disabled = true;
      status.textContent = "Menyiapkan formulir…";
      Promise.all([
        post("/v1/surveys/form-token", { unit_id: unitId }).then(function (r) {
          if (r.status === 429) { throw new Error("Terlalu banyak permintaan dari alamat ini; coba lagi nanti."); }
          if (!r.ok) { throw new Error("Formulir tidak dapat dibuka."); }
          return r.json();
        }),
        fetch(base + "/v1/units/" + encodeURIComponent(unitId) + "/services", { credentials: "omit" })
          .then(function (r) { return r.ok ? r.json() : { items: [] }; })
      ]).then(function (res) {
        status.textContent = "";
        open.setAttribute("aria-expanded", "true");
        open.hidden = true;
        buildForm(sec, unitId, res[0].token, res[1].items || [], status);
      }).catch(function (e) {
        open.disabled = false;
        status.textContent = e.message || "Formulir tidak dapat dibuka.";
      });
    });
  }

  function buildForm(sec, unitId, token, services, status) {
    var form = add(sec, el("form", "asn-w-form"));
    form.noValidate = true;
    form.setAttribute("aria-label", "Survei kepuasan masyarakat");
    var svc = null;
    if (services.length) {
      svc = choice(form, "Layanan yang Anda terima (wajib)", "service_id",
        services.map(function (s) { return [s.id, s.name]; }), "— pilih layanan —");
      svc.required = true;
    }
    UNSUR.forEach(function (name, i) {
      var fs = add(form, el("fieldset", "asn-w-fs"));
      fs.setAttribute("data-unsur", String(i + 1));
      add(fs, el("legend", null, (i + 1) + ". " + name));
      var row = add(fs, el("div", "asn-w-scale"));
      SKALA.forEach(function (text, v) {
        var l = add(row, el("label", "asn-w-radio"));
        var r = add(l, el("input"));
        r.type = "radio";
        r.name = "u" + (i + 1);
        r.value = String(v + 1);
        r.required = true;
        add(l, el("span", null, (v + 1) + " — " + text));
      });
    });
    var prof = add(form, el("fieldset", "asn-w-fs"));
    add(prof, el("legend", null, "Profil responden (opsional)"));
    PROFIL.forEach(function (p) { choice(prof, p[1], p[0], p[2], "— tidak diisi —"); });
    var note = el("textarea", "asn-w-input");
    note.name = "comment";
    note.maxLength = 1000;
    note.rows = 3;
    labelled(form, "Saran atau pengaduan (opsional; jangan tulis NIK, nomor HP atau data pribadi lain)", note);
    var send = add(form, el("button", "asn-w-btn", "Kirim penilaian"));
    send.type = "submit";
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var answers = [];
      var missing = null;
      for (var i = 1; i <= 9; i++) {
        var c = form.querySelector("input[name=u" + i + "]:checked");
        answers.push(c ? parseInt(c.value, 10) : 0);
        if (!c && !missing) { missing = form.querySelector("input[name=u" + i + "]"); }
      }
      if (svc && !svc.value) { missing = missing || svc; }
      if (missing) {
        status.textContent = "Lengkapi dulu: layanan dan kesembilan unsur wajib diisi.";
        missing.focus();
        return;
      }
      var body = { unit_id: unitId, answers: answers, form_token: token };
      if (svc) { body.service_id = svc.value; }
      PROFIL.forEach(function (p) { var v = form.elements[p[0]].value; if (v) { body[p[0]] = v; } });
      if (note.value.trim()) { body.comment = note.value.trim(); }
      send.disabled = true;
      status.textContent = "Mengirim…";
      post("/v1/surveys", body).then(function (r) {
        if (r.status === 201) {
          form.hidden = true;
          status.textContent = "Terima kasih. Penilaian Anda sudah tercatat dan masuk ke IKM unit ini.";
          status.focus();
          return;
        }
        send.disabled = false;
        status.textContent = r.status === 429 ? "Terlalu banyak penilaian dari alamat ini; coba lagi nanti." :
          r.status === 409 ? "Formulir ini sudah dikirim. Muat ulang halaman untuk mengisi lagi." :
          "Penilaian belum dapat dikirim; periksa isian atau muat ulang halaman.";
      }).catch(function () {
        send.disabled = false;
        status.textContent = "Koneksi gagal; coba kirim lagi.";
      });
    });
    var first = form.querySelector("select, input");
    if (first) { first.focus(); }
  }

  function followUpBlock(card, list, sub) {
    if (!list || !list.length) { return; }
    var sec = add(card, el("section"));
    var hid = "asn-w-h" + (++uid);
    sec.setAttribute("aria-labelledby", hid);
    add(sec, el(sub, "asn-w-sec-h", "Tindak lanjut hasil survei")).id = hid;
    var ul = add(sec, el("ul", "asn-w-list"));
    list.forEach(function (f) {
      var li = add(ul, el("li"));
      add(li, el("strong", null, "Periode " + f.period + ": "));
      add(li, el("span", null, f.data.statement));
    });
  }

  function render(host, sc) {
    var level = Math.min(6, Math.max(1, parseInt(host.getAttribute("data-heading-level") || "2", 10) || 2));
    host.textContent = "";
    var card = add(host, el("section", "asn-w"));
    card.lang = "id";
    var hid = "asn-w-h" + (++uid);
    card.setAttribute("aria-labelledby", hid);
    var h = add(card, el("h" + level, "asn-w-title", sc.unit.name));
    h.id = hid;
    add(card, el("p", "asn-w-sub", "Kartu kinerja unit, tahun " + sc.year));
    var sub = "h" + Math.min(6, level + 1);
    ikmBlock(card, sc.ikm, sub);
    perfBlock(card, sc.performance, sc.min_group_size, sub);
    trainingBlock(card, sc.training, sc.min_group_size, sub);
    innovationBlock(card, sc.innovations, sub);
    followUpBlock(card, sc.follow_ups, sub);
    if (host.getAttribute("data-survey") !== "off") { surveyBlock(card, sc.unit.id, sub); }
    add(card, el("p", "asn-w-note", "Data per " + date(sc.data_as_of) + " · kebijakan publikasi " + sc.policy_version +
      " · Sumber: Pemerintah Provinsi Bengkulu"));
    host.removeAttribute("aria-busy");
  }

  function fail(host, message) {
    host.textContent = "";
    var p = add(host, el("p", "asn-w-error", message));
    p.setAttribute("role", "alert");
    host.removeAttribute("aria-busy");
  }

  function load(host) {
    var id = host.getAttribute("data-unit") || "";
    if (!/^[0-9a-fA-F-]{36}$/.test(id)) { fail(host, "Kode unit tidak valid."); return; }
    var year = host.getAttribute("data-year");
    var url = base + "/v1/units/" + encodeURIComponent(id) + "/scorecard" +
      (year && /^\d{4}$/.test(year) ? "?year=" + year : "");
    host.setAttribute("aria-busy", "true");
    host.setAttribute("data-asn-loaded", "");
    fetch(url, { credentials: "omit", headers: { Accept: "application/json" } })
      .then(function (r) {
        if (r.status === 404) { throw new Error("Unit tidak ditemukan."); }
        if (!r.ok) { throw new Error("Data tidak dapat dimuat."); }
        return r.json();
      })
      .then(function (sc) { render(host, sc); })
      .catch(function (e) { fail(host, e && e.message ? e.message : "Data tidak dapat dimuat."); });
  }

  function start() {
    ensureStyle();
    var nodes = document.querySelectorAll("[data-unit]:not([data-asn-loaded])");
    for (var i = 0; i < nodes.length; i++) { load(nodes[i]); }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();

/* ASN Bengkulu — widget kartu kinerja unit dan survei kepuasan masyarakat. Tanpa framework, tanpa cookie.
   Pemakaian: <div data-unit="UUID-UNIT"></div> <script src=".../publik/embed/widget.js" defer></script>
   (data-survey="off" menyembunyikan formulir survei).
   Ikhtisar provinsi: <div data-view="provinsi"></div> (tabel semua unit, dapat diurutkan dan dicari). */
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

  /* Trends: publik draws each chart as SVG (an <img>, its text alternative as alt); the same figures follow
     in a table that only screen readers get (the chart shows them to everyone else). */
  var TREND = [
    ["ikm", "Tren IKM", ["Tahun", "IKM", "Mutu", "Responden"], function (p) {
      return [p.period, num(p.ikm, 2), p.mutu || "—", num(p.respondents)];
    }],
    ["predikat", "Tren sebaran predikat", ["Periode", "Dinilai"].concat(PREDIKAT.map(function (p) { return p[1]; })),
      function (p) {
        return [p.period, shown(p.evaluated) ? num(p.evaluated) : "disembunyikan*"].concat(PREDIKAT.map(function (x) {
          return shown(p.counts[x[0]]) ? num(p.counts[x[0]]) : "disembunyikan*";
        }));
      }],
    ["jp", "Tren kepatuhan 20 JP", ["Tahun", "PNS memenuhi 20 JP"], function (p) {
      return [p.period, shown(p.share_meeting_20jp) ? num(100 * p.share_meeting_20jp, 1) + " %" : "disembunyikan*"];
    }]
  ];
  function trendsBlock(sec, unitId, tr, sub) {
    var hid = "asn-w-h" + (++uid);
    sec.setAttribute("aria-labelledby", hid);
    add(sec, el(sub, "asn-w-sec-h", "Perkembangan dari periode ke periode")).id = hid;
    TREND.forEach(function (t) {
      var points = tr[t[0]];
      if (!points.length) { return; }
      var fig = add(sec, el("figure", "asn-w-fig"));
      var img = add(fig, el("img"));
      img.src = base + "/v1/units/" + encodeURIComponent(unitId) + "/trends/" + t[0] + ".svg";
      img.alt = tr.text[t[0]];
      img.width = 360;
      img.height = 180;
      add(fig, el("figcaption", null, t[1]));
      /* The wrapper hides it (a table grows to its content, whatever width it is given). */
      var table = add(add(fig, el("div", "asn-w-sr")), el("table"));
      add(table, el("caption", null, t[1]));
      var head = add(add(table, el("thead")), el("tr"));
      t[2].forEach(function (h) { add(head, el("th", null, h)).scope = "col"; });
      var body = add(table, el("tbody"));
      points.forEach(function (p) {
        var row = add(body, el("tr"));
        t[3](p).forEach(function (v, i) {
          var c = add(row, el(i ? "td" : "th", null, v));
          if (!i) { c.scope = "row"; }
        });
      });
    });
  }
  function loadTrends(sec, unitId, sub) {
    fetch(base + "/v1/units/" + encodeURIComponent(unitId) + "/trends", { credentials: "omit" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (tr) {
        if (tr && (tr.ikm.length || tr.predikat.length || tr.jp.length)) { trendsBlock(sec, unitId, tr, sub); }
        else { sec.remove(); }
      })
      .catch(function () { sec.remove(); });
  }

  /* Capaian kinerja organisasi: the unit's targets (Perjanjian Kinerja) and their realisation, by unit only. */
  function capaianBlock(card, list, sub) {
    if (!list || !list.length) { return; }
    var last = list[list.length - 1];
    var sec = add(card, el("section"));
    var hid = "asn-w-h" + (++uid);
    sec.setAttribute("aria-labelledby", hid);
    add(sec, el(sub, "asn-w-sec-h", "Capaian kinerja organisasi " + last.period)).id = hid;
    (last.data.results || []).forEach(function (r) {
      var table = add(sec, el("table", "asn-w-table"));
      add(table, el("caption", null, r.text));
      var head = add(add(table, el("thead")), el("tr"));
      ["Indikator", "Target", "Realisasi"].forEach(function (h) { add(head, el("th", null, h)).scope = "col"; });
      var body = add(table, el("tbody"));
      (r.indicators || []).forEach(function (i) {
        var tr = add(body, el("tr"));
        add(tr, el("th", null, i.text)).scope = "row";
        add(tr, el("td", null, i.target));
        var got = (i.realizations || []).map(function (z) { return z.period + ": " + z.realization; });
        add(tr, el("td", null, got.length ? got.join("; ") : "belum dilaporkan"));
      });
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
    capaianBlock(card, sc.capaian, sub);
    innovationBlock(card, sc.innovations, sub);
    followUpBlock(card, sc.follow_ups, sub);
    if (host.getAttribute("data-trends") !== "off") { loadTrends(add(card, el("section", "asn-w-trends")), sc.unit.id, sub); }
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

  /* The province overview (data-view="provinsi"): every unit's newest published figures in a table that
     sorts by any column (buttons in the headers, aria-sort) and filters by name, each unit linking to its card
     (data-card-url="https://…/unit?id={id}", else the iframe page). */
  var SHORT = { SANGAT_BAIK: "SB", BAIK: "B", BUTUH_PERBAIKAN: "BP", KURANG: "K", SANGAT_KURANG: "SK" };
  function spread(p) {
    if (!p) { return "—"; }
    return PREDIKAT.map(function (x) {
      var v = p.counts[x[0]];
      return SHORT[x[0]] + " " + (shown(v) ? num(v) : "*");
    }).join(" · ") + " (" + p.period + ")";
  }
  function share(j) { return j && shown(j.share_meeting_20jp) ? j.share_meeting_20jp : null; }
  var COLS = [
    ["Unit", function (u) { return u.name.toLowerCase(); }],
    ["IKM", function (u) { return u.ikm ? u.ikm.ikm : null; }],
    ["Mutu", function (u) { return u.ikm ? u.ikm.mutu : null; }],
    ["Responden", function (u) { return u.ikm ? u.ikm.respondents : null; }],
    ["Sebaran predikat", function (u) { return u.predikat ? u.predikat.evaluated : null; }],
    ["PNS memenuhi 20 JP", share],
    ["Inovasi", function (u) { return u.innovations; }],
    ["Pembaruan terakhir", function (u) { return u.last_update; }]
  ];
  function cells(u) {
    var s = share(u.jp);
    return [null, u.ikm ? num(u.ikm.ikm, 2) : "—", u.ikm && u.ikm.mutu ? u.ikm.mutu : "—",
      u.ikm ? num(u.ikm.respondents) : "—", spread(u.predikat),
      s === null ? (u.jp ? "disembunyikan*" : "—") : num(100 * s, 1) + " %", num(u.innovations), date(u.last_update)];
  }
  function cardUrl(host, id) {
    var t = host.getAttribute("data-card-url");
    if (t && /^https?:\/\//i.test(t)) { return t.replace("{id}", encodeURIComponent(id)); }
    return base + "/embed/units/" + encodeURIComponent(id);
  }
  function renderOverview(host, ov) {
    var level = Math.min(6, Math.max(1, parseInt(host.getAttribute("data-heading-level") || "2", 10) || 2));
    host.textContent = "";
    var card = add(host, el("section", "asn-w asn-w-wide"));
    card.lang = "id";
    var hid = "asn-w-h" + (++uid);
    card.setAttribute("aria-labelledby", hid);
    add(card, el("h" + level, "asn-w-title", "Kinerja unit Provinsi Bengkulu")).id = hid;
    var search = el("input", "asn-w-input");
    search.type = "search";
    search.setAttribute("autocomplete", "off");
    labelled(card, "Cari unit", search);
    var count = add(card, el("p", "asn-w-note"));
    count.setAttribute("role", "status");
    var wrap = add(card, el("div", "asn-w-scroll"));
    wrap.tabIndex = 0;
    wrap.setAttribute("role", "region");
    wrap.setAttribute("aria-label", "Tabel unit, dapat digeser ke samping");
    var table = add(wrap, el("table", "asn-w-table"));
    add(table, el("caption", null, "Angka terbaru yang telah dipublikasikan per unit; pilih judul kolom untuk mengurutkan."));
    var head = add(add(table, el("thead")), el("tr"));
    var body = add(table, el("tbody"));
    var state = { col: 0, dir: 1 };
    var buttons = COLS.map(function (c, i) {
      var th = add(head, el("th"));
      th.scope = "col";
      var b = add(th, el("button", "asn-w-sort", c[0]));
      b.type = "button";
      b.addEventListener("click", function () {
        state.dir = state.col === i ? -state.dir : 1;
        state.col = i;
        draw();
      });
      return th;
    });
    function draw() {
      var q = search.value.trim().toLowerCase();
      var key = COLS[state.col][1];
      var rows = ov.units.filter(function (u) {
        return !q || u.name.toLowerCase().indexOf(q) >= 0 || (u.code || "").toLowerCase().indexOf(q) >= 0;
      }).sort(function (a, b) {
        var x = key(a), y = key(b);
        if (x === y) { return a.name < b.name ? -1 : 1; }
        if (x === null || x === undefined) { return 1; }
        if (y === null || y === undefined) { return -1; }
        return (x < y ? -1 : 1) * state.dir;
      });
      buttons.forEach(function (th, i) {
        th.setAttribute("aria-sort", i === state.col ? (state.dir > 0 ? "ascending" : "descending") : "none");
      });
      body.textContent = "";
      rows.forEach(function (u) {
        var tr = add(body, el("tr"));
        var th = add(tr, el("th"));
        th.scope = "row";
        var a = add(th, el("a", null, u.name));
        a.href = cardUrl(host, u.unit_id);
        cells(u).slice(1).forEach(function (t) { add(tr, el("td", null, t)); });
      });
      count.textContent = rows.length + " dari " + ov.units.length + " unit ditampilkan";
    }
    search.addEventListener("input", draw);
    draw();
    hiddenNote(card, ov.min_group_size);
    add(card, el("p", "asn-w-note", "Kebijakan publikasi " + ov.policy_version + " · Sumber: Pemerintah Provinsi Bengkulu"));
    host.removeAttribute("aria-busy");
  }
  function loadOverview(host) {
    host.setAttribute("aria-busy", "true");
    host.setAttribute("data-asn-loaded", "");
    fetch(base + "/v1/overview", { credentials: "omit", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error("Data tidak dapat dimuat."); } return r.json(); })
      .then(function (ov) { renderOverview(host, ov); })
      .catch(function (e) { fail(host, e && e.message ? e.message : "Data tidak dapat dimuat."); });
  }

  function start() {
    ensureStyle();
    var nodes = document.querySelectorAll("[data-unit]:not([data-asn-loaded])");
    for (var i = 0; i < nodes.length; i++) { load(nodes[i]); }
    var views = document.querySelectorAll("[data-view=provinsi]:not([data-asn-loaded])");
    for (var j = 0; j < views.length; j++) { loadOverview(views[j]); }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();

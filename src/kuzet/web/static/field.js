/* The field app: duty in a unit, the unit's assignments (live over SSE with a poll as a
   backstop, both reconnecting with backoff), accept / en route / on scene / resolve,
   photos from the camera, position sharing (opt-in). Strings go through kuzet.t(). */
"use strict";

(function () {
  const t = window.kuzet.t;
  const choices = JSON.parse(document.getElementById("choices").textContent);
  const $ = (sel) => document.querySelector(sel);
  const POLL_MS = 30000;
  const SHARE_KEY = "kuzet.field.share";
  const PROGRESS = {
    dispatched: t("Dispatched"), accept: t("Accepted"), en_route: t("En route"),
    on_scene: t("On scene"), on_hold: t("On hold"), resolved: t("Resolved"),
    acknowledged: t("Acknowledged"),
  };
  const PRIORITY = { critical: t("critical"), high: t("high"), medium: t("medium"), low: t("low") };
  let duty = { on_duty: false, unit: null, since: null };
  let items = [];

  function el(tag, cls, text, testid) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = text;
    if (testid) node.dataset.testid = testid;
    return node;
  }

  function csrf() {
    const m = document.cookie.match(/(?:^|;\s*)kuzet_csrf=([^;]+)/);
    if (m) return decodeURIComponent(m[1]);
    const f = document.querySelector('input[name="csrf_token"]');
    return f ? f.value : "";
  }

  /* Resolves to {ok, status, data, message}; message is the API's own detail. */
  async function api(method, url, body) {
    const opts = { method, headers: { Accept: "application/json" }, credentials: "same-origin" };
    if (method !== "GET") opts.headers["X-CSRF-Token"] = csrf();
    if (body instanceof FormData) opts.body = body;
    else if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    let resp;
    try { resp = await fetch(url, opts); } catch (err) {
      return { ok: false, status: 0, data: null, message: t("The server cannot be reached.") };
    }
    let data = null;
    try { data = await resp.json(); } catch (err) { data = null; }
    let message = "";
    if (!resp.ok) {
      const d = data && data.detail;
      message = typeof d === "string" ? d : Array.isArray(d) ? d.map((x) => x.msg).join("; ")
        : t("Error {status}", { status: resp.status });
    }
    if (resp.status === 401) window.location.href = "/login?next=%2Ffield";
    return { ok: resp.ok, status: resp.status, data, message };
  }

  function say(text, kind) {
    const box = $('[data-testid="page-message"]');
    box.textContent = text || "";
    box.dataset.kind = kind || "info";
    box.hidden = !text;
  }

  function time(iso) {
    const node = el("time", "", iso ? window.kuzet.formatTime(iso) : "–");
    if (iso) node.dateTime = iso;
    return node;
  }

  /* ---- duty ---- */
  function showDuty() {
    $('[data-testid="duty-form"]').hidden = duty.on_duty;
    $('[data-testid="duty-on"]').hidden = !duty.on_duty;
    if (duty.on_duty) {
      $('[data-testid="duty-unit-name"]').textContent = duty.unit;
      const since = $('[data-testid="duty-since"]');
      since.dateTime = duty.since;
      since.textContent = window.kuzet.formatTime(duty.since);
    }
    share.sync();
  }

  $('[data-testid="duty-form"]').addEventListener("submit", async (e) => {
    e.preventDefault();
    const unit = $('[data-testid="duty-unit"]').value.trim();
    const r = await api("POST", "/api/field/duty", { unit });
    if (!r.ok) { say(r.message, "error"); return; }
    say("");
    duty = r.data;
    showDuty();
    refresh();
  });

  $('[data-testid="duty-end"]').addEventListener("click", async () => {
    const r = await api("DELETE", "/api/field/duty");
    if (!r.ok) { say(r.message, "error"); return; }
    duty = r.data;
    showDuty();
    refresh();
  });

  /* ---- position sharing: opt-in, only on duty; at most every 30 s unless moved 50 m ---- */
  const share = (function () {
    const box = $('[data-testid="share-position"]');
    const status = $('[data-testid="position-status"]');
    let watch = null;
    let last = null;
    function metres(a, b) {
      const k = Math.PI / 180;
      const x = (b.lon - a.lon) * k * Math.cos(((a.lat + b.lat) / 2) * k);
      return Math.hypot(x, (b.lat - a.lat) * k) * 6371000;
    }
    async function send(pos) {
      const p = { lat: pos.coords.latitude, lon: pos.coords.longitude,
        accuracy_m: pos.coords.accuracy || null };
      const now = Date.now();
      if (last && now - last.at < POLL_MS && metres(last, p) < 50) return;
      const r = await api("POST", "/api/field/position", p);
      if (r.ok) {
        last = { ...p, at: now };
        status.textContent = t("Position shared at {time} (±{m} m)",
          { time: window.kuzet.formatClock(r.data.at), m: Math.round(p.accuracy_m || 0) });
      } else status.textContent = r.message;
    }
    function start() {
      if (watch !== null) return;
      if (!("geolocation" in navigator)) { status.textContent = t("This browser cannot share a position."); return; }
      status.textContent = t("Waiting for a position…");
      watch = navigator.geolocation.watchPosition(send, (err) => {
        status.textContent = t("Position unavailable: {why}", { why: err.message });
      }, { enableHighAccuracy: true, maximumAge: 15000, timeout: 60000 });
    }
    function stop() {
      if (watch !== null) navigator.geolocation.clearWatch(watch);
      watch = null;
      last = null;
      status.textContent = "";
    }
    function sync() {
      const wanted = duty.on_duty && localStorage.getItem(SHARE_KEY) === "1";
      box.checked = wanted;
      if (wanted) start(); else stop();
    }
    box.addEventListener("change", () => {
      localStorage.setItem(SHARE_KEY, box.checked ? "1" : "0");
      sync();
    });
    return { sync };
  })();

  /* ---- assignments ---- */
  const LEGAL = {
    accept: (a) => a.state === "dispatched" && a.progress === "dispatched",
    en_route: (a) => a.state === "dispatched" && a.progress !== "en_route",
    on_scene: (a) => a.state === "dispatched",
    resolve: (a) => ["acknowledged", "dispatched", "on_scene", "on_hold"].includes(a.state),
  };
  const ACTION_TEXT = { accept: t("Accept"), en_route: t("En route"), on_scene: t("On scene"),
    resolve: t("Resolve…") };

  async function run(card, action, body) {
    const targets = card.alarms.filter((a) => LEGAL[action](a));
    for (const a of targets) {
      const r = await api("POST", `/api/field/alarms/${encodeURIComponent(a.id)}/${action}`, body || {});
      if (!r.ok) { say(r.message, "error"); break; }
      say("");
    }
    refresh();
  }

  /* Attaches a resolve form to a card; the handlers read the card they are given now. */
  function bindResolve(form, card, li) {
    form.onsubmit = (e) => {
      e.preventDefault();
      const data = new FormData(form);
      form.remove();
      run(card, "resolve", { verdict: data.get("verdict"), note: data.get("note") || null });
    };
    form.querySelector('[data-testid="resolve-cancel"]').onclick = () => form.remove();
    li.append(form);
  }

  function resolveForm(card, li) {
    if (li.querySelector('[data-testid="resolve-form"]')) return;
    const form = document.getElementById("resolve-form").content.firstElementChild.cloneNode(true);
    bindResolve(form, card, li);
    form.querySelector("select").focus();
  }

  async function upload(card, input) {
    const file = input.files && input.files[0];
    if (!file) return;
    const target = card.alarms.find((a) => a.state !== "resolved") || card.alarms[0];
    const form = new FormData();
    form.append("photo", file, file.name || "photo.jpg");
    say(t("Uploading the photo…"));
    const r = await api("POST", `/api/field/alarms/${encodeURIComponent(target.id)}/photos`, form);
    input.value = "";
    if (!r.ok) { say(r.message, "error"); return; }
    say(t("Photo attached."));
    refresh();
  }

  function procedure(li, checklist) {
    if (!checklist) return;
    const lang = (navigator.language || "ru").slice(0, 2);
    const text = (x) => (x && (x[lang] || x.ru || x.en || x.kk)) || "";
    li.append(el("h3", "small muted", `${t("Procedure")}: ${text(checklist.title)}`));
    const ol = el("ol", "steps", undefined, "procedure-steps");
    checklist.steps.forEach((s) => {
      const cls = s.status !== "open" ? "done" : s.applies === "no" ? "off" : "";
      const item = el("li", cls, text(s.text));
      if (s.legal) item.append(el("div", "small muted", `${text(s.legal.code)} ${s.legal.article || ""}`));
      ol.append(item);
    });
    li.append(ol);
  }

  function where(li, card) {
    const inc = card.incident;
    const first = card.alarms[0];
    const p = el("p", "where", undefined, "assignment-location");
    const place = (inc && inc.location) || [first.camera_name, first.site].filter(Boolean).join(" · ");
    p.append(el("span", "", place));
    li.append(p);
    if (inc && inc.lat !== null && inc.lon !== null) {
      const a = el("a", "btn", t("Open in maps"), "assignment-map");
      a.href = `geo:${inc.lat},${inc.lon}?q=${inc.lat},${inc.lon}`;
      p.append(el("span", "small muted", ` ${inc.lat.toFixed(5)}, ${inc.lon.toFixed(5)}`));
      li.append(a);
    }
  }

  /* Redraws the cards; an open resolve form (with what was typed) moves to the new card. */
  function render() {
    const list = $('[data-testid="assignments"]');
    const open = {};
    list.querySelectorAll('[data-testid="assignment"]').forEach((li) => {
      const form = li.querySelector('[data-testid="resolve-form"]');
      if (form) open[li.dataset.key] = form;
    });
    list.replaceChildren();
    $('[data-testid="assignment-count"]').textContent = String(items.length);
    $('[data-testid="assignments-empty"]').hidden = items.length > 0 || !duty.on_duty;
    items.forEach((card) => {
      const li = renderCard(card);
      if (open[card.key] && card.alarms.some((a) => LEGAL.resolve(a))) bindResolve(open[card.key], card, li);
      list.append(li);
    });
  }

  function renderCard(card) {
    const first = card.alarms[0];
    const inc = card.incident;
    const li = el("li", "card", undefined, "assignment");
    li.dataset.key = card.key;
    li.dataset.progress = first.progress;
    const head = el("div", "a-head");
    const prio = (inc && inc.priority) || first.priority;
    head.append(el("h2", "a-title", ((inc && inc.type) || first.kind).replace(/_/g, " ")));
    head.append(el("span", `badge prio-${prio}`, PRIORITY[prio] || prio));
    head.append(el("span", "badge progress", PROGRESS[first.progress] || first.progress, "assignment-progress"));
    li.append(head);
    const meta = el("p", "small muted");
    meta.append(document.createTextNode(`${first.camera_name} · `), time(first.event_at));
    li.append(meta);
    where(li, card);
    if (inc && inc.description) li.append(el("p", "small", inc.description));
    const snap = el("div", "snap");
    const img = el("img", "", undefined, "assignment-snapshot");
    img.loading = "lazy";
    img.alt = t("Snapshot (faces and plates blurred)");
    img.src = first.snapshot_url;
    img.onerror = () => { snap.hidden = true; };
    snap.append(img);
    li.append(snap);
    const links = el("div", "links");
    const clip = el("a", "btn", t("Clip"), "assignment-clip");
    clip.href = first.clip_url;
    links.append(clip);
    if (inc) {
      const open = el("a", "btn", t("Incident"), "assignment-incident");
      open.href = `/incidents/${encodeURIComponent(inc.id)}`;
      links.append(open);
    }
    li.append(links);
    procedure(li, card.procedure);
    photos(li, card);
    actions(li, card);
    return li;
  }

  function photos(li, card) {
    if (!card.photos.length) return;
    const grid = el("div", "photos", undefined, "assignment-photos");
    card.photos.forEach((p) => {
      const a = el("a");
      a.href = p.url;
      const img = el("img", "", undefined, "assignment-photo");
      img.loading = "lazy";
      img.alt = t("Photo by {who}", { who: p.uploaded_by });
      img.src = p.url;
      a.append(img);
      grid.append(a);
    });
    li.append(grid);
  }

  function actions(li, card) {
    const bar = el("div", "actions", undefined, "assignment-actions");
    ["accept", "en_route", "on_scene", "resolve"].forEach((action) => {
      if (!card.alarms.some((a) => LEGAL[action](a))) return;
      const b = el("button", action === "resolve" ? "btn btn-go" : "btn btn-main",
        ACTION_TEXT[action], `act-${action}`);
      b.type = "button";
      b.addEventListener("click", () => (action === "resolve" ? resolveForm(card, li) : run(card, action)));
      bar.append(b);
    });
    if (card.alarms.length) {
      const label = el("label", "file-btn", t("Add photo"), "photo-button");
      const input = el("input", "", undefined, "photo-input");
      input.type = "file";
      input.accept = "image/*";
      input.setAttribute("capture", "environment");
      input.addEventListener("change", () => upload(card, input));
      label.append(input);
      bar.append(label);
    }
    li.append(bar);
  }

  let loading = null;
  let shownDuty = null;
  async function refresh() {
    if (loading) return loading;
    loading = (async () => {
      const r = await api("GET", "/api/field/assignments");
      if (r.ok) {
        duty = { on_duty: r.data.on_duty, unit: r.data.unit, since: r.data.since };
        items = r.data.items;
        const key = `${duty.on_duty}|${duty.unit}`;
        if (key !== shownDuty) { shownDuty = key; showDuty(); }
        render();
      } else if (r.status === 0) setStatus("reconnecting", t("Offline"));
    })();
    try { await loading; } finally { loading = null; }
  }

  /* ---- live: SSE, reconnected with backoff (1 s doubling to 30 s); a poll as a backstop ---- */
  function setStatus(state, text) {
    const s = $('[data-testid="stream-status"]');
    s.dataset.state = state;
    s.querySelector(".label").textContent = text;
  }

  let timer = null;
  function soon() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 250);
  }

  function connect(delay) {
    const source = new EventSource("/api/events/stream");
    source.addEventListener("ready", () => { delay = 1000; setStatus("connected", t("Live")); refresh(); });
    source.addEventListener("alarm", (m) => {
      const a = JSON.parse(m.data);
      if (duty.unit && (a.unit === duty.unit || items.some((c) => c.alarms.some((x) => x.id === a.id)))) soon();
    });
    source.addEventListener("incident", soon);
    source.onerror = () => {
      source.close();
      setStatus("reconnecting", t("Reconnecting in {s} s…", { s: Math.round(delay / 1000) }));
      setTimeout(() => connect(Math.min(delay * 2, 30000)), delay);
    };
  }

  if ("serviceWorker" in navigator && window.isSecureContext) {
    navigator.serviceWorker.register("/field/sw.js", { scope: "/field" }).catch(() => {});
  }
  window.addEventListener("online", () => refresh());
  document.addEventListener("visibilitychange", () => { if (!document.hidden) refresh(); });
  setInterval(refresh, POLL_MS);
  refresh();
  connect(1000);
})();

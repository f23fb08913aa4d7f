/* The operator queue: unhandled first, by priority then age, with live counters,
   live changes over SSE, keyboard actions, sound and desktop alerts (opt-in). */
"use strict";

(function () {
  const kz = window.kz;
  const { el, label, api } = kz;
  const PAGE = 200;
  const rows = document.querySelector('[data-testid="queue-rows"]');
  const filters = document.querySelector('[data-testid="queue-filters"]');
  const more = document.querySelector('[data-testid="queue-more"]');
  const detail = document.querySelector('[data-testid="alarm-detail"]');
  const groupButton = document.querySelector('[data-testid="group-selected"]');
  const notifyToggle = document.querySelector('[data-testid="notify-toggle"]');
  const chime = new Audio("/static/alarm.wav");
  let alarms = [];
  let cursor = null;
  let current = null; /* id of the highlighted alarm */
  const picked = new Set();
  window.__queue = { sounds: 0, notifications: 0, loadedAt: null };

  /* ---- filters ---- */

  function wanted() {
    const form = new FormData(filters);
    const site = form.get("site");
    return {
      states: form.getAll("state"), priorities: form.getAll("priority"), kind: form.get("kind") || "",
      camera: form.get("camera") || "", queue: form.get("queue") || "", sectors: form.getAll("sector"),
      siteCameras: site ? kz.choices.cameras.filter((c) => c.site === site).map((c) => c.id) : null,
    };
  }

  function query(w) {
    const q = new URLSearchParams();
    w.states.forEach((s) => q.append("state", s));
    w.priorities.forEach((p) => q.append("priority", p));
    if (w.kind) q.append("kind", w.kind);
    if (w.camera) q.append("camera", w.camera);
    else if (w.siteCameras) w.siteCameras.forEach((c) => q.append("camera", c));
    if (w.queue) q.append("queue", w.queue);
    w.sectors.forEach((s) => q.append("sector", s));
    q.append("limit", String(PAGE));
    return q;
  }

  function matches(a, w) {
    if (w.states.length && !w.states.includes(a.state)) return false;
    if (w.priorities.length && !w.priorities.includes(a.priority)) return false;
    if (w.kind && a.kind !== w.kind) return false;
    if (w.camera && a.camera_id !== w.camera) return false;
    if (!w.camera && w.siteCameras && !w.siteCameras.includes(a.camera_id)) return false;
    if (w.sectors.length && !w.sectors.includes(a.sector)) return false;
    return !(w.queue && a.queue !== w.queue);
  }

  async function load(append) {
    const w = wanted();
    if (w.siteCameras && !w.siteCameras.length) { alarms = []; render(); return; }
    const q = query(w);
    if (append && cursor) q.append("cursor", cursor);
    const answer = await api("GET", `/api/alarms?${q}`);
    if (!answer.ok) { kz.message(answer.message, "error"); return; }
    alarms = append ? alarms.concat(answer.data.items) : answer.data.items;
    cursor = answer.data.next_cursor;
    render();
    window.__queue.loadedAt = performance.now();
  }

  /* ---- rows ---- */

  function inQueue(a) {
    const opened = Date.parse(a.opened_at);
    if (a.state === "new" || a.state === "skipped") return (Date.now() - opened) / 1000;
    return a.acknowledged_at ? (Date.parse(a.acknowledged_at) - opened) / 1000 : null;
  }

  function dueText(a) {
    if (a.state !== "new" || !a.ack_due_at) return "";
    const left = (Date.parse(a.ack_due_at) - Date.now()) / 1000;
    return left >= 0 ? `ack in ${kz.duration(left)}` : "ack overdue";
  }

  function row(a) {
    const tr = el("tr", `q-row prio-row-${a.priority} st-${a.state}`, undefined, "queue-row");
    tr.dataset.alarmId = a.id;
    tr.dataset.state = a.state;
    tr.dataset.priority = a.priority;
    tr.classList.toggle("current", a.id === current);
    const box = el("input", "pick", undefined, "queue-pick");
    box.type = "checkbox";
    box.checked = picked.has(a.id);
    box.addEventListener("click", (e) => { e.stopPropagation(); toggle(a.id); });
    const cell = (node) => { const td = el("td"); td.append(node); tr.append(td); return td; };
    cell(box);
    cell(kz.badges(a));
    cell(el("span", "kind", label(a.kind), "queue-kind"));
    cell(el("span", "camera", kz.cameraNames[a.camera_id] || a.camera_id, "queue-camera"));
    cell(kz.time(a.opened_at, "queue-opened"));
    const counter = el("span", "counter", "", "queue-age");
    const due = el("span", "due", "", "queue-due");
    const td = cell(counter);
    td.append(due);
    cell(el("span", "owner", [a.owner, a.unit].filter(Boolean).join(" · ") || "–", "queue-owner"));
    const inc = a.incident_id ? el("a", "inc-link", "incident", "queue-incident") : el("span", "muted", "–");
    if (a.incident_id) inc.href = `/incidents/${encodeURIComponent(a.incident_id)}`;
    cell(inc);
    const video = el("a", "video-link", "▶ video", "queue-video");
    video.href = kz.recordingUrl(a.camera_id, a.event_at);
    video.title = "recorded video at the moment of the event";
    cell(video);
    tr.addEventListener("click", () => select(a.id));
    return tr;
  }

  function render() {
    rows.replaceChildren(...alarms.map(row));
    document.querySelector('[data-testid="queue-count"]').textContent = String(alarms.length) + (cursor ? "+" : "");
    document.querySelector('[data-testid="queue-empty"]').hidden = alarms.length > 0;
    more.hidden = !cursor;
    groupButton.disabled = picked.size < 2;
    tick();
    if (current) showDetail(alarms.find((a) => a.id === current));
  }

  function tick() {
    rows.querySelectorAll('[data-testid="queue-row"]').forEach((tr) => {
      const a = alarms.find((x) => x.id === tr.dataset.alarmId);
      if (!a) return;
      const s = inQueue(a);
      tr.querySelector('[data-testid="queue-age"]').textContent = s === null ? "–" : kz.duration(s);
      tr.querySelector('[data-testid="queue-due"]').textContent = dueText(a);
    });
  }

  function upsert(a) {
    const w = wanted();
    alarms = alarms.filter((x) => x.id !== a.id);
    if (matches(a, w)) {
      let i = 0;
      while (i < alarms.length && kz.before(alarms[i], a)) i += 1;
      if (i < alarms.length || !cursor) alarms.splice(i, 0, a);
    }
    render();
  }

  /* ---- selection, detail and actions ---- */

  function select(id) {
    current = id;
    rows.querySelectorAll('[data-testid="queue-row"]').forEach((tr) => tr.classList.toggle("current", tr.dataset.alarmId === id));
    const tr = rows.querySelector(`[data-alarm-id="${CSS.escape(id)}"]`);
    if (tr) tr.scrollIntoView({ block: "nearest" });
    showDetail(alarms.find((a) => a.id === id), true);
  }

  function toggle(id) {
    if (picked.has(id)) picked.delete(id); else picked.add(id);
    render();
  }

  function showDetail(a, fresh) {
    if (!a) { detail.hidden = true; return; }
    const shown = detail.dataset.detailId === a.id && !fresh;
    detail.hidden = false;
    detail.dataset.detailId = a.id;
    const head = el("h2", "d-title", `${label(a.kind)} · ${kz.cameraNames[a.camera_id] || a.camera_id}`, "detail-title");
    const facts = el("p", "d-facts");
    facts.append(kz.badges(a), " opened ", kz.time(a.opened_at), a.owner ? ` · owner ${a.owner}` : "",
      a.unit ? ` · unit ${a.unit}` : "", a.verdict ? ` · verdict ${label(a.verdict)}` : "");
    const links = el("p", "d-links");
    const ev = el("a", "", "event details", "detail-event");
    ev.href = `/events/${encodeURIComponent(a.id)}`;
    const video = el("a", "", "▶ video at this moment", "detail-video");
    video.href = kz.recordingUrl(a.camera_id, a.event_at);
    links.append(ev, " · ", video);
    if (a.incident_id) {
      const inc = el("a", "", "open its incident", "detail-incident");
      inc.href = `/incidents/${encodeURIComponent(a.incident_id)}`;
      links.append(" · ", inc);
    }
    const parts = [head, facts, links, kz.actionBar(a, run)];
    if (a.kind === "citizen_report" && window.kuzetCitizen) parts.push(window.kuzetCitizen.detail(a));
    const old = detail.querySelector('[data-testid="detail-snapshot"]');
    if (shown && old) parts.splice(2, 0, old);
    else {
      const img = el("img", "d-snap", undefined, "detail-snapshot");
      img.alt = "snapshot (faces and plates blurred unless unmasked)";
      img.src = `/api/events/${encodeURIComponent(a.id)}/snapshot.jpg`;
      img.addEventListener("error", () => { img.hidden = true; });
      parts.splice(2, 0, img);
    }
    detail.replaceChildren(...parts);
  }

  async function run(a, action) {
    const answer = await kz.act(a, action);
    if (answer === null) return;
    if (!answer.ok) {
      kz.message(`${answer.status === 409 ? "Conflict: " : ""}${answer.message}`, "error");
      const fresh = await api("GET", `/api/alarms/${encodeURIComponent(a.id)}`);
      if (fresh.ok) upsert(fresh.data);
      return;
    }
    kz.message(`${label(action)}: done`, "ok");
    upsert(answer.data);
  }

  /* ---- incidents ---- */

  async function loadIncidents() {
    const answer = await api("GET", "/api/incidents?state=open&limit=30");
    if (!answer.ok) return;
    const list = document.querySelector('[data-testid="incident-list"]');
    list.replaceChildren(...answer.data.items.map((i) => {
      const li = el("li", `inc prio-row-${i.priority}`, undefined, "incident-item");
      li.dataset.incidentId = i.id;
      const a = el("a", "", `${label(i.type)} · ${i.priority}`);
      a.href = `/incidents/${encodeURIComponent(i.id)}`;
      li.append(a, el("span", "muted", ` ${i.location || i.cameras.map((c) => kz.cameraNames[c] || c).join(", ")}`));
      return li;
    }));
    document.querySelector('[data-testid="incident-count"]').textContent = String(answer.data.items.length);
  }

  async function groupPicked() {
    const chosen = alarms.filter((a) => picked.has(a.id));
    if (chosen.length < 2) return;
    const top = chosen.reduce((p, a) => (kz.PRIO_RANK[a.priority] < kz.PRIO_RANK[p.priority] ? a : p));
    const body = { type: top.kind, priority: top.priority, alarm_ids: chosen.map((a) => a.id),
      description: `grouped by ${kz.me.username} from the queue` };
    const answer = await api("POST", "/api/incidents", body);
    if (!answer.ok) { kz.message(answer.message, "error"); return; }
    picked.clear();
    kz.message(`Incident created with ${chosen.length} alarms`, "ok");
    const box = document.querySelector('[data-testid="page-message"]');
    const link = el("a", "", " open it", "message-incident");
    link.href = `/incidents/${encodeURIComponent(answer.data.id)}`;
    box.append(link);
    answer.data.alarms.forEach(upsert);
    loadIncidents();
  }

  function newIncident() {
    const d = document.querySelector('[data-testid="incident-dialog"]');
    const form = d.querySelector("form");
    d.querySelector('[data-testid="incident-cancel"]').onclick = () => d.close("cancel");
    d.addEventListener("close", async () => {
      if (d.returnValue !== "ok") return;
      const f = new FormData(form);
      const body = { type: f.get("type"), priority: f.get("priority") };
      if (f.get("location")) body.location = f.get("location");
      if (f.get("description")) body.description = f.get("description");
      const answer = await api("POST", "/api/incidents", body);
      if (!answer.ok) { kz.message(answer.message, "error"); return; }
      window.location.href = `/incidents/${encodeURIComponent(answer.data.id)}`;
    }, { once: true });
    d.showModal();
  }

  /* ---- sound and desktop notification (opt-in) ---- */

  function alertNew(a) {
    if (!notifyToggle.checked || !["high", "critical"].includes(a.priority)) return;
    window.__queue.sounds += 1;
    chime.currentTime = 0;
    chime.play().catch(() => {});
    if ("Notification" in window && Notification.permission === "granted") {
      window.__queue.notifications += 1;
      const n = new Notification(`${a.priority.toUpperCase()}: ${label(a.kind)}`, {
        body: `${kz.cameraNames[a.camera_id] || a.camera_id} · ${window.kuzet.formatTime(a.opened_at)}`,
        tag: a.id,
      });
      n.onclick = () => { window.focus(); select(a.id); };
    }
  }

  notifyToggle.checked = localStorage.getItem("kuzet.notify") === "1";
  notifyToggle.addEventListener("change", async () => {
    localStorage.setItem("kuzet.notify", notifyToggle.checked ? "1" : "0");
    if (notifyToggle.checked && "Notification" in window && Notification.permission === "default") {
      await Notification.requestPermission();
    }
  });

  /* ---- keyboard ---- */

  function move(step) {
    if (!alarms.length) return;
    const i = alarms.findIndex((a) => a.id === current);
    const next = Math.min(alarms.length - 1, Math.max(0, i < 0 ? 0 : i + step));
    select(alarms[next].id);
  }

  const KEYS = {
    j: () => move(1), k: () => move(-1), x: () => current && toggle(current), g: groupPicked,
    a: () => withCurrent("acknowledge"), r: () => withCurrent("resolve"),
    d: () => withCurrent("dispatch"), c: () => withCurrent("comment"),
    Enter: () => {
      const a = alarms.find((x) => x.id === current);
      if (a && a.incident_id) window.location.href = `/incidents/${encodeURIComponent(a.incident_id)}`;
    },
  };

  function withCurrent(action) {
    const a = alarms.find((x) => x.id === current);
    if (a) run(a, action);
  }

  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.target.closest('input:not([type="checkbox"]), select, textarea, dialog')) return;
    if (e.key === "Enter" && e.target.closest("button, a")) return;
    const handler = KEYS[e.key];
    if (handler) { e.preventDefault(); handler(); }
  });

  /* The sector choice lives in the page's URL (?sector=, repeatable): a reload or a
     shared link opens the same sectors. */
  function keepSectorsInUrl() {
    const url = new URL(window.location.href);
    url.searchParams.delete("sector");
    wanted().sectors.forEach((s) => url.searchParams.append("sector", s));
    window.history.replaceState(null, "", url);
  }

  filters.addEventListener("change", (e) => {
    if (e.target === notifyToggle) return;
    if (e.target.name === "sector") keepSectorsInUrl();
    load(false);
  });
  more.addEventListener("click", () => load(true));
  groupButton.addEventListener("click", groupPicked);
  document.querySelector('[data-testid="new-incident"]').addEventListener("click", newIncident);
  setInterval(tick, 1000);
  kz.stream({
    onReady: () => { load(false); loadIncidents(); },
    onAlarm: (a) => { upsert(a); if (a.action === "open") alertNew(a); },
    onIncident: () => loadIncidents(),
  });
})();

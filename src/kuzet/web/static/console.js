/* Operations console: camera health refresh, live alert list over SSE. */
"use strict";

(function () {
  const HEALTH_REFRESH_MS = 3000;
  const MAX_ALERTS = 200;
  const list = document.querySelector('[data-testid="alert-list"]');
  const empty = document.querySelector('[data-testid="alert-empty"]');
  const openCount = document.querySelector('[data-testid="alert-count"]');
  const streamStatus = document.querySelector('[data-testid="stream-status"]');
  const alertsOnly = document.querySelector('[data-testid="alerts-only"]');
  const cameraNames = {};
  document.querySelectorAll('[data-testid="camera-tile"]').forEach((tile) => {
    cameraNames[tile.dataset.cameraId] = tile.dataset.cameraName;
  });

  /* ---- alerts ---- */

  function el(tag, cls, text, testid) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    if (testid) node.dataset.testid = testid;
    return node;
  }

  // "fight · mass brawl", "smoking (experimental)"; other kinds as named.
  function kindLabel(ev) {
    const attrs = ev.attrs || {};
    const kind = ev.kind.replace(/_/g, " ");
    if (attrs.mass_brawl) return `${kind} · mass brawl`;
    if (attrs.experimental) return `${kind} (experimental)`;
    return kind;
  }

  function renderAlert(ev) {
    const li = el("li", `alert-item sev-${ev.severity} status-${ev.status}`, undefined, "alert-item");
    li.dataset.eventId = ev.id;
    li.dataset.status = ev.status;
    li.dataset.severity = ev.severity;
    li.dataset.startedAt = ev.started_at;
    const a = el("a", "alert-link");
    a.href = `/events/${encodeURIComponent(ev.id)}`;
    const top = el("div", "alert-top");
    top.append(el("span", "alert-kind", kindLabel(ev), "alert-kind"));
    top.append(el("span", `pill status status-${ev.status}`, ev.status, "alert-status"));
    const meta = el("div", "alert-meta");
    meta.append(el("span", "alert-camera", cameraNames[ev.camera_id] || ev.camera_id, "alert-camera"));
    const time = el("time", "alert-time", window.kuzet.formatClock(ev.started_at), "alert-time");
    time.dateTime = ev.started_at;
    time.title = window.kuzet.formatTime(ev.started_at);
    meta.append(time);
    const labels = el("div", "alert-labels");
    (ev.labels || []).forEach((l) => labels.append(el("span", "chip", l)));
    labels.append(el("span", "alert-rule muted", ev.rule_id));
    a.append(top, meta, labels);
    li.append(a);
    return li;
  }

  function insertSorted(li, startedAt) {
    for (const other of list.children) {
      if (other.dataset.startedAt < startedAt) { list.insertBefore(li, other); return; }
    }
    list.append(li);
  }

  function refreshCounts() {
    const items = list.querySelectorAll('[data-testid="alert-item"]');
    const open = list.querySelectorAll('[data-testid="alert-item"][data-status="open"]:not(.sev-detection)');
    openCount.textContent = String(open.length);
    empty.hidden = items.length > 0;
    while (list.children.length > MAX_ALERTS) list.lastElementChild.remove();
  }

  function upsertAlert(ev, fresh) {
    const li = renderAlert(ev);
    const old = list.querySelector(`[data-event-id="${CSS.escape(ev.id)}"]`);
    if (old) {
      old.replaceWith(li);
    } else {
      insertSorted(li, ev.started_at);
      if (fresh) { li.classList.add("fresh"); setTimeout(() => li.classList.remove("fresh"), 4000); }
    }
    refreshCounts();
  }

  async function loadRecent() {
    const resp = await fetch("/api/events?limit=50", { headers: { Accept: "application/json" } });
    if (!resp.ok) return;
    const page = await resp.json();
    page.items.forEach((ev) => upsertAlert(ev, false));
  }

  function setStream(state, label) {
    streamStatus.dataset.state = state;
    streamStatus.querySelector(".label").textContent = label;
  }

  function connect() {
    const source = new EventSource("/api/events/stream");
    source.addEventListener("ready", () => { setStream("connected", "Live"); loadRecent(); });
    ["open", "update", "close"].forEach((phase) => {
      source.addEventListener(phase, (msg) => {
        if (!msg.data) return; /* "open" is also the connection-opened event */
        upsertAlert(JSON.parse(msg.data), true);
      });
    });
    source.onerror = () => setStream("reconnecting", "Reconnecting…");
  }

  alertsOnly.addEventListener("change", () => {
    list.classList.toggle("alerts-only", alertsOnly.checked);
  });

  /* ---- cameras ---- */

  function updateTile(cam) {
    const tile = document.querySelector(`[data-testid="camera-tile"][data-camera-id="${CSS.escape(cam.id)}"]`);
    if (!tile || !cam.health) return;
    const h = cam.health;
    const badge = tile.querySelector('[data-testid="camera-health"]');
    badge.dataset.state = h.state;
    badge.textContent = h.state;
    tile.dataset.state = h.state;
    tile.querySelector('[data-testid="camera-health-reason"]').textContent =
      h.state === "online" ? "" : h.reason || "";
    tile.querySelector('[data-testid="camera-frame-age"]').textContent = window.kuzet.formatAge(h.last_frame_age_s);
    tile.querySelector('[data-testid="camera-fps"]').textContent =
      h.fps_in ? `${h.fps_in.toFixed(1)} fps` : "";
  }

  async function refreshCameras() {
    try {
      const resp = await fetch("/api/cameras");
      if (resp.ok) (await resp.json()).items.forEach(updateTile);
    } catch (err) { /* server restarting: try again on the next tick */ }
  }

  /* ---- live grid: paged, JPEG polling ----
   * A tile fetches its camera's newest frame (live.jpg?after=<seq>; 204 when nothing is
   * newer) every POLL_MS, at most MAX_INFLIGHT requests at a time, so the grid never
   * holds more than those of the browser's ~6 connections per host and the API stays
   * responsive. Only the tiles of the shown page poll. */
  const POLL_MS = 500;
  const RETRY_MS = 3000;
  const MAX_INFLIGHT = 3;
  const grid = document.querySelector('[data-testid="camera-grid"]');
  const allTiles = [...document.querySelectorAll('[data-testid="camera-tile"]')];
  const feeds = allTiles.map((tile) => ({
    tile, img: tile.querySelector('[data-testid="camera-live"]'), seq: null, due: 0, busy: false, url: null,
  }));
  let inflight = 0;
  let page = 0;

  async function poll(feed) {
    feed.busy = true;
    inflight += 1;
    const view = feed.img.closest(".camera-view");
    let wait = POLL_MS;
    try {
      const q = feed.seq === null ? "" : `?after=${feed.seq}`;
      const resp = await fetch(feed.img.dataset.poll + q, { cache: "no-store", credentials: "same-origin" });
      if (resp.status === 200) {
        feed.seq = resp.headers.get("X-Kuzet-Seq");
        const url = URL.createObjectURL(await resp.blob());
        const old = feed.url;
        feed.url = url;
        feed.img.src = url;
        if (old) URL.revokeObjectURL(old);
        view.classList.add("has-video");
      } else if (resp.status !== 204) {
        view.classList.remove("has-video");
        wait = RETRY_MS;
      }
    } catch (err) {
      wait = RETRY_MS;  /* server restarting: try again later */
    } finally {
      feed.busy = false;
      inflight -= 1;
      feed.due = performance.now() + wait;
    }
  }

  function schedule() {
    if (document.hidden) return;
    const now = performance.now();
    const ready = feeds.filter((f) => !f.tile.hidden && !f.busy && f.due <= now)
      .sort((a, b) => a.due - b.due);
    for (const feed of ready) {
      if (inflight >= MAX_INFLIGHT) break;
      poll(feed);
    }
  }

  function layout() {
    if (!feeds.length) return;
    const sizeSel = document.querySelector('[data-testid="grid-size"]');
    const cols = Number(sizeSel.value);
    const per = cols * cols;
    const pages = Math.max(1, Math.ceil(feeds.length / per));
    page = Math.min(Math.max(0, page), pages - 1);
    grid.dataset.cols = String(cols);
    feeds.forEach((f, i) => { f.tile.hidden = Math.floor(i / per) !== page; });
    document.querySelector('[data-testid="grid-page"]').textContent = `${page + 1} / ${pages}`;
    document.querySelector('[data-testid="grid-prev"]').disabled = page === 0;
    document.querySelector('[data-testid="grid-next"]').disabled = page >= pages - 1;
    localStorage.setItem("kuzet.grid", String(cols));
  }

  function setupGrid() {
    if (!feeds.length) return;
    const sizeSel = document.querySelector('[data-testid="grid-size"]');
    const saved = Number(localStorage.getItem("kuzet.grid"));
    const auto = Math.min(4, Math.max(1, Math.ceil(Math.sqrt(feeds.length))));
    sizeSel.value = String(saved >= 1 && saved <= 4 ? saved : auto);
    sizeSel.addEventListener("change", () => { page = 0; layout(); });
    document.querySelector('[data-testid="grid-prev"]').addEventListener("click", () => { page -= 1; layout(); });
    document.querySelector('[data-testid="grid-next"]').addEventListener("click", () => { page += 1; layout(); });
    layout();
    setInterval(schedule, 50);
    schedule();
  }

  setupGrid();
  refreshCounts();
  refreshCameras();
  setInterval(refreshCameras, HEALTH_REFRESH_MS);
  loadRecent();
  connect();
})();

/* The map page: site plans (CRS.Simple over the plan image) and the geographic map (the
   deployment's GeoJSON and/or georeferenced image; no tiles), with cameras by health, open
   alarms and incidents by priority (live over SSE), sectors and field units. Admins place
   cameras by clicking and dragging (PUT /api/map/...). Drawing helpers: map_layers.js. */
"use strict";

(function () {
  const t = window.kuzet.t;
  const Z = window.kzmap;
  const choices = JSON.parse(document.getElementById("choices").textContent);
  const me = choices.me;
  const OPEN = ["new", "skipped", "acknowledged", "dispatched", "on_scene", "on_hold"];
  const $ = (sel) => document.querySelector(sel);
  const state = { plans: [], cameras: {}, alarms: {}, incidents: {}, units: null, geo: null,
    view: null, editing: false, selected: "" };
  const groups = {};
  let map = null;
  let drawPending = false;

  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)kuzet_csrf=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    const field = document.querySelector('input[name="csrf_token"]');
    return field ? field.value : "";
  }

  /* JSON (or FormData) to the API; resolves to {ok, status, data, message}. */
  async function api(method, url, body) {
    const opts = { method, headers: { Accept: "application/json" } };
    if (method !== "GET") opts.headers["X-CSRF-Token"] = csrfToken();
    if (body instanceof FormData) opts.body = body;
    else if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    let resp;
    try { resp = await fetch(url, opts); } catch (err) {
      return { ok: false, status: 0, data: null, message: t("the server cannot be reached") };
    }
    let data = null;
    try { data = await resp.json(); } catch (err) { data = null; }
    let message = "";
    if (!resp.ok) {
      const detail = data && data.detail;
      message = typeof detail === "string" ? detail
        : Array.isArray(detail) ? detail.map((d) => d.msg).join("; ") : `HTTP ${resp.status}`;
    }
    return { ok: resp.ok, status: resp.status, data, message };
  }

  function message(text, kind) {
    const box = $('[data-testid="page-message"]');
    box.textContent = text || "";
    box.dataset.kind = kind || "info";
    box.hidden = !text;
  }

  function currentPlan() {
    return state.view && state.view.kind === "plan" ? state.plans.find((p) => p.id === state.view.id) : null;
  }

  /* Where a camera is in the current view: [lat, lng] or null. */
  function cameraPoint(camId) {
    const plan = currentPlan();
    if (plan) {
      const p = plan.cameras.find((c) => c.camera_id === camId);
      return p ? Z.planPoint(plan, p) : null;
    }
    const cam = state.cameras[camId];
    return cam && cam.geo ? [cam.geo.lat, cam.geo.lon] : null;
  }

  function layerOn(name) {
    const box = document.querySelector(`[data-testid="map-layers"] input[name="${name}"]`);
    return box ? box.checked : false;
  }

  function scheduleDraw() {
    if (drawPending) return;
    drawPending = true;
    requestAnimationFrame(() => { drawPending = false; draw(); });
  }

  function drawCameras(plan) {
    const placed = plan ? plan.cameras.map((p) => [p, state.cameras[p.camera_id]])
      : Object.values(state.cameras).filter((c) => c.geo).map((c) => [c.geo, c]);
    let shown = 0;
    placed.forEach(([placement, cam]) => {
      if (!cam) return;
      shown += 1;
      const cone = plan ? Z.planCone(plan, placement) : Z.geoCone(placement);
      L.polygon(cone, { className: `map-cone state-${(cam.health && cam.health.state) || "unknown"}`,
        weight: 1, interactive: false }).addTo(groups.cones);
      const point = plan ? Z.planPoint(plan, placement) : [placement.lat, placement.lon];
      const marker = L.marker(point, { icon: Z.cameraIcon(cam, state.selected === cam.id),
        draggable: state.editing, keyboard: true, zIndexOffset: 100 }).addTo(groups.cameras);
      marker.on("click", () => cameraClicked(cam, marker));
      marker.on("dragend", () => moved(cam.id, marker.getLatLng()));
    });
    return shown;
  }

  function drawAlarms() {
    let shown = 0;
    Object.entries(Z.alarmsByCamera(state.alarms)).forEach(([camId, list]) => {
      const point = cameraPoint(camId);
      if (!point) return;
      list.forEach((alarm, k) => {
        shown += 1;
        const marker = L.marker(point, { icon: Z.alarmIcon(alarm, k), zIndexOffset: 500 + k,
          keyboard: false }).addTo(groups.alarms);
        marker.on("click", () => { window.location.href = Z.alarmHref(alarm); });
      });
    });
    return shown;
  }

  function drawGeoExtras() {
    Object.values(state.incidents).forEach((inc) => {
      if (inc.lat === null || inc.lon === null || inc.state !== "open") return;
      L.marker([inc.lat, inc.lon], { icon: Z.incidentIcon(inc), zIndexOffset: 400 })
        .on("click", () => { window.location.href = `/incidents/${encodeURIComponent(inc.id)}`; })
        .addTo(groups.incidents);
    });
    (state.geo ? state.geo.sectors : []).forEach((s) => {
      L.polygon(s.area, { className: "map-sector", weight: 2 })
        .bindTooltip(Z.esc(s.name), { sticky: true }).addTo(groups.sectors);
    });
    (state.units || []).forEach((u) => {
      if (typeof u.lat !== "number" || typeof u.lon !== "number") return;
      if (u.accuracy_m) L.circle([u.lat, u.lon], { radius: u.accuracy_m, className: "map-unit-accuracy",
        weight: 1, interactive: false }).addTo(groups.units);
      L.marker([u.lat, u.lon], { icon: Z.unitIcon(u), zIndexOffset: 300 })
        .bindPopup(Z.unitText(u)).addTo(groups.units);
    });
  }

  function draw() {
    if (!map) return;
    Object.values(groups).forEach((g) => g.clearLayers());
    const plan = currentPlan();
    const cams = drawCameras(plan);
    const alarms = me.alarms ? drawAlarms() : 0;
    if (!plan) drawGeoExtras();
    ["cameras", "cones", "alarms", "incidents", "sectors", "units"].forEach((name) => {
      if (layerOn(name)) groups[name].addTo(map); else groups[name].remove();
    });
    $('[data-testid="map-counts"]').textContent = t("Cameras placed: {cameras} · open alarms: {alarms}",
      { cameras: cams, alarms });
  }

  function cameraClicked(cam, marker) {
    if (state.editing) { select(cam.id); return; }
    if (cam.live_url) { window.location.href = cam.live_url; return; }
    marker.bindPopup(`<strong>${Z.esc(cam.name)}</strong><br>${Z.esc(Z.healthText(cam))}`).openPopup();
  }

  function geoBounds() {
    const pts = [];
    const g = state.geo || {};
    if (g.geojson && g.geojson.bounds) { const b = g.geojson.bounds; pts.push([b[0], b[1]], [b[2], b[3]]); }
    if (g.raster) pts.push(...g.raster.bounds);
    Object.values(state.cameras).forEach((c) => { if (c.geo) pts.push([c.geo.lat, c.geo.lon]); });
    Object.values(state.incidents).forEach((i) => { if (i.lat !== null && i.lon !== null) pts.push([i.lat, i.lon]); });
    (g.sectors || []).forEach((s) => pts.push(...s.area));
    return pts.length ? L.latLngBounds(pts) : null;
  }

  async function geoBase() {
    const g = state.geo;
    if (g.raster) L.imageOverlay(g.raster.url, g.raster.bounds, { opacity: g.raster.opacity }).addTo(map);
    if (g.geojson) {
      const r = await api("GET", g.geojson.url);
      if (r.ok && map && state.view.kind === "geo") {
        L.geoJSON(r.data, { className: "map-base", style: () => ({ className: "map-base", weight: 2 }),
          pointToLayer: (f, ll) => L.circleMarker(ll, { radius: 3, className: "map-base" }) })
          .addTo(map).bringToBack();
      } else if (!r.ok) message(r.message, "error");
    }
    const bounds = geoBounds();
    if (g.center) map.setView(g.center, g.zoom);
    else if (bounds) map.fitBounds(bounds.pad(0.1), { maxZoom: 18 });
    else map.setView([0, 0], 2);
    const empty = !g.configured;
    $('[data-testid="map-empty"]').hidden = !empty;
    $('[data-testid="map-empty-text"]').textContent = empty ? t("No map data is configured. An "
      + "administrator can name a GeoJSON file of streets and districts (map.geojson) or a "
      + "georeferenced image (map.raster) in the configuration; no tile server is used.") : "";
    if (g.errors && g.errors.length) message(g.errors.join("; "), "error");
  }

  function showView(view) {
    state.view = view;
    if (map) { map.remove(); map = null; }
    const box = $("#map");
    const plan = view.kind === "plan" ? state.plans.find((p) => p.id === view.id) : null;
    box.dataset.view = plan ? `plan:${plan.id}` : "geo";
    document.body.dataset.mapView = plan ? "plan" : "geo";
    $('[data-testid="map-empty"]').hidden = true;
    message("");
    if (plan) {
      map = L.map(box, { crs: L.CRS.Simple, minZoom: -5, maxZoom: 4, zoomSnap: 0.25, attributionControl: false });
      const bounds = [[0, 0], [plan.height, plan.width]];
      L.imageOverlay(plan.image_url, bounds, { className: "plan-image" }).addTo(map);
      map.fitBounds(bounds);
      $('[data-testid="map-title"]').textContent = plan.site ? `${plan.name} · ${plan.site}` : plan.name;
    } else {
      map = L.map(box, { attributionControl: false, worldCopyJump: true });
      $('[data-testid="map-title"]').textContent = t("Geographic map");
    }
    Object.keys(groups).forEach((k) => delete groups[k]);
    ["sectors", "cones", "units", "incidents", "cameras", "alarms"].forEach((name) => { groups[name] = L.layerGroup(); });
    map.on("click", (e) => placeAt(e.latlng));
    document.querySelectorAll('[data-testid="map-view"]').forEach((b) => {
      b.setAttribute("aria-current", String(b.dataset.view === box.dataset.view));
    });
    history.replaceState(null, "", `#${box.dataset.view}`);
    fillPlacement();
    draw();
    if (!plan) geoBase();
  }

  function renderViews() {
    const list = $('[data-testid="map-views"]');
    list.replaceChildren();
    const add = (view, text) => {
      const li = document.createElement("li");
      const b = document.createElement("button");
      b.type = "button";
      b.dataset.testid = "map-view";
      b.dataset.view = view.kind === "plan" ? `plan:${view.id}` : "geo";
      b.textContent = text;
      b.addEventListener("click", () => showView(view));
      li.append(b);
      list.append(li);
    };
    state.plans.forEach((p) => add({ kind: "plan", id: p.id }, p.name));
    add({ kind: "geo" }, t("Geographic map"));
    $('[data-testid="map-no-plans"]').hidden = state.plans.length > 0;
  }

  /* --- editing (manage_cameras) --- */

  function placementOf(camId) {
    const plan = currentPlan();
    if (plan) return plan.cameras.find((c) => c.camera_id === camId) || null;
    const cam = state.cameras[camId];
    return cam ? cam.geo : null;
  }

  function fillPlacement() {
    const form = $('[data-testid="placement-form"]');
    if (!form) return;
    const plan = currentPlan();
    const range = form.elements.range;
    range.max = plan ? "1" : "10000";
    range.step = plan ? "0.01" : "1";
    const p = placementOf(form.elements.camera.value);
    form.elements.heading.value = p ? Math.round(p.heading) : 0;
    form.elements.fov.value = p ? Math.round(p.fov) : 60;
    range.value = p ? (plan ? p.range : Math.round(p.range_m)) : (plan ? 0.12 : 40);
  }

  function select(camId) {
    state.selected = camId;
    const form = $('[data-testid="placement-form"]');
    if (form) { form.elements.camera.value = camId; fillPlacement(); }
    scheduleDraw();
  }

  async function save(camId, point) {
    const form = $('[data-testid="placement-form"]');
    const plan = currentPlan();
    const heading = ((Number(form.elements.heading.value) % 360) + 360) % 360;
    const cone = { heading, fov: Number(form.elements.fov.value), };
    let r;
    if (plan) {
      const body = { ...Z.planXY(plan, point), ...cone, range: Number(form.elements.range.value) };
      r = await api("PUT", `/api/map/plans/${encodeURIComponent(plan.id)}/cameras/${encodeURIComponent(camId)}`, body);
      if (r.ok) plan.cameras = plan.cameras.filter((c) => c.camera_id !== camId).concat([r.data]);
    } else {
      const ll = L.latLng(point).wrap();
      const body = { lat: ll.lat, lon: ll.lng, ...cone, range_m: Number(form.elements.range.value) };
      r = await api("PUT", `/api/map/cameras/${encodeURIComponent(camId)}/geo`, body);
      if (r.ok) state.cameras[camId].geo = r.data;
    }
    message(r.ok ? t("Saved.") : r.message, r.ok ? "ok" : "error");
    scheduleDraw();
  }

  function placeAt(latlng) {
    const form = $('[data-testid="placement-form"]');
    if (!state.editing || !form || !form.elements.camera.value) return;
    save(form.elements.camera.value, latlng);
  }

  function moved(camId, latlng) {
    select(camId);
    save(camId, latlng);
  }

  function setUpEditing() {
    const toggle = $('[data-testid="edit-toggle"]');
    if (!toggle) return;
    const form = $('[data-testid="placement-form"]');
    const cams = Object.values(state.cameras);
    form.elements.camera.replaceChildren(...cams.map((c) => new Option(c.name, c.id)));
    toggle.addEventListener("change", () => {
      state.editing = toggle.checked;
      form.hidden = !toggle.checked;
      if (!state.editing) state.selected = "";
      else select(form.elements.camera.value);
      draw();
    });
    form.elements.camera.addEventListener("change", () => select(form.elements.camera.value));
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const at = cameraPoint(form.elements.camera.value);
      if (at) save(form.elements.camera.value, L.latLng(at));
      else message(t("Click the map to place this camera first."), "error");
    });
    $('[data-testid="placement-remove"]').addEventListener("click", removePlacement);
    $('[data-testid="plan-upload"]').addEventListener("submit", upload);
    $('[data-testid="plan-delete"]').addEventListener("click", deletePlan);
  }

  async function removePlacement() {
    const camId = $('[data-testid="placement-form"]').elements.camera.value;
    const plan = currentPlan();
    const url = plan ? `/api/map/plans/${encodeURIComponent(plan.id)}/cameras/${encodeURIComponent(camId)}`
      : `/api/map/cameras/${encodeURIComponent(camId)}/geo`;
    const r = await api("DELETE", url);
    if (r.ok && plan) plan.cameras = plan.cameras.filter((c) => c.camera_id !== camId);
    if (r.ok && !plan) state.cameras[camId].geo = null;
    message(r.ok ? t("Removed.") : r.message, r.ok ? "ok" : "error");
    scheduleDraw();
  }

  async function upload(e) {
    e.preventDefault();
    const form = e.target;
    const r = await api("POST", "/api/map/plans", new FormData(form));
    if (!r.ok) { message(r.message, "error"); return; }
    state.plans.push(r.data);
    state.plans.sort((a, b) => a.name.localeCompare(b.name));
    form.reset();
    renderViews();
    showView({ kind: "plan", id: r.data.id });
    message(t("Site plan uploaded: click the map to place cameras on it."), "ok");
  }

  async function deletePlan() {
    const plan = currentPlan();
    if (!plan || !window.confirm(t("Delete the site plan {name} and its camera places?", { name: plan.name }))) return;
    const r = await api("DELETE", `/api/map/plans/${encodeURIComponent(plan.id)}`);
    if (!r.ok) { message(r.message, "error"); return; }
    state.plans = state.plans.filter((p) => p.id !== plan.id);
    renderViews();
    showView(state.plans.length ? { kind: "plan", id: state.plans[0].id } : { kind: "geo" });
  }

  /* --- data and live updates --- */

  async function loadCameras() {
    const r = await api("GET", "/api/map/cameras");
    if (!r.ok) { message(r.message, "error"); return; }
    state.cameras = {};
    r.data.items.forEach((c) => { state.cameras[c.id] = c; });
  }

  /* Changes pushed while a reload is in flight: applied over its (older) answer. */
  const inFlight = new Set();

  function applied(items, changes) {
    const out = {};
    items.forEach((x) => { out[x.id] = x; });
    Object.entries(changes).forEach(([id, x]) => { if (x) out[id] = x; else delete out[id]; });
    return out;
  }

  async function loadAlarms() {
    if (!me.alarms) return;
    const seen = { alarms: {}, incidents: {} };
    inFlight.add(seen);
    const states = OPEN.map((s) => `state=${s}`).join("&");
    const [alarms, incidents] = await Promise.all([api("GET", `/api/alarms?${states}&limit=500`),
      api("GET", "/api/incidents?state=open&limit=200")]);
    inFlight.delete(seen);
    if (alarms.ok) state.alarms = applied(alarms.data.items, seen.alarms);
    if (incidents.ok) state.incidents = applied(incidents.data.items, seen.incidents);
  }

  function pushed(kind, item, open) {
    if (open) state[kind][item.id] = item; else delete state[kind][item.id];
    inFlight.forEach((seen) => { seen[kind][item.id] = open ? item : null; });
    scheduleDraw();
  }

  /* Field units' last positions; a server without the field app (404) has no such layer. */
  async function loadUnits() {
    const r = await api("GET", "/api/field/positions");
    const toggle = $('[data-testid="layer-units"]');
    if (!r.ok) { state.units = null; toggle.hidden = true; return; }
    state.units = Array.isArray(r.data) ? r.data : (r.data && r.data.items) || [];
    toggle.hidden = false;
  }

  function stream() {
    const status = $('[data-testid="stream-status"]');
    const set = (s, text) => { status.dataset.state = s; status.querySelector(".label").textContent = text; };
    if (!me.alarms) { set("connected", t("Cameras only")); return; }
    const source = new EventSource("/api/events/stream");
    source.addEventListener("ready", () => { set("connected", t("Live")); loadAlarms().then(scheduleDraw); });
    source.addEventListener("alarm", (m) => {
      const a = JSON.parse(m.data);
      pushed("alarms", a, OPEN.includes(a.state));
    });
    source.addEventListener("incident", (m) => {
      const i = JSON.parse(m.data);
      pushed("incidents", { ...(state.incidents[i.id] || {}), ...i }, i.state === "open");
    });
    source.onerror = () => set("reconnecting", t("Reconnecting…"));
  }

  async function start() {
    const [plans, geo] = await Promise.all([api("GET", "/api/map/plans"), api("GET", "/api/map/geo"),
      loadCameras(), loadAlarms(), loadUnits()]);
    if (!plans.ok || !geo.ok) { message(plans.message || geo.message, "error"); return; }
    state.plans = plans.data.items;
    state.geo = geo.data;
    renderViews();
    setUpEditing();
    const wanted = window.location.hash.slice(1);
    const plan = state.plans.find((p) => `plan:${p.id}` === wanted) || (wanted === "geo" ? null : state.plans[0]);
    showView(plan ? { kind: "plan", id: plan.id } : { kind: "geo" });
    document.querySelectorAll('[data-testid="map-layers"] input').forEach((box) => box.addEventListener("change", draw));
    stream();
    setInterval(() => loadCameras().then(scheduleDraw), 10000);
    setInterval(() => { if (state.units !== null) loadUnits().then(scheduleDraw); }, 15000);
  }

  start();
})();

/* Drawing helpers of the map page (map.js): positions, view cones and marker icons,
   on a site plan (Leaflet's CRS.Simple in image pixels, y up) or on the earth (WGS 84).
   Nothing here loads tiles: the page draws only the deployment's own data. */
"use strict";

window.kzmap = (function () {
  const t = window.kuzet.t;
  const M_PER_DEG = 111320; /* metres per degree of latitude (and of longitude at the equator) */
  const PRIO_RANK = { critical: 0, high: 1, medium: 2, low: 3 };
  /* Where a camera's alarm badges go, degrees clockwise from up (its name is below it). */
  const RING = [0, 45, -45, 90, -90, 135, -135];

  function esc(value) {
    return String(value === undefined || value === null ? "" : value).replace(/[&<>"']/g,
      (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  }

  function clamp01(v) { return Math.min(1, Math.max(0, v)); }

  /* A plan placement (x, y: 0-1 from the top left) as a CRS.Simple point, and back. */
  function planPoint(plan, p) { return [plan.height * (1 - p.y), plan.width * p.x]; }
  function planXY(plan, latlng) {
    return { x: clamp01(latlng.lng / plan.width), y: clamp01(1 - latlng.lat / plan.height) };
  }

  /* The outline of a view cone: the apex, then an arc from heading - fov/2 to heading + fov/2
     (degrees clockwise from up); offset(radians) gives [dlat, dlng] at the cone's range. */
  function cone(apex, heading, fov, offset) {
    const points = fov >= 360 ? [] : [apex];
    const steps = Math.max(6, Math.round(fov / 6));
    const start = heading - fov / 2;
    for (let i = 0; i <= steps; i += 1) {
      const d = offset(((start + (fov * i) / steps) * Math.PI) / 180);
      points.push([apex[0] + d[0], apex[1] + d[1]]);
    }
    return points;
  }

  function planCone(plan, p) {
    const r = p.range * Math.max(plan.width, plan.height);
    return cone(planPoint(plan, p), p.heading, p.fov, (a) => [Math.cos(a) * r, Math.sin(a) * r]);
  }

  function geoCone(g) {
    const cosLat = Math.max(0.01, Math.cos((g.lat * Math.PI) / 180));
    return cone([g.lat, g.lon], g.heading, g.fov, (a) => [
      (Math.cos(a) * g.range_m) / M_PER_DEG, (Math.sin(a) * g.range_m) / (M_PER_DEG * cosLat)]);
  }

  function healthState(cam) { return (cam.health && cam.health.state) || "unknown"; }

  function healthText(cam) {
    const state = healthState(cam);
    const names = { online: t("online"), degraded: t("degraded"), offline: t("offline"),
      starting: t("starting"), disabled: t("disabled"), unknown: t("no health report") };
    const reason = cam.health && cam.health.reason ? ` · ${cam.health.reason}` : "";
    return `${names[state] || state}${reason}`;
  }

  function cameraIcon(cam, selected) {
    const state = healthState(cam);
    const title = `${cam.name}: ${healthText(cam)}`;
    return L.divIcon({
      className: `map-cam-icon${selected ? " selected" : ""}`, iconSize: [20, 20], iconAnchor: [10, 10],
      html: `<span class="map-cam" data-testid="map-camera" data-camera-id="${esc(cam.id)}"`
        + ` data-state="${esc(state)}" title="${esc(title)}" role="link" tabindex="0"></span>`
        + `<span class="map-cam-label">${esc(cam.name)}</span>`,
    });
  }

  function alarmHref(alarm) {
    return alarm.incident_id ? `/incidents/${encodeURIComponent(alarm.incident_id)}`
      : `/events/${encodeURIComponent(alarm.event_id || alarm.id)}`;
  }

  /* An alarm badge beside its camera: the k-th alarm of a camera sits on a ring around it,
     the most urgent on top (pixel offsets, so the badges stay apart at every zoom). */
  function alarmIcon(alarm, k) {
    const size = 22;
    const angle = (RING[k % RING.length] * Math.PI) / 180;
    const dx = Math.sin(angle) * 30;
    const dy = -Math.cos(angle) * 30;
    const title = t("{priority} alarm: {kind} ({state})", {
      priority: t(alarm.priority), kind: String(alarm.kind).replace(/_/g, " "),
      state: t(String(alarm.state).replace(/_/g, " ")) });
    return L.divIcon({
      className: "map-alarm-icon", iconSize: [size, size], iconAnchor: [size / 2 - dx, size / 2 - dy],
      html: `<a class="map-alarm prio-${esc(alarm.priority)}" data-testid="map-alarm"`
        + ` data-alarm-id="${esc(alarm.id)}" data-priority="${esc(alarm.priority)}"`
        + ` href="${esc(alarmHref(alarm))}" title="${esc(title)}">!</a>`,
    });
  }

  function incidentIcon(incident) {
    const title = t("Incident: {type} ({priority})", { type: String(incident.type).replace(/_/g, " "),
      priority: t(incident.priority) });
    return L.divIcon({
      className: "map-incident-icon", iconSize: [22, 22], iconAnchor: [11, 11],
      html: `<a class="map-incident prio-${esc(incident.priority)}" data-testid="map-incident"`
        + ` data-incident-id="${esc(incident.id)}" href="/incidents/${encodeURIComponent(incident.id)}"`
        + ` title="${esc(title)}"><span>◆</span></a>`,
    });
  }

  function unitIcon(unit) {
    const label = unit.unit || unit.username || "";
    return L.divIcon({
      className: "map-unit-icon", iconSize: [16, 16], iconAnchor: [8, 8],
      html: `<span class="map-unit" data-testid="map-unit" title="${esc(label)}"></span>`
        + `<span class="map-unit-label">${esc(label)}</span>`,
    });
  }

  function unitText(unit) {
    const when = unit.at ? window.kuzet.formatTime(unit.at) : "";
    const accuracy = unit.accuracy_m ? t("± {m} m", { m: Math.round(unit.accuracy_m) }) : "";
    return [unit.unit, unit.username, accuracy, when ? `${when} ${window.kuzet.zone}` : ""]
      .filter(Boolean).map(esc).join("<br>");
  }

  /* Alarms by camera, most urgent first (the order of their badges on the ring). */
  function alarmsByCamera(alarms) {
    const groups = {};
    Object.values(alarms).forEach((a) => { (groups[a.camera_id] = groups[a.camera_id] || []).push(a); });
    Object.values(groups).forEach((list) => list.sort((a, b) =>
      (PRIO_RANK[a.priority] - PRIO_RANK[b.priority]) || String(a.opened_at).localeCompare(String(b.opened_at))));
    return groups;
  }

  return { esc, planPoint, planXY, planCone, geoCone, healthText, cameraIcon, alarmIcon, alarmHref,
    incidentIcon, unitIcon, unitText, alarmsByCamera, PRIO_RANK };
})();

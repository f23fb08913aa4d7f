/* The header's Unmask control: a reasoned, time-limited grant (POST/GET/DELETE /api/unmask),
   a countdown, and the "redacted" badges of live tiles and snapshots kept in step with it.
   The server enforces everything (redacted MJPEG re-checks the grant every 2 s); this only
   shows the state. */
"use strict";

(function () {
  const POLL_MS = 10000;
  const root = document.querySelector('[data-testid="unmask"]');
  const dialog = document.querySelector('[data-testid="unmask-dialog"]');
  if (!root || !dialog) return;
  const form = dialog.querySelector("form");
  const reason = dialog.querySelector('[data-testid="unmask-reason"]');
  const minutes = dialog.querySelector('[data-testid="unmask-minutes"]');
  const error = dialog.querySelector('[data-testid="unmask-error"]');
  const openButton = root.querySelector('[data-testid="unmask-open"]');
  const active = root.querySelector('[data-testid="unmask-active"]');
  const countdown = root.querySelector('[data-testid="unmask-countdown"]');
  const minReason = Number(root.dataset.minReason || 10);
  const maxMinutes = Number(root.dataset.maxMinutes || 15);
  let grants = [];
  let fetchedAt = 0; /* performance.now() when `grants` arrived */

  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)kuzet_csrf=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    const field = document.querySelector('input[name="csrf_token"]');
    return field ? field.value : "";
  }

  function errorText(body, status) {
    const detail = body && body.detail;
    if (typeof detail === "string") return detail;
    if (Array.isArray(detail)) return detail.map((d) => d.msg).join("; ");
    return `the server answered ${status}`;
  }

  async function call(method, body) {
    const headers = { Accept: "application/json", "X-CSRF-Token": csrfToken() };
    if (body) headers["Content-Type"] = "application/json";
    const resp = await fetch("/api/unmask", { method, headers, body: body && JSON.stringify(body) });
    const data = await resp.json().catch(() => null);
    if (!resp.ok) throw new Error(errorText(data, resp.status));
    return data;
  }

  function remaining(grant) {
    return grant.remaining_s - (performance.now() - fetchedAt) / 1000;
  }

  function live() { return grants.filter((g) => remaining(g) > 0); }

  function covers(grant, cameraId, eventId) {
    if (grant.event_id) return grant.event_id === eventId;
    return !grant.camera_id || grant.camera_id === cameraId;
  }

  function format(seconds) {
    const s = Math.max(0, Math.ceil(seconds));
    return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
  }

  function render() {
    const now = live();
    const on = now.length > 0;
    root.dataset.state = on ? "unmasked" : "masked";
    active.hidden = !on;
    openButton.hidden = on;
    if (on) countdown.textContent = format(Math.max(...now.map(remaining)));
    document.querySelectorAll('[data-testid="redacted-badge"]').forEach((badge) => {
      const shown = !now.some((g) => covers(g, badge.dataset.cameraId, badge.dataset.eventId));
      if (badge.hidden === !shown) return;
      badge.hidden = !shown;
      /* A snapshot is fetched once: reload it so it matches the new state. */
      const img = badge.parentElement.querySelector('[data-testid="event-snapshot"]');
      if (img) img.src = `${img.src.split("?")[0]}?t=${Date.now()}`;
    });
  }

  async function refresh() {
    try {
      grants = await call("GET");
      fetchedAt = performance.now();
    } catch (err) { /* keep the last state; try again on the next tick */ }
    render();
  }

  openButton.addEventListener("click", () => {
    error.hidden = true;
    minutes.value = String(maxMinutes);
    dialog.showModal();
    reason.focus();
  });
  dialog.querySelector('[data-testid="unmask-cancel"]').addEventListener("click", () => dialog.close());

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const text = reason.value.trim();
    const mins = Number(minutes.value);
    if (text.length < minReason || !(mins >= 1 && mins <= maxMinutes)) {
      error.textContent = `Give a reason of at least ${minReason} characters and 1-${maxMinutes} minutes.`;
      error.hidden = false;
      return;
    }
    try {
      await call("POST", { reason: text, minutes: mins });
      reason.value = "";
      dialog.close();
      await refresh();
    } catch (err) {
      error.textContent = `Unmask refused: ${err.message}`;
      error.hidden = false;
    }
  });

  root.querySelector('[data-testid="unmask-end"]').addEventListener("click", async () => {
    try { await call("DELETE"); } catch (err) { /* the countdown still ends it */ }
    await refresh();
  });

  refresh();
  setInterval(refresh, POLL_MS);
  setInterval(() => {
    const wasOn = root.dataset.state === "unmasked";
    render();
    if (wasOn && root.dataset.state === "masked") refresh(); /* expired: confirm with the server */
  }, 1000);
})();

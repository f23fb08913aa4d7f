/* Hotlists page: create hotlists, add entries, suspend/reactivate (through the JSON API). */
"use strict";

(function () {
  const message = document.querySelector('[data-testid="hotlist-message"]');

  function csrf() {
    const found = document.cookie.split("; ").find((c) => c.startsWith("kuzet_csrf="));
    return found ? decodeURIComponent(found.slice("kuzet_csrf=".length)) : "";
  }

  async function send(method, url, payload) {
    const resp = await fetch(url, {
      method,
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() },
      body: JSON.stringify(payload),
    });
    if (!resp.ok) {
      const body = await resp.json().catch(() => ({}));
      const detail = Array.isArray(body.detail)
        ? body.detail.map((d) => `${(d.loc || []).slice(-1)[0]}: ${d.msg}`).join("; ")
        : body.detail || resp.statusText;
      throw new Error(detail);
    }
    return resp.json();
  }

  function fail(err) {
    message.textContent = err.message;
    message.hidden = false;
  }

  function formData(form) {
    const payload = {};
    for (const [key, value] of new FormData(form).entries()) {
      if (String(value).trim() !== "") payload[key] = String(value).trim();
    }
    return payload;
  }

  document.querySelector('[data-testid="hotlist-form"]').addEventListener("submit", (event) => {
    event.preventDefault();
    const payload = formData(event.target);
    payload.priority = Number(payload.priority || 2);
    send("POST", "/api/hotlists", payload).then(() => location.reload(), fail);
  });

  document.querySelectorAll('[data-testid="entry-form"]').forEach((form) => {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const payload = formData(form);
      /* the form takes the site's time (labelled); the API stores UTC */
      if (payload.expires_at) payload.expires_at = window.kuzet.siteToUtc(payload.expires_at);
      const url = `/api/hotlists/${encodeURIComponent(form.dataset.hotlistId)}/entries`;
      send("POST", url, payload).then(() => location.reload(), fail);
    });
  });

  document.querySelectorAll('[data-testid="entry-toggle"]').forEach((button) => {
    button.addEventListener("click", () => {
      const url = `/api/hotlist-entries/${encodeURIComponent(button.dataset.entryId)}`;
      send("PATCH", url, { status: button.dataset.status }).then(() => location.reload(), fail);
    });
  });
})();

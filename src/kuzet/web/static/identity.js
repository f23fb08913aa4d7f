/* Helpers of the identity pages (watchlists, matches, face search): DOM, JSON API calls
   with the CSRF header, and the server's error message in words. */
"use strict";

window.kuzetId = (function () {
  function el(tag, cls, text, testid) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (testid) node.dataset.testid = testid;
    return node;
  }

  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)kuzet_csrf=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    const field = document.querySelector('input[name="csrf_token"]');
    return field ? field.value : "";
  }

  /* FastAPI answers {detail: "text"} or, for validation errors, {detail: [{loc, msg}]}. */
  function errorText(status, body) {
    const detail = body && body.detail !== undefined ? body.detail : body;
    if (typeof detail === "string" && detail) return detail;
    if (Array.isArray(detail)) {
      return detail.map((d) => {
        const loc = (d.loc || []).filter((p) => p !== "body" && p !== "query");
        return loc.length ? `${loc.join(".")}: ${d.msg}` : d.msg;
      }).join("; ");
    }
    if (detail && typeof detail === "object" && detail.message) return detail.message;
    return `the server answered ${status}`;
  }

  class ApiError extends Error {
    constructor(status, message) { super(message); this.status = status; }
  }

  /* fetch() a JSON API path; resolves to the parsed body, rejects with ApiError. */
  async function api(method, path, body) {
    const init = { method, headers: { Accept: "application/json" }, credentials: "same-origin" };
    if (method !== "GET") init.headers["X-CSRF-Token"] = csrfToken();
    if (body instanceof FormData) {
      init.body = body;
    } else if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const resp = await fetch(path, init);
    const text = await resp.text();
    let parsed = null;
    try { parsed = text ? JSON.parse(text) : null; } catch (err) { parsed = text; }
    if (!resp.ok) throw new ApiError(resp.status, errorText(resp.status, parsed));
    return parsed;
  }

  /* A list body may be a bare array or {items: [...]}. */
  function items(body) {
    if (Array.isArray(body)) return body;
    return body && Array.isArray(body.items) ? body.items : [];
  }

  function show(node, message) {
    if (!node) return;
    node.textContent = message || "";
    node.hidden = !message;
  }

  function timeEl(iso, testid) {
    const t = el("time", "", iso ? window.kuzet.formatTime(iso) : "–", testid);
    if (iso) { t.dateTime = iso; t.title = iso; }
    return t;
  }

  function cell(text, testid) {
    return el("td", "", text === null || text === undefined || text === "" ? "–" : text, testid);
  }

  return { el, api, items, show, timeEl, cell, errorText, csrfToken, ApiError };
})();

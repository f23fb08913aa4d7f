/* Shared by the queue, incident and history pages: the JSON API, alarm rendering,
   the action dialog, the live stream and times in the site's zone (common.js). */
"use strict";

window.kz = (function () {
  const choices = JSON.parse(document.getElementById("choices").textContent);
  const me = choices.me;
  const cameraNames = {};
  choices.cameras.forEach((c) => { cameraNames[c.id] = c.name; });
  const OPEN_RANK = { new: 0, skipped: 0, acknowledged: 1, dispatched: 1, on_scene: 1, on_hold: 1, resolved: 2 };
  const PRIO_RANK = { critical: 0, high: 1, medium: 2, low: 3 };

  function el(tag, cls, text, testid) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = text;
    if (testid) node.dataset.testid = testid;
    return node;
  }

  function label(name) { return String(name || "").replace(/_/g, " "); }

  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)kuzet_csrf=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    const field = document.querySelector('input[name="csrf_token"]');
    return field ? field.value : "";
  }

  /* Sends JSON; resolves to {ok, status, data, message} (message = the API's detail). */
  async function api(method, url, body) {
    const opts = { method, headers: { Accept: "application/json" } };
    if (method !== "GET") opts.headers["X-CSRF-Token"] = csrfToken();
    if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    let resp;
    try { resp = await fetch(url, opts); } catch (err) {
      return { ok: false, status: 0, data: null, message: "the server cannot be reached" };
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

  function time(iso, testid) {
    const t = el("time", "t", iso ? window.kuzet.formatTime(iso) : "–", testid);
    if (iso) { t.dateTime = iso; t.title = `${iso} (UTC)`; }
    return t;
  }

  function duration(seconds) {
    const s = Math.max(0, Math.floor(seconds));
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    const pad = (n) => String(n).padStart(2, "0");
    return h ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
  }

  function queueKey(a) {
    return [OPEN_RANK[a.state], PRIO_RANK[a.priority], a.opened_at, a.id];
  }

  function before(a, b) {
    const ka = queueKey(a);
    const kb = queueKey(b);
    for (let i = 0; i < ka.length; i += 1) {
      if (ka[i] < kb[i]) return true;
      if (ka[i] > kb[i]) return false;
    }
    return false;
  }

  function recordingUrl(cameraId, at) {
    return `/cameras/${encodeURIComponent(cameraId)}/recordings?at=${encodeURIComponent(at)}`;
  }

  function playbackUrl(cameras, at) {
    return `/playback?cameras=${cameras.map(encodeURIComponent).join(",")}&at=${encodeURIComponent(at)}`;
  }

  function badges(a) {
    const span = el("span", "badges");
    span.append(el("span", `prio prio-${a.priority}`, a.priority, "alarm-priority"));
    span.append(el("span", `state state-${a.state}`, label(a.state), "alarm-state"));
    if (a.ack_breached_at) span.append(el("span", "flag flag-skip", "escalated: not acknowledged in time", "alarm-escalated"));
    if (a.resolve_breached_at) span.append(el("span", "flag flag-late", "late", "alarm-late"));
    if (a.queue === "supervisors") span.append(el("span", "flag flag-sup", "supervisor queue", "alarm-queue"));
    return span;
  }

  /* ---- the action dialog (verdict, unit, reason, owner, priority) ---- */

  const FIELDS = {
    acknowledge: [], on_scene: [], resume: [],
    dispatch: ["unit"], hold: ["reason"], resolve: ["verdict", "reason"], comment: ["text"],
    assign: ["owner"], escalate: ["priority"],
  };

  function dialog() {
    let d = document.querySelector('[data-testid="action-dialog"]');
    if (d) return d;
    d = el("dialog", "action-dialog", undefined, "action-dialog");
    const verdicts = choices.verdicts.map((v) => `<option value="${v}">${label(v)}</option>`).join("");
    const prios = choices.priorities.map((p) => `<option value="${p}">${p}</option>`).join("");
    d.innerHTML = `<form method="dialog" data-testid="action-form">
      <h3 data-testid="action-title"></h3>
      <label data-field="verdict">Verdict <select name="verdict" data-testid="action-verdict">${verdicts}</select></label>
      <label data-field="unit">Unit <input name="unit" data-testid="action-unit" maxlength="128"></label>
      <label data-field="owner">Operator <input name="owner" data-testid="action-owner" maxlength="128"></label>
      <label data-field="priority">Priority <select name="priority" data-testid="action-priority">${prios}</select></label>
      <label data-field="reason">Note <textarea name="reason" rows="2" data-testid="action-reason" maxlength="2000"></textarea></label>
      <label data-field="text">Comment <textarea name="text" rows="3" data-testid="action-text" maxlength="4000"></textarea></label>
      <menu><button value="cancel" type="button" data-testid="action-cancel">Cancel</button>
      <button value="ok" type="submit" data-testid="action-submit">OK</button></menu></form>`;
    document.body.append(d);
    d.querySelector('[data-testid="action-cancel"]').addEventListener("click", () => d.close("cancel"));
    return d;
  }

  /* Asks for an action's details; resolves to the request body, or null if cancelled. */
  function ask(action, title) {
    const fields = FIELDS[action] || [];
    if (!fields.length) return Promise.resolve({});
    const d = dialog();
    const form = d.querySelector("form");
    form.reset();
    d.querySelector('[data-testid="action-title"]').textContent = title;
    d.querySelectorAll("[data-field]").forEach((f) => { f.hidden = !fields.includes(f.dataset.field); });
    return new Promise((resolve) => {
      d.addEventListener("close", () => {
        if (d.returnValue !== "ok") { resolve(null); return; }
        const body = {};
        fields.forEach((f) => {
          const v = form.elements[f].value.trim();
          if (v) body[f] = v;
        });
        resolve(body);
      }, { once: true });
      d.showModal();
      const first = d.querySelector(`[data-field="${fields[0]}"] select, [data-field="${fields[0]}"] input, [data-field="${fields[0]}"] textarea`);
      if (first) first.focus();
    });
  }

  const LEGAL = {
    acknowledge: ["new", "skipped"], dispatch: ["acknowledged", "on_hold"], on_scene: ["dispatched"],
    hold: ["acknowledged", "dispatched", "on_scene"], resume: ["on_hold"],
    resolve: ["acknowledged", "dispatched", "on_scene", "on_hold"],
  };

  /* Buttons for what the user may do now (the server checks again). */
  function actionBar(a, run) {
    const bar = el("div", "actions", undefined, "alarm-actions");
    if (!me.handle) return bar;
    const mine = a.owner === me.username || me.supervise;
    const add = (action, text, show) => {
      if (!show) return;
      const b = el("button", `act act-${action}`, text, `act-${action}`);
      b.type = "button";
      b.addEventListener("click", (e) => { e.stopPropagation(); run(a, action); });
      bar.append(b);
    };
    add("acknowledge", "Acknowledge", LEGAL.acknowledge.includes(a.state));
    ["dispatch", "on_scene", "hold", "resume", "resolve"].forEach((action) => {
      const text = { dispatch: "Dispatch", on_scene: "On scene", hold: "Hold", resume: "Resume", resolve: "Resolve" }[action];
      add(action, text, LEGAL[action].includes(a.state) && mine);
    });
    add("comment", "Comment", true);
    add("assign", "Assign", me.supervise && a.state !== "resolved");
    add("escalate", "Escalate", me.supervise && a.state !== "resolved" && a.priority !== "critical");
    return bar;
  }

  /* Runs one alarm action through the dialog; resolves to the API answer or null. */
  async function act(a, action) {
    const body = await ask(action, `${label(action)} · ${label(a.kind)} on ${cameraNames[a.camera_id] || a.camera_id}`);
    if (body === null) return null;
    return api("POST", `/api/alarms/${encodeURIComponent(a.id)}/${action}`, body);
  }

  /* The SSE stream: calls onAlarm / onIncident with each change (JSON + action). */
  function stream(handlers) {
    const status = document.querySelector('[data-testid="stream-status"]');
    const set = (state, text) => {
      if (!status) return;
      status.dataset.state = state;
      status.querySelector(".label").textContent = text;
    };
    const source = new EventSource("/api/events/stream");
    source.addEventListener("ready", () => { set("connected", "Live"); if (handlers.onReady) handlers.onReady(); });
    source.addEventListener("alarm", (m) => handlers.onAlarm && handlers.onAlarm(JSON.parse(m.data)));
    source.addEventListener("incident", (m) => handlers.onIncident && handlers.onIncident(JSON.parse(m.data)));
    source.onerror = () => set("reconnecting", "Reconnecting…");
    return source;
  }

  function message(text, kind) {
    const box = document.querySelector('[data-testid="page-message"]');
    if (!box) return;
    box.textContent = text;
    box.dataset.kind = kind || "info";
    box.hidden = !text;
  }

  return { choices, me, cameraNames, el, label, api, time, duration, before, badges, actionBar,
    act, ask, stream, message, recordingUrl, playbackUrl, PRIO_RANK };
})();

/* Pending-match queue: the probe crop next to the enrolled photo, who has confirmed,
   Confirm / Reject (with a reason). Polls the API; confirmed matches move down to
   "confirmed (actionable)". Refreshes on face_match events and every few seconds. Refusals (e.g. a second confirmation by the same user)
   are shown on the match itself. */
"use strict";

(function () {
  const { el, api, items, show } = window.kuzetId;
  const POLL_MS = 10000;
  const REQUIRED = 2;
  const pendingList = document.querySelector('[data-testid="pending-list"]');
  const confirmedList = document.querySelector('[data-testid="confirmed-list"]');
  const message = document.querySelector('[data-testid="page-message"]');
  const notes = {}; /* match id -> {ok, text}: the last answer to this user's decision */
  const seen = {}; /* match id -> signature of the rendered state */

  function pick(obj, ...keys) {
    for (const key of keys) if (obj[key] !== undefined && obj[key] !== null) return obj[key];
    return null;
  }

  const when = (m) => pick(m, "matched_at", "at", "time", "created_at") || "";
  const camera = (m) => pick(m, "camera_id", "camera") || "–";
  const listName = (m) => pick(m, "watchlist_name", "watchlist") || "–";
  const entryName = (m) => pick(m, "entry_name", "name") || "–";
  /* The photo the probe matched first, then the entry's other photos. */
  const photoIds = (m) => [pick(m, "photo_id"), ...(pick(m, "entry_photo_ids", "photo_ids") || [])].filter((p) => p !== null);
  const confirmations = (m) => (m.confirmations || []).filter((c) => (c.decision || "confirm").startsWith("confirm"));

  function figure(src, caption, testid) {
    const fig = el("figure", "face");
    const img = el("img", "", undefined, testid);
    img.src = src;
    img.alt = caption;
    fig.append(img, el("figcaption", "muted", caption));
    return fig;
  }

  function faces(m) {
    const box = el("div", "faces", undefined, "match-faces");
    box.append(figure(`/api/matches/${encodeURIComponent(m.id)}/probe.jpg`, "probe (camera)", "match-probe"));
    const pid = photoIds(m)[0];
    const entryId = pick(m, "entry_id");
    if (pid !== undefined && entryId !== null) {
      const src = `/api/entries/${encodeURIComponent(entryId)}/photos/${encodeURIComponent(pid)}.jpg`;
      box.append(figure(src, "enrolled photo", "match-enrolled"));
    } else {
      box.append(el("div", "face no-photo muted", "no enrolled photo", "match-enrolled-missing"));
    }
    return box;
  }

  function facts(m) {
    const dl = el("dl", "match-facts");
    const score = typeof m.score === "number" ? m.score.toFixed(3) : m.score;
    const time = el("time", "", window.kuzet.formatTime(when(m)), "match-time");
    time.dateTime = when(m);
    const rows = [["entry", entryName(m), "match-entry"], ["watchlist", listName(m), "match-watchlist"],
      ["camera", camera(m), "match-camera"], ["time", time, null], ["score", score, "match-score"],
      ["probe sha-256", pick(m, "probe_sha256", "probe_hash") || "–", "match-probe-hash"]];
    rows.forEach(([label, value, testid]) => {
      const dd = el("dd", "", undefined, testid);
      if (value instanceof Node) dd.append(value); else dd.textContent = value;
      dl.append(el("dt", "", label), dd);
    });
    return dl;
  }

  function verifiers(m) {
    const done = confirmations(m);
    const box = el("div", "verifiers");
    const needed = pick(m, "required_confirmations") || REQUIRED;
    box.append(el("span", "strong", `${done.length} of ${needed} confirmations`, "match-confirmations"));
    const who = done.map((c) => `${c.user} (${window.kuzet.formatTime(c.at)})`).join(", ");
    if (who) box.append(el("span", "muted", ` — ${who}`, "match-verifiers"));
    return box;
  }

  function decide(m, action, reason) {
    return async () => {
      const path = `/api/matches/${encodeURIComponent(m.id)}/${action}`;
      try {
        await api("POST", path, action === "reject" ? { reason: reason.value.trim() } : undefined);
        notes[m.id] = { ok: true, text: action === "reject" ? "You rejected this match." : "Your confirmation is recorded." };
      } catch (err) {
        notes[m.id] = { ok: false, text: `Refused: ${err.message}` };
      }
      delete seen[m.id];
      await refresh();
    };
  }

  function controls(m) {
    const box = el("div", "decide");
    const reason = el("input", "", undefined, "match-reason");
    reason.placeholder = "reason for rejecting";
    const confirm = el("button", "confirm", "Confirm", "match-confirm");
    const reject = el("button", "reject", "Reject", "match-reject");
    confirm.type = reject.type = "button";
    confirm.addEventListener("click", decide(m, "confirm", reason));
    reject.addEventListener("click", decide(m, "reject", reason));
    box.append(confirm, reason, reject);
    return box;
  }

  function card(m, actionable) {
    const li = el("li", `match-card ${actionable ? "actionable" : "pending"}`, undefined, "match-card");
    li.dataset.matchId = m.id;
    li.dataset.status = m.status;
    li.dataset.at = when(m);
    const side = el("div", "match-side");
    side.append(el("span", `pill match-status status-${m.status}`, actionable ? "actionable" : m.status, "match-status"),
      facts(m), verifiers(m));
    if (!actionable) side.append(controls(m));
    const note = el("p", "match-note", undefined, "match-message");
    note.setAttribute("role", "alert");
    const last = notes[m.id];
    show(note, last && last.text);
    if (last) note.classList.toggle("error", !last.ok);
    side.append(note);
    li.append(faces(m), side);
    return li;
  }

  function signature(m) {
    return JSON.stringify([m.status, m.confirmations, notes[m.id]]);
  }

  function render(list, matches, actionable) {
    matches.sort((a, b) => (when(b) > when(a) ? 1 : when(b) < when(a) ? -1 : 0));
    const keep = new Set(matches.map((m) => String(m.id)));
    Array.from(list.children).forEach((li) => { if (!keep.has(li.dataset.matchId)) li.remove(); });
    matches.forEach((m, i) => {
      let li = list.querySelector(`[data-match-id="${CSS.escape(String(m.id))}"]`);
      if (!li || seen[m.id] !== signature(m)) {
        const fresh = card(m, actionable);
        const typed = li && li.querySelector('[data-testid="match-reason"]');
        const reason = fresh.querySelector('[data-testid="match-reason"]');
        if (typed && reason) reason.value = typed.value;
        if (li) li.replaceWith(fresh); else list.append(fresh);
        li = fresh;
        seen[m.id] = signature(m);
      }
      if (list.children[i] !== li) list.insertBefore(li, list.children[i]);
    });
    const section = list.closest("section");
    section.querySelector(".count").textContent = String(matches.length);
    section.querySelector(".empty").hidden = matches.length > 0;
  }

  async function details(status) {
    /* The list carries each match's decisions and photo ids: no per-match request. */
    return items(await api("GET", `/api/matches?status=${status}`));
  }

  let busy = false;
  async function refresh() {
    if (busy) return;
    busy = true;
    try {
      const [pending, confirmed] = await Promise.all([details("pending"), details("confirmed")]);
      render(pendingList, pending, false);
      render(confirmedList, confirmed, true);
      show(message, "");
    } catch (err) {
      show(message, `Could not load the matches: ${err.message}`);
    } finally {
      busy = false;
    }
  }

  /* face_match events (new match, confirmed, rejected) refresh at once; the poll also
     catches a first confirmation by someone else, which publishes no event. */
  function listen() {
    const source = new EventSource("/api/events/stream");
    ["open", "update", "close"].forEach((phase) => {
      source.addEventListener(phase, (msg) => {
        if (!msg.data) return; /* "open" is also the connection-opened event */
        if (JSON.parse(msg.data).kind === "face_match") refresh();
      });
    });
  }

  refresh();
  listen();
  setInterval(refresh, POLL_MS);
})();

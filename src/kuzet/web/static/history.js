/* Alarm history search: filters -> /api/history/alarms (keyset pages), CSV export link.
   The time inputs are in the site's zone and sent as UTC. */
"use strict";

(function () {
  const kz = window.kz;
  const { el, label, api } = kz;
  const form = document.querySelector('[data-testid="history-form"]');
  const rows = document.querySelector('[data-testid="history-rows"]');
  const more = document.querySelector('[data-testid="history-more"]');
  const csv = document.querySelector('[data-testid="history-csv"]');
  let cursor = null;
  let params = null;

  const siteToUtc = window.kuzet.siteToUtc;  /* datetime-local in the site zone -> UTC */

  function query() {
    const f = new FormData(form);
    const q = new URLSearchParams();
    for (const [key, value] of f.entries()) {
      const v = String(value).trim();
      if (!v) continue;
      q.append(key, key === "since" || key === "until" ? siteToUtc(v) : v);
    }
    return q;
  }

  function row(a) {
    const tr = el("tr", `h-row prio-row-${a.priority}`, undefined, "history-row");
    tr.dataset.alarmId = a.id;
    const cell = (node) => { const td = el("td"); td.append(node); tr.append(td); };
    cell(kz.time(a.opened_at));
    cell(el("span", "", label(a.kind)));
    cell(el("span", "", `${kz.cameraNames[a.camera_id] || a.camera_id}${a.site ? ` · ${a.site}` : ""}`));
    cell(kz.badges(a));
    cell(el("span", "", a.verdict ? label(a.verdict) : "–", "history-verdict-cell"));
    cell(el("span", "", [a.owner, a.unit].filter(Boolean).join(" · ") || "–"));
    const inc = a.incident_id ? el("a", "", "incident") : el("span", "muted", "–");
    if (a.incident_id) inc.href = `/incidents/${encodeURIComponent(a.incident_id)}`;
    cell(inc);
    cell(el("span", "", (a.attrs && a.attrs.plate) || ""));
    const links = el("span");
    const ev = el("a", "", "event");
    ev.href = `/events/${encodeURIComponent(a.id)}`;
    const video = el("a", "", "▶ video");
    video.href = kz.recordingUrl(a.camera_id, a.event_at);
    links.append(ev, " · ", video);
    cell(links);
    return tr;
  }

  async function search(append) {
    if (!append) { params = query(); cursor = null; }
    const q = new URLSearchParams(params);
    q.append("limit", "100");
    if (append && cursor) q.append("cursor", cursor);
    const answer = await api("GET", `/api/history/alarms?${q}`);
    if (!answer.ok) { kz.message(answer.message, "error"); return; }
    kz.message("", "info");
    const built = answer.data.items.map(row);
    if (append) rows.append(...built); else rows.replaceChildren(...built);
    cursor = answer.data.next_cursor;
    more.hidden = !cursor;
    document.querySelector('[data-testid="history-empty"]').hidden = rows.children.length > 0;
    if (csv) csv.href = `/api/history/alarms.csv?${params}`;
  }

  form.addEventListener("submit", (e) => { e.preventDefault(); search(false); });
  more.addEventListener("click", () => search(true));
  /* filters given in the address (e.g. from the analyst's search page) fill the form */
  new URLSearchParams(location.search).forEach((value, key) => {
    const field = form.elements.namedItem(key);
    if (field && "value" in field) field.value = value;
  });
  search(false);
})();

/* Watchlists page: the lists (kind, entries, threshold) and the form creating one. */
"use strict";

(function () {
  const { el, api, items, show, cell } = window.kuzetId;
  const body = document.querySelector('[data-testid="watchlists-body"]');
  const message = document.querySelector('[data-testid="page-message"]');
  const form = document.querySelector('[data-testid="watchlist-form"]');

  function entryCount(w) {
    for (const key of ["entry_count", "entries_count", "count", "entries"]) {
      if (typeof w[key] === "number") return w[key];
    }
    return "–";
  }

  function row(w) {
    const tr = el("tr", "", undefined, "watchlist-row");
    tr.dataset.watchlistId = w.id;
    const name = el("td");
    const link = el("a", "link", w.name, "watchlist-link");
    link.href = `/watchlists/${encodeURIComponent(w.id)}`;
    name.append(link);
    tr.append(name, cell(w.kind, "watchlist-kind-cell"), cell(entryCount(w), "watchlist-count"),
      cell(w.threshold, "watchlist-threshold-cell"), cell(w.description));
    return tr;
  }

  async function load() {
    try {
      const lists = items(await api("GET", "/api/watchlists"));
      body.replaceChildren(...lists.map(row));
      if (!lists.length) {
        const td = el("td", "muted", "No watchlists yet.", "watchlists-empty");
        td.colSpan = 5;
        body.replaceChildren(el("tr"));
        body.firstChild.append(td);
      }
      show(message, "");
    } catch (err) {
      show(message, `Could not load the watchlists: ${err.message}`);
    }
  }

  async function create(event) {
    event.preventDefault();
    const error = form.querySelector('[data-testid="watchlist-error"]');
    const data = new FormData(form);
    const payload = { name: data.get("name").trim(), kind: data.get("kind") };
    const threshold = String(data.get("threshold") || "").trim();
    if (threshold) payload.threshold = Number(threshold);
    const description = String(data.get("description") || "").trim();
    if (description) payload.description = description;
    try {
      const created = await api("POST", "/api/watchlists", payload);
      show(error, "");
      form.reset();
      await load();
      const link = created && created.id !== undefined ? `/watchlists/${encodeURIComponent(created.id)}` : null;
      show(message, `Created watchlist “${payload.name}”.`);
      if (link) message.dataset.createdHref = link;
    } catch (err) {
      show(error, err.message);
    }
  }

  if (form) form.addEventListener("submit", create);
  load();
})();

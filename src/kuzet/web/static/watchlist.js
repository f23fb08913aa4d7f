/* One watchlist: entries with their governance fields, add entry, enrol photos,
   suspend/resume. Every message shown is the server's own. */
"use strict";

(function () {
  const { el, api, items, show, cell, timeEl } = window.kuzetId;
  const root = document.querySelector('[data-testid="watchlist-page"]');
  const listId = root.dataset.watchlistId;
  const canManage = root.dataset.canManage === "true";
  const body = document.querySelector('[data-testid="entries-body"]');
  const message = document.querySelector('[data-testid="page-message"]');
  const form = document.querySelector('[data-testid="entry-form"]');
  const FIELDS = ["name", "reference", "legal_basis", "authority", "case_ref", "purpose", "owner", "expires_at"];
  const notes = {}; /* entry id -> last enrolment message, kept across reloads */

  function photoIds(entry) {
    const photos = entry.photo_ids || entry.photos || [];
    return photos.map((p) => (typeof p === "object" && p !== null ? p.id : p));
  }

  function photoCell(entry) {
    const td = el("td", "photos");
    photoIds(entry).forEach((pid) => {
      const img = el("img", "thumb", undefined, "entry-photo");
      img.src = `/api/entries/${encodeURIComponent(entry.id)}/photos/${encodeURIComponent(pid)}.jpg`;
      img.alt = `Enrolled photo of ${entry.name}`;
      td.append(img);
    });
    if (!photoIds(entry).length) td.append(el("span", "muted", "no photo", "entry-no-photo"));
    return td;
  }

  function uploadForm(entry) {
    const box = el("form", "upload", undefined, "photo-form");
    const input = el("input", "", undefined, "photo-input");
    input.type = "file";
    input.name = "photo";
    input.accept = "image/*";
    const button = el("button", "", "Upload photo", "photo-upload");
    button.type = "submit";
    const note = el("p", "form-note", undefined, "photo-message");
    note.setAttribute("role", "status");
    show(note, notes[entry.id] && notes[entry.id].text);
    if (notes[entry.id]) note.classList.toggle("form-error", !notes[entry.id].ok);
    box.append(input, button, note);
    box.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (!input.files.length) { show(note, "Choose a photo first."); return; }
      const data = new FormData();
      data.append("photo", input.files[0]);
      try {
        await api("POST", `/api/entries/${encodeURIComponent(entry.id)}/photos`, data);
        notes[entry.id] = { ok: true, text: "Photo enrolled." };
      } catch (err) {
        notes[entry.id] = { ok: false, text: `Photo refused: ${err.message}` };
      }
      await load();
    });
    return box;
  }

  function actionsCell(entry) {
    const td = el("td", "actions");
    const active = entry.status === "active";
    const toggle = el("button", "", active ? "Suspend" : "Resume", "entry-toggle");
    toggle.type = "button";
    toggle.addEventListener("click", async () => {
      try {
        await api("PATCH", `/api/entries/${encodeURIComponent(entry.id)}`, { status: active ? "suspended" : "active" });
        show(message, "");
      } catch (err) {
        show(message, `Could not change ${entry.name}: ${err.message}`);
      }
      await load();
    });
    td.append(toggle, uploadForm(entry));
    return td;
  }

  function row(entry) {
    const state = entry.expired ? "expired" : entry.status;
    const tr = el("tr", `entry status-${state}`, undefined, "entry-row");
    tr.dataset.entryId = entry.id;
    tr.dataset.status = entry.status;
    const who = el("td");
    who.append(el("div", "strong", entry.name, "entry-name-cell"), el("div", "muted", entry.reference, "entry-reference-cell"));
    const expires = el("td");
    expires.append(timeEl(entry.expires_at, "entry-expires-cell"));
    tr.append(photoCell(entry), who, cell(entry.legal_basis, "entry-legal-basis-cell"),
      cell(entry.authority, "entry-authority-cell"), cell(entry.case_ref, "entry-case-ref-cell"),
      cell(entry.purpose, "entry-purpose-cell"), cell(entry.owner, "entry-owner-cell"), expires);
    const status = el("td");
    status.append(el("span", `pill entry-status-${state}`, state, "entry-status"));
    tr.append(status);
    if (canManage) tr.append(actionsCell(entry));
    return tr;
  }

  function header(list) {
    document.querySelector('[data-testid="watchlist-title"]').textContent = list.name;
    document.querySelector('[data-testid="watchlist-kind-pill"]').textContent = list.kind || "";
    const threshold = list.threshold === undefined || list.threshold === null ? "default" : list.threshold;
    document.querySelector('[data-testid="watchlist-summary"]').textContent =
      `match threshold ${threshold}${list.description ? " · " + list.description : ""}`;
    document.title = `${list.name} · Kuzet`;
  }

  async function load() {
    try {
      const base = `/api/watchlists/${encodeURIComponent(listId)}`;
      const [list, entries] = await Promise.all([api("GET", base), api("GET", `${base}/entries`)]);
      header(list);
      const rows = items(entries).map(row);
      if (!rows.length) {
        const td = el("td", "muted", "No entries yet.", "entries-empty");
        td.colSpan = 10;
        rows.push(el("tr"));
        rows[0].append(td);
      }
      body.replaceChildren(...rows);
      window.kuzet.localiseTimes(body);
    } catch (err) {
      show(message, `Could not load watchlist ${listId}: ${err.message}`);
    }
  }

  async function create(event) {
    event.preventDefault();
    const error = form.querySelector('[data-testid="entry-error"]');
    const data = new FormData(form);
    const payload = {};
    FIELDS.forEach((name) => {
      const value = String(data.get(name) || "").trim();
      if (!value) return; /* left out, so the server names the missing field */
      payload[name] = name === "expires_at" ? window.kuzet.siteToUtc(value) : value;
    });
    try {
      await api("POST", `/api/watchlists/${encodeURIComponent(listId)}/entries`, payload);
      show(error, "");
      form.reset();
      show(message, `Added ${payload.name}. Enrol a photo to make the entry searchable.`);
      await load();
    } catch (err) {
      show(error, `Entry refused: ${err.message}`);
    }
  }

  if (form) form.addEventListener("submit", create);
  load();
})();

/* The incident page's photos from the field (GET /api/incidents/{id}/photos): shown
   blurred unless unmasked, like snapshots; reloaded when the timeline is redrawn
   (incident.js redraws it on every live change, a photo being one). */
"use strict";

(function () {
  const t = window.kuzet.t;
  const page = document.querySelector('[data-testid="incident"]');
  const section = document.querySelector('[data-testid="incident-photos-section"]');
  if (!page || !section) return;
  const id = page.dataset.incidentId;
  const list = section.querySelector('[data-testid="incident-photos"]');

  async function load() {
    let resp;
    try { resp = await fetch(`/api/incidents/${encodeURIComponent(id)}/photos`); } catch (err) { return; }
    if (!resp.ok) return;
    const items = (await resp.json()).items;
    section.hidden = items.length === 0;
    section.querySelector('[data-testid="incident-photo-count"]').textContent = String(items.length);
    list.replaceChildren(...items.map((p) => {
      const li = document.createElement("li");
      li.dataset.testid = "incident-photo";
      const a = document.createElement("a");
      a.href = p.url;
      const img = document.createElement("img");
      img.src = p.url;
      img.loading = "lazy";
      img.alt = t("Photo by {who}", { who: p.uploaded_by });
      a.append(img);
      const cap = document.createElement("span");
      cap.className = "muted";
      cap.textContent = `${p.uploaded_by}${p.unit ? ` (${p.unit})` : ""} · ${window.kuzet.formatTime(p.at)}${p.note ? ` · ${p.note}` : ""}`;
      li.append(a, cap);
      return li;
    }));
  }

  let timer = null;
  const timeline = document.querySelector('[data-testid="incident-timeline"]');
  if (timeline) {
    new MutationObserver(() => { clearTimeout(timer); timer = setTimeout(load, 300); })
      .observe(timeline, { childList: true });
  }
  load();
})();

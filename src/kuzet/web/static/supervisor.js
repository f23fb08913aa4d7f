/* The supervisor's panels beside the queue: pending face matches (two-person
   confirmation) and escalations (open supervisor notices), refreshed every 10 s. */
"use strict";

(function () {
  const { t, formatTime, zone } = window.kuzet;
  const EVERY_MS = 10000;

  function item(text, href, at) {
    const li = document.createElement("li");
    const link = document.createElement("a");
    link.href = href;
    link.textContent = text;
    const time = document.createElement("time");
    time.dateTime = at;
    time.className = "muted";
    time.textContent = ` ${formatTime(at)} ${zone}`;
    li.append(link, document.createElement("br"), time);
    return li;
  }

  const RENDER = {
    "pending-matches": (m) => item(
      t("{name} ({list}) on {camera}, score {score}",
        { name: m.entry_name, list: m.watchlist, camera: m.camera_id, score: Number(m.score).toFixed(2) }),
      "/matches", m.matched_at),
    escalations: (n) => item(n.text || n.kind, `/incidents/${encodeURIComponent(n.incident_id)}`, n.at),
  };

  function panel(section) {
    const key = section.dataset.testid;
    const list = section.querySelector("ol");
    const count = section.querySelector(".count");
    const empty = section.querySelector(".empty");
    async function load() {
      try {
        const resp = await fetch(section.dataset.poll, { headers: { Accept: "application/json" } });
        if (!resp.ok) return;
        const items = (await resp.json()).items || [];
        list.replaceChildren(...items.map(RENDER[key]));
        count.textContent = String(items.length);
        empty.hidden = items.length > 0;
      } catch (err) { /* offline for a moment: the next round tries again */ }
    }
    load();
    setInterval(load, EVERY_MS);
  }

  document.querySelectorAll(".sup-panel[data-poll]").forEach(panel);
})();

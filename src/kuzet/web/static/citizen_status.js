/* The citizen's status page: the token is in the URL's # part and is sent as a header. */
"use strict";

(function () {
  const t = window.kuzet.t;
  const ref = document.body.dataset.ref;
  const token = new URLSearchParams(location.hash.slice(1)).get("t") || "";
  const message = document.querySelector('[data-testid="status-message"]');
  const STATES = { received: t("Received, waiting for an operator"), in_progress: t("Being handled"), closed: t("Closed") };

  async function load() {
    const answer = await fetch(`/api/public/reports/${encodeURIComponent(ref)}`, {
      headers: { "X-Status-Token": token }, cache: "no-store",
    });
    if (!answer.ok) {
      message.hidden = false;
      message.textContent = answer.status === 429 ? t("Too many look-ups; try again later")
        : t("No report with this reference and link");
      return;
    }
    const s = await answer.json();
    const card = document.querySelector('[data-testid="status-card"]');
    const set = (id, text) => { card.querySelector(`[data-testid="${id}"]`).textContent = text; };
    set("status-ref", s.ref);
    set("status-category", s.category);
    set("status-received", s.received_on);
    set("status-state", STATES[s.state] || s.state);
    set("status-outcome", s.outcome || "–");
    set("status-updated", s.updated_on);
    card.dataset.state = s.state;
    card.hidden = false;
  }

  load();
})();

/* Face search: upload a photo, list the retained face sightings that match it. */
"use strict";

(function () {
  const { el, api, items, show } = window.kuzetId;
  const form = document.querySelector('[data-testid="face-search-form"]');
  const error = document.querySelector('[data-testid="face-search-error"]');
  const message = document.querySelector('[data-testid="face-search-message"]');
  const results = document.querySelector('[data-testid="face-search-results"]');

  function pick(obj, ...keys) {
    for (const key of keys) if (obj[key] !== undefined && obj[key] !== null) return obj[key];
    return null;
  }

  function result(hit) {
    const li = el("li", "result", undefined, "face-search-result");
    const image = pick(hit, "crop_url", "image_url", "url");
    if (image) {
      const img = el("img", "thumb", undefined, "face-search-crop");
      img.src = image;
      img.alt = window.kuzet.t("Matching face (blurred unless you hold an unmask grant)");
      img.loading = "lazy";
      li.append(img);
    }
    const at = pick(hit, "at", "time", "seen_at", "wall");
    const time = el("time", "", at ? `${window.kuzet.formatTime(at)} ${window.kuzet.zone}` : "–",
      "face-search-time");
    if (at) time.dateTime = at;
    const score = pick(hit, "score", "distance", "similarity");
    li.append(el("div", "strong", pick(hit, "camera_id", "camera") || "–", "face-search-camera"), time,
      el("div", "muted", score === null ? "" : window.kuzet.t("distance {d}", { d: Number(score).toFixed(3) }), "face-search-score"));
    const eventId = pick(hit, "event_id");
    if (eventId) {
      const link = el("a", "link", window.kuzet.t("Open event"), "face-search-event");
      link.href = hit.event_url || `/events/${encodeURIComponent(eventId)}`;
      li.append(link);
    }
    return li;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const file = form.querySelector('[data-testid="face-search-photo"]').files[0];
    if (!file) { show(error, window.kuzet.t("Choose a photo first.")); return; }
    const data = new FormData();
    data.append("photo", file);
    show(error, "");
    show(message, window.kuzet.t("Searching…"));
    results.replaceChildren();
    try {
      const body = await api("POST", "/api/faces/search", data);
      const hits = items(body).length ? items(body) : (body && body.results) || [];
      results.replaceChildren(...hits.map(result));
      const note = body && (body.message || body.note);
      show(message, hits.length ? window.kuzet.t("{n} result(s).", { n: hits.length }) + (note ? ` ${note}` : "")
        : note || window.kuzet.t("No matching face sightings."));
    } catch (err) {
      show(message, "");
      show(error, err.message);
    }
  });
})();

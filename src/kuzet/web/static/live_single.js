// One camera live in full screen: one MJPEG stream (a single connection), health labels.
"use strict";

(function () {
  const box = document.querySelector("[data-testid=live-single]");
  if (!box) return;
  const cam = box.dataset.cameraId;
  const img = box.querySelector("[data-testid=live-stream]");
  const view = img.closest(".camera-view");
  img.addEventListener("load", () => view.classList.add("has-video"));
  img.addEventListener("error", () => {
    view.classList.remove("has-video");
    setTimeout(() => { img.src = `${img.dataset.src}?t=${Date.now()}`; }, 3000);
  });
  box.querySelector("[data-testid=live-fullscreen]").addEventListener("click", () => {
    if (document.fullscreenElement) document.exitFullscreen();
    else view.requestFullscreen().catch(() => {});
  });
  async function refresh() {
    try {
      const resp = await fetch("/api/cameras", { credentials: "same-origin" });
      if (!resp.ok) return;
      const found = (await resp.json()).items.find((c) => c.id === cam);
      if (!found || !found.health) return;
      const h = found.health;
      const badge = box.querySelector("[data-testid=camera-health]");
      badge.dataset.state = h.state;
      badge.textContent = h.state;
      box.dataset.state = h.state;
      const fps = h.fps_in ? `${h.fps_in.toFixed(1)} fps · ` : "";
      box.querySelector("[data-testid=live-stats]").textContent =
        fps + window.kuzet.formatAge(h.last_frame_age_s) + (h.state !== "online" && h.reason ? ` · ${h.reason}` : "");
    } catch (err) { /* server restarting: next tick */ }
  }
  refresh();
  setInterval(refresh, 3000);
})();

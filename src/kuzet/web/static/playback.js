// Recorded video: the event clip on the event page and the per-camera timeline page.
// A span is one joined MP4 (segments back to back) plus a map of pieces with their
// wall-clock starts, so the player shows real times and seeks across segment ends.
"use strict";

(function () {
  function pieceAt(map, offset) {
    let found = map.pieces[0];
    for (const p of map.pieces) if (p.offset_s <= offset) found = p;
    return found;
  }
  function wallAt(map, offset) {
    const p = pieceAt(map, offset);
    return new Date(Date.parse(p.start) + (offset - p.offset_s) * 1000);
  }
  function offsetOf(map, when) {
    const t = when.getTime();
    let best = 0;
    for (const p of map.pieces) {
      const s = Date.parse(p.start);
      if (t >= s) best = p.offset_s + Math.min((t - s) / 1000, p.duration_s);
    }
    return best;
  }
  function showClock(video, map, clock) {
    if (!clock) return;
    const syncAt = document.querySelector("[data-testid=timeline-sync-at]");
    video.addEventListener("timeupdate", () => {
      if (syncAt) syncAt.value = wallAt(map, video.currentTime).toISOString();
      clock.textContent = window.kuzet.formatPrecise(wallAt(map, video.currentTime));
    });
  }

  async function eventClip(box) {
    const video = box.querySelector("video");
    const resp = await fetch(box.dataset.clipUrl, { credentials: "same-origin" });
    if (!resp.ok) {
      box.querySelector("[data-testid=clip-status]").textContent = resp.status === 404
        ? "No recording for this event." : `Recording unavailable (${resp.status}).`;
      video.hidden = true;
      return;
    }
    const map = await resp.json();
    box.dataset.eventOffset = map.event_offset_s;
    video.addEventListener("loadedmetadata", () => { video.currentTime = map.event_offset_s; },
                           { once: true });
    video.addEventListener("kuzet-media-error", (e) => {
      box.querySelector("[data-testid=clip-status]").textContent =
        window.kuzet.t("Redacted video unavailable ({why}).", { why: e.detail });
    });
    window.kuzetMedia.attach(video, map, map.event_offset_s);
    showClock(video, map, box.querySelector("[data-testid=clip-clock]"));
  }

  function drawBar(bar, map, events) {
    const total = map.duration_s;
    for (const p of map.pieces) {
      const seg = document.createElement("span");
      seg.className = "tl-seg";
      seg.dataset.testid = "timeline-segment";
      seg.setAttribute("data-testid", "timeline-segment");
      seg.style.left = `${(100 * p.offset_s) / total}%`;
      seg.style.width = `${(100 * p.duration_s) / total}%`;
      bar.appendChild(seg);
    }
    for (const ev of events) {
      const at = offsetOf(map, new Date(ev.started_at));
      const mark = document.createElement("a");
      mark.className = "tl-event";
      mark.setAttribute("data-testid", "timeline-event");
      mark.href = `/events/${encodeURIComponent(ev.id)}`;
      mark.title = `${ev.kind} ${ev.started_at}`;
      mark.dataset.offset = at;
      mark.style.left = `${(100 * at) / total}%`;
      bar.appendChild(mark);
    }
  }

  async function timeline(box) {
    const video = box.querySelector("video");
    const q = new URLSearchParams({ since: box.dataset.since, until: box.dataset.until });
    const cam = encodeURIComponent(box.dataset.cameraId);
    const resp = await fetch(`/api/recordings/${cam}/span?${q}`, { credentials: "same-origin" });
    const status = box.querySelector("[data-testid=timeline-status]");
    if (!resp.ok) {
      status.textContent = resp.status === 404 ? "No recording in this span." : `Error ${resp.status}`;
      return;
    }
    const map = await resp.json();
    box.timelineMap = map;
    const evResp = await fetch(`/api/events?camera=${cam}&${q}&limit=200`, { credentials: "same-origin" });
    const events = evResp.ok ? (await evResp.json()).items : [];
    const bar = box.querySelector("[data-testid=timeline-bar]");
    drawBar(bar, map, events);
    bar.addEventListener("click", (e) => {
      if (e.target.closest("a")) return;
      const r = bar.getBoundingClientRect();
      video.currentTime = ((e.clientX - r.left) / r.width) * map.duration_s;
    });
    const cursor = box.querySelector("[data-testid=timeline-cursor]");
    video.addEventListener("timeupdate", () => {
      cursor.style.left = `${(100 * video.currentTime) / map.duration_s}%`;
    });
    box.querySelector("[data-testid=timeline-speed]").addEventListener("change", (e) => {
      video.playbackRate = Number(e.target.value);
    });
    for (const btn of box.querySelectorAll("[data-step]")) {
      btn.addEventListener("click", () => {
        video.pause();
        video.currentTime = Math.max(0, video.currentTime + Number(btn.dataset.step));
      });
    }
    for (const btn of box.querySelectorAll("[data-frame]")) {
      btn.addEventListener("click", () => {
        video.pause();
        video.currentTime = Math.max(0, video.currentTime + Number(btn.dataset.frame) * (frameDur || 0.1));
      });
    }
    let frameDur = 0;  // measured from the frames played (requestVideoFrameCallback)
    if (video.requestVideoFrameCallback) {
      let last = null;
      const onFrame = (_, meta) => {
        if (last !== null && meta.mediaTime > last) {
          const d = meta.mediaTime - last;
          frameDur = frameDur ? Math.min(frameDur, d) : d;
        }
        last = meta.mediaTime;
        video.requestVideoFrameCallback(onFrame);
      };
      video.requestVideoFrameCallback(onFrame);
    }
    // ?at=<moment>: open there and play (muted, so the browser allows it).
    const at = box.dataset.at ? offsetOf(map, new Date(box.dataset.at)) : 0;
    video.addEventListener("loadedmetadata", () => {
      video.currentTime = at;
      box.dataset.atOffset = String(at);
      if (box.dataset.at) video.play().catch(() => {});
    }, { once: true });
    video.addEventListener("kuzet-media-error", (e) => {
      status.textContent = window.kuzet.t("Redacted video unavailable ({why}).", { why: e.detail });
    });
    window.kuzetMedia.attach(video, map, at);
    showClock(video, map, box.querySelector("[data-testid=timeline-clock]"));
    status.textContent = `${map.pieces.length} segments, ${map.duration_s.toFixed(1)} s`;
  }

  for (const box of document.querySelectorAll("[data-testid=event-clip-box]")) eventClip(box);
  for (const box of document.querySelectorAll("[data-testid=timeline]")) timeline(box);
})();

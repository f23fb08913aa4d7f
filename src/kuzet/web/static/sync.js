// Recorded video of several cameras on one clock. The clock is wall time: each camera's
// video is kept at the offset of that moment in its own joined span (its pieces map),
// so cameras whose recordings start at different times still show the same instant.
// Play, seek, step and speed act on the clock, and so on every camera.
"use strict";

(function () {
  const box = document.querySelector("[data-testid=sync]");
  if (!box) return;
  const TICK_MS = 200;
  const since = Date.parse(box.dataset.since);
  const until = Date.parse(box.dataset.until);
  const clock = { wall: Date.parse(box.dataset.at), rate: 1, playing: false, base: performance.now() };
  const cams = [];
  const seek = box.querySelector("[data-testid=sync-seek]");
  const playBtn = box.querySelector("[data-testid=sync-play]");
  let dragging = false;

  function now() {
    return clock.playing ? clock.wall + (performance.now() - clock.base) * clock.rate : clock.wall;
  }
  function rebase(wall) { clock.wall = wall; clock.base = performance.now(); }
  function setWall(t) { rebase(Math.min(until, Math.max(since, t))); tick(); }
  function setPlaying(on) {
    rebase(now());
    clock.playing = on;
    playBtn.textContent = on ? "Pause" : "Play";
    box.dataset.playing = on ? "1" : "0";
    tick();
  }

  function inside(map, t) {
    return map.pieces.some((p) => t >= Date.parse(p.start) && t < Date.parse(p.start) + p.duration_s * 1000);
  }
  function offsetOf(map, t) {
    let best = 0;
    for (const p of map.pieces) {
      const s = Date.parse(p.start);
      if (t >= s) best = p.offset_s + Math.min((t - s) / 1000, p.duration_s);
    }
    return best;
  }

  function follow(cam, t) {
    const v = cam.video;
    const state = cam.box.querySelector("[data-testid=sync-camera-state]");
    if (!inside(cam.map, t)) {
      state.textContent = "no recording at this time";
      if (!v.paused) v.pause();
      return false;
    }
    state.textContent = "";
    const target = offsetOf(cam.map, t);
    if (v.playbackRate !== clock.rate) v.playbackRate = clock.rate;
    const tol = clock.playing ? Math.max(0.3, 0.15 * clock.rate) : 0.02;
    if (Math.abs(v.currentTime - target) > tol) v.currentTime = target;
    if (clock.playing && v.paused) v.play().catch(() => {});
    if (!clock.playing && !v.paused) v.pause();
    return clock.playing && (v.seeking || v.readyState < 3);
  }

  function tick() {
    let t = now();
    if (clock.playing && t >= until) { rebase(until); setPlaying(false); return; }
    let waiting = false;
    for (const cam of cams) if (cam.map && cam.video.readyState >= 1) waiting = follow(cam, t) || waiting;
    if (waiting) rebase(t);  // hold the clock while a camera buffers, so none runs ahead
    t = now();
    box.querySelector("[data-testid=sync-clock]").textContent =
      window.kuzet.formatPrecise(new Date(t));  /* the site's time, zone shown */
    box.dataset.wallMs = String(Math.round(t));
    if (!dragging) seek.value = String((t - since) / 1000);
  }

  function frameStep() {
    const durs = cams.map((c) => c.frameDur).filter((d) => d > 0);
    return durs.length ? Math.min(...durs) : 0.1;
  }
  function watchFrames(cam) {
    if (!cam.video.requestVideoFrameCallback) return;
    let last = null;
    const onFrame = (_, meta) => {
      if (last !== null && meta.mediaTime > last) {
        const d = meta.mediaTime - last;
        cam.frameDur = cam.frameDur ? Math.min(cam.frameDur, d) : d;
      }
      last = meta.mediaTime;
      cam.video.requestVideoFrameCallback(onFrame);
    };
    cam.video.requestVideoFrameCallback(onFrame);
  }

  async function load(section) {
    const cam = { box: section, id: section.dataset.cameraId, video: section.querySelector("video"),
                  map: null, frameDur: 0 };
    const q = new URLSearchParams({ since: box.dataset.since, until: box.dataset.until });
    const resp = await fetch(`/api/recordings/${encodeURIComponent(cam.id)}/span?${q}`,
                             { credentials: "same-origin" });
    const state = section.querySelector("[data-testid=sync-camera-state]");
    if (!resp.ok) {
      state.textContent = resp.status === 404 ? "no recording in this span"
        : resp.status === 403 ? "outside your cameras" : `error ${resp.status}`;
      cam.video.hidden = true;
      return null;
    }
    cam.map = await resp.json();
    cam.video.dataset.fileStartMs = String(Date.parse(cam.map.pieces[0].start));
    const t = window.kuzet.t;
    state.textContent = cam.map.parts
      ? t("redacting part by part (faces and plates blurred); plays as soon as the first is ready…")
      : t("loading…");
    cam.video.addEventListener("kuzet-media-error", (e) => {
      state.textContent = t("redacted video unavailable ({why})", { why: e.detail });
    });
    window.kuzetMedia.attach(cam.video, cam.map, offsetOf(cam.map, clock.wall));
    watchFrames(cam);
    cams.push(cam);
    await new Promise((ok) => {
      cam.video.addEventListener("loadedmetadata", ok, { once: true });
      cam.video.addEventListener("kuzet-media-error", ok, { once: true });
    });
    if (cam.video.dataset.partError) return cam;
    state.textContent = "";
    return cam;
  }

  async function start() {
    seek.max = String((until - since) / 1000);
    const loaded = (await Promise.all([...box.querySelectorAll("[data-testid=sync-camera]")].map(load)))
      .filter(Boolean);
    box.querySelector("[data-testid=sync-status]").textContent =
      `${loaded.length} of ${box.querySelectorAll("[data-testid=sync-camera]").length} cameras recorded in this span`;
    box.dataset.ready = "1";
    setInterval(tick, TICK_MS);
    if (loaded.length) setPlaying(true);
  }

  playBtn.addEventListener("click", () => setPlaying(!clock.playing));
  box.querySelector("[data-testid=sync-speed]").addEventListener("change", (e) => {
    rebase(now());
    clock.rate = Number(e.target.value);
    tick();
  });
  for (const btn of box.querySelectorAll("[data-step]")) {
    btn.addEventListener("click", () => { setPlaying(false); setWall(now() + Number(btn.dataset.step) * 1000); });
  }
  for (const btn of box.querySelectorAll("[data-frame]")) {
    btn.addEventListener("click", () => {
      setPlaying(false);
      setWall(now() + Number(btn.dataset.frame) * frameStep() * 1000);
    });
  }
  seek.addEventListener("input", () => { dragging = true; });
  seek.addEventListener("change", () => { dragging = false; setWall(since + Number(seek.value) * 1000); });

  const exportBox = box.querySelector("[data-testid=export-box]");
  if (exportBox && window.kuzetExport) {
    window.kuzetExport.wire(exportBox, (reason) => cams.map((c) => ({
      reason, camera_id: c.id, since: box.dataset.since, until: box.dataset.until,
    })));
  }
  start();
})();

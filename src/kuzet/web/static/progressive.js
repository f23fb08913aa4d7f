// Progressive redacted playback. A masked viewer's span map lists `parts`: one redacted
// piece per recorded segment, each made by the server when first asked for. They are
// appended to a Media Source at their offsets, starting from the part the player is
// to open at, so the video plays as soon as that part is ready while later ones are
// still being redacted; a seek fetches the part it lands in next. Without parts (an
// unmasked viewer) or without Media Source the map's single file is played.
"use strict";

window.kuzetMedia = (function () {
  function partAt(parts, t) {
    let found = 0;
    parts.forEach((p, i) => { if (p.offset_s <= t + 0.001) found = i; });
    return found;
  }

  function nextPart(done, from) {
    for (let i = from; i < done.length; i++) if (!done[i]) return i;
    return done.indexOf(false);
  }

  function appended(sb) {
    return new Promise((ok, fail) => {
      sb.addEventListener("updateend", ok, { once: true });
      sb.addEventListener("error", () => fail(new Error("append failed")), { once: true });
    });
  }

  async function feed(video, ms, map, start) {
    const parts = map.parts;
    const sb = ms.addSourceBuffer(map.mime);
    ms.duration = map.duration_s;
    const done = parts.map(() => false);
    let cursor = partAt(parts, start);
    let sought = null;
    video.addEventListener("seeking", () => { sought = partAt(parts, video.currentTime); });
    for (let i = nextPart(done, cursor); i >= 0; i = nextPart(done, cursor)) {
      const resp = await fetch(parts[i].url, { credentials: "same-origin" });
      if (!resp.ok) {
        video.dataset.partError = String(resp.status);
        video.dispatchEvent(new CustomEvent("kuzet-media-error", { detail: resp.status }));
        return;
      }
      const data = await resp.arrayBuffer();
      sb.timestampOffset = parts[i].offset_s;
      sb.appendBuffer(data);
      await appended(sb);
      done[i] = true;
      video.dataset.partsReady = String(done.filter(Boolean).length);
      cursor = sought !== null ? sought : i + 1;
      sought = null;
    }
    if (ms.readyState === "open") ms.endOfStream();
    video.dataset.partsReady = String(parts.length);
  }

  // Play `map` in `video`, opening at `start` seconds (redacted parts when listed).
  function attach(video, map, start) {
    const parts = map.parts || [];
    if (!parts.length || !window.MediaSource || !MediaSource.isTypeSupported(map.mime)) {
      video.src = map.url;
      return;
    }
    const ms = new MediaSource();
    video.dataset.progressive = "1";
    video.dataset.partsReady = "0";
    video.dataset.parts = String(parts.length);
    ms.addEventListener("sourceopen", () => {
      feed(video, ms, map, start || 0).catch((err) => {
        video.dataset.partError = String(err);
        video.dispatchEvent(new CustomEvent("kuzet-media-error", { detail: String(err) }));
      });
    }, { once: true });
    video.src = URL.createObjectURL(ms);
  }

  return { attach };
})();

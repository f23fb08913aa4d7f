/* Shared helpers: the clock and rendering of <time datetime> elements in the site's
   time zone (<body data-tz>, from the config's `timezone`; times travel as UTC). */
"use strict";

window.kuzet = (function () {
  const zone = (document.body && document.body.dataset.tz) || undefined;
  let parts;
  try {
    parts = new Intl.DateTimeFormat("en-GB", {
      timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", second: "2-digit",
    });
  } catch (err) { /* unknown zone in this browser: the browser's own zone */
    parts = new Intl.DateTimeFormat("en-GB", { hourCycle: "h23", year: "numeric",
      month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" });
  }
  const zoneLabel = parts.resolvedOptions().timeZone;

  function fields(d) {
    const f = {};
    parts.formatToParts(d).forEach((p) => { f[p.type] = p.value; });
    return f;
  }

  function formatTime(iso) {
    const d = new Date(iso);
    if (isNaN(d)) return iso || "";
    const f = fields(d);
    return `${f.year}-${f.month}-${f.day} ${f.hour}:${f.minute}:${f.second}`;
  }

  function formatClock(iso) {
    const d = new Date(iso);
    if (isNaN(d)) return "";
    const f = fields(d);
    return `${f.hour}:${f.minute}:${f.second}`;
  }

  function formatAge(seconds) {
    if (seconds === null || seconds === undefined) return "no frame yet";
    if (seconds < 60) return `${seconds.toFixed(1)} s ago`;
    if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
    return `${Math.round(seconds / 3600)} h ago`;
  }

  function localiseTimes(root) {
    (root || document).querySelectorAll("time[datetime]").forEach((el) => {
      el.textContent = formatTime(el.getAttribute("datetime"));
      el.title = el.getAttribute("datetime");
    });
  }

  function tick() {
    const el = document.getElementById("clock");
    if (el) el.textContent = `${formatTime(new Date().toISOString())} ${zoneLabel}`;
  }

  /* A UI string from scripts: t("Open {n} alarms", {n: 3}). Marked for the message
     catalogues; the translation table is filled from the page's catalogue when loaded. */
  const messages = {};
  function t(text, vars) {
    let s = messages[text] || text;
    if (vars) Object.keys(vars).forEach((k) => { s = s.split(`{${k}}`).join(String(vars[k])); });
    return s;
  }

  tick();
  setInterval(tick, 1000);
  document.addEventListener("DOMContentLoaded", () => localiseTimes());
  return { formatTime, formatClock, formatAge, localiseTimes, t, messages, zone: zoneLabel };
})();

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

  /* A moment with milliseconds and the zone: "2026-12-03 21:04:05.120 Asia/Almaty". */
  function formatPrecise(d) {
    const ms = String(d.getUTCMilliseconds()).padStart(3, "0");
    return `${formatTime(d.toISOString())}.${ms} ${zoneLabel}`;
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

  function fieldsUtc(ms) {
    const f = fields(new Date(ms));
    return Date.UTC(Number(f.year), Number(f.month) - 1, Number(f.day), Number(f.hour) % 24,
      Number(f.minute), Number(f.second));
  }

  /* A datetime-local value ("2026-12-03T16:00") read in the site's zone -> ISO UTC
     (two fixed-point steps cover a DST change). Forms take site time, the API UTC. */
  function siteToUtc(value) {
    const [d, t] = String(value).split("T");
    const [y, mo, day] = d.split("-").map(Number);
    const [h, mi] = (t || "00:00").split(":").map(Number);
    const wall = Date.UTC(y, mo - 1, day, h, mi);
    let guess = wall;
    for (let i = 0; i < 2; i += 1) guess += wall - fieldsUtc(guess);
    return new Date(guess).toISOString();
  }

  /* ISO UTC -> a datetime-local value in the site's zone (to prefill forms). */
  function utcToSite(iso) {
    const f = fields(new Date(iso));
    return `${f.year}-${f.month}-${f.day}T${f.hour}:${f.minute}`;
  }

  /* The phone menu: the header's Menu button shows and hides the navigation. */
  function menu() {
    const button = document.querySelector('[data-testid="nav-toggle"]');
    if (!button) return;
    button.addEventListener("click", () => {
      const open = button.closest(".topbar").classList.toggle("nav-open");
      button.setAttribute("aria-expanded", String(open));
    });
  }

  tick();
  setInterval(tick, 1000);
  menu();
  document.addEventListener("DOMContentLoaded", () => localiseTimes());
  return { formatTime, formatPrecise, formatClock, formatAge, localiseTimes, siteToUtc, utcToSite, t, messages,
    zone: zoneLabel };
})();

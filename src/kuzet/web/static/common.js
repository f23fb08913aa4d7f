/* Shared helpers: the clock and local rendering of <time datetime> elements. */
"use strict";

window.kuzet = (function () {
  function pad(n) { return String(n).padStart(2, "0"); }

  function formatTime(iso) {
    const d = new Date(iso);
    if (isNaN(d)) return iso || "";
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
      `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  }

  function formatClock(iso) {
    const d = new Date(iso);
    return isNaN(d) ? "" : `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
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
    if (el) el.textContent = formatTime(new Date().toISOString());
  }

  tick();
  setInterval(tick, 1000);
  document.addEventListener("DOMContentLoaded", () => localiseTimes());
  return { formatTime, formatClock, formatAge, localiseTimes };
})();

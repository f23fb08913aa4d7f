/* Forms whose time inputs (<input type="datetime-local" data-site-time>) are in the
   site's zone: prefilled from data-utc, and sent as UTC (the server takes UTC). */
"use strict";

(function () {
  const inputs = document.querySelectorAll("input[data-site-time]");
  inputs.forEach((input) => {
    if (input.dataset.utc) input.value = window.kuzet.utcToSite(input.dataset.utc);
  });
  new Set([...inputs].map((i) => i.form).filter(Boolean)).forEach((form) => {
    form.addEventListener("submit", () => {
      form.querySelectorAll("input[data-site-time]").forEach((input) => {
        if (!input.value) { input.disabled = true; return; }
        const hidden = document.createElement("input");
        hidden.type = "hidden";
        hidden.name = input.name;
        hidden.value = window.kuzet.siteToUtc(input.value);
        input.disabled = true;  /* the site-time text is not sent; its UTC twin is */
        form.append(hidden);
      });
    });
  });
  window.addEventListener("pageshow", () => inputs.forEach((i) => { i.disabled = false; }));
})();

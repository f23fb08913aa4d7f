/* The public report form: proof of work with WebCrypto, photos as base64, one JSON POST. */
"use strict";

(function () {
  const t = window.kuzet.t;
  const form = document.getElementById("report-form");
  const message = document.querySelector('[data-testid="report-message"]');
  const config = JSON.parse(document.getElementById("citizen-form").textContent);
  let locationSource = "map";

  function say(text, error) {
    message.hidden = false;
    message.textContent = text;
    message.classList.toggle("error", Boolean(error));
  }

  function deviceToken() {
    let token = localStorage.getItem("kuzet_device");
    if (!token) {
      const bytes = crypto.getRandomValues(new Uint8Array(16));
      token = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
      localStorage.setItem("kuzet_device", token);
    }
    return token;
  }

  function zeroBits(bytes) {
    let n = 0;
    for (const b of bytes) {
      if (b === 0) { n += 8; continue; }
      return n + Math.clz32(b) - 24;
    }
    return n;
  }

  async function solve(challenge, bits) {
    const encoder = new TextEncoder();
    for (let nonce = 0; ; nonce += 1) {
      const digest = await crypto.subtle.digest("SHA-256", encoder.encode(`${challenge}:${nonce}`));
      if (zeroBits(new Uint8Array(digest)) >= bits) return String(nonce);
    }
  }

  function readAsDataUrl(file) {
    return new Promise((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => resolve(reader.result);
      reader.onerror = () => reject(reader.error);
      reader.readAsDataURL(file);
    });
  }

  function localNow() {
    const d = new Date();
    d.setMinutes(d.getMinutes() - d.getTimezoneOffset());
    return d.toISOString().slice(0, 16);
  }

  function number(value) {
    const text = (value || "").trim().replace(",", ".");
    return text === "" ? null : Number(text);
  }

  async function body(data) {
    const files = Array.from((form.elements.photos && form.elements.photos.files) || []);
    if (files.length > config.max_photos) throw new Error(t("At most {n} photos", { n: config.max_photos }));
    const big = files.find((f) => f.size > config.max_photo_bytes);
    if (big) throw new Error(t("The photo {name} is too large", { name: big.name }));
    const lat = number(data.get("lat"));
    const lon = number(data.get("lon"));
    return {
      category: data.get("category"), description: data.get("description") || "",
      occurred_at: new Date(data.get("occurred_at")).toISOString(),
      lat, lon, location_source: lat === null ? "text" : locationSource,
      place: data.get("place") || null, contact: data.get("contact") || null,
      device_token: deviceToken(), photos: await Promise.all(files.map(readAsDataUrl)),
    };
  }

  async function send(event) {
    event.preventDefault();
    const button = form.querySelector('[data-testid="report-submit"]');
    button.disabled = true;
    try {
      const payload = await body(new FormData(form));
      say(t("Preparing your report (a few seconds)…"));
      const challenge = await (await fetch("/api/public/challenge")).json();
      if (challenge.challenge) {
        payload.challenge = challenge.challenge;
        payload.nonce = await solve(challenge.challenge, challenge.bits);
      }
      say(t("Sending…"));
      const answer = await fetch("/api/public/reports", {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(payload),
      });
      const data = await answer.json();
      if (!answer.ok) throw new Error(Array.isArray(data.detail) ? data.detail.map((d) => d.msg).join("; ") : data.detail);
      showReceipt(data);
    } catch (error) {
      say(t("Not sent: {why}", { why: error.message }), true);
    } finally {
      button.disabled = false;
    }
  }

  function showReceipt(data) {
    form.hidden = true;
    const receipt = document.querySelector('[data-testid="report-receipt"]');
    receipt.hidden = false;
    receipt.querySelector('[data-testid="report-ref"]').textContent = data.ref;
    const link = receipt.querySelector('[data-testid="report-status-link"]');
    link.href = data.status_url;
    link.textContent = new URL(data.status_url, location.href).href;
  }

  function locate() {
    if (!navigator.geolocation) { say(t("This phone cannot share its position"), true); return; }
    navigator.geolocation.getCurrentPosition((pos) => {
      form.elements.lat.value = pos.coords.latitude.toFixed(6);
      form.elements.lon.value = pos.coords.longitude.toFixed(6);
      locationSource = "device";
      say(t("Position added (accuracy about {m} m)", { m: Math.round(pos.coords.accuracy) }));
    }, () => say(t("The position was not shared; describe the place instead"), true),
    { enableHighAccuracy: true, timeout: 15000 });
  }

  form.elements.occurred_at.value = localNow();
  form.elements.lat.addEventListener("input", () => { locationSource = "map"; });
  document.querySelector('[data-testid="report-locate"]').addEventListener("click", locate);
  form.addEventListener("submit", send);
})();

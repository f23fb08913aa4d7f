// Evidence export from the console: POST /api/exports (redacted unless the user holds an
// unmask grant; the server decides), then a download link to the signed zip.
"use strict";

window.kuzetExport = (function () {
  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)kuzet_csrf=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    const field = document.querySelector('input[name="csrf_token"]');
    return field ? field.value : "";
  }

  async function errorText(resp) {
    let detail = "";
    try {
      const body = await resp.json();
      detail = typeof body.detail === "string" ? body.detail
        : Array.isArray(body.detail) ? body.detail.map((d) => d.msg).join("; ") : "";
    } catch (err) { /* not JSON */ }
    const what = { 401: "signed out", 403: "you may not export", 404: "nothing to export",
                   422: "invalid request", 503: "export unavailable" }[resp.status] || "failed";
    return `Export ${what} (${resp.status})${detail ? ": " + detail : ""}`;
  }

  // One export; returns {ok, url, name, bytes} or {ok: false, message}.
  async function create(body) {
    const headers = { "Content-Type": "application/json", "X-CSRF-Token": csrfToken() };
    let resp;
    try {
      resp = await fetch("/api/exports", { method: "POST", headers, body: JSON.stringify(body),
                                           credentials: "same-origin" });
    } catch (err) {
      return { ok: false, message: `Export failed: ${err}` };
    }
    if (!resp.ok) return { ok: false, message: await errorText(resp) };
    const blob = await resp.blob();
    const disposition = resp.headers.get("Content-Disposition") || "";
    const name = (disposition.match(/filename="([^"]+)"/) || [])[1] || "kuzet-export.zip";
    const omitted = Number(resp.headers.get("X-Kuzet-Video-Omitted") || "0");
    return { ok: true, url: URL.createObjectURL(blob), name, bytes: blob.size, omitted };
  }

  function link(result) {
    const a = document.createElement("a");
    a.href = result.url;
    a.download = result.name;
    a.textContent = `${result.name} (${(result.bytes / 1024).toFixed(0)} KB)`;
    a.setAttribute("data-testid", "export-download");
    return a;
  }

  // Wire a [data-testid=export-box]: reason input + button; bodies() gives the requests.
  function wire(box, bodies) {
    const button = box.querySelector("[data-testid=export-button]");
    const reason = box.querySelector("[data-testid=export-reason]");
    const status = box.querySelector("[data-testid=export-status]");
    const links = box.querySelector("[data-testid=export-links]");
    button.addEventListener("click", async () => {
      if (reason.value.trim().length < 3) {
        status.dataset.state = "error";
        status.textContent = "Give a reason for the export (at least 3 characters).";
        return;
      }
      button.disabled = true;
      links.replaceChildren();
      status.dataset.state = "working";
      const todo = bodies(reason.value.trim());
      const failed = [];
      const noVideo = [];
      for (let i = 0; i < todo.length; i++) {
        status.textContent = `Building signed export ${i + 1} of ${todo.length}… (clips are redacted and re-encoded: this can take a while)`;
        const result = await create(todo[i]);
        if (result.ok) links.append(link(result));
        if (result.ok && result.omitted) noVideo.push(todo[i].camera_id || result.name);
        else failed.push(todo[i].camera_id ? `${todo[i].camera_id}: ${result.message}` : result.message);
      }
      button.disabled = false;
      status.dataset.state = failed.length ? "error" : "done";
      status.textContent = failed.length ? failed.join(" · ")
        : `Done: ${todo.length} signed export${todo.length > 1 ? "s" : ""}. Check with \`kuzet export verify\`.`;
      if (noVideo.length) {
        const t = window.kuzet ? window.kuzet.t : (s, v) => s.replace("{what}", v.what);
        status.dataset.state = "warning";
        status.dataset.videoOmitted = String(noVideo.length);
        status.textContent += " " + t("Video left out of {what}: it could not be redacted (the reason is in the zip's clips.json).",
                                      { what: noVideo.join(", ") });
      }
    });
  }

  return { create, wire };
})();

// The event page's export box: one export of the event (its snapshot and clip).
(function () {
  const section = document.querySelector("[data-testid=event-export]");
  if (!section) return;
  window.kuzetExport.wire(section.querySelector("[data-testid=export-box]"),
                          (reason) => [{ reason, event_id: section.dataset.eventId }]);
})();

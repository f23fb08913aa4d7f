/* Audit page: run the chain verification and show its result in place. */
"use strict";

(function () {
  const t = window.kuzet.t;
  const button = document.querySelector('[data-testid="audit-verify-run"]');
  const result = document.querySelector('[data-testid="audit-verify-result"]');
  button.addEventListener("click", async () => {
    button.disabled = true;
    result.textContent = t("Verifying…");
    result.removeAttribute("data-ok");
    try {
      const resp = await fetch("/api/audit/verify", { headers: { Accept: "application/json" } });
      const body = await resp.json();
      if (!resp.ok) throw new Error(body.detail || resp.statusText);
      result.dataset.ok = String(Boolean(body.ok));
      const issue = body.first_issue || {};
      result.textContent = body.ok
        ? t("Chain intact: {n} records, {c} signed checkpoints.", { n: body.records, c: body.checkpoints })
        : t("Chain broken at record {seq}: {kind} {detail}",
          { seq: issue.seq, kind: issue.kind || "", detail: issue.detail || "" });
    } catch (err) {
      result.dataset.ok = "false";
      result.textContent = t("Verification failed: {error}", { error: err.message });
    } finally {
      button.disabled = false;
    }
  });
})();

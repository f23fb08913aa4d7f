/* One incident: facts, alarms with evidence and actions, timeline, procedure
   checklist (when the incident carries one), merge / split / link / close; live. */
"use strict";

(function () {
  const kz = window.kz;
  const { el, label, api } = kz;
  const root = document.querySelector('[data-testid="incident"]');
  const id = root.dataset.incidentId;
  const base = `/api/incidents/${encodeURIComponent(id)}`;
  const q = (testid) => document.querySelector(`[data-testid="${testid}"]`);
  let incident = null;
  let reloadTimer = null;
  const picked = new Set();

  function firstMoment(alarms) {
    const times = alarms.map((a) => a.event_at).filter(Boolean).sort();
    return times.length ? times[0] : incident.opened_at;
  }

  function sectorName(id) {
    const known = (kz.choices.sectors || []).find((s) => s.id === id);
    return known && known.name !== id ? `${known.name} (${id})` : id;
  }

  function renderHead(i) {
    q("incident-title").textContent = `${label(i.type)} · incident`;
    const facts = q("incident-facts");
    facts.replaceChildren(
      el("span", `prio prio-${i.priority}`, i.priority, "incident-priority"), " ",
      el("span", `state inc-state-${i.state}`, i.state, "incident-state"),
      ` · opened `, kz.time(i.opened_at), i.owner ? ` · owner ${i.owner}` : "",
      i.sector ? el("span", "sector", ` · ${window.kuzet.t("sector {name}", { name: sectorName(i.sector) })}`, "incident-sector") : "",
      ` · source ${i.source}${i.rule ? ` (${i.rule})` : ""}`,
      i.merged_into ? ` · merged into ${i.merged_into}` : "");
    q("incident-location").textContent = i.location ? `Location: ${i.location}` : "";
    q("incident-description").textContent = i.description || "";
    const links = q("incident-links");
    links.replaceChildren();
    if (i.cameras.length) {
      const play = el("a", "", `▶ synced playback of ${i.cameras.length} camera(s)`, "incident-playback");
      play.href = kz.playbackUrl(i.cameras, firstMoment(i.alarms));
      links.append(play);
    }
    if (i.merged_into) {
      const other = el("a", "", " → the incident it was merged into", "incident-merged-into");
      other.href = `/incidents/${encodeURIComponent(i.merged_into)}`;
      links.append(other);
    }
  }

  function renderAlarm(a) {
    const li = el("li", `inc-alarm prio-row-${a.priority}`, undefined, "incident-alarm");
    li.dataset.alarmId = a.id;
    li.dataset.state = a.state;
    const img = el("img", "thumb", undefined, "incident-snapshot");
    img.alt = "snapshot (faces and plates blurred unless unmasked)";
    img.src = `/api/events/${encodeURIComponent(a.id)}/snapshot.jpg`;
    img.addEventListener("error", () => { img.hidden = true; });
    const box = el("input", "pick", undefined, "incident-pick");
    box.type = "checkbox";
    box.checked = picked.has(a.id);
    box.addEventListener("change", () => {
      if (box.checked) picked.add(a.id); else picked.delete(a.id);
      const split = q("inc-split");
      if (split) split.disabled = picked.size === 0;
    });
    const top = el("div", "ia-top");
    top.append(box, el("strong", "", label(a.kind)), " · ", kz.cameraNames[a.camera_id] || a.camera_id, " ",
      kz.badges(a));
    const meta = el("div", "ia-meta muted");
    meta.append("opened ", kz.time(a.opened_at), a.owner ? ` · owner ${a.owner}` : "",
      a.unit ? ` · unit ${a.unit}` : "", a.verdict ? ` · verdict ${label(a.verdict)}` : "");
    const links = el("div", "ia-links");
    const video = el("a", "", "▶ video at this moment", "incident-alarm-video");
    video.href = kz.recordingUrl(a.camera_id, a.event_at);
    const ev = el("a", "", "event", "incident-alarm-event");
    ev.href = `/events/${encodeURIComponent(a.id)}`;
    links.append(video, " · ", ev);
    const body = el("div", "ia-body");
    body.append(top, meta, links, kz.actionBar(a, runAlarm));
    li.append(img, body);
    return li;
  }

  function renderTimeline(entries) {
    q("incident-timeline").replaceChildren(...entries.slice().reverse().map((e) => {
      const li = el("li", `tl-entry tl-${e.source}`, undefined, "timeline-entry");
      li.dataset.action = e.action;
      const what = e.source === "alarm"
        ? `alarm ${label(e.action)}${e.to_state && e.from_state !== e.to_state ? ` → ${label(e.to_state)}` : ""}`
        : `incident ${label(e.action)}`;
      const details = e.details || {};
      const extra = [details.unit && `unit ${details.unit}`, details.verdict && `verdict ${label(details.verdict)}`,
        details.owner && `owner ${details.owner}`, details.into && `into ${details.into}`,
        details.from && `from ${details.from}`].filter(Boolean).join(", ");
      li.append(kz.time(e.at), el("span", "tl-what", ` ${what}`), el("span", "tl-who", ` by ${e.actor || "system"}`),
        extra ? el("span", "muted", ` (${extra})`) : "", e.text ? el("q", "tl-text", e.text, "timeline-text") : "");
      return li;
    }));
  }

  const LANG = (document.documentElement.lang || "en").slice(0, 2);
  function words(t) {
    if (!t || typeof t === "string") return t || "";
    return t[LANG] || t.ru || t.en || t.kk || "";
  }

  function stepButton(text, testid, fn) {
    const b = el("button", "act", text, testid);
    b.type = "button";
    b.addEventListener("click", fn);
    return b;
  }

  /* Marks a step done (answer/note) or skipped (reason); the server checks again. */
  async function markStep(step, how, answer) {
    let body = {};
    if (how === "skip" || step.note_required) {
      const asked = await kz.ask("comment", how === "skip" ? `Why skip: ${words(step.text)}` : `Note: ${words(step.text)}`);
      if (!asked || !asked.text) return;
      body = how === "skip" ? { reason: asked.text } : { note: asked.text };
    }
    if (answer) body.answer = answer;
    const url = `${base}/procedure/steps/${encodeURIComponent(step.id)}/${how}`;
    await report(await api("POST", url, body), how === "skip" ? "step skipped; supervisors notified" : "step done");
  }

  function renderStep(step, canAct) {
    const li = el("li", `step step-${step.status} applies-${step.applies}`, undefined, "procedure-step");
    li.dataset.stepId = step.id;
    li.dataset.status = step.status;
    li.dataset.applies = step.applies;
    const state = step.applies === "no" ? "not on this path" : step.applies === "pending" ? "pending" : step.status;
    li.append(el("span", "step-state", state), " ", el("span", "step-text", words(step.text)));
    if (step.required) li.append(el("span", "muted", " (required)"));
    if (step.answer) li.append(el("span", "muted", ` · answer ${step.answer}`));
    if (step.by) li.append(el("span", "muted", ` · ${step.by} `), kz.time(step.at));
    if (step.note) li.append(el("q", "tl-text", step.note));
    if (step.legal) {
      const legal = step.legal;
      li.append(el("div", "legal", `${words(legal.code)} ${legal.article ? `art. ${legal.article}` : ""}: ${words(legal.text)}`, "procedure-legal"));
    }
    if (canAct && step.applies === "yes" && step.status === "open") {
      const bar = el("div", "actions");
      if (step.kind === "question") {
        bar.append(stepButton("Yes", "step-yes", () => markStep(step, "done", "yes")),
          stepButton("No", "step-no", () => markStep(step, "done", "no")));
      } else {
        bar.append(stepButton("Done", "step-done", () => markStep(step, "done")),
          stepButton("Skip…", "step-skip", () => markStep(step, "skip")));
      }
      li.append(bar);
    }
    return li;
  }

  /* Shown only when the incident carries a procedure (SOP steps, issue 15 item 3). */
  function renderProcedure(p) {
    const box = q("procedure");
    if (!p || !Array.isArray(p.steps)) { box.hidden = true; return; }
    box.hidden = false;
    q("procedure-version").textContent = `${words(p.title)} · version ${p.version}` +
      (p.complete ? " · complete" : ` · open: ${(p.open_required || []).join(", ")}`);
    const canAct = kz.me.handle && incident.state === "open";
    q("procedure-steps").replaceChildren(...p.steps.map((step) => renderStep(step, canAct)));
  }

  async function loadMergeChoices() {
    const select = q("inc-merge-with");
    if (!select) return;
    const answer = await api("GET", "/api/incidents?state=open&limit=100");
    if (!answer.ok) return;
    const options = answer.data.items.filter((i) => i.id !== id).map((i) => {
      const o = el("option", "", `${label(i.type)} · ${i.priority} · ${i.location || i.cameras.join(", ") || i.id.slice(0, 8)}`);
      o.value = i.id;
      return o;
    });
    const none = el("option", "", "choose an open incident");
    none.value = "";
    select.replaceChildren(none, ...options);
  }

  async function load() {
    const answer = await api("GET", base);
    if (!answer.ok) { kz.message(answer.message, "error"); return; }
    incident = answer.data;
    renderHead(incident);
    renderProcedure(incident.procedure);
    q("incident-alarm-count").textContent = String(incident.alarms.length);
    q("incident-alarms").replaceChildren(...incident.alarms.map(renderAlarm));
    renderTimeline(incident.timeline);
    const actions = q("incident-actions");
    if (actions) actions.hidden = incident.state !== "open";
  }

  function reloadSoon() {
    clearTimeout(reloadTimer);
    reloadTimer = setTimeout(load, 150);
  }

  async function report(answer, done) {
    if (answer === null) return false;
    if (!answer.ok) {
      kz.message(`${answer.status === 409 ? "Conflict: " : ""}${answer.message}`, "error");
      await load();
      return false;
    }
    kz.message(done, "ok");
    await load();
    return true;
  }

  async function runAlarm(a, action) {
    await report(await kz.act(a, action), `${label(action)}: done`);
  }

  async function comment() {
    const body = await kz.ask("comment", "Comment on the incident");
    if (body && body.text) await report(await api("POST", `${base}/comment`, { text: body.text }), "comment added");
  }

  async function setLocation() {
    const body = await kz.ask("comment", "Location (address or landmark)");
    if (body && body.text) await report(await api("PATCH", base, { location: body.text }), "location set");
  }

  async function linkAlarm() {
    const body = await kz.ask("comment", "Alarm id to link");
    if (body && body.text) await report(await api("POST", `${base}/alarms`, { alarm_ids: [body.text] }), "alarm linked");
  }

  async function split() {
    const ids = [...picked];
    const answer = await api("POST", `${base}/split`, { alarm_ids: ids, new_incident: true });
    picked.clear();
    if (await report(answer, `${ids.length} alarm(s) split off`) && answer.data.new) {
      const link = el("a", "", " open the new incident", "message-new-incident");
      link.href = `/incidents/${encodeURIComponent(answer.data.new.id)}`;
      q("page-message").append(link);
    }
  }

  async function merge() {
    const other = q("inc-merge-with").value;
    if (!other) { kz.message("choose the incident to merge in", "error"); return; }
    await report(await api("POST", `${base}/merge`, { incident_id: other }), "incident merged in");
    loadMergeChoices();
  }

  /* Resolves every open alarm with one verdict (acknowledging new ones first), then closes. */
  async function resolveAll() {
    const verdict = q("inc-verdict").value;
    for (const a of incident.alarms.filter((x) => x.state !== "resolved")) {
      const path = `/api/alarms/${encodeURIComponent(a.id)}`;
      if (a.state === "new" || a.state === "skipped") {
        const ack = await api("POST", `${path}/acknowledge`, {});
        if (!ack.ok) { await report(ack, ""); return; }
      }
      const res = await api("POST", `${path}/resolve`, { verdict });
      if (!res.ok) { await report(res, ""); return; }
    }
    await report(await api("POST", `${base}/close`, { text: `resolved as ${label(verdict)}` }), "incident closed");
  }

  const on = (testid, fn) => { const b = q(testid); if (b) b.addEventListener("click", fn); };
  on("inc-comment", comment);
  on("inc-location", setLocation);
  on("inc-link", linkAlarm);
  on("inc-split", split);
  on("inc-merge", merge);
  on("inc-resolve", resolveAll);
  kz.stream({
    onReady: () => { load(); loadMergeChoices(); },
    onAlarm: (a) => {
      if (a.incident_id === id || (incident && incident.alarms.some((x) => x.id === a.id))) reloadSoon();
    },
    onIncident: (i) => { if (i.id === id) reloadSoon(); else loadMergeChoices(); },
  });
})();

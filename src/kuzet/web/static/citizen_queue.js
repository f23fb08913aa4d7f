/* The queue's detail panel for citizen reports: the report, its photos and the cameras
   near the place with links to their video at that time (window.kuzetCitizen.detail). */
"use strict";

window.kuzetCitizen = (function () {
  const t = window.kuzet.t;

  function el(tag, text, testid) {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (testid) node.dataset.testid = testid;
    return node;
  }

  function cameras(report) {
    const list = el("ul", undefined, "citizen-cameras");
    if (!report.cameras.length) list.append(el("li", t("No camera with a position near this place")));
    report.cameras.forEach((c) => {
      const li = el("li", undefined, "citizen-camera");
      li.dataset.camera = c.camera_id;
      const a = el("a", t("{name} · {m} m · video at that time", { name: c.name, m: Math.round(c.distance_m) }));
      a.href = c.recording_url;
      li.append(a);
      if (c.recorded === false) li.append(" ", el("span", t("(not recorded)")));
      list.append(li);
    });
    return list;
  }

  async function fill(box, alarmId) {
    const answer = await fetch(`/api/citizen/alarms/${encodeURIComponent(alarmId)}`);
    if (!answer.ok) { box.append(el("p", t("The report could not be loaded"))); return; }
    const r = await answer.json();
    const where = [r.place, r.lat !== null ? `${r.lat}, ${r.lon} (${r.location_source})` : null].filter(Boolean).join(" · ");
    box.append(
      el("p", t("Citizen report {ref} · {category}", { ref: r.ref, category: r.category_label }), "citizen-ref"),
      el("p", t("Where: {where}", { where }), "citizen-where"),
      el("p", t("When: {when}", { when: window.kuzet.formatTime(r.occurred_at) }), "citizen-when"),
      el("p", r.description, "citizen-description"),
      el("p", r.contact ? t("Call back: {contact}", { contact: r.contact }) : t("No call-back contact"), "citizen-contact"),
      el("h3", t("Cameras nearby")), cameras(r));
    r.photos.forEach((url) => {
      const img = el("img", undefined, "citizen-photo");
      img.src = url;
      img.alt = t("photo sent by the citizen");
      img.style.maxWidth = "100%";
      box.append(img);
    });
  }

  const shown = new Map();  // alarm id -> its panel (the queue re-renders the detail often)

  function detail(alarm) {
    if (!shown.has(alarm.id)) {
      const box = el("section", undefined, "citizen-detail");
      fill(box, alarm.id);
      shown.set(alarm.id, box);
    }
    return shown.get(alarm.id);
  }

  return { detail };
})();

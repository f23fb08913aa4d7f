/* Rule analytics: fetch /api/analytics/precision and draw it with Chart.js (served locally). */
"use strict";

(function () {
  const { el, api, show } = window.kuzetId;
  const COLORS = ["#3ea6ff", "#f5a623", "#2ecc71", "#c678dd", "#56b6c2", "#e5c07b", "#ff7f50", "#98c379"];
  const VERDICT_COLORS = { confirmed: "#2ecc71", referred: "#56b6c2", false_alarm: "#ff4d4f",
    duplicate: "#8b95a5", no_action: "#e5c07b" };
  const charts = {};
  const form = document.querySelector('[data-testid="analytics-form"]');

  function pct(value) { return value === null || value === undefined ? null : Math.round(value * 1000) / 10; }
  function pctText(value) { return value === null || value === undefined ? "-" : `${pct(value)} %`; }
  function minutes(seconds) { return seconds === null || seconds === undefined ? null : Math.round(seconds / 6) / 10; }
  function secondsText(s) {
    if (s === null || s === undefined) return "-";
    if (s < 60) return `${Math.round(s)} s`;
    if (s < 3600) return `${Math.floor(s / 60)} min ${String(Math.round(s % 60)).padStart(2, "0")} s`;
    return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")} min`;
  }

  if (!window.Chart) {  // the vendored library is installed by `make web`
    show(document.querySelector('[data-testid="page-message"]'),
      "The plotting library is not installed on this server (run `make web`); tables only.");
    window.Chart = function () { return { destroy() {} }; };
    window.Chart.defaults = {};
  }
  Chart.defaults.color = "#8b95a5";
  Chart.defaults.borderColor = "#27303b";
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;

  function draw(id, config) {
    if (charts[id]) charts[id].destroy();
    charts[id] = new Chart(document.getElementById(id), config);
  }

  function percentAxis() { return { min: 0, max: 100, title: { display: true, text: "precision %" } }; }

  function drawRules(data) {
    const rules = data.rules;
    const floor = data.precision_floor === null ? null : pct(data.precision_floor);
    const datasets = [{
      type: "bar", label: "precision", data: rules.map((r) => pct(r.precision)), minBarLength: 3,
      backgroundColor: rules.map((r) => (r.below_floor ? "#ff4d4f" : r.enough ? "#3ea6ff" : "#56606e")),
    }];
    if (floor !== null) {
      datasets.push({ type: "line", label: `floor ${floor} %`, data: rules.map(() => floor),
        borderColor: "#ff4d4f", borderDash: [6, 4], pointRadius: 0 });
    }
    draw("chart-rules", { data: { labels: rules.map((r) => r.key), datasets },
      options: { scales: { y: percentAxis() } } });
  }

  function drawWeeks(data) {
    const labels = data.weeks.map((w) => w.key);
    const datasets = [{ label: "all rules", data: data.weeks.map((w) => pct(w.precision)),
      borderColor: "#e6e9ee", borderWidth: 3, spanGaps: true }];
    data.rules.slice(0, COLORS.length).forEach((rule, i) => {
      datasets.push({ label: rule.key, data: data.rule_weeks[rule.key].map((w) => pct(w.precision)),
        borderColor: COLORS[i], spanGaps: true });
    });
    draw("chart-weeks", { type: "line", data: { labels, datasets },
      options: { scales: { y: percentAxis() } } });
  }

  function drawVerdicts(data) {
    const labels = data.weeks.map((w) => w.key);
    const datasets = Object.keys(VERDICT_COLORS).map((v) => ({
      label: v, data: data.weeks.map((w) => w.verdicts[v] || 0), backgroundColor: VERDICT_COLORS[v] }));
    datasets.push({ label: "open", data: data.weeks.map((w) => w.open), backgroundColor: "#3a4350" });
    draw("chart-verdicts", { type: "bar", data: { labels, datasets },
      options: { scales: { x: { stacked: true }, y: { stacked: true, title: { display: true, text: "alarms" } } } } });
  }

  function drawTimes(data) {
    const labels = data.weeks.map((w) => w.key);
    draw("chart-times", { type: "line", data: { labels, datasets: [
      { label: "to acknowledge", data: data.weeks.map((w) => minutes(w.median_ack_s)), borderColor: "#f5a623", spanGaps: true },
      { label: "to resolve", data: data.weeks.map((w) => minutes(w.median_resolve_s)), borderColor: "#2ecc71", spanGaps: true },
    ] }, options: { scales: { y: { min: 0, title: { display: true, text: "minutes" } } } } });
  }

  function table(node, rows, what) {
    node.replaceChildren();
    const head = el("tr");
    [what, "alarms", "open", "confirmed", "referred", "false alarm", "duplicate", "no action",
      "precision", "median to acknowledge", "median to resolve"].forEach((h) => head.append(el("th", null, h)));
    node.append(head);
    rows.forEach((r) => {
      const tr = el("tr", r.below_floor ? "below-floor" : "", null, "figures-row");
      tr.dataset.key = r.key;
      const v = r.verdicts;
      [r.key, r.alarms, r.open, v.confirmed, v.referred, v.false_alarm, v.duplicate, v.no_action].forEach(
        (c) => tr.append(el("td", null, c)));
      const precision = el("td", null, pctText(r.precision) + (r.enough ? "" : " (few verdicts)"), "precision");
      precision.dataset.value = r.precision === null ? "" : String(r.precision);
      tr.append(precision, el("td", null, secondsText(r.median_ack_s)), el("td", null, secondsText(r.median_resolve_s)));
      node.append(tr);
    });
    if (!rows.length) {
      const tr = el("tr");
      tr.append(el("td", "empty", "No alarms in this span."));
      node.append(tr);
    }
  }

  function flags(data) {
    const box = document.querySelector('[data-testid="flags"]');
    const list = box.querySelector('[data-testid="flag-items"]');
    list.replaceChildren();
    const seen = new Set();
    data.flags.forEach((f) => {
      seen.add(f.rule_id);
      list.append(el("li", null, `${f.rule_id}: ${pctText(f.precision)} over ${f.decided} verdicts ` +
        `(floor ${pctText(f.floor)}), flagged since ${window.kuzet.formatTime(f.flagged_at)}`, "flag-item"));
    });
    data.rules.filter((r) => r.below_floor && !seen.has(r.key)).forEach((r) => {
      list.append(el("li", null, `${r.key}: ${pctText(r.precision)} over ${r.true_count + r.false_count} verdicts ` +
        `in this span (floor ${pctText(data.precision_floor)})`, "flag-item"));
    });
    box.hidden = list.children.length === 0;
  }

  function totals(data) {
    const box = document.querySelector('[data-testid="totals"]');
    box.replaceChildren();
    const t = data.total;
    [["alarms", t.alarms], ["open", t.open], ["precision", pctText(t.precision)],
      ["median to acknowledge", secondsText(t.median_ack_s)], ["median to resolve", secondsText(t.median_resolve_s)]]
      .forEach(([label, value]) => {
        const div = el("div", "total", null, `total-${label.replaceAll(" ", "-")}`);
        div.append(el("b", null, value), el("span", "muted", label));
        box.append(div);
      });
  }

  async function load() {
    const params = new URLSearchParams();
    for (const name of ["since", "until"]) {
      if (form.elements[name].value) params.set(name, form.elements[name].value);
    }
    try {
      const data = await api("GET", "/api/analytics/precision?" + params.toString());
      document.querySelector('[data-testid="analytics-zone"]').textContent = data.timezone_label;
      flags(data); totals(data);
      drawRules(data); drawWeeks(data); drawVerdicts(data); drawTimes(data);
      table(document.querySelector('[data-testid="rules-table"]'), data.rules, "rule");
      table(document.querySelector('[data-testid="cameras-table"]'), data.cameras, "camera");
      window.kuzetAnalytics = { data, charts };
      document.body.dataset.analyticsReady = String(Date.now());
    } catch (err) {
      show(document.querySelector('[data-testid="page-message"]'), err.message);
    }
  }

  form.addEventListener("submit", (e) => { e.preventDefault(); load(); });
  load();
})();

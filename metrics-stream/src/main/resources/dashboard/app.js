// The cifar-stream dashboard: polls the metrics API once a second and draws with inline SVG.
// Plain browser JavaScript, no library and nothing fetched from outside this server.
(function () {
  "use strict";

  const CLASS_NAMES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];
  // Tableau 10: ten hues that stay apart for the ten ROC curves.
  const PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#7f7f7f"];
  const POLL_MS = 1000;
  const HISTORY_POINTS = 900;        // 15 minutes at one point a second
  const THROUGHPUT_SPAN_MS = 5000;   // records/s over the last five seconds of count samples
  const SVG_NS = "http://www.w3.org/2000/svg";
  const VIEW_NAMES = { cumulative: "cumulative", window: "window", last: "last N" };

  const state = {
    model: null,
    view: "cumulative",
    histories: new Map(),     // "model|view" -> [{t, accuracy, estimated, f1Macro}]
    countSamples: new Map(),  // model -> [{t, count}] of its cumulative count
    highlighted: null,        // class index whose ROC curve is emphasised
  };

  const $ = (id) => document.getElementById(id);

  function el(tag, attrs, text) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      node.setAttribute(name, String(value));
    }
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  function html(tag, attrs, text) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      node.setAttribute(name, String(value));
    }
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  const isNumber = (x) => typeof x === "number" && Number.isFinite(x);
  const fixed = (x, digits) => (isNumber(x) ? x.toFixed(digits) : "n/a");
  const percent = (x) => (isNumber(x) ? (100 * x).toFixed(2) + " %" : "n/a");
  const integer = (x) => (isNumber(x) ? Math.round(x).toLocaleString("en-US") : "–");

  // The API's bearer token, when the server requires one: opened as /#token=..., kept for this tab only
  // (sessionStorage) and taken out of the address bar, so that it is neither bookmarked nor shown.
  // Also read when the fragment changes on an open page (a token pasted into the address bar).
  const TOKEN_KEY = "cifar-stream-token";
  function takeTokenFromAddress() {
    const fragment = new URLSearchParams(window.location.hash.slice(1));
    if (fragment.has("token")) {
      window.sessionStorage.setItem(TOKEN_KEY, fragment.get("token"));
      window.history.replaceState(null, "", window.location.pathname + window.location.search);
    }
  }
  takeTokenFromAddress();
  window.addEventListener("hashchange", takeTokenFromAddress);

  async function getJson(url) {
    const token = window.sessionStorage.getItem(TOKEN_KEY);
    const headers = token ? { Authorization: "Bearer " + token } : {};
    const response = await fetch(url, { cache: "no-store", headers: headers });
    if (!response.ok) {
      const body = await response.json().catch(() => ({}));
      const error = new Error(body.error || url + " answered " + response.status);
      error.status = response.status;
      throw error;
    }
    return response.json();
  }

  // ---- polling ---------------------------------------------------------------------------------

  async function poll() {
    try {
      const status = await getJson("/api/status");
      if (status.reports !== "available") {
        // Restoring, rebalancing, or an instance gone without a standby: keep what the page shows, say why.
        setConnection("offline", "metrics unavailable: " + status.reports);
        return;
      }
      const models = Object.keys(status.models).sort();
      recordCounts(status);
      updateModelPicker(models);
      if (models.length === 0) {
        showWaiting(true);
      } else {
        showWaiting(false);
        const entry = status.models[state.model];
        updateStatusKpis(status, entry);
        showAlerts(entry.alerts || []);
        if (entry.views.includes(state.view)) {
          const report = await getJson("/api/models/" + encodeURIComponent(state.model) + "?view=" + state.view);
          render(report);
        } else {
          showViewMissing();
        }
      }
      const fromStandby = models.filter((model) => status.models[model].served_by);
      setConnection(fromStandby.length ? "standby" : "live", "live · updated "
        + new Date(status.time).toLocaleTimeString("en-GB")
        + (fromStandby.length ? " · " + fromStandby.join(", ") + " from a standby replica (its owner does not answer;"
          + " counts may lag until the group moves its tasks)" : ""));
    } catch (error) {
      setConnection("offline", error.status === 503 ? "metrics stream is starting…"
        : error.status === 401 ? "token needed: open this page as /#token=YOUR_TOKEN"
        : "no connection, retrying…");
    } finally {
      window.setTimeout(poll, POLL_MS);
    }
  }

  function setConnection(kind, text) {
    const node = $("connection");
    node.dataset.state = kind;
    node.textContent = text;
  }

  function showWaiting(waiting) {
    $("waiting").hidden = !waiting;
    $("content").hidden = waiting;
  }

  function updateModelPicker(models) {
    const select = $("model");
    const current = Array.from(select.options).map((option) => option.value);
    if (current.join("\n") !== models.join("\n")) {
      select.replaceChildren(...models.map((model) => html("option", { value: model }, model)));
    }
    select.disabled = models.length === 0;
    if (!models.includes(state.model)) {
      state.model = models.length > 0 ? models[0] : null;
    }
    if (state.model !== null) {
      select.value = state.model;
    }
  }

  // ---- throughput and counters -----------------------------------------------------------------

  function recordCounts(status) {
    const now = Date.now();
    for (const [model, entry] of Object.entries(status.models)) {
      let samples = state.countSamples.get(model) || [];
      if (samples.length > 0 && entry.count < samples[samples.length - 1].count) {
        samples = [];  // the stream restarted from scratch: old samples no longer compare
      }
      samples.push({ t: now, count: entry.count });
      while (samples.length > 2 && now - samples[1].t >= THROUGHPUT_SPAN_MS) {
        samples.shift();
      }
      state.countSamples.set(model, samples);
    }
  }

  function throughput(model) {
    const samples = state.countSamples.get(model) || [];
    if (samples.length < 2) {
      return null;
    }
    const first = samples[0];
    const last = samples[samples.length - 1];
    return (last.count - first.count) / ((last.t - first.t) / 1000);
  }

  function updateStatusKpis(status, entry) {
    const rate = throughput(state.model);
    $("kpi-throughput").textContent = rate === null ? "…" : rate.toFixed(rate < 10 ? 1 : 0) + " /s";
    $("kpi-total").textContent = integer(entry.count) + " records counted in all";
    const kinds = Object.entries(status.dead_letters);
    const dead = kinds.reduce((sum, [, count]) => sum + count, 0);
    const deadNode = $("kpi-dead");
    deadNode.textContent = integer(dead);
    deadNode.classList.toggle("alert", dead > 0);
    deadNode.dataset.deadLetters = String(dead);
    $("kpi-dead-kinds").textContent = kinds.length === 0 ? "none"
      : kinds.map(([kind, count]) => kind + " " + integer(count)).join(" · ");
  }

  // ---- one report ------------------------------------------------------------------------------

  function render(report) {
    $("view-missing").hidden = true;
    document.querySelector(".grid").hidden = false;
    const key = report.model_id + "|" + report.view;
    const history = state.histories.get(key) || [];
    history.push({ t: Date.now(), accuracy: report.accuracy, estimated: report.estimated_accuracy, f1Macro: report.f1_macro });
    if (history.length > HISTORY_POINTS) {
      history.shift();
    }
    state.histories.set(key, history);

    $("content").dataset.view = report.view;
    $("kpi-count").textContent = integer(report.count);
    $("kpi-scope").textContent = scope(report);
    $("kpi-accuracy").textContent = percent(report.accuracy);
    $("kpi-f1-macro").textContent = fixed(report.f1_macro, 4);
    $("kpi-f1-weighted").textContent = "weighted " + fixed(report.f1_weighted, 4) + " · micro " + fixed(report.f1_micro, 4);
    $("kpi-auc").textContent = fixed(report.auc_macro, 4);
    $("kpi-log-loss").textContent = "log loss " + fixed(report.log_loss, 4);
    showEstimate(report);
    drawHistory(history);
    drawDrift(report);
    drawReliability(report);
    drawRoc(report);
    drawConfusion(report.confusion);
    drawPerClass(report);
    $("meta").replaceChildren(
      html("span", {}, "model " + report.model_id),
      html("span", {}, "view " + VIEW_NAMES[report.view]),
      html("span", {}, "snapshot emitted " + new Date(report.emitted_time).toLocaleString("en-GB")));
  }

  function span(start, end) {
    const time = (ms) => new Date(ms).toLocaleTimeString("en-GB");
    return time(start) + " – " + time(end);
  }

  function scope(report) {
    if (report.view === "window" && isNumber(report.window_start)) {
      return "event time " + span(report.window_start, report.window_end);
    }
    return report.view === "last" ? "the most recent labelled records" : "since the stream started";
  }

  function showViewMissing() {
    const note = $("view-missing");
    note.hidden = false;
    document.querySelector(".grid").hidden = true;
    note.textContent = "No " + VIEW_NAMES[state.view] + " metrics for " + state.model
      + " yet: they appear with its first snapshot of that view.";
  }

  // ---- charts ----------------------------------------------------------------------------------

  function drawHistory(history) {
    const width = 1000, height = 230;
    const m = { left: 48, right: 160, top: 12, bottom: 28 };
    const svg = el("svg", { viewBox: `0 0 ${width} ${height}`, role: "img",
      "aria-label": "accuracy, estimated accuracy and F1 macro over time" });
    const values = history.flatMap((p) => [p.accuracy, p.estimated, p.f1Macro]).filter(isNumber);
    const t1 = history[history.length - 1].t;
    const t0 = Math.min(history[0].t, t1 - 60000);
    let lo = values.length ? Math.floor(Math.min(...values) * 10) / 10 : 0;
    let hi = values.length ? Math.ceil(Math.max(...values) * 10) / 10 : 1;
    if (hi - lo < 0.2) {
      lo = Math.max(0, hi - 0.2);
      hi = Math.min(1, lo + 0.2);
    }
    const x = (t) => m.left + (t - t0) / (t1 - t0) * (width - m.left - m.right);
    const y = (v) => m.top + (hi - v) / (hi - lo) * (height - m.top - m.bottom);

    for (let v = lo; v <= hi + 1e-9; v += (hi - lo) / 4) {
      svg.append(el("line", { class: "grid-line", x1: m.left, x2: width - m.right, y1: y(v), y2: y(v) }));
      svg.append(el("text", { x: m.left - 6, y: y(v) + 4, "text-anchor": "end" }, v.toFixed(2)));
    }
    const span = t1 - t0;
    const step = [10, 30, 60, 120, 300, 600].map((s) => s * 1000).find((s) => span / s <= 6) || 600000;
    for (let back = 0; back <= span; back += step) {
      const t = t1 - back;
      svg.append(el("text", { x: x(t), y: height - 8, "text-anchor": "middle" },
        back === 0 ? "now" : "−" + (back >= 60000 ? back / 60000 + " min" : back / 1000 + " s")));
    }
    svg.append(el("line", { class: "axis", x1: m.left, x2: width - m.right, y1: height - m.bottom, y2: height - m.bottom }));

    const series = [
      { name: "accuracy", color: "#2f5fb3", value: (p) => p.accuracy },
      { name: "estimated", color: "#2f5fb3", value: (p) => p.estimated, dashed: true },
      { name: "F1 macro", color: "#e07b39", value: (p) => p.f1Macro },
    ];
    series.forEach((s, i) => {
      svg.append(el("path", { class: "history-line" + (s.dashed ? " estimated" : ""), "data-series": s.name, stroke: s.color,
        d: linePath(history, s.value, x, y) }));
      const last = history[history.length - 1];
      if (isNumber(s.value(last))) {
        svg.append(el("circle", { cx: x(last.t), cy: y(s.value(last)), r: 3.5, fill: s.color }));
      }
      const ly = m.top + 14 + i * 20;
      svg.append(el("line", { x1: width - m.right + 14, x2: width - m.right + 34, y1: ly - 4, y2: ly - 4, stroke: s.color,
        "stroke-width": 3, "stroke-dasharray": s.dashed ? "6 4" : "none" }));
      svg.append(el("text", { class: "class-label", x: width - m.right + 40, y: ly }, s.name + " " + fixed(s.value(last), 3)));
    });
    $("history").replaceChildren(svg);
  }

  // A path through the points, broken where polls were missed (another view was shown, or the server was away).
  function linePath(points, value, x, y) {
    let d = "";
    let previous = null;
    for (const p of points) {
      const v = value(p);
      if (!isNumber(v)) {
        previous = null;
        continue;
      }
      const jump = previous === null || p.t - previous.t > 3 * POLL_MS;
      d += (jump ? "M" : "L") + x(p.t).toFixed(1) + "," + y(v).toFixed(1);
      previous = p;
    }
    return d;
  }

  // The grid, ticks, dashed diagonal and axis titles of a plot of [0, 1] x [0, 1].
  function unitSquare(svg, x, y, xTitle, yTitle) {
    for (let i = 0; i <= 5; i++) {
      const v = i / 5;
      svg.append(el("line", { class: "grid-line", x1: x(v), x2: x(v), y1: y(0), y2: y(1) }));
      svg.append(el("line", { class: "grid-line", x1: x(0), x2: x(1), y1: y(v), y2: y(v) }));
      svg.append(el("text", { x: x(v), y: y(0) + 14, "text-anchor": "middle" }, v.toFixed(1)));
      svg.append(el("text", { x: x(0) - 6, y: y(v) + 4, "text-anchor": "end" }, v.toFixed(1)));
    }
    svg.append(el("line", { class: "axis", x1: x(0), y1: y(0), x2: x(1), y2: y(1), "stroke-dasharray": "4 4" }));
    svg.append(el("text", { class: "axis-title", x: x(0.5), y: y(0) + 32, "text-anchor": "middle" }, xTitle));
    svg.append(el("text", { class: "axis-title", x: 12, y: y(0.5), "text-anchor": "middle", transform: `rotate(-90 12 ${y(0.5)})` }, yTitle));
  }

  function drawRoc(report) {
    const size = 380, m = { left: 44, right: 10, top: 10, bottom: 40 };
    const plot = size - m.left - m.right;
    const x = (v) => m.left + v * plot;
    const y = (v) => m.top + (1 - v) * plot;
    const svg = el("svg", { viewBox: `0 0 ${size} ${m.top + plot + m.bottom}`, role: "img", "aria-label": "ROC curves" });
    unitSquare(svg, x, y, "false positive rate", "true positive rate");

    const legend = [];
    report.roc.forEach((curve, k) => {
      const auc = report.auc[k];
      const item = html("li", { "data-class": k });
      item.append(html("span", { class: "swatch", style: "background:" + PALETTE[k] }),
        html("span", {}, CLASS_NAMES[k]),
        html("span", { class: "auc" }, isNumber(auc) ? "AUC " + auc.toFixed(4) : "undefined"));
      item.title = isNumber(auc) ? CLASS_NAMES[k] + " vs rest, exact AUC " + auc.toFixed(6)
        : CLASS_NAMES[k] + ": the view lacks positives or negatives of this class";
      item.addEventListener("mouseenter", () => highlight(k));
      item.addEventListener("mouseleave", () => highlight(null));
      legend.push(item);
      if (curve.fpr.length === 0) {
        return;  // undefined curve: no positives or no negatives in the view
      }
      const d = curve.fpr.map((f, i) => (i === 0 ? "M" : "L") + x(f).toFixed(1) + "," + y(curve.tpr[i]).toFixed(1)).join("");
      const path = el("path", { class: "roc-curve", "data-class": k, stroke: PALETTE[k], d: d });
      path.append(el("title", {}, CLASS_NAMES[k] + (isNumber(auc) ? " · AUC " + auc.toFixed(4) : "")));
      svg.append(path);
    });
    $("roc").replaceChildren(svg);
    $("roc-legend").replaceChildren(...legend);
    highlight(state.highlighted);
  }

  function highlight(k) {
    state.highlighted = k;
    document.querySelector(".roc").classList.toggle("focused", k !== null);
    document.querySelectorAll(".roc [data-class]").forEach((node) => {
      node.classList.toggle("highlight", k !== null && node.dataset.class === String(k));
    });
  }

  // Rows are true classes. Each row is shaded by its share of that class, so a rare class reads as well as a
  // common one: blue on the diagonal (right), red off it (confused).
  function drawConfusion(confusion) {
    const cell = 40, left = 84, top = 78, n = confusion.length;
    const svg = el("svg", { viewBox: `0 0 ${left + n * cell + 6} ${top + n * cell + 6}`, role: "img", "aria-label": "confusion matrix" });
    svg.append(el("text", { class: "axis-title", x: left + n * cell / 2, y: 12, "text-anchor": "middle" }, "predicted class"));
    for (let p = 0; p < n; p++) {
      const cx = left + p * cell + cell / 2;
      svg.append(el("text", { class: "class-label", x: cx, y: top - 6, transform: `rotate(-45 ${cx} ${top - 6})` }, CLASS_NAMES[p]));
    }
    for (let t = 0; t < n; t++) {
      const row = confusion[t];
      const support = row.reduce((a, b) => a + b, 0);
      const cy = top + t * cell;
      svg.append(el("text", { class: "class-label", x: left - 8, y: cy + cell / 2 + 4, "text-anchor": "end" }, CLASS_NAMES[t]));
      for (let p = 0; p < n; p++) {
        const count = row[p];
        const share = support > 0 ? count / support : 0;
        const rect = el("rect", {
          class: "cell", x: left + p * cell, y: cy, width: cell - 2, height: cell - 2, rx: 3,
          fill: shade(share, t === p), "data-true": t, "data-predicted": p, "data-count": count,
        });
        rect.append(el("title", {}, `true ${CLASS_NAMES[t]}, predicted ${CLASS_NAMES[p]}: ${count}`
          + (support > 0 ? ` (${(100 * share).toFixed(1)} % of ${CLASS_NAMES[t]})` : "")));
        svg.append(rect);
        if (count > 0) {
          const dark = t === p ? share > 0.45 : share > 0.3;
          svg.append(el("text", {
            class: "cell-count" + (dark ? " on-dark" : ""), x: left + p * cell + (cell - 2) / 2,
            y: cy + (cell - 2) / 2 + 4, "text-anchor": "middle", "pointer-events": "none",
          }, count >= 10000 ? (count / 1000).toFixed(0) + "k" : String(count)));
        }
      }
    }
    $("confusion").replaceChildren(svg);
  }

  function shade(share, diagonal) {
    // White to deep blue on the diagonal, white to red off it; off-diagonal shares saturate at 50 %.
    const strength = diagonal ? share : Math.min(1, share * 2);
    const [r, g, b] = diagonal ? [31, 78, 156] : [192, 57, 43];
    const mix = (c) => Math.round(247 + (c - 247) * strength);
    return `rgb(${mix(r)}, ${mix(g)}, ${mix(b)})`;
  }

  function drawPerClass(report) {
    const head = html("thead");
    const headRow = html("tr");
    ["class", "support", "precision", "recall", "F1", "ROC-AUC"].forEach((name) => headRow.append(html("th", {}, name)));
    head.append(headRow);
    const body = html("tbody");
    report.confusion.forEach((row, k) => {
      const tr = html("tr");
      const f1Cell = html("td", {}, fixed(report.f1[k], 4));
      f1Cell.append(html("span", { class: "bar", style: `width:${Math.round(60 * (report.f1[k] || 0))}px` }));
      tr.append(html("td", {}, CLASS_NAMES[k]), html("td", {}, integer(row.reduce((a, b) => a + b, 0))),
        html("td", {}, fixed(report.precision[k], 4)), html("td", {}, fixed(report.recall[k], 4)), f1Cell,
        html("td", {}, fixed(report.auc[k], 4)));
      body.append(tr);
    });
    $("per-class").replaceChildren(head, body);
  }

  // ---- without labels: estimates, drift, calibration, alerts ----------------------------------------

  // The label-free estimate beside the realized accuracy, with the gap; or why there is none.
  function showEstimate(report) {
    const value = $("kpi-estimated");
    value.dataset.estimatedAccuracy = isNumber(report.estimated_accuracy) ? String(report.estimated_accuracy) : "";
    const estimates = report.estimates;
    if (!estimates) {
      value.textContent = "n/a";
      $("kpi-estimated-note").textContent = "no reference";
      $("reference").textContent = report.reference_missing || "no reference for this model";
      return;
    }
    value.textContent = percent(report.estimated_accuracy);
    const gap = isNumber(report.accuracy_gap) ? " · gap " + (report.accuracy_gap >= 0 ? "+" : "")
      + (100 * report.accuracy_gap).toFixed(2) + " pts" : "";
    $("kpi-estimated-note").textContent = "AC " + percent(report.estimated_accuracy_ac) + " · ATC "
      + percent(report.estimated_accuracy_atc) + gap + " · " + integer(estimates.count) + " predictions";
    const reference = report.reference;
    const windowed = report.view === "window" && isNumber(report.estimate_window_start)
      ? " Estimates over the predictions of " + span(report.estimate_window_start, report.estimate_window_end) + "." : "";
    $("reference").textContent = "Reference: version " + reference.model_version + " (" + reference.source + "), "
      + integer(reference.reference_count) + " records, accuracy " + percent(reference.reference_accuracy)
      + ", temperature " + fixed(reference.temperature, 3) + "." + windowed
      + (report.reference_missing ? " " + report.reference_missing : "");
  }

  // One row per drift check: statistic, p-value (tests only), bound, and whether it is over.
  function drawDrift(report) {
    const table = $("drift");
    if (!report.drift) {
      table.replaceChildren();
      return;
    }
    const head = html("thead");
    const headRow = html("tr");
    ["check", "statistic", "p-value", "bound", ""].forEach((name) => headRow.append(html("th", {}, name)));
    head.append(headRow);
    const body = html("tbody");
    for (const [name, check] of Object.entries(report.drift)) {
      const tr = html("tr", { "data-check": name, "data-statistic": isNumber(check.statistic) ? check.statistic : "",
        "data-over": check.over });
      tr.append(html("td", {}, name.replace(/_/g, " ")), html("td", {}, fixed(check.statistic, 4)),
        html("td", {}, isNumber(check.p_value) ? check.p_value.toExponential(2) : "–"),
        html("td", {}, fixed(check.bound, 3)),
        html("td", { class: check.over ? "over" : "" }, check.over ? "over" : isNumber(check.statistic) ? "ok" : "n/a"));
      body.append(tr);
    }
    table.replaceChildren(head, body);
  }

  // Bars of accuracy per confidence bin against the diagonal of perfect calibration; the gap to it shaded.
  function drawReliability(report) {
    const calibration = report.calibration;
    if (!calibration) {
      $("reliability").replaceChildren();
      $("calibration").textContent = "No calibration metrics without a reference.";
      return;
    }
    const size = 340, m = { left: 44, right: 10, top: 10, bottom: 40 };
    const plot = size - m.left - m.right;
    const x = (v) => m.left + v * plot;
    const y = (v) => m.top + (1 - v) * plot;
    const svg = el("svg", { viewBox: `0 0 ${size} ${m.top + plot + m.bottom}`, role: "img", "aria-label": "reliability diagram" });
    calibration.reliability.forEach((bin, b) => {
      const width = x(bin.upper) - x(bin.lower) - 2;
      const rect = el("rect", { class: "reliability-bar", "data-bin": b, "data-count": bin.count, x: x(bin.lower) + 1,
        width: width, y: isNumber(bin.accuracy) ? y(bin.accuracy) : y(0), height: isNumber(bin.accuracy) ? y(0) - y(bin.accuracy) : 0 });
      rect.append(el("title", {}, `confidence ${bin.lower.toFixed(2)}–${bin.upper.toFixed(2)}: ${bin.count} records`
        + (bin.count > 0 ? `, accuracy ${bin.accuracy.toFixed(3)}, mean confidence ${bin.mean_confidence.toFixed(3)}` : "")));
      svg.append(rect);
      if (bin.count > 0) {
        const top = Math.min(y(bin.accuracy), y(bin.mean_confidence));
        svg.append(el("rect", { class: "reliability-gap", x: x(bin.lower) + 1, width: width, y: top,
          height: Math.abs(y(bin.accuracy) - y(bin.mean_confidence)) }));
      }
    });
    unitSquare(svg, x, y, "confidence", "accuracy");
    $("reliability").replaceChildren(svg);
    const note = $("calibration");
    note.dataset.ece = isNumber(calibration.ece) ? String(calibration.ece) : "";
    note.textContent = "ECE " + fixed(calibration.ece, 4) + " · Brier " + fixed(calibration.brier, 4) + " · "
      + integer(calibration.count) + " labelled predictions of the reference's version · temperature "
      + fixed(report.temperature, 3);
  }

  // One line per alert rule of the model, whatever view it watches: firing or ok, since when, the last value.
  function showAlerts(alerts) {
    const list = $("alerts");
    if (alerts.length === 0) {
      list.replaceChildren(html("li", {}, "No alert rules (metrics --alert or --alert-rules)."));
      return;
    }
    list.replaceChildren(...alerts.map((alert) => {
      const item = html("li", { "data-rule": alert.rule, "data-state": alert.state });
      const since = alert.changed_time === null ? "" : (alert.state === "firing" ? "since " : "resolved ")
        + new Date(alert.changed_time).toLocaleString("en-GB");
      item.append(html("span", { class: "badge" }, alert.state === "firing" ? "FIRING" : "ok"),
        html("span", {}, alert.rule + ": " + alert.condition + " · now " + fixed(alert.value, 4)),
        html("span", { class: "since" }, since));
      return item;
    }));
  }

  // ---- controls --------------------------------------------------------------------------------

  document.querySelectorAll("[data-view-button]").forEach((button) => {
    button.addEventListener("click", () => {
      state.view = button.dataset.viewButton;
      document.querySelectorAll("[data-view-button]").forEach((b) => b.classList.toggle("active", b === button));
    });
  });
  $("model").addEventListener("change", (event) => {
    state.model = event.target.value;
  });

  poll();
})();

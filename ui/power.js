// The chart window's views (Fitness | Power curve) and the power curve:
// the best power for every duration over this season against last (or the
// last 90 days against the 90 before) on a log-time axis, with the CP model
// over it, a hover readout, and a caption with CP, W′, eFTP and how many
// rides the curves are made of. Everything shown comes from the app
// (`power_curve`: the tp_power_curve and tp_critical_power tools' answers,
// laid out in columns); nothing is computed here. For a coach login, of
// the athlete picked in the chart window (`athlete-changed`).
"use strict";

(function () {
  const VIEW_KEY = "tp-tray-view";
  const RANGE_KEY = "tp-tray-power-range";
  const RANGES = ["season", "90d"];
  const tauri = window.__TAURI__;
  const $ = (id) => document.getElementById(id);

  const pc = {
    view: localStorage.getItem(VIEW_KEY) === "power" ? "power" : "fitness",
    range: RANGES.includes(localStorage.getItem(RANGE_KEY)) ? localStorage.getItem(RANGE_KEY) : "season",
    data: null, // the PowerCurveView shown
    byRange: {}, // the last view loaded of each range
    plot: null,
    seq: 0, // the latest request: older answers are not shown
    athlete: 0, // bumped when another athlete is picked: older answers are dropped
    loading: false,
    loads: [], // {range, ms, error}: how long each load took (for tests)
  };
  // For tests and debugging.
  window.tpPower = pc;

  const watts = (v) => (v == null || !isFinite(v) ? "–" : `${Math.round(v)} W`);

  function dateLabel(iso) {
    if (!iso) return "";
    const [y, m, d] = iso.split("-").map(Number);
    return new Date(Date.UTC(y, m - 1, d)).toLocaleDateString(undefined, {
      day: "numeric", month: "short", year: "numeric", timeZone: "UTC",
    });
  }

  function setMessage(text) {
    const m = $("pc-message");
    m.textContent = text || "";
    m.hidden = !text;
  }

  // --- views ------------------------------------------------------------------

  function setView(view, remember) {
    pc.view = view;
    if (remember) localStorage.setItem(VIEW_KEY, view);
    document.body.dataset.view = view;
    document.querySelectorAll("[data-view]").forEach((b) => {
      b.setAttribute("aria-selected", String(b.dataset.view === view));
    });
    document.querySelectorAll("[data-view-of]").forEach((el) => {
      el.hidden = el.dataset.viewOf !== view;
    });
    $("fitness-view").hidden = view !== "fitness";
    $("power-view").hidden = view !== "power";
    if (view === "power") {
      if (pc.data && pc.plot) pc.plot.setSize(plotSize());
      load(pc.range, false);
    }
  }

  function markRange(range) {
    document.querySelectorAll("[data-pc-range]").forEach((b) => {
      b.setAttribute("aria-pressed", String(b.dataset.pcRange === range));
    });
  }

  function setRange(range) {
    pc.range = range;
    localStorage.setItem(RANGE_KEY, range);
    markRange(range);
    if (pc.view !== "power") return;
    // What was loaded of this range before shows at once; the app says
    // whether it is still current.
    if (pc.byRange[range]) show(pc.byRange[range]);
    load(range, false);
  }

  // --- loading ------------------------------------------------------------------

  async function load(range, refresh) {
    const seq = ++pc.seq;
    const el = $("power");
    pc.loading = true;
    el.dataset.state = "loading";
    if (!pc.byRange[range]) {
      if (pc.plot) {
        pc.plot.destroy();
        pc.plot = null;
      }
      pc.data = null;
    }
    setMessage("Loading the power curve…\nThe first time, the rides' device files are fetched from " +
      "TrainingPeaks: this can take up to about 40 seconds. The window stays usable meanwhile.");
    const started = performance.now();
    const athlete = pc.athlete;
    try {
      const d = await tauri.core.invoke("power_curve", { range, refresh });
      if (athlete !== pc.athlete) return; // of the athlete shown before
      pc.loads.push({ range, ms: Math.round(performance.now() - started) });
      pc.byRange[range] = d;
      if (seq !== pc.seq) return; // another range was asked for meanwhile
      pc.loading = false;
      show(d);
    } catch (e) {
      if (athlete !== pc.athlete) return;
      pc.loads.push({ range, ms: Math.round(performance.now() - started), error: String(e) });
      if (seq !== pc.seq) return;
      pc.loading = false;
      el.dataset.state = "error";
      setMessage("Could not load the power curve:\n" + e +
        "\n\nIf your TrainingPeaks login expired, choose “Re-authenticate from browser” in the tray menu.");
    }
  }

  // --- the view -----------------------------------------------------------------

  function show(d) {
    pc.data = d;
    const el = $("power");
    el.dataset.range = d.range;
    $("pc-legend-this").textContent = `${d.this.label} (${d.this.dates})`;
    $("pc-legend-last").textContent = `${d.last.label} (${d.last.dates})`;
    $("pc-legend-model").textContent = d.model
      ? `CP model (dotted past ${d.model.fitted_up_to})`
      : "CP model";
    $("pc-legend-model").hidden = !d.model;
    const caption = $("pc-caption");
    caption.textContent = d.caption;
    if (d.model) caption.dataset.cp = String(d.model.cp_w);
    else delete caption.dataset.cp;
    if (d.eftp_w != null) caption.dataset.eftp = String(d.eftp_w);
    else delete caption.dataset.eftp;
    $("pc-coverage").textContent = d.coverage;
    const stale = $("pc-stale");
    stale.textContent = d.not_fresh || "";
    stale.hidden = !d.not_fresh;
    if (d.message) {
      if (pc.plot) {
        pc.plot.destroy();
        pc.plot = null;
      }
      setMessage(d.message);
      $("pc-readout").innerHTML = "&nbsp;";
      el.dataset.state = "empty";
      return;
    }
    setMessage("");
    build();
    el.dataset.state = "ready";
  }

  function plotSize() {
    const el = $("power");
    return { width: Math.max(200, el.clientWidth), height: Math.max(150, el.clientHeight) };
  }

  // The row the readout shows when the pointer is elsewhere: 20 minutes.
  function defaultRow(d) {
    const i = d.durations_s.indexOf(1200);
    if (i >= 0 && (d.watts[i] != null || d.last_watts[i] != null)) return i;
    for (let j = d.durations_s.length - 1; j >= 0; j--) {
      if (d.watts[j] != null || d.last_watts[j] != null) return j;
    }
    return 0;
  }

  function showReadout(idx) {
    const d = pc.data;
    if (!d || !d.durations_s.length) return;
    const i = idx == null ? defaultRow(d) : idx;
    const period = (cls, label, w, date, held) => {
      if (w == null) return `<span class="${cls}">${label}</span> <b>–</b>`;
      const extra = [dateLabel(date), held].filter(Boolean).join(", ");
      return `<span class="${cls}">${label}</span> <b>${watts(w)}</b> (${extra})`;
    };
    const parts = [
      `<b>${d.duration_labels[i]}</b>`,
      period("this", d.this.label, d.watts[i], d.dates[i], d.held[i]),
      period("last", d.last.label, d.last_watts[i], d.last_dates[i], d.last_held[i]),
    ];
    const model = d.model_watts[i] != null ? d.model_watts[i] : d.model_beyond_watts[i];
    if (model != null) {
      const beyond = d.model_watts[i] == null ? " (extrapolated)" : "";
      parts.push(`model <b>${watts(model)}</b>${beyond}`);
    }
    const el = $("pc-readout");
    el.innerHTML = parts.join(" · ");
    el.dataset.index = String(i);
    el.dataset.duration = String(d.durations_s[i]);
    el.dataset.watts = d.watts[i] == null ? "" : String(d.watts[i]);
    el.dataset.lastWatts = d.last_watts[i] == null ? "" : String(d.last_watts[i]);
  }

  // The duration ticks that fit: at least 40 px apart.
  function ticksFor(u) {
    const d = pc.data;
    const [min, max] = [u.scales.x.min, u.scales.x.max];
    const out = [];
    let last = -Infinity;
    for (const t of d.ticks) {
      if (t.duration_s < min || t.duration_s > max) continue;
      const x = u.valToPos(t.duration_s, "x");
      if (x - last < 40) continue;
      out.push(t.duration_s);
      last = x;
    }
    return out;
  }

  // The CP line: where the model levels off, labelled.
  function drawCp(u) {
    const d = pc.data;
    if (!d || !d.model) return;
    const ctx = u.ctx;
    const { left, top, width, height } = u.bbox;
    const y = Math.round(u.valToPos(d.model.cp_w, "y", true)) + 0.5;
    if (y < top || y > top + height) return;
    const px = window.devicePixelRatio || 1;
    ctx.save();
    ctx.strokeStyle = tpTheme.color("pc-model");
    ctx.lineWidth = px;
    ctx.setLineDash([2 * px, 4 * px]);
    ctx.beginPath();
    ctx.moveTo(left, y);
    ctx.lineTo(left + width, y);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = tpTheme.color("pc-model");
    ctx.font = `600 ${11 * px}px system-ui, sans-serif`;
    // At the left, where the curves are far above it.
    ctx.textAlign = "left";
    ctx.fillText(`CP ${Math.round(d.model.cp_w)} W`, left + 6 * px, y - 5 * px);
    ctx.restore();
  }

  function build() {
    const d = pc.data;
    const c = tpTheme.color;
    if (pc.plot) {
      pc.plot.destroy();
      pc.plot = null;
    }
    const first = d.durations_s[0];
    const last = d.durations_s[d.durations_s.length - 1];
    const labels = {};
    d.ticks.forEach((t) => (labels[t.duration_s] = t.label));
    const axis = {
      stroke: c("axis"),
      grid: { stroke: c("grid"), width: 1 },
      ticks: { stroke: c("grid"), width: 1 },
    };
    const line = (label, color, width, dash, spanGaps) => ({
      label, stroke: color, width, dash, spanGaps, points: { show: false },
    });
    const opts = {
      ...plotSize(),
      legend: { show: false },
      cursor: { drag: { x: false, y: false }, points: { size: 7 } },
      scales: {
        x: { time: false, distr: 3, log: 10, range: () => [first, Math.max(last, first * 10)] },
        y: { auto: true, range: (u, min, max) => [0, Math.max(100, (max || 0) * 1.06)] },
      },
      axes: [
        // Every tick that fits is labelled (uPlot's log axes label only 1, 10, 100…).
        { ...axis, splits: ticksFor, filter: (u, splits) => splits,
          values: (u, splits) => splits.map((s) => labels[s] || "") },
        { ...axis, size: 56, values: (u, vals) => vals.map((v) => `${v} W`) },
      ],
      series: [
        {},
        line(d.this.label, c("pc-this"), 2.2, undefined, false),
        line(d.last.label, c("pc-last"), 1.8, [7, 5], false),
        // The model is known at the tool's standard durations: straight
        // segments between them; dotted past the longest duration fitted.
        line("CP model", c("pc-model"), 1.2, undefined, true),
        line("CP model, extrapolated", c("pc-model"), 1.2, [2, 3], true),
      ],
      hooks: {
        draw: [drawCp],
        setCursor: [(u) => showReadout(u.cursor.idx)],
      },
    };
    const columns = [d.durations_s, d.watts, d.last_watts, d.model_watts, d.model_beyond_watts];
    pc.plot = new uPlot(opts, columns, $("power"));
    showReadout(null);
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-view]").forEach((b) => {
      b.addEventListener("click", () => setView(b.dataset.view, true));
    });
    document.querySelectorAll("[data-pc-range]").forEach((b) => {
      b.addEventListener("click", () => setRange(b.dataset.pcRange));
    });
    $("refresh").addEventListener("click", () => pc.view === "power" && load(pc.range, true));
    $("power").addEventListener("mouseleave", () => showReadout(null));
    tpTheme.onChange(() => pc.data && pc.plot && build());
    let pending = 0;
    new ResizeObserver(() => {
      cancelAnimationFrame(pending);
      pending = requestAnimationFrame(() => pc.plot && pc.plot.setSize(plotSize()));
    }).observe($("power"));
    // Device files filled while the computer was idle: the curves grow.
    tauri.event.listen("streams-updated", () => {
      if (pc.view === "power" && !pc.loading && pc.data && !pc.data.complete) load(pc.range, false);
    });
    // Another athlete picked (coach logins): what was loaded is someone else's.
    tauri.event.listen("athlete-changed", () => {
      pc.athlete++;
      pc.byRange = {};
      pc.loading = false;
      if (pc.plot) {
        pc.plot.destroy();
        pc.plot = null;
      }
      pc.data = null;
      if (pc.view === "power") load(pc.range, false);
    });
    markRange(pc.range);
    setView(pc.view);
  });
})();

// The mini PMC chart: CTL/ATL/TSB lines, daily TSS bars, today marked, the
// projection along the planned calendar dashed, race day marked with the
// CTL/TSB path optimised for it dotted, range buttons, a hover readout, the
// form label, and for a coach login the athlete picker. The numbers come
// from the app (`chart_data`, `select_athlete`: tp-fitness through tp-mcp's
// data path, the race plan from the tp_plan_race tool's answer); nothing is
// computed here.
"use strict";

const DAY = 86400;
const RANGE_KEY = "tp-tray-range";
const tauri = window.__TAURI__;

const state = {
  data: null, // ChartData from the app
  xs: null, // seconds, UTC midnight of each row
  plot: null,
  range: localStorage.getItem(RANGE_KEY) || "90",
  seq: 0, // the latest load: older answers are not shown
};
// For tests and debugging: the live chart and its data.
window.tpChart = state;

const $ = (id) => document.getElementById(id);

function fmt(v, signed) {
  if (v == null || !isFinite(v)) return "–";
  const r = Math.round(v * 10) / 10;
  if (r === 0) return "0.0";
  const s = Math.abs(r).toFixed(1);
  if (r < 0) return "\u2212" + s;
  return (signed ? "+" : "") + s;
}

// Text from TrainingPeaks (a race's name) goes into the readout's HTML.
function esc(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// "in 75 days", from the days the app counted.
function inDays(n) {
  return n === 0 ? "today" : n === 1 ? "tomorrow" : `in ${n} days`;
}

function isoToSecs(iso) {
  const [y, m, d] = iso.split("-").map(Number);
  return Date.UTC(y, m - 1, d) / 1000;
}

function dateLabel(secs) {
  return new Date(secs * 1000).toLocaleDateString(undefined, {
    weekday: "short", day: "numeric", month: "short", year: "numeric", timeZone: "UTC",
  });
}

function setMessage(text) {
  const m = $("message");
  m.textContent = text || "";
  m.hidden = !text;
}

// The athlete picker: shown for a coach login (the app sends `picker`).
function showPicker(d) {
  const box = $("picker-box");
  const select = $("athlete-picker");
  const p = d.picker;
  box.hidden = !p;
  if (!p) {
    select.replaceChildren();
    return;
  }
  const same = select.options.length === p.athletes.length &&
    p.athletes.every((a, i) => select.options[i].value === String(a.id) && select.options[i].text === a.name);
  if (!same) {
    select.replaceChildren(...p.athletes.map((a) => {
      const o = document.createElement("option");
      o.value = String(a.id);
      o.textContent = a.name; // text, not HTML: names come from TrainingPeaks
      return o;
    }));
  }
  select.value = String(p.selected);
}

// The header: athlete, form label, today's numbers.
function showStatus(d) {
  showPicker(d);
  $("athlete").textContent = d.athlete || "Fitness";
  $("demo").hidden = !d.demo;
  const s = d.status;
  const chip = $("form");
  if (s) {
    chip.textContent = s.form;
    chip.dataset.form = s.form_key;
    $("ctl").textContent = fmt(s.ctl);
    $("atl").textContent = fmt(s.atl);
    $("tsb").textContent = fmt(s.tsb, true);
    $("ramp").textContent =
      s.ramp_rate == null ? "" : `ramp ${fmt(s.ramp_rate, true)}/wk${s.ramp ? " · " + s.ramp : ""}`;
  } else {
    // (Another athlete's numbers may be showing: a coach's picker.)
    chip.textContent = "No training yet";
    chip.dataset.form = "neutral";
    for (const id of ["ctl", "atl", "tsb"]) $(id).textContent = "–";
    $("ramp").textContent = "";
  }
  const stale = $("stale");
  stale.textContent = d.not_fresh ? d.not_fresh.note : "";
  stale.hidden = !d.not_fresh;
  $("projection").textContent = d.projection_note || "";
  const race = d.race;
  const legend = $("legend-race");
  legend.textContent = race ? race.legend : "";
  legend.hidden = !race;
  const note = $("race-note");
  note.textContent = race ? race.note : "";
  note.title = race ? [`Planned by tp_plan_race toward your ${race.chosen_by}.`, ...race.notes].join("\n") : "";
  $("convention").textContent = d.convention ? "PMC: " + d.convention : "";
  document.title = (d.athlete ? d.athlete + " — " : "") + "Fitness — tp-mcp";
}

// The hover readout: the day under the cursor, else today.
function showReadout(idx) {
  const d = state.data;
  if (!d) return;
  const i = idx == null ? d.today_index : idx;
  const future = i > d.today_index;
  const race = d.race;
  const el = $("readout");
  el.dataset.index = String(i);
  if (race && i === race.index) {
    // Race day: both paths' numbers coming into it, as the tool gave them
    // (the numbers first: a long name may not fit).
    const p = race.as_planned, o = race.optimised;
    el.innerHTML = [
      `<b>${dateLabel(state.xs[i])}</b> (race day)`,
      `as planned CTL <b>${fmt(p.ctl)}</b>`, `TSB <b>${fmt(p.tsb, true)}</b>`,
      `<span class="race">optimised</span> CTL <b>${fmt(o.ctl)}</b>`, `TSB <b>${fmt(o.tsb, true)}</b>`,
      `<span class="race">${esc(race.label)}</span>`,
    ].join(" · ");
    return;
  }
  const parts = [`<b>${dateLabel(state.xs[i])}</b>${i === d.today_index ? " (today)" : future ? " (projected)" : ""}`];
  const ctl = future ? d.proj_ctl[i] : d.ctl[i];
  const atl = future ? d.proj_atl[i] : d.atl[i];
  const tsb = future ? d.proj_tsb[i] : d.tsb[i];
  parts.push(`CTL <b>${fmt(ctl)}</b>`, `ATL <b>${fmt(atl)}</b>`, `TSB <b>${fmt(tsb, true)}</b>`);
  if (future) {
    if (d.planned_tss[i] != null) parts.push(`planned TSS <b>${Math.round(d.planned_tss[i])}</b>`);
  } else if (d.tss[i] != null) {
    parts.push(`TSS <b>${Math.round(d.tss[i])}</b>`);
  }
  if (future && (d.opt_ctl[i] != null || d.opt_tsb[i] != null)) {
    parts.push(`<span class="race">optimised</span> CTL <b>${fmt(d.opt_ctl[i])}</b>`, `TSB <b>${fmt(d.opt_tsb[i], true)}</b>`);
    if (d.opt_tss[i] != null) parts.push(`TSS <b>${Math.round(d.opt_tss[i])}</b>`);
  }
  el.innerHTML = parts.join(" · ");
}

// The visible x range for a range button.
function rangeBounds(range) {
  const d = state.data;
  const xs = state.xs;
  const last = xs[xs.length - 1];
  const today = xs[d.today_index];
  const race = d.race ? xs[d.race.index] : null;
  // A few days past race day, so its marker stands clear of the edge.
  const pad = (days) => Math.max(2, Math.round(days / 40)) * DAY;
  if (range === "all") {
    return [xs[0], race == null ? last : Math.max(last, race + pad((race - xs[0]) / DAY))];
  }
  const days = Number(range);
  const min = Math.max(xs[0], today - (days - 1) * DAY);
  // Show the projection too, but never more of it than of the past: up to
  // race day when the race is no farther ahead than the range looks back
  // (a farther race is named at the right edge instead).
  let ahead = Math.max(14, Math.round(days / 3)) * DAY;
  let end = last;
  if (race != null && race - today <= days * DAY) {
    ahead = Math.max(ahead, race - today + pad(days));
    end = Math.max(last, race + pad(days));
  }
  const max = Math.min(end, today + ahead);
  return [min, Math.max(max, min + DAY)];
}

function setRange(range) {
  state.range = range;
  localStorage.setItem(RANGE_KEY, range);
  document.querySelectorAll("[data-range]").forEach((b) => {
    b.setAttribute("aria-pressed", String(b.dataset.range === range));
  });
  if (state.plot) {
    const [min, max] = rangeBounds(range);
    state.plot.setScale("x", { min, max });
  }
}

// Draws "today" and the zero line of TSB.
function drawMarks(u) {
  const d = state.data;
  const ctx = u.ctx;
  const { left, top, width, height } = u.bbox;
  const px = window.devicePixelRatio || 1;
  ctx.save();
  // (The canvas keeps the last series' dash and caps: set them.)
  ctx.lineCap = "butt";
  const y0 = u.valToPos(0, "y", true);
  if (y0 > top && y0 < top + height) {
    ctx.strokeStyle = tpTheme.color("zero");
    ctx.lineWidth = 1;
    ctx.setLineDash([6 * px, 5 * px]);
    ctx.beginPath();
    ctx.moveTo(left, Math.round(y0) + 0.5);
    ctx.lineTo(left + width, Math.round(y0) + 0.5);
    ctx.stroke();
  }
  const x = Math.round(u.valToPos(state.xs[d.today_index], "x", true)) + 0.5;
  drawRace(u, x);
  if (x >= left && x <= left + width) {
    ctx.strokeStyle = tpTheme.color("today");
    ctx.lineWidth = 1.5 * px;
    ctx.setLineDash([2 * px, 3 * px]);
    ctx.beginPath();
    ctx.moveTo(x, top);
    ctx.lineTo(x, top + height);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = tpTheme.color("today");
    ctx.font = `${600} ${11 * px}px system-ui, sans-serif`;
    ctx.textAlign = x > left + width - 50 * px ? "right" : "left";
    ctx.fillText("Today", x + (ctx.textAlign === "left" ? 4 : -4) * px, top + 12 * px);
  }
  ctx.restore();
}

// Text on a veil of the background, so lines under it do not hide it.
function label(ctx, text, x, y, align, px) {
  ctx.textAlign = align;
  const w = ctx.measureText(text).width;
  const x0 = align === "left" ? x : x - w;
  ctx.fillStyle = tpTheme.color("veil");
  ctx.fillRect(x0 - 2 * px, y - 10 * px, w + 4 * px, 13 * px);
  ctx.fillStyle = tpTheme.color("race");
  ctx.fillText(text, x, y);
}

// Race day: a line with the race's priority and name, the TSB window the
// plan aims into, the TSB each path comes into the race with; a race past
// the visible range is named at the right edge. `todayX`: where "Today" is.
function drawRace(u, todayX) {
  const d = state.data;
  const race = d.race;
  if (!race) return;
  const ctx = u.ctx;
  const { left, top, width, height } = u.bbox;
  const px = window.devicePixelRatio || 1;
  const color = tpTheme.color("race");
  const x = Math.round(u.valToPos(state.xs[race.index], "x", true)) + 0.5;
  ctx.save();
  ctx.font = `600 ${11 * px}px system-ui, sans-serif`;
  if (x > left + width) {
    label(ctx, `${race.label}, ${inDays(race.days_away)} \u2192`, left + width - 4 * px, top + 26 * px, "right", px);
    ctx.restore();
    return;
  }
  if (x < left) {
    ctx.restore();
    return;
  }
  const y = (v) => u.valToPos(v, "y", true);
  if (race.tsb_max != null) {
    const hi = Math.max(top, y(race.tsb_max));
    const lo = Math.min(top + height, y(race.tsb_min));
    if (lo > hi) {
      ctx.fillStyle = tpTheme.color("race-band");
      ctx.fillRect(x - 5 * px, hi, 10 * px, lo - hi);
    }
  }
  ctx.strokeStyle = color;
  ctx.lineWidth = 1.5 * px;
  ctx.setLineDash([]);
  ctx.beginPath();
  ctx.moveTo(x, top);
  ctx.lineTo(x, top + height);
  ctx.stroke();
  // The TSB coming into race day: optimised (filled), as planned (ring).
  const dot = (v, filled) => {
    if (v == null || y(v) < top || y(v) > top + height) return;
    ctx.beginPath();
    ctx.arc(x, y(v), 3.5 * px, 0, 2 * Math.PI);
    ctx.fillStyle = ctx.strokeStyle = tpTheme.color("tsb");
    ctx.lineWidth = 1.5 * px;
    if (filled) ctx.fill();
    else ctx.stroke();
  };
  dot(d.proj_tsb[race.index], false);
  dot(d.opt_tsb[race.index], true);
  // Its name beside the line (left of it near the right edge), a row
  // lower when "Today" is in the way.
  const w = ctx.measureText(race.label).width;
  const right = x + 6 * px + w <= left + width;
  const row = Math.abs(x - todayX) < w + 60 * px ? 26 : 12;
  label(ctx, race.label, x + (right ? 5 : -5) * px, top + row * px, right ? "left" : "right", px);
  ctx.restore();
}

function chartSize() {
  const el = $("chart");
  return { width: Math.max(200, el.clientWidth), height: Math.max(150, el.clientHeight) };
}

function build() {
  const d = state.data;
  const c = tpTheme.color;
  if (state.plot) {
    state.plot.destroy();
    state.plot = null;
  }
  const bars = uPlot.paths.bars({ size: [0.7, 14], gap: 1 });
  const line = (label, color, scale, dash) => ({
    label, stroke: color, width: dash ? 1.6 : 2, scale: scale || "y",
    dash: dash ? [6, 5] : undefined, points: { show: false }, spanGaps: false,
  });
  // The path optimised for the race: round dots.
  const dots = (label, color) => ({
    label, stroke: color, width: 2.6, scale: "y", dash: [0.1, 4.6], cap: "round",
    points: { show: false }, spanGaps: false,
  });
  const axis = {
    stroke: c("axis"),
    grid: { stroke: c("grid"), width: 1 },
    ticks: { stroke: c("grid"), width: 1 },
  };
  const opts = {
    ...chartSize(),
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1e3), "Etc/UTC"),
    legend: { show: false },
    cursor: { drag: { x: false, y: false }, points: { size: 7 } },
    scales: {
      x: { time: true },
      y: { auto: true },
      // The bars use the lower third of the plot.
      tss: { auto: true, range: (u, min, max) => [0, Math.max(max || 0, 60) * 3] },
    },
    axes: [
      { ...axis },
      { ...axis, scale: "y", size: 44 },
      { ...axis, scale: "tss", side: 1, size: 40, grid: { show: false },
        values: (u, vals) => vals.map((v) => (v <= (u.scales.tss.max || 0) / 3 ? v : "")) },
    ],
    series: [
      {},
      { label: "TSS", scale: "tss", paths: bars, fill: c("tss"), stroke: c("tss"), width: 0, points: { show: false } },
      { label: "Planned TSS", scale: "tss", paths: bars, fill: c("planned"), stroke: c("ctl"), width: 0, points: { show: false } },
      line("CTL", c("ctl")),
      line("ATL", c("atl")),
      line("TSB", c("tsb")),
      line("CTL projected", c("ctl"), "y", true),
      line("ATL projected", c("atl"), "y", true),
      line("TSB projected", c("tsb"), "y", true),
      dots("CTL optimised", c("ctl")),
      dots("TSB optimised", c("tsb")),
    ],
    hooks: {
      draw: [drawMarks],
      setCursor: [(u) => showReadout(u.cursor.idx)],
    },
  };
  const columns = [state.xs, d.tss, d.planned_tss, d.ctl, d.atl, d.tsb, d.proj_ctl, d.proj_atl, d.proj_tsb,
    d.opt_ctl, d.opt_tsb];
  state.plot = new uPlot(opts, columns, $("chart"));
  setRange(state.range);
  showReadout(null);
}

async function load(command, args) {
  const seq = ++state.seq;
  document.body.dataset.state = "loading";
  try {
    const d = await tauri.core.invoke(command || "chart_data", args);
    if (seq !== state.seq) return; // a later load (another athlete) wins
    state.data = d;
    state.xs = d.dates.map(isoToSecs);
    showStatus(d);
    setMessage(d.status ? "" : d.picker ? `No training in ${d.athlete}'s TrainingPeaks history yet.`
      : "No training in your TrainingPeaks history yet.");
    build();
    document.body.dataset.state = "ready";
  } catch (e) {
    if (seq !== state.seq) return;
    const errors = window.tpErrors.length ? "\n" + window.tpErrors.join("\n") : "";
    setMessage("Could not load your training:\n" + e + errors +
      "\n\nIf your TrainingPeaks login expired, choose “Re-authenticate from browser” in the tray menu.");
    document.body.dataset.state = "error";
  }
}

async function showTray(status) {
  if (!status) status = await tauri.core.invoke("tray_status");
  $("status").textContent = status.sync_line;
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-range]").forEach((b) => {
    b.addEventListener("click", () => setRange(b.dataset.range));
  });
  if (!["42", "90", "182", "365", "all"].includes(state.range)) state.range = "90";
  setRange(state.range);
  // (In the power curve view, power.js refreshes that instead.)
  $("refresh").addEventListener("click", () => document.body.dataset.view !== "power" && load("refresh_chart"));
  tpTheme.onChange(() => state.data && build());
  // Another athlete (coach logins): the app answers with its chart.
  $("athlete-picker").addEventListener("change", (e) => {
    load("select_athlete", { athlete: Number(e.target.value) });
  });
  $("chart").addEventListener("mouseleave", () => showReadout(null));
  // Follow the window's size.
  let pending = 0;
  new ResizeObserver(() => {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(() => state.plot && state.plot.setSize(chartSize()));
  }).observe($("chart"));
  tauri.event.listen("chart-updated", () => load());
  tauri.event.listen("tray-state", (e) => showTray(e.payload));
  showTray().catch(() => {});
  load();
});

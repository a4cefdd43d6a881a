// The chart MCP App end to end: the real tp-mcp binary (--demo) over MCP
// stdio with the official client; its ui:// resource rendered in headless
// Chromium by a host page that plays Claude Desktop with the official
// ext-apps SDK's AppBridge (host.js); each chart tool's real answer handed
// to the View; the page's numbers read back and compared, exactly, with the
// tool's structured output; screenshots judged on their pixels.
//
// Run by scripts/test-apps (which builds tp-mcp and installs what is
// missing). TP_MCP_BIN: the tp-mcp binary (default target/debug/tp-mcp);
// CHROMIUM: the browser (default /usr/bin/chromium); TP_APPS_SCREENSHOT:
// write the race-plan screenshot there (the README's picture).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, writeFileSync, rmSync, copyFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Client } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { getToolUiResourceUri, RESOURCE_MIME_TYPE } from "@modelcontextprotocol/ext-apps/app-bridge";
import { chromium } from "playwright-core";
import { PNG } from "pngjs";
import * as esbuild from "esbuild";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, "../..");
const TP_MCP_BIN = process.env.TP_MCP_BIN || join(ROOT, "target", "debug", "tp-mcp");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const SHOTS = join(HERE, "build", "screenshots");
const CHART_URI = "ui://tp-mcp/chart.html";
const CHART_TOOLS = ["tp_get_fitness", "tp_fitness_trend", "tp_plan_race", "tp_power_curve"];
const WIDTH = 760;
const MAX_HEIGHT = 720;

let dataDir;
let client;
let browser;
let page;
let html;
const tools = {};
const consoleErrors = [];

before(async () => {
  await esbuild.build({
    entryPoints: [join(HERE, "host.js")],
    bundle: true,
    format: "iife",
    platform: "browser",
    target: "chrome120",
    outfile: join(HERE, "build", "host.js"),
    logLevel: "warning",
  });
  mkdirSync(SHOTS, { recursive: true });
  dataDir = mkdtempSync(join(tmpdir(), "tp-apps-"));
  client = new Client({ name: "tp-mcp-apps-test", version: "1.0.0" }, {
    capabilities: { extensions: { "io.modelcontextprotocol/ui": { mimeTypes: [RESOURCE_MIME_TYPE] } } },
  });
  await client.connect(new StdioClientTransport({
    command: TP_MCP_BIN,
    args: ["--demo", "serve"],
    // TP_MCP_TODAY passes through: the demo athlete is generated around "today".
    env: { TP_MCP_DATA_DIR: dataDir, RUST_LOG: "warn", ...(process.env.TP_MCP_TODAY ? { TP_MCP_TODAY: process.env.TP_MCP_TODAY } : {}) },
    stderr: "inherit",
  }));
  for (const t of (await client.listTools()).tools) tools[t.name] = t;
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
  page = await browser.newPage({ viewport: { width: WIDTH + 40, height: MAX_HEIGHT + 40 }, deviceScaleFactor: 1 });
  page.on("console", (m) => {
    if (m.type() === "error") consoleErrors.push(m.text());
  });
  page.on("pageerror", (e) => consoleErrors.push(String(e)));
  await page.goto(pathToFileURL(join(HERE, "host.html")).href);
  await page.waitForFunction(() => window.tpHost && window.tpHost.mount);
});

after(async () => {
  if (browser) await browser.close();
  if (client) await client.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------

/** The value at "a.3.b" in the structured output. */
function at(obj, path) {
  return path.split(".").reduce((v, k) => (v == null ? undefined : v[k]), obj);
}

/** A data-value as the page wrote it, back to what the output held. */
function parsed(expected, text) {
  if (typeof expected === "number") return text === "" ? null : Number(text);
  if (expected == null) return text === "" ? expected : text;
  return text;
}

async function call(name, args) {
  const result = await client.callTool({ name, arguments: args });
  return result;
}

/** Shows the View with a tool call; waits until it has drawn (or said why not). */
async function show(name, args, result, theme) {
  await page.evaluate((bodyDark) => document.body.classList.toggle("dark", bodyDark), theme === "dark");
  await page.evaluate(
    (o) => window.tpHost.mount(o),
    { html, tool: tools[name], args, result, theme, width: WIDTH, maxHeight: MAX_HEIGHT },
  );
  const frame = await (await page.$("#app")).contentFrame();
  assert.ok(frame, "the View's frame");
  const drawn = await frame.waitForFunction(() => {
    const st = document.body.dataset.state;
    return ["ready", "error", "unsupported", "cancelled"].includes(st) && st;
  });
  // The host has followed the View's size (the chart's, once drawn).
  const minHeight = (await drawn.jsonValue()) === "ready" ? 300 : 1;
  await page.waitForFunction((h) => {
    const sizes = window.tpHost.sizes;
    return sizes.length > 0 && sizes[sizes.length - 1].height >= h;
  }, minHeight);
  await page.waitForTimeout(100);
  return frame;
}

async function readPage(frame) {
  return frame.evaluate(() => {
    const cells = (tr) => Array.from(tr.children).map((c) => ({ key: c.dataset.key, path: c.dataset.path || "", value: c.dataset.value }));
    const chart = window.tpChart;
    return {
      state: document.body.dataset.state,
      kind: document.body.dataset.kind,
      theme: document.documentElement.dataset.theme,
      background: getComputedStyle(document.body).backgroundColor,
      heading: document.getElementById("heading").textContent,
      numbersText: document.getElementById("numbers").textContent,
      message: document.getElementById("message").hidden ? "" : document.getElementById("message").textContent,
      stats: Array.from(document.querySelectorAll("#numbers [data-path]")).map((n) => ({
        path: n.dataset.path, value: n.dataset.value, text: n.textContent,
      })),
      columns: Array.from(document.querySelectorAll("#values thead th")).map((th) => th.dataset.key),
      rows: Array.from(document.querySelectorAll("#values tbody tr")).map(cells),
      plot: chart.plot ? chart.plot.data.map((s) => Array.from(s)) : null,
      errors: chart.errors.slice(),
      host: chart.host,
      initialized: chart.initialized,
      args: chart.args,
    };
  });
}

/**
 * Every number on the page is the structured output's, exactly; the
 * plotted data are the table's; the paths given must all be on the page.
 */
function checkNumbers(p, structured, { stats, cells }) {
  assert.deepEqual(p.errors, [], "no script errors in the View");
  assert.equal(p.state, "ready", p.message);
  for (const s of p.stats) {
    const want = at(structured, s.path);
    assert.notEqual(want, undefined, `summary path ${s.path} exists`);
    assert.equal(parsed(want, s.value), want, `summary ${s.path}`);
  }
  const shown = new Set(p.stats.map((s) => s.path));
  for (const path of stats) assert.ok(shown.has(path), `the summary shows ${path}`);

  const inTable = new Set();
  for (const row of p.rows) {
    for (const c of row) {
      if (!c.path) {
        assert.equal(c.value, "", "a cell without a path is empty");
        continue;
      }
      const want = at(structured, c.path);
      assert.notEqual(want, undefined, `table path ${c.path} exists`);
      assert.equal(parsed(want, c.value), want, `table ${c.path}`);
      inTable.add(c.path);
    }
  }
  const missing = cells.filter((path) => !inTable.has(path));
  assert.deepEqual(missing, [], "every point of the answer is in the table");

  // What uPlot draws is what the table says.
  assert.ok(p.plot, "a plot");
  assert.equal(p.plot.length, p.columns.length, "one plotted series per column");
  p.rows.forEach((row, i) => {
    const x = row[0].value;
    const wantX = /^\d{4}-\d{2}-\d{2}$/.test(x) ? Date.parse(x + "T00:00:00Z") / 1000 : Number(x);
    assert.equal(p.plot[0][i], wantX, `x of row ${i}`);
    for (let j = 1; j < row.length; j++) {
      const v = row[j].value === "" ? null : Number(row[j].value);
      assert.equal(p.plot[j][i] ?? null, v, `series ${p.columns[j]} row ${i}`);
    }
  });
}

/** The View's screenshot: not blank, drawn in colour; saved. */
async function screenshot(name) {
  const buf = await page.locator("#app").screenshot();
  writeFileSync(join(SHOTS, `${name}.png`), buf);
  const png = PNG.sync.read(buf);
  const px = (x, y) => {
    const o = (png.width * y + x) << 2;
    return [png.data[o], png.data[o + 1], png.data[o + 2]];
  };
  const bg = px(8, 8);
  let ink = 0;
  const colours = new Set();
  for (let y = 0; y < png.height; y++) {
    for (let x = 0; x < png.width; x++) {
      const c = px(x, y);
      if (Math.max(Math.abs(c[0] - bg[0]), Math.abs(c[1] - bg[1]), Math.abs(c[2] - bg[2])) > 40) ink++;
      colours.add((c[0] >> 4) * 256 + (c[1] >> 4) * 16 + (c[2] >> 4));
    }
  }
  const share = ink / (png.width * png.height);
  assert.ok(png.height >= 300, `the frame grew to the View's height (${png.height} px)`);
  assert.ok(share > 0.02, `enough is drawn (${(share * 100).toFixed(1)} % of the pixels)`);
  assert.ok(colours.size > 40, `in colour (${colours.size} colours)`);
  return { png, bg, share };
}

const luminance = ([r, g, b]) => (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;

async function hostState() {
  return page.evaluate(() => ({ log: window.tpHost.log.slice(), sizes: window.tpHost.sizes.slice() }));
}

function checkHandshake(p, h) {
  assert.ok(p.initialized, "the View completed ui/initialize");
  assert.equal(p.host.protocolVersion, "2026-01-26");
  assert.equal(p.host.info.name, "tp-mcp-apps-test-host");
  assert.equal(h.log[0], "initialized");
  assert.match(h.log[1], /"name":"tp-mcp-chart"/);
  assert.ok(h.sizes.length > 0, "size-changed sent");
  const last = h.sizes[h.sizes.length - 1];
  assert.equal(last.width, WIDTH, "the View's width is the frame's");
  assert.ok(last.height > 300 && last.height < MAX_HEIGHT, `a sensible height (${last.height})`);
}

// ---------------------------------------------------------------------------

test("the server offers the chart to the four tools", async () => {
  for (const name of CHART_TOOLS) {
    assert.ok(tools[name], `${name} is listed`);
    assert.equal(getToolUiResourceUri(tools[name]), CHART_URI, `${name} links the chart`);
  }
  const { resources } = await client.listResources();
  const listed = resources.find((r) => r.uri === CHART_URI);
  assert.ok(listed, "the chart is listed");
  assert.equal(listed.mimeType, RESOURCE_MIME_TYPE);
  const read = await client.readResource({ uri: CHART_URI });
  assert.equal(read.contents.length, 1);
  assert.equal(read.contents[0].mimeType, RESOURCE_MIME_TYPE);
  html = read.contents[0].text;
  assert.match(html, /^<!doctype html>/i);
  assert.ok(!html.includes("{{UPLOT"), "uPlot is inlined");
  assert.doesNotMatch(html, /(src|href)=["']?(https?:)?\/\//i, "nothing from the network");
});

test("tp_get_fitness: the PMC, today's numbers; dark, then light on a host-context change", async () => {
  const args = {};
  const result = await call("tp_get_fitness", args);
  const d = result.structuredContent;
  const frame = await show("tp_get_fitness", args, result, "dark");
  let p = await readPage(frame);
  checkHandshake(p, await hostState());
  assert.deepEqual(p.args, args, "the View got the tool input");
  assert.equal(p.kind, "fitness");
  assert.equal(p.theme, "dark");
  checkNumbers(p, d, {
    stats: ["current.ctl", "current.atl", "current.tsb"],
    cells: d.days.flatMap((_, i) => ["date", "tss", "ctl", "atl", "tsb"].map((k) => `days.${i}.${k}`)),
  });
  assert.deepEqual(p.columns, ["date", "tss", "ctl", "atl", "tsb"]);
  // The title line shows them rounded as the text answer does.
  assert.match(p.numbersText, new RegExp(`CTL ${d.current.ctl.toFixed(1)}`));
  const dark = await screenshot("tp_get_fitness-dark");
  assert.ok(luminance(dark.bg) < 0.25, "a dark background");

  await page.evaluate(() => window.tpHost.setContext({ theme: "light" }));
  await frame.waitForFunction(() => document.documentElement.dataset.theme === "light");
  await page.evaluate(() => document.body.classList.remove("dark"));
  await page.waitForTimeout(150);
  p = await readPage(frame);
  checkNumbers(p, d, { stats: ["current.ctl"], cells: [] });
  const light = await screenshot("tp_get_fitness");
  assert.ok(luminance(light.bg) > 0.85, "a light background");

  // The host tears the View down: it answers.
  assert.deepEqual(await page.evaluate(() => window.tpHost.teardown()), {});
});

test("tp_fitness_trend: today and the projection along the plan", async () => {
  const args = { projection_days: 28 };
  const result = await call("tp_fitness_trend", args);
  const d = result.structuredContent;
  const frame = await show("tp_fitness_trend", args, result, "light");
  const p = await readPage(frame);
  checkHandshake(p, await hostState());
  assert.equal(p.kind, "fitness_trend");
  const last = d.projection.days.length - 1;
  checkNumbers(p, d, {
    stats: ["trend.ctl", "trend.atl", "trend.tsb", ...["ctl", "atl", "tsb"].map((k) => `projection.days.${last}.${k}`)],
    cells: ["trend.ctl", "trend.atl", "trend.tsb", ...d.projection.days.flatMap((_, i) =>
      ["date", "tss", "ctl", "atl", "tsb"].map((k) => `projection.days.${i}.${k}`))],
  });
  assert.equal(p.rows.length, d.projection.days.length + 1);
  await screenshot("tp_fitness_trend");
});

test("tp_plan_race: the optimised and the as-planned paths, race day marked", async () => {
  const args = {};
  const result = await call("tp_plan_race", args);
  const d = result.structuredContent;
  assert.ok(!result.isError, "the demo athlete has a race ahead");
  const frame = await show("tp_plan_race", args, result, "light");
  const p = await readPage(frame);
  checkHandshake(p, await hostState());
  assert.equal(p.kind, "race_plan");
  checkNumbers(p, d, {
    stats: ["race_day.ctl", "race_day.tsb", "as_planned.race_day.ctl", "as_planned.race_day.tsb"],
    cells: [
      "race_day.ctl", "race_day.tsb", "as_planned.race_day.ctl", "as_planned.race_day.tsb",
      ...d.days.flatMap((_, i) => ["tss", "ctl", "tsb"].map((k) => `days.${i}.${k}`)),
      ...d.as_planned.days.flatMap((_, i) => ["ctl", "tsb"].map((k) => `as_planned.days.${i}.${k}`)),
    ],
  });
  // Race day is the last row, named in the title.
  assert.equal(p.rows[p.rows.length - 1][0].value, d.race_day.date);
  assert.ok(p.heading.includes("Race day"));
  await screenshot("tp_plan_race");
  if (process.env.TP_APPS_SCREENSHOT) copyFileSync(join(SHOTS, "tp_plan_race.png"), process.env.TP_APPS_SCREENSHOT);
});

test("tp_power_curve: the curve on a log-time axis against an earlier period", async () => {
  const first = (await call("tp_power_curve", {})).structuredContent;
  // The 90 days before the default period.
  const day = (iso, n) => new Date(Date.parse(iso + "T00:00:00Z") + n * 86400e3).toISOString().slice(0, 10);
  const args = {
    start_date: first.start_date,
    end_date: first.end_date,
    compare_start_date: day(first.start_date, -90),
    compare_end_date: day(first.start_date, -1),
  };
  const result = await call("tp_power_curve", args);
  const d = result.structuredContent;
  assert.ok(d.compare_points && d.compare_points.length, "the earlier period has a curve");
  const frame = await show("tp_power_curve", args, result, "light");
  const p = await readPage(frame);
  checkHandshake(p, await hostState());
  assert.equal(p.kind, "power_curve");
  const index = (arr, s) => arr.findIndex((q) => q.duration_s === s);
  checkNumbers(p, d, {
    stats: [300, 1200].flatMap((s) => [`points.${index(d.points, s)}.watts`, `compare_points.${index(d.compare_points, s)}.watts`]),
    cells: [
      ...d.points.map((_, i) => `points.${i}.watts`),
      ...d.compare_points.map((_, i) => `compare_points.${i}.watts`),
    ],
  });
  assert.match(p.numbersText, new RegExp(`5 min ${Math.round(d.points[index(d.points, 300)].watts)} W`));
  await screenshot("tp_power_curve");
});

test("the other shapes: a year (weekly samples), a run's pace curve, a heart-rate curve", async () => {
  const index = (arr, s) => arr.findIndex((q) => q.duration_s === s);
  const cases = [
    ["tp_get_fitness", { days: 400 }, "fitness", (d) => {
      assert.equal(d.resolution, "weekly");
      return {
        stats: ["current.ctl", "current.atl", "current.tsb"],
        cells: d.days.flatMap((_, i) => ["date", "tss", "ctl", "atl", "tsb"].map((k) => `days.${i}.${k}`)),
      };
    }],
    ["tp_power_curve", { sport: "Run" }, "power_curve", (d) => {
      assert.equal(d.metric, "pace");
      return {
        stats: [`points.${index(d.points, 300)}.pace`, `points.${index(d.points, 1200)}.pace`],
        cells: d.points.map((_, i) => `points.${i}.speed_m_s`),
      };
    }],
    ["tp_power_curve", { metric: "heart_rate" }, "power_curve", (d) => ({
      stats: [`points.${index(d.points, 300)}.heart_rate_bpm`],
      cells: d.points.map((_, i) => `points.${i}.heart_rate_bpm`),
    })],
  ];
  for (const [name, args, kind, wanted] of cases) {
    const result = await call(name, args);
    const d = result.structuredContent;
    const frame = await show(name, args, result, "light");
    const p = await readPage(frame);
    assert.equal(p.kind, kind,
      `${name} ${JSON.stringify(args)}: the page is ${p.state} (${p.message}); the tool said ` +
      `isError=${result.isError}: ${JSON.stringify(result.content).slice(0, 600)}`);
    checkNumbers(p, d, wanted(d));
    await screenshot(`${name}-${Object.values(args).join("-")}`);
  }
});

test("an error answer is shown as text, not drawn", async () => {
  const args = { days: -5 };
  const result = await call("tp_get_fitness", args);
  assert.ok(result.isError);
  const frame = await show("tp_get_fitness", args, result, "light");
  const p = await readPage(frame);
  assert.equal(p.state, "error");
  assert.ok(p.message.length > 0 && result.content[0].text.startsWith(p.message.split("\n")[0]), p.message);
  assert.deepEqual(p.errors, []);
});

test("nothing was refused by the CSP and nothing logged an error", () => {
  assert.deepEqual(consoleErrors, []);
});

"""The chart window's Power curve view, in its WebKit over WebDriver: the
demo athlete's curves of this season and last, the CP model and the
caption, against what the `tp-mcp` binary answers for the same tool calls.
See conftest.py for the harness.

The device files are filled first, from outside the tray
(`tp-mcp --demo sync --streams` into the data directory the tray then
uses), with "today" pinned to 2023-06-30: this season is 1 Jan – 30 Jun
2023, last season all of 2022 (the demo history starts on 2022-01-03).
"""

from __future__ import annotations

import json
import os
import subprocess
import time

import pytest

from conftest import ELEMENT, TP_MCP, Pixels, WebDriver, base_env, hex_rgb, wait_for

POWER_TODAY = "2023-06-30"
SEASON = {"start_date": "2023-01-01", "end_date": "2023-06-30",
          "compare_start_date": "2022-01-01", "compare_end_date": "2022-12-31"}
LAST_90 = {"start_date": "2023-04-02", "end_date": "2023-06-30",
           "compare_start_date": "2023-01-02", "compare_end_date": "2023-04-01"}
# The view's colours (ui/style.css): this season, last season.
LIGHT = {"this": hex_rgb("0969da"), "last": hex_rgb("fb8f44")}
DARK = {"this": hex_rgb("58a6ff"), "last": hex_rgb("ffa657")}


def sidecar_env(data_dir) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TP_")}
    env.update(TP_MCP_TODAY=POWER_TODAY, TP_MCP_DATA_DIR=str(data_dir))
    return env


def tool(env: dict, name: str, args: dict) -> dict:
    """The tool's structured answer, from the tp-mcp binary (as Claude gets it)."""
    out = subprocess.run([str(TP_MCP), "--demo", "call", name, json.dumps(args), "--json"], env=env,
                         capture_output=True, text=True, check=True, timeout=300)
    return json.loads(out.stdout)


def by_duration(points) -> dict:
    return {p["duration_s"]: p for p in points or []}


def shown_watts(w: float) -> str:
    """How the window rounds watts (JavaScript's Math.round)."""
    return f"{int(w + 0.5)} W"


# Counts the pixels of a colour on the power plot's canvas.
COUNT = """
    const u = tpPower.plot, [r, g, b] = arguments[0], bb = u.bbox;
    const px = u.ctx.getImageData(bb.left, bb.top, bb.width, bb.height).data;
    let n = 0;
    for (let i = 0; i < px.length; i += 4) {
      if (Math.abs(px[i] - r) + Math.abs(px[i + 1] - g) + Math.abs(px[i + 2] - b) <= 40 && px[i + 3] > 200) n++;
    }
    return n;"""


def wait_power(wd: WebDriver, rng: str, timeout: float = 90) -> dict:
    """Waits for the power view to show `rng`; its data."""
    wait_for(f"the power curve ({rng}) to be drawn", lambda: wd.js(
        "const e = document.getElementById('power');"
        "return e.dataset.state === 'ready' && e.dataset.range === arguments[0]", rng), timeout=timeout)
    return wd.js("return tpPower.data")


def check_against_tools(view: dict, curve: dict, cp: dict):
    """Every row of the view is the tools' answer for its duration."""
    this, last = by_duration(curve["points"]), by_duration(curve["compare_points"])
    model = by_duration(cp["model_curve"])
    assert model and len(this) > 150 and len(last) > 150, (len(model), len(this), len(last))
    for i, d in enumerate(view["durations_s"]):
        for col, dates, answer in (("watts", "dates", this), ("last_watts", "last_dates", last)):
            p = answer.get(d)
            assert view[col][i] == (p and p["watts"]), (col, d, view[col][i], p)
            assert view[dates][i] == (p and p["date"]), (dates, d)
        # The model drawn over the durations it was fitted to, dotted after them, not below.
        fitted = (cp["three_parameter"] or cp["two_parameter"])["window"]
        w = model[d]["watts"] if d in model else None
        assert view["model_watts"][i] == (w if fitted["min_s"] <= d <= fitted["max_s"] else None), ("model", d)
        assert view["model_beyond_watts"][i] == (w if d >= fitted["max_s"] else None), ("model beyond", d)
    assert set(view["durations_s"]) == set(this) | set(last) | {d for d in model if d >= fitted["min_s"]}


def test_power_curve_view_shows_what_the_tools_answer(display, home):
    """Switch to the Power curve view: the curves of 2023 and 2022 are the
    tp_power_curve answer row for row, the model is tp_critical_power's,
    the caption has its CP, W′ and eFTP, the readout shows the 20-min and
    (hovered) 5-min bests, both curves are really drawn; the 90-day toggle,
    the dark theme and the way back to the fitness chart work."""
    started = time.monotonic()
    data = home / "data"
    env = sidecar_env(data)
    subprocess.run([str(TP_MCP), "--demo", "sync", "--streams"], env=env, capture_output=True, check=True,
                   timeout=300)
    filled = time.monotonic() - started

    wd = WebDriver({**base_env(display, home), "TP_MCP_TODAY": POWER_TODAY, "TP_MCP_DATA_DIR": str(data)},
                   ["--demo", "--open-chart"])
    try:
        wait_for("the fitness chart", lambda: wd.js("return document.body.dataset.state") == "ready", timeout=90)
        assert wd.js("return document.getElementById('power-view').hidden") is True
        # The loading state is shown while the tools answer.
        wd.js("""
            window.pcStates = [];
            new MutationObserver(() => pcStates.push(document.getElementById('power').dataset.state))
              .observe(document.getElementById('power'), {attributes: true, attributeFilter: ['data-state']});""")
        clicked = time.monotonic()
        wd.click('[data-view="power"]')
        view = wait_power(wd, "season")
        first_load = time.monotonic() - clicked
        assert wd.js("return pcStates")[:2] == ["loading", "ready"], wd.js("return pcStates")
        assert wd.js("return document.getElementById('fitness-view').hidden") is True
        assert wd.js("return document.querySelector('[data-pc-range=\"season\"]').getAttribute('aria-pressed')") == "true"

        # Expected values from outside the tray: the tp-mcp binary, same questions.
        curve = tool(env, "tp_power_curve", {"sport": "Bike", **SEASON, "durations_s": view["durations_s"]})
        cp = tool(env, "tp_critical_power", {"sport": "Bike", "start_date": SEASON["start_date"],
                                             "end_date": SEASON["end_date"]})
        check_against_tools(view, curve, cp)
        assert view["this"]["label"] == "2023" and view["last"]["label"] == "2022"
        assert view["complete"] is True and view["message"] is None and view["not_fresh"] is None

        # The caption: the model drawn (3-parameter when fitted), W′, eFTP and its rule.
        model = cp["three_parameter"] or cp["two_parameter"]
        caption = wd.text("#pc-caption")
        assert f"CP {model['cp_w']:.0f} W" in caption, caption
        assert f"W′ {model['w_prime_j'] / 1000:.1f} kJ" in caption, caption
        assert f"eFTP {cp['estimated_ftp']['eftp_w']:.0f} W ({cp['estimated_ftp']['method']})" in caption, caption
        assert float(wd.js("return document.getElementById('pc-caption').dataset.cp")) == model["cp_w"]
        coverage = wd.text("#pc-coverage")
        for label, c in (("2023", curve["coverage"]), ("2022", curve["compare_coverage"])):
            assert f"{label}: power from {c['with_metric']} of {c['workouts']} rides" in coverage, coverage
        if cp["three_parameter"]:
            assert "Morton's 3-parameter model, fitted 10 s – 20 min" in caption, caption
        assert wd.text("#pc-legend-model") == "CP model (dotted past 20 min)"

        # The readout without the pointer: 20 minutes, both seasons.
        this, last = by_duration(curve["points"]), by_duration(curve["compare_points"])
        readout = wd.text("#pc-readout")
        assert readout.startswith("20 min"), readout
        assert shown_watts(this[1200]["watts"]) in readout and shown_watts(last[1200]["watts"]) in readout, readout
        assert float(wd.js("return document.getElementById('pc-readout').dataset.watts")) == this[1200]["watts"]

        # A real pointer over 5 minutes shows 5 minutes.
        over = wd.find("#power .u-over")
        x = wd.js("""const u = tpPower.plot, r = u.over.getBoundingClientRect();
                     return Math.round(u.valToPos(300, 'x') - r.width / 2);""")
        wd.request("POST", "/actions", {"actions": [{"type": "pointer", "id": "mouse",
                   "parameters": {"pointerType": "mouse"}, "actions": [
                       {"type": "pointerMove", "duration": 0, "origin": {ELEMENT: over}, "x": x, "y": 0}]}]})
        wait_for("the readout at 5 min", lambda: wd.js(
            "return document.getElementById('pc-readout').dataset.duration") == "300")
        readout = wd.text("#pc-readout")
        assert readout.startswith("5 min"), readout
        assert shown_watts(this[300]["watts"]) in readout and shown_watts(last[300]["watts"]) in readout, readout
        assert float(wd.js("return document.getElementById('pc-readout').dataset.lastWatts")) == last[300]["watts"]

        # Both curves are on the canvas, and on the screen.
        for name, color in LIGHT.items():
            assert wd.js(COUNT, list(color)) > 300, name
        geo = display.find_window("Fitness")
        rect = wd.js("const r = document.querySelector('#power .u-over').getBoundingClientRect();"
                     "return [r.left, r.top, r.width, r.height].map(Math.round);")
        shot = display.screenshot("power-curve-light")
        px = Pixels(shot, geo["x"] + rect[0], geo["y"] + rect[1], rect[2], rect[3])
        stats = px.stats()
        assert stats["unique_colors"] > 20 and stats["non_background_share"] > 0.02, stats
        for name, color in LIGHT.items():
            assert px.count_near(color) > 300, (name, px.count_near(color), stats)
        wd.screenshot("power-curve-page")

        # Last 90 days against the 90 before.
        wd.click('[data-pc-range="90d"]')
        view90 = wait_power(wd, "90d")
        curve90 = tool(env, "tp_power_curve", {"sport": "Bike", **LAST_90, "durations_s": view90["durations_s"]})
        cp90 = tool(env, "tp_critical_power", {"sport": "Bike", "start_date": LAST_90["start_date"],
                                               "end_date": LAST_90["end_date"]})
        check_against_tools(view90, curve90, cp90)
        assert view90["this"]["label"] == "Last 90 days"
        model90 = cp90["three_parameter"] or cp90["two_parameter"]
        assert f"CP {model90['cp_w']:.0f} W" in wd.text("#pc-caption")
        assert shown_watts(by_duration(curve90["points"])[1200]["watts"]) in wd.text("#pc-readout")
        wd.click('[data-pc-range="season"]')
        wait_power(wd, "season")

        # Dark theme: the curves in the dark colours.
        for _ in range(3):
            if wd.js("return document.documentElement.dataset.theme") == "dark":
                break
            wd.click("#theme")
        assert wd.js("return document.documentElement.dataset.theme") == "dark"
        for name, color in DARK.items():
            assert wd.js("return tpTheme.color(arguments[0])", f"pc-{name}") == "#" + "".join(
                f"{v:02x}" for v in color)
            wait_for(f"the {name} curve in its dark colour", lambda: wd.js(COUNT, list(color)) > 300, timeout=10)
        display.screenshot("power-curve-dark")

        # Back to the fitness chart, drawn at the window's size.
        wd.click('[data-view="fitness"]')
        assert wd.js("return document.getElementById('power-view').hidden") is True
        wait_for("the fitness chart at full size", lambda: wd.js(
            "return tpChart.plot.width === Math.max(200, document.getElementById('chart').clientWidth)"
            " && tpChart.plot.width > 400"))
        assert wd.js("return window.tpErrors") == []
        loads = wd.js("return tpPower.loads")
        assert all("error" not in l for l in loads), loads
    finally:
        wd.quit()
    print(f"device files filled in {filled:.0f} s; first power curve in {first_load:.1f} s; "
          f"loads {[(l['range'], l['ms']) for l in loads]}; test {time.monotonic() - started:.0f} s")


def test_the_first_load_fetches_device_files_and_the_window_stays_usable(display, home):
    """Nothing filled beforehand: opening the view makes the tools fetch the
    rides' device files (seconds of work). Meanwhile the view says it is
    loading and the window answers at once — views switch back and forth —
    and then the curves appear, the same as tp-mcp's on the cache the tray
    filled."""
    data = home / "data"
    env = sidecar_env(data)
    wd = WebDriver({**base_env(display, home), "TP_MCP_TODAY": POWER_TODAY, "TP_MCP_DATA_DIR": str(data)},
                   ["--demo", "--open-chart"])
    try:
        wait_for("the fitness chart", lambda: wd.js("return document.body.dataset.state") == "ready", timeout=90)
        clicked = time.monotonic()
        wd.click('[data-view="power"]')
        assert wd.js("return document.getElementById('power').dataset.state") == "loading"
        assert wd.text("#pc-message").startswith("Loading the power curve…")
        # The window answers while the tools work.
        slowest = 0.0
        for view in ("fitness", "power", "fitness", "power"):
            t = time.monotonic()
            wd.click(f'[data-view="{view}"]')
            assert wd.js(f"return document.getElementById('{view}-view').hidden") is False
            slowest = max(slowest, time.monotonic() - t)
        still_loading = wd.js("return document.getElementById('power').dataset.state") == "loading"
        view = wait_power(wd, "season", timeout=120)
        took = time.monotonic() - clicked
        assert still_loading, f"the first load took only {took:.1f} s: nothing was fetched?"
        assert slowest < 1.5, f"the window took {slowest:.1f} s to switch views while loading"
        assert wd.js("return window.tpErrors") == []
        if not view["complete"]:
            pytest.skip(f"the tools' time budget ran out ({view['coverage']}); nothing to compare yet")
    finally:
        wd.quit()
    # The tray filled the cache: tp-mcp on it answers the same, fetching nothing.
    curve = tool(env, "tp_power_curve", {"sport": "Bike", **SEASON, "durations_s": [300, 1200]})
    assert curve["coverage"]["fetched_now"] == 0 and curve["coverage"]["not_fetched"] == 0, curve["coverage"]
    for p in curve["points"]:
        assert view["watts"][view["durations_s"].index(p["duration_s"])] == p["watts"], p
    print(f"first load with fetching: {took:.1f} s; slowest view switch meanwhile {slowest:.2f} s")

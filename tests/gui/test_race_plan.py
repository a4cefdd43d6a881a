"""The fitness chart's race plan, in the chart window's WebKit over
WebDriver: race day marked with the race's priority and name, the CTL/TSB
path optimised for it beside the planned projection — against what the
`tp-mcp` binary answers for `tp_plan_race` (the tool the tray asks, with
no arguments: the focus event). See conftest.py for the harness.

"Today" is the suite's 2026-11-24: the demo athlete's focus event, an A
race (Spring Classic Gran Fondo 2027), is 75 days ahead, past the end of
its 3-week plan.
"""

from __future__ import annotations

import json
import math
import os
import subprocess

from conftest import ELEMENT, TODAY, TP_MCP, Fake, Pixels, WebDriver, base_env, hex_rgb, wait_for

DAY = 86400
# The race marker's colour (ui/style.css), light and dark.
RACE_LIGHT, RACE_DARK = hex_rgb("8250df"), hex_rgb("d2a8ff")
CTL_LIGHT = hex_rgb("0969da")


def sidecar_env(data_dir) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TP_")}
    env.update(TP_MCP_TODAY=TODAY, TP_MCP_DATA_DIR=str(data_dir))
    return env


def plan_race(env: dict, demo: bool) -> subprocess.CompletedProcess:
    """`tp-mcp [--demo] call tp_plan_race '{}' --json`: what the tray asks, as Claude would."""
    return subprocess.run([str(TP_MCP), *(["--demo"] if demo else []), "call", "tp_plan_race", "{}", "--json"],
                          env=env, capture_output=True, text=True, timeout=300)


def fmt(v: float, signed: bool = False) -> str:
    """How the chart window writes CTL/TSB (chart.js' fmt: JavaScript's rounding, a real minus)."""
    r = math.floor(v * 10 + 0.5) / 10
    if r == 0:
        return "0.0"
    text = f"{abs(r):.1f}"
    if r < 0:
        return "\u2212" + text
    return ("+" if signed else "") + text


def js_round(v: float) -> int:
    return math.floor(v + 0.5)


# Counts the pixels of a colour on the fitness chart's canvas between two x
# values (data seconds); arguments: [r, g, b], x from, x to.
COUNT = """
    const u = tpChart.plot, [r, g, b] = arguments[0], bb = u.bbox;
    const x0 = Math.max(bb.left, Math.floor(u.valToPos(arguments[1], 'x', true)));
    const x1 = Math.min(bb.left + bb.width, Math.ceil(u.valToPos(arguments[2], 'x', true)));
    if (x1 <= x0) return 0;
    const px = u.ctx.getImageData(x0, bb.top, x1 - x0, bb.height).data;
    let n = 0;
    for (let i = 0; i < px.length; i += 4) {
      if (Math.abs(px[i] - r) + Math.abs(px[i + 1] - g) + Math.abs(px[i + 2] - b) <= 40 && px[i + 3] > 200) n++;
    }
    return n;"""

COLUMNS = """
    const d = tpChart.data;
    return {dates: d.dates, today_index: d.today_index, race: d.race, projection_note: d.projection_note,
            opt_ctl: d.opt_ctl, opt_tsb: d.opt_tsb, opt_tss: d.opt_tss,
            proj_ctl: d.proj_ctl, proj_atl: d.proj_atl, proj_tsb: d.proj_tsb, xs: tpChart.xs};"""


def hover(wd: WebDriver, x_secs: float):
    """A real pointer move over the fitness chart, to the day at `x_secs`."""
    over = wd.find("#chart .u-over")
    dx = wd.js("""const u = tpChart.plot, r = u.over.getBoundingClientRect();
                  return Math.round(u.valToPos(arguments[0], 'x') - r.width / 2);""", x_secs)
    wd.request("POST", "/actions", {"actions": [{"type": "pointer", "id": "mouse",
               "parameters": {"pointerType": "mouse"}, "actions": [
                   {"type": "pointerMove", "duration": 0, "origin": {ELEMENT: over}, "x": dx, "y": 0}]}]})


def x_range(wd: WebDriver, rng: str) -> tuple[float, float]:
    wd.click(f'[data-range="{rng}"]')
    return wd.js("return [tpChart.plot.scales.x.min, tpChart.plot.scales.x.max]")


def test_race_day_and_the_optimised_path_are_the_tools_answer(display, home):
    """The demo's focus event: marked on race day as "A · Spring Classic
    Gran Fondo 2027"; every day of the optimised path on the page is
    tp_plan_race's, drawn dotted beside the planned projection, which the
    tool's "as planned" path carries on to race day; the legend, the
    footer and the readout under the pointer say the same numbers; the
    ranges that reach the race show it, the others name it at the edge;
    light and dark."""
    answer = plan_race(sidecar_env(home / "sidecar"), demo=True)
    assert answer.returncode == 0, answer.stderr
    plan = json.loads(answer.stdout)
    name = plan["race"]["event"]["name"]
    assert (plan["race"]["priority"], name) == ("A", "Spring Classic Gran Fondo 2027"), plan["race"]
    assert plan["race"]["chosen_by"] == "focus event"

    wd = WebDriver(base_env(display, home), ["--demo", "--open-chart"])
    try:
        wait_for("the chart to be ready", lambda: wd.js("return document.body.dataset.state") == "ready",
                 timeout=90)
        d = wd.js(COLUMNS)
        row = {date: i for i, date in enumerate(d["dates"])}
        race = d["race"]
        assert race is not None, "no race on the chart"

        # The race: its day, priority and name, both paths' race-day numbers.
        assert race["date"] == plan["race"]["date"] == d["dates"][race["index"]] == d["dates"][-1]
        assert race["label"] == f"A · {name}"
        assert race["legend"] == f"optimised for {name}"
        assert race["days_away"] == plan["race"]["event"]["days_away"] == 75
        for key in ("ctl", "atl", "tsb"):
            assert race["optimised"][key] == plan["race_day"][key], key
            assert race["as_planned"][key] == plan["as_planned"]["race_day"][key], key
        assert (race["tsb_min"], race["tsb_max"]) == (plan["limits"]["tsb_min"], plan["limits"]["tsb_max"])

        # Every day of the optimised path, exactly the tool's numbers.
        assert len(plan["days"]) == 74
        for day in plan["days"]:
            i = row[day["date"]]
            assert (d["opt_ctl"][i], d["opt_tsb"][i], d["opt_tss"][i]) == (day["ctl"], day["tsb"], day["tss"]), day
        r, t = race["index"], d["today_index"]
        assert d["opt_tsb"][r] == plan["race_day"]["tsb"] and d["opt_ctl"][r] is None
        assert d["opt_ctl"][t] is not None and d["opt_ctl"][t - 1] is None, "starts at today"
        assert sum(v is not None for v in d["opt_ctl"]) == 75 and sum(v is not None for v in d["opt_tsb"]) == 76

        # Beside it, the planned projection to race day: the chart's own (its
        # calendar) where it reaches, the tool's "as planned" after — the
        # same calendar and the same numbers where both have a day.
        for day in plan["as_planned"]["days"]:
            i = row[day["date"]]
            for key in ("ctl", "atl", "tsb"):
                assert math.isclose(d[f"proj_{key}"][i], day[key], abs_tol=1e-9), (key, day)
        assert d["proj_tsb"][r] == plan["as_planned"]["race_day"]["tsb"]
        extra = plan["as_planned"]
        assert extra["average_days"] == 53
        assert d["projection_note"].endswith(
            f"; then {extra['average_days']} days at {extra['average_daily_tss']:.0f} TSS/day to race day"
        ), d["projection_note"]

        # Legend and footer.
        assert wd.js("return document.getElementById('legend-race').hidden") is False
        assert wd.text("#legend-race") == f"optimised for {name}"
        note = wd.text("#race-note")
        assert note.startswith(f"Race: A · {name} on Sun 7 Feb 2027 (in 75 days) — "), note
        assert f"optimised CTL {plan['race_day']['ctl']:.1f}, TSB +15.0 (Fresh)" in note, note
        assert f"as planned CTL {plan['as_planned']['race_day']['ctl']:.1f}" in note, note

        # Ranges: those looking back at least as far as the race is ahead
        # reach race day (and a little past it); "6 weeks" names it at the edge.
        race_x, today_x = d["xs"][r], d["xs"][t]
        for rng in ("90", "182", "365", "all"):
            lo, hi = x_range(wd, rng)
            assert hi > race_x, (rng, hi, race_x)
            assert lo == (d["xs"][0] if rng == "all" else today_x - (int(rng) - 1) * DAY), rng
        lo, hi = x_range(wd, "42")
        assert (lo, hi) == (today_x - 41 * DAY, today_x + 14 * DAY)

        # On the canvas (90 days): the race line in its colour at race day,
        # and the optimised path really drawn (hiding its two series takes
        # away CTL-blue pixels after today).
        x_range(wd, "90")
        assert wd.js(COUNT, list(RACE_LIGHT), race_x - DAY / 2, race_x + DAY / 2) > 150
        # (Its label stands left of the line here, near the right edge: the
        # weeks after today are clear of it.)
        assert wd.js(COUNT, list(RACE_LIGHT), today_x, today_x + 20 * DAY) == 0, "race colour away from race day"
        with_opt = wd.js(COUNT, list(CTL_LIGHT), today_x + DAY, race_x)
        wd.js("tpChart.plot.setSeries(9, {show: false}); tpChart.plot.setSeries(10, {show: false});")
        wait_for("the optimised path to go when hidden", lambda: with_opt - wd.js(
            COUNT, list(CTL_LIGHT), today_x + DAY, race_x) > 150, timeout=5)
        wd.js("tpChart.plot.setSeries(9, {show: true}); tpChart.plot.setSeries(10, {show: true});")
        wait_for("the optimised path back", lambda: wd.js(
            COUNT, list(CTL_LIGHT), today_x + DAY, race_x) == with_opt, timeout=5)
        display.screenshot("race-plan-light")
        wd.screenshot("race-plan-page")

        # The readout under a real pointer: a day of the plan, then race day.
        day = plan["days"][40]
        hover(wd, d["xs"][row[day["date"]]])
        wait_for("the readout on a planned day", lambda: wd.js(
            "return document.getElementById('readout').dataset.index") == str(row[day["date"]]))
        readout = wd.text("#readout")
        expected = f"optimised CTL {fmt(day['ctl'])} · TSB {fmt(day['tsb'], True)} · TSS {js_round(day['tss'])}"
        assert expected in readout, (expected, readout)
        assert "(projected)" in readout and f"CTL {fmt(d['proj_ctl'][row[day['date']]])}" in readout, readout
        fits = "const e = document.getElementById('readout'); return e.scrollWidth <= e.clientWidth"
        assert wd.js(fits), readout
        hover(wd, race_x)
        wait_for("the readout on race day", lambda: wd.js(
            "return document.getElementById('readout').dataset.index") == str(r))
        readout = wd.text("#readout")
        rd, ap = plan["race_day"], plan["as_planned"]["race_day"]
        assert "(race day)" in readout and readout.endswith(f" · A · {name}"), readout
        assert f"as planned CTL {fmt(ap['ctl'])} · TSB {fmt(ap['tsb'], True)}" in readout, readout
        assert f"optimised CTL {fmt(rd['ctl'])} · TSB {fmt(rd['tsb'], True)}" in readout, readout
        assert wd.js(fits), f"cut short: {readout}"

        # Dark theme: the marker in its dark colour.
        for _ in range(3):
            if wd.js("return document.documentElement.dataset.theme") == "dark":
                break
            wd.click("#theme")
        assert wd.js("return document.documentElement.dataset.theme") == "dark"
        assert hex_rgb(wd.js("return tpTheme.color('race')")) == RACE_DARK
        wait_for("the race line in its dark colour", lambda: wd.js(
            COUNT, list(RACE_DARK), race_x - DAY / 2, race_x + DAY / 2) > 150, timeout=10)
        # And on the screen, once the window is dark there.
        geo = display.find_window("Fitness")

        def dark_screen():
            px = Pixels(display.screenshot("race-plan-dark"), geo["x"], geo["y"], geo["width"], geo["height"])
            return px.stats()["luminance_mean"] < 80 and px

        px = wait_for("the window to be dark on the screen", dark_screen, timeout=10)
        assert px.count_near(RACE_DARK) > 150 and px.count_near(RACE_LIGHT) < 20, (
            px.count_near(RACE_DARK), px.count_near(RACE_LIGHT))
        assert wd.js("return window.tpErrors") == []
    finally:
        wd.quit()


def test_no_race_ahead_no_race_marks(display, home):
    """An athlete whose races are all behind them: tp_plan_race answers
    with an error (no focus event or A/B race ahead), and the chart is the
    usual one, without race marks."""
    # TrainingPeaks' calendar ends 4 months before the tray's today: the
    # focus event and every race are in the past.
    fake = Fake("gui-no-race-cookie-0123456789abcdef", today="2026-07-20")
    env = {**base_env(display, home), "TP_API_BASE_URL": fake.url, "TP_AUTH_COOKIE": fake.cookie,
           "TP_MCP_DATA_DIR": str(home / "data")}
    try:
        answer = plan_race({**env, "TP_MCP_DATA_DIR": str(home / "sidecar")}, demo=False)
        assert answer.returncode != 0, answer.stdout
        assert "no focus event or A/B event" in answer.stdout + answer.stderr, answer

        wd = WebDriver(env, ["--open-chart"])
        try:
            wait_for("the chart to be ready", lambda: wd.js("return document.body.dataset.state") == "ready",
                     timeout=120)
            d = wd.js(COLUMNS)
            assert d["race"] is None
            assert all(v is None for col in ("opt_ctl", "opt_tsb", "opt_tss") for v in d[col])
            assert "race day" not in d["projection_note"]
            assert wd.js("return document.getElementById('legend-race').hidden") is True
            assert wd.text("#race-note") == ""
            # The ranges are the usual ones; no race colour anywhere.
            t = d["today_index"]
            lo, hi = x_range(wd, "90")
            assert (lo, hi) == (d["xs"][t] - 89 * DAY, min(d["xs"][-1], d["xs"][t] + 30 * DAY))
            assert wd.js(COUNT, list(RACE_LIGHT), d["xs"][0], d["xs"][-1]) == 0
            assert wd.js("return window.tpErrors") == []
        finally:
            wd.quit()
    finally:
        fake.close()

"""The tray app as a person meets it: real X server, real tray host, real
WebKit window. See conftest.py for the harness."""

from __future__ import annotations

import asyncio
import json
import os
import pathlib
import sqlite3
import subprocess
import threading
import time

import pytest

from conftest import (
    ARTIFACTS,
    AUDIT,
    TODAY,
    TP_MCP,
    TP_MCP_BINARY,
    Display,
    Fake,
    Pixels,
    Tray,
    TrayApp,
    WebDriver,
    base_env,
    hex_rgb,
    wait_for,
)

# The tray icon's discs (icons/generate.sh).
GREEN, RED = hex_rgb("2da44e"), hex_rgb("cf222e")
# The chart's light-theme colours (ui/style.css).
CTL, ATL, TSB = hex_rgb("0969da"), hex_rgb("cf2271"), hex_rgb("d97706")
FORM_LABELS = {
    "transition": "Transition (very fresh)",
    "fresh": "Fresh",
    "neutral": "Neutral",
    "tired": "Tired (optimal loading)",
    "overreaching": "Overreaching",
}


def signed(x: float) -> str:
    r = round(x * 10) / 10
    if r == 0:
        return "0.0"
    return ("\u2212" if r < 0 else "+") + f"{abs(r):.1f}"


def chart_drawn(display: Display, name: str) -> dict:
    """Screenshot of the chart window's plot area and its pixel statistics."""
    geo = display.find_window("Fitness")
    assert geo, "no chart window on the screen"
    shot = display.screenshot(name)
    # The plot: below the header and toolbar, above the footer.
    px = Pixels(shot, geo["x"] + 10, geo["y"] + 110, geo["width"] - 20, geo["height"] - 180)
    stats = px.stats()
    stats.update(ctl=px.count_near(CTL), atl=px.count_near(ATL), tsb=px.count_near(TSB))
    return stats


def assert_real_chart(stats: dict):
    # A blank or half-loaded window is one or two flat colours; a PMC chart
    # has lines of three colours, bars, axes and text.
    assert stats["unique_colors"] > 40, stats
    assert stats["luminance_std"] > 8, stats
    assert stats["non_background_share"] > 0.04, stats
    for line in ("ctl", "atl", "tsb"):
        assert stats[line] > 150, (line, stats)


def open_menu(display: Display, tray: Tray, color) -> None:
    x, y = tray.icon_center(color)
    display.run("xdotool", "mousemove", str(x), str(y), "click", "1")
    time.sleep(0.8)


def choose(display: Display, downs: int) -> None:
    """Picks the menu item `downs` enabled items from the top (keyboard,
    so no font metrics are assumed): 1 Re-authenticate, 2 Open fitness
    chart, 3 Connect Claude Desktop, 4 Start at login, 5 Quit."""
    display.run("xdotool", "key", *(["Down"] * downs), "Return")


def test_survives_without_a_tray_host_or_session_bus(display, home):
    """No tray host and no D-Bus (as on CI): the app comes up on the demo
    athlete, loads its history, and keeps running."""
    app = TrayApp(base_env(display, home), ["--demo"], "no-tray-host")
    try:
        app.wait_log("training data loaded")
        time.sleep(5)
        assert app.alive(), app.text()
        assert "panicked" not in app.text()
    finally:
        app.stop()


def test_tray_icon_and_menu_in_a_real_tray_host(display, home, sidecar_fitness):
    """The icon shows "connected", the menu's status line has the sidecar's
    numbers, and every menu item does its job: chart window, Claude Desktop
    config (malformed file refused, then written), start at login, quit."""
    tray = Tray(display)
    app = TrayApp(base_env(display, home), ["--demo"], "tray-menu")
    try:
        app.wait_log("training data loaded")
        wait_for("the green (connected) icon in the tray",
                 lambda: tray.region("tray-connected").count_near(GREEN, 60) > 80)

        cur = sidecar_fitness["current"]
        status = (f"status: Demo · Alex Rivera · CTL {cur['ctl']:.0f} · ATL {cur['atl']:.0f} · "
                  f"TSB {signed(cur['tsb'])} · {FORM_LABELS[cur['form']]}")
        app.wait_log(status)

        # The menu pops up under the icon (a light box on the black root).
        open_menu(display, tray, GREEN)
        shot = display.screenshot("tray-menu")
        menu = Pixels(shot, display.width - 720, 32, 720, 240)
        assert menu.stats()["non_background_share"] > 0.2, menu.stats()
        choose(display, 2)
        app.wait_log("menu: chart")
        wait_for("the chart window, drawn", lambda: assert_real_chart(chart_drawn(display, "chart-from-menu")) or True)

        # Connect Claude Desktop: a malformed config is left alone…
        config = home / ".config" / "Claude" / "claude_desktop_config.json"
        config.parent.mkdir(parents=True)
        broken = '{"mcpServers": {"other": {"command": "x"}},'
        config.write_text(broken)
        open_menu(display, tray, GREEN)
        choose(display, 3)
        app.wait_log("notification: Claude Desktop not connected")
        assert config.read_text() == broken
        assert sorted(p.name for p in config.parent.iterdir()) == [config.name]
        wait_for("the connect window", lambda: display.find_window("Connect Claude"))

        # …a good one gets our server, the others kept, after a backup.
        config.write_text('{"mcpServers": {"other": {"command": "x"}}, "theme": "dark"}')
        open_menu(display, tray, GREEN)
        choose(display, 3)
        app.wait_log("notification: Claude Desktop connected")
        written = json.loads(config.read_text())
        assert written["theme"] == "dark"
        assert written["mcpServers"]["other"] == {"command": "x"}
        ours = written["mcpServers"]["trainingpeaks"]
        assert ours == {"command": str(TP_MCP_BINARY.resolve()), "args": ["--demo"]}
        backups = [p for p in config.parent.iterdir() if ".bak-" in p.name]
        assert len(backups) == 1 and "theme" in backups[0].read_text()

        # Start at login writes the autostart entry.
        open_menu(display, tray, GREEN)
        choose(display, 4)
        entry = home / ".config" / "autostart" / "tp-tray.desktop"
        wait_for("the autostart entry", entry.exists)
        assert "tp-tray" in entry.read_text()

        open_menu(display, tray, GREEN)
        choose(display, 5)
        wait_for("the app to quit", lambda: not app.alive(), timeout=15)
        assert app.proc.returncode == 0, app.text()
        assert "panicked" not in app.text()
    finally:
        app.stop()
        tray.close()


def test_expired_login_turns_the_icon_red_and_notifies(display, home, fake):
    """Against the fake TrainingPeaks with a cookie it refuses: the check
    finds the login expired, the icon turns red, a notification says what
    to do, and re-authenticating with no browser login says why it failed."""
    tray = Tray(display)
    env = base_env(display, home)
    AUDIT.register_secret("an-expired-cookie", "the refused cookie")
    env.update(TP_API_BASE_URL=fake.url, TP_AUTH_COOKIE="an-expired-cookie",
               TP_MCP_DATA_DIR=str(home / "data"))
    app = TrayApp(env, [], "expired")
    try:
        app.wait_log("login check: Expired")
        wait_for("the red (expired) icon in the tray",
                 lambda: tray.region("tray-expired").count_near(RED, 60) > 80)
        assert "notification: TrainingPeaks login expired" in app.text()
        app.wait_log("status: TrainingPeaks login expired")

        open_menu(display, tray, RED)
        choose(display, 1)
        app.wait_log("notification: Re-authentication failed")
        assert "No usable TrainingPeaks login was found" in app.text()
        wait_for("the icon back to red after the attempt",
                 lambda: tray.region("tray-still-expired").count_near(RED, 60) > 80, timeout=10)
        assert app.alive()
        assert "an-expired-cookie" not in app.text()
    finally:
        app.stop()
        tray.close()


def test_no_login_at_all_says_so(display, home):
    """No cookie in the environment and no keychain (no session bus): the
    icon shows the login is missing and a notification says how to sign in."""
    tray = Tray(display)
    app = TrayApp(base_env(display, home), [], "missing")
    try:
        app.wait_log("login check: Missing")
        wait_for("the red icon", lambda: tray.region("tray-missing").count_near(RED, 60) > 80)
        app.wait_log("notification: No TrainingPeaks login")
        assert app.alive()
    finally:
        app.stop()
        tray.close()


def test_account_data_goes_through_the_shared_store(display, home, fake):
    """With a valid cookie, the tray reads the account through tp-mcp's data
    path into the same history cache the sidecar uses, and the chart shows
    it."""
    env = base_env(display, home)
    data = home / "data"
    env.update(TP_API_BASE_URL=fake.url, TP_AUTH_COOKIE=fake.cookie, TP_MCP_DATA_DIR=str(data))
    app = TrayApp(env, ["--open-chart"], "account")
    try:
        app.wait_log("login check: Valid")
        app.wait_log("training data loaded", timeout=120)
        assert list(data.glob("athlete-*.sqlite3")), list(data.iterdir())
        wait_for("the chart window, drawn", lambda: assert_real_chart(chart_drawn(display, "chart-account")) or True)
    finally:
        app.stop()


@pytest.fixture
def webdriver(display, home):
    wd = WebDriver(base_env(display, home), ["--demo", "--open-chart"])
    yield wd
    wd.quit()


def test_chart_window_over_webdriver(webdriver, display, sidecar_fitness):
    """The chart window, inspected in its WebKit: the sidecar's numbers, the
    lines really drawn, range buttons, hover readout, dark theme, resizing."""
    wd = webdriver
    wait_for("the chart to be ready", lambda: wd.js("return document.body.dataset.state") == "ready",
             timeout=60)
    info = wd.js("""
        const d = tpChart.data;
        return {athlete: d.athlete, n: d.dates.length, first: d.dates[0], last: d.dates[d.dates.length - 1],
                today: d.today, ti: d.today_index, status: d.status, series: tpChart.plot.series.length,
                proj: d.proj_ctl.filter(v => v != null).length, errors: window.tpErrors};""")
    cur = sidecar_fitness["current"]
    assert info["errors"] == []
    assert info["athlete"] == "Alex Rivera"
    assert info["today"] == cur["date"] == sidecar_fitness["end_date"]
    assert info["first"] == sidecar_fitness["history_start"]
    # The very numbers Claude gets from tp_get_fitness.
    for key in ("ctl", "atl", "tsb"):
        assert info["status"][key] == pytest.approx(cur[key], abs=1e-9), key
    assert info["status"]["form_key"] == cur["form"]
    assert wd.text("#form") == FORM_LABELS[cur["form"]]
    assert wd.text("#ctl") == f"{cur['ctl']:.1f}"
    assert wd.text("#tsb") == signed(cur["tsb"]).replace("+", "+")
    assert info["series"] == 11 and info["proj"] > 7 and info["n"] > 1500
    # An athlete's own login: no athlete picker (coach logins only).
    assert wd.js("return document.getElementById('picker-box').hidden") is True
    assert wd.js("return tpChart.data.picker") is None

    # The canvas: count each line's colour left and right of today.
    count = """
        const u = tpChart.plot, d = tpChart.data, [r, g, b] = arguments[0];
        const c = u.ctx, bb = u.bbox, x = Math.round(u.valToPos(tpChart.xs[d.today_index], 'x', true));
        const px = c.getImageData(bb.left, bb.top, bb.width, bb.height).data;
        let left = 0, right = 0;
        for (let i = 0; i < px.length; i += 4) {
          if (Math.abs(px[i] - r) + Math.abs(px[i + 1] - g) + Math.abs(px[i + 2] - b) > 40 || px[i + 3] < 200) continue;
          ((i / 4) % bb.width + bb.left < x) ? left++ : right++;
        }
        return [left, right];"""
    for name, color in (("CTL", CTL), ("ATL", ATL), ("TSB", TSB)):
        left, right = wd.js(count, list(color))
        assert left > 200, (name, left)
        assert right > 20, (name, "projection", right)  # dashed, after today

    # Range buttons set the visible days.
    for rng, days in (("42", 42), ("90", 90), ("182", 182), ("365", 365), ("all", None)):
        wd.click(f'[data-range="{rng}"]')
        lo = wd.js("return tpChart.plot.scales.x.min")
        today = wd.js("return tpChart.xs[tpChart.data.today_index]")
        first = wd.js("return tpChart.xs[0]")
        assert lo == (first if days is None else today - (days - 1) * 86400), rng
        assert wd.js(f'return document.querySelector(\'[data-range="{rng}"]\').getAttribute("aria-pressed")') == "true"
    wd.click('[data-range="90"]')

    # Hover: a real pointer move over the plot shows that day's values.
    over = wd.find(".u-over")
    width = wd.js("return document.querySelector('.u-over').clientWidth")
    wd.request("POST", "/actions", {"actions": [{"type": "pointer", "id": "mouse",
               "parameters": {"pointerType": "mouse"}, "actions": [
                   {"type": "pointerMove", "duration": 0,
                    "origin": {"element-6066-11e4-a52e-4f735466cecf": over}, "x": -width // 4, "y": 0}]}]})
    readout = wait_for("the hover readout", lambda: (t := wd.text("#readout")) and "(today)" not in t and t)
    idx = int(wd.js("return document.getElementById('readout').dataset.index"))
    assert idx < info["ti"]
    assert f"CTL {wd.js('return tpChart.data.ctl[arguments[0]]', idx):.1f}" in readout

    # The X server's own picture of the window: a real chart, not a blank.
    assert_real_chart(chart_drawn(display, "chart-webdriver-light"))
    wd.screenshot("chart-webdriver-page")

    # Dark theme: the page and the chart's colours change.
    for _ in range(3):
        if wd.js("return document.documentElement.dataset.theme") == "dark":
            break
        wd.click("#theme")
    assert wd.js("return document.documentElement.dataset.theme") == "dark"
    dark_ctl = hex_rgb(wd.js("return tpTheme.color('ctl')"))
    assert dark_ctl != CTL
    left, _ = wd.js(count, list(dark_ctl))
    assert left > 200
    geo = display.find_window("Fitness")

    def dark_on_screen():
        shot = display.screenshot("chart-webdriver-dark")
        return Pixels(shot, geo["x"], geo["y"], geo["width"], geo["height"]).stats()["luminance_mean"] < 80

    wait_for("the window to be dark on the screen", dark_on_screen, timeout=10)

    # Resizing: the plot follows the window.
    wd.window_rect(width=700, height=480)
    wait_for("the plot to follow the window", lambda: abs(
        wd.js("return tpChart.plot.width") - wd.js("return document.getElementById('chart').clientWidth")) <= 2
        and wd.js("return tpChart.plot.width") < 700)
    assert wd.js("return tpChart.plot.height") <= 480
    assert wd.js("return window.tpErrors") == []


def test_a_bad_setting_is_shown_not_fatal(display, home):
    """A setting the server refuses (ATHLETE_ID not a number) keeps the app
    up and says what is wrong in the tray's status line."""
    env = base_env(display, home)
    env.update(ATHLETE_ID="my-name", TP_AUTH_COOKIE="some-cookie")
    app = TrayApp(env, [], "bad-setting")
    try:
        app.wait_log("status: Could not load your training: ATHLETE_ID must be a whole number")
        time.sleep(2)
        assert app.alive(), app.text()
    finally:
        app.stop()



class Sidecar(threading.Thread):
    """A tp-mcp MCP server (the official Python MCP client over stdio) asking
    Claude-like questions in a loop until `stop` is set (at least 6)."""

    QUESTIONS = [("tp_get_fitness", {"days": 42}),
                 ("tp_get_workouts", {"start_date": "2025-10-01", "limit": 500}),
                 ("tp_training_load_summary", {"days": 90})]

    def __init__(self, env: dict, log: pathlib.Path, stop: threading.Event):
        super().__init__(daemon=True)
        self.env = {**env, "PATH": os.environ.get("PATH", "")}
        self.log, self.stop = log, stop
        self.answers: list[dict] = []
        self.failure: str | None = None

    def run(self):
        try:
            asyncio.run(self.session())
        except Exception as e:  # noqa: BLE001 - reported by the test
            self.failure = f"{type(e).__name__}: {e}"

    async def session(self):
        from mcp import ClientSession, StdioServerParameters
        from mcp.client.stdio import stdio_client

        params = StdioServerParameters(command=str(TP_MCP), args=[], env=self.env)
        with open(self.log, "w") as errlog:
            async with stdio_client(params, errlog=errlog) as (read, write):
                async with ClientSession(read, write) as session:
                    await session.initialize()
                    n = 0
                    while n < 6 or not self.stop.is_set():
                        tool, args = self.QUESTIONS[n % len(self.QUESTIONS)]
                        r = await session.call_tool(tool, args)
                        text = "\n".join(c.text for c in r.content if c.type == "text")
                        if r.isError:
                            raise AssertionError(f"{tool}: {text}")
                        self.answers.append({"tool": tool, **(r.structuredContent or {}), "text": text})
                        n += 1


def test_the_tray_and_two_sidecars_share_one_cache(display, home):
    """The tray (its chart's Refresh, invoked over WebDriver) and two tp-mcp
    MCP servers work on one history cache at once, from an empty start,
    against a slow fake TrainingPeaks, with every question re-checking the
    recent days (TP_MCP_STALE_SECS=0), so all three write. No deadlock, no
    "database is locked" anywhere, every answer complete, the same numbers
    in the tray as in Claude's answers and as without any cache, and the
    database intact."""
    fake = Fake("gui-shared-cache-cookie-0123456789", ["--latency-ms", "20"])
    data = home / "data"
    shared = dict(TP_API_BASE_URL=fake.url, TP_AUTH_COOKIE=fake.cookie, TP_MCP_DATA_DIR=str(data),
                  TP_MCP_STALE_SECS="0", TP_MCP_TODAY=TODAY, RUST_LOG="info")
    stop = threading.Event()
    sidecars = [Sidecar(shared, home / f"sidecar-{i}.log", stop) for i in range(2)]
    for s in sidecars:
        s.start()
    wd = None
    try:
        wd = WebDriver({**base_env(display, home), **shared}, ["--open-chart"])
        refreshed = [wd.js_async("""
            const done = arguments[arguments.length - 1];
            window.__TAURI__.core.invoke('refresh_chart')
              .then(d => done({days: d.dates.length, status: d.status}))
              .catch(e => done({error: String(e)}));""") for _ in range(6)]
        stop.set()
        for s in sidecars:
            s.join(timeout=300)
            assert not s.is_alive(), "a sidecar hung"
        uncached = json.loads(subprocess.run(
            [str(TP_MCP), "--no-cache", "call", "tp_get_fitness", '{"days": 42}', "--json"],
            env={**shared, "PATH": os.environ.get("PATH", "")}, capture_output=True, text=True,
            timeout=120, check=True).stdout)
    finally:
        stop.set()
        if wd is not None:
            wd.quit()
        fake.close()
    tray_log = wd.log_path.read_text(errors="replace")

    errors = [r["error"] for r in refreshed if "error" in r]
    assert not errors, errors
    assert all(r["days"] > 1500 for r in refreshed), [r["days"] for r in refreshed]
    for s in sidecars:
        assert s.failure is None, s.failure
        assert len(s.answers) >= 6, f"a sidecar answered only {len(s.answers)} questions"
    everything = tray_log + "".join(s.log.read_text(errors="replace") for s in sidecars) + \
        "".join(a["text"] for s in sidecars for a in s.answers)
    assert "locked" not in everything.lower()
    assert "cannot load training data" not in tray_log
    # They really overlapped: someone waited for another's sync.
    assert "another tp-mcp process is syncing this athlete" in everything
    assert tray_log.count("training data loaded") >= 6, tray_log[-2000:]

    # One truth: the tray's numbers are the sidecars' numbers, and both are
    # what TrainingPeaks' data gives without any cache.
    fits = [a for s in sidecars for a in s.answers if a["tool"] == "tp_get_fitness"]
    assert all(f["current"] == uncached["current"] for f in fits)
    for key in ("ctl", "atl", "tsb"):
        assert refreshed[-1]["status"][key] == pytest.approx(uncached["current"][key], abs=1e-9), key
    with sqlite3.connect(next(data.glob("athlete-*.sqlite3"))) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("SELECT count(*) FROM workouts").fetchone()[0] > 100


def test_an_outage_shows_the_cached_chart_marked_not_fresh(display, home):
    """TrainingPeaks fails (HTTP 503) on a refresh: the chart keeps the same
    numbers, from the local history, and says so in the window and in the
    tray's sync line; fresh again once TrainingPeaks is back. Then the tray
    starts with nothing listening at all (offline): the cache of the login it
    was last seen with still draws the chart, marked not fresh."""
    fake = Fake("gui-outage-cookie-0123456789abcdef")
    env = {**base_env(display, home), "TP_API_BASE_URL": fake.url, "TP_AUTH_COOKIE": fake.cookie,
           "TP_MCP_DATA_DIR": str(home / "data"), "TP_MCP_STALE_SECS": "0", "TP_API_TIMEOUT_SECS": "2",
           "TP_MCP_TODAY": TODAY}
    refresh = """
        const done = arguments[arguments.length - 1];
        window.__TAURI__.core.invoke('refresh_chart')
          .then(d => done({status: d.status, not_fresh: d.not_fresh}))
          .catch(e => done({error: String(e)}));"""
    stale_shown = lambda: wd.js("const e = document.getElementById('stale'); return e.hidden ? null : e.textContent")
    wd = WebDriver(env, ["--open-chart"])
    try:
        wait_for("the chart to be ready", lambda: wd.js("return document.body.dataset.state") == "ready", timeout=120)
        fresh = wd.js("return {status: tpChart.data.status, not_fresh: tpChart.data.not_fresh}")
        assert fresh["not_fresh"] is None and fresh["status"]["ctl"] > 0
        assert stale_shown() is None

        fake.admin("fail", {"n": 100000, "status": 503})
        during = wd.js_async(refresh)
        assert "error" not in during, during
        assert during["status"] == fresh["status"], "the same numbers, from the cache"
        assert "HTTP 503" in during["not_fresh"]["why"]
        note = wait_for("the not-fresh note in the window", stale_shown)
        wd.screenshot("chart-not-fresh")
        assert note.startswith("Not fresh: TrainingPeaks could not be asked") and "HTTP 503" in note, note
        wait_for("the sync line to say the refresh failed", lambda: "last refresh failed" in wd.text("#status"))

        fake.admin("reset_faults")
        after = wd.js_async(refresh)
        assert after.get("not_fresh") is None and after["status"] == fresh["status"], after
        wait_for("the note to go", lambda: stale_shown() is None)
    finally:
        wd.quit()
        fake.close()

    # Nothing listens at TP_API_BASE_URL any more.
    wd = WebDriver(env, ["--open-chart"])
    try:
        wait_for("the chart, from the cache", lambda: wd.js("return document.body.dataset.state") == "ready", timeout=120)
        offline = wd.js("return {status: tpChart.data.status, not_fresh: tpChart.data.not_fresh}")
        assert offline["status"] == fresh["status"]
        assert offline["not_fresh"] and "reach TrainingPeaks" in offline["not_fresh"]["why"], offline
        assert "Not fresh" in wait_for("the note", stale_shown)
    finally:
        wd.quit()

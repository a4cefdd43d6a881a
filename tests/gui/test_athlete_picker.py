"""A coach login's athlete picker, in the chart window's WebKit over
WebDriver: the athletes `tp_list_athletes` lists, the chart of the one
picked — against what the `tp-mcp` binary answers for that athlete (the
tools' `athlete` argument). See conftest.py for the harness.

The fake TrainingPeaks' coach login (tp-fake `--coach-cookie`) coaches
Jordan Lee, Sam Taylor and Sam Ortiz (no workouts), and has no athlete of
its own.
"""

from __future__ import annotations

import json
import math
import os
import subprocess

from conftest import AUDIT, TODAY, TP_MCP, TP_TRAY, Fake, SessionBus, WebDriver, base_env, wait_for

COACH_COOKIE = "gui-coach-cookie-Production_tpAuth-0123456789"
ATHLETES = {"Jordan Lee": 2000101, "Sam Taylor": 2000102, "Sam Ortiz": 2000103}


def tool(fake: Fake, data_dir, name: str, args: dict) -> dict | str:
    """`tp-mcp call <name> <args> --json` as the coach: the structured
    answer, or the error's text."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TP_")}
    env.update(TP_API_BASE_URL=fake.url, TP_AUTH_COOKIE=COACH_COOKIE, TP_MCP_TODAY=TODAY,
               TP_MCP_DATA_DIR=str(data_dir))
    out = subprocess.run([str(TP_MCP), "call", name, json.dumps(args), "--json"], env=env,
                         capture_output=True, text=True, timeout=300)
    if out.returncode != 0:
        return out.stderr
    return json.loads(out.stdout)


def fmt(v: float) -> str:
    """How the chart window writes CTL (chart.js' fmt)."""
    r = math.floor(v * 10 + 0.5) / 10
    return "0.0" if r == 0 else ("\u2212" if r < 0 else "") + f"{abs(r):.1f}"


SHOWN = """
    const d = tpChart.data, box = document.getElementById('picker-box'), sel = document.getElementById('athlete-picker');
    return {state: document.body.dataset.state, athlete: d && d.athlete, status: d && d.status,
            race: d && d.race, days: d && d.dates.length, picker: d && d.picker, hidden: box.hidden,
            options: [...sel.options].map(o => [o.value, o.text]), value: sel.value,
            header: document.getElementById('athlete').textContent, ctl: document.getElementById('ctl').textContent,
            message: document.getElementById('message').hidden ? null : document.getElementById('message').textContent,
            errors: window.tpErrors};"""


def shown(wd: WebDriver, athlete: str) -> dict:
    return wait_for(f"the chart of {athlete}", lambda: (s := wd.js(SHOWN))["state"] == "ready"
                    and s["athlete"] == athlete and s, timeout=120)


def pick(wd: WebDriver, athlete: str):
    """Chooses `athlete` in the picker: a click on its option (WebDriver
    selects it as the popup would, firing `change`)."""
    wd.click(f'#athlete-picker option[value="{ATHLETES[athlete]}"]')


def test_a_coach_picks_the_athlete_the_chart_shows(display, home):
    """The coach login (no athlete of its own) starts on the first listed,
    Jordan Lee; the picker lists the three athletes. Sam Taylor picked: his
    CTL is tp_get_fitness's for him, race day is tp_plan_race's, the power
    curve view loads his; the menu's line follows. Sam Ortiz, who never
    trained: an empty chart, no error. After a wake, every athlete's
    history is warm."""
    AUDIT.register_secret(COACH_COOKIE, "the GUI suite's coach cookie")
    fake = Fake("gui-picker-cookie-Production_tpAuth-0123456789", ["--coach-cookie", COACH_COOKIE])
    sidecar_data = home / "sidecar"
    expected = {name: tool(fake, sidecar_data, "tp_get_fitness", {"athlete": name, "days": 7})
                for name in ATHLETES}
    listed = tool(fake, sidecar_data, "tp_list_athletes", {})
    assert listed["coach"] is True and listed["own_athlete_id"] is None
    taylor_plan = tool(fake, sidecar_data, "tp_plan_race", {"athlete": "Sam Taylor"})

    bus = SessionBus(home)  # for --sync-now, below
    env = {**base_env(display, home), **bus.env, "TP_API_BASE_URL": fake.url, "TP_AUTH_COOKIE": COACH_COOKIE,
           "TP_MCP_DATA_DIR": str(home / "data")}
    wd = WebDriver(env, ["--open-chart"])
    try:
        first = shown(wd, "Jordan Lee")
        assert first["errors"] == []
        assert first["hidden"] is False
        assert [name for _, name in first["options"]] == [a["name"] for a in listed["athletes"]]
        assert sorted(name for _, name in first["options"]) == sorted(ATHLETES)
        assert first["value"] == str(ATHLETES["Jordan Lee"]) == str(first["picker"]["selected"])
        assert first["header"] == "Jordan Lee"
        assert first["status"]["ctl"] == expected["Jordan Lee"]["current"]["ctl"]
        wd.screenshot("picker-jordan")

        pick(wd, "Sam Taylor")
        taylor = shown(wd, "Sam Taylor")
        want = expected["Sam Taylor"]["current"]
        assert taylor["value"] == str(ATHLETES["Sam Taylor"])
        for key in ("ctl", "atl", "tsb"):
            assert taylor["status"][key] == want[key], key
        assert taylor["ctl"] == fmt(want["ctl"])
        assert taylor["status"]["ctl"] != first["status"]["ctl"]
        assert taylor["race"]["date"] == taylor_plan["race"]["date"]
        for key in ("ctl", "tsb"):
            assert taylor["race"]["optimised"][key] == taylor_plan["race_day"][key], key
        wd.screenshot("picker-taylor")

        # The power curve view: his (the tools asked with `athlete`): what
        # it fetches (device files) is all Sam Taylor's.
        asked = fake.stats()["by_athlete"]
        wd.click('[data-view="power"]')
        wait_for("the power curve of Sam Taylor", lambda: wd.js(
            "return ['ready', 'empty', 'error'].includes(document.getElementById('power').dataset.state)"
            " && !tpPower.loading"), timeout=180)
        loads = wd.js("return tpPower.loads")
        assert loads and all("error" not in x for x in loads), loads
        now = fake.stats()["by_athlete"]
        more = {a: now[a] - asked.get(a, 0) for a in now if now[a] != asked.get(a, 0)}
        assert list(more) == [str(ATHLETES["Sam Taylor"])], more
        wd.click('[data-view="fitness"]')

        pick(wd, "Sam Ortiz")
        ortiz = shown(wd, "Sam Ortiz")
        assert expected["Sam Ortiz"]["current"]["ctl"] == 0
        assert ortiz["status"] is None and ortiz["race"] is None
        assert ortiz["message"] == "No training in Sam Ortiz's TrainingPeaks history yet."
        assert ortiz["ctl"] == "–", "Sam Taylor's numbers are gone from the header"
        assert ortiz["errors"] == []
        wd.screenshot("picker-ortiz")

        # The computer wakes (stood for by `tp-tray --sync-now`, see
        # test_history_sync.py): the history of every athlete the coach sees
        # is synced, so Claude's question about any costs no data request.
        out = subprocess.run([str(TP_TRAY), "--sync-now"], env=env, capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        wait_for("the history sync", lambda: "history sync: done" in wd.log_path.read_text(errors="replace"),
                 timeout=180)
        before = fake.stats()["by_endpoint"]
        warm = tool(fake, home / "data", "tp_get_fitness", {"athlete": "Sam Taylor", "days": 7})
        after = fake.stats()["by_endpoint"]
        cost = {k: after[k] - before[k] for k in after if after[k] != before[k]}
        assert set(cost) <= {"token", "user"}, cost
        assert warm["current"] == expected["Sam Taylor"]["current"]
    finally:
        wd.quit()
        fake.close()
        bus.close()
    log = wd.log_path.read_text(errors="replace")
    # The menu's first line follows the chart's athlete.
    for name in ("Jordan Lee", "Sam Taylor"):
        assert f"status: {name} · CTL {expected[name]['current']['ctl']:.0f}" in log, name
    assert "status: Sam Ortiz · CTL 0" in log
    assert "athlete picked in the chart window: 2000102" in log
    assert "(3 athletes)" in log.split("history sync: done", 1)[1].splitlines()[0]
    assert "panicked" not in log

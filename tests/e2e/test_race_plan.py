"""tp_plan_race, tp_what_if and tp_get_events against the fake's raw API.

The race plan's linear program is built here again, from the fake's raw
performance data, events and calendar, and solved with scipy's HiGHS
(`scipy.optimize.linprog`): the optimum must equal tp-mcp's within 1e-6
(relative), and tp-mcp's plan must meet every limit when its PMC is re-run
here day by day. Nothing here calls tp-fitness."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from scipy.optimize import linprog

from conftest import call_err, call_ok, mcp_session, text_of

pytestmark = pytest.mark.anyio

HISTORY_START = dt.date(2022, 1, 1)  # before the fake's first workout: CTL starts at 0 either way
TOL = 1e-6


def factors(convention: str, ctl_days=42.0, atl_days=7.0):
    if convention == "exponential":
        return 1 - math.exp(-1 / ctl_days), 1 - math.exp(-1 / atl_days)
    return 1 / ctl_days, 1 / atl_days


def history(fake, kc, ka):
    """Completed TSS by day from before the first workout to today, and the
    end-of-day CTL/ATL by date (the PMC recurrence, written here)."""
    rows = fake.daily_tss(HISTORY_START, fake.today)
    by_day = {}
    for day, actual, _planned in rows:
        by_day[day] = by_day.get(day, 0.0) + actual
    ctl = atl = 0.0
    state = {}
    d = HISTORY_START
    while d <= fake.today:
        t = by_day.get(d, 0.0)
        ctl += (t - ctl) * kc
        atl += (t - atl) * ka
        state[d] = (ctl, atl, t)
        d += dt.timedelta(days=1)
    return state


def planned_tss(fake, start, end):
    out = {}
    for day, _actual, planned in fake.daily_tss(start, end):
        out[day] = out.get(day, 0.0) + planned
    return out


def days_off(fake, start, end):
    return {dt.date.fromisoformat(w["workoutDay"][:10]) for w in fake.workouts(start, end)
            if w["workoutTypeValueId"] == 7 and not w.get("completed")}


def build_lp(state, today, race, kc, ka, tsb_min, tsb_max, max_ramp, cap, fixed):
    """The problem of the issue, exactly: maximise CTL(race−1) subject to
    the race-day TSB window, CTL(d) − CTL(d−7) ≤ max_ramp on every planned
    day, 0 ≤ TSS ≤ cap, fixed days at their value. Ramp rows that complete
    rest already breaks (today's ramp above max_ramp) get what rest gives."""
    n = (race - today).days - 1
    c0, a0, _ = state[today]
    dates = [today + dt.timedelta(days=i + 1) for i in range(n)]

    def ctl_row(i):  # CTL at the end of planned day i: coef · x + const
        coef = np.zeros(n)
        for j in range(i + 1):
            coef[j] = kc * (1 - kc) ** (i - j)
        return coef, (1 - kc) ** (i + 1) * c0

    lower = np.array([fixed.get(d, 0.0) for d in dates])
    upper = np.array([fixed.get(d, cap) for d in dates])
    a_ub, b_ub = [], []
    for i in range(n):
        coef, const = ctl_row(i)
        if i >= 7:
            back, back_const = ctl_row(i - 7)
            coef, const = coef - back, const - back_const
            rhs = max_ramp
        else:
            const -= state[dates[i] - dt.timedelta(days=7)][0]
            rhs = max(max_ramp, const + coef @ lower)
        a_ub.append(coef)
        b_ub.append(rhs - const)
    last = n - 1
    tsb = np.array([kc * (1 - kc) ** (last - j) - ka * (1 - ka) ** (last - j) for j in range(n)])
    tsb_const = (1 - kc) ** n * c0 - (1 - ka) ** n * a0
    a_ub.append(-tsb)
    b_ub.append(-(tsb_min - tsb_const))
    if tsb_max is not None:
        a_ub.append(tsb)
        b_ub.append(tsb_max - tsb_const)
    objective, obj_const = ctl_row(last)
    res = linprog(-objective, A_ub=np.array(a_ub), b_ub=np.array(b_ub),
                  bounds=list(zip(lower, upper)), method="highs")
    return res, (None if res.status != 0 else -res.fun + obj_const), dates


def check_plan(sc, state, today, kc, ka, tsb_min, tsb_max, max_ramp, cap, fixed):
    """tp-mcp's plan re-run here: the PMC day by day, every limit."""
    ctl, atl, _ = state[today]
    ctls = {d: v[0] for d, v in state.items()}
    for day in sc["days"]:
        date = dt.date.fromisoformat(day["date"])
        t = day["tss"]
        assert -TOL <= t <= cap + TOL, day
        if date in fixed:
            assert abs(t - fixed[date]) <= TOL, (day, fixed[date])
        ctl += (t - ctl) * kc
        atl += (t - atl) * ka
        assert abs(ctl - day["ctl"]) < 1e-6 and abs(atl - day["atl"]) < 1e-6, day
        ramp = ctl - ctls[date - dt.timedelta(days=7)]
        ctls[date] = ctl
        if not sc["notes"] or not any("ramp is already above" in n for n in sc["notes"]):
            assert ramp <= max_ramp + TOL, (day, ramp)
    race = sc["race_day"]
    assert abs(race["ctl"] - ctl) < 1e-6 and abs(race["atl"] - atl) < 1e-6
    assert abs(race["tsb"] - (ctl - atl)) < 1e-6
    assert race["tsb"] >= tsb_min - TOL
    if tsb_max is not None:
        assert race["tsb"] <= tsb_max + TOL
    return ctl


@pytest.mark.parametrize("convention", ["trainingpeaks", "exponential"])
async def test_the_plan_is_the_optimum_scipy_finds(fake, convention):
    """Default race (the focus event), default limits: the same LP in scipy
    (HiGHS) has the same optimum, and tp-mcp's plan meets every limit."""
    kc, ka = factors(convention)
    today = fake.today
    aid = fake.athlete_id()
    focus = fake.api("GET", f"/fitness/v6/athletes/{aid}/events/focusevent")
    race = dt.date.fromisoformat(focus["eventDate"][:10])
    assert focus["atpPriority"] == "A"
    state = history(fake, kc, ka)
    last180 = [state[today - dt.timedelta(days=i)][2] for i in range(180)]
    cap = float(np.percentile(last180, 95)) * 1.2
    off = days_off(fake, today + dt.timedelta(days=1), race - dt.timedelta(days=1))
    assert off, "the fake's plan has days off"
    fixed = {d: 0.0 for d in off}
    res, optimum, _ = build_lp(state, today, race, kc, ka, 15.0, 25.0, 5.0, cap, fixed)
    assert res.status == 0, res.message

    async with mcp_session(fake) as s:
        r = await call_ok(s, "tp_plan_race", {"convention": convention})
    sc = r.structuredContent
    assert sc["race"]["date"] == race.isoformat() and sc["race"]["chosen_by"] == "focus event"
    assert sc["race"]["event"]["name"] == focus["name"]
    assert abs(sc["limits"]["max_daily_tss"] - cap) < 1e-9 * cap
    assert sorted(sc["limits"]["days_off"]) == sorted(d.isoformat() for d in off)
    assert len(sc["days"]) == (race - today).days - 1
    reached = check_plan(sc, state, today, kc, ka, 15.0, 25.0, 5.0, cap, fixed)
    assert abs(reached - optimum) <= 1e-6 * abs(optimum), (reached, optimum)
    # The text says the same race-day numbers.
    text = text_of(r)
    assert f"optimised CTL {sc['race_day']['ctl']:.1f}, TSB {sc['race_day']['tsb']:+.1f}" in text


async def test_as_planned_is_the_calendar_projected(fake):
    """The side-by-side "as planned" path: planned TSS through the last
    planned day (empty days rest), then the last 28 days' average."""
    today = fake.today
    kc, ka = factors("trainingpeaks")
    state = history(fake, kc, ka)
    async with mcp_session(fake) as s:
        sc = (await call_ok(s, "tp_plan_race", {})).structuredContent
    race = dt.date.fromisoformat(sc["race"]["date"])
    planned = planned_tss(fake, today + dt.timedelta(days=1), race)
    last_planned = max(d for d, t in planned.items() if t > 0)
    average = sum(state[today - dt.timedelta(days=i)][2] for i in range(28)) / 28
    ctl, atl, _ = state[today]
    d = today + dt.timedelta(days=1)
    while d < race:
        t = planned.get(d, 0.0) if d <= last_planned else average
        ctl += (t - ctl) * kc
        atl += (t - atl) * ka
        d += dt.timedelta(days=1)
    ap = sc["as_planned"]["race_day"]
    assert abs(ap["ctl"] - ctl) < 1e-6 and abs(ap["tsb"] - (ctl - atl)) < 1e-6
    assert sc["race_day"]["ctl"] >= ap["ctl"] - 1e-9 or ap["tsb"] < 15


async def test_rest_weekdays_keep_planned_and_a_b_race(fake):
    """A B race (the fake's, ~5 weeks out), Mondays off, planned days kept,
    a tighter ramp: same optimum as scipy, every fixed day as asked."""
    today = fake.today
    kc, ka = factors("trainingpeaks")
    aid = fake.athlete_id()
    events = fake.api("GET", f"/fitness/v6/athletes/{aid}/events/{today}/{today + dt.timedelta(days=120)}")
    b = next(e for e in events if e["atpPriority"] == "B")
    race = dt.date.fromisoformat(b["eventDate"][:10])
    state = history(fake, kc, ka)
    start, stop = today + dt.timedelta(days=1), race - dt.timedelta(days=1)
    fixed = {d: t for d, t in planned_tss(fake, start, stop).items() if t > 0 and start <= d <= stop}
    assert fixed, "the plan has planned days inside the range"
    for d in days_off(fake, start, stop):
        fixed.setdefault(d, 0.0)
    d = start
    while d <= stop:
        if d.weekday() == 0:
            fixed[d] = 0.0
        d += dt.timedelta(days=1)
    res, optimum, _ = build_lp(state, today, race, kc, ka, 5.0, 15.0, 4.0, 180.0, fixed)
    async with mcp_session(fake) as s:
        r = await s.call_tool("tp_plan_race", {
            "race_date": race.isoformat(), "rest_weekdays": ["Mon"], "keep_planned": True,
            "max_ramp": 4, "max_daily_tss": 180,
        })
    if res.status == 2:
        assert r.isError, text_of(r)
        return
    assert res.status == 0, res.message
    assert not r.isError, text_of(r)
    sc = r.structuredContent
    assert sc["race"]["priority"] == "B" and sc["limits"]["tsb_min"] == 5 and sc["limits"]["tsb_max"] == 15
    reached = check_plan(sc, state, today, kc, ka, 5.0, 15.0, 4.0, 180.0, fixed)
    assert abs(reached - optimum) <= 1e-6 * abs(optimum), (reached, optimum)
    kinds = {day["date"]: day["kind"] for day in sc["days"]}
    assert all(kinds[d.isoformat()] == "rest_weekday" for d in fixed if d.weekday() == 0)


async def test_infeasible_both_ways(fake):
    """Too fresh a race-day TSB five days out: scipy finds no plan, and
    tp-mcp says which limit, what is reachable and what to change."""
    today = fake.today
    kc, ka = factors("trainingpeaks")
    state = history(fake, kc, ka)
    race = today + dt.timedelta(days=5)
    res, _, _ = build_lp(state, today, race, kc, ka, 60.0, 80.0, 5.0, 200.0, {})
    assert res.status == 2, res.message
    async with mcp_session(fake) as s:
        msg = await call_err(s, "tp_plan_race", {
            "race_date": race.isoformat(), "tsb_min": 60, "tsb_max": 80, "max_daily_tss": 200,
        })
    assert "Invalid argument `tsb_min`" in msg and "cannot be reached" in msg, msg
    assert "Lower tsb_min to" in msg
    # …and the bound it names is feasible in scipy, and the next tenth above it is not.
    hi = float(msg.split("Lower tsb_min to ")[1].split()[0])
    ok, _, _ = build_lp(state, today, race, kc, ka, hi, None, 5.0, 200.0, {})
    assert ok.status == 0
    bad, _, _ = build_lp(state, today, race, kc, ka, hi + 0.2, None, 5.0, 200.0, {})
    assert bad.status == 2


@pytest.mark.parametrize("args,argument,words", [
    ({"race_date": "2020-01-01"}, "race_date", "in the past"),
    ({"race_date": "TODAY"}, "race_date", "YYYY-MM-DD"),
    ({"race_date": "+0"}, "race_date", "YYYY-MM-DD"),
    ({"tsb_min": 20, "tsb_max": 10}, "tsb_min", "above tsb_max"),
    ({"rest_weekdays": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]}, "rest_weekdays", "every weekday"),
    ({"rest_weekdays": ["Mon", "Blursday"]}, "rest_weekdays", "unknown weekday"),
    ({"max_ramp": -3}, "max_ramp", "from 0 to 30"),
    ({"max_daily_tss": 100000}, "max_daily_tss", "from 1 to 1500"),
    ({"max_daily_tss": -5}, "max_daily_tss", "from 1 to 1500"),
    ({"tsb_min": 1e6}, "tsb_min", "from -100 to 100"),
    ({"keep_planned": "sometimes"}, "keep_planned", ""),
])
async def test_bad_arguments_name_the_argument(fake, args, argument, words):
    async with mcp_session(fake) as s:
        msg = await call_err(s, "tp_plan_race", args)
    assert f"`{argument}`" in msg and words in msg, msg


async def test_today_tomorrow_and_far_races(fake):
    today = fake.today
    async with mcp_session(fake) as s:
        for days, words in ((0, "is today"), (1, "is tomorrow")):
            d = (today + dt.timedelta(days=days)).isoformat()
            msg = await call_err(s, "tp_plan_race", {"race_date": d})
            assert "`race_date`" in msg and words in msg, msg
        far = today + dt.timedelta(days=500)
        r = await call_ok(s, "tp_plan_race", {"race_date": far.isoformat(), "tsb_min": -10})
        sc = r.structuredContent
        assert sc["race"]["date"] == (today + dt.timedelta(days=366)).isoformat()
        assert len(sc["days"]) == 365
        assert any("plans reach at most 365 days" in n for n in sc["notes"])
        assert "plans reach at most 365 days" in text_of(r)


async def test_a_second_plan_costs_no_request(fake):
    """Answered once, the events, the history and the plan's calendar are
    cached: another plan and the events list cost no request."""
    async with mcp_session(fake) as s:
        await call_ok(s, "tp_plan_race", {})
        before = fake.stats()["by_endpoint"]
        await call_ok(s, "tp_plan_race", {"max_ramp": 6})
        await call_ok(s, "tp_get_events", {})
        after = fake.stats()["by_endpoint"]
        assert after == before, {k: after[k] - before[k] for k in after if after[k] != before[k]}


async def test_what_if_is_the_pmc_of_the_pattern(fake):
    today = fake.today
    kc, ka = factors("trainingpeaks")
    state = history(fake, kc, ka)
    pattern = [0, 90, 60, 110, 0, 180, 120]
    async with mcp_session(fake) as s:
        sc = (await call_ok(s, "tp_what_if", {"weekly_tss": pattern, "days": 40})).structuredContent
        daily = (await call_ok(s, "tp_what_if", {"daily_tss": [100, 0, 50]})).structuredContent
        msg = await call_err(s, "tp_what_if", {"weekly_tss": [1, 2, 3]})
        assert "`weekly_tss`" in msg and "7 numbers" in msg
        msg = await call_err(s, "tp_what_if", {"daily_tss": [50, -1]})
        assert "`daily_tss`" in msg and "item 2" in msg
        msg = await call_err(s, "tp_what_if", {})
        assert "`daily_tss`" in msg
    ctl, atl, _ = state[today]
    ctls = {d: v[0] for d, v in state.items()}
    max_ramp = -1e9
    assert len(sc["days"]) == 40
    for i, day in enumerate(sc["days"]):
        date = today + dt.timedelta(days=i + 1)
        assert day["date"] == date.isoformat()
        t = pattern[date.weekday()]
        tsb = ctl - atl
        ctl += (t - ctl) * kc
        atl += (t - atl) * ka
        ctls[date] = ctl
        max_ramp = max(max_ramp, ctl - ctls[date - dt.timedelta(days=7)])
        assert day["tss"] == t and abs(day["ctl"] - ctl) < 1e-9 and abs(day["tsb"] - tsb) < 1e-9
    assert abs(sc["end"]["tsb"] - (ctl - atl)) < 1e-9
    assert abs(sc["max_ramp"] - max_ramp) < 1e-9
    assert [d["tss"] for d in daily["days"]] == [100, 0, 50]


async def test_events_equal_the_raw_api(fake):
    today = fake.today
    aid = fake.athlete_id()
    start, end = today - dt.timedelta(days=400), today + dt.timedelta(days=200)
    raw = fake.api("GET", f"/fitness/v6/athletes/{aid}/events/{start}/{end}")
    nxt = fake.api("GET", f"/fitness/v6/athletes/{aid}/events/nextplannedevent")
    async with mcp_session(fake) as s:
        r = await call_ok(s, "tp_get_events", {"start_date": start.isoformat(), "end_date": end.isoformat()})
    sc = r.structuredContent
    assert [(e["id"], e["name"], e["date"], e["priority"]) for e in sc["events"]] == \
        [(e["id"], e["name"], e["eventDate"][:10], e["atpPriority"]) for e in raw]
    assert sc["focus_event"]["priority"] == "A"
    assert sc["next_event"]["id"] == nxt["id"]
    assert "(quoted from TrainingPeaks)" in text_of(r)

"""A coach login: several athletes, the `athlete` argument on every tool,
the team overview — checked against the fake's raw API as the coach sees it."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import COACH_COOKIE, Fake, call_err, call_ok, mcp_session, pmc, text_of
from test_metrics import KINDS, check_readiness, expected_readiness

pytestmark = pytest.mark.anyio

JORDAN, TAYLOR, ORTIZ = 2_000_101, 2_000_102, 2_000_103


def coach_session(fake, **env):
    return mcp_session(fake, TP_AUTH_COOKIE=COACH_COOKIE, **env)


def raw_metric_days(fake, athlete, start, end):
    entries = fake.coach_api("GET", f"/metrics/v3/athletes/{athlete}/consolidatedtimedmetrics/{start}/{end}") or []
    acc = {}
    for e in entries:
        day = dt.date.fromisoformat(e["timeStamp"][:10])
        for d in e.get("details", []):
            kind = KINDS.get(d.get("type"))
            if kind and d.get("value") is not None:
                acc.setdefault(day, {}).setdefault(kind, []).append(float(d["value"]))
    return {d: {k: (sum(v) if k == "steps" else sum(v) / len(v)) for k, v in ks.items()} for d, ks in acc.items()}


def raw_pmc_today(fake, athlete):
    """CTL/ATL/TSB today from the coach's raw performance data, by the
    recurrence written in conftest (independent of tp-fitness)."""
    start = dt.date(2022, 1, 1)
    rows = fake.coach_api("POST", f"/fitness/v1/athletes/{athlete}/reporting/performancedata/{start}/{fake.today}", json={})
    by_day = {}
    for r in rows:
        d = dt.date.fromisoformat(r["workoutDay"][:10])
        by_day[d] = by_day.get(d, 0.0) + float(r["tssActual"] or 0)
    if not any(by_day.values()):
        return None
    first = min(d for d, t in by_day.items() if t > 0)
    days = [(first + dt.timedelta(days=i)) for i in range((fake.today - first).days + 1)]
    return pmc([by_day.get(d, 0.0) for d in days])[-1]


async def test_the_coach_sees_three_athletes_and_must_say_which(fake):
    async with coach_session(fake) as s:
        r = (await call_ok(s, "tp_list_athletes")).structuredContent
        assert r["coach"] is True and r["own_athlete_id"] is None
        assert {a["athlete_id"]: a["name"] for a in r["athletes"]} == {
            JORDAN: "Jordan Lee", TAYLOR: "Sam Taylor", ORTIZ: "Sam Ortiz"}
        msg = await call_err(s, "tp_get_fitness")
        assert "`athlete`" in msg and all(n in msg for n in ("Jordan Lee", "Sam Taylor", "Sam Ortiz")), msg
        msg = await call_err(s, "tp_get_fitness", {"athlete": "sam"})
        assert "`athlete`" in msg and "Sam Taylor (id 2000102)" in msg and "Sam Ortiz (id 2000103)" in msg, msg


async def test_an_athlete_the_coach_does_not_coach_is_never_requested(fake):
    demo_id = fake.athlete_id()
    async with coach_session(fake) as s:
        await call_ok(s, "tp_list_athletes")
        before = fake.stats()
        msg = await call_err(s, "tp_get_workouts", {"athlete": demo_id})
        after = fake.stats()
    assert "`athlete`" in msg and str(demo_id) in msg
    assert after["total"] == before["total"]
    assert after.get("by_athlete", {}).get(str(demo_id)) == before.get("by_athlete", {}).get(str(demo_id))


async def test_every_tool_answers_for_the_athlete_named(fake):
    """Every athlete-reading tool with `athlete` set answers with that
    athlete's numbers: fitness and readiness recomputed here, workouts and
    events as the raw API lists them."""
    today = fake.today
    ctl, atl, _ = raw_pmc_today(fake, JORDAN)
    start = today - dt.timedelta(days=29)
    raw_workouts = fake.coach_api("GET", f"/fitness/v6/athletes/{JORDAN}/workouts/{start}/{today}")
    done = [w for w in raw_workouts if w.get("completed")]
    ride = next(w for w in reversed(done) if w["workoutTypeValueId"] == 2)
    metric_days = raw_metric_days(fake, JORDAN, today - dt.timedelta(days=59), today)
    async with coach_session(fake) as s:
        tools = {t.name: t for t in (await s.list_tools()).tools}
        f = (await call_ok(s, "tp_get_fitness", {"athlete": "Jordan Lee", "days": 7})).structuredContent
        assert abs(f["current"]["ctl"] - ctl) < 1e-6 and abs(f["current"]["atl"] - atl) < 1e-6
        check_readiness(f["readiness"], expected_readiness(metric_days, today))
        w = (await call_ok(s, "tp_get_workouts", {"athlete": JORDAN, "start_date": start.isoformat(), "limit": 500})).structuredContent
        assert sorted(x["workout_id"] for x in w["workouts"]) == sorted(x["workoutId"] for x in done)
        args = {
            "tp_get_workout": {"workout_id": ride["workoutId"]},
            "tp_get_workout_prs": {"workout_id": ride["workoutId"]},
            "tp_workout_analysis": {"workout_id": ride["workoutId"]},
            "tp_get_workout_streams": {"workout_id": ride["workoutId"]},
            "tp_plan_race": {"race_date": (today + dt.timedelta(days=60)).isoformat()},
            "tp_what_if": {"weekly_tss": [0, 60, 60, 60, 0, 120, 90]},
        }
        for name, tool in tools.items():
            if "athlete" not in tool.inputSchema.get("properties", {}):
                continue
            r = await s.call_tool(name, {"athlete": "jordan lee", **args.get(name, {})})
            assert not r.isError, f"{name}: {text_of(r)[:300]}"
        one = (await call_ok(s, "tp_get_workout", {"athlete": "Jordan Lee", "workout_id": ride["workoutId"]})).structuredContent
        assert one["workout_id"] == ride["workoutId"]


async def test_athletes_without_metrics_or_workouts_are_answered(fake):
    async with coach_session(fake) as s:
        m = (await call_ok(s, "tp_get_metrics", {"athlete": "Sam Taylor"})).structuredContent
        assert m["days"] == [] and m["readiness"]["hrv"] is None
        assert any("HRV: none recorded" in x for x in m["readiness"]["missing"])
        f = (await call_ok(s, "tp_get_fitness", {"athlete": "Sam Ortiz"})).structuredContent
        assert f["current"]["ctl"] == 0 and f["history_start"] is None


async def test_team_overview_costs_no_more_than_three_fitness_questions(today):
    """Cold, the overview costs at most what the three athletes' fitness
    questions cost; warm, nothing; its numbers are each athlete's."""
    fake = Fake(today)
    try:
        async with coach_session(fake) as s:
            before = fake.stats()["total"]
            o = (await call_ok(s, "tp_team_overview")).structuredContent
            overview_cost = fake.stats()["total"] - before
            warm = fake.stats()["total"]
            await call_ok(s, "tp_team_overview")
            assert fake.stats()["total"] == warm, "warm: no request"
        async with coach_session(fake) as s:
            before = fake.stats()["total"]
            fitness = {}
            for a in (JORDAN, TAYLOR, ORTIZ):
                fitness[a] = (await call_ok(s, "tp_get_fitness", {"athlete": a, "days": 7})).structuredContent
            fitness_cost = fake.stats()["total"] - before
        assert overview_cost <= fitness_cost, (overview_cost, fitness_cost)
        rows = {r["athlete_id"]: r for r in o["athletes"]}
        assert set(rows) == {JORDAN, TAYLOR, ORTIZ}
        for a, f in fitness.items():
            assert abs(rows[a]["status"]["tsb"] - f["current"]["tsb"]) < 1e-9
        assert "no_training" in rows[ORTIZ]["flags"] and rows[ORTIZ]["days_since_last_workout"] is None
        # Worst first: most flags first.
        counts = [len(r["flags"]) for r in o["athletes"]]
        assert counts == sorted(counts, reverse=True)
    finally:
        fake.close()

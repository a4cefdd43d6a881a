"""Every tool, typical arguments, values checked against the fake athlete's own data.

Expected numbers are computed here from the fake's raw API answers (what
TrainingPeaks would send), with formulas written independently of tp-fitness.
"""

import datetime as dt
from collections import defaultdict

import pytest

from conftest import call_ok, mcp_session, pmc, text_of

pytestmark = pytest.mark.anyio

EPS = 1e-6


def completed(w):
    return bool(w.get("completed"))


async def test_auth_status_names_the_account_never_the_cookie(fake):
    async with mcp_session(fake) as s:
        r = await call_ok(s, "tp_auth_status")
    sc = r.structuredContent
    assert sc["authenticated"] is True and sc["token_valid"] is True
    assert sc["cookie_source"] == "environment"
    assert sc["demo"] is False
    assert sc["account"]["name"] == "Alex Rivera"
    assert sc["account"]["athlete_id"] == fake.athlete_id()
    assert 3000 < sc["token_expires_in_s"] <= 3600
    assert fake.cookie not in text_of(r) and fake.cookie not in str(sc)


async def test_refresh_auth_exchanges_the_cookie_again(fresh_fake):
    async with mcp_session(fresh_fake) as s:
        await call_ok(s, "tp_auth_status")
        before = fresh_fake.stats()["by_endpoint"]["token"]
        r = await call_ok(s, "tp_refresh_auth")
    assert fresh_fake.stats()["by_endpoint"]["token"] == before + 1
    assert r.structuredContent["authenticated"] is True
    assert "refreshed" in text_of(r)


async def test_profile_without_calling_anything_first(fake):
    async with mcp_session(fake) as s:
        r = await call_ok(s, "tp_get_profile")
    user = fake.api("GET", "/users/v3/user")["user"]
    sc = r.structuredContent
    assert sc["athlete_id"] == user["athletes"][0]["athleteId"]
    assert sc["email"] == user["email"] and sc["time_zone"] == user["timeZone"]
    assert sc["premium"] is True


async def test_fitness_equals_the_whole_history_pmc(fake, today):
    """tp_get_fitness on the demo athlete equals CTL/ATL/TSB computed here from
    the athlete's whole daily-TSS history with the documented 1/T formula."""
    rows = fake.daily_tss(dt.date(2000, 1, 1), today)
    first = next(i for i, (_, a, _) in enumerate(rows) if a > 0)
    rows = rows[first:]
    series = pmc([a for _, a, _ in rows])
    ctl, atl, tsb = series[-1]
    async with mcp_session(fake) as s:
        r = await call_ok(s, "tp_get_fitness", {"days": 42})
    cur = r.structuredContent["current"]
    assert cur["date"] == today.isoformat()
    assert abs(cur["ctl"] - ctl) < EPS and abs(cur["atl"] - atl) < EPS and abs(cur["tsb"] - tsb) < EPS
    assert r.structuredContent["history_start"] == rows[0][0].isoformat()
    days = r.structuredContent["days"]
    assert len(days) == 42 and days[-1]["date"] == today.isoformat()
    # every day of the window, not just today
    by_date = {d.isoformat(): v for (d, _, _), v in zip(rows, series)}
    for d in days:
        c, a, b = by_date[d["date"]]
        assert abs(d["ctl"] - c) < EPS and abs(d["tsb"] - b) < EPS
    assert f"{ctl:.1f}" in text_of(r) and "TrainingPeaks (step 1/T)" in r.structuredContent["convention"]
    # ramp rate is CTL(today) - CTL(today-7)
    assert abs(cur["ramp_rate"] - (series[-1][0] - series[-8][0])) < EPS


async def test_fitness_with_exponential_convention_and_custom_constants(fake, today):
    rows = fake.daily_tss(dt.date(2000, 1, 1), today)
    rows = rows[next(i for i, (_, a, _) in enumerate(rows) if a > 0):]
    import math
    kc, ka = 1 - math.exp(-1 / 50), 1 - math.exp(-1 / 10)
    ctl = atl = 0.0
    for _, t, _ in rows:
        ctl += (t - ctl) * kc
        atl += (t - atl) * ka
    async with mcp_session(fake) as s:
        r = await call_ok(s, "tp_get_fitness", {"days": 7, "ctl_days": 50, "atl_days": 10, "convention": "exponential"})
    cur = r.structuredContent["current"]
    assert abs(cur["ctl"] - ctl) < EPS and abs(cur["atl"] - atl) < EPS
    assert "CTL 50" in cur["convention"] and "ATL 10" in cur["convention"]


async def test_workouts_default_range_newest_first_with_totals(fake, today):
    start = today - dt.timedelta(days=29)
    raw = [w for w in fake.workouts(start, today) if completed(w)]
    async with mcp_session(fake) as s:
        r = await call_ok(s, "tp_get_workouts", {"limit": 500})
    sc = r.structuredContent
    assert (sc["start_date"], sc["end_date"]) == (start.isoformat(), today.isoformat())
    assert sc["total_found"] == len(raw)
    assert {w["workout_id"] for w in sc["workouts"]} == {w["workoutId"] for w in raw}
    dates = [w["date"] for w in sc["workouts"]]
    assert dates == sorted(dates, reverse=True)
    assert abs(sc["totals"]["tss"] - sum(w["tssActual"] or 0 for w in raw)) < 1e-6


async def test_workouts_long_range_filtered_by_sport(fake, today):
    """A 200-day range (three 90-day windows) filtered to runs, limited."""
    start = today - dt.timedelta(days=199)
    raw = [w for w in fake.workouts(start, today) if completed(w) and w["workoutTypeValueId"] == 3]
    async with mcp_session(fake) as s:
        before = fake.stats()["by_endpoint"]["workouts"]
        r = await call_ok(s, "tp_get_workouts", {"start_date": start.isoformat(), "workout_type": "running", "limit": 5})
    sc = r.structuredContent
    assert sc["total_found"] == len(raw) and sc["returned"] == 5
    assert all(w["sport"] == "Run" for w in sc["workouts"])
    assert fake.stats()["by_endpoint"]["workouts"] - before == 3


async def test_planned_workouts_soonest_first_with_instructions(fake, today):
    end = today + dt.timedelta(days=14)
    raw = [w for w in fake.workouts(today, end) if not completed(w)]
    assert raw, "the demo athlete has a plan"
    async with mcp_session(fake) as s:
        r = await call_ok(s, "tp_get_planned_workouts", {"limit": 100})
    sc = r.structuredContent
    assert sc["total_found"] == len(raw)
    dates = [w["date"] for w in sc["workouts"]]
    assert dates == sorted(dates)
    assert abs(sc["totals"]["tss"] - sum(w["tssPlanned"] or 0 for w in raw)) < 1e-6
    text = text_of(r)
    described = next(w for w in raw if w.get("description"))
    assert described["description"].splitlines()[0] in text
    assert "(quoted from TrainingPeaks)" in text


async def test_one_workout_in_full(fake, today):
    raw = next(w for w in fake.workouts(today - dt.timedelta(days=10), today) if completed(w) and w["workoutTypeValueId"] == 2)
    async with mcp_session(fake) as s:
        r = await call_ok(s, "tp_get_workout", {"workout_id": raw["workoutId"]})
    sc = r.structuredContent
    assert sc["workout_id"] == raw["workoutId"]
    assert sc["tss"] == raw["tssActual"] and sc["duration_h"] == raw["totalTime"]
    assert sc["distance_m"] == raw["distance"] and sc["normalized_power_w"] == raw["normalizedPowerActual"]
    assert sc["sport"] == "Bike" and sc["completed"] is True


async def test_workout_prs_match_the_fake_records(fake, today):
    aid = fake.athlete_id()
    raw = next(w for w in reversed(fake.workouts(today - dt.timedelta(days=360), today)) if (w.get("personalRecordCount") or 0) > 0)
    records = fake.api("GET", f"/personalrecord/v2/athletes/{aid}/workouts/{raw['workoutId']}")["personalRecords"]
    async with mcp_session(fake) as s:
        r = await call_ok(s, "tp_get_workout_prs", {"workout_id": raw["workoutId"]})
    sc = r.structuredContent
    assert sc["count"] == len([p for p in records if not p.get("invalid")]) == raw["personalRecordCount"]
    assert sorted(p["value"] for p in sc["records"]) == sorted(p["value"] for p in records)


async def test_peaks_are_the_best_of_the_period(fake, today):
    aid = fake.athlete_id()
    start = today - dt.timedelta(days=89)
    ranking = fake.api(
        "GET", f"/personalrecord/v2/athletes/{aid}/Bike",
        params={"prType": "power20min", "startDate": f"{start}T00:00:00", "endDate": f"{today}T00:00:00"},
    )
    async with mcp_session(fake) as s:
        r = await call_ok(s, "tp_get_peaks", {"sport": "Bike", "days": 90, "pr_class": "Power"})
    peaks = {p["pr_type"]: p for p in r.structuredContent["peaks"]}
    assert set(peaks) <= {"power5sec", "power1min", "power5min", "power10min", "power20min", "power60min", "power90min"}
    assert abs(peaks["power20min"]["value"] - max(p["value"] for p in ranking)) < EPS
    assert peaks["power20min"]["workout_id"] == max(ranking, key=lambda p: p["value"])["workoutId"]


async def test_training_load_weekly_totals(fake, today):
    start = today - dt.timedelta(days=89)
    weekly = defaultdict(float)
    for w in fake.workouts(start, today):
        if completed(w):
            d = dt.date.fromisoformat(w["workoutDay"][:10])
            weekly[d.isocalendar()[:2]] += w["tssActual"] or 0
    async with mcp_session(fake) as s:
        r = await call_ok(s, "tp_training_load_summary", {"days": 90})
    weeks = r.structuredContent["summary"]["weeks"]
    got = {(w["iso_year"], w["iso_week"]): w["tss"] for w in weeks}
    assert set(got) == set(weekly)
    for k, v in weekly.items():
        assert abs(got[k] - v) < 1e-6, k
    assert abs(r.structuredContent["summary"]["total_tss"] - sum(weekly.values())) < 1e-6


async def test_trend_projects_from_the_planned_calendar(fake, today):
    rows = fake.daily_tss(dt.date(2000, 1, 1), today + dt.timedelta(days=7))
    rows = rows[next(i for i, (_, a, _) in enumerate(rows) if a > 0):]
    past = [r for r in rows if r[0] <= today]
    future = [r for r in rows if r[0] > today]
    ctl, atl, _ = pmc([a for _, a, _ in past])[-1]
    async with mcp_session(fake) as s:
        r = await call_ok(s, "tp_fitness_trend", {"days": 90, "projection_days": 7})
    proj = r.structuredContent["projection"]["days"]
    assert len(proj) == 7
    last_planned = max(d for d, _, p in future if p > 0)
    for day, (d, _, planned) in zip(proj, future):
        assert day["date"] == d.isoformat()
        if d <= last_planned:
            assert day["source"] == "planned" and abs(day["tss"] - planned) < EPS
        assert abs(day["tsb"] - (ctl - atl)) < EPS
        ctl += (day["tss"] - ctl) / 42
        atl += (day["tss"] - atl) / 7
        assert abs(day["ctl"] - ctl) < EPS and abs(day["atl"] - atl) < EPS
    assert r.structuredContent["trend"]["as_of"] == today.isoformat()


async def test_workout_analysis_metrics(fake, today):
    raw = next(
        w for w in reversed(fake.workouts(today - dt.timedelta(days=30), today))
        if completed(w) and w["workoutTypeValueId"] == 2 and w.get("powerAverage") and w.get("heartRateAverage")
    )
    async with mcp_session(fake) as s:
        r = await call_ok(s, "tp_workout_analysis", {"workout_id": raw["workoutId"]})
    m = r.structuredContent["metrics"]
    np_, ap, hr = raw["normalizedPowerActual"], raw["powerAverage"], raw["heartRateAverage"]
    assert abs(m["variability_index"]["value"] - np_ / ap) < EPS
    assert abs(m["efficiency_factor"]["value"] - np_ / hr) < EPS
    assert abs(m["tss_per_hour"] - raw["tssActual"] / raw["totalTime"]) < EPS
    if raw.get("totalTimePlanned"):
        c = m["compliance"]["duration"]
        assert abs(c["percent"] - 100 * raw["totalTime"] / raw["totalTimePlanned"]) < EPS


async def test_performance_summary_for_bike(fake, today):
    start = today - dt.timedelta(days=89)
    rides = [w for w in fake.workouts(start, today) if completed(w) and w["workoutTypeValueId"] in (2, 8)]
    async with mcp_session(fake) as s:
        r = await call_ok(s, "tp_performance_summary", {"sport": "Bike", "days": 90})
    sm = r.structuredContent["summary"]
    assert sm["sessions"] == len(rides)
    assert abs(sm["total_tss"] - sum(w["tssActual"] or 0 for w in rides)) < 1e-6
    assert abs(sm["total_hours"] - sum(w["totalTime"] or 0 for w in rides)) < 1e-6
    nps = [w["normalizedPowerActual"] for w in rides if w.get("normalizedPowerActual")]
    assert abs(sm["best"]["max_normalized_power"]["value"] - max(nps)) < EPS


async def test_zone_distribution_by_workout_if(fake, today):
    start = today - dt.timedelta(days=29)
    done = [w for w in fake.workouts(start, today) if completed(w) and w.get("if") is not None]
    buckets = defaultdict(float)
    for w in done:
        i = w["if"]
        b = "recovery" if i < 0.55 else "endurance" if i < 0.75 else "tempo" if i < 0.90 else "threshold" if i < 1.05 else "vo2max"
        buckets[b] += w["totalTime"] or 0
    async with mcp_session(fake) as s:
        r = await call_ok(s, "tp_training_zones_distribution", {})
    d = r.structuredContent["distribution"]
    assert d["method"] == "whole_workout_if"
    assert d["classified_sessions"] == len(done)
    got = {b["bucket"]: b["hours"] for b in d["buckets"]}
    for name, hours in buckets.items():
        key = next(k for k in got if k.startswith(name[:4]))
        assert abs(got[key] - hours) < 1e-6, name
    assert "whole" in r.structuredContent["method_note"]


async def test_athlete_id_override_skips_the_user_lookup(fresh_fake):
    aid = fresh_fake.athlete_id()
    fresh_fake.admin("reset_stats")
    async with mcp_session(fresh_fake, ATHLETE_ID=str(aid)) as s:
        await call_ok(s, "tp_get_workouts", {"limit": 1})
    assert fresh_fake.stats()["by_endpoint"]["user"] == 0


async def test_athlete_is_resolved_once_and_remembered(fresh_fake):
    fresh_fake.admin("reset_stats")
    async with mcp_session(fresh_fake) as s:
        await call_ok(s, "tp_get_workouts", {"limit": 1})
        await call_ok(s, "tp_get_fitness", {"days": 7})
    assert fresh_fake.stats()["by_endpoint"]["user"] == 1

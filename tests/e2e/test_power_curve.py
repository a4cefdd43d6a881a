"""tp_power_curve against curves computed here with numpy from the fake's
device files decoded with fitdecode (tests/e2e/device_files.py)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from conftest import call_err, call_ok, mcp_session, text_of
from device_files import at_least, decode, download, exact_best_sums, stretches

pytestmark = pytest.mark.anyio

STANDARD = [1, 2, 3, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 240, 300, 360, 480, 600, 720, 900, 1200, 1800, 2400, 3600, 4500, 5400, 7200]


def ride_curve(fake, workout_id: int):
    data, name = download(fake, workout_id)
    d = decode(data, name)
    parts = stretches(d.t, d.power)
    return at_least(exact_best_sums(parts)) if parts else None


async def test_one_ride_every_duration_equals_numpy(fake):
    """The whole curve of one ride, every duration from 1 s to its length,
    equals the brute-force best of every window here (to 1e-9 W), with the
    window that holds each value."""
    rides = [w for w in fake.workouts(fake.today - dt.timedelta(days=30), fake.today)
             if w.get("completed") and w["workoutTypeValueId"] == 2 and w.get("powerAverage")]
    ride = rides[-1]
    value, window = ride_curve(fake, ride["workoutId"])
    durations = list(range(1, len(value) + 1))
    async with mcp_session(fake) as s:
        r = await call_ok(s, "tp_power_curve", {"workout_id": ride["workoutId"], "durations_s": durations})
    points = r.structuredContent["points"]
    assert [p["duration_s"] for p in points] == durations
    for p in points:
        i = p["duration_s"] - 1
        assert abs(p["watts"] - value[i]) < 1e-9, (p, value[i])
        assert p["window_s"] == window[i], (p, window[i])
        assert p["workout_id"] == ride["workoutId"]


async def test_a_period_and_a_comparison_equal_numpy(fake):
    """A 60-day curve and the 60 days before it: each standard duration's
    best over the period's rides (at least that long), its date and
    workout, computed here from every ride's file."""
    end = fake.today
    periods = [(end - dt.timedelta(days=59), end), (end - dt.timedelta(days=119), end - dt.timedelta(days=60))]
    expected = []
    for start, stop in periods:
        best = {}
        rides = [w for w in fake.workouts(start, stop) if w.get("completed") and w["workoutTypeValueId"] in (2, 8)]
        for w in sorted(rides, key=lambda w: (w["workoutDay"], w.get("startTime") or "", w["workoutId"])):
            got = download(fake, w["workoutId"])
            if got is None:
                continue
            curve = ride_curve(fake, w["workoutId"])
            if curve is None:
                continue
            value, window = curve
            for d in STANDARD:
                if d <= len(value) and (d not in best or value[d - 1] > best[d][0] + 1e-12):
                    best[d] = (value[d - 1], int(window[d - 1]), w["workoutId"], w["workoutDay"][:10])
        expected.append(best)
    async with mcp_session(fake) as s:
        r = await call_ok(s, "tp_power_curve", {
            "start_date": periods[0][0].isoformat(), "end_date": periods[0][1].isoformat(),
            "compare_start_date": periods[1][0].isoformat(), "compare_end_date": periods[1][1].isoformat(),
        })
    sc = r.structuredContent
    for points, best in ((sc["points"], expected[0]), (sc["compare_points"], expected[1])):
        assert {p["duration_s"] for p in points} == set(best)
        for p in points:
            v, window, wid, day = best[p["duration_s"]]
            assert abs(p["watts"] - v) < 1e-9, p
            assert (p["window_s"], p["workout_id"], p["date"]) == (window, wid, day), (p, best[p["duration_s"]])
    assert sc["coverage"]["with_streams"] == sc["coverage"]["workouts"] - sc["coverage"]["entered_by_hand"]
    assert "change" in text_of(r)


async def test_cold_fetches_only_missing_files_with_progress_then_nothing(fresh_fake):
    """Cold: one file list per ride in the period and one download per
    file, with MCP progress notifications; the same question again costs
    nothing; a longer period fetches only the rides it adds."""
    today = fresh_fake.today
    rides = [w for w in fresh_fake.workouts(today - dt.timedelta(days=20), today)
             if w.get("completed") and w["workoutTypeValueId"] in (2, 8)]
    seen = []

    async def on_progress(progress, total, message):
        seen.append((progress, total, message))

    async with mcp_session(fresh_fake) as s:
        await call_ok(s, "tp_get_workouts", {"start_date": (today - dt.timedelta(days=40)).isoformat()})
        before = fresh_fake.stats()["by_endpoint"]
        r = await s.call_tool("tp_power_curve", {"days": 21}, progress_callback=on_progress)
        assert not r.isError, text_of(r)
        mid = fresh_fake.stats()["by_endpoint"]
        assert mid["workout_files"] - before["workout_files"] == len(rides)
        files = r.structuredContent["coverage"]["with_streams"]
        assert mid["device_file"] - before["device_file"] == files
        assert any("device files" in m for _, _, m in seen), seen
        assert [p for p, _, m in seen if "device files" in m] == list(range(1, len(rides) + 1))
        await call_ok(s, "tp_power_curve", {"days": 21})
        assert fresh_fake.stats()["total"] == sum(mid.values())
        more = [w for w in fresh_fake.workouts(today - dt.timedelta(days=40), today - dt.timedelta(days=21))
                if w.get("completed") and w["workoutTypeValueId"] in (2, 8)]
        r = await call_ok(s, "tp_power_curve", {"days": 41})
        after = fresh_fake.stats()["by_endpoint"]
        assert after["workout_files"] - mid["workout_files"] == len(more)


async def test_a_short_budget_answers_with_what_it_has_and_says_so(fresh_fake):
    """With hundreds of files missing and a 2-s budget (and latency), the
    answer comes in time, says exactly how many of the period's rides it
    covers and how the rest get filled; asking again covers more."""
    fresh_fake.admin("latency", {"ms": 40})
    async with mcp_session(fresh_fake, TP_MCP_STREAM_BUDGET_SECS="2") as s:
        await call_ok(s, "tp_get_workouts", {"start_date": (fresh_fake.today - dt.timedelta(days=365)).isoformat()})
        import time

        t = time.time()
        r = await call_ok(s, "tp_power_curve", {"days": 365})
        took = time.time() - t
        c = r.structuredContent["coverage"]
        rides = [w for w in fresh_fake.workouts(fresh_fake.today - dt.timedelta(days=364), fresh_fake.today)
                 if w.get("completed") and w["workoutTypeValueId"] in (2, 8)]
        assert c["workouts"] == len(rides)
        assert 0 < c["with_streams"] < len(rides)
        assert c["with_streams"] + c["entered_by_hand"] + c["unreadable"] + c["not_fetched"] == len(rides)
        assert took < 10, took
        text = text_of(r)
        assert f"{c['with_streams']} of {len(rides)} workouts" in text
        assert "tp-mcp sync --streams" in text and "not fetched yet" in text
        r2 = await call_ok(s, "tp_power_curve", {"days": 365})
        assert r2.structuredContent["coverage"]["with_streams"] > c["with_streams"]


async def test_edges_answer_and_say_why(fresh_fake):
    """A ride without a power meter, a 12-hour ride, an unknown sport, a
    period without any device file: each answered, saying what could not
    be computed and why."""
    day = fresh_fake.today - dt.timedelta(days=3)
    base = {"athleteId": fresh_fake.athlete_id(), "workoutTypeValueId": 2, "completed": True,
            "workoutDay": f"{day}T00:00:00", "startTime": f"{day}T06:00:00", "title": "Added"}
    no_power = dict(base, workoutId=9100000001, totalTime=1.5, distance=45000.0, heartRateAverage=135,
                    heartRateMaximum=160, heartRateMinimum=95, tssActual=80.0, **{"if": 0.73})
    long_ride = dict(base, workoutId=9100000002, totalTime=12.0, distance=320000.0, powerAverage=170,
                     normalizedPowerActual=182.0, powerMaximum=700, heartRateAverage=128, heartRateMaximum=160,
                     heartRateMinimum=90, tssActual=450.0, **{"if": 0.64})
    for w in (no_power, long_ride):
        fresh_fake.admin("add_workout", w)
    async with mcp_session(fresh_fake) as s:
        r = await call_ok(s, "tp_power_curve", {"workout_id": no_power["workoutId"]})
        assert r.structuredContent["points"] == []
        assert "no workout of the period has this data" in text_of(r).lower()
        hr = await call_ok(s, "tp_power_curve", {"workout_id": no_power["workoutId"], "metric": "heart_rate"})
        assert hr.structuredContent["points"][0]["heart_rate_bpm"] > 100
        r = await call_ok(s, "tp_power_curve", {"workout_id": long_ride["workoutId"], "durations_s": [1, 3600, 43200]})
        assert [p["duration_s"] for p in r.structuredContent["points"]] == [1, 3600, 43200]
        streams = await call_ok(s, "tp_get_workout_streams", {"workout_id": long_ride["workoutId"]})
        assert len(streams.structuredContent["points"]) == 720
        msg = await call_err(s, "tp_power_curve", {"sport": "Curling"})
        assert "sport" in msg
        empty = await call_ok(s, "tp_power_curve", {"start_date": "2021-01-01", "end_date": "2021-03-31"})
        assert empty.structuredContent["coverage"]["workouts"] == 0 and empty.structuredContent["points"] == []
        bad = await call_err(s, "tp_power_curve", {"durations_s": [0, 5]})
        assert "durations_s" in bad

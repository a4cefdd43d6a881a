"""Health metrics and readiness (tp_get_metrics, tp_get_fitness) against the
fake's raw metrics API, recomputed here with numpy: HRV's 7-day mean of
ln rMSSD against the 60-day mean ± 0.5 SD, resting HR's 7-day against
60-day mean, sleep's 7-day mean."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import numpy as np
import pytest

from conftest import call_err, call_ok, mcp_session

pytestmark = pytest.mark.anyio

KINDS = {5: "resting_hr", 6: "sleep", 9: "weight", 15: "rmr", 23: "injury", 53: "spo2", 58: "steps", 60: "hrv"}


def raw_days(fake, start: dt.date, end: dt.date, athlete: int | None = None) -> dict[dt.date, dict[str, float]]:
    """Per day and kind: the mean of the day's readings (the sum for steps)."""
    aid = athlete or fake.athlete_id()
    entries = fake.api("GET", f"/metrics/v3/athletes/{aid}/consolidatedtimedmetrics/{start}/{end}")
    acc: dict[dt.date, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for e in entries or []:
        day = dt.date.fromisoformat(e["timeStamp"][:10])
        for d in e.get("details", []):
            kind = KINDS.get(d.get("type"))
            if kind is not None and d.get("value") is not None:
                acc[day][kind].append(float(d["value"]))
    return {day: {k: (sum(v) if k == "steps" else sum(v) / len(v)) for k, v in kinds.items()}
            for day, kinds in acc.items() if start <= day <= end}


def expected_readiness(days: dict, today: dt.date) -> dict:
    recent = [today - dt.timedelta(days=i) for i in range(7)]
    base = [today - dt.timedelta(days=i) for i in range(60)]
    out = {}
    hrv_r = np.log([days[d]["hrv"] for d in recent if d in days and "hrv" in days[d]])
    hrv_b = np.log([days[d]["hrv"] for d in base if d in days and "hrv" in days[d]])
    if len(hrv_r) >= 3 and len(hrv_b) >= 14:
        r, b, sd = hrv_r.mean(), hrv_b.mean(), hrv_b.std(ddof=1)
        status = ("well_below" if r < b - sd else "below" if r < b - 0.5 * sd
                  else "above" if r > b + 0.5 * sd else "normal")
        out["hrv"] = dict(recent_ln=r, baseline_ln=b, baseline_sd_ln=sd, status=status,
                          recent_days=len(hrv_r), baseline_days=len(hrv_b))
    rhr_r = [days[d]["resting_hr"] for d in recent if d in days and "resting_hr" in days[d]]
    rhr_b = [days[d]["resting_hr"] for d in base if d in days and "resting_hr" in days[d]]
    if len(rhr_r) >= 3 and len(rhr_b) >= 14:
        out["resting_hr"] = dict(recent_bpm=np.mean(rhr_r), baseline_bpm=np.mean(rhr_b),
                                 elevated=np.mean(rhr_r) - np.mean(rhr_b) >= 5)
    sleep = [days[d]["sleep"] for d in recent if d in days and "sleep" in days[d]]
    if sleep:
        out["sleep"] = dict(mean_hours=np.mean(sleep), nights=len(sleep))
    return out


def check_readiness(got: dict, want: dict):
    for key in ("hrv", "resting_hr", "sleep"):
        assert (got.get(key) is None) == (key not in want), (key, got.get(key), want.get(key))
    if "hrv" in want:
        h, w = got["hrv"], want["hrv"]
        for k in ("recent_ln", "baseline_ln", "baseline_sd_ln"):
            assert abs(h[k] - w[k]) < 1e-9, (k, h[k], w[k])
        assert (h["status"], h["recent_days"], h["baseline_days"]) == (w["status"], w["recent_days"], w["baseline_days"])
    if "resting_hr" in want:
        r, w = got["resting_hr"], want["resting_hr"]
        assert abs(r["recent_bpm"] - w["recent_bpm"]) < 1e-9 and abs(r["baseline_bpm"] - w["baseline_bpm"]) < 1e-9
        assert r["elevated"] == w["elevated"]
    if "sleep" in want:
        assert abs(got["sleep"]["mean_hours"] - want["sleep"]["mean_hours"]) < 1e-9
        assert got["sleep"]["nights"] == want["sleep"]["nights"]


async def test_metrics_and_readiness_equal_numpy(fake):
    today = fake.today
    start = today - dt.timedelta(days=120)
    days = raw_days(fake, start - dt.timedelta(days=60), today)
    assert days, "the demo athlete has health metrics"
    async with mcp_session(fake) as s:
        m = (await call_ok(s, "tp_get_metrics", {"start_date": start.isoformat()})).structuredContent
        f = (await call_ok(s, "tp_get_fitness", {"days": 7})).structuredContent
        hrv_only = (await call_ok(s, "tp_get_metrics", {"days": 14, "metrics": ["HRV"]})).structuredContent
        msg = await call_err(s, "tp_get_metrics", {"metrics": ["mood"]})
    assert "`metrics`" in msg and "mood" in msg
    # Every day and value, as the raw API has them.
    got = {dt.date.fromisoformat(d["date"]): d["values"] for d in m["days"]}
    want = {d: v for d, v in days.items() if d >= start}
    assert set(got) == set(want)
    for d, values in want.items():
        assert set(got[d]) == set(values), d
        for k, v in values.items():
            assert abs(got[d][k] - v) < 1e-9, (d, k)
    hrv = next(x for x in m["summary"] if x["metric"] == "hrv")
    vals = [v["hrv"] for d, v in sorted(want.items()) if "hrv" in v]
    assert hrv["days"] == len(vals) and abs(hrv["mean"] - np.mean(vals)) < 1e-9 and hrv["latest"] == vals[-1]
    # Readiness, in both tools.
    expected = expected_readiness(days, today)
    assert "hrv" in expected and "resting_hr" in expected
    check_readiness(m["readiness"], expected)
    check_readiness(f["readiness"], expected)
    assert all(set(d["values"]) == {"hrv"} for d in hrv_only["days"])


async def test_team_overview_of_one_athlete_is_its_fitness(fake):
    today = fake.today
    async with mcp_session(fake) as s:
        o = (await call_ok(s, "tp_team_overview")).structuredContent
        f = (await call_ok(s, "tp_get_fitness", {"days": 7})).structuredContent
        athletes = (await call_ok(s, "tp_list_athletes")).structuredContent
        before = fake.stats()["total"]
        await call_ok(s, "tp_team_overview")
        assert fake.stats()["total"] == before, "warm: no request"
    assert athletes["coach"] is False and len(athletes["athletes"]) == 1
    assert len(o["athletes"]) == 1
    row = o["athletes"][0]
    assert row["athlete_id"] == fake.athlete_id()
    for k in ("ctl", "atl", "tsb"):
        assert abs(row["status"][k] - f["current"][k]) < 1e-9
    # This week's load from the raw performance data.
    monday = today - dt.timedelta(days=today.weekday())
    rows = fake.daily_tss(monday, monday + dt.timedelta(days=6))
    assert abs(row["week_completed_tss"] - sum(a for d, a, _ in rows if d <= today)) < 1e-6
    assert abs(row["week_planned_tss"] - sum(p for _, _, p in rows)) < 1e-6
    check_readiness(row["readiness"], expected_readiness(raw_days(fake, today - dt.timedelta(days=59), today), today))


async def test_an_athlete_the_login_cannot_see_is_refused_before_any_request(fake):
    async with mcp_session(fake) as s:
        await call_ok(s, "tp_list_athletes")
        before = fake.stats()["total"]
        msg = await call_err(s, "tp_get_fitness", {"athlete": 42})
        assert fake.stats()["total"] == before
        assert "`athlete`" in msg and "42" in msg and "Alex Rivera" in msg
        ok = (await call_ok(s, "tp_get_fitness", {"athlete": "alex rivera", "days": 3})).structuredContent
        assert ok["current"]["ctl"] > 0

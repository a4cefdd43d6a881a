"""Per-workout analysis from the seconds, time in zones over a period,
critical power and compared efforts — each checked against numbers
computed here (numpy, scipy) from the fake's device files decoded with
fitdecode, never with tp-mcp's code."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from scipy.optimize import curve_fit

from conftest import call_ok, mcp_session, text_of
from device_files import at_least, decode, download, exact_best_sums, normalized_power, stretches

pytestmark = pytest.mark.anyio


def settings(fake) -> dict:
    return fake.api("GET", f"/fitness/v1/athletes/{fake.athlete_id()}/settings")


def zones_of(groups: list[dict], type_id: int) -> list[dict]:
    for wanted in (type_id, 0):
        for g in groups:
            if g["workoutTypeId"] == wanted and g["zones"]:
                return g["zones"]
    return next(g["zones"] for g in groups if g["zones"])


def seconds_in_zones(values: np.ndarray, zones: list[dict]) -> list[int]:
    """The documented rule: zones in order of their maximum; a value counts
    in the first zone whose maximum it does not exceed; above the top zone
    in the top zone."""
    ordered = sorted(zones, key=lambda z: math.inf if z["maximum"] is None else z["maximum"])
    maxima = np.array([math.inf if z["maximum"] is None else z["maximum"] for z in ordered])
    idx = np.minimum(np.searchsorted(maxima, values[~np.isnan(values)], side="left"), len(ordered) - 1)
    return [int(n) for n in np.bincount(idx, minlength=len(ordered))]


def w_prime_minimum(power: np.ndarray, gaps: np.ndarray, cp: float, wp: float) -> float:
    """Skiba's differential W′ balance, second by second, a pause recovering at 0 W."""
    w, low = wp, wp
    for p, gap in zip(power, gaps):
        if gap > 0:
            w = wp - (wp - w) * math.exp(-cp * gap / wp)
        p = 0.0 if np.isnan(p) else max(p, 0.0)
        w = w - (p - cp) if p > cp else wp - (wp - w) * math.exp(-(cp - p) / wp)
        low = min(low, w)
    return low


def recent(fake, type_ids, days=45):
    ws = fake.workouts(fake.today - dt.timedelta(days=days), fake.today)
    return [w for w in ws if w.get("completed") and w["workoutTypeValueId"] in type_ids]


async def test_one_ride_from_the_seconds_equals_numpy(fake):
    """NP, average power, IF and TSS, decoupling, the lowest W′ balance and
    the seconds in each power and HR zone of a ride, against numpy."""
    ride = max((w for w in recent(fake, (2,)) if w.get("powerAverage") and w.get("heartRateAverage")),
               key=lambda w: w["totalTime"])
    data, name = download(fake, ride["workoutId"])
    d = decode(data, name)
    async with mcp_session(fake) as s:
        r = await call_ok(s, "tp_workout_analysis", {"workout_id": ride["workoutId"]})
    a = r.structuredContent["streams"]["analysis"]
    power, hr = d.power, d.hr
    np_ = normalized_power(power)
    load = a["load"]
    assert abs(load["power"]["normalized_power_w"] - np_) < 1e-9
    assert abs(load["power"]["average_power_w"] - float(np.mean(power))) < 1e-9
    ftp = ride["normalizedPowerActual"] / ride["if"]
    assert abs(load["intensity_factor"] - np_ / ftp) < 1e-9
    assert abs(load["tss"] - len(power) / 3600 * (np_ / ftp) ** 2 * 100) < 1e-6
    mid = len(power) // 2
    ef1 = normalized_power(power[:mid]) / np.nanmean(hr[:mid])
    ef2 = normalized_power(power[mid:]) / np.nanmean(hr[mid:])
    assert abs(a["decoupling"]["percent"] - (ef1 - ef2) / ef1 * 100) < 1e-9
    bal = a["w_prime_balance"]["balance"]
    gaps = np.concatenate([[0], np.maximum(np.diff(d.t) - 1, 0)])
    assert abs(bal["minimum_j"] - w_prime_minimum(power, gaps, bal["cp_w"], bal["w_prime_j"])) < 1e-6
    st = settings(fake)
    for key, values, groups in (("power", power, st["powerZones"]), ("heart_rate", hr, st["heartRateZones"])):
        got = [z["seconds"] for z in a["time_in_zones"][key]["zones"]]
        assert got == seconds_in_zones(values, zones_of(groups, 2)), key
    assert "From the seconds" in text_of(r)


async def test_period_time_in_zones_equals_numpy(fake):
    """Per-second seconds in the athlete's own zones over 30 days: bike
    power and HR, run pace, summed here over every file of the period."""
    # days=30 is today and the 29 days before it.
    rides = [w for w in recent(fake, (2, 8), days=29)]
    runs = [w for w in recent(fake, (3,), days=29)]
    st = settings(fake)
    expect = {"power": None, "hr": None, "speed": None}

    def add(key, counts):
        expect[key] = counts if expect[key] is None else [a + b for a, b in zip(expect[key], counts)]

    for w in rides:
        got = download(fake, w["workoutId"])
        if got is None:
            continue
        d = decode(*got)
        if not np.isnan(d.power).all():
            add("power", seconds_in_zones(d.power, zones_of(st["powerZones"], 2)))
        if not np.isnan(d.hr).all():
            add("hr", seconds_in_zones(d.hr, zones_of(st["heartRateZones"], 2)))
    for w in runs:
        got = download(fake, w["workoutId"])
        if got is None:
            continue
        d = decode(*got)
        add("speed", seconds_in_zones(d.speed, zones_of(st["speedZones"], 3)))
    async with mcp_session(fake) as s:
        r = await call_ok(s, "tp_training_zones_distribution", {"days": 30})
    sc = r.structuredContent
    by_sport = {z["sport"]: z for z in sc["time_in_zones"]}
    assert [z["seconds"] for z in by_sport["Bike"]["power"]["zones"]] == expect["power"]
    assert [z["seconds"] for z in by_sport["Bike"]["heart_rate"]["zones"]] == expect["hr"]
    assert [z["seconds"] for z in by_sport["Run"]["speed"]["zones"]] == expect["speed"]
    c = sc["intensity"]
    assert c["per_second_workouts"] + c["by_workout_if_workouts"] + c["not_counted_workouts"] == \
        len([w for w in fake.workouts(fake.today - dt.timedelta(days=29), fake.today) if w.get("completed")])
    assert "per second" in text_of(r)


async def test_critical_power_equals_scipy(fake):
    """CP and W′ (2-parameter, numpy least squares) and Morton's CP, W′,
    Pmax (scipy's curve_fit from the same start) on the points the tool
    used — which are the period's curve computed here from every file."""
    async with mcp_session(fake) as s:
        r = await call_ok(s, "tp_critical_power", {"days": 90})
    sc = r.structuredContent
    two = sc["two_parameter"]
    t = np.array([p["duration_s"] for p in two["points"]], dtype=float)
    p = np.array([p["power_w"] for p in two["points"]])
    (cp, wp), *_ = np.linalg.lstsq(np.column_stack([np.ones_like(t), 1 / t]), p, rcond=None)
    assert abs(two["cp_w"] / cp - 1) < 1e-9 and abs(two["w_prime_j"] / wp - 1) < 1e-9
    # The points are the period's best "at least d seconds" curve.
    best = {}
    for w in recent(fake, (2, 8), days=90):
        if w["workoutDay"][:10] < sc["start_date"]:
            continue
        got = download(fake, w["workoutId"])
        if got is None:
            continue
        d = decode(*got)
        parts = [x[:1200] if len(x) > 1200 else x for x in stretches(d.t, d.power)]
        if not parts:
            continue
        value, _ = at_least(exact_best_sums(stretches(d.t, d.power)))
        for dur in range(120, min(1200, len(value)) + 1):
            best[dur] = max(best.get(dur, -1), value[dur - 1])
    for dur, watts in zip(t, p):
        assert abs(best[int(dur)] - watts) < 1e-9, dur
    three = sc["three_parameter"]
    if three is not None:
        t3 = np.array([q["duration_s"] for q in three["points"]], dtype=float)
        p3 = np.array([q["power_w"] for q in three["points"]])

        def morton(t, cp, wp, pmax):
            return cp + wp / (t + wp / (pmax - cp))

        popt, _ = curve_fit(morton, t3, p3, p0=[three["start_cp_w"], three["start_w_prime_j"], three["start_pmax_w"]],
                            method="lm", ftol=1e-15, xtol=1e-15, gtol=1e-15, maxfev=20000)
        for mine, theirs in zip((three["cp_w"], three["w_prime_j"], three["pmax_w"]), popt):
            assert abs(mine / theirs - 1) < 1e-6, (mine, theirs)
    assert sc["estimated_ftp"]["method"].startswith("95 %")
    assert abs(sc["estimated_ftp"]["eftp_w"] - 0.95 * best[1200]) < 1e-9
    # Each 6-week block's eFTP is 95 % of that block's own best 20 minutes,
    # computed here from the block's files (the store reads blocks from
    # month envelopes and loose days: this proves the pieces add up).
    blocks = sc["blocks"]
    # Whole 6-week blocks counted back from the period's end.
    assert blocks and blocks[0]["block_start"] >= sc["start_date"] and blocks[-1]["block_end"] == sc["end_date"]
    checked = 0
    for b in blocks:
        best20 = -1
        for w in recent(fake, (2, 8), days=90):
            if not b["block_start"] <= w["workoutDay"][:10] <= b["block_end"]:
                continue
            got = download(fake, w["workoutId"])
            if got is None:
                continue
            d = decode(*got)
            value, _ = at_least(exact_best_sums(stretches(d.t, d.power)))
            if len(value) >= 1200:
                best20 = max(best20, value[1199])
        if b["eftp_basis"] == "twenty_minute_power":
            assert abs(b["eftp_w"] - 0.95 * best20) < 1e-9, b
            checked += 1
        else:
            assert best20 < 0, b
    assert len(blocks) == 2 and checked >= 1
    # The model drawn is the fitted one, and only where it was fitted from.
    model = three or two
    low = 10 if three is not None else 120
    assert sc["model_curve"] and min(q["duration_s"] for q in sc["model_curve"]) >= low
    for q in sc["model_curve"]:
        t_ = q["duration_s"]
        expect = (morton(t_, three["cp_w"], three["w_prime_j"], three["pmax_w"]) if three is not None
                  else model["cp_w"] + model["w_prime_j"] / t_)
        assert abs(q["watts"] - expect) < 1e-6 * expect, q


async def test_compared_threshold_sets_are_real_windows_of_the_files(fake):
    """Each threshold set listed is a window of its workout's file whose
    average power (and HR) numpy finds at that start and duration, at the
    % of the FTP in force that day."""
    async with mcp_session(fake) as s:
        r = await call_ok(s, "tp_compare_efforts", {"kind": "threshold", "days": 90})
    sc = r.structuredContent
    assert sc["efforts"], text_of(r)
    cache = {}
    for e in sc["efforts"]:
        if e["workout_id"] not in cache:
            cache[e["workout_id"]] = decode(*download(fake, e["workout_id"]))
        d = cache[e["workout_id"]]
        i = int(np.searchsorted(d.t, e["start_s"]))
        window = slice(i, i + e["duration_s"])
        assert abs(float(np.mean(d.power[window])) - e["average_power_w"]) < 1e-9
        assert abs(float(np.nanmean(d.hr[window])) - e["average_heart_rate_bpm"]) < 1e-9
        assert 91 <= e["percent_of_ftp"] < 105 and 480 <= e["duration_s"] <= 1800
    dates = [e["date"] for e in sc["efforts"]]
    assert dates == sorted(dates)


async def test_edges_say_what_could_not_be_computed(fresh_fake):
    """No power meter, a run without HR, the ride with a three-hour gap, a
    12-hour ride, an unknown sport, a period without streams."""
    day = fresh_fake.today - dt.timedelta(days=2)
    aid = fresh_fake.athlete_id()
    base = {"athleteId": aid, "completed": True, "workoutDay": f"{day}T00:00:00", "startTime": f"{day}T07:00:00", "title": "Added"}
    added = {
        "no_power": dict(base, workoutId=9200000001, workoutTypeValueId=2, totalTime=1.2, distance=36000.0,
                         heartRateAverage=132, heartRateMaximum=158, heartRateMinimum=95, tssActual=60.0, **{"if": 0.7}),
        "run_no_hr": dict(base, workoutId=9200000002, workoutTypeValueId=3, totalTime=0.8, distance=10000.0,
                          normalizedSpeedActual=3.5, tssActual=55.0, **{"if": 0.84}),
        "twelve_hours": dict(base, workoutId=9200000003, workoutTypeValueId=2, totalTime=12.0, distance=330000.0,
                             powerAverage=165, normalizedPowerActual=178.0, powerMaximum=650, heartRateAverage=125,
                             heartRateMaximum=158, heartRateMinimum=88, tssActual=440.0, **{"if": 0.63}),
        "unknown_sport": dict(base, workoutId=9200000004, workoutTypeValueId=42, totalTime=1.0,
                              heartRateAverage=120, heartRateMaximum=150, heartRateMinimum=80, tssActual=40.0, **{"if": 0.6}),
    }
    for w in added.values():
        fresh_fake.admin("add_workout", w)
    gap_ride = next(w for w in fresh_fake.workouts(dt.date(2025, 6, 7), dt.date(2025, 6, 7)) if w["workoutTypeValueId"] == 2)
    async with mcp_session(fresh_fake) as s:
        r = await call_ok(s, "tp_workout_analysis", {"workout_id": added["no_power"]["workoutId"]})
        a = r.structuredContent["streams"]["analysis"]
        assert a["load"]["power"] is None and a["w_prime_balance"]["balance"] is None
        assert "no power" in " ".join(a["w_prime_balance"]["notes"])
        r = await call_ok(s, "tp_workout_analysis", {"workout_id": added["run_no_hr"]["workoutId"]})
        dec = r.structuredContent["streams"]["analysis"]["decoupling"]
        assert dec["percent"] is None and any("heart rate" in x for x in dec["reasons"])
        r = await call_ok(s, "tp_workout_analysis", {"workout_id": gap_ride["workoutId"]})
        a = r.structuredContent["streams"]["analysis"]
        assert a["elapsed_s"] >= a["recorded_s"] + 3 * 3600
        r = await call_ok(s, "tp_workout_analysis", {"workout_id": added["twelve_hours"]["workoutId"]})
        assert r.structuredContent["streams"]["analysis"]["recorded_s"] == 12 * 3600
        r = await call_ok(s, "tp_workout_analysis", {"workout_id": added["unknown_sport"]["workoutId"]})
        a = r.structuredContent["streams"]["analysis"]
        assert a["time_in_zones"]["heart_rate"] is not None
        r = await call_ok(s, "tp_training_zones_distribution", {"start_date": "2021-01-01", "end_date": "2021-03-01"})
        assert r.structuredContent["intensity"]["per_second_workouts"] == 0

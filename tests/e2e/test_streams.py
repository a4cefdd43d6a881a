"""Second-by-second data: the fake's device files, decoded here with
`fitdecode` (tests/e2e/device_files.py), against what tp-mcp returns over
MCP; what each question costs; failures; a kill in the middle of a sync.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import math
import os
import signal
import sqlite3
import subprocess
import tempfile
import time

import numpy as np
import pytest

from conftest import TP_MCP, Fake, call_ok, mcp_session, server_env, text_of
from device_files import decode, decode_fit, download, normalized_power

pytestmark = pytest.mark.anyio

TYPE_SWIM, TYPE_BIKE, TYPE_RUN = 1, 2, 3


def recent_completed(fake, type_id: int, days: int = 60) -> list[dict]:
    ws = fake.workouts(fake.today - dt.timedelta(days=days), fake.today)
    return [w for w in ws if w.get("completed") and w["workoutTypeValueId"] == type_id]


async def streams_at_one_second(session, workout_id: int, elapsed_s: int) -> list[dict]:
    """Every recorded sample through tp-mcp, an hour-long window at a time."""
    points = []
    for start in range(0, elapsed_s, 3600):
        r = await call_ok(
            session,
            "tp_get_workout_streams",
            {"workout_id": workout_id, "resolution_s": 1, "start_s": start, "end_s": start + 3600},
        )
        points += r.structuredContent["points"]
    return points


def assert_same_samples(points: list[dict], d) -> None:
    assert len(points) == len(d.t), (len(points), len(d.t))
    columns = [
        ("power_w", d.power),
        ("heart_rate_bpm", d.hr),
        ("cadence_rpm", d.cadence),
        ("speed_m_s", d.speed),
        ("distance_m", d.distance),
        ("altitude_m", d.altitude),
    ]
    for i, p in enumerate(points):
        assert p["t_s"] == int(round(d.t[i])), f"sample {i}: time {p['t_s']} vs {d.t[i]}"
        for key, column in columns:
            expected = column[i]
            got = p[key]
            if math.isnan(expected):
                assert got is None, f"sample {i} {key}: {got} where the file has none"
            else:
                assert got is not None and abs(got - expected) < 1e-6, f"sample {i} {key}: {got} vs {expected}"


async def test_a_ride_a_run_a_swim_and_the_tcx_run_sample_for_sample(fake):
    """tp_get_workout_streams at 1 s returns exactly the samples an
    independent FIT decoder reads from the same files — pauses kept as
    gaps — and its laps and file facts match the file."""
    ride = max(recent_completed(fake, TYPE_BIKE), key=lambda w: w["totalTime"])
    run = recent_completed(fake, TYPE_RUN)[-1]
    swim = recent_completed(fake, TYPE_SWIM)[-1]
    tcx_run = next(w for w in fake.workouts(dt.date(2025, 9, 14), dt.date(2025, 9, 14)) if w["workoutTypeValueId"] == TYPE_RUN)
    async with mcp_session(fake) as s:
        for w in (ride, run, swim, tcx_run):
            data, name = download(fake, w["workoutId"])
            d = decode(data, name)
            first = await call_ok(s, "tp_get_workout_streams", {"workout_id": w["workoutId"]})
            sc = first.structuredContent
            assert sc["available"] is True, text_of(first)
            assert sc["file"]["file_name"] == name
            assert sc["file"]["samples"] == len(d.t)
            assert sc["file"]["recorded_s"] == round(w["totalTime"] * 3600)
            gaps = [(int(a), int(b - a - 1)) for a, b in zip(d.t[:-1], d.t[1:]) if b - a > 5]
            assert [(g["after_s"], g["duration_s"]) for g in sc["file"]["gaps"]] == gaps
            points = await streams_at_one_second(s, w["workoutId"], sc["file"]["elapsed_s"])
            assert_same_samples(points, d)
            if d.laps:
                assert len(sc["laps"]) == len(d.laps)
                for mine, theirs in zip(sc["laps"], d.laps):
                    assert abs(mine["timer_s"] - theirs["total_timer_time"]) < 1e-6
            # The 60-s default averages those same samples.
            for p in sc["points"][:5]:
                window = (d.t >= p["t_s"]) & (d.t < p["t_s"] + 60)
                if not np.isnan(d.hr[window]).all():
                    assert abs(p["heart_rate_bpm"] - np.nanmean(d.hr[window])) < 1e-6


def _check_ride(args) -> tuple[int, str | None]:
    """Worker: decode one ride's file and compare it with its summary."""
    w, data = args
    d = decode_fit(data)
    power = d.power
    failures = []
    if len(power) != round(w["totalTime"] * 3600):
        failures.append(f"{len(power)} samples for {w['totalTime']} h")
    avg, np_ = float(np.mean(power)), normalized_power(power)
    if abs(avg / w["powerAverage"] - 1) > 0.01:
        failures.append(f"average power {avg:.1f} vs {w['powerAverage']}")
    if abs(np_ / w["normalizedPowerActual"] - 1) > 0.01:
        failures.append(f"NP {np_:.1f} vs {w['normalizedPowerActual']}")
    # The workout's FTP is its NP over its IF; the file's TSS by the same.
    ftp = w["normalizedPowerActual"] / w["if"]
    tss = len(power) / 3600 * (np_ / ftp) ** 2 * 100
    if abs(tss / w["tssActual"] - 1) > 0.01:
        failures.append(f"TSS {tss:.1f} vs {w['tssActual']}")
    if w.get("heartRateAverage") and abs(float(np.nanmean(d.hr)) / w["heartRateAverage"] - 1) > 0.01:
        failures.append(f"average HR {np.nanmean(d.hr):.1f} vs {w['heartRateAverage']}")
    if w.get("distance") and abs(float(np.nanmax(d.distance)) / w["distance"] - 1) > 0.01:
        failures.append(f"distance {np.nanmax(d.distance):.0f} vs {w['distance']}")
    return w["workoutId"], "; ".join(failures) or None


def test_every_ride_with_power_agrees_with_its_summary(fake):
    """For every workout with power in the fake's whole history, the file
    decoded here gives the summary's average power, NP, TSS, HR and
    distance within 1 %, one sample per timer second."""
    rides = [w for w in fake.workouts(dt.date(2022, 1, 1), fake.today) if w.get("completed") and w.get("powerAverage")]
    jobs = []
    for w in rides:
        got = download(fake, w["workoutId"])
        if got is not None and got[1].endswith((".fit", ".fit.gz")) and w["workoutDay"][:10] != "2025-09-11":
            jobs.append((w, got[0]))
    assert len(jobs) > 600, len(jobs)
    with concurrent.futures.ProcessPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        results = list(pool.map(_check_ride, jobs, chunksize=16))
    bad = [(i, why) for i, why in results if why]
    assert not bad, f"{len(bad)} of {len(results)} rides disagree, e.g. {bad[:5]}"


async def test_one_workout_costs_two_requests_cold_none_warm(fresh_fake):
    ride = recent_completed(fresh_fake, TYPE_BIKE)[-1]
    async with mcp_session(fresh_fake) as s:
        await call_ok(s, "tp_get_workout", {"workout_id": ride["workoutId"]})
        before = fresh_fake.stats()["by_endpoint"]
        r = await call_ok(s, "tp_get_workout_streams", {"workout_id": ride["workoutId"]})
        mid = fresh_fake.stats()["by_endpoint"]
        assert (mid["workout_files"] - before["workout_files"], mid["device_file"] - before["device_file"]) == (1, 1)
        assert r.structuredContent["available"] is True
        again = await call_ok(s, "tp_get_workout_streams", {"workout_id": ride["workoutId"], "resolution_s": 10})
        w = await call_ok(s, "tp_get_workout", {"workout_id": ride["workoutId"]})
    after = fresh_fake.stats()
    assert after["total"] == sum(mid.values()), "warm: no request at all"
    assert again.structuredContent["resolution_s"] == 10
    assert "samples" in w.structuredContent["streams"], w.structuredContent["streams"]


async def test_failures_end_in_a_clear_note_and_the_summary(fresh_fake):
    """No file, 404, 500, a truncated body, gzip garbage, a gzip bomb and
    an endless body: each answers (not an error) with a note saying what
    happened and TrainingPeaks' summary; nothing crashes."""
    rides = recent_completed(fresh_fake, TYPE_BIKE, days=90)
    cases = [
        ("no_files", lambda: fresh_fake.admin("device_files", {"mode": "no_files"}), "entered by hand"),
        ("404", lambda: fresh_fake.admin("fail", {"endpoint": "device_file", "n": 1, "status": 404}), "404"),
        ("500", lambda: fresh_fake.admin("fail", {"endpoint": "device_file", "n": 3, "status": 500}), "500"),
        ("truncated", lambda: fresh_fake.admin("device_files", {"mode": "truncated"}), "cut off"),
        ("gzip garbage", lambda: fresh_fake.admin("device_files", {"mode": "gzip_garbage"}), "gzip"),
        ("gzip bomb", lambda: fresh_fake.admin("device_files", {"mode": "gzip_bomb"}), "MiB"),
        ("endless", lambda: fresh_fake.admin("device_files", {"mode": "endless"}), "MiB"),
    ]
    async with mcp_session(fresh_fake) as s:
        for (name, switch, phrase), w in zip(cases, rides):
            await call_ok(s, "tp_get_workout", {"workout_id": w["workoutId"]})
            switch()
            r = await call_ok(s, "tp_get_workout_streams", {"workout_id": w["workoutId"]})
            fresh_fake.admin("reset_faults")
            fresh_fake.admin("device_files", {"mode": "normal"})
            sc, text = r.structuredContent, text_of(r)
            assert phrase in text, f"{name}: {text}"
            assert sc["summary"]["average_power_w"] == w["powerAverage"], name
            if name == "truncated":
                assert sc["available"] is True and any("cut off" in n for n in sc["notes"]), sc["notes"]
            else:
                assert sc["available"] is False, name
        # A plain ride still works afterwards.
        ok = await call_ok(s, "tp_get_workout_streams", {"workout_id": rides[len(cases)]["workoutId"]})
        assert ok.structuredContent["available"] is True


def completed_with_file_counts(fake, start, end) -> tuple[int, int]:
    ws = [w for w in fake.workouts(start, end) if w.get("completed")]
    with_file = sum(1 for w in ws if list_or_none(fake, w["workoutId"]))
    return len(ws), with_file


def list_or_none(fake, workout_id):
    from device_files import list_files

    return list_files(fake, workout_id)


def db_state(path: str) -> dict:
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        streams = {r[0] for r in db.execute("SELECT workout_id FROM streams")}
        stored = {r[0] for r in db.execute("SELECT workout_id FROM device_files WHERE state = 'stored'")}
        derived = {r[0] for r in db.execute("SELECT DISTINCT workout_id FROM stream_derived")}
        meta = {r[0] for r in db.execute("SELECT workout_id FROM stream_derived WHERE kind = 'meta'")}
        blobs = db.execute("SELECT workout_id, samples, length(data) FROM streams").fetchall()
    return {"streams": streams, "stored": stored, "derived": derived, "meta": meta, "blobs": blobs}


def test_sync_streams_kill_resume_and_request_counts():
    """`tp-mcp sync --streams` on a short history: one details request per
    completed workout and one download per file; SIGKILL in the middle
    leaves only whole workouts (streams, summary and state together); the
    rerun finishes what is missing; a run after that asks nothing."""
    today = dt.date(2022, 5, 15)
    fake = Fake(today, ["--latency-ms", "30"])
    try:
        completed, with_file = completed_with_file_counts(fake, dt.date(2022, 1, 1), today)
        fake.admin("reset_stats")
        with tempfile.TemporaryDirectory() as clean:
            env = server_env(fake, TP_MCP_DATA_DIR=clean, RUST_LOG="warn")
            done = subprocess.run([str(TP_MCP), "sync", "--streams"], env=env, capture_output=True, text=True, timeout=600)
            assert done.returncode == 0, done.stderr
            stats = fake.stats()["by_endpoint"]
            assert stats["workout_files"] == completed, (stats, completed)
            assert stats["device_file"] == with_file, (stats, with_file)
            assert f"{with_file} of {completed} completed workouts" in done.stdout, done.stdout
            fake.admin("reset_stats")
            again = subprocess.run([str(TP_MCP), "sync", "--streams"], env=env, capture_output=True, text=True, timeout=600)
            assert again.returncode == 0, again.stderr
            stats = fake.stats()["by_endpoint"]
            assert stats["workout_files"] == 0 and stats["device_file"] == 0, stats

        with tempfile.TemporaryDirectory() as killed:
            env = server_env(fake, TP_MCP_DATA_DIR=killed, RUST_LOG="warn")
            proc = subprocess.Popen([str(TP_MCP), "sync", "--streams"], env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
            deadline, line = time.time() + 300, ""
            while time.time() < deadline:
                line = proc.stderr.readline()
                if line.startswith("device files 30/"):
                    break
            assert line.startswith("device files 30/"), f"no progress: {line!r}"
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
            db = os.path.join(killed, f"athlete-{fake.athlete_id()}.sqlite3")
            state = db_state(db)
            assert len(state["streams"]) >= 25
            assert state["streams"] == state["stored"] == state["meta"], "only whole workouts"
            assert state["derived"] <= state["streams"]
            assert all(samples > 0 and size > 0 for _, samples, size in state["blobs"])
            resumed = subprocess.run([str(TP_MCP), "sync", "--streams"], env=env, capture_output=True, text=True, timeout=600)
            assert resumed.returncode == 0, resumed.stderr
            final = db_state(db)
            assert len(final["streams"]) == with_file
            assert final["streams"] == final["stored"] == final["meta"]
    finally:
        fake.close()

"""The local history cache, end to end: warm answers cost no request, a
killed sync resumes to the same result, edits and deletions arrive, a
garbage database is replaced, and long fetches report progress."""

import datetime as dt
import os
import signal
import sqlite3
import subprocess
import tempfile
import time

import pytest

from conftest import TP_MCP, Fake, call_ok, mcp_session, server_env

pytestmark = pytest.mark.anyio

ATHLETE_DB = "athlete-1234567.sqlite3"


def api_requests(fake) -> int:
    return fake.stats()["total"]


async def test_a_question_answered_once_costs_no_request(fresh_fake):
    with tempfile.TemporaryDirectory() as data:
        async with mcp_session(fresh_fake, TP_MCP_DATA_DIR=data) as s:
            cold = await call_ok(s, "tp_get_fitness", {"days": 365})
            before = api_requests(fresh_fake)
            warm = await call_ok(s, "tp_get_fitness", {"days": 365})
            assert api_requests(fresh_fake) == before, "warm: 0 TrainingPeaks requests"
            assert warm.structuredContent == cold.structuredContent
            for tool, args in [("tp_get_workouts", {"start_date": (fresh_fake.today - dt.timedelta(days=364)).isoformat()}),
                               ("tp_training_load_summary", {"days": 90}), ("tp_fitness_trend", {}),
                               ("tp_performance_summary", {}), ("tp_training_zones_distribution", {}),
                               ("tp_get_peaks", {}), ("tp_get_profile", {})]:
                await call_ok(s, tool, args)
                before = api_requests(fresh_fake)
                await call_ok(s, tool, args)
                assert api_requests(fresh_fake) == before, f"{tool} warm should cost nothing"
        # a new process with the same cache: still no workout/fitness downloads
        async with mcp_session(fresh_fake, TP_MCP_DATA_DIR=data) as s:
            c0 = fresh_fake.stats()["by_endpoint"]
            await call_ok(s, "tp_get_fitness", {"days": 365})
            c1 = fresh_fake.stats()["by_endpoint"]
            assert c1["performance_data"] == c0["performance_data"]
            assert c1["workouts"] == c0["workouts"]


async def test_cold_year_of_workouts_is_the_minimum_windows(fresh_fake):
    start = fresh_fake.today - dt.timedelta(days=364)
    async with mcp_session(fresh_fake) as s:
        before = fresh_fake.stats()["by_endpoint"]["workouts"]
        await call_ok(s, "tp_get_workouts", {"start_date": start.isoformat(), "limit": 500})
        assert fresh_fake.stats()["by_endpoint"]["workouts"] - before == 5  # 365 days = ceil(365/90)


async def test_long_fetch_reports_progress(fresh_fake):
    start = fresh_fake.today - dt.timedelta(days=3 * 365)
    seen = []

    async def on_progress(progress, total, message):
        seen.append((progress, total, message))

    async with mcp_session(fresh_fake) as s:
        r = await s.call_tool("tp_get_workouts", {"start_date": start.isoformat()}, progress_callback=on_progress)
        assert not r.isError
    windows = -(-((fresh_fake.today - start).days + 1) // 90)
    assert [p for p, _, _ in seen] == list(range(1, windows + 1))
    assert all(t == windows for _, t, _ in seen)
    assert "workouts" in seen[0][2]


async def test_edits_and_deletions_arrive_with_refresh(fresh_fake, today):
    async with mcp_session(fresh_fake, TP_MCP_STALE_SECS="3600") as s:
        r = await call_ok(s, "tp_get_workouts", {"limit": 500})
        rows = r.structuredContent["workouts"]
        edited, deleted = rows[0]["workout_id"], rows[1]["workout_id"]
        fresh_fake.admin("edit_workout", {"workoutId": edited, "fields": {"title": "Renamed by coach", "tssActual": 123.4}})
        fresh_fake.admin("delete_workout", {"workoutId": deleted})
        cached = await call_ok(s, "tp_get_workouts", {"limit": 500})
        assert cached.structuredContent == r.structuredContent, "fresh cache answers without asking"
        after = await call_ok(s, "tp_get_workouts", {"limit": 500, "refresh": True})
        ws = {w["workout_id"]: w for w in after.structuredContent["workouts"]}
        assert deleted not in ws
        assert ws[edited]["title"] == "Renamed by coach" and ws[edited]["tss"] == 123.4
        assert after.structuredContent["total_found"] == r.structuredContent["total_found"] - 1


async def test_a_garbage_database_is_replaced_and_the_tool_answers(fresh_fake):
    with tempfile.TemporaryDirectory() as data:
        path = os.path.join(data, ATHLETE_DB)
        with open(path, "wb") as f:
            f.write(b"\x00garbage, not SQLite\x01" * 4096)
        async with mcp_session(fresh_fake, TP_MCP_DATA_DIR=data) as s:
            r = await call_ok(s, "tp_get_fitness", {"days": 7})
            assert r.structuredContent["current"]["ctl"] > 0
        aside = [n for n in os.listdir(data) if ".corrupt-" in n]
        assert len(aside) == 1, os.listdir(data)
        with sqlite3.connect(path) as db:
            assert db.execute("SELECT COUNT(*) FROM daily").fetchone()[0] > 0


async def test_no_cache_asks_every_time(fresh_fake):
    async with mcp_session(fresh_fake, args=["--no-cache"]) as s:
        await call_ok(s, "tp_get_workouts", {})
        before = fresh_fake.stats()["by_endpoint"]["workouts"]
        await call_ok(s, "tp_get_workouts", {})
        assert fresh_fake.stats()["by_endpoint"]["workouts"] == before + 1


def dump(db_path: str) -> dict:
    """The cache's content, without fetch timestamps."""
    with sqlite3.connect(db_path) as db:
        return {
            "workouts": db.execute("SELECT workout_id, day, sport_id, completed, tss, raw FROM workouts ORDER BY workout_id").fetchall(),
            "daily": db.execute("SELECT day, tss_actual, tss_planned FROM daily ORDER BY day").fetchall(),
            "coverage": db.execute("SELECT dataset, start_day, end_day FROM coverage ORDER BY dataset, start_day").fetchall(),
        }


def test_sigkill_during_backfill_then_resume_equals_a_clean_sync(today):
    """A real SIGKILL of `tp-mcp sync` mid-backfill; the restarted sync ends
    with exactly the cache a clean, uninterrupted sync builds."""
    fake = Fake(today, ["--latency-ms", "120"])
    try:
        with tempfile.TemporaryDirectory() as killed, tempfile.TemporaryDirectory() as clean:
            env = server_env(fake, TP_MCP_DATA_DIR=killed, RUST_LOG="warn")
            proc = subprocess.Popen([str(TP_MCP), "sync"], env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
            deadline = time.time() + 60
            line = ""
            while time.time() < deadline:
                line = proc.stderr.readline()
                if line.startswith("synced window 6/"):
                    break
            assert line.startswith("synced window 6/"), f"sync did not progress: {line!r}"
            total = int(line.strip().split("/")[1])
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
            assert proc.returncode == -signal.SIGKILL
            partial = dump(os.path.join(killed, ATHLETE_DB))
            assert 0 < len(partial["workouts"]), "windows committed before the kill are kept"

            before = fake.stats()["by_endpoint"]["workouts"]
            again = subprocess.run([str(TP_MCP), "sync"], env=env, capture_output=True, text=True, timeout=120)
            assert again.returncode == 0, again.stderr
            resumed_windows = fake.stats()["by_endpoint"]["workouts"] - before
            assert resumed_windows <= total - 6, "the restart fetched only what was missing"

            env_clean = server_env(fake, TP_MCP_DATA_DIR=clean, RUST_LOG="warn")
            ok = subprocess.run([str(TP_MCP), "sync"], env=env_clean, capture_output=True, text=True, timeout=120)
            assert ok.returncode == 0, ok.stderr
            a, b = dump(os.path.join(killed, ATHLETE_DB)), dump(os.path.join(clean, ATHLETE_DB))
            assert len(a["workouts"]) == len(b["workouts"]) > 1000
            assert a == b
    finally:
        fake.close()

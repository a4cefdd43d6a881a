"""Reliability: secrets never leak anywhere, many concurrent calls, two
processes on one cache, and a fault matrix that always ends in a clear
answer within bounded time, with the server still answering afterwards."""

import asyncio
import contextlib
import datetime as dt
import glob
import json
import os
import sqlite3
import subprocess
import tempfile
import time

import pytest

from conftest import AUDIT, Fake, TP_MCP, call_ok, mcp_session, server_env, text_of
from leak_audit import find_secrets

pytestmark = pytest.mark.anyio

EVERY_TOOL = [
    ("tp_auth_status", {}), ("tp_refresh_auth", {}), ("tp_get_profile", {}), ("tp_get_workouts", {"limit": 3}),
    ("tp_get_planned_workouts", {"limit": 3}), ("tp_get_fitness", {"days": 30}), ("tp_get_peaks", {"pr_class": "Power"}),
    ("tp_training_load_summary", {"days": 30}), ("tp_fitness_trend", {"days": 30}),
    ("tp_performance_summary", {"days": 30}), ("tp_training_zones_distribution", {}),
]


async def test_leak_audit_cookie_and_tokens_appear_nowhere(today):
    """Every tool and every failure mode at trace level; then stderr, every
    tool answer and the cache database are searched for the cookie and for
    every token the fake issued. (The suite-wide audit, tests/leak_audit.py,
    searches everything the other tests make tp-mcp write, too.)"""
    fake = Fake(today)
    outputs = []
    try:
        with tempfile.TemporaryDirectory() as data, tempfile.NamedTemporaryFile("w+", suffix=".log") as log:
            os.environ["E2E_STDERR_FILE"] = log.name
            try:
                async with mcp_session(fake, TP_MCP_DATA_DIR=data, RUST_LOG="trace") as s:
                    ws = await call_ok(s, "tp_get_workouts", {"limit": 1})
                    wid = ws.structuredContent["workouts"][0]["workout_id"]
                    for tool, args in EVERY_TOOL + [("tp_get_workout", {"workout_id": wid}),
                                                    ("tp_workout_analysis", {"workout_id": wid}),
                                                    ("tp_get_workout_prs", {"workout_id": wid})]:
                        r = await s.call_tool(tool, args)
                        outputs.append(text_of(r) + str(r.structuredContent))
                    for fault in [("fail", {"n": 20, "status": 500}), ("fail", {"n": 2, "status": 401}),
                                  ("malformed", {"n": 3}), ("fail", {"n": 20, "status": 403})]:
                        fake.admin(*fault)
                        r = await s.call_tool("tp_get_workouts", {"refresh": True})
                        outputs.append(text_of(r))
                        fake.admin("reset_faults")
                    fake.admin("expire_tokens")
                    fake.admin("revoke_cookie")
                    for tool, args in EVERY_TOOL:
                        r = await s.call_tool(tool, dict(args, refresh=True) if tool not in ("tp_auth_status", "tp_refresh_auth") else args)
                        outputs.append(text_of(r) + str(r.structuredContent))
            finally:
                os.environ.pop("E2E_STDERR_FILE", None)
            log.seek(0)
            stderr = log.read()
            tokens = fake.issued_tokens()
            assert len(tokens) >= 2, "the audit must have seen tokens issued"
            secrets = {fake.cookie: "cookie", **{t: f"token {i}" for i, t in enumerate(tokens)}}
            assert "TRACE" in stderr or "DEBUG" in stderr, "trace logs were captured"
            haystacks = {"stderr": stderr, "tool outputs": "\n".join(outputs)}
            for path in glob.glob(os.path.join(data, "*")):
                with open(path, "rb") as f:
                    haystacks[os.path.basename(path)] = f.read().decode("latin-1")
            for name, hay in haystacks.items():
                assert not find_secrets(hay, secrets), f"{find_secrets(hay, secrets)} leaked into {name}"
    finally:
        fake.close()


async def test_fifty_concurrent_calls_from_one_client(fresh_fake):
    async with mcp_session(fresh_fake) as s:
        calls = [EVERY_TOOL[i % len(EVERY_TOOL)] for i in range(50)]
        results = await asyncio.gather(*(s.call_tool(t, a) for t, a in calls))
        errors = [(t, text_of(r)[:200]) for (t, _), r in zip(calls, results) if r.isError]
        assert not errors, errors
        # the same question gets the same answer however it was interleaved
        fits = [r.structuredContent for (t, _), r in zip(calls, results) if t == "tp_get_fitness"]
        assert all(f == fits[0] for f in fits)
        assert "locked" not in " ".join(text_of(r) for r in results).lower()


def test_two_processes_share_one_cache_without_lock_errors(fresh_fake, today):
    """Two tp-mcp processes (CLI) syncing and reading one cache at once."""
    with tempfile.TemporaryDirectory() as data:
        env = server_env(fresh_fake, TP_MCP_DATA_DIR=data, RUST_LOG="warn")
        start = (today - dt.timedelta(days=400)).isoformat()
        procs = [
            subprocess.Popen([str(TP_MCP), "call", tool, args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for tool, args in [("tp_get_workouts", f'{{"start_date": "{start}", "limit": 500}}'),
                               ("tp_get_workouts", f'{{"start_date": "{start}", "limit": 500}}'),
                               ("tp_get_fitness", '{"days": 400}'), ("tp_training_load_summary", '{"days": 365}')]
        ]
        outs = [p.communicate(timeout=120) for p in procs]
        for p, (out, err) in zip(procs, outs):
            assert p.returncode == 0, err
            assert "locked" not in (out + err).lower()
        assert outs[0][0] == outs[1][0], "both processes give the same answer"
        # Whoever syncs first fetches; the others wait for its lock and read.
        # 401 days = 5 windows if a 400-day process goes first; if the 365-day
        # one does (5 windows), the next fetches only the 36 days it lacks (1).
        assert fresh_fake.stats()["by_endpoint"]["workouts"] in (5, 6)


FAULTS = [
    # (name, admin calls, tool, expected words in the answer; None = must succeed)
    ("token expiry mid-session", [("expire_tokens", {})], None),
    ("cookie refused", [("expire_tokens", {}), ("revoke_cookie", {})], ["refused", "tp-mcp auth import"]),
    ("401 loop", [("fail", {"n": 50, "status": 401, "endpoint": "workouts"})], ["refused a freshly issued access token"]),
    ("401 everywhere", [("fail", {"n": 50, "status": 401})], ["refused the session cookie"]),
    ("403", [("fail", {"n": 50, "status": 403})], ["403", "permission"]),
    ("404 on a list", [("fail", {"n": 50, "status": 404})], ["404"]),
    ("429 with Retry-After", [("retry_after", {"seconds": 1}), ("fail", {"n": 1, "status": 429})], None),
    ("429 without Retry-After", [("retry_after", {"seconds": None}), ("fail", {"n": 1, "status": 429})], None),
    ("429 that outlasts retries", [("retry_after", {"seconds": 900}), ("fail", {"n": 50, "status": 429})], ["rate limiting"]),
    ("500", [("fail", {"n": 50, "status": 500})], ["HTTP 500", "try again"]),
    ("502 once", [("fail", {"n": 1, "status": 502})], None),
    ("503", [("fail", {"n": 50, "status": 503})], ["HTTP 503"]),
    ("timeout", [("latency", {"ms": 8000})], ["did not answer", "within 2 s", "3 attempt"]),
    ("connection dropped mid-body", [("drop", {"n": 50})], ["connection", "broke"]),
    ("dropped once", [("drop", {"n": 1})], None),
    ("malformed JSON", [("malformed", {"n": 50})], ["could not be read"]),
]


def cache_contents(data_dir: str) -> dict:
    """What the history cache holds, read by another SQLite client: the rows,
    and the days it has (fresh, or cached before they went stale)."""
    (path,) = glob.glob(os.path.join(data_dir, "athlete-*.sqlite3"))
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        spans = db.execute("SELECT dataset, start_day, end_day FROM coverage").fetchall()
        for key, value in db.execute("SELECT key, value FROM meta WHERE key LIKE 'known:%'"):
            spans += [(key.split(":", 1)[1], a, b) for a, b in json.loads(value)]
        return {
            "workouts": db.execute("SELECT count(*) FROM workouts").fetchone()[0],
            "ids": db.execute("SELECT total(workout_id) FROM workouts").fetchone()[0],
            "daily": db.execute("SELECT count(*) FROM daily").fetchone()[0],
            "days held": {ds: merged([(a, b) for d, a, b in spans if d == ds]) for ds, _, _ in spans},
        }


def merged(spans: list[tuple[str, str]]) -> list[tuple[str, str]]:
    out: list[tuple[dt.date, dt.date]] = []
    for a, b in sorted((dt.date.fromisoformat(a), dt.date.fromisoformat(b)) for a, b in spans):
        if out and a <= out[-1][1] + dt.timedelta(days=1):
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return [(a.isoformat(), b.isoformat()) for a, b in out]


@pytest.mark.parametrize("name,admin,expect", FAULTS, ids=[f[0] for f in FAULTS])
async def test_fault_matrix(today, name, admin, expect):
    """Each fault, twice: a question the cache can answer (answered from it,
    saying it is not fresh and why, in the words of the error) and one it
    cannot (a clear error). Bounded time, the cache unchanged, and the
    server answers normally once the fault is gone. A 404 is an answer, not
    an outage: it is never covered up by the cache."""
    fake = Fake(today)
    cold = {"start_date": (today - dt.timedelta(days=800)).isoformat(),
            "end_date": (today - dt.timedelta(days=770)).isoformat()}
    try:
        with tempfile.TemporaryDirectory() as data:
            async with mcp_session(fake, TP_MCP_DATA_DIR=data, TP_MCP_STALE_SECS="0", TP_API_TIMEOUT_SECS="2") as s:
                before = await call_ok(s, "tp_get_workouts", {"limit": 500})
                cached = cache_contents(data)
                assert cached["workouts"] > 0 and cached["days held"]["workouts"]
                for path, body in admin:
                    fake.admin(path, body)
                t0 = time.monotonic()
                warm = await s.call_tool("tp_get_workouts", {"limit": 500})
                cold_answer = await s.call_tool("tp_get_workouts", cold) if expect else None
                elapsed = time.monotonic() - t0
                assert elapsed < 120, f"{name}: took {elapsed:.0f} s"
                # Whatever happened, nothing cached was lost or narrowed.
                assert cache_contents(data) == cached, f"{name}: the cache changed"
                if expect is None:
                    assert not warm.isError, f"{name}: {text_of(warm)}"
                    assert "stale_data" not in warm.structuredContent, f"{name}: fresh, not from the cache"
                    assert warm.structuredContent["total_found"] == before.structuredContent["total_found"]
                else:
                    for r, kind in ((cold_answer, "cold"), (warm, "warm")):
                        if kind == "warm" and "404" not in name:
                            assert not r.isError, f"{name}: the cache could answer: {text_of(r)}"
                            assert r.structuredContent["total_found"] == before.structuredContent["total_found"]
                            assert r.structuredContent["stale_data"][0]["what"] == "workouts"
                            assert "Not fresh: TrainingPeaks could not be asked just now" in text_of(r)
                        else:
                            assert r.isError, f"{name} ({kind}): should be an error answer"
                        for w in expect:
                            assert w.lower() in text_of(r).lower(), f"{name} ({kind}): {w!r} not in {text_of(r)!r}"
                fake.admin("reset_faults")
                fake.admin("accept_cookie", {"cookie": fake.cookie})
                after = await call_ok(s, "tp_get_workouts", {"limit": 500, "refresh": True})  # the server goes on
                assert after.structuredContent["total_found"] == before.structuredContent["total_found"], "cache intact"
                assert "stale_data" not in after.structuredContent, "fresh again"
    finally:
        fake.close()


async def test_started_while_trainingpeaks_is_unreachable_the_cache_still_answers(today):
    """Claude Desktop starts tp-mcp while TrainingPeaks cannot be reached (an
    outage, a laptop on a plane): TrainingPeaks cannot say whose cache to
    open, so the athlete this login was last seen as is remembered (by a
    fingerprint, never the cookie). Cached questions are answered from the
    cache, saying so; another login never opens that cache."""
    fake = Fake(today)
    running = True
    try:
        with tempfile.TemporaryDirectory() as data:
            env = dict(TP_MCP_DATA_DIR=data, TP_MCP_STALE_SECS="0", TP_API_TIMEOUT_SECS="2")
            async with mcp_session(fake, **env) as s:
                online = await call_ok(s, "tp_get_fitness", {"days": 42})
                workouts = await call_ok(s, "tp_get_workouts", {"limit": 500})
                profile = await call_ok(s, "tp_get_profile", {})
            with open(os.path.join(data, "logins.json")) as f:
                logins = f.read()
            assert fake.cookie not in logins and str(fake.athlete_id()) in logins
            cached = cache_contents(data)
            url = fake.url
            fake.close()  # nothing listens there any more: connection refused
            running = False

            offline = dict(env, TP_API_BASE_URL=url, TP_AUTH_COOKIE=fake.cookie, TP_MCP_TODAY=today.isoformat())
            async with mcp_session(None, **offline) as s:
                fit = await call_ok(s, "tp_get_fitness", {"days": 42})
                assert fit.structuredContent["current"] == online.structuredContent["current"]
                assert fit.structuredContent["stale_data"], "it says the answer is not fresh"
                assert "Not fresh: TrainingPeaks could not be asked just now" in text_of(fit)
                w = await call_ok(s, "tp_get_workouts", {"limit": 500})
                assert w.structuredContent["total_found"] == workouts.structuredContent["total_found"]
                p = await call_ok(s, "tp_get_profile", {})
                assert p.structuredContent["athlete_id"] == profile.structuredContent["athlete_id"]
                status = await call_ok(s, "tp_auth_status", {})
                # Not "not authenticated": the login may well be fine.
                assert status.structuredContent["could_not_check"] is True
                assert status.structuredContent["authenticated"] is False
                assert text_of(status).splitlines()[2].startswith("Could not check the login"), text_of(status)
                assert "Check your internet connection" in text_of(status)
            assert cache_contents(data) == cached, "nothing cached was lost"

            other = "another-login-cookie-" + "7" * 40
            AUDIT.register_secret(other, "another login's cookie")
            async with mcp_session(None, **dict(offline, TP_AUTH_COOKIE=other)) as s:
                r = await s.call_tool("tp_get_fitness", {"days": 42})
                assert r.isError, "another login must not open this athlete's cache"
                assert "stale_data" not in (r.structuredContent or {})
    finally:
        if running:
            fake.close()


async def test_huge_ranges_twenty_years(fresh_fake, today):
    """20 years of workouts (82 windows, most before the athlete's history
    began) and 20 years of fitness: answered, bounded, nothing lost."""
    start = today.replace(year=today.year - 20)
    async with mcp_session(fresh_fake) as s:
        t0 = time.monotonic()
        r = await call_ok(s, "tp_get_workouts", {"start_date": start.isoformat(), "limit": 5})
        assert time.monotonic() - t0 < 120
        windows = -(-((today - start).days + 1) // 90)
        assert fresh_fake.stats()["by_endpoint"]["workouts"] == windows
        every = fresh_fake.workouts(start, today)
        assert r.structuredContent["total_found"] == sum(1 for w in every if w.get("completed"))
        f = await call_ok(s, "tp_get_fitness", {"days": 7300})
        assert f.structuredContent["resolution"] == "weekly"
        assert f.structuredContent["current"]["ctl"] > 0


async def test_a_brand_new_account_with_no_history(today):
    """An athlete with no workouts at all: every tool answers plainly (zeros,
    empty lists), none fails, and the cache copes with empty windows."""
    fake = Fake(today, ["--new-account"])
    try:
        async with mcp_session(fake) as s:
            f = await call_ok(s, "tp_get_fitness", {"days": 30})
            assert f.structuredContent["current"]["ctl"] == 0 and f.structuredContent["history_start"] is None
            assert "No completed training" in text_of(f)
            w = await call_ok(s, "tp_get_workouts", {})
            assert w.structuredContent["total_found"] == 0 and "No workouts" in text_of(w)
            p = await call_ok(s, "tp_get_planned_workouts", {})
            assert p.structuredContent["total_found"] == 0
            for tool, args in [("tp_fitness_trend", {}), ("tp_training_load_summary", {}), ("tp_performance_summary", {}),
                               ("tp_training_zones_distribution", {}), ("tp_get_peaks", {}), ("tp_get_profile", {}),
                               ("tp_auth_status", {})]:
                r = await s.call_tool(tool, args)
                assert not r.isError, f"{tool}: {text_of(r)}"
            t = await call_ok(s, "tp_fitness_trend", {"projection_days": 14})
            assert all(d["tss"] == 0 for d in t.structuredContent["projection"]["days"])
    finally:
        fake.close()

"""Bad input and TrainingPeaks failures: a clear isError answer, and the server goes on."""

import pytest

from conftest import call_err, call_ok, mcp_session

pytestmark = pytest.mark.anyio

BAD_INPUT = [
    # (tool, arguments, words the message must contain)
    ("tp_get_workouts", {"start_date": "2026-13-45"}, ["start_date", "YYYY-MM-DD"]),
    ("tp_get_workouts", {"start_date": "last tuesday"}, ["start_date", "YYYY-MM-DD"]),
    ("tp_get_workouts", {"start_date": "2026-05-01", "end_date": "2026-04-01"}, ["start_date", "after"]),
    ("tp_get_planned_workouts", {"end_date": "2026-02-30"}, ["end_date", "YYYY-MM-DD"]),
    ("tp_get_fitness", {"days": -5}, ["days", "-5"]),
    ("tp_get_fitness", {"days": 0}, ["days", "1"]),
    ("tp_get_fitness", {"days": 10_000_000}, ["days"]),
    ("tp_get_fitness", {"days": "lots"}, ["days", "whole number"]),
    ("tp_get_fitness", {"ctl_days": 0}, ["ctl_days"]),
    ("tp_get_fitness", {"convention": "banister"}, ["convention", "exponential"]),
    ("tp_fitness_trend", {"projection_days": 400}, ["projection_days", "180"]),
    ("tp_training_load_summary", {"days": -1}, ["days"]),
    ("tp_get_workouts", {"workout_type": "quidditch"}, ["workout_type", "quidditch", "Bike"]),
    ("tp_get_workouts", {"limit": 0}, ["limit"]),
    ("tp_get_peaks", {"sport": "Swim"}, ["sport", "Bike and Run"]),
    ("tp_get_peaks", {"sport": "chess"}, ["sport", "chess"]),
    ("tp_get_peaks", {"pr_class": "Cadence"}, ["pr_class", "Power"]),
    ("tp_performance_summary", {"sport": "underwater hockey"}, ["sport"]),
    ("tp_get_workout", {}, ["workout_id"]),
    ("tp_get_workout", {"workout_id": -3}, ["workout_id", "positive"]),
    ("tp_get_workout", {"workout_id": 424242}, ["424242", "tp_get_workouts"]),
    ("tp_workout_analysis", {"workout_id": 424242}, ["424242"]),
    ("tp_get_workout_prs", {"workout_id": 424242}, ["424242"]),
    ("tp_get_workouts", {"start": "2026-01-01"}, ["start", "start_date"]),
    ("tp_auth_status", {"verbose": True}, ["verbose", "no arguments"]),
    # Found by the tool_arguments fuzzer: an empty name used to show as ``.
    ("tp_get_peaks", {"": ""}, ['Invalid argument `""`', "sport, days, pr_class"]),
]


async def test_every_bad_input_is_a_helpful_tool_error_and_the_server_goes_on(fake):
    async with mcp_session(fake) as s:
        for tool, args, words in BAD_INPUT:
            text = await call_err(s, tool, args)
            for w in words:
                assert w.lower() in text.lower(), f"{tool} {args}: {w!r} not in {text!r}"
        # still answering, same session
        r = await call_ok(s, "tp_auth_status")
        assert r.structuredContent["authenticated"] is True


async def test_token_expiring_mid_session_is_recovered(fresh_fake):
    async with mcp_session(fresh_fake) as s:
        await call_ok(s, "tp_get_fitness", {"days": 7})
        tokens = fresh_fake.stats()["by_endpoint"]["token"]
        fresh_fake.admin("expire_tokens")
        r = await call_ok(s, "tp_get_workouts", {"limit": 3})
        assert r.structuredContent["returned"] == 3
        assert fresh_fake.stats()["by_endpoint"]["token"] == tokens + 1


async def test_server_errors_become_a_clear_answer_then_recover(fresh_fake):
    async with mcp_session(fresh_fake) as s:
        await call_ok(s, "tp_auth_status")
        fresh_fake.admin("fail", {"n": 50, "status": 500})
        text = await call_err(s, "tp_get_workouts", {})
        assert "HTTP 500" in text and "try again" in text
        fresh_fake.admin("reset_faults")
        await call_ok(s, "tp_get_workouts", {})


async def test_transient_500_is_retried_invisibly(fresh_fake):
    async with mcp_session(fresh_fake) as s:
        await call_ok(s, "tp_auth_status")
        fresh_fake.admin("fail", {"n": 1, "status": 503})
        r = await call_ok(s, "tp_get_workouts", {"limit": 1})
        assert r.structuredContent["returned"] == 1


async def test_refused_cookie_says_how_to_reauthenticate(fresh_fake):
    async with mcp_session(fresh_fake) as s:
        fresh_fake.admin("revoke_cookie")
        text = await call_err(s, "tp_get_fitness", {})
        assert "expired" in text and "TP_AUTH_COOKIE" in text
        assert text.index("tp-mcp auth import") < text.index("TP_AUTH_COOKIE"), text
        status = await call_ok(s, "tp_auth_status")
        assert status.structuredContent["authenticated"] is False
        assert "refused" in status.structuredContent["problem"]
        fresh_fake.admin("accept_cookie", {"cookie": fresh_fake.cookie})
        await call_ok(s, "tp_get_fitness", {"days": 3})


async def test_rate_limit_is_reported_when_it_outlasts_the_retries(fresh_fake):
    async with mcp_session(fresh_fake) as s:
        await call_ok(s, "tp_auth_status")
        fresh_fake.admin("retry_after", {"seconds": 3600})
        fresh_fake.admin("fail", {"n": 1, "status": 429})
        text = await call_err(s, "tp_get_workouts", {})
        assert "rate limiting" in text and "3600" in text
        await call_ok(s, "tp_get_workouts")


async def test_no_cookie_at_all(fake):
    async with mcp_session(fake, TP_AUTH_COOKIE="") as s:
        status = await call_ok(s, "tp_auth_status")
        assert status.structuredContent["authenticated"] is False
        assert status.structuredContent["cookie_source"] == "missing"
        text = await call_err(s, "tp_get_workouts", {})
        assert "No TrainingPeaks session cookie" in text and "TP_AUTH_COOKIE" in text


async def test_wrong_athlete_id_is_a_clear_error(fake):
    async with mcp_session(fake, ATHLETE_ID="999") as s:
        text = await call_err(s, "tp_get_workouts", {})
        assert "403" in text and "ATHLETE_ID" in text


def test_malformed_athlete_id_stops_at_start(fake):
    import subprocess
    from conftest import TP_MCP, server_env
    p = subprocess.run([str(TP_MCP), "call", "tp_auth_status"], capture_output=True, text=True,
                       env=server_env(fake, ATHLETE_ID="abc"), timeout=30)
    assert p.returncode != 0 and "ATHLETE_ID" in p.stderr

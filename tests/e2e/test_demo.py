"""The demo athlete and the human CLI, as a newcomer would first meet them."""

import re
import subprocess

import pytest

from conftest import TP_MCP, call_ok, mcp_session

pytestmark = pytest.mark.anyio


def run(*args, env=None):
    return subprocess.run([str(TP_MCP), *args], capture_output=True, text=True, timeout=60, env=env or {"PATH": "/usr/bin:/bin"})


def test_readme_first_command_prints_todays_fitness():
    p = run("--demo", "call", "tp_get_fitness", '{"days":42}')
    assert p.returncode == 0, p.stderr
    out = p.stdout
    ctl = float(re.search(r"Fitness \(CTL\): ([\d.]+)", out).group(1))
    atl = float(re.search(r"Fatigue \(ATL\): ([\d.]+)", out).group(1))
    tsb = float(re.search(r"Form \(TSB\):\s+([+-][\d.]+)", out).group(1))
    assert 40 < ctl < 110 and 20 < atl < 150 and -60 < tsb < 60
    assert "whole history" in out


def test_cli_lists_tools_and_reports_bad_calls():
    p = run("tools")
    assert p.returncode == 0
    listed = [l.split()[0] for l in p.stdout.splitlines() if l.startswith("tp_")]
    assert len(listed) >= 15 and "tp_get_workout_streams" in listed
    p = run("--demo", "call", "tp_get_fitness", '{"days": -1}')
    assert p.returncode == 2 and "days" in p.stderr
    p = run("--demo", "call", "tp_get_fitness", "not json")
    assert p.returncode == 2 and "JSON" in p.stderr
    p = run("--demo", "call", "tp_nope")
    assert p.returncode == 2 and "Unknown tool" in p.stderr


def test_cli_json_output_is_the_structured_content():
    import json
    p = run("--demo", "call", "tp_get_workouts", '{"limit": 2}', "--json")
    assert p.returncode == 0, p.stderr
    data = json.loads(p.stdout)
    assert data["returned"] == 2 and len(data["workouts"]) == 2


async def test_demo_mode_over_mcp_says_so():
    async with mcp_session(None, args=["--demo"]) as s:
        r = await call_ok(s, "tp_auth_status")
        assert r.structuredContent["demo"] is True
        assert r.structuredContent["cookie_source"] == "demo"
        assert "DEMO" in r.content[0].text
        f = await call_ok(s, "tp_get_fitness", {"days": 7})
        assert f.structuredContent["current"]["ctl"] > 0

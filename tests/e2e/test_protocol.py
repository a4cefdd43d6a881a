"""MCP protocol behaviour of the real tp-mcp binary, seen by the official Python client."""

import json
import subprocess

import pytest

from conftest import TP_MCP, mcp_session, server_env

pytestmark = pytest.mark.anyio

TOOLS = {
    "tp_auth_status", "tp_refresh_auth", "tp_get_profile", "tp_get_workouts", "tp_get_workout",
    "tp_get_planned_workouts", "tp_get_fitness", "tp_get_peaks", "tp_get_workout_prs",
    "tp_training_load_summary", "tp_fitness_trend", "tp_workout_analysis", "tp_performance_summary",
    "tp_training_zones_distribution",
    # beyond the reference: second-by-second data
    "tp_get_workout_streams", "tp_power_curve", "tp_critical_power", "tp_compare_efforts",
    # beyond the reference: races and load optimisation
    "tp_get_events", "tp_plan_race", "tp_what_if",
    # beyond the reference: coaches
    "tp_list_athletes", "tp_team_overview", "tp_get_metrics",
}


async def test_initialize_reports_the_server_and_tool_capability(fake):
    # The session initializes inside mcp_session; a second call to list tools proves it is live.
    async with mcp_session(fake) as s:
        result = await s.list_tools()
        assert len(result.tools) == len(TOOLS)


async def test_every_tool_is_listed_with_schemas_and_annotations(fake):
    async with mcp_session(fake) as s:
        tools = {t.name: t for t in (await s.list_tools()).tools}
    assert set(tools) == TOOLS
    for name, t in tools.items():
        assert t.title, name
        assert len(t.description) > 80, f"{name}: description should tell the model when to use it"
        assert t.inputSchema["type"] == "object", name
        assert t.outputSchema and t.outputSchema["type"] == "object", name
        assert t.annotations.readOnlyHint is True, name
        assert t.annotations.openWorldHint is True, name
        assert t.annotations.destructiveHint is False, name
    # the reference's argument names are kept
    props = lambda n: set(tools[n].inputSchema.get("properties", {}))  # noqa: E731
    assert {"start_date", "end_date", "workout_type", "limit"} <= props("tp_get_workouts")
    assert {"start_date", "end_date", "workout_type", "limit"} <= props("tp_get_planned_workouts")
    assert {"days", "start_date", "end_date"} <= props("tp_get_fitness")
    assert {"sport", "days", "pr_class"} <= props("tp_get_peaks")
    assert props("tp_get_workout") == {"workout_id", "refresh", "athlete"}
    # every history-reading tool takes `refresh`; the auth tools take nothing
    for name, t in tools.items():
        has_refresh = "refresh" in t.inputSchema.get("properties", {})
        assert has_refresh == (name not in {"tp_auth_status", "tp_refresh_auth", "tp_list_athletes", "tp_team_overview"}), name
    assert tools["tp_get_workout"].inputSchema.get("required") == ["workout_id"]
    assert {"start_date", "end_date", "days"} <= props("tp_training_zones_distribution")
    assert {"sport", "days"} <= props("tp_performance_summary")
    assert {"workout_id", "resolution_s", "start_s", "end_s"} <= props("tp_get_workout_streams")
    assert {"sport", "metric", "days", "start_date", "end_date", "durations_s", "workout_id",
            "compare_start_date", "compare_end_date"} <= props("tp_power_curve")
    assert {"sport", "days", "start_date", "end_date"} <= props("tp_critical_power")


def test_stdout_is_protocol_only_and_eof_exits_cleanly(fake):
    """Raw stdio: every stdout line is JSON-RPC, logs go to stderr, EOF ends the process with 0."""
    init = {
        "jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "raw", "version": "0"}},
    }
    msgs = [
        init,
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "tp_auth_status", "arguments": {}}},
    ]
    proc = subprocess.Popen(
        [str(TP_MCP)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env=server_env(fake, RUST_LOG="debug"), text=True,
    )
    out, err = proc.communicate("".join(json.dumps(m) + "\n" for m in msgs), timeout=30)
    assert proc.returncode == 0, err
    lines = [l for l in out.splitlines() if l.strip()]
    parsed = [json.loads(l) for l in lines]  # every line is JSON
    assert all(p.get("jsonrpc") == "2.0" for p in parsed)
    by_id = {p.get("id"): p for p in parsed}
    assert by_id[1]["result"]["serverInfo"]["name"] == "tp-mcp"
    assert by_id[2]["result"]["structuredContent"]["authenticated"] is True
    assert "DEBUG" in err or "INFO" in err, "logs go to stderr"
    assert fake.cookie not in out and fake.cookie not in err


async def test_unknown_tool_is_a_protocol_error_and_the_server_goes_on(fake):
    async with mcp_session(fake) as s:
        with pytest.raises(Exception) as e:
            await s.call_tool("tp_does_not_exist", {})
        assert "unknown tool" in str(e.value)
        again = await s.call_tool("tp_auth_status", {})
        assert not again.isError

"""Shared harness for the end-to-end tests.

Every test here drives the real `tp-mcp` binary over stdio with the official
Python MCP SDK client (a client we did not write), against a real `tp-fake`
process serving the deterministic demo athlete on a loopback port.

Expected values are computed here, independently, from the fake's raw API
(the same HTTP answers TrainingPeaks would give), never copied from tp-mcp.

The whole suite is leak-audited (tests/leak_audit.py): `TP_MCP` is a shim
that keeps copies of everything tp-mcp writes, and at the end every byte is
searched for the suite's cookies and for every token the fakes issued.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import pathlib
import subprocess
import sys
import tempfile

import httpx
import pytest
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
from leak_audit import LeakAudit, audit_hooks  # noqa: E402

BIN = pathlib.Path(os.environ.get("TP_BIN_DIR", ROOT / "target" / "debug"))
TP_FAKE = BIN / "tp-fake"
COOKIE = "e2e-cookie-Production_tpAuth-0123456789"
# The fake's coach login (three coached athletes, none of its own).
COACH_COOKIE = "e2e-coach-cookie-Production_tpAuth-9876543210"

AUDIT = LeakAudit("e2e", ROOT)
AUDIT.install_tempdir_hook()
AUDIT.register_secret(COOKIE, "the suite's session cookie")
AUDIT.register_secret(COACH_COOKIE, "the suite's coach session cookie")
TP_MCP = AUDIT.shim(BIN / "tp-mcp")
pytest_sessionfinish, pytest_terminal_summary = audit_hooks(AUDIT)


class Fake:
    """A running tp-fake process and a small client for its API and admin routes."""

    def __init__(self, today: dt.date, extra_args: list[str] | None = None):
        self.today = today
        self.cookie = COOKIE
        args = [str(TP_FAKE), "--port", "0", "--cookie", COOKIE, "--coach-cookie", COACH_COOKIE,
                "--today", today.isoformat()]
        self.proc = subprocess.Popen(
            args + (extra_args or []),
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        line = self.proc.stdout.readline()
        if "listening on" not in line:
            raise RuntimeError(f"tp-fake did not start: {line!r}")
        self.url = line.split("listening on", 1)[1].split()[0].strip()
        self.http = httpx.Client(base_url=self.url, timeout=30)
        self._token: str | None = None
        self._coach_token: str | None = None
        self._audit = AUDIT.watch_fake(self.issued_tokens)

    def close(self):
        AUDIT.unwatch_fake(self._audit)
        self.http.close()
        self.proc.terminate()
        self.proc.wait(timeout=10)

    # -- admin -------------------------------------------------------------
    def admin(self, path: str, body: dict | None = None):
        if path == "accept_cookie":
            AUDIT.register_secret(body["cookie"], "a cookie the fake accepts")
        r = self.http.post(f"/_fake/{path}", json=body or {})
        r.raise_for_status()
        return r.json() if r.content else None

    def issued_tokens(self) -> list[str]:
        return self.http.get("/_fake/tokens").json()

    def stats(self) -> dict:
        return self.http.get("/_fake/stats").json()

    # -- the raw API, as TrainingPeaks would answer ------------------------
    def token(self) -> str:
        if self._token is None:
            r = self.http.get("/users/v3/token", headers={"Cookie": f"Production_tpAuth={COOKIE}"})
            r.raise_for_status()
            self._token = r.json()["token"]["access_token"]
        return self._token

    def coach_api(self, method: str, path: str, **kw):
        """The raw API as the coach login sees it."""
        if self._coach_token is None:
            r = self.http.get("/users/v3/token", headers={"Cookie": f"Production_tpAuth={COACH_COOKIE}"})
            r.raise_for_status()
            self._coach_token = r.json()["token"]["access_token"]
        r = self.http.request(method, path, headers={"Authorization": f"Bearer {self._coach_token}"}, **kw)
        r.raise_for_status()
        return r.json() if r.content else None

    def api(self, method: str, path: str, **kw):
        r = self.http.request(method, path, headers={"Authorization": f"Bearer {self.token()}"}, **kw)
        r.raise_for_status()
        return r.json()

    def athlete_id(self) -> int:
        return self.api("GET", "/users/v3/user")["user"]["athletes"][0]["athleteId"]

    def workouts(self, start: dt.date, end: dt.date) -> list[dict]:
        """All workouts in a range, fetched in 90-day windows like any client must."""
        out, cur = [], start
        aid = self.athlete_id()
        while cur <= end:
            to = min(cur + dt.timedelta(days=89), end)
            out += self.api("GET", f"/fitness/v6/athletes/{aid}/workouts/{cur}/{to}")
            cur = to + dt.timedelta(days=1)
        return out

    def daily_tss(self, start: dt.date, end: dt.date) -> list[tuple[dt.date, float, float]]:
        aid = self.athlete_id()
        rows = self.api("POST", f"/fitness/v1/athletes/{aid}/reporting/performancedata/{start}/{end}", json={})
        return [
            (dt.date.fromisoformat(r["workoutDay"][:10]), float(r["tssActual"] or 0), float(r["tssPlanned"] or 0))
            for r in rows
        ]


@pytest.fixture(scope="session")
def today() -> dt.date:
    return dt.date.today()


@pytest.fixture(scope="session")
def fake(today):
    f = Fake(today)
    yield f
    f.close()


@pytest.fixture
def fresh_fake(today):
    """A fake of its own, for tests that flip fault switches."""
    f = Fake(today)
    yield f
    f.close()


def server_env(fake: Fake | None, **extra: str) -> dict[str, str]:
    # Debug-level logs: the leak audit reads everything the suite logged.
    env = {"PATH": os.environ.get("PATH", ""), "RUST_LOG": os.environ.get("RUST_LOG", "debug")}
    if fake is not None:
        env.update(
            TP_API_BASE_URL=fake.url,
            TP_AUTH_COOKIE=fake.cookie,
            TP_MCP_TODAY=fake.today.isoformat(),
        )
    env.update(extra)
    return env


@contextlib.asynccontextmanager
async def mcp_session(fake: Fake | None, args: list[str] | None = None, **env: str):
    """An initialized MCP client session with a freshly spawned tp-mcp.

    Each session gets an empty history cache of its own unless the caller
    passes TP_MCP_DATA_DIR (tests of the cache share one on purpose)."""
    own_dir = None
    if "TP_MCP_DATA_DIR" not in env:
        own_dir = tempfile.TemporaryDirectory(prefix="tp-mcp-e2e-")
        env["TP_MCP_DATA_DIR"] = own_dir.name
    params = StdioServerParameters(command=str(TP_MCP), args=args or [], env=server_env(fake, **env))
    if os.environ.get("E2E_STDERR_FILE"):
        errlog = open(os.environ["E2E_STDERR_FILE"], "a")
    elif os.environ.get("E2E_SHOW_STDERR"):
        errlog = sys.stderr
    else:
        errlog = open(os.devnull, "w")
    try:
        async with stdio_client(params, errlog=errlog) as (read, write):
            async with ClientSession(read, write) as session:
                await session.initialize()
                yield session
    finally:
        if errlog is not sys.stderr:
            errlog.close()
        if own_dir is not None:
            own_dir.cleanup()


def text_of(result) -> str:
    return "\n".join(c.text for c in result.content if getattr(c, "type", "") == "text")


async def call_ok(session: ClientSession, tool: str, args: dict | None = None):
    result = await session.call_tool(tool, args or {})
    assert not result.isError, f"{tool} failed: {text_of(result)}"
    assert result.structuredContent is not None, f"{tool} returned no structuredContent"
    return result


async def call_err(session: ClientSession, tool: str, args: dict | None = None) -> str:
    result = await session.call_tool(tool, args or {})
    assert result.isError, f"{tool} should have failed but answered: {text_of(result)[:400]}"
    return text_of(result)


def pmc(tss: list[float], ctl_days: float = 42, atl_days: float = 7):
    """The TrainingPeaks PMC recurrence, written independently of tp-fitness:
    CTL += (TSS − CTL)/42, ATL += (TSS − ATL)/7, TSB(d) = CTL(d−1) − ATL(d−1)."""
    ctl = atl = 0.0
    rows = []
    for t in tss:
        tsb = ctl - atl
        ctl += (t - ctl) / ctl_days
        atl += (t - atl) / atl_days
        rows.append((ctl, atl, tsb))
    return rows


@pytest.fixture
def anyio_backend():
    return "asyncio"


def dump(obj) -> str:
    return json.dumps(obj, indent=1, default=str)[:2000]

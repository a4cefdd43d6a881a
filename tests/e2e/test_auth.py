"""The login cookie end to end: real browsers → `tp-mcp auth` → the real
keychain → a `tp-mcp` server started with an empty environment.

These tests write the keychain entry every binary shares (service "tp-mcp",
account "Production_tpAuth"), so they run only under `scripts/test-auth`,
which starts a private D-Bus session with a throwaway, unlocked GNOME
Keyring and sets TP_AUTH_REAL_TESTS=1. Anywhere else they are skipped, so
they never touch a developer's own keyring.
"""

from __future__ import annotations

import contextlib
import http.server
import os
import pathlib
import secrets
import shutil
import sqlite3
import ssl
import subprocess
import sys
import tempfile
import threading
import time

import pytest
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

from conftest import AUDIT, TP_MCP, call_ok, text_of

pytestmark = pytest.mark.anyio

REAL = os.environ.get("TP_AUTH_REAL_TESTS") == "1"
if not REAL:
    pytest.skip(
        "uses the shared keychain entry: run scripts/test-auth (a private keyring)",
        allow_module_level=True,
    )

DBUS_VARS = ("DBUS_SESSION_BUS_ADDRESS", "DBUS_SESSION_BUS_PID", "XDG_RUNTIME_DIR")


def dbus_env() -> dict[str, str]:
    """The D-Bus session variables: all a process needs to reach the keychain."""
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        pytest.fail("TP_AUTH_REAL_TESTS=1 but there is no D-Bus session bus")
    return {k: os.environ[k] for k in DBUS_VARS if os.environ.get(k)}


def bare_env(**extra: str) -> dict[str, str]:
    """PATH and the D-Bus session, nothing else (no HOME, no TP_AUTH_COOKIE);
    debug-level logs, for the leak audit to search."""
    env = {"PATH": os.environ.get("PATH", ""), "RUST_LOG": "debug"}
    env.update(dbus_env())
    env.update(extra)
    return env


def auth(*args: str, env: dict[str, str], stdin: str | None = None) -> subprocess.CompletedProcess:
    if stdin:
        AUDIT.register_secret(stdin.strip().removeprefix("Production_tpAuth="), "a cookie given to `auth set`")
    return subprocess.run(
        [str(TP_MCP), "auth", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def keychain_value() -> str | None:
    """The shared entry, read by another Secret Service client (libsecret)."""
    out = subprocess.run(
        ["secret-tool", "lookup", "service", "tp-mcp", "username", "Production_tpAuth"],
        env=bare_env(),
        capture_output=True,
        text=True,
    )
    return out.stdout if out.returncode == 0 else None


@pytest.fixture(autouse=True)
def clean_keychain():
    auth("clear", env=bare_env())
    yield
    auth("clear", env=bare_env())


@pytest.fixture
def home():
    with tempfile.TemporaryDirectory(prefix="tp-auth-home-") as d:
        yield pathlib.Path(d)


# -- browser profiles ------------------------------------------------------


class LoginPage:
    """A loopback HTTPS server answering as app.trainingpeaks.com with a login cookie."""

    def __init__(self, workdir: pathlib.Path, value: str):
        cert, key = workdir / "cert.pem", workdir / "key.pem"
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
             "-nodes", "-days", "2", "-subj", "/CN=app.trainingpeaks.com",
             "-addext", "subjectAltName=DNS:app.trainingpeaks.com",
             "-keyout", str(key), "-out", str(cert)],
            check=True, capture_output=True,
        )
        cookie = (f"Production_tpAuth={value}; Domain=.trainingpeaks.com; Path=/; "
                  "Max-Age=864000; Secure; HttpOnly; SameSite=Lax")

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Set-Cookie", cookie)
                self.send_header("Content-Type", "text/html")
                self.end_headers()
                self.wfile.write(b"<html><body>TrainingPeaks (test)</body></html>")

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def chromium_login(home: pathlib.Path, value: str) -> pathlib.Path:
    """Real headless Chromium logs in: its profile lands where Chromium keeps
    it (~/.config/chromium), the cookie encrypted ("v11") with a key Chromium
    keeps in the keyring."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        pytest.fail("TP_AUTH_REAL_TESTS=1 but Debian's chromium is not installed")
    page = LoginPage(home, value)
    try:
        out = subprocess.run(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--ignore-certificate-errors", "--password-store=gnome-libsecret",
             f"--host-resolver-rules=MAP app.trainingpeaks.com 127.0.0.1:{page.port}",
             f"--user-data-dir={home / '.config' / 'chromium'}",
             "--dump-dom", "https://app.trainingpeaks.com/"],
            env=bare_env(HOME=str(home)), capture_output=True, text=True, timeout=90,
        )
    finally:
        page.close()
    db = home / ".config" / "chromium" / "Default" / "Cookies"
    assert out.returncode == 0 and db.is_file(), out.stderr[-2000:]
    return db


# Firefox 153 ESR's moz_cookies (schema 17): expiry in ms, times in µs.
FIREFOX_SCHEMA = """
PRAGMA user_version = 17;
CREATE TABLE moz_cookies (id INTEGER PRIMARY KEY, originAttributes TEXT NOT NULL DEFAULT '',
name TEXT, value TEXT, host TEXT, path TEXT, expiry INTEGER, lastAccessed INTEGER,
creationTime INTEGER, isSecure INTEGER, isHttpOnly INTEGER, inBrowserElement INTEGER DEFAULT 0,
sameSite INTEGER DEFAULT 0, schemeMap INTEGER DEFAULT 0, isPartitionedAttributeSet INTEGER DEFAULT 0,
updateTime INTEGER, CONSTRAINT moz_uniqueid UNIQUE (name, host, path, originAttributes));
"""


def firefox_login(home: pathlib.Path, value: str, profile: str = "abc123.default-release") -> pathlib.Path:
    """A Firefox profile where Firefox keeps it, with a TrainingPeaks login."""
    d = home / ".mozilla" / "firefox" / profile
    d.mkdir(parents=True)
    db = d / "cookies.sqlite"
    con = sqlite3.connect(db)
    con.executescript(FIREFOX_SCHEMA)
    now_us = int(time.time() * 1_000_000)
    con.execute(
        "INSERT INTO moz_cookies (originAttributes, name, value, host, path, expiry, lastAccessed,"
        " creationTime, isSecure, isHttpOnly, inBrowserElement, sameSite, schemeMap,"
        " isPartitionedAttributeSet, updateTime)"
        " VALUES ('', 'Production_tpAuth', ?, '.trainingpeaks.com', '/', ?, ?, ?, 1, 1, 0, 1, 2, 0, ?)",
        (value, int(time.time() + 864000) * 1000, now_us, now_us, now_us),
    )
    con.commit()
    con.close()
    return db


# -- an MCP session with exactly the given environment ----------------------


@contextlib.asynccontextmanager
async def session_with(env: dict[str, str]):
    """An MCP session with a tp-mcp started with exactly `env`."""
    params = StdioServerParameters(command=str(TP_MCP), args=[], env=env)
    errlog = open(os.devnull, "w") if not os.environ.get("E2E_SHOW_STDERR") else None
    try:
        async with stdio_client(params, errlog=errlog or sys.stderr) as (read, write):
            async with ClientSession(read, write) as session:
                await session.initialize()
                yield session
    finally:
        if errlog is not None:
            errlog.close()


def new_cookie(tag: str) -> str:
    value = f"{tag}-{secrets.token_hex(12)}"
    AUDIT.register_secret(value, f"the {tag} browser login cookie")
    return value


# -- the tests --------------------------------------------------------------


async def test_chromium_login_imported_then_an_empty_environment_server_is_authenticated(fresh_fake, home):
    athlete_id = fresh_fake.athlete_id()
    value = new_cookie("chromium-e2e")
    chromium_login(home, value)
    fresh_fake.admin("accept_cookie", {"cookie": value})

    out = auth("import", "--browser", "chromium", env=bare_env(HOME=str(home), TP_API_BASE_URL=fresh_fake.url))
    assert out.returncode == 0, out.stderr
    assert "Imported your TrainingPeaks login from Chromium (profile Default)" in out.stdout
    assert "TrainingPeaks accepted it" in out.stdout
    assert value not in out.stdout + out.stderr
    assert keychain_value() == value

    # The sidecar's situation: nothing but PATH, the D-Bus session and the API.
    env = bare_env(TP_API_BASE_URL=fresh_fake.url)
    assert set(env) <= {"PATH", "RUST_LOG", "TP_API_BASE_URL", *DBUS_VARS}
    async with session_with(env) as s:
        status = await call_ok(s, "tp_auth_status")
        sc = status.structuredContent
        assert sc["authenticated"] is True, sc
        assert sc["cookie_source"] == "keychain"
        assert "keychain" in sc["cookie_source_description"]
        assert sc["account"]["athlete_id"] == athlete_id
        assert value not in text_of(status) and value not in str(sc)


async def test_auth_set_reads_stdin_and_every_process_sees_it(fresh_fake):
    env = bare_env(TP_API_BASE_URL=fresh_fake.url)
    out = auth("set", env=env, stdin=f"Production_tpAuth={fresh_fake.cookie}\n")
    assert out.returncode == 0, out.stderr
    assert "Stored the cookie" in out.stdout

    status = auth("status", env=env)
    assert status.returncode == 0, status.stdout + status.stderr
    assert "Cookie source: the system keychain" in status.stdout
    assert "TrainingPeaks accepts the cookie" in status.stdout
    assert "Account:" in status.stdout
    assert fresh_fake.cookie not in status.stdout + status.stderr

    # A refused cookie is not stored: the good one stays.
    bad = auth("set", env=env, stdin="not-a-valid-cookie\n")
    assert bad.returncode == 1 and "refused" in bad.stderr
    assert keychain_value() == fresh_fake.cookie

    # Never from the command line, and never echoed back from there.
    argv = auth("set", f"Production_tpAuth={fresh_fake.cookie}", "--no-check", env=env)
    assert argv.returncode == 2 and "not taken from the command line" in argv.stderr
    assert fresh_fake.cookie not in argv.stdout + argv.stderr

    cleared = auth("clear", env=env)
    assert cleared.returncode == 0 and "Removed" in cleared.stdout
    assert keychain_value() is None
    status = auth("status", env=env)
    assert status.returncode == 1 and "Cookie source: nowhere" in status.stdout
    assert "There was no" in auth("clear", env=env).stdout


async def test_refresh_auth_reimports_from_the_browser_when_the_stored_cookie_is_refused(fresh_fake, home):
    env = bare_env(TP_API_BASE_URL=fresh_fake.url)
    assert auth("set", "--no-check", env=env, stdin="signed-out-cookie\n").returncode == 0
    fresh = new_cookie("firefox-e2e")
    firefox_login(home, fresh)
    fresh_fake.admin("accept_cookie", {"cookie": fresh})

    async with session_with(bare_env(HOME=str(home), TP_API_BASE_URL=fresh_fake.url)) as s:
        before = await call_ok(s, "tp_auth_status")
        assert before.structuredContent["authenticated"] is False
        assert before.structuredContent["cookie_source"] == "keychain"

        refreshed = await call_ok(s, "tp_refresh_auth")
        sc, text = refreshed.structuredContent, text_of(refreshed)
        assert sc["authenticated"] is True, text
        assert "imported from Firefox (profile abc123.default-release)" in text
        assert "Firefox" in sc["cookie_source_description"]
        assert fresh not in text and fresh not in str(sc)

        after = await call_ok(s, "tp_auth_status")
        assert after.structuredContent["authenticated"] is True
    # Stored for the next start.
    assert keychain_value() == fresh


async def test_refresh_auth_says_why_when_no_browser_has_a_login(fresh_fake, home):
    env = bare_env(TP_API_BASE_URL=fresh_fake.url)
    assert auth("set", "--no-check", env=env, stdin="signed-out-cookie\n").returncode == 0
    async with session_with(bare_env(HOME=str(home), TP_API_BASE_URL=fresh_fake.url)) as s:
        refreshed = await call_ok(s, "tp_refresh_auth")
        sc = refreshed.structuredContent
        assert sc["authenticated"] is False
        assert sc["could_not_check"] is False, "a refused cookie is a definite answer"
        assert "Not authenticated." in text_of(refreshed)
        problem = sc["problem"]
        assert "refused" in problem
        assert "No usable TrainingPeaks login was found in your browsers" in problem
        assert "not installed" in problem and "Firefox" in problem
    assert keychain_value() == "signed-out-cookie"


async def test_a_server_started_without_any_cookie_is_authenticated_after_refresh(fresh_fake, home):
    assert auth("clear", env=bare_env()).returncode == 0
    fresh = new_cookie("firefox-late-login")
    firefox_login(home, fresh)
    fresh_fake.admin("accept_cookie", {"cookie": fresh})
    async with session_with(bare_env(HOME=str(home), TP_API_BASE_URL=fresh_fake.url)) as s:
        before = await call_ok(s, "tp_auth_status")
        assert before.structuredContent["cookie_source"] == "missing"
        await call_ok(s, "tp_refresh_auth")
        after = await call_ok(s, "tp_auth_status")
        assert after.structuredContent["authenticated"] is True
        assert after.structuredContent["cookie_source"] == "keychain"
        await call_ok(s, "tp_get_workouts", {"limit": 1})
    assert keychain_value() == fresh


def test_import_with_nothing_usable_lists_each_browser(fresh_fake, home):
    firefox_login(home, "refused-by-the-fake", profile="old.default")
    out = auth("import", env=bare_env(HOME=str(home), TP_API_BASE_URL=fresh_fake.url))
    assert out.returncode == 1
    err = out.stderr
    assert "No usable TrainingPeaks login was found" in err
    assert "Firefox (profile old.default): has a TrainingPeaks login cookie, but TrainingPeaks refused it" in err
    assert "not installed (no cookie database found): Google Chrome, Chromium" in err
    assert "tp-mcp auth set" in err and "TP_AUTH_COOKIE" in err
    assert "refused-by-the-fake" not in err + out.stdout
    assert keychain_value() is None

    unknown = auth("import", "--browser", "netscape", env=bare_env(HOME=str(home)))
    assert unknown.returncode == 1
    assert "No browser called \"netscape\"" in unknown.stderr and "Firefox" in unknown.stderr

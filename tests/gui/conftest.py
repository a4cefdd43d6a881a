"""Harness for the tray app's GUI tests (run by scripts/test-gui).

Everything is real: the debug `tp-tray` binary in a real X server (Xvfb, a
fresh display per test), a real system tray host where a test wants one
(`trayer`, an XEmbed tray: Ayatana AppIndicator falls back to it when no
StatusNotifier host is on D-Bus), real mouse and keyboard events (xdotool),
real screenshots of the screen (ImageMagick `import -window root`), and the
chart window's WebKit driven over WebDriver (`tauri-driver` in front of
Debian's `WebKitWebDriver`).

Expected numbers come from the `tp-mcp` sidecar binary (`tp-mcp --demo call
tp_get_fitness … --json`): the tray must show exactly what Claude is told.

Screenshots land in target/gui-test/ for people to look at.

The suite is leak-audited (tests/leak_audit.py): the tray's logs, what the
tp-mcp sidecar wrote, and the cache and Claude Desktop config the tray
wrote are searched for the suite's cookies and the fakes' tokens.
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
from leak_audit import LeakAudit, audit_hooks  # noqa: E402

BIN = pathlib.Path(os.environ.get("TP_BIN_DIR", ROOT / "target" / "debug"))
TP_TRAY = BIN / "tp-tray"
TP_FAKE = BIN / "tp-fake"

AUDIT = LeakAudit("gui", ROOT)
AUDIT.install_tempdir_hook()
# The sidecar binary itself (what Claude Desktop's config must name), and
# the audit's shim in front of it (what the tests run).
TP_MCP_BINARY = BIN / "tp-mcp"
TP_MCP = AUDIT.shim(TP_MCP_BINARY)
pytest_sessionfinish, pytest_terminal_summary = audit_hooks(AUDIT, suite_size=5)
ARTIFACTS = pathlib.Path(os.environ.get("TP_GUI_ARTIFACTS", ROOT / "target" / "gui-test"))
TODAY = "2026-11-24"


def wait_for(what: str, check, timeout: float = 30.0, every: float = 0.25):
    """Polls `check()` until it returns something truthy; fails with `what`."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = check()
            if last:
                return last
        except Exception as e:  # noqa: BLE001 - reported below
            last = e
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what} (last: {last!r})")


# --- X display -----------------------------------------------------------------


class Display:
    """A private Xvfb server; `name` is ":N"."""

    def __init__(self, width: int = 1280, height: int = 800):
        self.width, self.height = width, height
        read, write = os.pipe()
        self.proc = subprocess.Popen(
            ["Xvfb", "-displayfd", str(write), "-screen", "0", f"{width}x{height}x24",
             "-nolisten", "tcp", "-noreset"],
            pass_fds=(write,),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(write)
        with os.fdopen(read) as f:
            number = f.readline().strip()
        if not number:
            raise RuntimeError("Xvfb did not start")
        self.name = f":{number}"
        self.env = {"DISPLAY": self.name}

    def run(self, *args: str, check: bool = True) -> str:
        out = subprocess.run(args, env={**os.environ, **self.env}, capture_output=True, text=True,
                             timeout=30)
        if check and out.returncode != 0:
            raise RuntimeError(f"{args} failed: {out.stderr}")
        return out.stdout

    def screenshot(self, name: str) -> pathlib.Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.run("import", "-window", "root", str(path))
        return path

    def find_window(self, title_regex: str) -> dict | None:
        """The geometry {x, y, width, height} of a visible window whose title matches."""
        ids = self.run("xdotool", "search", "--onlyvisible", "--name", title_regex, check=False).split()
        for wid in ids:
            geo = {}
            for line in self.run("xdotool", "getwindowgeometry", "--shell", wid).splitlines():
                key, _, value = line.partition("=")
                geo[key.lower()] = int(value) if value.isdigit() else value
            if geo.get("width", 0) > 100:
                return {"x": geo["x"], "y": geo["y"], "width": geo["width"], "height": geo["height"]}
        return None

    def close(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


@pytest.fixture
def display():
    d = Display()
    yield d
    d.close()


# --- pixels ----------------------------------------------------------------------


class Pixels:
    """The RGB pixels of a screenshot region, read with ImageMagick."""

    def __init__(self, path: pathlib.Path, x: int = 0, y: int = 0, w: int | None = None,
                 h: int | None = None):
        if w is None or h is None:
            size = subprocess.run(["identify", "-format", "%w %h", str(path)], capture_output=True,
                                  text=True, check=True).stdout.split()
            w = w or int(size[0]) - x
            h = h or int(size[1]) - y
        self.w, self.h = w, h
        raw = subprocess.run(
            ["convert", str(path), "-crop", f"{w}x{h}+{x}+{y}", "+repage", "-depth", "8", "rgb:-"],
            capture_output=True, check=True,
        ).stdout
        assert len(raw) == w * h * 3, (len(raw), w, h)
        self.raw = raw

    def colors(self):
        raw = self.raw
        return [(raw[i], raw[i + 1], raw[i + 2]) for i in range(0, len(raw), 3)]

    def count_near(self, rgb: tuple[int, int, int], tolerance: int = 40) -> int:
        r0, g0, b0 = rgb
        return sum(1 for r, g, b in self.colors()
                   if abs(r - r0) + abs(g - g0) + abs(b - b0) <= tolerance)

    def stats(self) -> dict:
        cols = self.colors()
        lum = [0.299 * r + 0.587 * g + 0.114 * b for r, g, b in cols]
        mean = sum(lum) / len(lum)
        std = (sum((v - mean) ** 2 for v in lum) / len(lum)) ** 0.5
        counts: dict = {}
        for c in cols:
            counts[c] = counts.get(c, 0) + 1
        background = max(counts.values())
        return {
            "unique_colors": len(counts),
            "luminance_mean": mean,
            "luminance_std": std,
            "non_background_share": 1 - background / len(cols),
        }


def hex_rgb(value: str) -> tuple[int, int, int]:
    value = value.strip().lstrip("#")
    return tuple(int(value[i:i + 2], 16) for i in (0, 2, 4))  # type: ignore[return-value]


# --- the app ---------------------------------------------------------------------


def base_env(display: Display, home: pathlib.Path) -> dict:
    """A clean environment: a throwaway HOME, no session bus, no account."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TP_", "DBUS_", "XDG_", "WAYLAND_")) and k not in ("ATHLETE_ID",)}
    env.update(display.env)
    env.update({
        # No session bus: GLib would otherwise start one for the X display
        # (dbus-launch --autolaunch), and with it desktop portals that mount
        # FUSE file systems in HOME and outlive the test.
        "DBUS_SESSION_BUS_ADDRESS": f"unix:path={home}/no-session-bus",
        "HOME": str(home),
        "TP_MCP_TODAY": TODAY,
        "RUST_LOG": "warn,tp_tray=info",
        "NO_AT_BRIDGE": "1",  # no accessibility bus to look for
        "GDK_BACKEND": "x11",
    })
    return env


class TrayApp:
    """A `tp-tray` process with its stderr in a log file."""

    def __init__(self, env: dict, args: list[str], name: str):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.log_path = ARTIFACTS / f"{name}.log"
        self.log = open(self.log_path, "w")
        AUDIT.watch_file(self.log_path)
        self.proc = subprocess.Popen([str(TP_TRAY), *args], env=env, stdout=self.log,
                                     stderr=subprocess.STDOUT)

    def text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_log(self, needle: str, timeout: float = 60) -> str:
        return wait_for(f"{needle!r} in the tray's log", lambda: needle in self.text() and self.text(),
                        timeout)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self):
        if self.alive():
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def tray_processes(home: pathlib.Path) -> list[int]:
    """The tp-tray processes started with this HOME (this test's), by /proc."""
    pids = []
    for entry in pathlib.Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "comm").read_text().strip() != "tp-tray":
                continue
            env = (entry / "environ").read_bytes().split(b"\0")
        except OSError:
            continue  # gone meanwhile
        if f"HOME={home}".encode() in env:
            pids.append(int(entry.name))
    return sorted(pids)


@pytest.fixture
def home():
    with tempfile.TemporaryDirectory(prefix="tp-tray-home-", ignore_cleanup_errors=True) as d:
        yield pathlib.Path(d)


@pytest.fixture
def sidecar_fitness() -> dict:
    """Today's numbers as the tp-mcp sidecar gives them to Claude."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TP_")}
    env["TP_MCP_TODAY"] = TODAY
    out = subprocess.run([str(TP_MCP), "--demo", "call", "tp_get_fitness", '{"days":42}', "--json"],
                         env=env, capture_output=True, text=True, check=True, timeout=120)
    return json.loads(out.stdout)


class Fake:
    """A tp-fake process (the fake TrainingPeaks) on a loopback port."""

    def __init__(self, cookie: str, extra_args: list[str] | None = None, today: str = TODAY):
        """`today`: the fake's last day of history (its calendar runs ~10 weeks past it)."""
        self.cookie = cookie
        AUDIT.register_secret(cookie, "the GUI suite's session cookie")
        self.proc = subprocess.Popen(
            [str(TP_FAKE), "--port", "0", "--cookie", cookie, "--today", today, *(extra_args or [])],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )
        line = self.proc.stdout.readline()
        if "listening on" not in line:
            raise RuntimeError(f"tp-fake did not start: {line!r}")
        self.url = line.split("listening on", 1)[1].split()[0].strip()
        self._audit = AUDIT.watch_fake(self.issued_tokens)

    def issued_tokens(self) -> list[str]:
        with urllib.request.urlopen(f"{self.url}/_fake/tokens", timeout=10) as r:
            return json.loads(r.read())

    def stats(self) -> dict:
        """The requests the fake answered: `total`, `by_endpoint`, …"""
        with urllib.request.urlopen(f"{self.url}/_fake/stats", timeout=10) as r:
            return json.loads(r.read())

    def admin(self, path: str, body: dict | None = None):
        """A fault switch or other `/_fake/` admin call."""
        req = urllib.request.Request(f"{self.url}/_fake/{path}", data=json.dumps(body or {}).encode(),
                                     method="POST", headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read() or b"null")

    def close(self):
        AUDIT.unwatch_fake(self._audit)
        self.proc.terminate()
        self.proc.wait(timeout=10)


@pytest.fixture
def fake():
    f = Fake("gui-test-cookie-Production_tpAuth-0123456789")
    yield f
    f.close()


class Tray:
    """`trayer`, a system tray host (XEmbed), docked at the screen's top right."""

    WIDTH, HEIGHT = 160, 32

    def __init__(self, display: Display):
        self.display = display
        self.proc = subprocess.Popen(
            ["trayer", "--edge", "top", "--align", "right", "--widthtype", "pixel",
             "--width", str(self.WIDTH), "--height", str(self.HEIGHT), "--transparent", "false",
             "--tint", "0x404040", "--SetDockType", "true", "--SetPartialStrut", "false"],
            env={**os.environ, **display.env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        # The root window of Xvfb is black; the docked panel is light grey.
        wait_for("the tray host's panel", self._panel_shown)
        self.x = display.width - self.WIDTH

    def _panel_shown(self):
        shot = self.display.screenshot("tray-host")
        px = Pixels(shot, self.display.width - self.WIDTH, 0, self.WIDTH, self.HEIGHT)
        return px.stats()["luminance_mean"] > 100

    def region(self, name: str) -> Pixels:
        shot = self.display.screenshot(name)
        return Pixels(shot, self.x, 0, self.WIDTH, self.HEIGHT)

    def icon_center(self, color: tuple[int, int, int]) -> tuple[int, int]:
        """Where in the tray pixels of `color` are (the icon's disc)."""
        shot = self.display.screenshot("tray-find-icon")
        px = Pixels(shot, self.x, 0, self.WIDTH, self.HEIGHT)
        xs, ys = [], []
        for i, (r, g, b) in enumerate(px.colors()):
            if abs(r - color[0]) + abs(g - color[1]) + abs(b - color[2]) <= 60:
                xs.append(i % px.w)
                ys.append(i // px.w)
        assert xs, "no icon of that colour in the tray"
        return self.x + sum(xs) // len(xs), sum(ys) // len(ys)

    def close(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


class SessionBus:
    """A private D-Bus session bus (`dbus-daemon`) in `home`, with no
    service activation: nothing is started on demand (no desktop portals,
    no notification daemon), so only what the test starts is on it. The
    app finds another running instance of itself over the session bus
    (tauri-plugin-single-instance on Linux)."""

    CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""

    def __init__(self, home: pathlib.Path):
        socket_path = home / "session-bus"
        config = home / "session-bus.conf"
        config.write_text(self.CONFIG.format(socket=socket_path))
        self.proc = subprocess.Popen(
            ["dbus-daemon", f"--config-file={config}", "--nofork", "--print-address"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )
        self.address = self.proc.stdout.readline().strip()
        if not self.address:
            raise RuntimeError("dbus-daemon did not start")
        self.env = {"DBUS_SESSION_BUS_ADDRESS": self.address}

    def names(self) -> list[str]:
        """The names owned on the bus (as `dbus-send` lists them)."""
        out = subprocess.run(
            ["dbus-send", f"--bus={self.address}", "--print-reply", "--dest=org.freedesktop.DBus",
             "/org/freedesktop/DBus", "org.freedesktop.DBus.ListNames"],
            capture_output=True, text=True, timeout=10, check=True).stdout
        return [line.split('"')[1] for line in out.splitlines() if line.strip().startswith("string")]

    def close(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


# --- WebDriver -----------------------------------------------------------------------

ELEMENT = "element-6066-11e4-a52e-4f735466cecf"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class WebDriver:
    """A minimal W3C WebDriver client (stdlib only) for `tauri-driver`."""

    started = 0

    def __init__(self, env: dict, app_args: list[str]):
        driver = shutil.which("tauri-driver", path=os.environ.get("TAURI_DRIVER_PATH", os.environ["PATH"]))
        if driver is None:
            pytest.fail("tauri-driver is not installed (scripts/test-gui installs it)")
        self.port, native = free_port(), free_port()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        # One log per app started (the leak audit reads them all at the end).
        WebDriver.started += 1
        self.log_path = ARTIFACTS / f"tauri-driver-{WebDriver.started}.log"
        self.log = open(self.log_path, "w")
        AUDIT.watch_file(self.log_path)
        self.proc = subprocess.Popen(
            [driver, "--port", str(self.port), "--native-port", str(native),
             "--native-driver", shutil.which("WebKitWebDriver") or "/usr/bin/WebKitWebDriver"],
            env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )
        wait_for("tauri-driver to listen", lambda: self._status(), timeout=30)
        caps = {"capabilities": {"alwaysMatch": {
            "tauri:options": {"application": str(TP_TRAY), "args": app_args},
        }}}
        self.session = self.request("POST", "/session", caps, prefix="")["sessionId"]

    def _status(self):
        try:
            return self.request("GET", "/status", prefix="") is not None
        except (urllib.error.URLError, ConnectionError):
            return False

    def request(self, method: str, path: str, body: dict | None = None, prefix: str | None = None):
        if prefix is None:
            prefix = f"/session/{self.session}"
        data = None if body is None and method == "GET" else json.dumps(body or {}).encode()
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}{prefix}{path}", data=data,
                                     method=method, headers={"Content-Type": "application/json"})
        # tauri-driver forwards over pooled keep-alive connections, and
        # WebKitWebDriver closes idle ones: a request can meet a connection
        # closed under it, before it was sent on. Such a request is retried.
        for attempt in range(4):
            try:
                with urllib.request.urlopen(req, timeout=60) as resp:
                    return json.loads(resp.read() or b"{}").get("value")
            except urllib.error.HTTPError as e:
                body = e.read()
                if e.code == 500 and b"connection" in body.lower() and attempt < 3:
                    time.sleep(0.2)
                    continue
                raise AssertionError(f"WebDriver {method} {path}: {e.code} {body[:500]!r}") from None
            except (ConnectionResetError, http.client.RemoteDisconnected):
                if attempt == 3:
                    raise
                time.sleep(0.2)

    def js(self, script: str, *args):
        return self.request("POST", "/execute/sync", {"script": script, "args": list(args)})

    def js_async(self, script: str, *args):
        return self.request("POST", "/execute/async", {"script": script, "args": list(args)})

    def find(self, css: str) -> str:
        return self.request("POST", "/element", {"using": "css selector", "value": css})[ELEMENT]

    def click(self, css: str):
        self.request("POST", f"/element/{self.find(css)}/click", {})

    def text(self, css: str) -> str:
        return self.request("GET", f"/element/{self.find(css)}/text")

    def window_rect(self, **rect) -> dict:
        if rect:
            return self.request("POST", "/window/rect", rect)
        return self.request("GET", "/window/rect")

    def screenshot(self, name: str) -> pathlib.Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        path.write_bytes(base64.b64decode(self.request("GET", "/screenshot")))
        return path

    def quit(self):
        try:
            self.request("DELETE", "")
        except Exception:  # noqa: BLE001 - the app may be gone already
            pass
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()

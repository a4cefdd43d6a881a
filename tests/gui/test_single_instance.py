"""One tp-tray at a time: a second launch hands over to the running app
(which shows its chart window) and exits at once with status 0, leaving
one process and one tray icon. See conftest.py for the harness.

The app finds the running instance over the D-Bus session bus
(tauri-plugin-single-instance on Linux), so this test gives it a private
one (`SessionBus`); the other tests run without any session bus, where
every launch runs on its own.
"""

from __future__ import annotations

import pathlib
import subprocess
import time

from conftest import TP_TRAY, SessionBus, Tray, TrayApp, base_env, hex_rgb, tray_processes, wait_for

# The connected icon's disc (icons/generate.sh).
GREEN = hex_rgb("2da44e")
# tauri.conf.json's identifier, with the plugin's suffix.
BUS_NAME = "com.tp-mcp.tray.SingleInstance"


def icons_in_tray(tray: Tray, name: str) -> int:
    """How many green discs the tray host shows: runs of columns with green."""
    px = tray.region(name)
    cols = set()
    for i, (r, g, b) in enumerate(px.colors()):
        if abs(r - GREEN[0]) + abs(g - GREEN[1]) + abs(b - GREEN[2]) <= 60:
            cols.add(i % px.w)
    runs, last = 0, None
    for x in sorted(cols):
        if last is None or x > last + 2:
            runs += 1
        last = x
    return runs


def chart_windows(display) -> list[str]:
    """The ids of the visible chart windows."""
    return display.run("xdotool", "search", "--onlyvisible", "--name", "Fitness", check=False).split()


def stacking(display, *windows: str) -> list[str]:
    """`windows` (decimal ids) from the top of the stacking order down
    (xwininfo lists the root's children top first)."""
    tree = display.run("xwininfo", "-root", "-children")
    order = [str(int(line.split()[0], 16)) for line in tree.splitlines()
             if line.strip().startswith("0x")]
    return sorted(windows, key=order.index)


def launch_again(env: dict, home: pathlib.Path, name: str) -> tuple[int, float, str]:
    """Starts tp-tray once more; its exit status, how long it ran, its output."""
    started = time.monotonic()
    out = subprocess.run([str(TP_TRAY), "--demo"], env=env, capture_output=True, text=True, timeout=60)
    took = time.monotonic() - started
    (home / f"{name}.log").write_text(out.stdout + out.stderr)
    return out.returncode, took, out.stdout + out.stderr


def test_a_second_launch_hands_over_to_the_first_and_exits(display, home):
    """With the app running in the tray and its chart window closed, a
    second `tp-tray` exits within seconds with status 0; the first opens
    its chart window; one process, one icon. Behind another window, a third
    launch raises it; hidden, a fourth shows the same window again."""
    bus = SessionBus(home)
    env = {**base_env(display, home), **bus.env}
    tray = Tray(display)
    first = TrayApp(env, ["--demo"], "single-instance-first")
    try:
        first.wait_log("training data loaded", timeout=120)
        wait_for("the green icon in the tray", lambda: icons_in_tray(tray, "single-first") == 1)
        wait_for("the app's name on the session bus", lambda: BUS_NAME in bus.names())
        assert chart_windows(display) == [], "no chart window before the second launch"
        assert tray_processes(home) == [first.proc.pid]

        code, took, output = launch_again(env, home, "single-instance-second")
        assert code == 0, output
        assert took < 15, f"the second launch took {took:.1f} s to hand over"
        assert "tray icon created" not in output, "the second launch got as far as its own tray icon"
        first.wait_log("another tp-tray was started: showing the chart window here instead", timeout=10)
        windows = wait_for("the first's chart window", lambda: chart_windows(display), timeout=30)
        assert len(windows) == 1, windows
        display.screenshot("single-instance-handed-over")
        assert first.alive()
        assert tray_processes(home) == [first.proc.pid]
        time.sleep(1)  # a second icon would have come up by now
        assert icons_in_tray(tray, "single-after") == 1
        assert bus.names().count(BUS_NAME) == 1

        window = windows[0]

        # Behind another window (the connect window, from the tray menu): a
        # third launch raises the chart window above it.
        x, y = tray.icon_center(GREEN)
        display.run("xdotool", "mousemove", str(x), str(y), "click", "1")
        time.sleep(0.8)
        display.run("xdotool", "key", "Down", "Down", "Down", "Return")  # Connect Claude Desktop
        connect = wait_for("the connect window", lambda: display.run(
            "xdotool", "search", "--onlyvisible", "--name", "Connect Claude", check=False).split(), timeout=30)[0]
        wait_for("the connect window above the chart", lambda: stacking(display, window, connect) == [connect, window])
        code, took, output = launch_again(env, home, "single-instance-third")
        assert code == 0 and took < 15, (code, took, output)
        wait_for("the chart window raised above the connect window",
                 lambda: stacking(display, window, connect) == [window, connect], timeout=15)
        display.screenshot("single-instance-raised")

        # Hidden (unmapped, as when minimised or on another desktop): a
        # fourth launch shows the same window again, on top.
        display.run("xdotool", "windowunmap", "--sync", window)
        wait_for("the window to be hidden", lambda: chart_windows(display) == [], timeout=10)
        code, took, output = launch_again(env, home, "single-instance-fourth")
        assert code == 0 and took < 15, (code, took, output)
        assert wait_for("the same window, back", lambda: chart_windows(display), timeout=30) == [window]
        assert stacking(display, window, connect) == [window, connect]
        assert tray_processes(home) == [first.proc.pid]
        assert first.text().count("another tp-tray was started") == 3
        assert "panicked" not in first.text()
    finally:
        first.stop()
        tray.close()
        bus.close()


def test_without_a_session_bus_every_launch_runs(display, home):
    """No session bus (as in the other tests, and CI): the plugin cannot
    look for another instance, so a launch runs on its own rather than
    refusing to start."""
    env = base_env(display, home)
    first = TrayApp(env, ["--demo"], "no-bus-first")
    second = TrayApp(env, ["--demo"], "no-bus-second")
    try:
        first.wait_log("training data loaded", timeout=120)
        second.wait_log("training data loaded", timeout=120)
        assert first.alive() and second.alive()
        assert len(tray_processes(home)) == 2
    finally:
        second.stop()
        first.stop()

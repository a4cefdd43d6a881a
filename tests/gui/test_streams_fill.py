"""The tray fills workouts' device files (streams) while nobody touches the
computer, and stops when someone does. See conftest.py for the harness.

The idle time is the real X server's (Xvfb's screen saver extension); the
user coming back is real pointer motion (xdotool, through XTest). Expected
counts come from outside the tray: the `tp-mcp` binary fills a cache of its
own for the same demo athlete (`tp-mcp --demo sync --streams`), and the
tray's cache is read with sqlite3 and checked by `tp-mcp` afterwards.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import threading
import time

from conftest import TP_MCP, Tray, TrayApp, base_env, hex_rgb, wait_for

# A short demo history (from 2022-01-03), so the whole fill takes seconds
# of CPU in a debug build, yet long enough to be stopped half-way.
STREAMS_TODAY = "2022-12-31"
# Seconds without input that count as idle, for the tray under test.
IDLE_SECS = 3
# The connected icon's disc (icons/generate.sh).
GREEN = hex_rgb("2da44e")

SIDECAR_REPORT = re.compile(
    r"Device files: (?P<stored>\d+) of (?P<workouts>\d+) completed workouts have second-by-second data "
    r"\((?P<no_file>\d+) entered by hand, (?P<unreadable>\d+) unreadable, (?P<missing>\d+) still to fetch\)\. "
    r"This run: (?P<run_stored>\d+) stored, (?P<run_no_file>\d+) without a file")
FILLING = re.compile(r"streams line: Streams: filling… (\d+) of (\d+)")
COUNTS = re.compile(r"streams line: Streams: (\d+) of (\d+) workouts")
FILL_ENDED = re.compile(r"streams: fill ended after \d+ s: (\d+) stored, (\d+) without a file")


def sidecar_fill(data_dir) -> dict:
    """`tp-mcp --demo sync --streams` into `data_dir`: its counts."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TP_")}
    env.update(TP_MCP_TODAY=STREAMS_TODAY, TP_MCP_DATA_DIR=str(data_dir))
    out = subprocess.run([str(TP_MCP), "--demo", "sync", "--streams"], env=env, capture_output=True,
                         text=True, timeout=300, check=True)
    m = SIDECAR_REPORT.search(out.stdout)
    assert m, out.stdout + out.stderr
    return {k: int(v) for k, v in m.groupdict().items()}


def expected_line(c: dict) -> str:
    """The tray's line for a complete fill with these counts."""
    if c["stored"] == c["workouts"]:
        return f"Streams: all {c['workouts']} workouts"
    without = [f"{c['no_file']} entered by hand"] if c["no_file"] else []
    without += [f"{c['unreadable']} unreadable"] if c["unreadable"] else []
    return f"Streams: complete — {c['stored']} of {c['workouts']} workouts ({', '.join(without)})"


def stored_streams(data_dir) -> int:
    """Workouts whose streams the tray's cache holds (read-only, beside the
    tray's writes)."""
    files = list(data_dir.glob("athlete-*.sqlite3"))
    if not files:
        return 0
    db = sqlite3.connect(f"file:{files[0]}?mode=ro", uri=True, timeout=10)
    try:
        return db.execute("SELECT count(*) FROM device_files WHERE state = 'stored'").fetchone()[0]
    except sqlite3.OperationalError:  # not created yet
        return 0
    finally:
        db.close()


class Jiggler(threading.Thread):
    """Moves the pointer every 0.3 s until stopped: a user at the computer."""

    def __init__(self, display):
        super().__init__(daemon=True)
        self.display, self.stop = display, threading.Event()

    def run(self):
        x = 0
        while not self.stop.is_set():
            x = (x + 37) % 400
            self.display.run("xdotool", "mousemove", str(200 + x), "300")
            self.stop.wait(0.3)


def test_streams_fill_while_idle_and_stop_when_the_user_is_back(display, home):
    """Idle for TP_TRAY_IDLE_SECS: the tray fills streams, its menu line
    counting up. The pointer moves: the fill stops within seconds, and the
    count in the cache stays put while the user is there. Idle again: it
    goes on where it stopped, and ends at exactly the counts tp-mcp gets
    for the same athlete, leaving tp-mcp nothing to fetch."""
    started = time.monotonic()
    expected = sidecar_fill(home / "sidecar-data")
    assert expected["missing"] == 0 and expected["stored"] > 100, expected
    sidecar_secs = time.monotonic() - started

    data = home / "data"
    env = base_env(display, home)
    env.update(TP_MCP_TODAY=STREAMS_TODAY, TP_MCP_DATA_DIR=str(data), TP_TRAY_IDLE_SECS=str(IDLE_SECS))
    tray = Tray(display)
    app = TrayApp(env, ["--demo"], "streams-fill")
    jiggler = Jiggler(display)
    try:
        app.wait_log(f"streams: filled once keyboard and mouse are left alone for {IDLE_SECS} s", timeout=120)
        app.wait_log("streams line: Streams: filling…", timeout=120)

        # The line counts up while it fills.
        def counting_up():
            seen = [int(n) for n, _ in FILLING.findall(app.text())]
            return len(set(seen)) >= 2 and seen == sorted(seen) and seen
        seen = wait_for("the streams line to count up", counting_up, timeout=60, every=0.1)
        totals = {int(m) for _, m in FILLING.findall(app.text())}
        assert totals == {expected["workouts"]}, totals

        # Someone uses the computer: the fill stops after the workout in hand.
        jiggler.start()
        moved = time.monotonic()
        app.wait_log("streams: the user is back; stopping after the workout in hand", timeout=10)
        app.wait_log("streams: fill ended", timeout=10)
        stop_secs = time.monotonic() - moved
        assert stop_secs < 5, stop_secs
        at_stop = wait_for("the count in the cache", lambda: stored_streams(data) or None)
        assert at_stop < expected["stored"], "the fill ended before the user came back: make it longer"
        assert at_stop >= max(seen), (at_stop, seen)
        time.sleep(4)  # still at the computer
        assert stored_streams(data) == at_stop, "the fill went on while the user was there"
        shown = [(int(n), int(w)) for n, w in COUNTS.findall(app.text())]
        assert shown and shown[-1] == (at_stop, expected["workouts"]), (shown, at_stop)
        assert app.alive()

        # Left alone again: it goes on where it stopped and completes.
        jiggler.stop.set()
        jiggler.join(timeout=10)
        final = expected_line(expected)
        app.wait_log(f"streams line: {final}", timeout=180)
        assert stored_streams(data) == expected["stored"]
        resumed = app.text().split("streams: the user is back", 1)[1]
        assert "streams: filling device files while the computer is idle" in resumed
        # Where it stopped: the second fill fetched only what the first left.
        first, second = [int(n) for n, _ in FILL_ENDED.findall(app.text())]
        assert first == at_stop and second == expected["stored"] - at_stop, (first, second, at_stop)
        assert "panicked" not in app.text() and "last fill failed" not in app.text()

        # The line in the menu, for people to look at (target/gui-test/).
        x, y = tray.icon_center(GREEN)
        display.run("xdotool", "mousemove", str(x), str(y), "click", "1")
        time.sleep(0.8)
        display.screenshot("streams-menu")
        display.run("xdotool", "key", "Escape")
        assert app.alive()
    finally:
        jiggler.stop.set()
        app.stop()
        tray.close()

    # The sidecar, on the tray's cache: nothing left to fetch, same counts.
    after = sidecar_fill(data)
    assert after["run_stored"] == 0 and after["run_no_file"] == 0, after
    for key in ("stored", "workouts", "no_file", "unreadable", "missing"):
        assert after[key] == expected[key], (key, after, expected)
    print(f"sidecar fill {sidecar_secs:.0f} s, stop took {stop_secs:.1f} s, "
          f"test {time.monotonic() - started:.0f} s")

"""The tray keeps the history warm: after the computer wakes it syncs what
the `tp-mcp` sidecar reads, so Claude's first question costs no request.
See conftest.py for the harness.

Xvfb cannot sleep: the wake is stood for by `tp-tray --sync-now`, which
the running tray takes over (over a private session bus, as with any
second launch) and does what it does after a wake: check the login, sync
the history. The cost of a question is counted by the fake TrainingPeaks
(`/_fake/stats`) around a `tp-mcp` process run on the tray's cache, as
Claude Desktop would start it.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess

from conftest import TODAY, TP_MCP, TP_TRAY, SessionBus, TrayApp, base_env, wait_for

# Who the login is: the token exchange and the user lookup every new
# tp-mcp process makes once, before its first question (the token lives in
# the process; nothing the tray does can spare them).
LOGIN = ("token", "user")


def sidecar(fake, data_dir, *args: str, **env_extra: str) -> dict:
    """`tp-mcp call tp_get_fitness '{}' --json` on `data_dir` against the
    fake: its answer and what it cost, by endpoint."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TP_")}
    env.update(TP_API_BASE_URL=fake.url, TP_AUTH_COOKIE=fake.cookie, TP_MCP_TODAY=TODAY,
               TP_MCP_DATA_DIR=str(data_dir), **env_extra)
    before = fake.stats()["by_endpoint"]
    out = subprocess.run([str(TP_MCP), *args, "call", "tp_get_fitness", "{}", "--json"], env=env,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    after = fake.stats()["by_endpoint"]
    cost = {k: after[k] - before.get(k, 0) for k in after if after[k] != before.get(k, 0)}
    return {"answer": json.loads(out.stdout), "cost": cost}


def sync_now(env: dict):
    """`tp-tray --sync-now`: hands over to the running tray and exits."""
    out = subprocess.run([str(TP_TRAY), "--sync-now"], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stdout + out.stderr


def data_requests(cost: dict) -> dict:
    return {k: n for k, n in cost.items() if k not in LOGIN}


def snapshot(data_dir, into):
    """A consistent copy of the tray's athlete cache (SQLite's online
    backup, beside the tray's writes)."""
    into.mkdir()
    for db in data_dir.glob("athlete-*.sqlite3"):
        src = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
        dst = sqlite3.connect(into / db.name)
        with dst:
            src.backup(dst)
        src.close()
        dst.close()


def test_a_wake_syncs_the_history_so_the_first_question_costs_nothing(display, home, fake):
    """The tray started (its chart loaded the PMC history): a new tp-mcp's
    tp_get_fitness would still fetch the health metrics it reads for
    readiness. The computer wakes: the tray checks the login and syncs the
    history. Then tp_get_fitness in a new tp-mcp process costs no data
    request (only the login's token and user lookup; none at all when the
    athlete is known from ATHLETE_ID), and answers what TrainingPeaks'
    data gives without any cache."""
    data = home / "data"
    bus = SessionBus(home)
    env = {**base_env(display, home), **bus.env}
    env.update(TP_API_BASE_URL=fake.url, TP_AUTH_COOKIE=fake.cookie, TP_MCP_DATA_DIR=str(data),
               TP_TRAY_IDLE_SECS="3600")  # no streams fill meanwhile
    cold = sidecar(fake, home / "cold")
    assert data_requests(cold["cost"]), cold["cost"]

    app = TrayApp(env, [], "history-sync")
    try:
        app.wait_log("training data loaded", timeout=120)
        assert "history sync: starting" not in app.text(), "the first sync waits a while after start"
        snapshot(data, home / "before-wake")
        before = sidecar(fake, home / "before-wake")
        assert data_requests(before["cost"]).get("metrics", 0) > 0, before["cost"]

        # The computer wakes.
        woke = fake.stats()
        sync_now(env)
        app.wait_log("asked to sync now (tp-tray --sync-now): checking the login", timeout=10)
        app.wait_log("history sync: starting (asked with tp-tray --sync-now)", timeout=30)
        done = app.wait_log("history sync: done", timeout=180)
        # …and reloads the chart from it.
        wait_for("the chart reloaded after the sync",
                 lambda: "training data loaded" in app.text().split("history sync: done", 1)[1], timeout=60)
        synced = fake.stats()
        assert synced["by_endpoint"]["metrics"] > woke["by_endpoint"]["metrics"], "the sync read the metrics"
        assert synced["by_endpoint"]["token"] > woke["by_endpoint"]["token"], "the wake checked the login"
        assert "history sync: failed" not in done

        # Claude's first question: a new tp-mcp on the tray's cache.
        first = sidecar(fake, data)
        assert data_requests(first["cost"]) == {}, first["cost"]
        assert all(first["cost"].get(k, 0) <= 1 for k in LOGIN), first["cost"]
        athlete = next(data.glob("athlete-*.sqlite3")).stem.split("-")[1]
        known = sidecar(fake, data, ATHLETE_ID=athlete)
        assert known["cost"] == {}, known["cost"]
        assert app.alive()
        assert "panicked" not in app.text()
    finally:
        app.stop()
        bus.close()

    # (Later than TP_MCP_STALE_SECS after the sync, tp-mcp re-checks the
    # recent days itself: measured, for the record.)
    later = sidecar(fake, data, TP_MCP_STALE_SECS="0")
    uncached = sidecar(fake, home / "uncached", "--no-cache")
    for answer in (first["answer"], known["answer"], before["answer"]):
        assert answer["current"] == uncached["answer"]["current"]
        assert answer["readiness"] == uncached["answer"]["readiness"]
    print(f"tp_get_fitness cost: cold {cold['cost']}, after start {before['cost']}, "
          f"after the wake sync {first['cost']} ({known['cost']} with ATHLETE_ID), "
          f"over 5 minutes later {later['cost']}")

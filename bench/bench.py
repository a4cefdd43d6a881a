"""Benchmark tp-mcp (and, when available, the Python reference server) on the
same fake TrainingPeaks, the same arguments, in one run.

Measures, per server: spawn → `initialize` answered (median of N), tools/list,
each tool cold (fresh process, empty cache) and warm (the same call again in
that process), TrainingPeaks requests per call (the fake's counters), and peak
RSS. Runs alternate between servers (A B A B …). Writes bench/RESULTS.md.

Usage: bench.py --tp-mcp PATH --fake PATH [--reference CMD] [--runs N] [--latency-ms 80]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

COOKIE = "bench-cookie-0123456789abcdef"


class Fake:
    def __init__(self, binary: str, latency_ms: int, spacing_ms: int, today: dt.date):
        self.today = today
        self.proc = subprocess.Popen(
            [binary, "--port", "0", "--cookie", COOKIE, "--latency-ms", str(latency_ms),
             "--rate-limit-ms", str(spacing_ms), "--rate-limit-skips-token", "--today", today.isoformat()],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )
        line = self.proc.stdout.readline()
        self.url = line.split("listening on", 1)[1].split()[0]

    def _req(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path, data=data, method=method, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as r:
            raw = r.read()
            return json.loads(raw) if raw else None

    def total(self) -> int:
        return self._req("GET", "/_fake/stats")["total"]

    def by_endpoint(self) -> dict:
        return self._req("GET", "/_fake/stats")["by_endpoint"]

    def api(self, path):
        tok = json.loads(urllib.request.urlopen(urllib.request.Request(
            self.url + "/users/v3/token", headers={"Cookie": f"Production_tpAuth={COOKIE}"})).read())["token"]["access_token"]
        time.sleep(0.2)
        req = urllib.request.Request(self.url + path, headers={"Authorization": f"Bearer {tok}"})
        out = json.loads(urllib.request.urlopen(req).read())
        time.sleep(0.2)
        return out

    def close(self):
        self.proc.terminate()
        self.proc.wait()


class Session:
    """A minimal JSON-RPC-over-stdio MCP client (newline-delimited), so both
    servers are driven by exactly the same code with little overhead."""

    def __init__(self, cmd: list[str], env: dict):
        self.t0 = time.perf_counter()
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True, bufsize=1)
        self.next_id = 0
        self.init_s = None

    def request(self, method: str, params: dict) -> dict:
        self.next_id += 1
        rid = self.next_id
        self.proc.stdin.write(json.dumps({"jsonrpc": "2.0", "id": rid, "method": method, "params": params}) + "\n")
        self.proc.stdin.flush()
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError(f"server closed during {method}")
            msg = json.loads(line)
            if msg.get("id") == rid:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg["result"]

    def initialize(self) -> float:
        self.request("initialize", {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "bench", "version": "1"}})
        self.init_s = time.perf_counter() - self.t0
        self.proc.stdin.write(json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"}) + "\n")
        self.proc.stdin.flush()
        return self.init_s

    def call(self, tool: str, args: dict) -> tuple[float, dict]:
        t = time.perf_counter()
        r = self.request("tools/call", {"name": tool, "arguments": args})
        return time.perf_counter() - t, r

    def peak_rss_mb(self) -> float:
        """Peak resident memory of the server process (VmHWM), children included."""
        def hwm(pid):
            try:
                with open(f"/proc/{pid}/status") as f:
                    for line in f:
                        if line.startswith("VmHWM:"):
                            return int(line.split()[1]) / 1024
            except OSError:
                return 0.0
            return 0.0
        total = hwm(self.proc.pid)
        try:
            out = subprocess.run(["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True).stdout.split()
            total += sum(hwm(int(p)) for p in out)
        except FileNotFoundError:
            pass
        return total

    def close(self):
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def text(result: dict) -> str:
    return "\n".join(c.get("text", "") for c in result.get("content", []))


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tp-mcp", required=True)
    ap.add_argument("--fake", required=True)
    ap.add_argument("--reference", help="command that starts the reference server")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--latency-ms", type=int, default=80)
    ap.add_argument("--spacing-ms", type=int, default=150)
    ap.add_argument("--out", default="bench/RESULTS.md")
    ap.add_argument("--criterion", default="target/criterion", help="where `cargo bench` left its estimates")
    args = ap.parse_args()

    today = dt.date.today()
    fake = Fake(args.fake, args.latency_ms, args.spacing_ms, today)
    aid = fake.api("/users/v3/user")["user"]["athletes"][0]["athleteId"]
    recent = fake.api(f"/fitness/v6/athletes/{aid}/workouts/{today - dt.timedelta(days=20)}/{today}")
    ride = next(w for w in reversed(recent) if w.get("completed") and w["workoutTypeValueId"] == 2)
    pr_workout = next((w for w in reversed(recent) if (w.get("personalRecordCount") or 0) > 0), ride)

    tools = [
        ("tp_auth_status", {}), ("tp_refresh_auth", {}), ("tp_get_profile", {}),
        ("tp_get_workouts", {}), ("tp_get_workout", {"workout_id": ride["workoutId"]}),
        ("tp_get_planned_workouts", {}), ("tp_get_fitness", {"days": 90}),
        ("tp_get_peaks", {"sport": "Bike", "days": 90}), ("tp_get_workout_prs", {"workout_id": pr_workout["workoutId"]}),
        ("tp_training_load_summary", {"days": 90}), ("tp_fitness_trend", {"days": 90}),
        ("tp_workout_analysis", {"workout_id": ride["workoutId"]}), ("tp_performance_summary", {"sport": "Bike", "days": 90}),
        ("tp_training_zones_distribution", {"days": 30}),
        ("tp_get_fitness", {"days": 365}),
    ]
    # Tools the reference does not have: measured for tp-mcp alone (and
    # kept out of the peak-RSS comparison, which is about the same work).
    own_tools = [
        ("tp_get_workout_streams", {"workout_id": ride["workoutId"]}),
        ("tp_get_workout_streams", {"workout_id": ride["workoutId"], "resolution_s": 1, "end_s": 3600}),
        ("tp_get_events", {}),
        ("tp_plan_race", {}),
        ("tp_plan_race", {"race_date": (today + dt.timedelta(days=121)).isoformat()}),
        ("tp_plan_race", {"race_date": (today + dt.timedelta(days=366)).isoformat(), "tsb_min": -10}),
        ("tp_what_if", {"weekly_tss": [0, 90, 60, 110, 0, 180, 120], "days": 90}),
    ]

    servers = {"tp-mcp": [args.tp_mcp]}
    if args.reference:
        servers["reference"] = shlex.split(args.reference)

    base_env = {"PATH": os.environ.get("PATH", ""), "TP_API_BASE_URL": fake.url, "TP_AUTH_COOKIE": COOKIE,
                "ATHLETE_ID": str(aid), "TP_MCP_TODAY": today.isoformat(), "RUST_LOG": "error", "HOME": os.environ.get("HOME", "/tmp")}

    init = {k: [] for k in servers}
    listing = {k: [] for k in servers}
    rss = {k: [] for k in servers}
    results = {k: {} for k in servers}  # (tool, args) -> dict

    # Startup and tools/list, alternating A B A B.
    for _ in range(args.runs):
        for name, cmd in servers.items():
            with tempfile.TemporaryDirectory() as data:
                s = Session(cmd, dict(base_env, TP_MCP_DATA_DIR=data))
                init[name].append(s.initialize())
                t = time.perf_counter()
                s.request("tools/list", {})
                listing[name].append(time.perf_counter() - t)
                s.close()
                time.sleep(2 * args.spacing_ms / 1000)  # the fake's spacing rule spans processes

    # Each tool: cold in a fresh process with an empty cache, then warm.
    for tool, targs in tools:
        key = f"{tool} {json.dumps(targs, sort_keys=True)}" if targs else tool
        for name, cmd in servers.items():
            cold_t, warm_t, cold_n, warm_n, errors = [], [], [], [], 0
            last = None
            for _ in range(max(1, args.runs // 2)):
                with tempfile.TemporaryDirectory() as data:
                    s = Session(cmd, dict(base_env, TP_MCP_DATA_DIR=data))
                    s.initialize()
                    n0 = fake.total()
                    t, r = s.call(tool, targs)
                    cold_t.append(t)
                    cold_n.append(fake.total() - n0)
                    n1 = fake.total()
                    t, r2 = s.call(tool, targs)
                    warm_t.append(t)
                    warm_n.append(fake.total() - n1)
                    errors += bool(r.get("isError")) or "Error" in text(r)[:40]
                    last = r2
                    rss[name].append(s.peak_rss_mb())
                    s.close()
                    time.sleep(2 * args.spacing_ms / 1000)
            results[name][key] = dict(cold_ms=median(cold_t) * 1000, warm_ms=median(warm_t) * 1000,
                                      cold_req=median(cold_n), warm_req=median(warm_n), errors=errors, answer=last)
        print(f"  {key}: " + "  ".join(
            f"{n} cold {results[n][key]['cold_ms']:.0f} ms/{results[n][key]['cold_req']:.0f} req, warm {results[n][key]['warm_ms']:.1f} ms/{results[n][key]['warm_req']:.0f} req"
            for n in servers), file=sys.stderr)

    own = {}
    for tool, targs in own_tools:
        key = f"{tool} {json.dumps(targs, sort_keys=True)}"
        cold_t, warm_t, cold_n, warm_n, errors = [], [], [], [], 0
        for _ in range(max(1, args.runs // 2)):
            with tempfile.TemporaryDirectory() as data:
                s = Session(servers["tp-mcp"], dict(base_env, TP_MCP_DATA_DIR=data))
                s.initialize()
                n0 = fake.total()
                t, r = s.call(tool, targs)
                cold_t.append(t)
                cold_n.append(fake.total() - n0)
                n1 = fake.total()
                t, _ = s.call(tool, targs)
                warm_t.append(t)
                warm_n.append(fake.total() - n1)
                errors += bool(r.get("isError"))
                s.close()
                time.sleep(2 * args.spacing_ms / 1000)
        own[key] = dict(cold_ms=median(cold_t) * 1000, warm_ms=median(warm_t) * 1000,
                        cold_req=median(cold_n), warm_req=median(warm_n), errors=errors)
        print(f"  {key}: cold {own[key]['cold_ms']:.0f} ms/{own[key]['cold_req']:.0f} req, warm {own[key]['warm_ms']:.1f} ms/{own[key]['warm_req']:.0f} req", file=sys.stderr)
    fake.close()

    sync = sync_streams_experiment(args, base_env)
    history = whole_history_questions(args)
    agreement = compare_answers(results) if "reference" in servers else []
    write_report(args, servers, init, listing, rss, results, tools, agreement, own, sync, criterion_numbers(args.criterion), history)


def sync_streams_experiment(args, base_env) -> dict:
    """`tp-mcp sync --streams` over a whole (short) history, twice: requests
    per endpoint against the number of completed workouts and files."""
    today = dt.date(2022, 6, 30)
    fake = Fake(args.fake, args.latency_ms, args.spacing_ms, today)
    try:
        aid = fake.api("/users/v3/user")["user"]["athletes"][0]["athleteId"]
        workouts = []
        day = dt.date(2022, 1, 1)
        while day <= today:
            end = min(day + dt.timedelta(days=89), today)
            workouts += fake.api(f"/fitness/v6/athletes/{aid}/workouts/{day}/{end}")
            day = end + dt.timedelta(days=1)
        completed = [w for w in workouts if w.get("completed")]
        env = dict(base_env, TP_API_BASE_URL=fake.url, TP_MCP_TODAY=today.isoformat())
        runs = []
        with tempfile.TemporaryDirectory() as data:
            for _ in range(2):
                before = fake.by_endpoint()
                t = time.perf_counter()
                p = subprocess.run([args.tp_mcp, "sync", "--streams"], env=dict(env, TP_MCP_DATA_DIR=data),
                                   capture_output=True, text=True, timeout=3600)
                after = fake.by_endpoint()
                runs.append(dict(seconds=time.perf_counter() - t, ok=p.returncode == 0, summary=p.stdout.strip().splitlines()[:1],
                                 requests={k: after[k] - before.get(k, 0) for k in after if after[k] - before.get(k, 0)}))
        return dict(completed=len(completed), runs=runs, history=f"2022-01-03 to {today}")
    finally:
        fake.close()


def whole_history_questions(args) -> dict:
    """Questions over the demo athlete's whole history (every device file in
    the cache, filled first by `tp-mcp --demo sync --streams`): the first
    call in a new process (the cache on disk) and the same call again."""
    questions = [
        ("tp_power_curve", {"days": 3650}),
        ("tp_critical_power", {"days": 365}),
        ("tp_training_zones_distribution", {"days": 365}),
    ]
    out = {}
    with tempfile.TemporaryDirectory() as data:
        env = {"PATH": os.environ.get("PATH", ""), "TP_MCP_DATA_DIR": data, "RUST_LOG": "error",
               "HOME": os.environ.get("HOME", "/tmp")}
        t = time.perf_counter()
        p = subprocess.run([args.tp_mcp, "--demo", "sync", "--streams"], env=env, capture_output=True, text=True, timeout=3600)
        out["fill_s"] = time.perf_counter() - t
        out["fill_summary"] = p.stdout.strip().splitlines()[:1]
        for tool, targs in questions:
            first, warm = [], []
            for _ in range(args.runs):
                s = Session([args.tp_mcp, "--demo"], env)
                s.initialize()
                time.sleep(1.0)  # the in-process fake derives its records at start
                t1, r = s.call(tool, targs)
                t2, _ = s.call(tool, targs)
                first.append(t1)
                warm.append(t2)
                s.close()
            out[f"{tool} {json.dumps(targs)}"] = dict(first_ms=median(first) * 1000, warm_ms=median(warm) * 1000,
                                                     error=bool(r.get("isError")))
            print(f"  whole history {tool}: first {median(first) * 1000:.1f} ms, warm {median(warm) * 1000:.1f} ms", file=sys.stderr)
    return out


def criterion_numbers(root: str) -> dict:
    """Medians `cargo bench` left in target/criterion, and the storage sizes."""
    out = {}
    if os.path.isdir(root):
        for name in os.listdir(root):
            est = os.path.join(root, name, "new", "estimates.json")
            if os.path.exists(est):
                with open(est) as f:
                    out[name] = json.load(f)["median"]["point_estimate"] / 1e6  # ms
    storage = os.path.join(root, "device_file_storage.json")
    if os.path.exists(storage):
        with open(storage) as f:
            out["storage"] = json.load(f)
    return out


def compare_answers(results) -> list[str]:
    """Where both servers compute the same number, do they agree? Lines for the report."""
    import re
    out = []
    ours, ref = results["tp-mcp"], results["reference"]

    def sc(key):
        return (ours.get(key) or {}).get("answer", {}).get("structuredContent") or {}

    def rtext(key):
        return text((ref.get(key) or {}).get("answer") or {})

    # 1. Weekly TSS totals (ISO weeks).
    key = 'tp_training_load_summary {"days": 90}'
    weeks_ours = {f"{w['iso_year']}-W{w['iso_week']:02d}": w["tss"] for w in sc(key).get("summary", {}).get("weeks", [])}
    weeks_ref = {m.group(1): float(m.group(2)) for m in re.finditer(r"^(\d{4}-W\d{2})\s+(\d+)\s", rtext(key), re.M)}
    common = sorted(set(weeks_ours) & set(weeks_ref))
    same = [w for w in common if abs(round(weeks_ours[w]) - weeks_ref[w]) <= 1]
    diff = [w for w in common if w not in same]
    if weeks_ref:
        line = f"- **Weekly TSS totals** (`tp_training_load_summary`, 90 days): {len(same)} of {len(common)} ISO weeks agree to the point."
        if diff:
            line += " Differ: " + ", ".join(f"{w} ({weeks_ours[w]:.0f} vs {weeks_ref[w]:.0f})" for w in diff) + \
                " — the windows' first weeks: the reference counts 91 days back from today, tp-mcp 90 days including today, so the oldest partial week holds one day more or less."
        out.append(line)
    else:
        out.append("- Weekly TSS totals: the reference answered no weekly table (see its answer for the error).")

    # 2. CTL today.
    key = 'tp_get_fitness {"days": 90}'
    cur = sc(key).get("current", {})
    m = re.search(r"CTL \(Fitness\): ([\d.]+)", rtext(key))
    if cur and m:
        ours_ctl, ref_ctl = cur["ctl"], float(m.group(1))
        out.append(
            f"- **CTL today** (`tp_get_fitness`): tp-mcp {ours_ctl:.1f}, reference {ref_ctl:.1f} "
            f"({(ref_ctl - ours_ctl) / ours_ctl * 100:+.1f} %). They differ by design: the reference starts CTL at 0 "
            f"180 days back, tp-mcp from the first day of history (ten years, bit-identical), as TrainingPeaks does; "
            f"the gap is exactly CTL(start−1)·(41/42)^181 (docs/analytics.md)."
        )
    elif cur:
        out.append(f"- CTL today: tp-mcp {cur['ctl']:.1f}; the reference gave no CTL (its answer: {rtext(key)[:120]!r}).")

    # 3. Planned workouts in the next 14 days.
    key = "tp_get_planned_workouts"
    m = re.search(r"\): (\d+) results", rtext(key))
    if m and sc(key):
        n_ref, n_ours = int(m.group(1)), sc(key)["returned"]
        verdict = "agree" if n_ref == n_ours else "differ"
        out.append(f"- **Planned workouts, next 14 days**: tp-mcp {n_ours}, reference {n_ref} — {verdict}"
                   + ("." if n_ref == n_ours else " (the reference lists completed workouts of today too; tp-mcp only what is still planned)."))

    # 4. One workout's TSS.
    key = next((k for k in ours if k.startswith("tp_get_workout {")), None)
    if key:
        m = re.search(r"TSS: ([\d.]+)", rtext(key))
        tss = sc(key).get("tss")
        if m and tss is not None:
            verdict = "agree" if abs(float(m.group(1)) - tss) < 0.05 else "differ"
            out.append(f"- **One workout's TSS** (`tp_get_workout`): tp-mcp {tss:.1f}, reference {float(m.group(1)):.1f} — {verdict}.")
    return out


def fmt_ratio(a, b):
    if a and b and a == a and b == b and a > 0:
        return f"{b / a:.0f}×" if b / a >= 10 else f"{b / a:.1f}×"
    return "-"


def write_report(args, servers, init, listing, rss, results, tools, agreement, own, sync, crit, history):
    names = list(servers)
    ref = "reference" in servers
    lines = [
        "# Benchmark: tp-mcp" + (" vs the Python reference server" if ref else ""),
        "",
        f"Run {dt.datetime.now().strftime('%Y-%m-%d %H:%M')} on {platform.node() or 'this machine'} "
        f"({platform.machine()}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}), "
        f"fake TrainingPeaks with {args.latency_ms} ms latency per request and {args.spacing_ms} ms minimum spacing between API calls "
        f"(429 when closer; the token exchange is exempt, since the reference spaces only its API calls), "
        f"{args.runs} alternating runs (medians). Produced by `scripts/bench`.",
        "",
        "| measure | " + " | ".join(names) + (" | ratio |" if ref else ""),
        "|---|" + "---|" * len(names) + ("---|" if ref else ""),
    ]

    def row(label, values, unit, lower_better=True, decimals=1):
        cells = [f"{v:.{decimals}f} {unit}" for v in values]
        r = f" {fmt_ratio(values[0], values[1])} |" if ref else ""
        lines.append(f"| {label} | " + " | ".join(cells) + " |" + r)

    row("spawn → initialize answered", [median(init[n]) * 1000 for n in names], "ms")
    row("tools/list", [median(listing[n]) * 1000 for n in names], "ms", decimals=2)
    row("peak RSS (server process)", [max(rss[n]) for n in names], "MB")
    lines += ["", "## Per tool (cold = fresh process and empty cache; warm = the same call again)", "",
              "| tool, arguments | " + " | ".join(f"{n} cold ms / req | {n} warm ms / req" for n in names) + " |",
              "|---|" + "---|---|" * len(names)]
    for tool, targs in tools:
        key = f"{tool} {json.dumps(targs, sort_keys=True)}" if targs else tool
        cells = []
        for n in names:
            r = results[n][key]
            flag = " ⚠" if r["errors"] else ""
            cells.append(f"{r['cold_ms']:.0f} / {r['cold_req']:.0f}{flag}")
            cells.append(f"{r['warm_ms']:.1f} / {r['warm_req']:.0f}")
        lines.append(f"| `{key}` | " + " | ".join(cells) + " |")
    lines += ["", "⚠ = the server answered with an error on this call.", ""]
    lines += ["## Beyond the reference (tp-mcp only)", "",
              "| tool, arguments | cold ms / req | warm ms / req |", "|---|---|---|"]
    for key, r in own.items():
        flag = " ⚠" if r["errors"] else ""
        lines.append(f"| `{key}` | {r['cold_ms']:.0f} / {r['cold_req']:.0f}{flag} | {r['warm_ms']:.1f} / {r['warm_req']:.0f} |")
    lines += ["", "Cold, a workout's second-by-second data costs the file list and the file on top of the workout itself; warm, nothing.", ""]
    if sync:
        lines += [f"**`tp-mcp sync --streams`** over the demo history {sync['history']} ({sync['completed']} completed workouts), "
                  "same latency and spacing:", ""]
        for i, r in enumerate(sync["runs"], 1):
            reqs = ", ".join(f"{k} {v}" for k, v in sorted(r["requests"].items())) or "none"
            lines.append(f"- run {i}: {r['seconds']:.0f} s, requests: {reqs}" + ("" if r["ok"] else " ⚠ failed"))
        lines.append("")
    if history:
        lines += [f"**Over the whole demo history** ({history['fill_summary'][0] if history['fill_summary'] else ''} "
                  f"filled by `tp-mcp --demo sync --streams` in {history['fill_s']:.0f} s), from the MCP call to the answer:", "",
                  "| question | first call in a new process | the same again | target |", "|---|---|---|---|"]
        targets = {"tp_power_curve": "< 30 ms warm"}
        for key, r in history.items():
            if not isinstance(r, dict):
                continue
            flag = " ⚠" if r["error"] else ""
            lines.append(f"| `{key}` | {r['first_ms']:.1f} ms{flag} | {r['warm_ms']:.1f} ms | {targets.get(key.split()[0], '')} |")
        lines.append("")
    rows = [
        ("decode_and_store_4h_fit_ride", "decode + store a 4-hour FIT ride (7 channels, 1 Hz)", "< 30 ms"),
        ("decode_4h_fit_ride", "of which decoding", ""),
        ("summarize_4h_ride_curves_and_histograms", "its summary: exact curves (power, HR, speed) + histograms", ""),
        ("mean_max_sums_6h_one_stretch", "exact mean-maximal curve of a 6-hour ride, every duration", "< 50 ms"),
        ("mean_max_curve_6h_ride_every_duration", "the same with a café stop (two stretches)", ""),
        ("race_plan_120_days", "a 120-day race plan: LP solve, TSB shadow price, PMC re-run", "< 20 ms"),
        ("race_plan_365_days", "a 365-day race plan", "< 100 ms"),
    ]
    if any(k in crit for k, _, _ in rows):
        lines += ["## Analytics and storage (criterion, release build, medians)", "", "| measure | time | target |", "|---|---|---|"]
        for key, label, target in rows:
            if key in crit:
                lines.append(f"| {label} | {crit[key]:.1f} ms | {target} |")
        st = crit.get("storage")
        if st:
            lines += ["", f"Storage in the cache: {st['four_hour_ride_bytes_per_hour'] / 1000:.1f} KB per hour for the 4-hour ride "
                      f"({st['four_hour_ride_channels']} channels; its FIT file is {st['fit_file_bytes_per_hour'] / 1000:.0f} KB per hour), "
                      f"{st['their_bytes_per_hour'] / 1000:.1f} KB per hour over the demo athlete's last "
                      f"{st['recent_workouts_with_5_or_more_channels']} workouts with 5+ channels (target: well under 100 KB)."]
        lines.append("")
    if agreement:
        lines += ["## Do the answers agree?", ""] + agreement + [""]
    with open(args.out, "w") as f:
        f.write("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()

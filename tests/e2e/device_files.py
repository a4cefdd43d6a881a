"""Device files read independently of tp-mcp: downloaded from the fake's raw
API (as TrainingPeaks would serve them) and decoded with `fitdecode`, a
Python FIT library from PyPI — never with tp-mcp's own decoder. The numbers
the tests expect (NP, averages, best efforts, time in zones…) are computed
from these with numpy, with formulas written here."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

import fitdecode
import numpy as np

FIT_EPOCH = dt.datetime(1989, 12, 31, tzinfo=dt.timezone.utc)


@dataclass
class Decoded:
    """A device file as seconds since its first sample and channel arrays
    (NaN where the file holds no value), in SI units."""

    t: np.ndarray
    power: np.ndarray
    hr: np.ndarray
    cadence: np.ndarray
    speed: np.ndarray
    distance: np.ndarray
    altitude: np.ndarray
    laps: list[dict] = field(default_factory=list)
    session: dict = field(default_factory=dict)


def list_files(fake, workout_id: int) -> list[dict]:
    aid = fake.athlete_id()
    return fake.api("GET", f"/fitness/v6/athletes/{aid}/workouts/{workout_id}/details")["workoutDeviceFileInfos"]


def download(fake, workout_id: int) -> tuple[bytes, str] | None:
    """The workout's device file, unpacked, and its name; None without one."""
    files = list_files(fake, workout_id)
    if not files:
        return None
    f = files[-1]
    aid = fake.athlete_id()
    r = fake.http.get(
        f"/fitness/v6/athletes/{aid}/workouts/{workout_id}/rawfiledata/{f['fileId']}",
        headers={"Authorization": f"Bearer {fake.token()}"},
    )
    r.raise_for_status()
    body = r.content
    if f["fileName"].endswith(".gz"):
        body = gzip.decompress(body)
    return body, f["fileName"]


def _value(frame, name):
    if not frame.has_field(name):
        return None
    v = frame.get_value(name, fallback=None)
    return None if v is None else float(v)


def decode_fit(data: bytes) -> Decoded:
    rows = []
    laps, session = [], {}
    with fitdecode.FitReader(io.BytesIO(data), check_crc=fitdecode.CrcCheck.ENABLED) as reader:
        for frame in reader:
            if not isinstance(frame, fitdecode.FitDataMessage):
                continue
            if frame.name == "record":
                ts = frame.get_value("timestamp", fallback=None)
                speed = _value(frame, "enhanced_speed")
                if speed is None:
                    speed = _value(frame, "speed")
                alt = _value(frame, "enhanced_altitude")
                if alt is None:
                    alt = _value(frame, "altitude")
                rows.append(
                    (
                        ts.timestamp(),
                        _value(frame, "power"),
                        _value(frame, "heart_rate"),
                        _value(frame, "cadence"),
                        speed,
                        _value(frame, "distance"),
                        alt,
                    )
                )
            elif frame.name == "lap":
                laps.append({f.name: f.value for f in frame.fields})
            elif frame.name == "session":
                session = {f.name: f.value for f in frame.fields}
    return _to_arrays(rows, laps, session)


def decode_tcx(data: bytes) -> Decoded:
    root = ET.fromstring(data)
    local = lambda tag: tag.rsplit("}", 1)[-1]  # noqa: E731
    rows = []
    for tp in root.iter():
        if local(tp.tag) != "Trackpoint":
            continue
        values = {}
        for el in tp.iter():
            values.setdefault(local(el.tag), el.text)
        ts = dt.datetime.fromisoformat(values["Time"].replace("Z", "+00:00"))
        num = lambda k: float(values[k]) if values.get(k) not in (None, "") else None  # noqa: E731
        hr = None
        for el in tp.iter():
            if local(el.tag) == "HeartRateBpm":
                hr = float(next(iter(el)).text)
        rows.append((ts.timestamp(), num("Watts"), hr, num("RunCadence") or num("Cadence"), num("Speed"), num("DistanceMeters"), num("AltitudeMeters")))
    return _to_arrays(rows, [], {})


def decode(data: bytes, name: str) -> Decoded:
    return decode_tcx(data) if name.endswith(".tcx") else decode_fit(data)


def _to_arrays(rows, laps, session) -> Decoded:
    arr = np.array([[np.nan if v is None else v for v in r] for r in rows], dtype=float)
    t = arr[:, 0] - arr[0, 0]
    return Decoded(t=t, power=arr[:, 1], hr=arr[:, 2], cadence=arr[:, 3], speed=arr[:, 4], distance=arr[:, 5], altitude=arr[:, 6], laps=laps, session=session)


def normalized_power(power: np.ndarray) -> float:
    """Coggan's NP over the recorded samples in order: the 4th root of the
    mean 4th power of the 30-sample rolling means."""
    csum = np.concatenate([[0.0], np.cumsum(power)])
    rolling = (csum[30:] - csum[:-30]) / 30.0
    return float(np.mean(rolling**4) ** 0.25)


MAX_HOLD_S = 5


def stretches(t: np.ndarray, v: np.ndarray) -> list[np.ndarray]:
    """A channel on a 1 Hz grid, cut at gaps: a value holds until the next
    sample when that is at most 5 s later; a longer step, or a sample
    without a value, ends a stretch (docs/analytics.md)."""
    out, cur = [], []
    n = len(t)
    for i in range(n):
        if np.isnan(v[i]):
            continue
        cur.append(v[i])
        step = t[i + 1] - t[i] if i + 1 < n else 0
        if i + 1 < n and not np.isnan(v[i + 1]) and 1 <= step <= MAX_HOLD_S:
            cur.extend([v[i]] * int(step - 1))
        else:
            out.append(np.array(cur))
            cur = []
    return [s for s in out if len(s)]


def exact_best_sums(parts: list[np.ndarray]) -> np.ndarray:
    """best[d-1] = the highest sum of d consecutive values in any stretch."""
    longest = max(len(p) for p in parts)
    best = np.full(longest, -np.inf)
    for p in parts:
        c = np.concatenate([[0.0], np.cumsum(p)])
        for d in range(1, len(p) + 1):
            best[d - 1] = max(best[d - 1], float(np.max(c[d:] - c[:-d])))
    return best


def at_least(best_sums: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each d: the best average over windows of at least d seconds, and
    the window that holds it (walked from the longest, so a tie keeps the
    longer window, as tp-fitness does)."""
    n = len(best_sums)
    avg = best_sums / np.arange(1, n + 1)
    value, window = np.empty(n), np.empty(n, dtype=int)
    top, top_w = -np.inf, 0
    for d in range(n, 0, -1):
        if avg[d - 1] > top:
            top, top_w = avg[d - 1], d
        value[d - 1], window[d - 1] = top, top_w
    return value, window

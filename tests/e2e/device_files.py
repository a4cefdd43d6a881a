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

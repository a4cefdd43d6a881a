#!/usr/bin/env python3
"""Expected values for the FIT fixtures, from an independent decoder.

Decodes every *.fit in this folder with fitdecode (a Python FIT reader that
shares no code with fitparser or with us) and writes <name>.expected.json
next to it. tests/fixtures.rs compares tp_device::decode against these.

    python3 -m venv /tmp/fitvenv
    /tmp/fitvenv/bin/pip install fitdecode==0.11.0 fit-tool==0.9.16
    /tmp/fitvenv/bin/python expected.py

The rules that turn records into samples are the crate's documented ones,
written again here from the description, not from the Rust code:
  * time_s = record timestamp - first record timestamp (whole seconds);
  * records in the same second merge (a later record's values win, channels
    it lacks keep the earlier values); records earlier than the last kept
    second are dropped and counted;
  * a record without a timestamp is not a sample;
  * values in native integer units: W, bpm, rpm, mm/s, cm, cm, degrees C;
    enhanced_speed / enhanced_altitude win over speed / altitude;
  * a value the device marked invalid is missing (None), never 0.
"""

import glob
import json
import os

import fitdecode

HERE = os.path.dirname(os.path.abspath(__file__))
CHANNELS = ["power", "heart_rate", "cadence", "speed", "distance", "altitude", "temperature"]


def value(msg, *names):
    """The first of `names` the message has a (valid) value for."""
    for name in names:
        if msg.has_field(name):
            v = msg.get_value(name, fallback=None)
            if v is not None:
                return v
    return None


def native(v, factor):
    return None if v is None else int(round(v * factor))


def record_values(msg):
    return {
        "power": native(value(msg, "power"), 1),
        "heart_rate": native(value(msg, "heart_rate"), 1),
        "cadence": native(value(msg, "cadence"), 1),
        "speed": native(value(msg, "enhanced_speed", "speed"), 1000),
        "distance": native(value(msg, "distance"), 100),
        "altitude": native(value(msg, "enhanced_altitude", "altitude"), 100),
        "temperature": native(value(msg, "temperature"), 1),
    }


def iso(dt):
    return None if dt is None else dt.strftime("%Y-%m-%dT%H:%M:%S")


def number(v):
    if v is None or isinstance(v, (int, float)):
        return v
    return None


def word(v):
    if v is None:
        return None
    return str(v)


def lap_json(msg, first_ts):
    start = value(msg, "start_time")
    return {
        "start_s": None if start is None or first_ts is None else (start - first_ts).total_seconds(),
        "elapsed_s": number(value(msg, "total_elapsed_time")),
        "timer_s": number(value(msg, "total_timer_time")),
        "distance_m": number(value(msg, "total_distance")),
        "avg_power_w": number(value(msg, "avg_power")),
        "max_power_w": number(value(msg, "max_power")),
        "normalized_power_w": number(value(msg, "normalized_power")),
        "avg_heart_rate_bpm": number(value(msg, "avg_heart_rate")),
        "max_heart_rate_bpm": number(value(msg, "max_heart_rate")),
        "avg_cadence_rpm": number(value(msg, "avg_cadence", "avg_running_cadence")),
        "avg_speed_m_s": number(value(msg, "enhanced_avg_speed", "avg_speed")),
        "max_speed_m_s": number(value(msg, "enhanced_max_speed", "max_speed")),
        "total_ascent_m": number(value(msg, "total_ascent")),
        "calories_kcal": number(value(msg, "total_calories")),
        "trigger": word(value(msg, "lap_trigger")),
    }


def session_json(msg):
    return {
        "sport": word(value(msg, "sport")),
        "sub_sport": word(value(msg, "sub_sport")),
        "start_utc": iso(value(msg, "start_time")),
        "elapsed_s": number(value(msg, "total_elapsed_time")),
        "timer_s": number(value(msg, "total_timer_time")),
        "distance_m": number(value(msg, "total_distance")),
        "avg_power_w": number(value(msg, "avg_power")),
        "max_power_w": number(value(msg, "max_power")),
        "normalized_power_w": number(value(msg, "normalized_power")),
        "avg_heart_rate_bpm": number(value(msg, "avg_heart_rate")),
        "max_heart_rate_bpm": number(value(msg, "max_heart_rate")),
        "avg_cadence_rpm": number(value(msg, "avg_cadence", "avg_running_cadence")),
        "avg_speed_m_s": number(value(msg, "enhanced_avg_speed", "avg_speed")),
        "max_speed_m_s": number(value(msg, "enhanced_max_speed", "max_speed")),
        "total_ascent_m": number(value(msg, "total_ascent")),
        "total_descent_m": number(value(msg, "total_descent")),
        "calories_kcal": number(value(msg, "total_calories")),
        "training_stress_score": number(value(msg, "training_stress_score")),
        "intensity_factor": number(value(msg, "intensity_factor")),
        "threshold_power_w": number(value(msg, "threshold_power")),
        "avg_temperature_c": number(value(msg, "avg_temperature")),
    }


def expected(path):
    records = 0
    records_without_time = 0
    first_ts = None
    times = []  # time_s per sample
    samples = []  # dict per sample
    backwards = 0
    laps = []  # (message, kept for start_s once first_ts is known)
    sessions = []
    headers = 0
    with fitdecode.FitReader(path, check_crc=fitdecode.CrcCheck.RAISE) as reader:
        for frame in reader:
            if isinstance(frame, fitdecode.FitHeader):
                headers += 1
            if not isinstance(frame, fitdecode.FitDataMessage):
                continue
            if frame.name == "record":
                records += 1
                ts = value(frame, "timestamp")
                if ts is None:
                    records_without_time += 1
                    continue
                if first_ts is None:
                    first_ts = ts
                t = int((ts - first_ts).total_seconds())
                vals = record_values(frame)
                if times and t < times[-1] or t < 0:
                    backwards += 1
                    continue
                if times and t == times[-1]:
                    for k, v in vals.items():
                        if v is not None:
                            samples[-1][k] = v
                    continue
                times.append(t)
                samples.append(vals)
            elif frame.name == "lap":
                laps.append(frame)
            elif frame.name == "session":
                sessions.append(frame)

    channels = {}
    for c in CHANNELS:
        present = [s[c] for s in samples if s[c] is not None]
        if present:
            channels[c] = {
                "count": len(present),
                "sum": sum(present),
                "min": min(present),
                "max": max(present),
            }
    picks = sorted({0, len(samples) // 3, len(samples) // 2, len(samples) - 1}) if samples else []
    return {
        "file": os.path.basename(path),
        "decoder": "fitdecode " + fitdecode.__version__,
        "fit_headers": headers,
        "records": records,
        "records_without_time": records_without_time,
        "samples": len(samples),
        "backwards": backwards,
        "start_utc": iso(first_ts),
        "last_time_s": times[-1] if times else None,
        "channels": channels,
        "samples_at": [dict(index=i, time_s=times[i], **samples[i]) for i in picks],
        "laps": [lap_json(m, first_ts) for m in laps],
        "sessions": len(sessions),
        "session": session_json(sessions[0]) if sessions else None,
    }


def main():
    for path in sorted(glob.glob(os.path.join(HERE, "*.fit"))):
        out = os.path.splitext(path)[0] + ".expected.json"
        with open(out, "w") as f:
            json.dump(expected(path), f, indent=1, sort_keys=True)
            f.write("\n")
        print("wrote", os.path.basename(out))


if __name__ == "__main__":
    main()

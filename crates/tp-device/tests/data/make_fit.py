#!/usr/bin/env python3
"""Writes dev_compressed.fit with fit-tool (an encoder independent of ours
and of fitparser): a short synthetic ride with developer fields, compressed
timestamp headers (including a 5-bit rollover), a pause, two laps and a
session. Its expected values then come from expected.py (fitdecode), like
every other fixture here.

    python3 -m venv /tmp/fitvenv
    /tmp/fitvenv/bin/pip install fit-tool==0.9.16 fitdecode==0.11.0
    /tmp/fitvenv/bin/python make_fit.py && /tmp/fitvenv/bin/python expected.py

The output is deterministic (no clock, no randomness), so running it again
gives the same bytes.
"""

import math
import os

from fit_tool.base_type import BaseType
from fit_tool.developer_field import DeveloperField
from fit_tool.fit_file_builder import FitFileBuilder
from fit_tool.profile.messages.activity_message import ActivityMessage
from fit_tool.profile.messages.developer_data_id_message import DeveloperDataIdMessage
from fit_tool.profile.messages.event_message import EventMessage
from fit_tool.profile.messages.field_description_message import FieldDescriptionMessage
from fit_tool.profile.messages.file_id_message import FileIdMessage
from fit_tool.profile.messages.lap_message import LapMessage
from fit_tool.profile.messages.record_message import RecordMessage
from fit_tool.profile.messages.session_message import SessionMessage
from fit_tool.profile.profile_type import (
    Event,
    EventType,
    FileType,
    LapTrigger,
    Manufacturer,
    Sport,
    SubSport,
)
from fit_tool.record import RecordHeader

HERE = os.path.dirname(os.path.abspath(__file__))
T0 = 1_717_225_200  # 2024-06-01T07:00:00Z, in Unix seconds
RECORD_LOCAL_ID = 1  # compressed timestamp headers can only name local ids 0-3


def ms(unix_s):
    """fit-tool takes times as Unix milliseconds."""
    return unix_s * 1000


def record(i, t, compressed, with_heart_rate=True):
    smo2 = DeveloperField(developer_data_index=0, field_id=0, size=2, base_type=BaseType.UINT16)
    smo2.set_value(0, 600 + i % 50)
    core = DeveloperField(developer_data_index=0, field_id=1, size=1, base_type=BaseType.SINT8)
    core.set_value(0, 37 + (i // 60))
    r = RecordMessage(developer_fields=[smo2, core], local_id=RECORD_LOCAL_ID)
    r.power = 180 + round(40 * math.sin(i / 7))
    if with_heart_rate:
        r.heart_rate = 120 + i // 4
    r.cadence = 85 + i % 7
    r.speed = 8.0 + (i % 10) * 0.125  # m/s
    r.distance = 8.3 * i  # m
    r.altitude = 250.0 + (i % 20) * 0.2  # m
    r.temperature = 21 - i // 80
    if not compressed:
        r.timestamp = ms(t)
    return r, t


def main():
    b = FitFileBuilder(auto_define=True)

    m = FileIdMessage()
    m.type = FileType.ACTIVITY
    m.manufacturer = Manufacturer.DEVELOPMENT.value
    m.product = 1
    m.serial_number = 0x1234
    m.time_created = ms(T0)
    b.add(m)

    m = DeveloperDataIdMessage()
    m.application_id = b"tp-device-fixtur"
    m.developer_data_index = 0
    b.add(m)
    for number, name, base, units in ((0, "smo2", BaseType.UINT16, "0.1%"), (1, "core_temp", BaseType.SINT8, "C")):
        m = FieldDescriptionMessage()
        m.developer_data_index = 0
        m.field_definition_number = number
        m.fit_base_type_id = base
        m.field_name = name
        m.units = units
        b.add(m)

    def event(kind, t):
        e = EventMessage()
        e.event = Event.TIMER
        e.event_type = kind
        e.timestamp = ms(t)
        b.add(e)

    def add_record(i, t, full):
        r, t = record(i, t, compressed=not full, with_heart_rate=(i % 17 != 5))
        b.add(r)
        if not full:
            b.records[-1].header = RecordHeader(
                is_time_compressed=True,
                is_definition=False,
                local_id=RECORD_LOCAL_ID,
                time_offset_seconds=t & 0x1F,
            )

    # First stretch: 90 s at 1 Hz, then a 20 s dropout (still within the
    # 31 s a compressed header can jump), then 30 s more.
    event(EventType.START, T0)
    i = 0
    times = list(range(T0, T0 + 90)) + list(range(T0 + 110, T0 + 140))
    for n, t in enumerate(times):
        add_record(i, t, full=(n == 0))
        i += 1
    event(EventType.STOP_ALL, T0 + 139)

    # A 61 s pause: too long for a compressed header, so the first record
    # after it carries a full timestamp again.
    event(EventType.START, T0 + 200)
    for n, t in enumerate(range(T0 + 200, T0 + 260)):
        add_record(i, t, full=(n == 0))
        i += 1
    event(EventType.STOP_ALL, T0 + 259)

    def lap(start, end, timer, dist, trigger):
        lm = LapMessage()
        lm.timestamp = ms(end)
        lm.start_time = ms(start)
        lm.total_elapsed_time = float(end - start + 1)
        lm.total_timer_time = float(timer)
        lm.total_distance = dist
        lm.avg_power = 181
        lm.max_power = 220
        lm.normalized_power = 186
        lm.avg_heart_rate = 140
        lm.max_heart_rate = 162
        lm.avg_cadence = 88
        lm.enhanced_avg_speed = 8.5
        lm.enhanced_max_speed = 9.125
        lm.total_ascent = 3
        lm.total_calories = 30
        lm.lap_trigger = trigger
        b.add(lm)

    lap(T0, T0 + 139, 120, 1000.0, LapTrigger.MANUAL)
    lap(T0 + 200, T0 + 259, 60, 490.0, LapTrigger.SESSION_END)

    s = SessionMessage()
    s.timestamp = ms(T0 + 259)
    s.start_time = ms(T0)
    s.sport = Sport.CYCLING
    s.sub_sport = SubSport.ROAD
    s.total_elapsed_time = 260.0
    s.total_timer_time = 180.0
    s.total_distance = 1490.0
    s.avg_power = 181
    s.max_power = 220
    s.normalized_power = 186
    s.avg_heart_rate = 141
    s.max_heart_rate = 164
    s.avg_cadence = 88
    s.enhanced_avg_speed = 8.5
    s.enhanced_max_speed = 9.125
    s.total_ascent = 4
    s.total_descent = 4
    s.total_calories = 45
    s.training_stress_score = 4.5
    s.intensity_factor = 0.744
    s.threshold_power = 250
    s.avg_temperature = 20
    b.add(s)

    a = ActivityMessage()
    a.timestamp = ms(T0 + 259)
    a.num_sessions = 1
    b.add(a)

    with open(os.path.join(HERE, "dev_compressed.fit"), "wb") as f:
        f.write(b.build().to_bytes())


if __name__ == "__main__":
    main()

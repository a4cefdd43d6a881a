//! The few FIT messages and fields we read, by number, with the FIT
//! profile's scale and offset for each.
//!
//! Numbers checked against the profile fitparser 0.11 generates
//! (`src/profile/decode.rs`, FIT SDK 21.x). Values arrive raw (as the
//! device wrote them, in the base type its definition message declared);
//! invalid values (0xFF…, the base type's "no value") never arrive: the
//! parser leaves such fields out, so they read as missing, not as zero.

use crate::samples::Values;
use fitparser::Value;
use fitparser::profile::FieldDataType;
use std::collections::HashMap;
use tp_model::{ChannelKind, Lap, SessionTotals};

/// Global message numbers.
pub const FILE_ID: u16 = 0;
pub const SESSION: u16 = 18;
pub const LAP: u16 = 19;
pub const RECORD: u16 = 20;
pub const FIELD_DESCRIPTION: u16 = 206;

/// Field 253 of any message: seconds since [`FIT_EPOCH_UNIX_S`], uint32.
pub const TIMESTAMP: u8 = 253;

/// 1989-12-31T00:00:00Z, the FIT epoch, in Unix seconds.
pub const FIT_EPOCH_UNIX_S: i64 = 631_065_600;

/// file_id (0): `type` (enum `file`; 4 is an activity).
pub const FILE_ID_TYPE: u8 = 0;
pub const FILE_TYPE_ACTIVITY: i64 = 4;

/// record (20).
mod record {
    pub const ALTITUDE: u8 = 2; // uint16, /5 − 500 m
    pub const HEART_RATE: u8 = 3; // uint8, bpm
    pub const CADENCE: u8 = 4; // uint8, rpm
    pub const DISTANCE: u8 = 5; // uint32, /100 m
    pub const SPEED: u8 = 6; // uint16, /1000 m/s
    pub const POWER: u8 = 7; // uint16, W
    pub const TEMPERATURE: u8 = 13; // sint8, °C
    pub const ENHANCED_SPEED: u8 = 73; // uint32, /1000 m/s
    pub const ENHANCED_ALTITUDE: u8 = 78; // uint32, /5 − 500 m
}

/// lap (19).
mod lap {
    pub const START_TIME: u8 = 2; // date_time
    pub const TOTAL_ELAPSED_TIME: u8 = 7; // uint32, /1000 s
    pub const TOTAL_TIMER_TIME: u8 = 8; // uint32, /1000 s
    pub const TOTAL_DISTANCE: u8 = 9; // uint32, /100 m
    pub const TOTAL_CALORIES: u8 = 11; // uint16, kcal
    pub const AVG_SPEED: u8 = 13; // uint16, /1000 m/s
    pub const MAX_SPEED: u8 = 14; // uint16, /1000 m/s
    pub const AVG_HEART_RATE: u8 = 15; // uint8, bpm
    pub const MAX_HEART_RATE: u8 = 16; // uint8, bpm
    pub const AVG_CADENCE: u8 = 17; // uint8, rpm
    pub const AVG_POWER: u8 = 19; // uint16, W
    pub const MAX_POWER: u8 = 20; // uint16, W
    pub const TOTAL_ASCENT: u8 = 21; // uint16, m
    pub const LAP_TRIGGER: u8 = 24; // enum lap_trigger
    pub const NORMALIZED_POWER: u8 = 33; // uint16, W
    pub const ENHANCED_AVG_SPEED: u8 = 110; // uint32, /1000 m/s
    pub const ENHANCED_MAX_SPEED: u8 = 111; // uint32, /1000 m/s
}

/// session (18).
mod session {
    pub const START_TIME: u8 = 2; // date_time
    pub const SPORT: u8 = 5; // enum sport
    pub const SUB_SPORT: u8 = 6; // enum sub_sport
    pub const TOTAL_ELAPSED_TIME: u8 = 7; // uint32, /1000 s
    pub const TOTAL_TIMER_TIME: u8 = 8; // uint32, /1000 s
    pub const TOTAL_DISTANCE: u8 = 9; // uint32, /100 m
    pub const TOTAL_CALORIES: u8 = 11; // uint16, kcal
    pub const AVG_SPEED: u8 = 14; // uint16, /1000 m/s
    pub const MAX_SPEED: u8 = 15; // uint16, /1000 m/s
    pub const AVG_HEART_RATE: u8 = 16; // uint8, bpm
    pub const MAX_HEART_RATE: u8 = 17; // uint8, bpm
    pub const AVG_CADENCE: u8 = 18; // uint8, rpm
    pub const AVG_POWER: u8 = 20; // uint16, W
    pub const MAX_POWER: u8 = 21; // uint16, W
    pub const TOTAL_ASCENT: u8 = 22; // uint16, m
    pub const TOTAL_DESCENT: u8 = 23; // uint16, m
    pub const NORMALIZED_POWER: u8 = 34; // uint16, W
    pub const TRAINING_STRESS_SCORE: u8 = 35; // uint16, /10
    pub const INTENSITY_FACTOR: u8 = 36; // uint16, /1000
    pub const THRESHOLD_POWER: u8 = 45; // uint16, W
    pub const AVG_TEMPERATURE: u8 = 57; // sint8, °C
    pub const ENHANCED_AVG_SPEED: u8 = 124; // uint32, /1000 m/s
    pub const ENHANCED_MAX_SPEED: u8 = 125; // uint32, /1000 m/s
}

/// The fields of one message: field number → raw value.
pub type Fields = HashMap<u8, Value>;

/// A raw integer value of any integer base type. Floats, strings and
/// arrays are not what the profile declares for the fields we read, so
/// they count as missing.
pub fn int(v: &Value) -> Option<i64> {
    Some(match *v {
        Value::Enum(x) | Value::UInt8(x) | Value::UInt8z(x) | Value::Byte(x) => i64::from(x),
        Value::SInt8(x) => i64::from(x),
        Value::UInt16(x) | Value::UInt16z(x) => i64::from(x),
        Value::SInt16(x) => i64::from(x),
        Value::UInt32(x) | Value::UInt32z(x) => i64::from(x),
        Value::SInt32(x) => i64::from(x),
        Value::UInt64(x) | Value::UInt64z(x) => i64::try_from(x).ok()?,
        Value::SInt64(x) => x,
        _ => return None,
    })
}

fn raw(fields: &Fields, number: u8) -> Option<i64> {
    fields.get(&number).and_then(int)
}

/// `enhanced` when the message has it, else `plain` (same scale).
fn raw_either(fields: &Fields, enhanced: u8, plain: u8) -> Option<i64> {
    raw(fields, enhanced).or_else(|| raw(fields, plain))
}

/// A raw value in native units: `raw * factor + offset`, if it fits.
fn to_native(raw: Option<i64>, factor: i64, offset: i64) -> Option<i32> {
    raw?.checked_mul(factor)
        .and_then(|v| v.checked_add(offset))
        .and_then(|v| i32::try_from(v).ok())
}

/// A record's timestamp field (FIT seconds) and channel values in native
/// units, in one pass over its fields (a record is the message read most
/// often: this is the hot path). The conversions are exact: speed in
/// 1/1000 m/s is mm/s, distance in 1/100 m is cm, and altitude (raw / 5 −
/// 500 m) is raw × 20 − 50 000 cm. Enhanced speed and altitude win over
/// the plain fields.
pub fn record(fields: &Fields) -> (Option<i64>, Values) {
    let mut values = Values::default();
    let (mut timestamp, mut speed, mut altitude) = (None, None, None);
    let (mut enhanced_speed, mut enhanced_altitude) = (None, None);
    for (&number, value) in fields {
        let raw = int(value);
        match number {
            TIMESTAMP => timestamp = raw,
            record::POWER => values.set(ChannelKind::Power, to_native(raw, 1, 0)),
            record::HEART_RATE => values.set(ChannelKind::HeartRate, to_native(raw, 1, 0)),
            record::CADENCE => values.set(ChannelKind::Cadence, to_native(raw, 1, 0)),
            record::DISTANCE => values.set(ChannelKind::Distance, to_native(raw, 1, 0)),
            record::TEMPERATURE => values.set(ChannelKind::Temperature, to_native(raw, 1, 0)),
            record::SPEED => speed = raw,
            record::ENHANCED_SPEED => enhanced_speed = raw,
            record::ALTITUDE => altitude = raw,
            record::ENHANCED_ALTITUDE => enhanced_altitude = raw,
            _ => {}
        }
    }
    values.set(
        ChannelKind::Speed,
        to_native(enhanced_speed.or(speed), 1, 0),
    );
    values.set(
        ChannelKind::Altitude,
        to_native(enhanced_altitude.or(altitude), 20, -50_000),
    );
    (timestamp, values)
}

/// A raw value divided by the profile's scale.
fn scaled(raw: Option<i64>, scale: f64) -> Option<f64> {
    raw.map(|r| r as f64 / scale)
}

fn plain(fields: &Fields, number: u8) -> Option<f64> {
    scaled(raw(fields, number), 1.0)
}

/// A FIT `date_time` (seconds since the FIT epoch) in Unix seconds.
pub fn unix_s(fit_time: u32) -> i64 {
    i64::from(fit_time) + FIT_EPOCH_UNIX_S
}

/// A `date_time` field in Unix seconds; `None` unless it is a `uint32`'s
/// worth of seconds, as the profile declares.
fn time_field(fields: &Fields, number: u8) -> Option<i64> {
    raw(fields, number)
        .and_then(|t| u32::try_from(t).ok())
        .map(unix_s)
}

/// An enum value as the profile's word (`cycling`, `manual`); a value the
/// profile does not name is kept as its number.
fn word(fields: &Fields, number: u8, kind: FieldDataType) -> Option<String> {
    let v = raw(fields, number)?;
    Some(if kind.is_named_variant(v) {
        fitparser::profile::get_field_variant_as_string(kind, v)
    } else {
        v.to_string()
    })
}

/// A lap, and its start in Unix seconds (made relative to the first sample
/// once the whole file is read).
pub fn lap(fields: &Fields) -> (Option<i64>, Lap) {
    let lap = Lap {
        start_s: 0.0,
        elapsed_s: scaled(raw(fields, lap::TOTAL_ELAPSED_TIME), 1000.0),
        timer_s: scaled(raw(fields, lap::TOTAL_TIMER_TIME), 1000.0),
        distance_m: scaled(raw(fields, lap::TOTAL_DISTANCE), 100.0),
        avg_power_w: plain(fields, lap::AVG_POWER),
        max_power_w: plain(fields, lap::MAX_POWER),
        normalized_power_w: plain(fields, lap::NORMALIZED_POWER),
        avg_heart_rate_bpm: plain(fields, lap::AVG_HEART_RATE),
        max_heart_rate_bpm: plain(fields, lap::MAX_HEART_RATE),
        avg_cadence_rpm: plain(fields, lap::AVG_CADENCE),
        avg_speed_m_s: scaled(
            raw_either(fields, lap::ENHANCED_AVG_SPEED, lap::AVG_SPEED),
            1000.0,
        ),
        max_speed_m_s: scaled(
            raw_either(fields, lap::ENHANCED_MAX_SPEED, lap::MAX_SPEED),
            1000.0,
        ),
        total_ascent_m: plain(fields, lap::TOTAL_ASCENT),
        calories_kcal: plain(fields, lap::TOTAL_CALORIES),
        trigger: word(fields, lap::LAP_TRIGGER, FieldDataType::LapTrigger),
    };
    let start = time_field(fields, lap::START_TIME).or_else(|| {
        // No start_time: the lap ends at its timestamp, so it began its
        // elapsed time before.
        Some(time_field(fields, TIMESTAMP)? - lap.elapsed_s? as i64)
    });
    (start, lap)
}

/// A session's totals.
pub fn session(fields: &Fields) -> SessionTotals {
    SessionTotals {
        sport: word(fields, session::SPORT, FieldDataType::Sport),
        sub_sport: word(fields, session::SUB_SPORT, FieldDataType::SubSport),
        start_utc: time_field(fields, session::START_TIME).and_then(crate::samples::utc),
        elapsed_s: scaled(raw(fields, session::TOTAL_ELAPSED_TIME), 1000.0),
        timer_s: scaled(raw(fields, session::TOTAL_TIMER_TIME), 1000.0),
        distance_m: scaled(raw(fields, session::TOTAL_DISTANCE), 100.0),
        avg_power_w: plain(fields, session::AVG_POWER),
        max_power_w: plain(fields, session::MAX_POWER),
        normalized_power_w: plain(fields, session::NORMALIZED_POWER),
        avg_heart_rate_bpm: plain(fields, session::AVG_HEART_RATE),
        max_heart_rate_bpm: plain(fields, session::MAX_HEART_RATE),
        avg_cadence_rpm: plain(fields, session::AVG_CADENCE),
        avg_speed_m_s: scaled(
            raw_either(fields, session::ENHANCED_AVG_SPEED, session::AVG_SPEED),
            1000.0,
        ),
        max_speed_m_s: scaled(
            raw_either(fields, session::ENHANCED_MAX_SPEED, session::MAX_SPEED),
            1000.0,
        ),
        total_ascent_m: plain(fields, session::TOTAL_ASCENT),
        total_descent_m: plain(fields, session::TOTAL_DESCENT),
        calories_kcal: plain(fields, session::TOTAL_CALORIES),
        training_stress_score: scaled(raw(fields, session::TRAINING_STRESS_SCORE), 10.0),
        intensity_factor: scaled(raw(fields, session::INTENSITY_FACTOR), 1000.0),
        threshold_power_w: plain(fields, session::THRESHOLD_POWER),
        avg_temperature_c: plain(fields, session::AVG_TEMPERATURE),
    }
}

/// The file type's word (`workout`, `settings`), for "not an activity".
pub fn file_type_word(file_type: i64) -> String {
    if FieldDataType::File.is_named_variant(file_type) {
        fitparser::profile::get_field_variant_as_string(FieldDataType::File, file_type)
    } else {
        format!("type {file_type}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(u8, Value)]) -> Fields {
        pairs.iter().cloned().collect()
    }

    // Native units come from exact integer arithmetic on the raw values,
    // and the enhanced fields win over the plain ones.
    #[test]
    fn record_fields_convert_exactly() {
        let f = fields(&[
            (record::ALTITUDE, Value::UInt16(2500)),
            (record::ENHANCED_ALTITUDE, Value::UInt32(2501)),
            (record::SPEED, Value::UInt16(1)),
            (record::ENHANCED_SPEED, Value::UInt32(8125)),
            (record::DISTANCE, Value::UInt32(123_456)),
            (record::TEMPERATURE, Value::SInt8(-3)),
            (record::POWER, Value::UInt16(250)),
        ]);
        let mut expected = Values::default();
        expected.set(ChannelKind::Altitude, Some(2501 * 20 - 50_000));
        expected.set(ChannelKind::Speed, Some(8125));
        expected.set(ChannelKind::Distance, Some(123_456));
        expected.set(ChannelKind::Temperature, Some(-3));
        expected.set(ChannelKind::Power, Some(250));
        assert_eq!(record(&f), (None, expected));
    }

    // Words come from the FIT profile; numbers the profile does not name
    // stay numbers.
    #[test]
    fn enums_become_words() {
        let f = fields(&[
            (session::SPORT, Value::Enum(2)),
            (session::SUB_SPORT, Value::Enum(200)),
        ]);
        let s = session(&f);
        assert_eq!(s.sport.as_deref(), Some("cycling"));
        assert_eq!(s.sub_sport.as_deref(), Some("200"));
        assert_eq!(file_type_word(5), "workout");
    }
}

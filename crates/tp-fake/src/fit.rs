//! [`write_fit`]: a [`Recording`] as a FIT activity file, the binary format
//! Garmin (and most other) devices record and TrainingPeaks serves as a
//! workout's device file.
//!
//! Written by hand after the FIT SDK's protocol description: protocol 2.0,
//! profile 21.202 (the profile the `fitparser` crate packages, against which
//! every field number, base type and scale below was checked), a 14-byte
//! header with its own CRC, little-endian definition messages, normal
//! (uncompressed) record headers, and the CRC of the whole file at the end
//! (the SDK's CRC-16; its nibble table is turned into a byte table at
//! compile time, twice as fast).
//! We chose not to use a FIT-writing crate: `fit-rust` is 0.1.x with a
//! heavier API, and the fake needs six message types.
//!
//! # What the file holds, in order
//! - `file_id`: type activity, manufacturer `development`, product, serial
//!   number, time created (the first sample).
//! - `event` timer start at the first sample.
//! - One `record` per sample, each with its full timestamp. The record
//!   definition has a field for each channel that at least one sample of the
//!   recording has (speed and altitude both as the legacy 16-bit field and
//!   the `enhanced_` 32-bit one); a sample missing a value writes the FIT
//!   invalid value, which decoders report as missing.
//! - Around every pause ([`Recording::pauses`]): `event` timer stop_all at
//!   the last sample before it, timer start at the first sample after it.
//! - A `lap` after each lap's last record ([`Recording::laps`]): times,
//!   distance, calories (the device's total shared by timer time), averages
//!   over the samples that have the value, maxima, ascent and descent,
//!   sport, trigger manual (session_end for the last lap).
//! - At the end: `event` timer stop_all at the last sample, the last `lap`,
//!   one `session` (the same sums over the whole recording plus the
//!   [`DeviceTotals`](crate::DeviceTotals)), one `activity`.
//!
//! Lap and session times: a lap runs from its first sample to the next lap's
//! first sample (the last lap to one second after the last sample), so laps
//! add up to the session's elapsed time; timer time is one second per
//! sample. Messages that summarise a span carry its end as `timestamp`.
//!
//! # What it deliberately does not do
//! - No `device_info`, GPS positions, developer fields, HRV, pool lengths,
//!   zones or compressed-timestamp headers: the fake's readers need none.
//! - No time zone: the recording is UTC only, so `activity.local_timestamp`
//!   equals `timestamp`.
//! - No range checks beyond the format's: a value that happens to equal a
//!   field's invalid value (a 255 bpm heart rate, 65.535 m/s, 127 °C) reads
//!   back as missing; an altitude outside what a field can hold is written
//!   as missing in that field.
//!
//! `Summary` and `split_calories` are shared with the TCX writer, so both
//! files of a workout state the same lap totals.

use std::ops::Range;

use crate::recording::{DeviceSport, Recording, Sample};

/// Seconds from the Unix epoch to FIT's, 1989-12-31T00:00:00Z.
const FIT_EPOCH_UNIX_S: i64 = 631_065_600;
/// FIT protocol 2.0 (high nibble major, low nibble minor).
const PROTOCOL_VERSION: u8 = 0x20;
/// Profile 21.202 as the SDK encodes it (major × 1000 + minor).
const PROFILE_VERSION: u16 = 21_202;
/// Header with CRC: size, protocol, profile, data size, ".FIT", CRC.
const HEADER_SIZE: usize = 14;
/// FIT `manufacturer` `development`.
const MANUFACTURER_DEVELOPMENT: u32 = 255;
/// The fake device's `product` (free to choose under `development`).
const DEVICE_PRODUCT: u32 = 1;
/// The fake device's serial number (`uint32z`: anything but 0).
const DEVICE_SERIAL_NUMBER: u32 = 20_220_103;

/// Global message numbers (FIT profile `mesg_num`).
mod mesg_num {
    pub const FILE_ID: u16 = 0;
    pub const SESSION: u16 = 18;
    pub const LAP: u16 = 19;
    pub const RECORD: u16 = 20;
    pub const EVENT: u16 = 21;
    pub const ACTIVITY: u16 = 34;
}

/// Local message types: one per global message, so each is defined once.
mod local {
    pub const FILE_ID: u8 = 0;
    pub const EVENT: u8 = 1;
    pub const RECORD: u8 = 2;
    pub const LAP: u8 = 3;
    pub const SESSION: u8 = 4;
    pub const ACTIVITY: u8 = 5;
    pub const COUNT: usize = 6;
}

/// FIT enum values the writer uses.
mod enums {
    pub const FILE_ACTIVITY: u32 = 4;
    pub const EVENT_TIMER: u32 = 0;
    pub const EVENT_SESSION: u32 = 8;
    pub const EVENT_LAP: u32 = 9;
    pub const EVENT_ACTIVITY: u32 = 26;
    pub const EVENT_TYPE_START: u32 = 0;
    pub const EVENT_TYPE_STOP: u32 = 1;
    pub const EVENT_TYPE_STOP_ALL: u32 = 4;
    pub const LAP_TRIGGER_MANUAL: u32 = 0;
    pub const LAP_TRIGGER_SESSION_END: u32 = 7;
    pub const ACTIVITY_MANUAL: u32 = 0;
}

/// The FIT base types the writer uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BaseType {
    Enum,
    Sint8,
    Uint8,
    Uint16,
    Uint32,
    Uint32z,
}

impl BaseType {
    /// The base type number in a field definition (endian bit included).
    fn id(self) -> u8 {
        match self {
            BaseType::Enum => 0x00,
            BaseType::Sint8 => 0x01,
            BaseType::Uint8 => 0x02,
            BaseType::Uint16 => 0x84,
            BaseType::Uint32 => 0x86,
            BaseType::Uint32z => 0x8C,
        }
    }

    fn size(self) -> u8 {
        match self {
            BaseType::Enum | BaseType::Sint8 | BaseType::Uint8 => 1,
            BaseType::Uint16 => 2,
            BaseType::Uint32 | BaseType::Uint32z => 4,
        }
    }

    /// The bit pattern that means "no value".
    fn invalid(self) -> u32 {
        match self {
            BaseType::Enum | BaseType::Uint8 => 0xFF,
            BaseType::Sint8 => 0x7F,
            BaseType::Uint16 => 0xFFFF,
            BaseType::Uint32 => 0xFFFF_FFFF,
            BaseType::Uint32z => 0,
        }
    }

    /// `value` as this type's bit pattern, if the type can hold it and it is
    /// not the invalid pattern (`None` then: the field reads as missing).
    fn checked(self, value: i64) -> Option<u32> {
        let (min, max) = match self {
            BaseType::Enum | BaseType::Uint8 => (0, 0xFE),
            BaseType::Sint8 => (-0x80, 0x7E),
            BaseType::Uint16 => (0, 0xFFFE),
            BaseType::Uint32 => (0, 0xFFFF_FFFE),
            BaseType::Uint32z => (1, 0xFFFF_FFFF),
        };
        (min..=max)
            .contains(&value)
            .then_some(value as u32 & self.mask())
    }

    fn mask(self) -> u32 {
        match self.size() {
            1 => 0xFF,
            2 => 0xFFFF,
            _ => 0xFFFF_FFFF,
        }
    }
}

/// A field of a message: its number in the profile and its base type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Field {
    number: u8,
    base: BaseType,
}

const fn field(number: u8, base: BaseType) -> Field {
    Field { number, base }
}

impl Field {
    /// This field with `value`, written as invalid if its type cannot hold it.
    fn with(self, value: Option<u32>) -> (Field, Option<u32>) {
        (self, value.and_then(|v| self.base.checked(v.into())))
    }
}

/// Fields several messages share under the same number.
const TIMESTAMP: Field = field(253, BaseType::Uint32);
const MESSAGE_INDEX: Field = field(254, BaseType::Uint16);

mod file_id_field {
    use super::{BaseType::*, Field, field};
    pub const TYPE: Field = field(0, Enum);
    pub const MANUFACTURER: Field = field(1, Uint16);
    pub const PRODUCT: Field = field(2, Uint16);
    pub const SERIAL_NUMBER: Field = field(3, Uint32z);
    pub const TIME_CREATED: Field = field(4, Uint32);
}

mod event_field {
    use super::{BaseType::*, Field, field};
    pub const EVENT: Field = field(0, Enum);
    pub const EVENT_TYPE: Field = field(1, Enum);
}

mod record_field {
    use super::{BaseType::*, Field, field};
    /// m, scale 5, offset 500.
    pub const ALTITUDE: Field = field(2, Uint16);
    pub const HEART_RATE: Field = field(3, Uint8);
    pub const CADENCE: Field = field(4, Uint8);
    /// m, scale 100.
    pub const DISTANCE: Field = field(5, Uint32);
    /// m/s, scale 1000.
    pub const SPEED: Field = field(6, Uint16);
    pub const POWER: Field = field(7, Uint16);
    /// °C.
    pub const TEMPERATURE: Field = field(13, Sint8);
    /// m/s, scale 1000.
    pub const ENHANCED_SPEED: Field = field(73, Uint32);
    /// m, scale 5, offset 500.
    pub const ENHANCED_ALTITUDE: Field = field(78, Uint32);
}

mod lap_field {
    use super::{BaseType::*, Field, field};
    pub const EVENT: Field = field(0, Enum);
    pub const EVENT_TYPE: Field = field(1, Enum);
    pub const START_TIME: Field = field(2, Uint32);
    /// s, scale 1000.
    pub const TOTAL_ELAPSED_TIME: Field = field(7, Uint32);
    /// s, scale 1000.
    pub const TOTAL_TIMER_TIME: Field = field(8, Uint32);
    /// m, scale 100.
    pub const TOTAL_DISTANCE: Field = field(9, Uint32);
    pub const TOTAL_CALORIES: Field = field(11, Uint16);
    /// m/s, scale 1000.
    pub const AVG_SPEED: Field = field(13, Uint16);
    pub const MAX_SPEED: Field = field(14, Uint16);
    pub const AVG_HEART_RATE: Field = field(15, Uint8);
    pub const MAX_HEART_RATE: Field = field(16, Uint8);
    pub const AVG_CADENCE: Field = field(17, Uint8);
    pub const AVG_POWER: Field = field(19, Uint16);
    pub const MAX_POWER: Field = field(20, Uint16);
    /// m.
    pub const TOTAL_ASCENT: Field = field(21, Uint16);
    pub const TOTAL_DESCENT: Field = field(22, Uint16);
    pub const LAP_TRIGGER: Field = field(24, Enum);
    pub const SPORT: Field = field(25, Enum);
    pub const SUB_SPORT: Field = field(39, Enum);
    pub const ENHANCED_AVG_SPEED: Field = field(110, Uint32);
    pub const ENHANCED_MAX_SPEED: Field = field(111, Uint32);
}

mod session_field {
    use super::{BaseType::*, Field, field};
    pub const EVENT: Field = field(0, Enum);
    pub const EVENT_TYPE: Field = field(1, Enum);
    pub const START_TIME: Field = field(2, Uint32);
    pub const SPORT: Field = field(5, Enum);
    pub const SUB_SPORT: Field = field(6, Enum);
    /// s, scale 1000.
    pub const TOTAL_ELAPSED_TIME: Field = field(7, Uint32);
    pub const TOTAL_TIMER_TIME: Field = field(8, Uint32);
    /// m, scale 100.
    pub const TOTAL_DISTANCE: Field = field(9, Uint32);
    pub const TOTAL_CALORIES: Field = field(11, Uint16);
    /// m/s, scale 1000.
    pub const AVG_SPEED: Field = field(14, Uint16);
    pub const MAX_SPEED: Field = field(15, Uint16);
    pub const AVG_HEART_RATE: Field = field(16, Uint8);
    pub const MAX_HEART_RATE: Field = field(17, Uint8);
    pub const AVG_CADENCE: Field = field(18, Uint8);
    pub const AVG_POWER: Field = field(20, Uint16);
    pub const MAX_POWER: Field = field(21, Uint16);
    pub const TOTAL_ASCENT: Field = field(22, Uint16);
    pub const TOTAL_DESCENT: Field = field(23, Uint16);
    pub const FIRST_LAP_INDEX: Field = field(25, Uint16);
    pub const NUM_LAPS: Field = field(26, Uint16);
    pub const NORMALIZED_POWER: Field = field(34, Uint16);
    /// Scale 10.
    pub const TRAINING_STRESS_SCORE: Field = field(35, Uint16);
    /// Scale 1000.
    pub const INTENSITY_FACTOR: Field = field(36, Uint16);
    pub const THRESHOLD_POWER: Field = field(45, Uint16);
    pub const ENHANCED_AVG_SPEED: Field = field(124, Uint32);
    pub const ENHANCED_MAX_SPEED: Field = field(125, Uint32);
}

mod activity_field {
    use super::{BaseType::*, Field, field};
    /// s, scale 1000.
    pub const TOTAL_TIMER_TIME: Field = field(0, Uint32);
    pub const NUM_SESSIONS: Field = field(1, Uint16);
    pub const TYPE: Field = field(2, Enum);
    pub const EVENT: Field = field(3, Enum);
    pub const EVENT_TYPE: Field = field(4, Enum);
    pub const LOCAL_TIMESTAMP: Field = field(5, Uint32);
}

/// The recording's channels, in the order the record definition lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RecordChannel {
    Timestamp,
    Power,
    HeartRate,
    Cadence,
    EnhancedSpeed,
    Speed,
    Distance,
    EnhancedAltitude,
    Altitude,
    Temperature,
}

/// The largest record message: header byte and every channel's field.
const RECORD_MAX_SIZE: usize = 1 + 4 + 2 + 1 + 1 + 4 + 2 + 4 + 4 + 2 + 1;

impl RecordChannel {
    /// The channels at least one sample has (and always the timestamp).
    fn present_in(samples: &[Sample]) -> Vec<RecordChannel> {
        let any = |has: fn(&Sample) -> bool| samples.iter().any(has);
        let mut channels = vec![RecordChannel::Timestamp];
        if any(|s| s.power_w.is_some()) {
            channels.push(RecordChannel::Power);
        }
        if any(|s| s.heart_rate_bpm.is_some()) {
            channels.push(RecordChannel::HeartRate);
        }
        if any(|s| s.cadence_rpm.is_some()) {
            channels.push(RecordChannel::Cadence);
        }
        if any(|s| s.speed_mm_s.is_some()) {
            channels.extend([RecordChannel::EnhancedSpeed, RecordChannel::Speed]);
        }
        if any(|s| s.distance_cm.is_some()) {
            channels.push(RecordChannel::Distance);
        }
        if any(|s| s.altitude_cm.is_some()) {
            channels.extend([RecordChannel::EnhancedAltitude, RecordChannel::Altitude]);
        }
        if any(|s| s.temperature_c.is_some()) {
            channels.push(RecordChannel::Temperature);
        }
        channels
    }

    fn field(self) -> Field {
        match self {
            RecordChannel::Timestamp => TIMESTAMP,
            RecordChannel::Power => record_field::POWER,
            RecordChannel::HeartRate => record_field::HEART_RATE,
            RecordChannel::Cadence => record_field::CADENCE,
            RecordChannel::EnhancedSpeed => record_field::ENHANCED_SPEED,
            RecordChannel::Speed => record_field::SPEED,
            RecordChannel::Distance => record_field::DISTANCE,
            RecordChannel::EnhancedAltitude => record_field::ENHANCED_ALTITUDE,
            RecordChannel::Altitude => record_field::ALTITUDE,
            RecordChannel::Temperature => record_field::TEMPERATURE,
        }
    }

    /// The raw field value of `sample` (`None` = write the invalid value).
    fn raw_value(self, sample: &Sample, timestamp: u32) -> Option<u32> {
        let value: Option<i64> = match self {
            RecordChannel::Timestamp => return Some(timestamp),
            RecordChannel::Power => sample.power_w.map(i64::from),
            RecordChannel::HeartRate => sample.heart_rate_bpm.map(i64::from),
            RecordChannel::Cadence => sample.cadence_rpm.map(i64::from),
            RecordChannel::EnhancedSpeed | RecordChannel::Speed => sample.speed_mm_s.map(i64::from),
            RecordChannel::Distance => sample.distance_cm.map(i64::from),
            RecordChannel::EnhancedAltitude | RecordChannel::Altitude => {
                sample.altitude_cm.map(|cm| altitude_raw(cm.into()))
            }
            RecordChannel::Temperature => sample.temperature_c.map(i64::from),
        };
        value.and_then(|v| self.field().base.checked(v))
    }
}

/// Altitude in cm as FIT stores it: (m + 500) × 5, i.e. steps of 20 cm.
fn altitude_raw(altitude_cm: i64) -> i64 {
    (altitude_cm + 50_000).div_euclid(20)
}

/// A count of seconds as FIT's `s, scale 1000`.
fn milliseconds(seconds: u32) -> Option<u32> {
    BaseType::Uint32.checked(i64::from(seconds) * 1000)
}

/// Whole metres from cm, rounded (FIT ascent and descent).
fn whole_metres(cm: u32) -> u32 {
    (cm + 50) / 100
}

/// `value × scale`, rounded to a whole number (`None` if that is not a
/// finite `u32`).
fn scaled(value: f64, scale: f64) -> Option<u32> {
    let scaled = (value * scale).round();
    (scaled.is_finite() && (0.0..=f64::from(u32::MAX)).contains(&scaled)).then_some(scaled as u32)
}

/// Average and maximum of one channel over the samples that have it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct ChannelStats {
    sum: u64,
    count: u32,
    max: u32,
}

impl ChannelStats {
    fn add(&mut self, value: Option<u32>) {
        if let Some(v) = value {
            self.sum += u64::from(v);
            self.count += 1;
            self.max = self.max.max(v);
        }
    }

    /// The mean rounded to the nearest unit (halves up); `None` without values.
    pub(crate) fn avg(&self) -> Option<u32> {
        (self.count > 0).then(|| {
            let count = u64::from(self.count);
            ((self.sum + count / 2) / count) as u32
        })
    }

    pub(crate) fn max(&self) -> Option<u32> {
        (self.count > 0).then_some(self.max)
    }

    pub(crate) fn has_values(&self) -> bool {
        self.count > 0
    }
}

/// What a span of samples (a lap, or the whole recording) adds up to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Summary {
    /// `t` of the span's first sample.
    pub(crate) start_t: u32,
    /// `t` where the span ends: the next span's first sample, or one second
    /// after the recording's last sample.
    pub(crate) end_t: u32,
    /// One second per sample.
    pub(crate) timer_s: u32,
    /// Distance covered in the span, cm (from the last distance before it,
    /// 0 for the first span); `None` if no sample up to its end has one.
    pub(crate) distance_cm: Option<u32>,
    pub(crate) power_w: ChannelStats,
    pub(crate) heart_rate_bpm: ChannelStats,
    pub(crate) cadence_rpm: ChannelStats,
    pub(crate) speed_mm_s: ChannelStats,
    /// Sums of the rising and falling altitude steps between consecutive
    /// samples that have an altitude, each step counted in the span of its
    /// later sample (so laps add up to the session); `None` if no sample of
    /// the span has an altitude.
    pub(crate) ascent_cm: Option<u32>,
    pub(crate) descent_cm: Option<u32>,
}

impl Summary {
    /// The summary of `rec.samples[span]` (a non-empty range).
    pub(crate) fn of(rec: &Recording, span: Range<usize>) -> Summary {
        let samples = &rec.samples;
        let before = &samples[..span.start];
        let end_t = match samples.get(span.end) {
            Some(next) => next.t,
            None => samples[span.end - 1].t + 1,
        };
        let last_distance = |upto: &[Sample]| upto.iter().rev().find_map(|s| s.distance_cm);
        let distance_cm = last_distance(&samples[..span.end])
            .map(|end| end.saturating_sub(last_distance(before).unwrap_or(0)));

        let mut summary = Summary {
            start_t: samples[span.start].t,
            end_t,
            timer_s: span.len() as u32,
            distance_cm,
            power_w: ChannelStats::default(),
            heart_rate_bpm: ChannelStats::default(),
            cadence_rpm: ChannelStats::default(),
            speed_mm_s: ChannelStats::default(),
            ascent_cm: None,
            descent_cm: None,
        };
        let mut previous_altitude = before.iter().rev().find_map(|s| s.altitude_cm);
        let (mut ascent, mut descent, mut has_altitude) = (0u32, 0u32, false);
        for sample in &samples[span] {
            summary.power_w.add(sample.power_w.map(u32::from));
            summary
                .heart_rate_bpm
                .add(sample.heart_rate_bpm.map(u32::from));
            summary.cadence_rpm.add(sample.cadence_rpm.map(u32::from));
            summary.speed_mm_s.add(sample.speed_mm_s.map(u32::from));
            if let Some(altitude) = sample.altitude_cm {
                has_altitude = true;
                if let Some(previous) = previous_altitude {
                    let step = altitude - previous;
                    if step > 0 {
                        ascent += step.unsigned_abs();
                    } else {
                        descent += step.unsigned_abs();
                    }
                }
                previous_altitude = Some(altitude);
            }
        }
        if has_altitude {
            summary.ascent_cm = Some(ascent);
            summary.descent_cm = Some(descent);
        }
        summary
    }

    pub(crate) fn elapsed_s(&self) -> u32 {
        self.end_t - self.start_t
    }
}

/// `total` kcal shared between laps in proportion to their timer seconds,
/// in whole kcal that add up to `total` (largest remainders get the spare
/// kcal, earlier laps first on ties).
pub(crate) fn split_calories(total: u16, lap_timer_s: &[u32]) -> Vec<u16> {
    let all_s: u64 = lap_timer_s.iter().map(|&s| u64::from(s)).sum();
    if all_s == 0 {
        return vec![0; lap_timer_s.len()];
    }
    let shares: Vec<(u64, u64)> = lap_timer_s
        .iter()
        .map(|&s| {
            let exact = u64::from(total) * u64::from(s);
            (exact / all_s, exact % all_s)
        })
        .collect();
    let mut calories: Vec<u16> = shares.iter().map(|&(whole, _)| whole as u16).collect();
    let spare = u64::from(total) - shares.iter().map(|&(whole, _)| whole).sum::<u64>();
    let mut by_remainder: Vec<usize> = (0..shares.len()).collect();
    by_remainder.sort_by_key(|&i| std::cmp::Reverse(shares[i].1));
    for &i in by_remainder.iter().take(spare as usize) {
        calories[i] += 1;
    }
    calories
}

/// A FIT file being written: header placeholder, messages, then
/// [`FitWriter::finish`] fills in the header and appends the CRC.
struct FitWriter {
    bytes: Vec<u8>,
    /// The global message and fields each local message type was last
    /// defined with.
    definitions: [Option<(u16, Vec<Field>)>; local::COUNT],
}

impl FitWriter {
    fn with_capacity(capacity: usize) -> FitWriter {
        let mut bytes = Vec::with_capacity(capacity);
        bytes.resize(HEADER_SIZE, 0);
        FitWriter {
            bytes,
            definitions: Default::default(),
        }
    }

    /// A definition message: `local` now means `global` with `fields`.
    fn define(&mut self, local: u8, global: u16, fields: impl Iterator<Item = Field> + Clone) {
        let count = fields.clone().count();
        self.bytes.reserve(6 + 3 * count);
        self.bytes.extend_from_slice(&[0x40 | local, 0, 0]); // header, reserved, little-endian
        self.bytes.extend_from_slice(&global.to_le_bytes());
        self.bytes.push(count as u8);
        for f in fields.clone() {
            self.bytes
                .extend_from_slice(&[f.number, f.base.size(), f.base.id()]);
        }
        self.definitions[usize::from(local)] = Some((global, fields.collect()));
    }

    /// A data message, preceded by a definition when `local` was not yet
    /// defined with exactly these fields.
    fn message(&mut self, local: u8, global: u16, values: &[(Field, Option<u32>)]) {
        let fields = values.iter().map(|&(f, _)| f);
        let defined = self.definitions[usize::from(local)]
            .as_ref()
            .is_some_and(|(g, known)| *g == global && known.iter().copied().eq(fields.clone()));
        if !defined {
            self.define(local, global, fields);
        }
        self.bytes.push(local);
        for &(f, value) in values {
            self.value(f.base, value);
        }
    }

    /// A `record` data message for `sample` (its definition, one field per
    /// channel, written before the first). Assembled on the stack and
    /// appended at once: records are nearly all of a file.
    fn record(&mut self, channels: &[RecordChannel], sample: &Sample, timestamp: u32) {
        let mut message = [0u8; RECORD_MAX_SIZE];
        message[0] = local::RECORD;
        let mut len = 1;
        for channel in channels {
            let base = channel.field().base;
            let raw = channel
                .raw_value(sample, timestamp)
                .unwrap_or(base.invalid());
            let size = usize::from(base.size());
            // Little-endian: the value's low `size` bytes.
            message[len..len + size].copy_from_slice(&raw.to_le_bytes()[..size]);
            len += size;
        }
        self.bytes.extend_from_slice(&message[..len]);
    }

    /// One field's value, little-endian; `None` writes the invalid value.
    fn value(&mut self, base: BaseType, value: Option<u32>) {
        let raw = value.unwrap_or(base.invalid());
        match base.size() {
            1 => self.bytes.push(raw as u8),
            2 => self.bytes.extend_from_slice(&(raw as u16).to_le_bytes()),
            _ => self.bytes.extend_from_slice(&raw.to_le_bytes()),
        }
    }

    fn finish(mut self) -> Vec<u8> {
        let data_size = (self.bytes.len() - HEADER_SIZE) as u32;
        let header = &mut self.bytes[..HEADER_SIZE];
        header[0] = HEADER_SIZE as u8;
        header[1] = PROTOCOL_VERSION;
        header[2..4].copy_from_slice(&PROFILE_VERSION.to_le_bytes());
        header[4..8].copy_from_slice(&data_size.to_le_bytes());
        header[8..12].copy_from_slice(b".FIT");
        let header_crc = crc16(0, &header[..12]);
        header[12..14].copy_from_slice(&header_crc.to_le_bytes());
        let file_crc = crc16(0, &self.bytes);
        self.bytes.extend_from_slice(&file_crc.to_le_bytes());
        self.bytes
    }
}

/// The FIT SDK's CRC-16 table (`FitCRC_Get16`), four bits at a time.
const CRC_NIBBLE_TABLE: [u16; 16] = [
    0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401, 0xA001, 0x6C00, 0x7800, 0xB401,
    0x5000, 0x9C01, 0x8801, 0x4400,
];

/// One byte into the CRC the SDK's way: low nibble, then high nibble.
const fn crc16_nibbles(mut crc: u16, byte: u8) -> u16 {
    let mut nibble = byte & 0x0F;
    let mut round = 0;
    while round < 2 {
        let low = CRC_NIBBLE_TABLE[(crc & 0x0F) as usize];
        crc = (crc >> 4) & 0x0FFF;
        crc ^= low ^ CRC_NIBBLE_TABLE[nibble as usize];
        nibble = byte >> 4;
        round += 1;
    }
    crc
}

/// The same CRC a byte at a time: entry `i` is the SDK's CRC of byte `i`
/// from 0, built from the nibble table at compile time (the CRC is
/// reflected, so `crc' = (crc >> 8) ^ TABLE[(crc ^ byte) & 0xFF]`). Half
/// the table steps of the nibble form: the CRC is most of the write time.
const CRC_BYTE_TABLE: [u16; 256] = {
    let mut table = [0; 256];
    let mut byte = 0;
    while byte < 256 {
        table[byte] = crc16_nibbles(0, byte as u8);
        byte += 1;
    }
    table
};

/// The FIT CRC-16 of `bytes`, continuing from `crc`.
fn crc16(crc: u16, bytes: &[u8]) -> u16 {
    bytes.iter().fold(crc, |crc, &byte| {
        (crc >> 8) ^ CRC_BYTE_TABLE[usize::from((crc ^ u16::from(byte)) & 0xFF)]
    })
}

/// The recording as a FIT activity file (see the module doc for what it
/// holds).
pub fn write_fit(rec: &Recording) -> Vec<u8> {
    let channels = RecordChannel::present_in(&rec.samples);
    let record_size = 1 + channels
        .iter()
        .map(|c| usize::from(c.field().base.size()))
        .sum::<usize>();
    let laps = rec.laps();
    let pauses = rec.pauses();
    let capacity = HEADER_SIZE
        + 2
        + rec.samples.len() * record_size
        + (2 * pauses.len() + 2) * 10
        + laps.len() * 80
        + 1024;
    let mut fit = FitWriter::with_capacity(capacity);

    let fit_epoch_s = (rec.start_utc.and_utc().timestamp() - FIT_EPOCH_UNIX_S)
        .clamp(0, i64::from(u32::MAX)) as u32;
    let timestamp = |t: u32| fit_epoch_s.saturating_add(t);

    fit.message(
        local::FILE_ID,
        mesg_num::FILE_ID,
        &[
            file_id_field::TYPE.with(Some(enums::FILE_ACTIVITY)),
            file_id_field::MANUFACTURER.with(Some(MANUFACTURER_DEVELOPMENT)),
            file_id_field::PRODUCT.with(Some(DEVICE_PRODUCT)),
            file_id_field::SERIAL_NUMBER.with(Some(DEVICE_SERIAL_NUMBER)),
            file_id_field::TIME_CREATED.with(Some(fit_epoch_s)),
        ],
    );

    let Some(first) = rec.samples.first() else {
        write_session_and_activity(&mut fit, rec, None, 0, fit_epoch_s);
        return fit.finish();
    };
    timer_event(&mut fit, timestamp(first.t), enums::EVENT_TYPE_START);

    let lap_summaries: Vec<Summary> = laps.iter().map(|l| Summary::of(rec, l.clone())).collect();
    let lap_calories = rec.totals.calories_kcal.map(|total| {
        let timer: Vec<u32> = lap_summaries.iter().map(|l| l.timer_s).collect();
        split_calories(total, &timer)
    });
    let lap_fields = LapFields::of(rec.sport, &channels, lap_calories.is_some());

    fit.define(
        local::RECORD,
        mesg_num::RECORD,
        channels.iter().map(|c| c.field()),
    );
    let mut pauses = pauses.iter().peekable();
    for (lap_index, (lap, summary)) in laps.iter().zip(&lap_summaries).enumerate() {
        let is_last_lap = lap_index + 1 == laps.len();
        for index in lap.clone() {
            let sample = &rec.samples[index];
            let ts = timestamp(sample.t);
            if pauses.peek().is_some_and(|&&(_, after)| after == index) {
                pauses.next();
                timer_event(&mut fit, ts, enums::EVENT_TYPE_START);
            }
            fit.record(&channels, sample, ts);
            let pause_follows = pauses.peek().is_some_and(|&&(before, _)| before == index);
            if pause_follows || index + 1 == rec.samples.len() {
                timer_event(&mut fit, ts, enums::EVENT_TYPE_STOP_ALL);
            }
        }
        let calories = lap_calories.as_ref().map(|c| u32::from(c[lap_index]));
        let values = lap_fields.values(lap_index, summary, calories, is_last_lap, &timestamp);
        fit.message(local::LAP, mesg_num::LAP, &values);
    }

    let session = Summary::of(rec, 0..rec.samples.len());
    write_session_and_activity(&mut fit, rec, Some(&session), laps.len(), fit_epoch_s);
    fit.finish()
}

fn timer_event(fit: &mut FitWriter, timestamp: u32, event_type: u32) {
    fit.message(
        local::EVENT,
        mesg_num::EVENT,
        &[
            TIMESTAMP.with(Some(timestamp)),
            event_field::EVENT.with(Some(enums::EVENT_TIMER)),
            event_field::EVENT_TYPE.with(Some(event_type)),
        ],
    );
}

/// Which optional lap fields the file has: those whose channel the
/// recording has, so every lap shares one definition.
struct LapFields {
    sport: DeviceSport,
    distance: bool,
    calories: bool,
    speed: bool,
    heart_rate: bool,
    cadence: bool,
    power: bool,
    altitude: bool,
}

impl LapFields {
    fn of(sport: DeviceSport, channels: &[RecordChannel], calories: bool) -> LapFields {
        let has = |c| channels.contains(&c);
        LapFields {
            sport,
            distance: has(RecordChannel::Distance),
            calories,
            speed: has(RecordChannel::Speed),
            heart_rate: has(RecordChannel::HeartRate),
            cadence: has(RecordChannel::Cadence),
            power: has(RecordChannel::Power),
            altitude: has(RecordChannel::Altitude),
        }
    }

    fn values(
        &self,
        lap_index: usize,
        lap: &Summary,
        calories: Option<u32>,
        is_last_lap: bool,
        timestamp: &impl Fn(u32) -> u32,
    ) -> Vec<(Field, Option<u32>)> {
        use lap_field::*;
        let trigger = if is_last_lap {
            enums::LAP_TRIGGER_SESSION_END
        } else {
            enums::LAP_TRIGGER_MANUAL
        };
        let mut values = vec![
            MESSAGE_INDEX.with(u32::try_from(lap_index).ok()),
            TIMESTAMP.with(Some(timestamp(lap.end_t))),
            START_TIME.with(Some(timestamp(lap.start_t))),
            TOTAL_ELAPSED_TIME.with(milliseconds(lap.elapsed_s())),
            TOTAL_TIMER_TIME.with(milliseconds(lap.timer_s)),
        ];
        if self.distance {
            values.push(TOTAL_DISTANCE.with(lap.distance_cm));
        }
        if self.calories {
            values.push(TOTAL_CALORIES.with(calories));
        }
        if self.speed {
            values.extend([
                AVG_SPEED.with(lap.speed_mm_s.avg()),
                MAX_SPEED.with(lap.speed_mm_s.max()),
                ENHANCED_AVG_SPEED.with(lap.speed_mm_s.avg()),
                ENHANCED_MAX_SPEED.with(lap.speed_mm_s.max()),
            ]);
        }
        if self.heart_rate {
            values.extend([
                AVG_HEART_RATE.with(lap.heart_rate_bpm.avg()),
                MAX_HEART_RATE.with(lap.heart_rate_bpm.max()),
            ]);
        }
        if self.cadence {
            values.push(AVG_CADENCE.with(lap.cadence_rpm.avg()));
        }
        if self.power {
            values.extend([
                AVG_POWER.with(lap.power_w.avg()),
                MAX_POWER.with(lap.power_w.max()),
            ]);
        }
        if self.altitude {
            values.extend([
                TOTAL_ASCENT.with(lap.ascent_cm.map(whole_metres)),
                TOTAL_DESCENT.with(lap.descent_cm.map(whole_metres)),
            ]);
        }
        values.extend([
            LAP_TRIGGER.with(Some(trigger)),
            SPORT.with(Some(self.sport.fit_sport().into())),
            SUB_SPORT.with(Some(self.sport.fit_sub_sport().into())),
            EVENT.with(Some(enums::EVENT_LAP)),
            EVENT_TYPE.with(Some(enums::EVENT_TYPE_STOP)),
        ]);
        values
    }
}

/// The session (sums over the whole recording, `None` for a recording
/// without samples) and the activity that closes the file.
fn write_session_and_activity(
    fit: &mut FitWriter,
    rec: &Recording,
    session: Option<&Summary>,
    num_laps: usize,
    fit_epoch_s: u32,
) {
    use session_field::*;
    let timestamp = |t: u32| fit_epoch_s.saturating_add(t);
    let (start_t, end_t, timer_s) = session.map_or((0, 0, 0), |s| (s.start_t, s.end_t, s.timer_s));
    let end = timestamp(end_t);

    let mut values = vec![
        TIMESTAMP.with(Some(end)),
        START_TIME.with(Some(timestamp(start_t))),
        SPORT.with(Some(rec.sport.fit_sport().into())),
        SUB_SPORT.with(Some(rec.sport.fit_sub_sport().into())),
        TOTAL_ELAPSED_TIME.with(milliseconds(end_t - start_t)),
        TOTAL_TIMER_TIME.with(milliseconds(timer_s)),
    ];
    if let Some(s) = session {
        if s.distance_cm.is_some() {
            values.push(TOTAL_DISTANCE.with(s.distance_cm));
        }
        if s.speed_mm_s.has_values() {
            values.extend([
                AVG_SPEED.with(s.speed_mm_s.avg()),
                MAX_SPEED.with(s.speed_mm_s.max()),
                ENHANCED_AVG_SPEED.with(s.speed_mm_s.avg()),
                ENHANCED_MAX_SPEED.with(s.speed_mm_s.max()),
            ]);
        }
        if s.heart_rate_bpm.has_values() {
            values.extend([
                AVG_HEART_RATE.with(s.heart_rate_bpm.avg()),
                MAX_HEART_RATE.with(s.heart_rate_bpm.max()),
            ]);
        }
        if s.cadence_rpm.has_values() {
            values.push(AVG_CADENCE.with(s.cadence_rpm.avg()));
        }
        if s.power_w.has_values() {
            values.extend([
                AVG_POWER.with(s.power_w.avg()),
                MAX_POWER.with(s.power_w.max()),
            ]);
        }
        if s.ascent_cm.is_some() {
            values.extend([
                TOTAL_ASCENT.with(s.ascent_cm.map(whole_metres)),
                TOTAL_DESCENT.with(s.descent_cm.map(whole_metres)),
            ]);
        }
    }
    let totals = &rec.totals;
    let device_totals = [
        (NORMALIZED_POWER, totals.normalized_power_w.map(u32::from)),
        (
            TRAINING_STRESS_SCORE,
            totals
                .training_stress_score
                .and_then(|tss| scaled(tss, 10.0)),
        ),
        (
            INTENSITY_FACTOR,
            totals.intensity_factor.and_then(|f| scaled(f, 1000.0)),
        ),
        (THRESHOLD_POWER, totals.threshold_power_w.map(u32::from)),
        (TOTAL_CALORIES, totals.calories_kcal.map(u32::from)),
    ];
    for (field, value) in device_totals {
        if value.is_some() {
            values.push(field.with(value));
        }
    }
    values.extend([
        FIRST_LAP_INDEX.with(Some(0)),
        NUM_LAPS.with(u32::try_from(num_laps).ok()),
        EVENT.with(Some(enums::EVENT_SESSION)),
        EVENT_TYPE.with(Some(enums::EVENT_TYPE_STOP)),
    ]);
    fit.message(local::SESSION, mesg_num::SESSION, &values);

    fit.message(
        local::ACTIVITY,
        mesg_num::ACTIVITY,
        &[
            TIMESTAMP.with(Some(end)),
            activity_field::TOTAL_TIMER_TIME.with(milliseconds(timer_s)),
            activity_field::NUM_SESSIONS.with(Some(1)),
            activity_field::TYPE.with(Some(enums::ACTIVITY_MANUAL)),
            activity_field::EVENT.with(Some(enums::EVENT_ACTIVITY)),
            activity_field::EVENT_TYPE.with(Some(enums::EVENT_TYPE_STOP)),
            activity_field::LOCAL_TIMESTAMP.with(Some(end)),
        ],
    );
}

#[cfg(test)]
pub(crate) mod tests {
    //! Every check decodes with `fitparser` (an independent decoder that
    //! verifies both CRCs) and compares with numbers computed here from the
    //! samples, not with the writer's own summaries.

    use std::collections::BTreeSet;
    use std::time::Instant;

    use chrono::{NaiveDate, NaiveDateTime};
    use fitparser::de::{FitObject, FitStreamProcessor};
    use fitparser::profile::MesgNum;
    use fitparser::{FitDataRecord, Value};

    use super::*;
    use crate::recording::DeviceTotals;

    pub(crate) fn start() -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2024, 5, 4)
            .and_then(|d| d.and_hms_opt(7, 30, 0))
            .expect("valid date")
    }

    /// Unix seconds of `t` seconds into a recording that started at [`start`].
    fn unix(t: u32) -> i64 {
        start().and_utc().timestamp() + i64::from(t)
    }

    /// 200 s of riding with every channel: t 0..40, a 5 s pause inside lap 1,
    /// t 45..125, a 30 s pause just before lap 3 starts, t 155..235. Laps
    /// start at samples 0, 60 and 120. Temperatures go below zero.
    pub(crate) fn ride_with_pauses() -> Recording {
        let mut distance_cm = 0;
        let samples = (0..200u32)
            .map(|i| {
                let t = match i {
                    0..40 => i,
                    40..120 => i + 5,
                    _ => i + 35,
                };
                let speed_mm_s = 8000 + (i * 113 % 2500) as u16;
                distance_cm += u32::from(speed_mm_s) / 10;
                Sample {
                    t,
                    power_w: Some(150 + (i * 37 % 120) as u16),
                    heart_rate_bpm: Some(120 + (i % 40) as u8),
                    cadence_rpm: Some(80 + (i % 15) as u8),
                    speed_mm_s: Some(speed_mm_s),
                    distance_cm: Some(distance_cm),
                    altitude_cm: Some(20 * (5000 + 3 * ((i % 50) as i32 - 25).abs())),
                    temperature_c: Some(-3 + (i % 9) as i8),
                }
            })
            .collect();
        Recording {
            start_utc: start(),
            sport: DeviceSport::Cycling,
            samples,
            lap_starts: vec![0, 60, 120],
            totals: DeviceTotals {
                normalized_power_w: Some(212),
                training_stress_score: Some(14.7),
                intensity_factor: Some(0.843),
                threshold_power_w: Some(250),
                calories_kcal: Some(187),
            },
        }
    }

    /// 120 s of running without power or temperature, below sea level (so
    /// FIT's +500 m altitude offset matters), two laps.
    pub(crate) fn run_without_power() -> Recording {
        let mut distance_cm = 0;
        let samples = (0..120u32)
            .map(|t| {
                let speed_mm_s = 3200 + (t * 29 % 300) as u16;
                distance_cm += u32::from(speed_mm_s) / 10;
                Sample {
                    t,
                    heart_rate_bpm: Some(140 + (t % 25) as u8),
                    cadence_rpm: Some(84 + (t % 7) as u8),
                    speed_mm_s: Some(speed_mm_s),
                    distance_cm: Some(distance_cm),
                    altitude_cm: Some(-20 * (10 + (t % 30) as i32)),
                    ..Sample::default()
                }
            })
            .collect();
        Recording {
            start_utc: start(),
            sport: DeviceSport::Running,
            samples,
            lap_starts: vec![0, 60],
            totals: DeviceTotals {
                calories_kcal: Some(31),
                ..DeviceTotals::default()
            },
        }
    }

    /// 90 s of an indoor ride (power, heart rate, cadence) where heart rate
    /// is missing in the first 5 s, every 7th second, and all of lap 3.
    pub(crate) fn ride_missing_heart_rate() -> Recording {
        let samples = (0..90u32)
            .map(|t| Sample {
                t,
                power_w: Some(180 + (t * 13 % 60) as u16),
                heart_rate_bpm: (t >= 5 && t % 7 != 0 && t < 60).then_some(110 + (t % 30) as u8),
                cadence_rpm: Some(88 + (t % 5) as u8),
                ..Sample::default()
            })
            .collect();
        Recording {
            start_utc: start(),
            sport: DeviceSport::IndoorCycling,
            samples,
            lap_starts: vec![0, 30, 60],
            totals: DeviceTotals::default(),
        }
    }

    /// 100 s of swimming with only speed and distance, two laps.
    pub(crate) fn swim_speed_and_distance() -> Recording {
        let mut distance_cm = 0;
        let samples = (0..100u32)
            .map(|t| {
                let speed_mm_s = 1100 + (t * 7 % 200) as u16;
                distance_cm += u32::from(speed_mm_s) / 10;
                Sample {
                    t,
                    speed_mm_s: Some(speed_mm_s),
                    distance_cm: Some(distance_cm),
                    ..Sample::default()
                }
            })
            .collect();
        Recording {
            start_utc: start(),
            sport: DeviceSport::Swimming,
            samples,
            lap_starts: vec![0, 50],
            totals: DeviceTotals::default(),
        }
    }

    /// Four hours at 1 Hz with every channel, 8 laps and one 10-minute pause.
    pub(crate) fn four_hour_ride() -> Recording {
        let mut distance_cm = 0;
        let samples = (0..14_400u32)
            .map(|i| {
                let speed_mm_s = 7000 + (i * 7919 % 4000) as u16;
                distance_cm += u32::from(speed_mm_s) / 10;
                Sample {
                    t: if i < 7200 { i } else { i + 600 },
                    power_w: Some((i * 104_729 % 400) as u16),
                    heart_rate_bpm: Some(110 + (i % 60) as u8),
                    cadence_rpm: Some(75 + (i % 25) as u8),
                    speed_mm_s: Some(speed_mm_s),
                    distance_cm: Some(distance_cm),
                    altitude_cm: Some(20 * (2000 + ((i % 3000) as i32 - 1500).abs())),
                    temperature_c: Some(18 + (i / 3600) as i8),
                }
            })
            .collect();
        Recording {
            start_utc: start(),
            sport: DeviceSport::Cycling,
            samples,
            lap_starts: (0..8).map(|lap| lap * 1800).collect(),
            totals: DeviceTotals {
                normalized_power_w: Some(230),
                training_stress_score: Some(245.3),
                intensity_factor: Some(0.782),
                threshold_power_w: Some(294),
                calories_kcal: Some(3120),
            },
        }
    }

    fn decode(bytes: &[u8]) -> Vec<FitDataRecord> {
        fitparser::from_bytes(bytes).expect("fitparser decodes the file and accepts both CRCs")
    }

    fn of_kind(messages: &[FitDataRecord], kind: MesgNum) -> Vec<&FitDataRecord> {
        messages.iter().filter(|m| m.kind() == kind).collect()
    }

    /// All values of the fields called `name` (fitparser reports `speed` as
    /// a second `enhanced_speed`, `altitude` as a second `enhanced_altitude`,
    /// `avg_speed` as a second `enhanced_avg_speed` …).
    fn values<'a>(message: &'a FitDataRecord, name: &str) -> Vec<&'a Value> {
        message
            .fields()
            .iter()
            .filter(|f| f.name() == name)
            .map(|f| f.value())
            .collect()
    }

    fn the_value<'a>(message: &'a FitDataRecord, name: &str) -> Option<&'a Value> {
        let found = values(message, name);
        assert!(found.len() <= 1, "{name} appears {} times", found.len());
        found.first().copied()
    }

    /// An unscaled integer field.
    fn int(message: &FitDataRecord, name: &str) -> Option<i64> {
        the_value(message, name).map(|v| match v {
            Value::UInt8(x) => i64::from(*x),
            Value::SInt8(x) => i64::from(*x),
            Value::UInt16(x) => i64::from(*x),
            Value::UInt32(x) => i64::from(*x),
            Value::UInt32z(x) => i64::from(*x),
            Value::SInt64(x) => *x,
            other => panic!("{name} is not an integer: {other:?}"),
        })
    }

    /// An enum field by its profile name.
    fn text(message: &FitDataRecord, name: &str) -> Option<String> {
        the_value(message, name).map(|v| match v {
            Value::String(s) => s.clone(),
            other => panic!("{name} is not a named enum: {other:?}"),
        })
    }

    /// A date_time field as Unix seconds.
    fn time(message: &FitDataRecord, name: &str) -> Option<i64> {
        the_value(message, name).map(|v| match v {
            Value::Timestamp(t) => t.timestamp(),
            other => panic!("{name} is not a timestamp: {other:?}"),
        })
    }

    /// A scaled field back in the recording's units: `(value + offset) ×
    /// per_unit`, rounded; one entry per field of that name.
    fn scaled(message: &FitDataRecord, name: &str, offset: f64, per_unit: f64) -> Vec<i64> {
        values(message, name)
            .into_iter()
            .map(|v| match v {
                Value::Float64(x) => ((x + offset) * per_unit).round() as i64,
                other => panic!("{name} is not scaled: {other:?}"),
            })
            .collect()
    }

    /// `n` copies of `value` (or none): what [`scaled`] gives for a field
    /// written both as the legacy and as the `enhanced_` field.
    fn twice(value: Option<i64>) -> Vec<i64> {
        value.map_or(vec![], |v| vec![v, v])
    }

    fn mean(values: impl Iterator<Item = u32>) -> Option<i64> {
        let values: Vec<f64> = values.map(f64::from).collect();
        (!values.is_empty())
            .then(|| (values.iter().sum::<f64>() / values.len() as f64).round() as i64)
    }

    fn max(values: impl Iterator<Item = u32>) -> Option<i64> {
        values.max().map(i64::from)
    }

    /// Every record's timestamp and channel values equal the sample's.
    fn assert_records_match(rec: &Recording, messages: &[FitDataRecord]) {
        let records = of_kind(messages, MesgNum::Record);
        assert_eq!(records.len(), rec.samples.len());
        for (sample, record) in rec.samples.iter().zip(records) {
            let at = format!("sample t={}", sample.t);
            assert_eq!(time(record, "timestamp"), Some(unix(sample.t)), "{at}");
            assert_eq!(int(record, "power"), sample.power_w.map(i64::from), "{at}");
            let bpm = sample.heart_rate_bpm.map(i64::from);
            assert_eq!(int(record, "heart_rate"), bpm, "{at}");
            let rpm = sample.cadence_rpm.map(i64::from);
            assert_eq!(int(record, "cadence"), rpm, "{at}");
            let celsius = sample.temperature_c.map(i64::from);
            assert_eq!(int(record, "temperature"), celsius, "{at}");
            let cm = sample.distance_cm.map(i64::from);
            assert_eq!(
                scaled(record, "distance", 0.0, 100.0),
                Vec::from_iter(cm),
                "{at}"
            );
            let mm_s = sample.speed_mm_s.map(i64::from);
            assert_eq!(
                scaled(record, "enhanced_speed", 0.0, 1000.0),
                twice(mm_s),
                "{at}"
            );
            // FIT altitude: 1/5 m above -500 m; back to cm.
            let altitude: Vec<i64> = scaled(record, "enhanced_altitude", 500.0, 5.0)
                .into_iter()
                .map(|fifths| fifths * 20 - 50_000)
                .collect();
            assert_eq!(altitude, twice(sample.altitude_cm.map(i64::from)), "{at}");
        }
    }

    /// The messages in file order, runs of records folded: `record×40`.
    fn message_order(messages: &[FitDataRecord]) -> Vec<String> {
        let mut order: Vec<String> = Vec::new();
        let mut records = 0;
        for message in messages {
            if message.kind() == MesgNum::Record {
                records += 1;
                continue;
            }
            if records > 0 {
                order.push(format!("record×{records}"));
                records = 0;
            }
            order.push(match message.kind() {
                MesgNum::Event => format!(
                    "{} {} @{}",
                    text(message, "event").unwrap_or_default(),
                    text(message, "event_type").unwrap_or_default(),
                    time(message, "timestamp").unwrap_or_default() - unix(0),
                ),
                kind => kind.to_string(),
            });
        }
        order
    }

    /// What a lap or session should say, computed from the samples here.
    #[derive(Debug, PartialEq)]
    struct ExpectedTotals {
        distance_cm: Option<i64>,
        avg_power: Option<i64>,
        max_power: Option<i64>,
        avg_heart_rate: Option<i64>,
        max_heart_rate: Option<i64>,
        avg_cadence: Option<i64>,
        avg_speed_mm_s: Option<i64>,
        max_speed_mm_s: Option<i64>,
        ascent_m: Option<i64>,
        descent_m: Option<i64>,
    }

    /// Totals of `rec.samples[span]`: distance from the previous span's last
    /// distance; altitude steps counted in the span of their later sample.
    fn expected_totals(rec: &Recording, span: Range<usize>) -> ExpectedTotals {
        let samples = &rec.samples[span.clone()];
        let distance_before = rec.samples[..span.start]
            .last()
            .and_then(|s| s.distance_cm)
            .unwrap_or(0);
        let distance_cm = samples
            .last()
            .and_then(|s| s.distance_cm)
            .map(|end| i64::from(end - distance_before));
        let (mut up_cm, mut down_cm) = (0i64, 0i64);
        for i in span.clone() {
            if let (Some(prev), Some(now)) = (
                i.checked_sub(1).and_then(|p| rec.samples[p].altitude_cm),
                rec.samples[i].altitude_cm,
            ) {
                let step = i64::from(now - prev);
                if step > 0 {
                    up_cm += step;
                } else {
                    down_cm -= step;
                }
            }
        }
        let has_altitude = samples.iter().any(|s| s.altitude_cm.is_some());
        let metres = |cm: i64| has_altitude.then(|| (cm as f64 / 100.0).round() as i64);
        let power = || samples.iter().filter_map(|s| s.power_w.map(u32::from));
        let bpm = || {
            samples
                .iter()
                .filter_map(|s| s.heart_rate_bpm.map(u32::from))
        };
        let rpm = || samples.iter().filter_map(|s| s.cadence_rpm.map(u32::from));
        let speed = || samples.iter().filter_map(|s| s.speed_mm_s.map(u32::from));
        ExpectedTotals {
            distance_cm,
            avg_power: mean(power()),
            max_power: max(power()),
            avg_heart_rate: mean(bpm()),
            max_heart_rate: max(bpm()),
            avg_cadence: mean(rpm()),
            avg_speed_mm_s: mean(speed()),
            max_speed_mm_s: max(speed()),
            ascent_m: metres(up_cm),
            descent_m: metres(down_cm),
        }
    }

    /// What a decoded lap or session message says, in the same units.
    fn decoded_totals(message: &FitDataRecord) -> ExpectedTotals {
        let one = |values: Vec<i64>| {
            assert!(values.windows(2).all(|w| w[0] == w[1]), "{values:?}");
            values.first().copied()
        };
        ExpectedTotals {
            distance_cm: one(scaled(message, "total_distance", 0.0, 100.0)),
            avg_power: int(message, "avg_power"),
            max_power: int(message, "max_power"),
            avg_heart_rate: int(message, "avg_heart_rate"),
            max_heart_rate: int(message, "max_heart_rate"),
            // The profile names the field by the message's sport.
            avg_cadence: int(message, "avg_cadence").or(int(message, "avg_running_cadence")),
            avg_speed_mm_s: one(scaled(message, "enhanced_avg_speed", 0.0, 1000.0)),
            max_speed_mm_s: one(scaled(message, "enhanced_max_speed", 0.0, 1000.0)),
            ascent_m: int(message, "total_ascent"),
            descent_m: int(message, "total_descent"),
        }
    }

    fn seconds(message: &FitDataRecord, name: &str) -> Option<i64> {
        scaled(message, name, 0.0, 1.0).first().copied()
    }

    /// The laps and the session state the totals computed from the samples.
    fn assert_totals_match(rec: &Recording, messages: &[FitDataRecord]) {
        let laps = of_kind(messages, MesgNum::Lap);
        let spans = rec.laps();
        assert_eq!(laps.len(), spans.len());
        for (i, (lap, span)) in laps.iter().zip(&spans).enumerate() {
            assert_eq!(
                decoded_totals(lap),
                expected_totals(rec, span.clone()),
                "lap {i}"
            );
            let last = i + 1 == spans.len();
            let trigger = if last { "session_end" } else { "manual" };
            assert_eq!(text(lap, "lap_trigger").as_deref(), Some(trigger));
            assert_eq!(text(lap, "event").as_deref(), Some("lap"));
            assert_eq!(text(lap, "event_type").as_deref(), Some("stop"));
            let start_t = rec.samples[span.start].t;
            assert_eq!(time(lap, "start_time"), Some(unix(start_t)), "lap {i}");
            let timer = span.len() as i64;
            assert_eq!(seconds(lap, "total_timer_time"), Some(timer), "lap {i}");
        }
        let [session] = of_kind(messages, MesgNum::Session)[..] else {
            panic!("one session");
        };
        let everything = expected_totals(rec, 0..rec.samples.len());
        assert_eq!(decoded_totals(session), everything);
        let elapsed: i64 = laps
            .iter()
            .map(|l| seconds(l, "total_elapsed_time").expect("lap elapsed"))
            .sum();
        assert_eq!(seconds(session, "total_elapsed_time"), Some(elapsed));
        let timer = rec.samples.len() as i64;
        assert_eq!(seconds(session, "total_timer_time"), Some(timer));
        assert_eq!(int(session, "num_laps"), Some(spans.len() as i64));
        assert_eq!(int(session, "first_lap_index"), Some(0));
        assert_eq!(text(session, "event").as_deref(), Some("session"));
        assert_eq!(text(session, "event_type").as_deref(), Some("stop"));
        let totals = rec.totals;
        assert_eq!(
            int(session, "normalized_power"),
            totals.normalized_power_w.map(i64::from)
        );
        assert_eq!(
            int(session, "threshold_power"),
            totals.threshold_power_w.map(i64::from)
        );
        assert_eq!(
            int(session, "total_calories"),
            totals.calories_kcal.map(i64::from)
        );
        let tss = scaled(session, "training_stress_score", 0.0, 10.0)
            .first()
            .copied();
        let expected_tss = totals
            .training_stress_score
            .map(|x| (x * 10.0).round() as i64);
        assert_eq!(tss, expected_tss);
        let intensity = scaled(session, "intensity_factor", 0.0, 1000.0)
            .first()
            .copied();
        let expected_if = totals.intensity_factor.map(|x| (x * 1000.0).round() as i64);
        assert_eq!(intensity, expected_if);
    }

    /// The field numbers with a value in any record, and the size of a
    /// record message (header byte included) as its definition declares,
    /// read below the profile (fitparser's raw stream).
    fn record_field_numbers(bytes: &[u8]) -> (BTreeSet<u8>, usize) {
        let mut processor = FitStreamProcessor::new();
        let mut rest = bytes;
        let (mut numbers, mut record_size) = (BTreeSet::new(), 0);
        while !rest.is_empty() {
            let (next, object) = processor.deserialize_next(rest).expect("raw FIT stream");
            match object {
                FitObject::DefinitionMessage(d)
                    if d.global_message_number() == mesg_num::RECORD =>
                {
                    record_size = d.data_message_size();
                }
                FitObject::DataMessage(m) if m.global_message_number() == mesg_num::RECORD => {
                    numbers.extend(m.fields().keys().copied());
                }
                _ => {}
            }
            rest = next;
        }
        (numbers, record_size)
    }

    #[test]
    fn ride_with_pauses_decodes_to_its_samples_laps_and_session() {
        // Proves the full ride (every channel, two pauses, three laps)
        // decodes with both CRCs accepted, every record equal to its sample,
        // laps and session with the totals of their samples, the pauses as
        // gaps in the timestamps with timer stop/start events around them,
        // laps written after their last record.
        let rec = ride_with_pauses();
        let bytes = write_fit(&rec);
        let messages = decode(&bytes);
        assert_records_match(&rec, &messages);
        assert_totals_match(&rec, &messages);

        let order = message_order(&messages);
        let expected = [
            "file_id",
            "timer start @0",
            "record×40",
            "timer stop_all @39",
            "timer start @45",
            "record×20",
            "lap",
            "record×60",
            "timer stop_all @124",
            "lap",
            "timer start @155",
            "record×80",
            "timer stop_all @234",
            "lap",
            "session",
            "activity",
        ];
        assert_eq!(order, expected);

        // Wall-clock and timer times, and calories shared 60:60:80 of 187.
        let laps = of_kind(&messages, MesgNum::Lap);
        let elapsed: Vec<_> = laps
            .iter()
            .map(|l| seconds(l, "total_elapsed_time"))
            .collect();
        assert_eq!(elapsed, [Some(65), Some(90), Some(80)]);
        let calories: Vec<_> = laps.iter().map(|l| int(l, "total_calories")).collect();
        assert_eq!(calories, [Some(56), Some(56), Some(75)]);
        let ends: Vec<_> = laps.iter().map(|l| time(l, "timestamp")).collect();
        assert_eq!(ends, [Some(unix(65)), Some(unix(155)), Some(unix(235))]);
        let records = of_kind(&messages, MesgNum::Record);
        let gaps: Vec<i64> = records
            .windows(2)
            .map(|w| time(w[1], "timestamp").unwrap() - time(w[0], "timestamp").unwrap())
            .filter(|&gap| gap != 1)
            .collect();
        assert_eq!(gaps, [6, 31]);

        let [session] = of_kind(&messages, MesgNum::Session)[..] else {
            panic!("one session");
        };
        assert_eq!(text(session, "sport").as_deref(), Some("cycling"));
        assert_eq!(text(session, "sub_sport").as_deref(), Some("generic"));
        assert_eq!(seconds(session, "total_elapsed_time"), Some(235));
        assert_eq!(time(session, "start_time"), Some(unix(0)));
        assert_eq!(time(session, "timestamp"), Some(unix(235)));
    }

    #[test]
    fn header_file_id_and_activity_are_what_the_sdk_specifies() {
        // Proves the 14-byte header (protocol 2.0, profile 21.202, data size,
        // ".FIT", header CRC), the trailing file CRC over everything before
        // it, and the file_id and activity messages' values.
        let rec = ride_with_pauses();
        let bytes = write_fit(&rec);
        assert_eq!(bytes[0], 14);
        assert_eq!(bytes[1], 0x20);
        assert_eq!(u16::from_le_bytes([bytes[2], bytes[3]]), 21_202);
        let data_size = u32::from_le_bytes(bytes[4..8].try_into().unwrap()) as usize;
        assert_eq!(data_size, bytes.len() - 14 - 2);
        assert_eq!(&bytes[8..12], b".FIT");
        assert_eq!(crc16(0, &bytes[..14]), 0, "header CRC");
        assert_eq!(crc16(0, &bytes), 0, "file CRC");

        let messages = decode(&bytes);
        let [file_id] = of_kind(&messages, MesgNum::FileId)[..] else {
            panic!("one file_id");
        };
        assert_eq!(text(file_id, "type").as_deref(), Some("activity"));
        assert_eq!(
            text(file_id, "manufacturer").as_deref(),
            Some("development")
        );
        assert_eq!(int(file_id, "product"), Some(1));
        assert_eq!(int(file_id, "serial_number"), Some(20_220_103));
        assert_eq!(time(file_id, "time_created"), Some(unix(0)));

        let [activity] = of_kind(&messages, MesgNum::Activity)[..] else {
            panic!("one activity");
        };
        assert_eq!(seconds(activity, "total_timer_time"), Some(200));
        assert_eq!(int(activity, "num_sessions"), Some(1));
        assert_eq!(text(activity, "type").as_deref(), Some("manual"));
        assert_eq!(text(activity, "event").as_deref(), Some("activity"));
        assert_eq!(text(activity, "event_type").as_deref(), Some("stop"));
        assert_eq!(time(activity, "timestamp"), Some(unix(235)));
        assert_eq!(time(activity, "local_timestamp"), Some(unix(235)));
    }

    #[test]
    fn crc_matches_the_sdk_nibble_form_and_check_value() {
        // Proves the byte-table CRC equals the SDK's nibble-at-a-time CRC on
        // every byte value from many states and on a whole file, and is
        // CRC-16/ARC (check value 0xBB3D for "123456789").
        assert_eq!(crc16(0, b"123456789"), 0xBB3D);
        for state in (0..=u16::MAX).step_by(257) {
            for byte in 0..=u8::MAX {
                assert_eq!(crc16(state, &[byte]), crc16_nibbles(state, byte));
            }
        }
        let file = write_fit(&ride_with_pauses());
        let by_nibbles = file.iter().fold(0, |crc, &b| crc16_nibbles(crc, b));
        assert_eq!(crc16(0, &file), by_nibbles);
        assert_eq!(by_nibbles, 0, "a file followed by its CRC sums to 0");
    }

    #[test]
    fn run_without_power_defines_only_its_channels() {
        // Proves a run without power or temperature decodes exactly, with
        // altitudes below sea level, and its record definition has no power
        // or temperature field (timestamp, heart rate, cadence, speed ×2,
        // distance, altitude ×2: 1 header byte + 4+1+1+4+2+4+4+2), and the laps and
        // session have no power fields.
        let rec = run_without_power();
        let bytes = write_fit(&rec);
        let messages = decode(&bytes);
        assert_records_match(&rec, &messages);
        assert_totals_match(&rec, &messages);
        let (numbers, record_size) = record_field_numbers(&bytes);
        assert_eq!(numbers, BTreeSet::from([2, 3, 4, 5, 6, 73, 78, 253]));
        assert_eq!(record_size, 23);
        for message in of_kind(&messages, MesgNum::Lap)
            .into_iter()
            .chain(of_kind(&messages, MesgNum::Session))
        {
            assert_eq!(int(message, "avg_power"), None);
            assert_eq!(int(message, "normalized_power"), None);
        }
        let [session] = of_kind(&messages, MesgNum::Session)[..] else {
            panic!("one session");
        };
        assert_eq!(text(session, "sport").as_deref(), Some("running"));
    }

    #[test]
    fn missing_heart_rate_reads_back_missing_not_zero() {
        // Proves samples without heart rate decode without a heart_rate
        // field (the invalid value, not 0), that averages skip them, and
        // that a lap with no heart rate at all has no heart-rate totals.
        let rec = ride_missing_heart_rate();
        let messages = decode(&write_fit(&rec));
        assert_records_match(&rec, &messages);
        assert_totals_match(&rec, &messages);
        let records = of_kind(&messages, MesgNum::Record);
        let without: Vec<usize> = (0..records.len())
            .filter(|&i| int(records[i], "heart_rate").is_none())
            .collect();
        let expected: Vec<usize> = (0..90)
            .filter(|&t| t < 5 || t % 7 == 0 || t >= 60)
            .collect();
        assert_eq!(without, expected);
        let laps = of_kind(&messages, MesgNum::Lap);
        assert!(int(laps[0], "avg_heart_rate").is_some());
        assert_eq!(int(laps[2], "avg_heart_rate"), None);
        assert_eq!(int(laps[2], "max_heart_rate"), None);
        let [session] = of_kind(&messages, MesgNum::Session)[..] else {
            panic!("one session");
        };
        assert_eq!(
            text(session, "sub_sport").as_deref(),
            Some("indoor_cycling")
        );
    }

    #[test]
    fn swim_with_only_speed_and_distance() {
        // Proves a recording with two channels writes records of timestamp,
        // speed (both fields) and distance only, decoding exactly, with lap
        // and session distances and speeds.
        let rec = swim_speed_and_distance();
        let bytes = write_fit(&rec);
        let messages = decode(&bytes);
        assert_records_match(&rec, &messages);
        assert_totals_match(&rec, &messages);
        let (numbers, _) = record_field_numbers(&bytes);
        assert_eq!(numbers, BTreeSet::from([5, 6, 73, 253]));
        let [session] = of_kind(&messages, MesgNum::Session)[..] else {
            panic!("one session");
        };
        assert_eq!(text(session, "sport").as_deref(), Some("swimming"));
        assert_eq!(text(session, "sub_sport").as_deref(), Some("open_water"));
    }

    #[test]
    fn recording_without_samples_is_still_a_valid_file() {
        // Proves an empty recording gives a decodable file: file_id, a
        // session with zero times and no laps, an activity; no records.
        let rec = Recording {
            samples: vec![],
            lap_starts: vec![0],
            ..ride_with_pauses()
        };
        let messages = decode(&write_fit(&rec));
        assert_eq!(message_order(&messages), ["file_id", "session", "activity"]);
        let session = of_kind(&messages, MesgNum::Session)[0];
        assert_eq!(int(session, "num_laps"), Some(0));
        assert_eq!(seconds(session, "total_timer_time"), Some(0));
    }

    #[test]
    fn calories_are_shared_by_timer_time_and_add_up() {
        // Proves the lap calorie split adds up to the total, follows timer
        // time, and gives spare kcal to the largest remainders.
        assert_eq!(split_calories(187, &[60, 60, 80]), [56, 56, 75]);
        assert_eq!(split_calories(10, &[1, 1, 1]), [4, 3, 3]);
        assert_eq!(split_calories(0, &[5, 5]), [0, 0]);
        assert_eq!(split_calories(7, &[]), Vec::<u16>::new());
        let split = split_calories(3120, &[1800; 8]);
        assert_eq!(split.iter().map(|&c| u32::from(c)).sum::<u32>(), 3120);
    }

    #[test]
    fn four_hour_ride_decodes_and_writes_fast() {
        // Proves a 4-hour 1 Hz recording decodes exactly and (in release)
        // is written in well under 5 ms: best of 5 runs, printed.
        let rec = four_hour_ride();
        let mut best = std::time::Duration::MAX;
        let mut bytes = Vec::new();
        for _ in 0..5 {
            let started = Instant::now();
            bytes = write_fit(&rec);
            best = best.min(started.elapsed());
        }
        println!(
            "write_fit: {} samples, {} bytes, best of 5: {:?}",
            rec.samples.len(),
            bytes.len(),
            best
        );
        let messages = decode(&bytes);
        assert_records_match(&rec, &messages);
        assert_totals_match(&rec, &messages);
        if !cfg!(debug_assertions) {
            assert!(best.as_micros() < 5000, "took {best:?}");
        }
    }

    #[test]
    #[ignore = "writes files to /tmp for the Python FIT SDK checks"]
    fn write_sample_files_for_python_checks() {
        // Proves nothing by itself: writes /tmp/tp-fake-<name>.fit and .tcx
        // with the samples as /tmp/tp-fake-<name>.csv, for the checks with
        // fitdecode, garmin_fit_sdk and lxml.
        let recordings = [
            ("ride", ride_with_pauses()),
            ("run", run_without_power()),
            ("missing-hr", ride_missing_heart_rate()),
            ("swim", swim_speed_and_distance()),
            ("four-hours", four_hour_ride()),
        ];
        for (name, rec) in recordings {
            let path = format!("/tmp/tp-fake-{name}");
            std::fs::write(format!("{path}.fit"), write_fit(&rec)).unwrap();
            std::fs::write(format!("{path}.tcx"), crate::tcx::write_tcx(&rec)).unwrap();
            let mut csv = String::from(
                "unix,power_w,heart_rate_bpm,cadence_rpm,speed_mm_s,distance_cm,altitude_cm,temperature_c\n",
            );
            let cell = |v: Option<i64>| v.map_or(String::new(), |v| v.to_string());
            for s in &rec.samples {
                csv += &format!(
                    "{},{},{},{},{},{},{},{}\n",
                    unix(s.t),
                    cell(s.power_w.map(i64::from)),
                    cell(s.heart_rate_bpm.map(i64::from)),
                    cell(s.cadence_rpm.map(i64::from)),
                    cell(s.speed_mm_s.map(i64::from)),
                    cell(s.distance_cm.map(i64::from)),
                    cell(s.altitude_cm.map(i64::from)),
                    cell(s.temperature_c.map(i64::from)),
                );
            }
            std::fs::write(format!("{path}.csv"), csv).unwrap();
        }
    }
}

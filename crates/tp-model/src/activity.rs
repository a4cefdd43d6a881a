//! A device file, decoded: second-by-second streams, the device's laps and
//! the file's own session totals.
//!
//! The device file is what the athlete's watch or bike computer wrote (FIT,
//! sometimes TCX or GPX); `tp-device` decodes it into an [`Activity`],
//! `tp-store` keeps it compactly, `tp-fitness` computes from it.
//!
//! **One time base.** Every channel has exactly one value slot per entry of
//! [`Streams::time_s`], the seconds since the first sample. Samples are in
//! strictly increasing time; a pause or a dropout is a *jump* in `time_s`,
//! never filled in (see [`Streams::segments`]). A channel holds `None` for a
//! sample where the device recorded no value for it.
//!
//! **Native resolution.** Values are integers in the units devices record
//! (watts, bpm, rpm, mm/s, cm, °C), so a file stored and read back is
//! identical sample for sample; [`ChannelKind::scale`] turns them into SI.

use chrono::NaiveDateTime;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The format a device file was in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum FileFormat {
    /// Garmin's Flexible and Interoperable data Transfer format (binary).
    Fit,
    /// Garmin Training Center XML.
    Tcx,
    /// GPS Exchange Format (XML).
    Gpx,
}

impl FileFormat {
    pub fn name(self) -> &'static str {
        match self {
            FileFormat::Fit => "FIT",
            FileFormat::Tcx => "TCX",
            FileFormat::Gpx => "GPX",
        }
    }

    /// The lowercase name used in storage and structured output.
    pub fn key(self) -> &'static str {
        match self {
            FileFormat::Fit => "fit",
            FileFormat::Tcx => "tcx",
            FileFormat::Gpx => "gpx",
        }
    }

    pub fn from_key(key: &str) -> Option<FileFormat> {
        match key {
            "fit" => Some(FileFormat::Fit),
            "tcx" => Some(FileFormat::Tcx),
            "gpx" => Some(FileFormat::Gpx),
            _ => None,
        }
    }
}

/// A per-sample channel. Values are in the channel's native unit
/// ([`ChannelKind::unit`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChannelKind {
    /// Watts.
    Power,
    /// Beats per minute.
    HeartRate,
    /// Revolutions (bike) or strides (run) per minute.
    Cadence,
    /// Millimetres per second.
    Speed,
    /// Centimetres from the start (non-decreasing).
    Distance,
    /// Centimetres above sea level.
    Altitude,
    /// Degrees Celsius.
    Temperature,
}

impl ChannelKind {
    /// Every channel, in storage order.
    pub const ALL: [ChannelKind; 7] = [
        ChannelKind::Power,
        ChannelKind::HeartRate,
        ChannelKind::Cadence,
        ChannelKind::Speed,
        ChannelKind::Distance,
        ChannelKind::Altitude,
        ChannelKind::Temperature,
    ];

    /// The name used in storage and structured output (`heart_rate`).
    pub fn key(self) -> &'static str {
        match self {
            ChannelKind::Power => "power",
            ChannelKind::HeartRate => "heart_rate",
            ChannelKind::Cadence => "cadence",
            ChannelKind::Speed => "speed",
            ChannelKind::Distance => "distance",
            ChannelKind::Altitude => "altitude",
            ChannelKind::Temperature => "temperature",
        }
    }

    pub fn from_key(key: &str) -> Option<ChannelKind> {
        ChannelKind::ALL.into_iter().find(|c| c.key() == key)
    }

    /// A stable small number for binary encodings.
    pub fn id(self) -> u8 {
        self as u8
    }

    pub fn from_id(id: u8) -> Option<ChannelKind> {
        ChannelKind::ALL.get(usize::from(id)).copied()
    }

    /// The native unit of the stored integers.
    pub fn unit(self) -> &'static str {
        match self {
            ChannelKind::Power => "W",
            ChannelKind::HeartRate => "bpm",
            ChannelKind::Cadence => "rpm",
            ChannelKind::Speed => "mm/s",
            ChannelKind::Distance | ChannelKind::Altitude => "cm",
            ChannelKind::Temperature => "°C",
        }
    }

    /// Multiply a stored integer by this to get the SI value (W, bpm, rpm,
    /// m/s, m, m, °C).
    pub fn scale(self) -> f64 {
        match self {
            ChannelKind::Speed => 0.001,
            ChannelKind::Distance | ChannelKind::Altitude => 0.01,
            _ => 1.0,
        }
    }
}

/// One channel's values, one slot per sample.
pub type Channel = Vec<Option<i32>>;

/// Second-by-second records on one time base.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Streams {
    /// Seconds since the first sample, strictly increasing.
    time_s: Vec<u32>,
    /// The channels present (at least one value each), each as long as `time_s`.
    channels: BTreeMap<ChannelKind, Channel>,
}

/// A stretch of samples with no gap inside: `start..end` are sample indices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment {
    pub start: usize,
    pub end: usize,
}

/// Why [`Streams::from_parts`] refused its input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamsError {
    /// `time_s` is not strictly increasing at this index.
    TimeNotIncreasing(usize),
    /// A channel's length differs from the number of samples.
    LengthMismatch {
        channel: ChannelKind,
        len: usize,
        samples: usize,
    },
}

impl std::fmt::Display for StreamsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StreamsError::TimeNotIncreasing(i) => {
                write!(f, "sample times are not increasing at sample {i}")
            }
            StreamsError::LengthMismatch {
                channel,
                len,
                samples,
            } => write!(
                f,
                "channel {} has {len} values for {samples} samples",
                channel.key()
            ),
        }
    }
}

impl std::error::Error for StreamsError {}

impl Streams {
    /// Streams from a time base and channels, checked: times strictly
    /// increasing, every channel as long as the time base. Channels without
    /// any value are dropped.
    pub fn from_parts(
        time_s: Vec<u32>,
        channels: BTreeMap<ChannelKind, Channel>,
    ) -> Result<Streams, StreamsError> {
        if let Some(i) = time_s.windows(2).position(|w| w[1] <= w[0]) {
            return Err(StreamsError::TimeNotIncreasing(i + 1));
        }
        for (kind, values) in &channels {
            if values.len() != time_s.len() {
                return Err(StreamsError::LengthMismatch {
                    channel: *kind,
                    len: values.len(),
                    samples: time_s.len(),
                });
            }
        }
        let channels = channels
            .into_iter()
            .filter(|(_, v)| v.iter().any(Option::is_some))
            .collect();
        Ok(Streams { time_s, channels })
    }

    /// Number of samples.
    pub fn len(&self) -> usize {
        self.time_s.len()
    }

    pub fn is_empty(&self) -> bool {
        self.time_s.is_empty()
    }

    /// Seconds since the first sample, one per sample.
    pub fn time_s(&self) -> &[u32] {
        &self.time_s
    }

    /// A channel's values, if the file has it.
    pub fn channel(&self, kind: ChannelKind) -> Option<&[Option<i32>]> {
        self.channels.get(&kind).map(Vec::as_slice)
    }

    /// The channels present, in [`ChannelKind::ALL`] order.
    pub fn kinds(&self) -> impl Iterator<Item = ChannelKind> + '_ {
        self.channels.keys().copied()
    }

    /// Every channel present with its values.
    pub fn channels(&self) -> impl Iterator<Item = (ChannelKind, &[Option<i32>])> + '_ {
        self.channels.iter().map(|(k, v)| (*k, v.as_slice()))
    }

    /// Seconds from the first to the last sample, plus one (the last
    /// sample's second): the elapsed time the file covers, pauses included.
    pub fn elapsed_s(&self) -> u32 {
        self.time_s.last().map_or(0, |t| t + 1)
    }

    /// The stretches without a gap: consecutive samples at most
    /// `max_step_s` seconds apart belong to one segment. With 1 s, every
    /// missing second is a gap.
    pub fn segments(&self, max_step_s: u32) -> Vec<Segment> {
        let mut out = Vec::new();
        if self.time_s.is_empty() {
            return out;
        }
        let mut start = 0;
        for i in 1..self.time_s.len() {
            if self.time_s[i] - self.time_s[i - 1] > max_step_s {
                out.push(Segment { start, end: i });
                start = i;
            }
        }
        out.push(Segment {
            start,
            end: self.time_s.len(),
        });
        out
    }

    /// Recorded seconds: the samples counted at one second each up to
    /// `max_step_s` apart (the timer time of a 1 Hz file; gaps excluded).
    pub fn recorded_s(&self, max_step_s: u32) -> u32 {
        if self.time_s.is_empty() {
            return 0;
        }
        let mut total = 1u32;
        for w in self.time_s.windows(2) {
            let step = w[1] - w[0];
            total = total.saturating_add(if step <= max_step_s { step } else { 1 });
        }
        total
    }
}

/// A lap as the device recorded it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Lap {
    /// Seconds from the first sample to the lap's start.
    pub start_s: f64,
    /// Wall-clock seconds, pauses included.
    pub elapsed_s: Option<f64>,
    /// Timer seconds, pauses excluded.
    pub timer_s: Option<f64>,
    pub distance_m: Option<f64>,
    pub avg_power_w: Option<f64>,
    pub max_power_w: Option<f64>,
    pub normalized_power_w: Option<f64>,
    pub avg_heart_rate_bpm: Option<f64>,
    pub max_heart_rate_bpm: Option<f64>,
    pub avg_cadence_rpm: Option<f64>,
    pub avg_speed_m_s: Option<f64>,
    pub max_speed_m_s: Option<f64>,
    pub total_ascent_m: Option<f64>,
    pub calories_kcal: Option<f64>,
    /// What ended the lap, as the file says (`manual`, `distance`, `time`, …).
    pub trigger: Option<String>,
}

/// The totals the device wrote for the whole activity (FIT `session`, TCX
/// lap sums): what the device itself thought, kept for comparison.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SessionTotals {
    /// The device's sport name (`cycling`, `running`, `swimming`, …).
    pub sport: Option<String>,
    pub sub_sport: Option<String>,
    /// Start of the activity, UTC.
    pub start_utc: Option<NaiveDateTime>,
    pub elapsed_s: Option<f64>,
    pub timer_s: Option<f64>,
    pub distance_m: Option<f64>,
    pub avg_power_w: Option<f64>,
    pub max_power_w: Option<f64>,
    pub normalized_power_w: Option<f64>,
    pub avg_heart_rate_bpm: Option<f64>,
    pub max_heart_rate_bpm: Option<f64>,
    pub avg_cadence_rpm: Option<f64>,
    pub avg_speed_m_s: Option<f64>,
    pub max_speed_m_s: Option<f64>,
    pub total_ascent_m: Option<f64>,
    pub total_descent_m: Option<f64>,
    pub calories_kcal: Option<f64>,
    pub training_stress_score: Option<f64>,
    pub intensity_factor: Option<f64>,
    pub threshold_power_w: Option<f64>,
    pub avg_temperature_c: Option<f64>,
}

/// A decoded device file.
#[derive(Debug, Clone, PartialEq)]
pub struct Activity {
    pub format: FileFormat,
    /// When the first sample was recorded, UTC.
    pub start_utc: Option<NaiveDateTime>,
    pub streams: Streams,
    pub laps: Vec<Lap>,
    pub session: Option<SessionTotals>,
    /// What could not be read, in words ("the file ends in the middle of a
    /// record after 2 h 13 min; the rest is missing"). Empty when
    /// everything decoded.
    pub problems: Vec<String>,
}

impl Activity {
    /// An activity with no samples yet.
    pub fn empty(format: FileFormat) -> Activity {
        Activity {
            format,
            start_utc: None,
            streams: Streams::default(),
            laps: Vec::new(),
            session: None,
            problems: Vec::new(),
        }
    }
}

/// Builds [`Streams`] from samples that arrive one at a time, in any
/// order of channels: a sample at an earlier or equal second than the last
/// one is merged into it (devices write several records in one second) or,
/// when earlier, dropped and counted.
#[derive(Debug, Default)]
pub struct StreamsBuilder {
    time_s: Vec<u32>,
    channels: BTreeMap<ChannelKind, Channel>,
    /// Samples dropped because their time went backwards.
    pub out_of_order: usize,
}

impl StreamsBuilder {
    pub fn new() -> StreamsBuilder {
        StreamsBuilder::default()
    }

    /// Adds (or merges into) the sample at `t` seconds; `values` are the
    /// channels recorded at that moment. Returns false when the sample was
    /// dropped (earlier than the last one).
    pub fn push(&mut self, t: u32, values: &[(ChannelKind, i32)]) -> bool {
        let n = self.time_s.len();
        match self.time_s.last() {
            Some(&last) if t < last => {
                self.out_of_order += 1;
                return false;
            }
            Some(&last) if t == last => {
                for &(kind, v) in values {
                    let channel = self.channels.entry(kind).or_insert_with(|| vec![None; n]);
                    channel[n - 1] = Some(v);
                }
                return true;
            }
            _ => {}
        }
        self.time_s.push(t);
        for channel in self.channels.values_mut() {
            channel.push(None);
        }
        for &(kind, v) in values {
            let channel = self
                .channels
                .entry(kind)
                .or_insert_with(|| vec![None; n + 1]);
            channel[n] = Some(v);
        }
        true
    }

    pub fn len(&self) -> usize {
        self.time_s.len()
    }

    pub fn is_empty(&self) -> bool {
        self.time_s.is_empty()
    }

    /// The streams built so far.
    pub fn finish(self) -> Streams {
        let channels = self
            .channels
            .into_iter()
            .filter(|(_, v)| v.iter().any(Option::is_some))
            .collect();
        Streams {
            time_s: self.time_s,
            channels,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builder_merges_same_second_samples_and_drops_backwards_ones() {
        let mut b = StreamsBuilder::new();
        assert!(b.push(0, &[(ChannelKind::Power, 100)]));
        assert!(b.push(0, &[(ChannelKind::HeartRate, 120)]));
        assert!(b.push(1, &[(ChannelKind::Power, 110)]));
        assert!(!b.push(0, &[(ChannelKind::Power, 999)]));
        assert!(b.push(5, &[(ChannelKind::HeartRate, 125)]));
        assert_eq!(b.out_of_order, 1);
        let s = b.finish();
        assert_eq!(s.time_s(), &[0, 1, 5]);
        assert_eq!(
            s.channel(ChannelKind::Power).unwrap(),
            &[Some(100), Some(110), None]
        );
        assert_eq!(
            s.channel(ChannelKind::HeartRate).unwrap(),
            &[Some(120), None, Some(125)]
        );
        assert!(s.channel(ChannelKind::Cadence).is_none());
        assert_eq!(s.elapsed_s(), 6);
    }

    #[test]
    fn segments_split_at_gaps_only() {
        let mut channels = BTreeMap::new();
        channels.insert(ChannelKind::Power, vec![Some(1); 6]);
        let s = Streams::from_parts(vec![0, 1, 2, 10, 11, 13], channels).unwrap();
        assert_eq!(
            s.segments(1),
            vec![
                Segment { start: 0, end: 3 },
                Segment { start: 3, end: 5 },
                Segment { start: 5, end: 6 }
            ]
        );
        assert_eq!(s.segments(5).len(), 2);
        assert_eq!(s.recorded_s(1), 6);
        assert_eq!(s.recorded_s(5), 7);
    }

    #[test]
    fn from_parts_checks_its_input() {
        let mut channels = BTreeMap::new();
        channels.insert(ChannelKind::Power, vec![Some(1); 2]);
        assert_eq!(
            Streams::from_parts(vec![0, 0], channels.clone()).unwrap_err(),
            StreamsError::TimeNotIncreasing(1)
        );
        assert!(matches!(
            Streams::from_parts(vec![0, 1, 2], channels).unwrap_err(),
            StreamsError::LengthMismatch { .. }
        ));
        let mut empty = BTreeMap::new();
        empty.insert(ChannelKind::Cadence, vec![None; 2]);
        let s = Streams::from_parts(vec![0, 1], empty).unwrap();
        assert_eq!(s.kinds().count(), 0, "a channel without values is dropped");
    }
}

//! What a workout's streams are summarised into once, when they are
//! stored: the exact mean-maximal curves of power, heart rate and speed,
//! and how many seconds were spent at each value of power, heart rate,
//! speed and cadence. Range questions (a season's power curve, a month's
//! time in zones) then read these instead of the seconds.

use crate::mean_max::{MAX_HOLD_S, mean_max_curve, one_hz_stretches};
use std::collections::BTreeMap;
use tp_model::{ChannelKind, Histogram, StreamSummary, Streams};

/// The method's version. Bump it when [`summarize`] changes: summaries
/// stored with another version are derived again from the streams.
pub const STREAM_SUMMARY_VERSION: u32 = 1;

/// Channels with a mean-maximal curve.
pub const CURVE_CHANNELS: [ChannelKind; 3] = [
    ChannelKind::Power,
    ChannelKind::HeartRate,
    ChannelKind::Speed,
];

/// Channels with a histogram.
pub const HISTOGRAM_CHANNELS: [ChannelKind; 4] = [
    ChannelKind::Power,
    ChannelKind::HeartRate,
    ChannelKind::Speed,
    ChannelKind::Cadence,
];

/// Summarises a workout's streams.
pub fn summarize(streams: &Streams) -> StreamSummary {
    let mut summary = StreamSummary {
        version: STREAM_SUMMARY_VERSION,
        recorded_s: streams.recorded_s(MAX_HOLD_S),
        curves: BTreeMap::new(),
        histograms: BTreeMap::new(),
    };
    for kind in CURVE_CHANNELS {
        if let Some(values) = streams.channel(kind) {
            let curve = mean_max_curve(streams.time_s(), values);
            if !curve.best_sums.is_empty() {
                summary.curves.insert(kind, curve);
            }
        }
    }
    for kind in HISTOGRAM_CHANNELS {
        if let Some(values) = streams.channel(kind) {
            summary
                .histograms
                .insert(kind, histogram(streams.time_s(), values));
        }
    }
    summary
}

/// Seconds at each value, on the same 1 Hz grid as the curves (a value
/// holds until the next sample up to [`MAX_HOLD_S`]; gaps count nothing).
pub fn histogram(time_s: &[u32], values: &[Option<i32>]) -> Histogram {
    let mut counts: BTreeMap<i64, u32> = BTreeMap::new();
    for stretch in one_hz_stretches(time_s, values) {
        for v in stretch {
            *counts.entry(v).or_default() += 1;
        }
    }
    Histogram {
        seconds_at: counts
            .into_iter()
            .map(|(v, s)| (v.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32, s))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Proves a small recording's summary: curves per channel, histograms
    // that add up to the recorded seconds, the gap counted nowhere.
    #[test]
    fn a_small_recording() {
        let mut channels = BTreeMap::new();
        channels.insert(
            ChannelKind::Power,
            vec![Some(100), Some(300), Some(200), Some(200), Some(50)],
        );
        channels.insert(
            ChannelKind::HeartRate,
            vec![Some(120), Some(121), None, Some(130), Some(131)],
        );
        let s = Streams::from_parts(vec![0, 1, 2, 60, 61], channels).unwrap();
        let summary = summarize(&s);
        assert_eq!(summary.version, STREAM_SUMMARY_VERSION);
        assert_eq!(summary.recorded_s, 5);
        let power = &summary.curves[&ChannelKind::Power];
        assert_eq!(power.best_sums, vec![300, 500, 600]);
        assert_eq!(
            summary.histograms[&ChannelKind::Power].seconds_at,
            vec![(50, 1), (100, 1), (200, 2), (300, 1)]
        );
        assert_eq!(summary.histograms[&ChannelKind::HeartRate].total_s(), 4);
        assert!(!summary.curves.contains_key(&ChannelKind::Speed));
    }
}

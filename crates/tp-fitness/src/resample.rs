//! A workout's streams at a coarser resolution, for reading and charts:
//! the average of each channel over each step of `resolution_s` seconds.
//!
//! Steps are counted from the first sample (`t = 0`): the step starting at
//! `k·r` holds the samples with `k·r ≤ t < (k+1)·r`. Each channel's value
//! is the mean of the values recorded in that step (samples without a value
//! for it are not counted); a step with no sample at all (inside a pause)
//! is left out, so pauses stay visible as jumps in time. At one second per
//! step the points are the recorded samples themselves.

use serde::Serialize;
use tp_model::{ChannelKind, Streams};

/// One step's averages, in SI units.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct StreamPoint {
    /// Start of the step, seconds from the first sample.
    pub t_s: u32,
    pub power_w: Option<f64>,
    pub heart_rate_bpm: Option<f64>,
    pub cadence_rpm: Option<f64>,
    pub speed_m_s: Option<f64>,
    /// Distance at the end of the step (the last value in it), metres.
    pub distance_m: Option<f64>,
    pub altitude_m: Option<f64>,
    pub temperature_c: Option<f64>,
}

/// A pause or dropout: no sample for more than a few seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Gap {
    /// Seconds from the first sample to the last sample before the gap.
    pub after_s: u32,
    /// Seconds without a sample.
    pub duration_s: u32,
}

/// A channel over a window: how many samples hold a value, their mean
/// and maximum (SI units).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ChannelStats {
    /// `power`, `heart_rate`, `cadence`, `speed`, `distance`, `altitude`, `temperature`.
    pub channel: String,
    /// W, bpm, rpm, m/s, m, m, °C.
    pub unit: String,
    pub samples: usize,
    pub average: Option<f64>,
    pub maximum: Option<f64>,
}

/// Per-channel statistics of the samples in `start_s..end_s`.
pub fn channel_stats(streams: &Streams, start_s: u32, end_s: u32) -> Vec<ChannelStats> {
    let time = streams.time_s();
    let from = time.partition_point(|t| *t < start_s);
    let to = time.partition_point(|t| *t < end_s);
    streams
        .channels()
        .map(|(kind, values)| {
            let present: Vec<i64> = values[from..to]
                .iter()
                .flatten()
                .map(|v| i64::from(*v))
                .collect();
            let n = present.len();
            let (unit, scale) = match kind {
                ChannelKind::Speed => ("m/s", kind.scale()),
                ChannelKind::Distance | ChannelKind::Altitude => ("m", kind.scale()),
                other => (other.unit(), 1.0),
            };
            ChannelStats {
                channel: kind.key().to_string(),
                unit: unit.to_string(),
                samples: n,
                average: (n > 0).then(|| present.iter().sum::<i64>() as f64 / n as f64 * scale),
                maximum: present.iter().max().map(|m| *m as f64 * scale),
            }
        })
        .collect()
}

/// The gaps longer than `min_s` seconds.
pub fn gaps(streams: &Streams, min_s: u32) -> Vec<Gap> {
    streams
        .time_s()
        .windows(2)
        .filter(|w| w[1] - w[0] > min_s)
        .map(|w| Gap {
            after_s: w[0],
            duration_s: w[1] - w[0] - 1,
        })
        .collect()
}

/// The averages per step of `resolution_s` over `start_s..end_s` (seconds
/// from the first sample; `end_s` exclusive).
pub fn downsample(
    streams: &Streams,
    resolution_s: u32,
    start_s: u32,
    end_s: u32,
) -> Vec<StreamPoint> {
    let r = resolution_s.max(1);
    let time = streams.time_s();
    let from = time.partition_point(|t| *t < start_s);
    let to = time.partition_point(|t| *t < end_s);
    let channel = |k: ChannelKind| streams.channel(k);
    let kinds = [
        ChannelKind::Power,
        ChannelKind::HeartRate,
        ChannelKind::Cadence,
        ChannelKind::Speed,
        ChannelKind::Altitude,
        ChannelKind::Temperature,
    ];
    let mut points = Vec::new();
    let mut i = from;
    while i < to {
        let step = time[i] / r;
        let mut j = i;
        while j < to && time[j] / r == step {
            j += 1;
        }
        let mean = |k: ChannelKind| -> Option<f64> {
            let values = channel(k)?;
            let (sum, n) = values[i..j]
                .iter()
                .flatten()
                .fold((0i64, 0u32), |(s, n), v| (s + i64::from(*v), n + 1));
            (n > 0).then(|| sum as f64 / f64::from(n) * k.scale())
        };
        let [power, hr, cadence, speed, altitude, temperature] = kinds.map(mean);
        let distance = channel(ChannelKind::Distance)
            .and_then(|d| d[i..j].iter().rev().flatten().next().copied())
            .map(|v| f64::from(v) * ChannelKind::Distance.scale());
        points.push(StreamPoint {
            t_s: step * r,
            power_w: power,
            heart_rate_bpm: hr,
            cadence_rpm: cadence,
            speed_m_s: speed,
            distance_m: distance,
            altitude_m: altitude,
            temperature_c: temperature,
        });
        i = j;
    }
    points
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn streams() -> Streams {
        let mut c = BTreeMap::new();
        c.insert(
            ChannelKind::Power,
            vec![Some(100), Some(200), None, Some(300), Some(50), Some(60)],
        );
        c.insert(
            ChannelKind::Distance,
            vec![
                Some(0),
                Some(500),
                Some(1000),
                Some(1500),
                Some(9000),
                Some(9600),
            ],
        );
        Streams::from_parts(vec![0, 1, 2, 3, 100, 101], c).unwrap()
    }

    // Proves steps average what they hold, skip missing values, and leave
    // the pause out; one-second steps are the samples themselves.
    #[test]
    fn steps_average_what_they_hold() {
        let s = streams();
        let p = downsample(&s, 2, 0, u32::MAX);
        assert_eq!(p.len(), 3);
        assert_eq!((p[0].t_s, p[0].power_w), (0, Some(150.0)));
        assert_eq!((p[1].t_s, p[1].power_w), (2, Some(300.0)));
        assert_eq!(p[1].distance_m, Some(15.0));
        assert_eq!((p[2].t_s, p[2].power_w), (100, Some(55.0)));
        let raw = downsample(&s, 1, 0, u32::MAX);
        assert_eq!(raw.len(), 6);
        assert_eq!(raw[2].power_w, None);
        assert_eq!(downsample(&s, 1, 2, 4).len(), 2);
        assert_eq!(
            gaps(&s, 5),
            vec![Gap {
                after_s: 3,
                duration_s: 96
            }]
        );
    }
}

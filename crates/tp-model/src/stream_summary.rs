//! What is derived once per workout from its second-by-second streams and
//! kept beside them, so questions over a range of workouts never re-read
//! the seconds: exact mean-maximal curves and value histograms.
//!
//! `tp-fitness` computes these ([`StreamSummary::version`] names its
//! method), `tp-store` keeps them with the streams and drops them when the
//! streams are replaced.

use crate::activity::ChannelKind;
use std::collections::BTreeMap;

/// The derived data of one workout.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StreamSummary {
    /// The derivation's version: a summary of another version is derived
    /// again from the stored streams.
    pub version: u32,
    /// Timer seconds recorded (gaps excluded).
    pub recorded_s: u32,
    /// Exact mean-maximal curves (power, heart rate, speed).
    pub curves: BTreeMap<ChannelKind, MeanMaxCurve>,
    /// Seconds spent at each value (power, heart rate, speed, cadence).
    pub histograms: BTreeMap<ChannelKind, Histogram>,
}

/// The best total of `d` consecutive recorded seconds, for every `d` from
/// 1 to the longest stretch without a gap (`best_sums[d − 1]`), in the
/// channel's native unit × seconds (W·s for power, mm for speed). Divided
/// by `d` it is the exact best average for `d` seconds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MeanMaxCurve {
    pub best_sums: Vec<i64>,
}

impl MeanMaxCurve {
    /// The longest duration the curve knows (seconds).
    pub fn max_duration_s(&self) -> usize {
        self.best_sums.len()
    }

    /// The exact best average over `duration_s` seconds; `None` beyond the
    /// curve or for 0.
    pub fn best_average(&self, duration_s: usize) -> Option<f64> {
        let sum = *self.best_sums.get(duration_s.checked_sub(1)?)?;
        Some(sum as f64 / duration_s as f64)
    }
}

/// For a set of workouts (a calendar month of a sport), for every `d` from
/// 1: the best average held for at least `d` seconds in any of them, as an
/// exact sum over a window, and the workout it came from (index `d − 1`).
/// Kept by the store per month, so a decade's curve is read from about a
/// hundred of these instead of a thousand workouts' curves.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CurveEnvelope {
    pub entries: Vec<EnvelopeEntry>,
}

/// One duration of a [`CurveEnvelope`]: `sum / window_s` is the average.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnvelopeEntry {
    pub sum: i64,
    /// The window's length, seconds (≥ the duration).
    pub window_s: u32,
    pub workout_id: i64,
}

/// Seconds spent at each value (native unit), sorted by value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Histogram {
    pub seconds_at: Vec<(i32, u32)>,
}

impl Histogram {
    /// Total seconds counted.
    pub fn total_s(&self) -> u64 {
        self.seconds_at.iter().map(|(_, s)| u64::from(*s)).sum()
    }

    /// Seconds at values in `[low, high)` (native unit).
    pub fn seconds_between(&self, low: f64, high: f64) -> u64 {
        self.seconds_at
            .iter()
            .filter(|(v, _)| f64::from(*v) >= low && f64::from(*v) < high)
            .map(|(_, s)| u64::from(*s))
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_curve_answers_exact_averages_within_its_length() {
        let c = MeanMaxCurve {
            best_sums: vec![300, 590, 870],
        };
        assert_eq!(c.best_average(2), Some(295.0));
        assert_eq!(c.best_average(3), Some(290.0));
        assert_eq!(c.best_average(0), None);
        assert_eq!(c.best_average(4), None);
        let h = Histogram {
            seconds_at: vec![(100, 5), (150, 10), (200, 1)],
        };
        assert_eq!(h.total_s(), 16);
        assert_eq!(h.seconds_between(100.0, 200.0), 15);
    }
}

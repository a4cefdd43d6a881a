//! The recording on a 1 Hz grid: one slot per timer second, every channel
//! in SI units, gaps remembered.
//!
//! The same grid as the mean-maximal curves and the histograms
//! ([`crate::mean_max::one_hz_stretches`]): a sample holds its value for
//! the seconds until the next sample when that is at most
//! [`MAX_HOLD_S`] away and has a value for the channel too; a longer step
//! is a gap (no grid second inside it). So the grid has exactly
//! [`Streams::recorded_s`]`(MAX_HOLD_S)` seconds, and a channel's values on
//! it, in order, are its stretches one after the other.

use crate::mean_max::MAX_HOLD_S;
use std::ops::Range;
use tp_model::{ChannelKind, Streams};

/// Samples per rolling window of Normalized Power (Coggan: 30 s).
pub const NP_WINDOW: usize = 30;

/// A channel on the grid: a value (SI units) or `None` per grid second.
pub(crate) type Series = Vec<Option<f64>>;

/// The recording, one slot per recorded second.
#[derive(Debug, Clone, Default)]
pub(crate) struct Grid {
    /// Seconds from the first sample (the streams' time base) of each grid second.
    pub t_s: Vec<u32>,
    /// Seconds without a sample just before each grid second (0 inside a
    /// stretch; the length of the pause after one).
    pub gap_before_s: Vec<u32>,
    channels: [Option<Series>; 7],
}

/// The SI value of a stored integer. A division, not a multiplication by
/// [`ChannelKind::scale`], so that 2680 mm/s is exactly the `f64` nearest
/// 2.68 m/s, as a zone bound typed in m/s is.
fn si(kind: ChannelKind, v: i32) -> f64 {
    match kind {
        ChannelKind::Speed => f64::from(v) / 1000.0,
        ChannelKind::Distance | ChannelKind::Altitude => f64::from(v) / 100.0,
        _ => f64::from(v),
    }
}

impl Grid {
    pub fn new(streams: &Streams) -> Grid {
        let time = streams.time_s();
        let n = time.len();
        // How many grid seconds each sample covers, and the pause after it.
        let holds: Vec<(u32, u32)> = (0..n)
            .map(|i| {
                let step = if i + 1 < n { time[i + 1] - time[i] } else { 0 };
                if (1..=MAX_HOLD_S).contains(&step) {
                    (step, 0)
                } else if step > MAX_HOLD_S {
                    (1, step - 1)
                } else {
                    (1, 0)
                }
            })
            .collect();
        let total: usize = holds.iter().map(|(h, _)| *h as usize).sum();
        let mut grid = Grid {
            t_s: Vec::with_capacity(total),
            gap_before_s: Vec::with_capacity(total),
            channels: Default::default(),
        };
        let mut pause = 0;
        for (i, &(hold, gap)) in holds.iter().enumerate() {
            for k in 0..hold {
                grid.t_s.push(time[i] + k);
                grid.gap_before_s.push(if k == 0 { pause } else { 0 });
            }
            pause = gap;
        }
        for (kind, values) in streams.channels() {
            let mut series: Series = Vec::with_capacity(total);
            for (i, &(hold, _)) in holds.iter().enumerate() {
                let v = values[i].map(|v| si(kind, v));
                series.push(v);
                // A value holds only towards a sample that has one too.
                let held = if values.get(i + 1).is_some_and(Option::is_some) {
                    v
                } else {
                    None
                };
                series.extend(std::iter::repeat_n(held, hold as usize - 1));
            }
            grid.channels[usize::from(kind.id())] = Some(series);
        }
        grid
    }

    /// Recorded (timer) seconds.
    pub fn len(&self) -> usize {
        self.t_s.len()
    }

    /// A channel's values, if the streams have it.
    pub fn channel(&self, kind: ChannelKind) -> Option<&[Option<f64>]> {
        self.channels[usize::from(kind.id())].as_deref()
    }

    /// Grid seconds with a value for the channel.
    pub fn seconds_with(&self, kind: ChannelKind) -> usize {
        self.channel(kind)
            .map_or(0, |c| c.iter().filter(|v| v.is_some()).count())
    }

    /// The stretches of grid seconds without a pause between them.
    pub fn segments(&self) -> Vec<Range<usize>> {
        let mut out = Vec::new();
        let mut start = 0;
        for k in 1..self.len() {
            if self.gap_before_s[k] > 0 {
                out.push(start..k);
                start = k;
            }
        }
        if self.len() > 0 {
            out.push(start..self.len());
        }
        out
    }
}

/// The values present, in order.
pub(crate) fn present(series: &[Option<f64>]) -> Vec<f64> {
    series.iter().flatten().copied().collect()
}

/// The mean of the values present; `None` without any.
pub(crate) fn mean_of(series: &[Option<f64>]) -> Option<f64> {
    let (sum, n) = series
        .iter()
        .flatten()
        .fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    (n > 0).then(|| sum / n as f64).filter(|m| m.is_finite())
}

/// Coggan's normalization (Normalized Power, normalized graded speed): the
/// 4th root of the mean 4th power of the rolling 30-sample means of the
/// values in order. `None` for fewer than 30 values.
pub(crate) fn normalized(values: &[f64]) -> Option<f64> {
    if values.len() < NP_WINDOW {
        return None;
    }
    let w = NP_WINDOW as f64;
    let mut sum: f64 = values[..NP_WINDOW].iter().sum();
    let fourth = |s: f64| (s / w).powi(4);
    let mut acc = fourth(sum);
    for i in NP_WINDOW..values.len() {
        sum += values[i] - values[i - NP_WINDOW];
        acc += fourth(sum);
    }
    let windows = (values.len() - NP_WINDOW + 1) as f64;
    crate::num::finite((acc / windows).powf(0.25))
}

/// Normalization of the values present in a series.
pub(crate) fn normalized_of(series: &[Option<f64>]) -> Option<f64> {
    normalized(&present(series))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    // Proves the grid holds values up to 5 s, not towards a missing value,
    // never across a pause, and has recorded_s seconds.
    #[test]
    fn the_grid_follows_the_mean_max_stretches() {
        let t = vec![0, 1, 2, 4, 30, 31, 32, 33];
        let v = vec![
            Some(1),
            Some(2),
            Some(3),
            Some(4),
            Some(5),
            None,
            Some(7),
            Some(8),
        ];
        let mut c = BTreeMap::new();
        c.insert(ChannelKind::Power, v.clone());
        c.insert(ChannelKind::Speed, vec![Some(2680); 8]);
        let s = Streams::from_parts(t.clone(), c).unwrap();
        let g = Grid::new(&s);
        assert_eq!(g.len() as u32, s.recorded_s(MAX_HOLD_S));
        assert_eq!(g.t_s, vec![0, 1, 2, 3, 4, 30, 31, 32, 33]);
        assert_eq!(g.gap_before_s, vec![0, 0, 0, 0, 0, 25, 0, 0, 0]);
        let p: Vec<f64> = present(g.channel(ChannelKind::Power).unwrap());
        let stretches: Vec<f64> = crate::mean_max::one_hz_stretches(&t, &v)
            .concat()
            .into_iter()
            .map(|x| x as f64)
            .collect();
        assert_eq!(p, stretches);
        assert_eq!(g.channel(ChannelKind::Speed).unwrap()[0], Some(2.68));
        assert_eq!(g.segments(), vec![0..5, 5..9]);
        assert_eq!(g.seconds_with(ChannelKind::Power), 8);
        assert!(g.channel(ChannelKind::HeartRate).is_none());
    }

    // Proves the normalization on hand-computed values: constant → itself;
    // 30 × 100 then 30 × 200 → rolling means 100, 103.3, …, 200.
    #[test]
    fn normalization_by_hand() {
        assert_eq!(normalized(&[250.0; 60]), Some(250.0));
        assert_eq!(normalized(&[250.0; 29]), None);
        let mut x = vec![100.0; 30];
        x.extend([200.0; 30]);
        let expected = ((0..=30)
            .map(|k| (100.0 + 100.0 * k as f64 / 30.0).powi(4))
            .sum::<f64>()
            / 31.0)
            .powf(0.25);
        assert!((normalized(&x).unwrap() - expected).abs() < 1e-9);
    }
}

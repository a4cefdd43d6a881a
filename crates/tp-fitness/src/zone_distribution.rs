//! Time in zones over a period, per second: the histograms kept with each
//! workout's streams, put in the athlete's own zones — and, for workouts
//! without a device file, whole workouts by their intensity factor, saying
//! how much of the time each method covers.
//!
//! **Per sport, the athlete's zones.** Seconds of power (W), heart rate
//! (bpm) and speed (m/s) are counted in the zones of the sport's settings
//! with the rule of [`crate::stream_analysis::zones::ZONES_METHOD`] (the
//! same as for one workout), from the merged histograms of the sport's
//! workouts.
//!
//! **Three zones for the pattern.** Each second counts as low (< 75 % of
//! the threshold), moderate (75–90 %) or high (≥ 90 %), the boundaries of
//! the whole-workout method (`zones`), applied to the workout's intensity
//! channel: power against FTP when the file has power, else speed against
//! the sport's threshold speed, else heart rate against LTHR. A workout
//! without a file (or without a usable channel) counts whole, by IF. The
//! polarization index and the pattern come from the sum.

use crate::stream_analysis::zones::{ChannelZones, ZoneSource, time_in_zones_weighted};
use crate::workout::intensity_factor;
use crate::zones::{IfBucket, ThreeZoneShares};
use serde::Serialize;
use std::collections::BTreeMap;
use tp_model::{ChannelKind, Histogram, StreamSummary, Workout, Zone};

/// Share of the threshold below which a second is "low".
pub const LOW_BELOW: f64 = 0.75;
/// Share of the threshold from which a second is "high".
pub const HIGH_FROM: f64 = 0.90;

/// What a sport's seconds are measured against.
#[derive(Debug, Clone, Copy, Default)]
pub struct Thresholds<'a> {
    pub ftp_w: Option<f64>,
    pub threshold_speed_m_s: Option<f64>,
    pub lthr_bpm: Option<f64>,
    pub power_zones: Option<&'a [Zone]>,
    pub hr_zones: Option<&'a [Zone]>,
    pub speed_zones: Option<&'a [Zone]>,
}

/// One sport's per-second time in zones.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct SportZones {
    pub sport: String,
    /// Completed workouts of the sport in the period.
    pub workouts: usize,
    /// Of those, counted per second (with a device file).
    pub with_streams: usize,
    pub power: Option<ChannelZones>,
    pub heart_rate: Option<ChannelZones>,
    pub speed: Option<ChannelZones>,
}

/// The athlete's own zones, when there are some.
fn athlete(zones: Option<&[Zone]>) -> Option<(&[Zone], ZoneSource)> {
    zones
        .filter(|z| !z.is_empty())
        .map(|z| (z, ZoneSource::Athlete))
}

/// Sums histograms bin by bin.
pub fn merge(histograms: &[&Histogram]) -> Vec<(i32, u32)> {
    let mut sum: BTreeMap<i32, u64> = BTreeMap::new();
    for h in histograms {
        for (v, s) in &h.seconds_at {
            *sum.entry(*v).or_default() += u64::from(*s);
        }
    }
    sum.into_iter()
        .map(|(v, s)| (v, s.min(u64::from(u32::MAX)) as u32))
        .collect()
}

/// A sport's seconds in its zones from its workouts' summaries.
pub fn sport_zones(
    sport: &str,
    workouts: usize,
    summaries: &[&StreamSummary],
    t: &Thresholds,
) -> SportZones {
    let channel = |kind: ChannelKind| -> Vec<&Histogram> {
        summaries
            .iter()
            .filter_map(|s| s.histograms.get(&kind))
            .collect()
    };
    let zones_of = |kind: ChannelKind,
                    zones: Option<(&[Zone], ZoneSource)>,
                    name: &'static str,
                    unit: &'static str| {
        let hists = channel(kind);
        let (zones, source) = zones?;
        if hists.is_empty() {
            return None;
        }
        let scale = kind.scale();
        let merged = merge(&hists);
        time_in_zones_weighted(
            merged.into_iter().map(|(v, s)| (f64::from(v) * scale, s)),
            zones,
            name,
            unit,
            source,
        )
    };
    let coggan = t
        .ftp_w
        .map(crate::stream_analysis::zones::coggan_zones)
        .unwrap_or_default();
    let power_zones = match t.power_zones.filter(|z| !z.is_empty()) {
        Some(z) => Some((z, ZoneSource::Athlete)),
        None if !coggan.is_empty() => Some((coggan.as_slice(), ZoneSource::CogganFromFtp)),
        None => None,
    };
    SportZones {
        sport: sport.to_string(),
        workouts,
        with_streams: summaries.len(),
        power: zones_of(ChannelKind::Power, power_zones, "power", "W"),
        heart_rate: zones_of(
            ChannelKind::HeartRate,
            athlete(t.hr_zones),
            "heart_rate",
            "bpm",
        ),
        speed: zones_of(ChannelKind::Speed, athlete(t.speed_zones), "speed", "m/s"),
    }
}

/// Low, moderate and high seconds (or hours, for whole workouts).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ThreeZoneTime {
    pub low_h: f64,
    pub moderate_h: f64,
    pub high_h: f64,
}

impl ThreeZoneTime {
    fn add(&mut self, other: ThreeZoneTime) {
        self.low_h += other.low_h;
        self.moderate_h += other.moderate_h;
        self.high_h += other.high_h;
    }

    pub fn total_h(&self) -> f64 {
        self.low_h + self.moderate_h + self.high_h
    }
}

/// One workout's three-zone time per second, from its intensity channel;
/// `None` when no channel has a threshold.
pub fn three_zones_of_workout(
    summary: &StreamSummary,
    t: &Thresholds,
) -> Option<(ThreeZoneTime, ChannelKind)> {
    let pick = [
        (ChannelKind::Power, t.ftp_w),
        (ChannelKind::Speed, t.threshold_speed_m_s),
        (ChannelKind::HeartRate, t.lthr_bpm),
    ];
    let (kind, hist, threshold) = pick.into_iter().find_map(|(kind, threshold)| {
        let threshold = threshold.filter(|x| x.is_finite() && *x > 0.0)?;
        let hist = summary.histograms.get(&kind).filter(|h| h.total_s() > 0)?;
        Some((kind, hist, threshold))
    })?;
    let mut out = ThreeZoneTime::default();
    for (v, s) in &hist.seconds_at {
        let share = f64::from(*v) * kind.scale() / threshold;
        let hours = f64::from(*s) / 3600.0;
        if share < LOW_BELOW {
            out.low_h += hours;
        } else if share < HIGH_FROM {
            out.moderate_h += hours;
        } else {
            out.high_h += hours;
        }
    }
    Some((out, kind))
}

/// A whole workout by its IF: its hours in one of the three zones.
pub fn three_zones_by_if(w: &Workout, ftp: Option<f64>) -> Option<ThreeZoneTime> {
    let hours = w.total_time.filter(|h| h.is_finite() && *h > 0.0)?;
    let intensity = intensity_factor(w, ftp)?.value;
    let mut out = ThreeZoneTime::default();
    match IfBucket::from_if(intensity)? {
        IfBucket::Recovery | IfBucket::Endurance => out.low_h = hours,
        IfBucket::Tempo => out.moderate_h = hours,
        IfBucket::Threshold | IfBucket::Vo2MaxPlus => out.high_h = hours,
    }
    Some(out)
}

/// The period's three-zone time: per second where a workout has streams,
/// whole workouts by IF otherwise.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct CombinedDistribution {
    /// All of it.
    pub total: ThreeZoneTime,
    /// The part counted per second, and from how many workouts.
    pub per_second: ThreeZoneTime,
    pub per_second_workouts: usize,
    /// The part counted whole by IF, and from how many workouts.
    pub by_workout_if: ThreeZoneTime,
    pub by_workout_if_workouts: usize,
    /// Completed workouts counted by neither (no IF, no usable stream).
    pub not_counted_workouts: usize,
    /// Share of the counted time that was counted per second (0…1).
    pub per_second_share: Option<f64>,
    pub shares: Option<ThreeZoneShares>,
    pub pattern: Option<crate::zones::IntensityPattern>,
    pub polarization_index: Option<f64>,
}

/// Sums the period: `per_workout` holds each completed workout with its
/// per-second time when it has one.
pub fn combine(
    per_workout: &[(&Workout, Option<ThreeZoneTime>)],
    ftp: Option<f64>,
) -> CombinedDistribution {
    let mut per_second = ThreeZoneTime::default();
    let mut by_if = ThreeZoneTime::default();
    let (mut n_second, mut n_if, mut n_none) = (0, 0, 0);
    for (w, seconds) in per_workout {
        match seconds {
            Some(t) => {
                per_second.add(*t);
                n_second += 1;
            }
            None => match three_zones_by_if(w, ftp) {
                Some(t) => {
                    by_if.add(t);
                    n_if += 1;
                }
                None => n_none += 1,
            },
        }
    }
    let mut total = per_second;
    total.add(by_if);
    let shares = ThreeZoneShares::from_amounts(total.low_h, total.moderate_h, total.high_h);
    CombinedDistribution {
        total,
        per_second,
        per_second_workouts: n_second,
        by_workout_if: by_if,
        by_workout_if_workouts: n_if,
        not_counted_workouts: n_none,
        per_second_share: (total.total_h() > 0.0).then(|| per_second.total_h() / total.total_h()),
        pattern: shares.as_ref().map(ThreeZoneShares::pattern),
        polarization_index: shares
            .as_ref()
            .and_then(ThreeZoneShares::polarization_index),
        shares,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(power: &[(i32, u32)]) -> StreamSummary {
        let mut s = StreamSummary::default();
        s.histograms.insert(
            ChannelKind::Power,
            Histogram {
                seconds_at: power.to_vec(),
            },
        );
        s
    }

    // Proves merged histograms in the athlete's zones: the seconds add up,
    // a value on a shared bound goes to the lower zone.
    #[test]
    fn a_sports_zones_from_histograms() {
        let zones = [
            Zone {
                label: Some("Z1".into()),
                minimum: Some(0.0),
                maximum: Some(150.0),
            },
            Zone {
                label: Some("Z2".into()),
                minimum: Some(150.0),
                maximum: Some(250.0),
            },
            Zone {
                label: Some("Z3".into()),
                minimum: Some(251.0),
                maximum: None,
            },
        ];
        let (a, b) = (
            summary(&[(100, 10), (150, 5)]),
            summary(&[(150, 1), (200, 20), (300, 4)]),
        );
        let t = Thresholds {
            ftp_w: Some(250.0),
            power_zones: Some(&zones),
            ..Thresholds::default()
        };
        let z = sport_zones("Bike", 3, &[&a, &b], &t);
        let p = z.power.unwrap();
        assert_eq!(
            p.zones.iter().map(|z| z.seconds).collect::<Vec<_>>(),
            vec![16, 20, 4]
        );
        assert_eq!(p.seconds_with_value, 40);
        assert_eq!((z.workouts, z.with_streams), (3, 2));
    }

    // Proves the three zones per second and by IF, and the coverage split.
    #[test]
    fn three_zones_per_second_and_by_if() {
        let t = Thresholds {
            ftp_w: Some(200.0),
            ..Thresholds::default()
        };
        let s = summary(&[(100, 3600), (160, 1800), (190, 1800)]);
        let (time, kind) = three_zones_of_workout(&s, &t).unwrap();
        assert_eq!(kind, ChannelKind::Power);
        assert_eq!((time.low_h, time.moderate_h, time.high_h), (1.0, 0.5, 0.5));
        let w = Workout {
            workout_id: 1,
            completed: Some(true),
            total_time: Some(2.0),
            intensity_factor: Some(0.95),
            ..Workout::default()
        };
        let c = combine(&[(&w, None), (&w, Some(time))], Some(200.0));
        assert_eq!((c.per_second_workouts, c.by_workout_if_workouts), (1, 1));
        assert_eq!(c.total.high_h, 2.5);
        assert_eq!(c.per_second_share, Some(0.5));
    }
}

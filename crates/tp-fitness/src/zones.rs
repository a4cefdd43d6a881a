//! Intensity distribution and power zones.
//!
//! Two methods, and every result names the one it used ([`ZoneMethod`]):
//!
//! - [`ZoneMethod::WholeWorkoutIf`] — each workout lands whole in one bucket
//!   by its Intensity Factor (the reference server's buckets). Cheap, works
//!   on summaries, but a 2-hour ride with VO2max intervals lands in "tempo".
//! - [`ZoneMethod::TimeInZone`] — seconds per zone summed over workouts, when
//!   per-workout time-in-zone data is supplied. Prefer it when available.
//!
//! The distribution pattern is judged on three zones: **low** (IF < 0.75:
//! recovery + endurance; Coggan Z1–Z2), **moderate** (0.75 ≤ IF < 0.90:
//! tempo; Coggan Z3) and **high** (IF ≥ 0.90: threshold and above; Coggan
//! Z4–Z7), by share of time. See [`IntensityPattern`] for the rule.

use crate::num::{per_positive, positive, usable};
use crate::workout::intensity_factor;
use serde::Serialize;
use tp_model::Workout;

/// Which method produced a distribution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ZoneMethod {
    /// Whole workouts classified by their IF.
    WholeWorkoutIf,
    /// Time in zone summed over workouts.
    TimeInZone,
}

/// The reference server's per-workout IF buckets (pmc.md): < 0.55 recovery,
/// 0.55–0.75 endurance, 0.75–0.90 tempo, 0.90–1.05 threshold, ≥ 1.05
/// VO2max+. Lower bounds are inclusive.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum IfBucket {
    Recovery,
    Endurance,
    Tempo,
    Threshold,
    Vo2MaxPlus,
}

impl IfBucket {
    /// All buckets, easiest first.
    pub const ALL: [IfBucket; 5] = [
        IfBucket::Recovery,
        IfBucket::Endurance,
        IfBucket::Tempo,
        IfBucket::Threshold,
        IfBucket::Vo2MaxPlus,
    ];

    /// The bucket of an IF; `None` for a negative or non-finite IF.
    pub fn from_if(intensity: f64) -> Option<IfBucket> {
        if !intensity.is_finite() || intensity < 0.0 {
            None
        } else if intensity < 0.55 {
            Some(IfBucket::Recovery)
        } else if intensity < 0.75 {
            Some(IfBucket::Endurance)
        } else if intensity < 0.90 {
            Some(IfBucket::Tempo)
        } else if intensity < 1.05 {
            Some(IfBucket::Threshold)
        } else {
            Some(IfBucket::Vo2MaxPlus)
        }
    }

    /// A label with its range, e.g. "Tempo (IF 0.75–0.90)".
    pub fn label(self) -> &'static str {
        match self {
            IfBucket::Recovery => "Recovery (IF < 0.55)",
            IfBucket::Endurance => "Endurance (IF 0.55–0.75)",
            IfBucket::Tempo => "Tempo (IF 0.75–0.90)",
            IfBucket::Threshold => "Threshold (IF 0.90–1.05)",
            IfBucket::Vo2MaxPlus => "VO2max+ (IF ≥ 1.05)",
        }
    }

    /// The three-zone group: 0 low, 1 moderate, 2 high.
    fn group(self) -> usize {
        match self {
            IfBucket::Recovery | IfBucket::Endurance => 0,
            IfBucket::Tempo => 1,
            IfBucket::Threshold | IfBucket::Vo2MaxPlus => 2,
        }
    }
}

/// Shares of time in the three zones (each 0…1, summing to 1).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ThreeZoneShares {
    pub low: f64,
    pub moderate: f64,
    pub high: f64,
}

/// The shape of an intensity distribution.
///
/// Rule, applied in order to the three-zone time shares:
/// 1. **base** — low ≥ 90 % (almost everything easy);
/// 2. **high_intensity** — high is the largest share;
/// 3. **threshold** — moderate is at least as large as low;
/// 4. **polarized** — low is the largest and high > moderate (Seiler's
///    ordering Z1 > Z3 > Z2);
/// 5. **pyramidal** — low is the largest and moderate ≥ high.
///
/// The Treff et al. (2019) polarization index `log10(low/moderate × high ×
/// 100)` is reported beside it (> 2.0 reads as polarized in their paper).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum IntensityPattern {
    Base,
    HighIntensity,
    Threshold,
    Polarized,
    Pyramidal,
}

impl IntensityPattern {
    /// The pattern's name.
    pub fn label(self) -> &'static str {
        match self {
            IntensityPattern::Base => "base (almost all easy)",
            IntensityPattern::HighIntensity => "high-intensity focused",
            IntensityPattern::Threshold => "threshold-heavy",
            IntensityPattern::Polarized => "polarized",
            IntensityPattern::Pyramidal => "pyramidal",
        }
    }
}

/// The rule of [`IntensityPattern`] as one sentence, for answers.
pub const PATTERN_RULE: &str = "three zones by time: low = IF < 0.75 (Coggan Z1–Z2), moderate = \
     0.75–0.90 (Z3), high = ≥ 0.90 (Z4+); base if low ≥ 90 %, high-intensity if high is largest, \
     threshold if moderate ≥ low, polarized if low is largest and high > moderate, else pyramidal";

impl ThreeZoneShares {
    /// Shares from three non-negative amounts; `None` when their total is 0.
    pub fn from_amounts(low: f64, moderate: f64, high: f64) -> Option<ThreeZoneShares> {
        let clean = |x: f64| if x.is_finite() && x > 0.0 { x } else { 0.0 };
        let (l, m, h) = (clean(low), clean(moderate), clean(high));
        let total = l + m + h;
        Some(ThreeZoneShares {
            low: per_positive(l, total)?,
            moderate: per_positive(m, total)?,
            high: per_positive(h, total)?,
        })
    }

    /// The pattern by the rule of [`IntensityPattern`].
    pub fn pattern(&self) -> IntensityPattern {
        let (l, m, h) = (self.low, self.moderate, self.high);
        if l >= 0.9 {
            IntensityPattern::Base
        } else if h >= l && h >= m {
            IntensityPattern::HighIntensity
        } else if m >= l {
            IntensityPattern::Threshold
        } else if h > m {
            IntensityPattern::Polarized
        } else {
            IntensityPattern::Pyramidal
        }
    }

    /// Treff's polarization index; `None` when moderate or high is 0.
    pub fn polarization_index(&self) -> Option<f64> {
        if self.moderate <= 0.0 || self.high <= 0.0 {
            return None;
        }
        crate::num::finite((self.low / self.moderate * self.high * 100.0).log10())
    }
}

/// One IF bucket's share.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct BucketShare {
    pub bucket: IfBucket,
    pub label: &'static str,
    pub sessions: u32,
    pub hours: f64,
    pub tss: f64,
    /// Share of classified time (0…1); `None` when no classified time.
    pub time_share: Option<f64>,
    /// Share of classified TSS (0…1); `None` when no classified TSS.
    pub tss_share: Option<f64>,
}

/// Completed workouts distributed by whole-workout IF.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct IfDistribution {
    pub method: ZoneMethod,
    /// All five buckets, easiest first (empty ones included).
    pub buckets: Vec<BucketShare>,
    pub classified_sessions: u32,
    /// Completed workouts without an IF (no `if`, no NP/FTP).
    pub unclassified_sessions: u32,
    pub total_hours: f64,
    pub total_tss: f64,
    pub three_zone: Option<ThreeZoneShares>,
    pub pattern: Option<IntensityPattern>,
    pub polarization_index: Option<f64>,
    pub pattern_rule: &'static str,
}

/// Classifies the completed workouts by IF (given, else NP/FTP for those
/// with Normalized Power when `ftp` is known). Hours count positive
/// `totalTime`; TSS counts finite `tssActual`.
pub fn if_distribution<'a>(
    workouts: impl IntoIterator<Item = &'a Workout>,
    ftp: Option<f64>,
) -> IfDistribution {
    let mut buckets: Vec<BucketShare> = IfBucket::ALL
        .iter()
        .map(|&bucket| BucketShare {
            bucket,
            label: bucket.label(),
            sessions: 0,
            hours: 0.0,
            tss: 0.0,
            time_share: None,
            tss_share: None,
        })
        .collect();
    let mut unclassified = 0;
    for w in workouts.into_iter().filter(|w| w.is_completed()) {
        let Some(bucket) = intensity_factor(w, ftp).and_then(|i| IfBucket::from_if(i.value)) else {
            unclassified += 1;
            continue;
        };
        let b = &mut buckets[bucket as usize];
        b.sessions += 1;
        b.hours += positive(w.total_time).unwrap_or(0.0).min(1e6);
        b.tss += crate::num::clean_tss(usable(w.tss_actual).unwrap_or(0.0));
    }
    let total_hours: f64 = buckets.iter().map(|b| b.hours).sum();
    let total_tss: f64 = buckets.iter().map(|b| b.tss).sum();
    for b in &mut buckets {
        b.time_share = per_positive(b.hours, total_hours);
        b.tss_share = per_positive(b.tss, total_tss);
    }
    let mut groups = [0.0; 3];
    for b in &buckets {
        groups[b.bucket.group()] += b.hours;
    }
    let three_zone = ThreeZoneShares::from_amounts(groups[0], groups[1], groups[2]);
    IfDistribution {
        method: ZoneMethod::WholeWorkoutIf,
        classified_sessions: buckets.iter().map(|b| b.sessions).sum(),
        buckets,
        unclassified_sessions: unclassified,
        total_hours,
        total_tss,
        three_zone,
        pattern: three_zone.map(|t| t.pattern()),
        polarization_index: three_zone.and_then(|t| t.polarization_index()),
        pattern_rule: PATTERN_RULE,
    }
}

/// One power zone's bounds.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ZoneBound {
    /// 1…7.
    pub zone: u8,
    pub name: &'static str,
    /// Lower bound, % of FTP (exclusive, except 0 for Z1).
    pub min_pct: f64,
    /// Upper bound, % of FTP (inclusive); `None` for Z7.
    pub max_pct: Option<f64>,
    pub min_watts: f64,
    pub max_watts: Option<f64>,
}

/// Coggan's power levels by % of FTP (pmc.md): Z1 active recovery < 55 %,
/// Z2 endurance 56–75 %, Z3 tempo 76–90 %, Z4 threshold 91–105 %, Z5 VO2max
/// 106–120 %, Z6 anaerobic 121–150 %, Z7 neuromuscular > 150 %.
pub const COGGAN_ZONES: [(u8, &str, f64, Option<f64>); 7] = [
    (1, "Active recovery", 0.0, Some(55.0)),
    (2, "Endurance", 55.0, Some(75.0)),
    (3, "Tempo", 75.0, Some(90.0)),
    (4, "Threshold", 90.0, Some(105.0)),
    (5, "VO2max", 105.0, Some(120.0)),
    (6, "Anaerobic capacity", 120.0, Some(150.0)),
    (7, "Neuromuscular power", 150.0, None),
];

/// Coggan's seven power zones in watts for an FTP. Coggan's table uses
/// whole percents (Z2 56–75 %); here the zones meet, each upper bound
/// inclusive (Z1 ≤ 55 %, Z2 > 55 … ≤ 75 %, …). Empty when FTP is not a
/// positive number.
pub fn coggan_power_zones(ftp: f64) -> Vec<ZoneBound> {
    if !(ftp.is_finite() && ftp > 0.0) {
        return Vec::new();
    }
    COGGAN_ZONES
        .iter()
        .map(|&(zone, name, min_pct, max_pct)| ZoneBound {
            zone,
            name,
            min_pct,
            max_pct,
            min_watts: ftp * min_pct / 100.0,
            max_watts: max_pct.map(|p| ftp * p / 100.0),
        })
        .collect()
}

/// The Coggan zone (1…7) of a power for an FTP; `None` for invalid inputs.
pub fn coggan_zone_of(watts: f64, ftp: f64) -> Option<u8> {
    if !(watts.is_finite() && watts >= 0.0) {
        return None;
    }
    if !(ftp.is_finite() && ftp > 0.0) {
        return None;
    }
    // compare in watts, exactly as `coggan_power_zones` states the bounds
    COGGAN_ZONES
        .iter()
        .find(|(_, _, _, max)| max.is_none_or(|m| watts <= ftp * m / 100.0))
        .map(|z| z.0)
}

/// Time in one zone.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ZoneTime {
    /// 1-based zone number.
    pub zone: u8,
    /// The Coggan name when there are 7 zones.
    pub name: Option<&'static str>,
    pub seconds: f64,
    /// Share of the total (0…1); `None` when the total is 0.
    pub share: Option<f64>,
}

/// Time in zone summed over workouts.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct TimeInZoneDistribution {
    pub method: ZoneMethod,
    pub zones: Vec<ZoneTime>,
    pub total_seconds: f64,
    /// How many workouts contributed.
    pub workouts: u32,
    /// Only for 7 (Coggan) zones: Z1–Z2 low, Z3 moderate, Z4–Z7 high.
    pub three_zone: Option<ThreeZoneShares>,
    pub pattern: Option<IntensityPattern>,
    pub polarization_index: Option<f64>,
    pub pattern_rule: &'static str,
}

/// Sums seconds per zone over workouts: `per_workout[w][z]` is workout
/// `w`'s seconds in zone `z + 1`. Workouts may list different numbers of
/// zones (missing ones count 0); negative or non-finite seconds count 0.
/// The pattern is judged only for the 7 Coggan power zones.
pub fn time_in_zone_distribution(per_workout: &[Vec<f64>]) -> TimeInZoneDistribution {
    let n = per_workout
        .iter()
        .map(Vec::len)
        .max()
        .unwrap_or(0)
        .min(u8::MAX as usize);
    let mut seconds = vec![0.0; n];
    for w in per_workout {
        for (total, s) in seconds.iter_mut().zip(w) {
            if s.is_finite() && *s > 0.0 {
                *total += s.min(1e9);
            }
        }
    }
    let total: f64 = seconds.iter().sum();
    let coggan = n == COGGAN_ZONES.len();
    let zones = seconds
        .iter()
        .enumerate()
        .map(|(i, &s)| ZoneTime {
            zone: (i + 1) as u8,
            name: coggan.then(|| COGGAN_ZONES[i].1),
            seconds: s,
            share: per_positive(s, total),
        })
        .collect();
    let three_zone = if coggan {
        ThreeZoneShares::from_amounts(
            seconds[0] + seconds[1],
            seconds[2],
            seconds[3..].iter().sum(),
        )
    } else {
        None
    };
    TimeInZoneDistribution {
        method: ZoneMethod::TimeInZone,
        zones,
        total_seconds: total,
        workouts: per_workout.len() as u32,
        three_zone,
        pattern: three_zone.map(|t| t.pattern()),
        polarization_index: three_zone.and_then(|t| t.polarization_index()),
        pattern_rule: PATTERN_RULE,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(intensity: Option<f64>, hours: f64, tss: f64) -> Workout {
        Workout {
            completed: Some(true),
            intensity_factor: intensity,
            total_time: Some(hours),
            tss_actual: Some(tss),
            ..Workout::default()
        }
    }

    #[test]
    fn if_buckets_and_boundaries() {
        assert_eq!(IfBucket::from_if(0.549), Some(IfBucket::Recovery));
        assert_eq!(IfBucket::from_if(0.55), Some(IfBucket::Endurance));
        assert_eq!(IfBucket::from_if(0.75), Some(IfBucket::Tempo));
        assert_eq!(IfBucket::from_if(0.90), Some(IfBucket::Threshold));
        assert_eq!(IfBucket::from_if(1.05), Some(IfBucket::Vo2MaxPlus));
        assert_eq!(IfBucket::from_if(-0.1), None);
        assert_eq!(IfBucket::from_if(f64::NAN), None);
    }

    #[test]
    fn whole_workout_distribution() {
        let ws = vec![
            w(Some(0.65), 3.0, 130.0),
            w(Some(0.70), 2.0, 100.0),
            w(Some(0.50), 1.0, 25.0),
            w(Some(0.95), 1.0, 90.0),
            w(Some(0.80), 1.0, 65.0),
            w(None, 1.0, 40.0), // no IF and no NP: unclassified
            Workout {
                completed: Some(false),
                intensity_factor: Some(1.2),
                ..Workout::default()
            }, // planned: ignored
        ];
        let d = if_distribution(&ws, Some(250.0));
        assert_eq!(d.method, ZoneMethod::WholeWorkoutIf);
        assert_eq!(d.classified_sessions, 5);
        assert_eq!(d.unclassified_sessions, 1);
        assert_eq!(d.total_hours, 8.0);
        assert_eq!(d.total_tss, 410.0);
        let hours: Vec<f64> = d.buckets.iter().map(|b| b.hours).collect();
        assert_eq!(hours, vec![1.0, 5.0, 1.0, 1.0, 0.0]);
        assert_eq!(d.buckets[1].time_share, Some(5.0 / 8.0));
        assert_eq!(d.buckets[4].time_share, Some(0.0));
        assert_eq!(d.buckets[3].tss_share, Some(90.0 / 410.0));
        // low 6/8 = 75 %, moderate 1/8, high 1/8 → low largest, moderate ≥ high → pyramidal
        let t = d.three_zone.unwrap();
        assert_eq!((t.low, t.moderate, t.high), (0.75, 0.125, 0.125));
        assert_eq!(d.pattern, Some(IntensityPattern::Pyramidal));
        // PI = log10(0.75/0.125 × 0.125 × 100) = log10(75)
        assert!((d.polarization_index.unwrap() - 75f64.log10()).abs() < 1e-12);
        let empty = if_distribution(&[], None);
        assert_eq!((empty.pattern, empty.buckets[0].time_share), (None, None));
    }

    #[test]
    fn pattern_rule() {
        let p = |l, m, h| ThreeZoneShares::from_amounts(l, m, h).unwrap().pattern();
        assert_eq!(p(80.0, 5.0, 15.0), IntensityPattern::Polarized);
        assert_eq!(p(70.0, 20.0, 10.0), IntensityPattern::Pyramidal);
        assert_eq!(p(40.0, 45.0, 15.0), IntensityPattern::Threshold);
        assert_eq!(p(30.0, 20.0, 50.0), IntensityPattern::HighIntensity);
        assert_eq!(p(95.0, 5.0, 0.0), IntensityPattern::Base);
        assert_eq!(ThreeZoneShares::from_amounts(0.0, 0.0, f64::NAN), None);
        // Treff: 80/5/15 → log10(0.8/0.05 × 0.15 × 100) = log10(240) ≈ 2.38 > 2
        let pi = ThreeZoneShares::from_amounts(80.0, 5.0, 15.0)
            .unwrap()
            .polarization_index()
            .unwrap();
        assert!((pi - 240f64.log10()).abs() < 1e-12);
    }

    #[test]
    fn coggan_zones_for_an_ftp() {
        let z = coggan_power_zones(250.0);
        assert_eq!(z.len(), 7);
        assert_eq!((z[0].min_watts, z[0].max_watts), (0.0, Some(137.5)));
        assert_eq!((z[3].min_watts, z[3].max_watts), (225.0, Some(262.5)));
        assert_eq!((z[6].min_watts, z[6].max_watts), (375.0, None));
        assert!(coggan_power_zones(0.0).is_empty());
        assert!(coggan_power_zones(f64::NAN).is_empty());
        assert_eq!(coggan_zone_of(137.5, 250.0), Some(1));
        assert_eq!(coggan_zone_of(140.0, 250.0), Some(2)); // 56 %
        assert_eq!(coggan_zone_of(250.0, 250.0), Some(4));
        assert_eq!(coggan_zone_of(376.0, 250.0), Some(7));
        assert_eq!(coggan_zone_of(200.0, 0.0), None);
    }

    #[test]
    fn time_in_zone_sums_workouts() {
        // two workouts: an easy ride and an interval session (Coggan 7 zones)
        let easy = vec![600.0, 5400.0, 300.0, 0.0, 0.0, 0.0, 0.0];
        let intervals = vec![900.0, 1800.0, 300.0, 600.0, 1200.0, 200.0, f64::NAN];
        let d = time_in_zone_distribution(&[easy, intervals]);
        assert_eq!(d.method, ZoneMethod::TimeInZone);
        let secs: Vec<f64> = d.zones.iter().map(|z| z.seconds).collect();
        assert_eq!(secs, vec![1500.0, 7200.0, 600.0, 600.0, 1200.0, 200.0, 0.0]);
        assert_eq!(d.total_seconds, 11300.0);
        assert_eq!(d.zones[1].name, Some("Endurance"));
        // low 8700, moderate 600, high 2000 → low largest, high > moderate → polarized
        let t = d.three_zone.unwrap();
        assert!((t.low - 8700.0 / 11300.0).abs() < 1e-12);
        assert_eq!(d.pattern, Some(IntensityPattern::Polarized));
        // 5 HR zones: totals but no pattern
        let hr = time_in_zone_distribution(&[vec![100.0, 200.0, 300.0, 0.0, 0.0]]);
        assert_eq!(hr.zones.len(), 5);
        assert_eq!((hr.zones[0].name, hr.pattern), (None, None));
        assert_eq!(time_in_zone_distribution(&[]).zones.len(), 0);
    }
}

//! Performance summary for a sport over a window.
//!
//! Volume, per-session averages of whatever the workouts carry (missing
//! values are skipped, never counted as 0), consistency, and the best
//! values of the period with the workouts they came from. Every statistic
//! over an empty set is `None` (the reference server crashed on `max()` of
//! an empty list when no workout had max power or HR).

use crate::load::WeekLoad;
use crate::num::{Agg, positive, usable};
use crate::series::{monday_of, span_days};
use crate::workout::workout_speed;
use crate::zones::{IfDistribution, if_distribution};
use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use tp_model::{Sport, Workout};

/// Count, mean, minimum and maximum of a metric over the workouts that have it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, schemars::JsonSchema)]
pub struct MetricStats {
    pub count: u32,
    pub mean: f64,
    pub min: f64,
    pub max: f64,
}

impl MetricStats {
    fn of(values: impl IntoIterator<Item = f64>) -> Option<MetricStats> {
        let a = Agg::of(values)?;
        Some(MetricStats {
            count: a.count as u32,
            mean: a.mean()?,
            min: a.min,
            max: a.max,
        })
    }
}

/// A best value and the workout that holds it.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Best {
    pub workout_id: i64,
    pub date: Option<NaiveDate>,
    pub title: String,
    pub value: f64,
}

/// The period's best values (the earliest workout wins a tie).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct BestValues {
    /// W.
    pub max_normalized_power: Option<Best>,
    /// W.
    pub max_average_power: Option<Best>,
    /// W (peak power of a workout).
    pub max_power: Option<Best>,
    /// bpm.
    pub max_heart_rate: Option<Best>,
    /// Hours.
    pub longest: Option<Best>,
    /// Metres.
    pub farthest: Option<Best>,
    /// m/s (recorded average, else distance ÷ time).
    pub fastest_average_speed: Option<Best>,
    pub highest_tss: Option<Best>,
}

/// Sessions in one ISO week.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct WeekCount {
    pub iso_year: i32,
    pub iso_week: u32,
    pub monday: NaiveDate,
    pub sessions: u32,
    /// The window covers only part of the week.
    pub partial: bool,
}

/// A sport's performance over a window.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct PerformanceSummary {
    /// The sports included (empty = all).
    pub sports: Vec<Sport>,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub sessions: u32,
    pub total_hours: f64,
    pub total_distance_m: f64,
    pub total_tss: f64,
    pub total_elevation_gain_m: f64,
    pub avg_hours: Option<f64>,
    pub avg_distance_m: Option<f64>,
    pub avg_tss: Option<f64>,
    pub intensity_factor: Option<MetricStats>,
    pub normalized_power: Option<MetricStats>,
    pub average_power: Option<MetricStats>,
    pub average_heart_rate: Option<MetricStats>,
    pub max_heart_rate: Option<MetricStats>,
    /// m/s.
    pub average_speed: Option<MetricStats>,
    /// ISO weeks the window touches (partial ones included).
    pub weeks: u32,
    /// Weeks with at least one session.
    pub active_weeks: u32,
    /// active_weeks ÷ weeks × 100.
    pub consistency_pct: Option<f64>,
    /// sessions ÷ (days ÷ 7).
    pub sessions_per_week: Option<f64>,
    pub weekly_counts: Vec<WeekCount>,
    pub if_distribution: IfDistribution,
    /// Sum of `personalRecordCount`.
    pub personal_records: i64,
    pub best: BestValues,
}

fn best_by(ws: &[&Workout], value: impl Fn(&Workout) -> Option<f64>) -> Option<Best> {
    let mut best: Option<(&Workout, f64)> = None;
    for w in ws {
        let Some(v) = value(w).filter(|v| v.is_finite()) else {
            continue;
        };
        if best.is_none_or(|(_, b)| v > b) {
            best = Some((w, v));
        }
    }
    best.map(|(w, value)| Best {
        workout_id: w.workout_id,
        date: w.workout_day,
        title: w.display_title(),
        value,
    })
}

/// Summarises the completed workouts of `sports` (all sports when empty)
/// between `start` and `end` inclusive. `ftp` (W) lets the IF distribution
/// classify rides that carry NP but no IF.
pub fn performance_summary(
    workouts: &[Workout],
    sports: &[Sport],
    start: NaiveDate,
    end: NaiveDate,
    ftp: Option<f64>,
) -> PerformanceSummary {
    let mut ws: Vec<&Workout> = workouts
        .iter()
        .filter(|w| w.is_completed())
        .filter(|w| w.workout_day.is_some_and(|d| d >= start && d <= end))
        .filter(|w| sports.is_empty() || sports.contains(&w.sport()))
        .collect();
    ws.sort_by_key(|w| (w.workout_day, w.start_time, w.workout_id));

    let sessions = ws.len() as u32;
    let sum = |f: &dyn Fn(&Workout) -> Option<f64>| -> f64 { ws.iter().filter_map(|w| f(w)).sum() };
    let total_hours = sum(&|w| positive(w.total_time).map(|h| h.min(1e6)));
    let total_distance_m = sum(&|w| positive(w.distance).map(|d| d.min(1e12)));
    let total_tss = sum(&|w| usable(w.tss_actual).map(crate::num::clean_tss));
    let total_elevation_gain_m = sum(&|w| positive(w.elevation_gain).map(|e| e.min(1e9)));
    let stats =
        |f: &dyn Fn(&Workout) -> Option<f64>| MetricStats::of(ws.iter().filter_map(|w| f(w)));

    // weeks the window touches
    let n = span_days(start, end);
    let mut weekly_counts: Vec<WeekCount> = Vec::new();
    for date in start.iter_days().take(n) {
        let monday = monday_of(date);
        if weekly_counts.last().is_none_or(|w| w.monday != monday) {
            let iso = date.iso_week();
            weekly_counts.push(WeekCount {
                iso_year: iso.year(),
                iso_week: iso.week(),
                monday,
                sessions: 0,
                partial: false,
            });
        }
    }
    for wc in &mut weekly_counts {
        let sunday = wc.monday + chrono::Days::new(6);
        wc.partial = wc.monday < start || sunday > end;
        wc.sessions = ws
            .iter()
            .filter(|w| w.workout_day.is_some_and(|d| d >= wc.monday && d <= sunday))
            .count() as u32;
    }
    let weeks = weekly_counts.len() as u32;
    let active_weeks = weekly_counts.iter().filter(|w| w.sessions > 0).count() as u32;

    PerformanceSummary {
        sports: sports.to_vec(),
        start,
        end,
        sessions,
        total_hours,
        total_distance_m,
        total_tss,
        total_elevation_gain_m,
        avg_hours: stats(&|w| positive(w.total_time)).map(|s| s.mean),
        avg_distance_m: stats(&|w| positive(w.distance)).map(|s| s.mean),
        avg_tss: stats(&|w| usable(w.tss_actual)).map(|s| s.mean),
        intensity_factor: stats(&|w| positive(w.intensity_factor)),
        normalized_power: stats(&|w| positive(w.normalized_power_actual)),
        average_power: stats(&|w| positive(w.power_average)),
        average_heart_rate: stats(&|w| positive(w.heart_rate_average)),
        max_heart_rate: stats(&|w| positive(w.heart_rate_maximum)),
        average_speed: stats(&|w| workout_speed(w).map(|s| s.m_per_s)),
        weeks,
        active_weeks,
        consistency_pct: crate::num::per_positive(active_weeks as f64 * 100.0, weeks as f64),
        sessions_per_week: crate::num::per_positive(sessions as f64 * 7.0, n as f64),
        weekly_counts,
        if_distribution: if_distribution(ws.iter().copied(), ftp),
        personal_records: ws
            .iter()
            .filter_map(|w| w.personal_record_count)
            .filter(|c| *c > 0)
            .sum(),
        best: BestValues {
            max_normalized_power: best_by(&ws, |w| positive(w.normalized_power_actual)),
            max_average_power: best_by(&ws, |w| positive(w.power_average)),
            max_power: best_by(&ws, |w| positive(w.power_maximum)),
            max_heart_rate: best_by(&ws, |w| positive(w.heart_rate_maximum)),
            longest: best_by(&ws, |w| positive(w.total_time)),
            farthest: best_by(&ws, |w| positive(w.distance)),
            fastest_average_speed: best_by(&ws, |w| workout_speed(w).map(|s| s.m_per_s)),
            highest_tss: best_by(&ws, |w| usable(w.tss_actual)),
        },
    }
}

/// The ISO weeks of a [`crate::load::LoadSummary`] that had at least one
/// session, as a share of all its weeks (partial weeks included), × 100.
pub fn consistency_of_weeks(weeks: &[WeekLoad]) -> Option<f64> {
    let active = weeks.iter().filter(|w| w.sessions > 0).count();
    crate::num::per_positive(active as f64 * 100.0, weeks.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn ride(id: i64, day: NaiveDate) -> Workout {
        Workout {
            workout_id: id,
            workout_type_value_id: Some(2),
            workout_day: Some(day),
            completed: Some(true),
            ..Workout::default()
        }
    }

    #[test]
    fn summary_of_rides() {
        let ws = vec![
            Workout {
                total_time: Some(2.0),
                distance: Some(60_000.0),
                tss_actual: Some(120.0),
                normalized_power_actual: Some(220.0),
                power_average: Some(200.0),
                heart_rate_average: Some(140.0),
                intensity_factor: Some(0.8),
                personal_record_count: Some(2),
                ..ride(1, d(2026, 4, 6))
            },
            Workout {
                total_time: Some(1.0),
                distance: Some(35_000.0),
                tss_actual: Some(80.0),
                normalized_power_actual: Some(250.0),
                power_average: Some(235.0),
                heart_rate_maximum: Some(181.0),
                ..ride(2, d(2026, 4, 8))
            },
            Workout {
                total_time: Some(4.0),
                distance: Some(110_000.0),
                tss_actual: Some(200.0),
                ..ride(3, d(2026, 4, 20))
            },
            Workout {
                workout_type_value_id: Some(3),
                total_time: Some(1.0),
                tss_actual: Some(70.0),
                ..ride(4, d(2026, 4, 7))
            }, // a run
            Workout {
                completed: Some(false),
                tss_planned: Some(90.0),
                ..ride(5, d(2026, 4, 9))
            }, // planned
        ];
        // window Mon 2026-04-06 … Sun 2026-04-26: 3 full ISO weeks
        let s = performance_summary(
            &ws,
            &[Sport::Bike],
            d(2026, 4, 6),
            d(2026, 4, 26),
            Some(250.0),
        );
        assert_eq!(s.sessions, 3);
        assert_eq!(s.total_hours, 7.0);
        assert_eq!(s.total_distance_m, 205_000.0);
        assert_eq!(s.total_tss, 400.0);
        assert_eq!(s.avg_hours, Some(7.0 / 3.0));
        assert_eq!(s.avg_tss, Some(400.0 / 3.0));
        let np = s.normalized_power.unwrap();
        assert_eq!(
            (np.count, np.mean, np.min, np.max),
            (2, 235.0, 220.0, 250.0)
        );
        assert_eq!(s.average_heart_rate.unwrap().count, 1);
        assert_eq!(s.max_heart_rate.unwrap().max, 181.0);
        assert_eq!((s.weeks, s.active_weeks), (3, 2));
        assert!((s.consistency_pct.unwrap() - 200.0 / 3.0).abs() < 1e-12);
        assert_eq!(s.sessions_per_week, Some(1.0));
        let counts: Vec<_> = s
            .weekly_counts
            .iter()
            .map(|w| (w.iso_week, w.sessions, w.partial))
            .collect();
        assert_eq!(counts, vec![(15, 2, false), (16, 0, false), (17, 1, false)]);
        assert_eq!(s.personal_records, 2);
        assert_eq!(
            s.best
                .max_normalized_power
                .as_ref()
                .map(|b| (b.workout_id, b.value)),
            Some((2, 250.0))
        );
        assert_eq!(s.best.longest.as_ref().map(|b| b.workout_id), Some(3));
        assert_eq!(s.best.max_power, None);
        // fastest: 35 km/h (ride 2) vs 30 km/h and 27.5 km/h
        let fastest = s.best.fastest_average_speed.unwrap();
        assert_eq!(fastest.workout_id, 2);
        assert!((fastest.value - 35_000.0 / 3600.0).abs() < 1e-12);
        // IF distribution: ride 1 given 0.8 (tempo), ride 2 250/250 = 1.0 (threshold), ride 3 unclassified
        assert_eq!(s.if_distribution.classified_sessions, 2);
        assert_eq!(s.if_distribution.unclassified_sessions, 1);
    }

    #[test]
    fn empty_summary_has_no_statistics() {
        let s = performance_summary(&[], &[], d(2026, 4, 8), d(2026, 4, 14), None);
        assert_eq!(s.sessions, 0);
        assert_eq!(
            (s.avg_hours, s.normalized_power, s.max_heart_rate),
            (None, None, None)
        );
        assert_eq!(s.best.longest, None);
        assert_eq!(
            (s.weeks, s.active_weeks, s.consistency_pct),
            (2, 0, Some(0.0))
        );
        assert!(s.weekly_counts.iter().all(|w| w.partial));
        assert_eq!(s.sessions_per_week, Some(0.0));
        let none = performance_summary(&[], &[], d(2026, 4, 8), d(2026, 4, 7), None);
        assert_eq!(
            (none.weeks, none.consistency_pct, none.sessions_per_week),
            (0, None, None)
        );
    }
}

/// Totals of a list of workouts: sessions, hours, metres and TSS.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Volume {
    pub sessions: usize,
    pub duration_h: f64,
    pub distance_m: f64,
    pub tss: f64,
}

/// Sums completed values (`totalTime`, `distance`, `tssActual`), or the
/// planned ones when `planned`. Missing and non-finite values count 0.
pub fn volume<'a>(workouts: impl IntoIterator<Item = &'a Workout>, planned: bool) -> Volume {
    let finite = |v: Option<f64>| v.filter(|x| x.is_finite()).unwrap_or(0.0);
    let mut v = Volume {
        sessions: 0,
        duration_h: 0.0,
        distance_m: 0.0,
        tss: 0.0,
    };
    for w in workouts {
        v.sessions += 1;
        if planned {
            v.duration_h += finite(w.total_time_planned);
            v.distance_m += finite(w.distance_planned);
            v.tss += finite(w.tss_planned);
        } else {
            v.duration_h += finite(w.total_time);
            v.distance_m += finite(w.distance);
            v.tss += finite(w.tss_actual);
        }
    }
    v
}

#[cfg(test)]
mod volume_tests {
    use super::*;

    #[test]
    fn sums_actual_or_planned_values_skipping_missing() {
        let ws = [
            Workout {
                total_time: Some(1.5),
                distance: Some(40_000.0),
                tss_actual: Some(80.0),
                tss_planned: Some(90.0),
                ..Default::default()
            },
            Workout {
                total_time: Some(0.5),
                distance: None,
                tss_actual: Some(f64::NAN),
                total_time_planned: Some(1.0),
                ..Default::default()
            },
        ];
        let done = volume(&ws, false);
        assert_eq!(
            (done.sessions, done.duration_h, done.distance_m, done.tss),
            (2, 2.0, 40_000.0, 80.0)
        );
        let plan = volume(&ws, true);
        assert_eq!(
            (plan.duration_h, plan.distance_m, plan.tss),
            (1.0, 0.0, 90.0)
        );
    }
}

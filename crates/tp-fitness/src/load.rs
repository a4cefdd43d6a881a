//! Training-load summary: weekly and monthly totals, averages, training
//! days, TSS per hour, Foster monotony and strain.
//!
//! Weeks are ISO weeks (Monday–Sunday) and months calendar months. A week or
//! month the window only partly covers is flagged `partial`, and the
//! "per full week" averages leave partial weeks out: counting a 3-day stub as
//! a week is what biases the reference server's weekly averages low.
//!
//! Only completed workouts count ([`Workout::is_completed`]); planned TSS is
//! ignored here.

use crate::num::{clean_tss, per_positive, positive, ratio};
use crate::series::{add_days, monday_of, span_days};
use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use tp_model::Workout;

/// One ISO week's load (within the window).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct WeekLoad {
    pub iso_year: i32,
    pub iso_week: u32,
    pub monday: NaiveDate,
    /// How many of the week's 7 days fall inside the window.
    pub days_in_window: u32,
    /// True when the window covers fewer than all 7 days.
    pub partial: bool,
    pub tss: f64,
    pub hours: f64,
    pub sessions: u32,
    pub training_days: u32,
}

/// One calendar month's load (within the window).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct MonthLoad {
    pub year: i32,
    pub month: u32,
    /// How many of the month's days fall inside the window.
    pub days_in_window: u32,
    /// True when the window covers only part of the month.
    pub partial: bool,
    pub tss: f64,
    pub hours: f64,
    pub sessions: u32,
    pub training_days: u32,
}

/// Foster's training monotony and strain over a week of daily loads.
///
/// Foster (1998, "Monitoring training in athletes with reference to
/// overtraining syndrome", Med Sci Sports Exerc): monotony = mean daily load
/// ÷ its standard deviation (rest days count as 0; population SD over the 7
/// days here); strain = weekly load × monotony. Foster associated monotony
/// above about 2.0 with illness and overtraining; `high` flags that.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Monotony {
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub weekly_tss: f64,
    pub mean_daily_tss: f64,
    pub sd_daily_tss: f64,
    /// `None` when every day had the same load (SD 0: undefined).
    pub monotony: Option<f64>,
    pub strain: Option<f64>,
    /// Monotony above 2.0.
    pub high: bool,
}

/// The last 4 full weeks against the 4 full weeks before them (no overlap,
/// no partial weeks). The reference server's "load ramp" mixed partial weeks
/// and overlapping blocks; the real ramp rate (CTL/week) is in
/// [`crate::trend`].
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct BlockComparison {
    /// Monday of the first week of the recent block.
    pub recent_from: NaiveDate,
    /// Monday of the first week of the previous block.
    pub previous_from: NaiveDate,
    pub recent_avg_weekly_tss: f64,
    pub previous_avg_weekly_tss: f64,
    /// Percentage change; `None` when the previous block had no load.
    pub change_pct: Option<f64>,
}

/// The training-load summary of a window.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct LoadSummary {
    pub start: NaiveDate,
    pub end: NaiveDate,
    /// Calendar days in the window.
    pub days: u32,
    pub total_tss: f64,
    pub total_hours: f64,
    pub sessions: u32,
    /// Days with completed TSS > 0 or a completed workout.
    pub training_days: u32,
    pub rest_days: u32,
    pub avg_daily_tss: Option<f64>,
    /// Total TSS ÷ days × 7 (every day of the window counts).
    pub avg_weekly_tss: Option<f64>,
    /// Mean over full ISO weeks only; `None` when the window has none.
    pub avg_weekly_tss_full_weeks: Option<f64>,
    pub avg_weekly_hours_full_weeks: Option<f64>,
    pub full_weeks: u32,
    /// Total TSS ÷ total hours.
    pub tss_per_hour: Option<f64>,
    pub weeks: Vec<WeekLoad>,
    pub months: Vec<MonthLoad>,
    /// Over the last 7 days of the window; `None` when it is shorter.
    pub monotony: Option<Monotony>,
    /// `None` with fewer than 8 full weeks.
    pub block_comparison: Option<BlockComparison>,
}

#[derive(Debug, Clone, Copy, Default)]
struct DayAgg {
    tss: f64,
    hours: f64,
    sessions: u32,
}

impl DayAgg {
    fn trained(&self) -> bool {
        self.tss > 0.0 || self.sessions > 0
    }
}

/// Monotony and strain of daily loads (normally 7 days); `None` when `daily`
/// is empty. Non-finite loads count 0.
pub fn foster_monotony(start: NaiveDate, daily: &[f64]) -> Option<Monotony> {
    if daily.is_empty() {
        return None;
    }
    let n = daily.len() as f64;
    let total: f64 = daily.iter().map(|t| clean_tss(*t)).sum();
    let mean = total / n;
    let var = daily
        .iter()
        .map(|t| (clean_tss(*t) - mean).powi(2))
        .sum::<f64>()
        / n;
    let sd = var.sqrt();
    // SD below a millionth of a TSS point is rounding noise: undefined.
    let monotony = if sd > 1e-6 { ratio(mean, sd) } else { None };
    let strain = monotony.and_then(|m| crate::num::finite(total * m));
    Some(Monotony {
        start,
        end: add_days(start, daily.len() - 1)?,
        weekly_tss: total,
        mean_daily_tss: mean,
        sd_daily_tss: sd,
        monotony,
        strain,
        high: monotony.is_some_and(|m| m > 2.0),
    })
}

/// Summarises the completed workouts between `start` and `end` (inclusive).
///
/// Workouts outside the window, without a day, or not completed are
/// ignored. An empty window (`end < start`) gives zero totals and no weeks.
pub fn training_load_summary(
    workouts: &[Workout],
    start: NaiveDate,
    end: NaiveDate,
) -> LoadSummary {
    let n = span_days(start, end);
    let mut days = vec![DayAgg::default(); n];
    for w in workouts.iter().filter(|w| w.is_completed()) {
        let Some(day) = w.workout_day else { continue };
        let i = day.signed_duration_since(start).num_days();
        if i < 0 || i as usize >= n {
            continue;
        }
        let agg = &mut days[i as usize];
        agg.tss = clean_tss(agg.tss + clean_tss(w.tss_actual.unwrap_or(0.0)));
        agg.hours += positive(w.total_time).unwrap_or(0.0).min(1e6);
        agg.sessions += 1;
    }

    let mut weeks: Vec<WeekLoad> = Vec::new();
    let mut months: Vec<MonthLoad> = Vec::new();
    for (date, agg) in start.iter_days().zip(&days) {
        let monday = monday_of(date);
        if weeks.last().is_none_or(|w| w.monday != monday) {
            let iso = date.iso_week();
            weeks.push(WeekLoad {
                iso_year: iso.year(),
                iso_week: iso.week(),
                monday,
                days_in_window: 0,
                partial: true,
                tss: 0.0,
                hours: 0.0,
                sessions: 0,
                training_days: 0,
            });
        }
        let week = weeks.last_mut().expect("pushed above");
        week.days_in_window += 1;
        week.tss += agg.tss;
        week.hours += agg.hours;
        week.sessions += agg.sessions;
        week.training_days += u32::from(agg.trained());

        if months
            .last()
            .is_none_or(|m| (m.year, m.month) != (date.year(), date.month()))
        {
            months.push(MonthLoad {
                year: date.year(),
                month: date.month(),
                days_in_window: 0,
                partial: true,
                tss: 0.0,
                hours: 0.0,
                sessions: 0,
                training_days: 0,
            });
        }
        let month = months.last_mut().expect("pushed above");
        month.days_in_window += 1;
        month.tss += agg.tss;
        month.hours += agg.hours;
        month.sessions += agg.sessions;
        month.training_days += u32::from(agg.trained());
    }
    for w in &mut weeks {
        w.partial = w.days_in_window < 7;
    }
    for m in &mut months {
        m.partial = m.days_in_window < days_in_month(m.year, m.month);
    }

    let total_tss: f64 = days.iter().map(|d| d.tss).sum();
    let total_hours: f64 = days.iter().map(|d| d.hours).sum();
    let sessions: u32 = days.iter().map(|d| d.sessions).sum();
    let training_days = days.iter().filter(|d| d.trained()).count() as u32;
    let full: Vec<&WeekLoad> = weeks.iter().filter(|w| !w.partial).collect();
    let full_weeks = full.len() as u32;
    let avg_daily_tss = ratio(total_tss, n as f64);

    let monotony = if n >= 7 {
        let last7: Vec<f64> = days[n - 7..].iter().map(|d| d.tss).collect();
        add_days(start, n - 7).and_then(|from| foster_monotony(from, &last7))
    } else {
        None
    };

    let block_comparison = (full.len() >= 8).then(|| {
        let recent = &full[full.len() - 4..];
        let previous = &full[full.len() - 8..full.len() - 4];
        let avg = |ws: &[&WeekLoad]| ws.iter().map(|w| w.tss).sum::<f64>() / 4.0;
        let (r, p) = (avg(recent), avg(previous));
        BlockComparison {
            recent_from: recent[0].monday,
            previous_from: previous[0].monday,
            recent_avg_weekly_tss: r,
            previous_avg_weekly_tss: p,
            change_pct: per_positive(r - p, p).map(|x| x * 100.0),
        }
    });

    LoadSummary {
        start,
        end,
        days: n as u32,
        total_tss,
        total_hours,
        sessions,
        training_days,
        rest_days: n as u32 - training_days,
        avg_daily_tss,
        avg_weekly_tss: avg_daily_tss.map(|a| a * 7.0),
        avg_weekly_tss_full_weeks: ratio(full.iter().map(|w| w.tss).sum(), full.len() as f64),
        avg_weekly_hours_full_weeks: ratio(full.iter().map(|w| w.hours).sum(), full.len() as f64),
        full_weeks,
        tss_per_hour: per_positive(total_tss, total_hours),
        weeks,
        months,
        monotony,
        block_comparison,
    }
}

/// Days in a calendar month.
pub(crate) fn days_in_month(year: i32, month: u32) -> u32 {
    let first = NaiveDate::from_ymd_opt(year, month, 1);
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    };
    match (first, next) {
        (Some(a), Some(b)) => b.signed_duration_since(a).num_days() as u32,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn done(day: NaiveDate, tss: Option<f64>, hours: f64) -> Workout {
        Workout {
            workout_id: 1,
            workout_day: Some(day),
            completed: Some(true),
            tss_actual: tss,
            total_time: Some(hours),
            ..Workout::default()
        }
    }

    #[test]
    fn weeks_months_and_partial_flags() {
        // Window Thu 2026-01-29 … Tue 2026-02-17: weeks 5 (Thu–Sun, partial),
        // 6 and 7 (full), 8 (Mon–Tue, partial); months Jan (3 days, partial), Feb (17, partial).
        let ws = vec![
            done(d(2026, 1, 29), Some(50.0), 1.0),
            done(d(2026, 2, 2), Some(100.0), 2.0),
            done(d(2026, 2, 2), Some(20.0), 0.5),
            done(d(2026, 2, 4), None, 1.0), // strength: a training day without TSS
            done(d(2026, 2, 10), Some(80.0), 1.5),
            done(d(2026, 2, 17), Some(60.0), 1.0),
            done(d(2026, 2, 18), Some(999.0), 9.0), // outside
            Workout {
                workout_day: Some(d(2026, 2, 3)),
                tss_planned: Some(70.0),
                completed: Some(false),
                ..Workout::default()
            },
        ];
        let s = training_load_summary(&ws, d(2026, 1, 29), d(2026, 2, 17));
        assert_eq!(s.days, 20);
        assert_eq!(s.total_tss, 310.0);
        assert_eq!(s.total_hours, 7.0);
        assert_eq!(s.sessions, 6);
        assert_eq!(s.training_days, 5);
        assert_eq!(s.rest_days, 15);
        let summary: Vec<_> = s
            .weeks
            .iter()
            .map(|w| {
                (
                    w.iso_week,
                    w.days_in_window,
                    w.partial,
                    w.tss,
                    w.sessions,
                    w.training_days,
                )
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                (5, 4, true, 50.0, 1, 1),
                (6, 7, false, 120.0, 3, 2),
                (7, 7, false, 80.0, 1, 1),
                (8, 2, true, 60.0, 1, 1)
            ]
        );
        assert_eq!(s.weeks[1].monday, d(2026, 2, 2));
        assert_eq!(s.full_weeks, 2);
        assert_eq!(s.avg_weekly_tss_full_weeks, Some(100.0));
        // week 6: 2 + 0.5 + 1 (strength) hours; week 7: 1.5
        assert_eq!(s.avg_weekly_hours_full_weeks, Some((3.5 + 1.5) / 2.0));
        assert_eq!(s.avg_daily_tss, Some(15.5));
        assert_eq!(s.avg_weekly_tss, Some(108.5));
        assert_eq!(s.tss_per_hour, Some(310.0 / 7.0));
        let months: Vec<_> = s
            .months
            .iter()
            .map(|m| (m.month, m.days_in_window, m.partial, m.tss))
            .collect();
        assert_eq!(months, vec![(1, 3, true, 50.0), (2, 17, true, 260.0)]);
        assert!(s.block_comparison.is_none());
    }

    #[test]
    fn iso_weeks_across_the_new_year() {
        // 2026-12-28 is the Monday of ISO week 53 of 2026; 2027-01-04 starts week 1 of 2027.
        let s = training_load_summary(&[], d(2026, 12, 28), d(2027, 1, 10));
        let weeks: Vec<_> = s
            .weeks
            .iter()
            .map(|w| (w.iso_year, w.iso_week, w.partial))
            .collect();
        assert_eq!(weeks, vec![(2026, 53, false), (2027, 1, false)]);
        assert_eq!(s.months.len(), 2);
        assert_eq!(s.tss_per_hour, None);
        assert_eq!(s.total_tss, 0.0);
    }

    /// Daily loads [100, 0, 50, 0, 100, 0, 50]: total 300, mean 300/7 = 42.857…,
    /// deviations² sum = 2·(57.143)² + 2·(7.143)² + 3·(42.857)² = 6530.61 + 102.04 + 5510.20 = 12142.86,
    /// SD = √(12142.86/7) = 41.650…, monotony = 42.857/41.650 = 1.0290, strain = 300·1.0290 = 308.7.
    #[test]
    fn foster_monotony_by_hand() {
        let m = foster_monotony(d(2026, 3, 2), &[100.0, 0.0, 50.0, 0.0, 100.0, 0.0, 50.0]).unwrap();
        assert_eq!(m.end, d(2026, 3, 8));
        assert_eq!(m.weekly_tss, 300.0);
        assert!((m.sd_daily_tss - 41.649_656).abs() < 1e-5);
        assert!((m.monotony.unwrap() - 1.028_992).abs() < 1e-5);
        assert!((m.strain.unwrap() - 308.697_6).abs() < 1e-3);
        assert!(!m.high);
        let flat = foster_monotony(d(2026, 3, 2), &[60.0; 7]).unwrap();
        assert_eq!((flat.monotony, flat.strain, flat.high), (None, None, false));
        // six hard days and one easy one: monotony > 2
        let grind =
            foster_monotony(d(2026, 3, 2), &[80.0, 80.0, 80.0, 80.0, 80.0, 80.0, 40.0]).unwrap();
        assert!(grind.high);
        assert_eq!(foster_monotony(d(2026, 3, 2), &[]), None);
    }

    #[test]
    fn block_comparison_uses_eight_full_weeks_without_overlap() {
        // Mondays from 2026-01-05: 4 weeks with one 100-TSS ride, then 4 with one 150-TSS ride.
        let mut ws = Vec::new();
        for week in 0..8u64 {
            let tss = if week < 4 { 100.0 } else { 150.0 };
            ws.push(done(
                d(2026, 1, 5) + chrono::Days::new(7 * week),
                Some(tss),
                2.0,
            ));
        }
        // a partial week before and after must not be used
        ws.push(done(d(2026, 1, 3), Some(1000.0), 5.0));
        ws.push(done(d(2026, 3, 2), Some(1000.0), 5.0));
        let s = training_load_summary(&ws, d(2026, 1, 1), d(2026, 3, 3));
        let b = s.block_comparison.unwrap();
        assert_eq!(b.previous_from, d(2026, 1, 5));
        assert_eq!(b.recent_from, d(2026, 2, 2));
        assert_eq!(b.previous_avg_weekly_tss, 100.0);
        assert_eq!(b.recent_avg_weekly_tss, 150.0);
        assert_eq!(b.change_pct, Some(50.0));
        assert_eq!(s.avg_weekly_tss_full_weeks, Some(125.0));
        // the last 7 days (02-25 … 03-03) hold only the 1000 on 03-02 (the last
        // Monday ride, 02-23, is before them)
        let m = s.monotony.unwrap();
        assert_eq!(
            (m.start, m.end, m.weekly_tss),
            (d(2026, 2, 25), d(2026, 3, 3), 1000.0)
        );
    }

    #[test]
    fn empty_window() {
        let s = training_load_summary(&[], d(2026, 3, 2), d(2026, 3, 1));
        assert_eq!(s.days, 0);
        assert!(s.weeks.is_empty() && s.months.is_empty());
        assert_eq!(
            (s.avg_daily_tss, s.avg_weekly_tss_full_weeks, s.monotony),
            (None, None, None)
        );
    }
}

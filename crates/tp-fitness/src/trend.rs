//! Fitness trend over a window of the PMC.
//!
//! Changes are looked up **by date** (CTL on `as_of` minus CTL on
//! `as_of − 7`/`− 30`), never by counting rows back, and a CTL of 0.0 is a
//! value like any other. The series should be computed from the athlete's
//! whole history ([`crate::pmc`]); the window only chooses which days to
//! report, so look-backs may reach before it.

use crate::form::{FormLabel, RampLevel, ramp_warning};
use crate::pmc::FitnessSeries;
use chrono::NaiveDate;
use serde::Serialize;

/// Which way fitness is heading, from the 7-day CTL change (the ramp rate).
///
/// Rule: **building** when CTL rose by more than 1 point over the last 7
/// days, **detraining** when it fell by more than 1 point, **maintaining**
/// otherwise (±1 CTL/week is ±~4 a month — small next to the 5–8/week that
/// coaches call a hard build).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Building,
    Maintaining,
    Detraining,
}

/// The rule of [`Direction`] as one sentence, for answers.
pub const DIRECTION_RULE: &str = "building when CTL rose more than 1 point over the last 7 days, \
     detraining when it fell more than 1 point, maintaining otherwise";

/// The CTL change per 7 days beyond which fitness is building or detraining.
pub const DIRECTION_THRESHOLD: f64 = 1.0;

impl Direction {
    /// The direction for a 7-day CTL change (non-finite reads as maintaining).
    pub fn from_ctl_change_7d(change: f64) -> Direction {
        if change > DIRECTION_THRESHOLD {
            Direction::Building
        } else if change < -DIRECTION_THRESHOLD {
            Direction::Detraining
        } else {
            Direction::Maintaining
        }
    }
}

/// A value and the day it occurred.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, schemars::JsonSchema)]
pub struct DatedValue {
    pub date: NaiveDate,
    pub value: f64,
}

/// The trend of fitness, fatigue and form over a window.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Trend {
    /// First day of the window the series covers.
    pub start: NaiveDate,
    /// Last day of the window the series covers; the "current" values are this day's.
    pub as_of: NaiveDate,
    pub ctl: f64,
    pub atl: f64,
    pub tsb: f64,
    pub form: FormLabel,
    /// CTL(as_of) − CTL(as_of − 7): the ramp rate. `None` when the series
    /// does not reach back that far.
    pub ctl_change_7d: Option<f64>,
    /// CTL(as_of) − CTL(as_of − 30).
    pub ctl_change_30d: Option<f64>,
    /// ATL(as_of) − ATL(as_of − 7).
    pub atl_change_7d: Option<f64>,
    /// TSB(as_of) − TSB(as_of − 7).
    pub tsb_change_7d: Option<f64>,
    pub ramp_level: Option<RampLevel>,
    /// `None` when the 7-day change is unknown.
    pub direction: Option<Direction>,
    /// Highest CTL in the window (the earliest day if tied).
    pub peak_fitness: DatedValue,
    /// Lowest TSB in the window (the earliest day if tied).
    pub deepest_fatigue: DatedValue,
    /// Highest TSB in the window.
    pub freshest: DatedValue,
    /// e.g. "TrainingPeaks (step 1/T), CTL 42 d, ATL 7 d".
    pub convention: String,
}

/// The trend over the days of `series` between `start` and `end` (inclusive).
/// `None` when the series has no day in that window.
pub fn fitness_trend(series: &FitnessSeries, start: NaiveDate, end: NaiveDate) -> Option<Trend> {
    let window = series.window(start, end);
    let (first, last) = (window.first()?, window.last()?);
    let mut peak = DatedValue {
        date: first.date,
        value: first.ctl,
    };
    let mut deepest = DatedValue {
        date: first.date,
        value: first.tsb,
    };
    let mut freshest = deepest;
    for day in window {
        if day.ctl > peak.value {
            peak = DatedValue {
                date: day.date,
                value: day.ctl,
            };
        }
        if day.tsb < deepest.value {
            deepest = DatedValue {
                date: day.date,
                value: day.tsb,
            };
        }
        if day.tsb > freshest.value {
            freshest = DatedValue {
                date: day.date,
                value: day.tsb,
            };
        }
    }
    let as_of = last.date;
    let ctl_change_7d = series.ctl_change(as_of, 7);
    let tsb_change_7d = as_of
        .checked_sub_days(chrono::Days::new(7))
        .and_then(|d| series.on(d))
        .map(|then| last.tsb - then.tsb);
    Some(Trend {
        start: first.date,
        as_of,
        ctl: last.ctl,
        atl: last.atl,
        tsb: last.tsb,
        form: FormLabel::from_tsb(last.tsb),
        ctl_change_7d,
        ctl_change_30d: series.ctl_change(as_of, 30),
        atl_change_7d: series.atl_change(as_of, 7),
        tsb_change_7d,
        ramp_level: ctl_change_7d.map(ramp_warning),
        direction: ctl_change_7d.map(Direction::from_ctl_change_7d),
        peak_fitness: peak,
        deepest_fatigue: deepest,
        freshest,
        convention: series.describe(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pmc::PmcParams;
    use crate::series::LoadSeries;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn changes_are_by_date_and_extremes_are_found() {
        // 40 days at 60, 14 days off, 20 days at 100 (74 days from 2026-01-01).
        let mut tss = vec![60.0; 40];
        tss.extend([0.0; 14]);
        tss.extend([100.0; 20]);
        let s = FitnessSeries::compute(
            &LoadSeries::from_daily(d(2026, 1, 1), tss),
            &PmcParams::default(),
        );
        let last = *s.last().unwrap();
        let t = fitness_trend(&s, d(2026, 2, 1), d(2026, 12, 31)).unwrap();
        assert_eq!(t.start, d(2026, 2, 1));
        assert_eq!(t.as_of, last.date);
        assert_eq!(t.as_of, d(2026, 3, 15));
        let ctl_on = |date| s.on(date).unwrap().ctl;
        assert_eq!(t.ctl_change_7d, Some(last.ctl - ctl_on(d(2026, 3, 8))));
        assert_eq!(t.ctl_change_30d, Some(last.ctl - ctl_on(d(2026, 2, 13))));
        assert_eq!(t.direction, Some(Direction::Building));
        // the peak CTL in the window is the last day (20 days at 100 after a break)
        assert_eq!(t.peak_fitness.date, d(2026, 3, 15));
        // deepest fatigue: TSB is lowest during the 100-TSS block
        let min_tsb = s
            .window(d(2026, 2, 1), d(2026, 3, 15))
            .iter()
            .map(|x| x.tsb)
            .fold(f64::INFINITY, f64::min);
        assert_eq!(t.deepest_fatigue.value, min_tsb);
        assert!(t.deepest_fatigue.date > d(2026, 2, 23));
        // freshest: the end of the 14-day break (TSB of day 2026-02-24, after 02-10…02-23 off)
        assert_eq!(t.freshest.date, d(2026, 2, 24));
    }

    #[test]
    fn zero_ctl_is_a_value_and_short_series_have_no_change() {
        // 10 rest days: CTL is 0.0 throughout, which is a real 0 change.
        let s = FitnessSeries::compute(
            &LoadSeries::from_daily(d(2026, 1, 1), vec![0.0; 10]),
            &PmcParams::default(),
        );
        let t = fitness_trend(&s, d(2026, 1, 1), d(2026, 1, 10)).unwrap();
        assert_eq!(t.ctl_change_7d, Some(0.0));
        assert_eq!(t.direction, Some(Direction::Maintaining));
        assert_eq!(t.ctl_change_30d, None);
        assert!(fitness_trend(&s, d(2027, 1, 1), d(2027, 2, 1)).is_none());
    }

    #[test]
    fn detraining_after_a_break() {
        let mut tss = vec![80.0; 100];
        tss.extend([0.0; 10]);
        let s = FitnessSeries::compute(
            &LoadSeries::from_daily(d(2026, 1, 1), tss),
            &PmcParams::default(),
        );
        let t = fitness_trend(&s, d(2026, 1, 1), d(2026, 12, 31)).unwrap();
        assert_eq!(t.direction, Some(Direction::Detraining));
        assert_eq!(t.peak_fitness.date, d(2026, 4, 10)); // day 100
        assert_eq!(Direction::from_ctl_change_7d(1.0), Direction::Maintaining);
        assert_eq!(Direction::from_ctl_change_7d(-1.01), Direction::Detraining);
    }
}

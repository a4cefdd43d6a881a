//! CTL/ATL/TSB projected forward from the planned calendar.
//!
//! Starting from the last day of a [`FitnessSeries`], each future day's load
//! is the planned TSS for that day when the calendar has a plan, and the
//! average daily TSS of the last 28 days of the series **only** on days with
//! nothing planned. Every projected day records which one it used
//! ([`ProjectionSource`]). The recurrence and convention are the history's
//! own ([`crate::pmc`]), so history and projection never mix conventions (a
//! flaw of the reference server, which also ignored the plan and always
//! projected a flat 7-day average for exactly 7 days).

use crate::form::FormLabel;
use crate::num::{clean_tss, ratio};
use crate::pmc::FitnessSeries;
use crate::series::{LoadSeries, add_days};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;

/// The longest projection, in days.
pub const MAX_HORIZON_DAYS: u32 = 180;

/// How many past days the fallback averages.
pub const FALLBACK_DAYS: usize = 28;

/// Why a projection could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProjectionError {
    #[error(
        "the projection horizon must be 1 to {MAX_HORIZON_DAYS} days ({MAX_LONG_HORIZON_DAYS} for plans), got {0}"
    )]
    Horizon(u32),
    #[error("there is no fitness history to project from")]
    EmptySeries,
}

/// Where a projected day's TSS came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProjectionSource {
    /// The planned TSS of that day's planned workouts.
    Planned,
    /// Nothing planned: the average daily TSS of the recent past.
    Fallback,
}

/// One projected day.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ProjectedDay {
    pub date: NaiveDate,
    /// The TSS used for the day.
    pub tss: f64,
    pub source: ProjectionSource,
    pub ctl: f64,
    pub atl: f64,
    /// Form coming into the day (yesterday's CTL − ATL), as in history.
    pub tsb: f64,
    pub form: FormLabel,
}

/// A projection of the PMC.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Projection {
    /// The last day of history the projection starts from.
    pub from_date: NaiveDate,
    pub start_ctl: f64,
    pub start_atl: f64,
    pub horizon_days: u32,
    /// The TSS used on unplanned days.
    pub fallback_daily_tss: f64,
    /// How many past days that average covers (28, fewer for a short history).
    pub fallback_basis_days: u32,
    pub planned_days: u32,
    pub fallback_days: u32,
    pub days: Vec<ProjectedDay>,
    /// e.g. "TrainingPeaks (step 1/T), CTL 42 d, ATL 7 d".
    pub convention: String,
}

impl Projection {
    /// The last projected day.
    pub fn last(&self) -> Option<&ProjectedDay> {
        self.days.last()
    }

    /// The projected day with this date.
    pub fn on(&self, date: NaiveDate) -> Option<&ProjectedDay> {
        self.days.iter().find(|d| d.date == date)
    }
}

/// Projects `horizon_days` (1..=180) days past the end of `series`.
///
/// `plan` lists planned TSS by date; several entries on one date are summed,
/// and an entry — even of 0 TSS (a planned rest day, or a session without a
/// TSS target) — makes that day `Planned`. Entries on or before the last day
/// of history, and non-finite values, are ignored. Days without an entry use
/// the mean completed TSS of the last 28 days of the series (fewer when the
/// series is shorter).
pub fn project(
    series: &FitnessSeries,
    plan: &[(NaiveDate, f64)],
    horizon_days: u32,
) -> Result<Projection, ProjectionError> {
    if horizon_days == 0 || horizon_days > MAX_HORIZON_DAYS {
        return Err(ProjectionError::Horizon(horizon_days));
    }
    project_days(series, plan, horizon_days)
}

/// The longest path [`project_long`] computes: a year and a day (race plans
/// and what-if questions reach that far; the calendar projection stops at
/// [`MAX_HORIZON_DAYS`]).
pub const MAX_LONG_HORIZON_DAYS: u32 = 366;

/// [`project`] for up to [`MAX_LONG_HORIZON_DAYS`] days: the race planner's
/// "as planned" path and `tp_what_if`'s hypothetical one.
pub fn project_long(
    series: &FitnessSeries,
    plan: &[(NaiveDate, f64)],
    horizon_days: u32,
) -> Result<Projection, ProjectionError> {
    if horizon_days == 0 || horizon_days > MAX_LONG_HORIZON_DAYS {
        return Err(ProjectionError::Horizon(horizon_days));
    }
    project_days(series, plan, horizon_days)
}

fn project_days(
    series: &FitnessSeries,
    plan: &[(NaiveDate, f64)],
    horizon_days: u32,
) -> Result<Projection, ProjectionError> {
    let last = series.last().ok_or(ProjectionError::EmptySeries)?;
    let basis = series.days.len().min(FALLBACK_DAYS);
    let recent = &series.days[series.days.len() - basis..];
    let fallback = ratio(recent.iter().map(|d| d.tss).sum(), basis as f64).unwrap_or(0.0);

    let mut planned: BTreeMap<NaiveDate, f64> = BTreeMap::new();
    for &(date, tss) in plan {
        if date > last.date && tss.is_finite() {
            let e = planned.entry(date).or_insert(0.0);
            *e = clean_tss(*e + clean_tss(tss));
        }
    }

    let params = &series.params;
    let (mut ctl, mut atl) = (last.ctl, last.atl);
    let mut days = Vec::with_capacity(horizon_days as usize);
    for i in 1..=horizon_days as usize {
        let Some(date) = add_days(last.date, i) else {
            break;
        };
        let (tss, source) = match planned.get(&date) {
            Some(&t) => (t, ProjectionSource::Planned),
            None => (fallback, ProjectionSource::Fallback),
        };
        let tsb = ctl - atl;
        (ctl, atl) = params.step(ctl, atl, tss);
        days.push(ProjectedDay {
            date,
            tss,
            source,
            ctl,
            atl,
            tsb,
            form: FormLabel::from_tsb(tsb),
        });
    }
    let planned_days = days
        .iter()
        .filter(|d| d.source == ProjectionSource::Planned)
        .count() as u32;
    Ok(Projection {
        from_date: last.date,
        start_ctl: last.ctl,
        start_atl: last.atl,
        horizon_days,
        fallback_daily_tss: fallback,
        fallback_basis_days: basis as u32,
        planned_days,
        fallback_days: days.len() as u32 - planned_days,
        days,
        convention: series.describe(),
    })
}

/// Like [`project`], with the plan taken from a [`LoadSeries`]' `planned`
/// values: there a day counts as planned when its planned TSS is above 0
/// (the series cannot tell a planned 0 from nothing planned).
pub fn project_from_loads(
    series: &FitnessSeries,
    loads: &LoadSeries,
    horizon_days: u32,
) -> Result<Projection, ProjectionError> {
    let after = series.last().ok_or(ProjectionError::EmptySeries)?.date;
    project(series, &loads.planned_after(after), horizon_days)
}

/// The plan from workouts: every workout that is not completed, has a day
/// and carries a plan ([`Workout::has_plan`](tp_model::Workout::has_plan)),
/// with its `tssPlanned` (0 when it has none).
pub fn plan_from_workouts(workouts: &[tp_model::Workout]) -> Vec<(NaiveDate, f64)> {
    workouts
        .iter()
        .filter(|w| !w.is_completed() && w.has_plan())
        .filter_map(|w| Some((w.workout_day?, clean_tss(w.tss_planned.unwrap_or(0.0)))))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pmc::{Convention, PmcParams};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn horizon_is_checked() {
        let s = FitnessSeries::compute(
            &LoadSeries::from_daily(d(2026, 1, 1), vec![50.0]),
            &PmcParams::default(),
        );
        assert_eq!(project(&s, &[], 0), Err(ProjectionError::Horizon(0)));
        assert_eq!(project(&s, &[], 181), Err(ProjectionError::Horizon(181)));
        assert_eq!(project(&s, &[], 180).unwrap().days.len(), 180);
        let empty = FitnessSeries::compute(
            &LoadSeries::from_daily(d(2026, 1, 1), vec![]),
            &PmcParams::default(),
        );
        assert_eq!(project(&empty, &[], 7), Err(ProjectionError::EmptySeries));
    }

    /// History: 28 days at 70 → fallback 70. Plan: 100 on day +1, 0 (rest) on
    /// day +2, 60 + 40 on day +4; day +3 has nothing → fallback 70.
    #[test]
    fn planned_days_use_the_plan_and_others_the_fallback() {
        let mut tss = vec![0.0; 10];
        tss.extend([70.0; 28]);
        let loads = LoadSeries::from_daily(d(2026, 1, 1), tss);
        let s = FitnessSeries::compute(
            &loads,
            &PmcParams {
                convention: Convention::Exponential,
                ..PmcParams::default()
            },
        );
        let last = *s.last().unwrap();
        assert_eq!(last.date, d(2026, 2, 7));
        let plan = [
            (d(2026, 2, 8), 100.0),
            (d(2026, 2, 9), 0.0),
            (d(2026, 2, 11), 60.0),
            (d(2026, 2, 11), 40.0),
            (d(2026, 2, 7), 500.0),     // history: ignored
            (d(2026, 2, 12), f64::NAN), // ignored → fallback
        ];
        let p = project(&s, &plan, 5).unwrap();
        assert_eq!(p.fallback_daily_tss, 70.0);
        assert_eq!(p.fallback_basis_days, 28);
        let used: Vec<_> = p.days.iter().map(|x| (x.tss, x.source)).collect();
        use ProjectionSource::*;
        assert_eq!(
            used,
            vec![
                (100.0, Planned),
                (0.0, Planned),
                (70.0, Fallback),
                (100.0, Planned),
                (70.0, Fallback)
            ]
        );
        assert_eq!((p.planned_days, p.fallback_days), (3, 2));
        // each day by the recurrence, in the history's (exponential) convention
        let (kc, ka) = (1.0 - (-1.0f64 / 42.0).exp(), 1.0 - (-1.0f64 / 7.0).exp());
        let (mut ctl, mut atl) = (last.ctl, last.atl);
        for day in &p.days {
            assert!((day.tsb - (ctl - atl)).abs() < 1e-12);
            ctl += (day.tss - ctl) * kc;
            atl += (day.tss - atl) * ka;
            assert!((day.ctl - ctl).abs() < 1e-12 && (day.atl - atl).abs() < 1e-12);
        }
        assert_eq!(p.days[0].date, d(2026, 2, 8));
        assert_eq!(p.on(d(2026, 2, 10)).unwrap().source, Fallback);
    }

    #[test]
    fn from_loads_and_workouts() {
        // history 2026-03-01..03-05 at 40; a planned 90 on 03-07 in the load
        // series: 03-06 is an empty day inside the plan (a rest day, 0 TSS),
        // 03-08 is past the plan (the 40 TSS/day average)
        let mut loads =
            LoadSeries::from_daily(d(2026, 3, 1), vec![40.0, 40.0, 40.0, 40.0, 40.0, 0.0, 0.0]);
        loads.planned[6] = 90.0;
        let history = LoadSeries::from_daily(d(2026, 3, 1), loads.actual[..5].to_vec());
        let s = FitnessSeries::compute(&history, &PmcParams::default());
        let p = project_from_loads(&s, &loads, 3).unwrap();
        let used: Vec<_> = p.days.iter().map(|x| (x.date, x.tss, x.source)).collect();
        assert_eq!(
            used,
            vec![
                (d(2026, 3, 6), 0.0, ProjectionSource::Planned),
                (d(2026, 3, 7), 90.0, ProjectionSource::Planned),
                (d(2026, 3, 8), 40.0, ProjectionSource::Fallback),
            ]
        );
        assert_eq!(p.fallback_basis_days, 5);

        let ws = [
            tp_model::Workout {
                workout_day: Some(d(2026, 3, 9)),
                completed: Some(false),
                tss_planned: None,
                total_time_planned: Some(1.0),
                ..Default::default()
            },
            tp_model::Workout {
                workout_day: Some(d(2026, 3, 10)),
                completed: Some(false),
                tss_planned: Some(75.0),
                ..Default::default()
            },
            tp_model::Workout {
                workout_day: Some(d(2026, 3, 4)),
                completed: Some(true),
                tss_planned: Some(75.0),
                tss_actual: Some(70.0),
                ..Default::default()
            },
            tp_model::Workout {
                workout_day: Some(d(2026, 3, 11)),
                completed: Some(false),
                ..Default::default()
            },
        ];
        assert_eq!(
            plan_from_workouts(&ws),
            vec![(d(2026, 3, 9), 0.0), (d(2026, 3, 10), 75.0)]
        );
    }
}

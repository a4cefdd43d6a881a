//! Daily training load: TSS per calendar day.
//!
//! The PMC runs on one number per calendar day, rest days included as 0
//! (pmc.md: "Daily load TSS(d) = sum of completed workouts' tssActual on
//! calendar day d (0 on rest days)"). A [`LoadSeries`] is that sequence,
//! contiguous from `start`, with the planned TSS of not-yet-done workouts kept
//! beside it for projections. Positions are always derived from dates, never
//! from counting rows, so a gap in the source data can't shift a look-back.

use crate::num::clean_tss;
use chrono::{Days, NaiveDate};
use serde::Serialize;
use tp_model::{FitnessDay, Workout};

/// The largest magnitude a single day's TSS is taken at (larger inputs are
/// clamped). Real days are below 1 000; the limit only keeps sums, squares
/// and products in later computations finite whatever the input.
pub const TSS_LIMIT: f64 = 1.0e15;

/// One calendar day's load.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, schemars::JsonSchema)]
pub struct DailyLoad {
    pub date: NaiveDate,
    /// Completed TSS that day (sum over workouts; 0 on a rest day).
    pub tss: f64,
    /// Planned TSS of workouts not (yet) completed that day.
    pub planned_tss: f64,
}

/// Completed and planned TSS for contiguous calendar days from `start`.
///
/// `actual[i]` and `planned[i]` belong to `start + i` days. `planned` may be
/// shorter than `actual` when built by hand; missing entries read as 0.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct LoadSeries {
    pub start: NaiveDate,
    pub actual: Vec<f64>,
    pub planned: Vec<f64>,
}

/// Number of calendar days in `start..=end` (0 when `end < start`).
pub(crate) fn span_days(start: NaiveDate, end: NaiveDate) -> usize {
    let n = end.signed_duration_since(start).num_days();
    if n < 0 { 0 } else { n as usize + 1 }
}

/// `date + n` days, `None` past chrono's calendar range.
pub(crate) fn add_days(date: NaiveDate, n: usize) -> Option<NaiveDate> {
    date.checked_add_days(Days::new(n as u64))
}

/// The Monday of `date`'s ISO week.
pub(crate) fn monday_of(date: NaiveDate) -> NaiveDate {
    use chrono::Datelike;
    date.checked_sub_days(Days::new(date.weekday().num_days_from_monday().into()))
        .unwrap_or(date)
}

impl LoadSeries {
    /// A series of completed TSS from `start`, with nothing planned.
    pub fn from_daily(start: NaiveDate, actual: Vec<f64>) -> LoadSeries {
        let planned = vec![0.0; actual.len()];
        LoadSeries {
            start,
            actual,
            planned,
        }
    }

    /// Daily load for `start..=end` from workouts.
    ///
    /// Completed workouts ([`Workout::is_completed`]) add their `tssActual`
    /// (missing counts 0) to their `workoutDay`; workouts not completed add
    /// their `tssPlanned` to the planned series instead. Workouts without a
    /// day or outside the range are ignored. Non-finite TSS counts 0. An
    /// empty range (`end < start`) gives an empty series.
    pub fn from_workouts(workouts: &[Workout], start: NaiveDate, end: NaiveDate) -> LoadSeries {
        let n = span_days(start, end);
        let mut series = LoadSeries {
            start,
            actual: vec![0.0; n],
            planned: vec![0.0; n],
        };
        for w in workouts {
            let Some(i) = w.workout_day.and_then(|d| series.index_of(d)) else {
                continue;
            };
            if w.is_completed() {
                series.actual[i] =
                    clean_tss(series.actual[i] + clean_tss(w.tss_actual.unwrap_or(0.0)));
            } else {
                series.planned[i] =
                    clean_tss(series.planned[i] + clean_tss(w.tss_planned.unwrap_or(0.0)));
            }
        }
        series
    }

    /// Daily load for `start..=end` from performance-data rows
    /// (`tssActual` → actual, `tssPlanned` → planned; several rows on one day
    /// are summed; missing days are rest days).
    ///
    /// TrainingPeaks' `tssPlanned` on a past day also counts workouts that
    /// were completed; only future days' planned values feed projections.
    pub fn from_fitness_days(days: &[FitnessDay], start: NaiveDate, end: NaiveDate) -> LoadSeries {
        let n = span_days(start, end);
        let mut series = LoadSeries {
            start,
            actual: vec![0.0; n],
            planned: vec![0.0; n],
        };
        for d in days {
            let Some(i) = d.workout_day.and_then(|day| series.index_of(day)) else {
                continue;
            };
            series.actual[i] = clean_tss(series.actual[i] + clean_tss(d.tss_actual.unwrap_or(0.0)));
            series.planned[i] =
                clean_tss(series.planned[i] + clean_tss(d.tss_planned.unwrap_or(0.0)));
        }
        series
    }

    /// The athlete's whole history up to `end`: from the earliest completed
    /// workout (or `end` itself when there is none) through `end`, as
    /// [`LoadSeries::from_workouts`]. Start the PMC here to match
    /// TrainingPeaks, which starts on the first day of the history.
    pub fn history(workouts: &[Workout], end: NaiveDate) -> LoadSeries {
        let start = workouts
            .iter()
            .filter(|w| w.is_completed())
            .filter_map(|w| w.workout_day)
            .filter(|d| *d <= end)
            .min()
            .unwrap_or(end);
        LoadSeries::from_workouts(workouts, start, end)
    }

    /// The earliest `workoutDay` of a completed workout: where the athlete's
    /// history (and so the PMC) should start.
    pub fn earliest_completed_day(workouts: &[Workout]) -> Option<NaiveDate> {
        workouts
            .iter()
            .filter(|w| w.is_completed())
            .filter_map(|w| w.workout_day)
            .min()
    }

    /// Number of days.
    pub fn len(&self) -> usize {
        self.actual.len()
    }

    /// True when the series has no days.
    pub fn is_empty(&self) -> bool {
        self.actual.is_empty()
    }

    /// The date of day `i`, `None` past the end.
    pub fn date_at(&self, i: usize) -> Option<NaiveDate> {
        if i < self.len() {
            add_days(self.start, i)
        } else {
            None
        }
    }

    /// The position of `date`, `None` outside the series.
    pub fn index_of(&self, date: NaiveDate) -> Option<usize> {
        let i = date.signed_duration_since(self.start).num_days();
        (i >= 0 && (i as usize) < self.len()).then_some(i as usize)
    }

    /// The last date, `None` when empty.
    pub fn end(&self) -> Option<NaiveDate> {
        self.len().checked_sub(1).and_then(|i| self.date_at(i))
    }

    /// Completed TSS on `date` (`None` outside the series).
    pub fn tss_on(&self, date: NaiveDate) -> Option<f64> {
        self.index_of(date).map(|i| self.actual[i])
    }

    /// Planned TSS on `date` (`None` outside the series).
    pub fn planned_on(&self, date: NaiveDate) -> Option<f64> {
        self.index_of(date)
            .map(|i| self.planned.get(i).copied().unwrap_or(0.0))
    }

    /// The first day with completed TSS above 0.
    pub fn first_training_day(&self) -> Option<NaiveDate> {
        self.actual
            .iter()
            .position(|t| *t > 0.0)
            .and_then(|i| self.date_at(i))
    }

    /// Day `i` as a [`DailyLoad`].
    pub fn day(&self, i: usize) -> Option<DailyLoad> {
        Some(DailyLoad {
            date: self.date_at(i)?,
            tss: self.actual[i],
            planned_tss: self.planned.get(i).copied().unwrap_or(0.0),
        })
    }

    /// Every day as a [`DailyLoad`].
    pub fn days(&self) -> impl Iterator<Item = DailyLoad> + '_ {
        (0..self.len()).map_while(|i| self.day(i))
    }

    /// The planned TSS of the days after `after`, as (date, TSS) pairs: the
    /// input of [`crate::projection::project`].
    ///
    /// The calendar's plan covers every day up to its last planned workout.
    /// Inside that span a day with nothing planned is a planned rest day
    /// (0 TSS) — coaches leave rest days empty — so it is listed with 0.
    /// Days after the last planned workout are not listed: nothing is known
    /// about them, and the projection falls back to the recent average there.
    pub fn planned_after(&self, after: NaiveDate) -> Vec<(NaiveDate, f64)> {
        let Some(last_planned) = self
            .days()
            .filter(|d| d.date > after && d.planned_tss > 0.0)
            .map(|d| d.date)
            .last()
        else {
            return Vec::new();
        };
        self.days()
            .filter(|d| d.date > after && d.date <= last_planned)
            .map(|d| (d.date, d.planned_tss))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn workout(
        day: NaiveDate,
        completed: bool,
        actual: Option<f64>,
        planned: Option<f64>,
    ) -> Workout {
        Workout {
            workout_id: 1,
            workout_day: Some(day),
            completed: Some(completed),
            tss_actual: actual,
            tss_planned: planned,
            ..Workout::default()
        }
    }

    #[test]
    fn workouts_are_summed_per_day_and_split_into_actual_and_planned() {
        let ws = [
            workout(d(2026, 3, 1), true, Some(50.0), Some(60.0)),
            workout(d(2026, 3, 1), true, Some(30.5), None),
            workout(d(2026, 3, 3), true, None, None), // completed, no TSS → 0
            workout(d(2026, 3, 4), false, None, Some(80.0)),
            workout(d(2026, 3, 4), false, None, Some(f64::NAN)),
            workout(d(2026, 2, 28), true, Some(999.0), None), // before range
            workout(d(2026, 3, 5), true, Some(999.0), None),  // after range
            Workout {
                workout_day: None,
                tss_actual: Some(5.0),
                ..Workout::default()
            },
        ];
        let s = LoadSeries::from_workouts(&ws, d(2026, 3, 1), d(2026, 3, 4));
        assert_eq!(s.actual, vec![80.5, 0.0, 0.0, 0.0]);
        assert_eq!(s.planned, vec![0.0, 0.0, 0.0, 80.0]);
        assert_eq!(s.len(), 4);
        assert_eq!(s.end(), Some(d(2026, 3, 4)));
        assert_eq!(s.first_training_day(), Some(d(2026, 3, 1)));
        // 03-02 and 03-03 lie inside the plan's span: planned rest days
        assert_eq!(
            s.planned_after(d(2026, 3, 1)),
            vec![
                (d(2026, 3, 2), 0.0),
                (d(2026, 3, 3), 0.0),
                (d(2026, 3, 4), 80.0)
            ]
        );
        assert_eq!(s.planned_after(d(2026, 3, 4)), vec![]);
        assert_eq!(
            LoadSeries::earliest_completed_day(&ws),
            Some(d(2026, 2, 28))
        );
        let h = LoadSeries::history(&ws, d(2026, 3, 4));
        assert_eq!((h.start, h.len()), (d(2026, 2, 28), 5));
        assert_eq!(h.actual, vec![999.0, 80.5, 0.0, 0.0, 0.0]);
        let none = LoadSeries::history(&[], d(2026, 3, 4));
        assert_eq!(
            (none.start, none.actual.clone()),
            (d(2026, 3, 4), vec![0.0])
        );
    }

    #[test]
    fn dates_and_indices_are_calendar_arithmetic() {
        let s = LoadSeries::from_daily(d(2024, 2, 27), vec![0.0, 0.0, 10.0, 0.0]);
        assert_eq!(s.date_at(2), Some(d(2024, 2, 29)));
        assert_eq!(s.date_at(3), Some(d(2024, 3, 1)));
        assert_eq!(s.date_at(4), None);
        assert_eq!(s.index_of(d(2024, 3, 1)), Some(3));
        assert_eq!(s.index_of(d(2024, 2, 26)), None);
        assert_eq!(s.index_of(d(2024, 3, 2)), None);
        assert_eq!(s.first_training_day(), Some(d(2024, 2, 29)));
        assert_eq!(s.tss_on(d(2024, 2, 29)), Some(10.0));
        assert_eq!(s.planned_on(d(2024, 2, 29)), Some(0.0));
    }

    #[test]
    fn reversed_range_is_empty() {
        let s = LoadSeries::from_workouts(&[], d(2026, 3, 2), d(2026, 3, 1));
        assert!(s.is_empty());
        assert_eq!(s.end(), None);
        assert_eq!(s.first_training_day(), None);
    }

    #[test]
    fn fitness_rows_fill_their_days() {
        let rows = [
            FitnessDay {
                workout_day: Some(d(2026, 1, 2)),
                tss_actual: Some(40.0),
                tss_planned: Some(45.0),
                ..FitnessDay::default()
            },
            FitnessDay {
                workout_day: Some(d(2026, 1, 2)),
                tss_actual: Some(10.0),
                tss_planned: None,
                ..FitnessDay::default()
            },
            FitnessDay {
                workout_day: Some(d(2026, 1, 3)),
                tss_actual: None,
                tss_planned: Some(70.0),
                ..FitnessDay::default()
            },
        ];
        let s = LoadSeries::from_fitness_days(&rows, d(2026, 1, 1), d(2026, 1, 3));
        assert_eq!(s.actual, vec![0.0, 50.0, 0.0]);
        assert_eq!(s.planned, vec![0.0, 45.0, 70.0]);
    }
}

//! What the chart window draws, assembled from `tp-mcp`'s data path and
//! `tp-fitness`' numbers — the very values the MCP tools answer with. This
//! module only lays them out in columns for the chart (one row per day);
//! it computes nothing. The race plan's columns (`opt_*`, `race`) are laid
//! out from the `tp_plan_race` tool's answer by [`crate::race_plan`].

use crate::state::Summary;
use chrono::{DateTime, Local, NaiveDate};
use serde::Serialize;
use tp_fitness::form::FormStatus;
use tp_fitness::projection::{Projection, project_from_loads};
use tp_mcp::data::FitnessHistory;

/// How far ahead the chart projects when nothing is planned.
pub const MIN_PROJECTION_DAYS: u32 = 14;

/// Days of planned calendar loaded with the history.
pub const PLAN_DAYS: u64 = tp_fitness::projection::MAX_HORIZON_DAYS as u64;

/// The chart's data: columns of equal length, one entry per day from the
/// first training day through the end of the projection (or race day, when
/// that is later). `None` where a series has no value (history after today,
/// projection before today, the optimised path outside today … race day).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChartData {
    pub athlete: String,
    pub demo: bool,
    /// `YYYY-MM-DD` of every row.
    pub dates: Vec<NaiveDate>,
    /// The row of today.
    pub today_index: usize,
    pub today: NaiveDate,
    /// Completed TSS, through today.
    pub tss: Vec<Option<f64>>,
    /// Planned TSS of the days after today.
    pub planned_tss: Vec<Option<f64>>,
    pub ctl: Vec<Option<f64>>,
    pub atl: Vec<Option<f64>>,
    pub tsb: Vec<Option<f64>>,
    /// The projection, starting at today's values so the dashed lines
    /// continue the solid ones.
    pub proj_ctl: Vec<Option<f64>>,
    pub proj_atl: Vec<Option<f64>>,
    pub proj_tsb: Vec<Option<f64>>,
    /// The race plan's optimised path (`tp_plan_race`): CTL at the end of
    /// each day through the day before the race, TSB (form coming into the
    /// day) through race day, the TSS of each day; starting at today's
    /// values so the dotted lines continue the solid ones.
    pub opt_ctl: Vec<Option<f64>>,
    pub opt_tsb: Vec<Option<f64>>,
    pub opt_tss: Vec<Option<f64>>,
    /// The race the plan is for; `None` when there is none ahead (then
    /// the `opt_*` columns are empty).
    pub race: Option<crate::race_plan::RaceView>,
    /// Today's status (form label, ramp); `None` for an athlete who never trained.
    pub status: Option<StatusView>,
    /// How the projection was made, in words.
    pub projection_note: String,
    /// e.g. "TrainingPeaks (step 1/T), CTL 42 d, ATL 7 d".
    pub convention: String,
    /// Set when TrainingPeaks could not be asked and (some of) this came
    /// from the local history.
    pub not_fresh: Option<NotFresh>,
    /// The athlete shown when it is not the login's own (a coach's);
    /// `None`: the login's own.
    pub for_athlete: Option<i64>,
    /// The athlete picker, for a coach login; `None` for an athlete's.
    pub picker: Option<crate::picker::Picker>,
}

/// The chart came (partly) from the local history because TrainingPeaks
/// could not be asked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NotFresh {
    /// When the oldest part of it was last fetched, if known.
    pub last_fetched: Option<DateTime<Local>>,
    /// Why TrainingPeaks could not be asked (the errors, saying what to do).
    pub why: String,
    /// What the chart window says.
    pub note: String,
}

impl NotFresh {
    /// From what [`tp_store::fallback::collecting`] noted; `None` when
    /// everything was fresh.
    pub fn from_reads(reads: &[tp_store::fallback::StaleRead]) -> Option<NotFresh> {
        if reads.is_empty() {
            return None;
        }
        let last_fetched = tp_store::fallback::oldest_fetch(reads)
            .and_then(|s| DateTime::from_timestamp(s, 0))
            .map(|t| t.with_timezone(&Local));
        let why = tp_store::fallback::distinct_problems(reads).join(" ");
        let since = last_fetched.map_or_else(
            || "as last fetched".to_string(),
            |t| format!("as last fetched {}", t.format("%Y-%m-%d %H:%M")),
        );
        let note = format!(
            "Not fresh: TrainingPeaks could not be asked, so this is your training {since}. {why}"
        );
        Some(NotFresh {
            last_fetched,
            why,
            note,
        })
    }
}

/// Today's numbers and their labels.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatusView {
    pub date: NaiveDate,
    pub ctl: f64,
    pub atl: f64,
    pub tsb: f64,
    /// "Tired (optimal loading)".
    pub form: String,
    /// `tired`: for styling.
    pub form_key: String,
    pub ramp_rate: Option<f64>,
    pub ramp: Option<String>,
}

impl ChartData {
    /// Lays out `history` (from [`tp_mcp::ServerContext::fitness_history`])
    /// and its projection along the planned calendar.
    pub fn build(athlete: String, demo: bool, history: &FitnessHistory) -> ChartData {
        let series = &history.series;
        let today = history.today;
        // (The data path's series of an athlete who never trained still has
        // today, at zero: no status then, as documented.)
        let trained = history.first_training_day.is_some();
        let status = FormStatus::latest(series)
            .filter(|_| trained)
            .map(|s| StatusView {
                date: s.date,
                ctl: s.ctl,
                atl: s.atl,
                tsb: s.tsb,
                form: s.form.label().to_string(),
                form_key: serde_json::to_value(s.form)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
                ramp_rate: s.ramp_rate,
                ramp: s.ramp_level.map(|l| l.label().to_string()),
            });
        let projection = project_from_loads(series, &history.loads, projection_days(history)).ok();

        let first = series.first().map(|d| d.date).unwrap_or(today);
        let last = projection
            .as_ref()
            .and_then(Projection::last)
            .map(|d| d.date)
            .unwrap_or(today)
            .max(today);
        let dates: Vec<NaiveDate> = first.iter_days().take_while(|d| *d <= last).collect();
        let n = dates.len();
        let index = |d: NaiveDate| (d - first).num_days() as usize;
        let mut data = ChartData {
            athlete,
            demo,
            today_index: index(today).min(n.saturating_sub(1)),
            today,
            tss: vec![None; n],
            planned_tss: vec![None; n],
            ctl: vec![None; n],
            atl: vec![None; n],
            tsb: vec![None; n],
            proj_ctl: vec![None; n],
            proj_atl: vec![None; n],
            proj_tsb: vec![None; n],
            opt_ctl: vec![None; n],
            opt_tsb: vec![None; n],
            opt_tss: vec![None; n],
            race: None,
            status,
            projection_note: String::new(),
            convention: series.describe(),
            not_fresh: None,
            for_athlete: None,
            picker: None,
            dates,
        };
        for day in &series.days {
            let i = index(day.date);
            data.tss[i] = Some(day.tss);
            data.ctl[i] = Some(day.ctl);
            data.atl[i] = Some(day.atl);
            data.tsb[i] = Some(day.tsb);
        }
        if let Some(p) = &projection {
            let i = index(p.from_date);
            data.proj_ctl[i] = data.ctl[i];
            data.proj_atl[i] = data.atl[i];
            data.proj_tsb[i] = data.tsb[i];
            for day in &p.days {
                let i = index(day.date);
                data.proj_ctl[i] = Some(day.ctl);
                data.proj_atl[i] = Some(day.atl);
                data.proj_tsb[i] = Some(day.tsb);
                if let Some(planned) = history.loads.planned_on(day.date).filter(|t| *t > 0.0) {
                    data.planned_tss[i] = Some(planned);
                }
            }
            data.projection_note = format!(
                "Projection: {} days ({} from your planned workouts, {} at your 28-day average of {:.0} TSS/day)",
                p.days.len(),
                p.planned_days,
                p.fallback_days,
                p.fallback_daily_tss
            );
        }
        data
    }

    /// The row of `date`, if the chart has it.
    pub fn row(&self, date: NaiveDate) -> Option<usize> {
        let first = *self.dates.first()?;
        usize::try_from((date - first).num_days())
            .ok()
            .filter(|i| *i < self.dates.len())
    }

    /// Adds empty rows through `date` (every column `None` there).
    pub(crate) fn extend_through(&mut self, date: NaiveDate) {
        let Some(&last) = self.dates.last() else {
            return;
        };
        for day in last.iter_days().skip(1).take_while(|d| *d <= date) {
            self.dates.push(day);
            for col in [
                &mut self.tss,
                &mut self.planned_tss,
                &mut self.ctl,
                &mut self.atl,
                &mut self.tsb,
                &mut self.proj_ctl,
                &mut self.proj_atl,
                &mut self.proj_tsb,
                &mut self.opt_ctl,
                &mut self.opt_tsb,
                &mut self.opt_tss,
            ] {
                col.push(None);
            }
        }
    }

    /// The tray's status-line numbers.
    pub fn summary(&self) -> Option<Summary> {
        self.status.as_ref().map(|s| Summary {
            athlete: self.athlete.clone(),
            ctl: s.ctl,
            atl: s.atl,
            tsb: s.tsb,
            form: s.form.clone(),
        })
    }
}

/// Through the last planned workout (at least [`MIN_PROJECTION_DAYS`], at
/// most the projection's limit).
fn projection_days(history: &FitnessHistory) -> u32 {
    let last_planned = history
        .loads
        .planned_after(history.today)
        .iter()
        .filter(|(_, tss)| *tss > 0.0)
        .map(|(d, _)| *d)
        .max();
    let days = last_planned
        .map(|d| (d - history.today).num_days().max(0) as u32)
        .unwrap_or(0);
    days.clamp(
        MIN_PROJECTION_DAYS,
        tp_fitness::projection::MAX_HORIZON_DAYS,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use tp_fitness::{FitnessSeries, LoadSeries, PmcParams};

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    /// 60 days of 50 TSS up to Nov 24, then a plan of 100 TSS on Nov 26 and Dec 10.
    fn history() -> FitnessHistory {
        let start = d(9, 26);
        let today = d(11, 24);
        let mut loads = LoadSeries::from_daily(start, vec![50.0; 60]);
        assert_eq!(loads.end(), Some(today));
        let future = (d(12, 20) - today).num_days() as usize;
        loads.actual.extend(vec![0.0; future]);
        loads.planned = vec![0.0; loads.actual.len()];
        let at = |date: NaiveDate| (date - start).num_days() as usize;
        loads.planned[at(d(11, 26))] = 100.0;
        loads.planned[at(d(12, 10))] = 100.0;
        let past = LoadSeries::from_daily(start, vec![50.0; 60]);
        FitnessHistory {
            series: FitnessSeries::compute(&past, &PmcParams::default()),
            loads,
            first_training_day: Some(start),
            today,
        }
    }

    #[test]
    fn columns_line_up_and_the_projection_follows_the_plan() {
        let h = history();
        let c = ChartData::build("Alex".into(), true, &h);
        // Through the last planned day, Dec 10: 60 + 16 rows.
        assert_eq!(c.dates.len(), 76);
        assert_eq!(c.dates[c.today_index], d(11, 24));
        for col in [&c.tss, &c.ctl, &c.atl, &c.tsb, &c.proj_ctl, &c.planned_tss] {
            assert_eq!(col.len(), c.dates.len());
        }
        // History through today only; its values are tp-fitness'.
        let last = h.series.last().unwrap();
        assert_eq!(c.ctl[c.today_index], Some(last.ctl));
        assert_eq!(c.ctl[c.today_index + 1], None);
        assert_eq!(c.tss[0], Some(50.0));
        // The projection starts at today's value and goes on from there.
        assert_eq!(c.proj_ctl[c.today_index - 1], None);
        assert_eq!(c.proj_ctl[c.today_index], Some(last.ctl));
        let p = project_from_loads(&h.series, &h.loads, 16).unwrap();
        assert_eq!(c.proj_tsb[c.dates.len() - 1], Some(p.days[15].tsb));
        assert_eq!(c.planned_tss[c.today_index + 2], Some(100.0));
        assert_eq!(c.planned_tss[c.today_index + 1], None);
        assert!(
            c.projection_note
                .starts_with("Projection: 16 days (16 from your planned workouts")
        );
        // Status and summary agree with FormStatus.
        let status = FormStatus::latest(&h.series).unwrap();
        let view = c.status.as_ref().unwrap();
        assert_eq!((view.ctl, view.tsb), (status.ctl, status.tsb));
        assert_eq!(view.form, status.form.label());
        assert!(!view.form_key.is_empty());
        assert_eq!(c.summary().unwrap().athlete, "Alex");
    }

    #[test]
    fn no_plan_projects_two_weeks() {
        let mut h = history();
        h.loads.planned.iter_mut().for_each(|p| *p = 0.0);
        let c = ChartData::build("Alex".into(), false, &h);
        assert_eq!(c.dates.len(), 60 + MIN_PROJECTION_DAYS as usize);
        assert!(c.planned_tss.iter().all(Option::is_none));
    }

    #[test]
    fn an_athlete_who_never_trained_gets_an_empty_chart() {
        let today = d(11, 24);
        let empty = LoadSeries::from_daily(today, vec![]);
        let h = FitnessHistory {
            series: FitnessSeries::compute(&empty, &PmcParams::default()),
            loads: empty,
            first_training_day: None,
            today,
        };
        let c = ChartData::build("New".into(), false, &h);
        assert!(c.status.is_none());
        assert!(c.summary().is_none());
        assert_eq!(c.dates, [today]);
        assert_eq!(c.today_index, 0);

        // As the data path gives it (`fitness_history` of a brand-new
        // athlete): zero load from today through the planned horizon.
        let zeros = LoadSeries::from_daily(today, vec![0.0; 1 + PLAN_DAYS as usize]);
        let h = FitnessHistory {
            series: FitnessSeries::compute(
                &LoadSeries::from_daily(today, vec![0.0]),
                &PmcParams::default(),
            ),
            loads: zeros,
            first_training_day: None,
            today,
        };
        let c = ChartData::build("Sam Ortiz".into(), false, &h);
        assert!(c.status.is_none());
        assert!(c.summary().is_none());
        assert!(c.tss.iter().all(|t| t.unwrap_or(0.0) == 0.0));
    }
}

//! `tp_get_fitness`: today's CTL/ATL/TSB from the whole history, and the daily series.

use super::TpTool;
use super::pmc_args::PmcOptions;
use crate::answer::ToolError;
use crate::args;
use crate::context::ServerContext;
use crate::format;
use chrono::{Datelike, Weekday};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use tp_fitness::form::FormStatus;
use tp_fitness::{FormLabel, PmcDay};

pub struct GetFitness;

/// Daily series longer than this are sampled weekly in structured output.
const MAX_DAILY_ROWS: usize = 366;

#[derive(Debug, Default, Deserialize, JsonSchema)]
pub struct FitnessArgs {
    /// Days to show, counting back from end_date (default 90). Ignored when start_date is given.
    #[serde(default, deserialize_with = "args::lenient_int")]
    #[schemars(with = "Option<i64>")]
    pub days: Option<i64>,
    /// First day to show, YYYY-MM-DD.
    pub start_date: Option<String>,
    /// Last day to show, YYYY-MM-DD (default today).
    pub end_date: Option<String>,
    #[serde(flatten)]
    pub pmc: PmcOptions,
}

/// Fitness, fatigue and form.
#[derive(Debug, Serialize, JsonSchema)]
pub struct FitnessOutput {
    /// The values on end_date (today by default).
    pub current: FormStatus,
    pub start_date: String,
    pub end_date: String,
    /// First day with completed TSS: the PMC starts here, from 0, as in TrainingPeaks.
    pub history_start: Option<String>,
    /// e.g. "TrainingPeaks (step 1/T), CTL 42 d, ATL 7 d".
    pub convention: String,
    /// TSB bands used for the form labels.
    pub form_bands: String,
    /// "daily", or "weekly" (Sundays and the last day) for ranges over 366 days.
    pub resolution: String,
    pub days: Vec<PmcDay>,
    /// Readiness on end_date from the health metrics (HRV against its
    /// 60-day baseline, resting HR, sleep); `None` when they could not be read.
    pub readiness: Option<tp_fitness::readiness::Readiness>,
}

impl TpTool for GetFitness {
    const NAME: &'static str = "tp_get_fitness";
    const TITLE: &'static str = "Fitness, fatigue and form (CTL/ATL/TSB)";
    const DESCRIPTION: &'static str = "The athlete's Performance Management Chart: fitness (CTL, 42-day load), \
fatigue (ATL, 7-day load) and form (TSB = yesterday's CTL − ATL) on today (or end_date), with the form label, \
ramp rate (CTL change over 7 days) and acute:chronic ratio, plus the daily values (TSS, CTL, ATL, TSB) over the \
range (default last 90 days; any range). Computed from the athlete's whole history, so the values match the \
TrainingPeaks web app. Units: TSS points per day. Beside TSB: readiness signals from the health metrics (HRV's 7-day \
mean against the athlete's 60-day baseline, resting-HR trend, sleep) — signals, not medical advice.";
    type Args = FitnessArgs;
    type Output = FitnessOutput;

    async fn run(
        ctx: &ServerContext,
        a: FitnessArgs,
    ) -> Result<(FitnessOutput, String), ToolError> {
        let params = a.pmc.params()?;
        let today = ctx.today();
        let days = args::days("days", a.days.unwrap_or(90), args::MAX_RANGE_DAYS)?;
        let (start, mut end) =
            args::range(a.start_date.as_deref(), a.end_date.as_deref(), today, days)?;
        let mut note = String::new();
        if end > today {
            note = format!(
                "(end_date {end} is in the future; showing through today. tp_fitness_trend projects ahead.)\n"
            );
            end = today;
            args::check_range(start.min(end), end)?;
        }
        let base_from = end - chrono::Days::new(tp_fitness::readiness::BASELINE_DAYS as u64 - 1);
        let (history, metrics) =
            tokio::join!(ctx.fitness_history(&params, 0), ctx.metrics(base_from, end));
        let history = history?;
        let readiness = match metrics {
            Ok(days) => Some(tp_fitness::readiness::readiness(&days, end)),
            Err(e) => {
                tracing::info!(error = %e, "no readiness: the health metrics could not be read");
                None
            }
        };
        let series = &history.series;
        let current =
            FormStatus::at(series, end).unwrap_or_else(|| zero_status(end, series.describe()));
        let window = series.window(start, end);
        let (resolution, rows): (&str, Vec<PmcDay>) = if window.len() > MAX_DAILY_ROWS {
            (
                "weekly",
                window
                    .iter()
                    .filter(|d| d.date.weekday() == Weekday::Sun || d.date == end)
                    .cloned()
                    .collect(),
            )
        } else {
            ("daily", window.to_vec())
        };
        let out = FitnessOutput {
            current,
            start_date: start.to_string(),
            end_date: end.to_string(),
            history_start: history.first_training_day.map(|d| d.to_string()),
            convention: series.describe(),
            form_bands: tp_fitness::form::FORM_BANDS.to_string(),
            resolution: resolution.into(),
            days: rows,
            readiness,
        };
        let text = render(&out, window, &note);
        Ok((out, text))
    }
}

/// The status of an athlete with no training at all.
fn zero_status(date: chrono::NaiveDate, convention: String) -> FormStatus {
    FormStatus {
        date,
        ctl: 0.0,
        atl: 0.0,
        tsb: 0.0,
        form: FormLabel::from_tsb(0.0),
        ramp_rate: None,
        ramp_level: None,
        acute_chronic_ratio: None,
        acwr_level: None,
        convention,
    }
}

fn render(out: &FitnessOutput, window: &[PmcDay], note: &str) -> String {
    let c = &out.current;
    let mut t = format!("Fitness on {}\n{note}\n", format::day(c.date));
    t.push_str(&format!("  Fitness (CTL): {:.1}\n", c.ctl));
    t.push_str(&format!("  Fatigue (ATL): {:.1}\n", c.atl));
    t.push_str(&format!(
        "  Form (TSB):    {:+.1}  → {}\n",
        c.tsb,
        c.form.label()
    ));
    if let (Some(r), Some(level)) = (c.ramp_rate, c.ramp_level) {
        t.push_str(&format!(
            "  Ramp rate:     {:+.1} CTL/week ({})\n",
            r,
            level.label()
        ));
    }
    if let (Some(r), Some(level)) = (c.acute_chronic_ratio, c.acwr_level) {
        t.push_str(&format!("  ATL:CTL ratio: {:.2} ({})\n", r, level.label()));
    }
    match &out.history_start {
        Some(first) => t.push_str(&format!(
            "\nComputed from the whole history (since {first}), {}.\n",
            out.convention
        )),
        None => t.push_str("\nNo completed training with TSS yet: all values are 0.\n"),
    }
    if let Some(r) = &out.readiness {
        let lines = super::metrics::readiness_text(r);
        if r.hrv.is_some() || r.resting_hr.is_some() || r.sleep.is_some() {
            t.push_str(&format!("\nReadiness beside TSB ({}):\n{lines}", r.method));
        } else {
            t.push_str("\nReadiness: no HRV, resting HR or sleep recorded in the last 60 days.\n");
        }
    }
    let recent: Vec<&PmcDay> = window.iter().rev().take(14).collect();
    if !recent.is_empty() {
        t.push_str(&format!(
            "\nLast {} days of {} to {}:\n",
            recent.len(),
            out.start_date,
            out.end_date
        ));
        let mut table = format::Table::new(["Date", "TSS", "CTL", "ATL", "TSB", "Form"]);
        for d in recent.into_iter().rev() {
            table.row([
                format::day(d.date),
                format!("{:.0}", d.tss),
                format!("{:.1}", d.ctl),
                format!("{:.1}", d.atl),
                format!("{:+.1}", d.tsb),
                FormLabel::from_tsb(d.tsb).label().to_string(),
            ]);
        }
        t.push_str(&table.render());
    }
    if window.len() > 14 {
        let first = &window[0];
        t.push_str(&format!(
            "\nOver the range: CTL {:.1} → {:.1} ({:+.1}); the full {} series is in the structured output.\n",
            first.ctl,
            out.current.ctl,
            out.current.ctl - first.ctl,
            out.resolution
        ));
    }
    t
}

//! `tp_compare_efforts`: the same kind of effort across workouts, side by
//! side — e.g. every threshold set of the last three months.

use super::TpTool;
use super::workout_analysis::thresholds_for;
use crate::answer::ToolError;
use crate::args::{self, ArgError};
use crate::context::ServerContext;
use crate::format;
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use tp_fitness::stream_analysis::{AnalysisInputs, Effort, analyze_streams};
use tp_model::Sport;

pub struct CompareEfforts;

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CompareEffortsArgs {
    /// Bike (default; includes mountain-bike rides) or Run.
    pub sport: Option<String>,
    /// vo2max (106–150 % of threshold, 2–8 min), threshold (default; 91–105 %, 8–30 min), sweet_spot
    /// (88–94 %, 10–60 min), or sprint (≥ 150 % of FTP, 5 s or more).
    pub kind: Option<String>,
    /// First day, YYYY-MM-DD (default: `days` before end_date).
    pub start_date: Option<String>,
    /// Last day, YYYY-MM-DD (default: today).
    pub end_date: Option<String>,
    /// Days back from end_date when start_date is not given (default 90).
    #[serde(default, deserialize_with = "args::lenient_int")]
    #[schemars(with = "Option<i64>")]
    pub days: Option<i64>,
}

/// One effort of the kind asked for.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ComparedEffort {
    pub date: NaiveDate,
    pub workout_id: i64,
    pub workout_title: String,
    /// The threshold the % is of (FTP W, or threshold speed m/s), in force that day.
    pub threshold: Option<f64>,
    /// Power per heart beat over the effort (W/bpm; m/min per bpm for runs).
    pub efficiency_factor: Option<f64>,
    #[serde(flatten)]
    pub effort: Effort,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct CompareEffortsOutput {
    pub sport: String,
    pub kind: String,
    /// The rule an effort must meet to count as this kind.
    pub rule: String,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    /// Oldest first.
    pub efforts: Vec<ComparedEffort>,
    /// Completed workouts of the sport in the period, and how many had a device file to look in.
    pub workouts: usize,
    pub workouts_with_streams: usize,
    pub not_fetched: usize,
    /// First against last effort: the change in average power (or speed) and in efficiency factor, %.
    pub trend: Option<String>,
    pub method: String,
}

/// What counts as each kind: (% of threshold low, high, duration min s, max s).
fn rule(kind: &str) -> Option<(f64, f64, u32, u32)> {
    Some(match kind {
        "vo2max" => (106.0, 150.0, 120, 480),
        "threshold" => (91.0, 105.0, 480, 1800),
        "sweet_spot" => (88.0, 94.0, 600, 3600),
        "sprint" => (150.0, f64::INFINITY, 5, 600),
        _ => return None,
    })
}

impl TpTool for CompareEfforts {
    const NAME: &'static str = "tp_compare_efforts";
    const TITLE: &'static str = "Compare the same effort across workouts";
    const DESCRIPTION: &'static str = "The same kind of effort across the period's workouts, side by side, from the \
device files: e.g. every threshold set of the last 90 days (the default), VO2max intervals, sweet-spot blocks or \
sprints — each with date, duration, average power and NP (or graded pace for runs), % of the threshold in force \
that day, average and max HR, cadence, efficiency factor, decoupling within the effort and HR recovery after it; \
plus the trend from the first to the last. Efforts are found by a documented rule (sustained ≥ 88 % of \
threshold for 2 min or more), then sorted into kinds by intensity and duration.";
    type Args = CompareEffortsArgs;
    type Output = CompareEffortsOutput;

    async fn run(
        ctx: &ServerContext,
        a: CompareEffortsArgs,
    ) -> Result<(CompareEffortsOutput, String), ToolError> {
        let sport = args::sport("sport", a.sport.as_deref().unwrap_or("Bike"))?;
        let members = match sport {
            Sport::Bike | Sport::MountainBike => vec![Sport::Bike, Sport::MountainBike],
            Sport::Run => vec![Sport::Run],
            other => {
                return Err(ArgError::new(
                    "sport",
                    format!("efforts are found for Bike and Run, not {other}"),
                )
                .into());
            }
        };
        let kind = a
            .kind
            .as_deref()
            .unwrap_or("threshold")
            .trim()
            .to_ascii_lowercase()
            .replace([' ', '-'], "_");
        let (low, high, min_s, max_s) = rule(&kind).ok_or_else(|| {
            ArgError::new(
                "kind",
                format!("expected vo2max, threshold, sweet_spot or sprint, got {kind:?}"),
            )
        })?;
        let days = args::days("days", a.days.unwrap_or(90), args::MAX_RANGE_DAYS)?;
        let (start, end) = args::range(
            a.start_date.as_deref(),
            a.end_date.as_deref(),
            ctx.today(),
            days,
        )?;
        let workouts: Vec<_> = ctx
            .workouts(start, end)
            .await?
            .into_iter()
            .filter(|w| w.is_completed() && members.contains(&w.sport()))
            .collect();
        // Fetch what is missing (within the budget), then read each file.
        let fetched = ctx.fetch_streams(&workouts).await?;
        let settings = ctx.settings().await.unwrap_or_default();
        let mut found = Vec::new();
        let mut with_streams = 0;
        for w in &workouts {
            if fetched.states.get(&w.workout_id) != Some(&tp_store::StreamState::Stored) {
                continue;
            }
            let Ok(tp_store::StreamsOutcome::Stored(stored)) = ctx.workout_streams(w).await else {
                continue;
            };
            with_streams += 1;
            let t = thresholds_for(w, &settings);
            let type_id = w.workout_type_value_id.unwrap_or(0);
            let inputs = AnalysisInputs {
                ftp_w: t.ftp,
                threshold_speed_m_s: t.threshold_speed,
                lthr_bpm: settings.lthr(type_id),
                ..AnalysisInputs::new(&stored.activity.streams, w.sport())
            };
            let analysis = analyze_streams(&inputs);
            let threshold = analysis.efforts.threshold;
            let pool = if kind == "sprint" {
                analysis.efforts.sprints
            } else {
                analysis.efforts.efforts
            };
            for e in pool {
                let percent = e.percent_of_ftp.or(e.percent_of_threshold_speed);
                let fits = percent.is_some_and(|p| p >= low && p < high)
                    && (min_s..=max_s).contains(&e.duration_s);
                if !fits {
                    continue;
                }
                let ef = match (
                    e.normalized_power_w.or(e.average_power_w),
                    e.average_graded_speed_m_s,
                    e.average_heart_rate_bpm,
                ) {
                    (Some(p), _, Some(hr)) if hr > 0.0 => Some(p / hr),
                    (None, Some(v), Some(hr)) if hr > 0.0 => Some(v * 60.0 / hr),
                    _ => None,
                };
                found.push(ComparedEffort {
                    date: w.workout_day.unwrap_or(start),
                    workout_id: w.workout_id,
                    workout_title: w.display_title(),
                    threshold,
                    efficiency_factor: ef,
                    effort: e,
                });
            }
        }
        let trend = trend(&found);
        let not_fetched = fetched
            .states
            .values()
            .filter(|s| **s == tp_store::StreamState::Missing)
            .count();
        let out = CompareEffortsOutput {
            sport: sport.to_string(),
            rule: if kind == "sprint" {
                "sprints: ≥ 150 % of FTP for 5 s or more".into()
            } else {
                format!(
                    "sustained efforts (30-s average ≥ 88 % of threshold for ≥ 2 min) averaging {low:.0}–{} % of the \
threshold in force that day, lasting {}–{}",
                    if high.is_finite() { format!("{high:.0}") } else { "∞".into() },
                    clock(min_s),
                    clock(max_s)
                )
            },
            kind,
            start_date: start,
            end_date: end,
            efforts: found,
            workouts: workouts.len(),
            workouts_with_streams: with_streams,
            not_fetched,
            trend,
            method: "Efforts found in each workout's device file (tp_workout_analysis' rule), sorted by \
kind; the threshold is the one in force on each workout's day (TrainingPeaks' NP / IF)."
                .into(),
        };
        let text = render(&out);
        Ok((out, text))
    }
}

fn trend(found: &[ComparedEffort]) -> Option<String> {
    let (first, last) = (found.first()?, found.last()?);
    if found.len() < 2 {
        return None;
    }
    let level = |e: &ComparedEffort| {
        e.effort
            .average_power_w
            .or(e.effort.average_graded_speed_m_s)
    };
    let mut parts = Vec::new();
    if let (Some(a), Some(b)) = (level(first), level(last))
        && a > 0.0
    {
        parts.push(format!("average {:+.1} %", (b / a - 1.0) * 100.0));
    }
    if let (Some(a), Some(b)) = (first.efficiency_factor, last.efficiency_factor)
        && a > 0.0
    {
        parts.push(format!(
            "efficiency factor (output per heartbeat) {:+.1} %",
            (b / a - 1.0) * 100.0
        ));
    }
    (!parts.is_empty()).then(|| {
        format!(
            "From the first ({}) to the last ({}): {}",
            first.date,
            last.date,
            parts.join(", ")
        )
    })
}

fn clock(s: u32) -> String {
    if s < 3600 {
        format!("{}:{:02}", s / 60, s % 60)
    } else {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    }
}

fn render(o: &CompareEffortsOutput) -> String {
    let mut t = format!(
        "{} efforts — {}, {} to {}\n\nCounted: {}.\nLooked in {} of {} workouts with a device file{}.\n\n",
        o.kind.replace('_', " "),
        o.sport,
        o.start_date,
        o.end_date,
        o.rule,
        o.workouts_with_streams,
        o.workouts,
        if o.not_fetched > 0 {
            format!(
                " ({} not fetched yet: ask again, or run `tp-mcp sync --streams`)",
                o.not_fetched
            )
        } else {
            String::new()
        }
    );
    if o.efforts.is_empty() {
        t.push_str("No effort of this kind in the period.\n");
        return t;
    }
    let mut table = format::Table::new([
        "date", "workout", "at", "duration", "avg", "NP", "% thr", "avg HR", "max HR", "cad", "EF",
        "decoupl.", "HR rec.",
    ]);
    for c in &o.efforts {
        let e = &c.effort;
        table.row([
            c.date.to_string(),
            c.workout_id.to_string(),
            clock(e.start_s),
            clock(e.duration_s),
            e.average_power_w
                .map(|p| format!("{p:.0} W"))
                .or_else(|| e.average_graded_speed_m_s.map(format::pace_per_km))
                .unwrap_or_else(|| "-".into()),
            format::with_unit(e.normalized_power_w, 0, "W"),
            format::num(e.percent_of_ftp.or(e.percent_of_threshold_speed), 0),
            format::num(e.average_heart_rate_bpm, 0),
            format::num(e.max_heart_rate_bpm, 0),
            format::num(e.average_cadence_rpm, 0),
            format::num(c.efficiency_factor, 2),
            e.decoupling_percent
                .map(|d| format!("{d:.1} %"))
                .unwrap_or_else(|| "-".into()),
            e.heart_rate_recovery_bpm
                .map(|r| format!("−{r:.0}"))
                .unwrap_or_else(|| "-".into()),
        ]);
    }
    t.push_str(&table.render());
    if let Some(trend) = &o.trend {
        t.push_str(&format!("\n{trend}.\n"));
    }
    t.push_str(&format!("\nMethod: {}\n", o.method));
    t
}

//! `tp_get_metrics`: health metrics (HRV, resting HR, sleep, weight, SpO2,
//! steps…) over any range, with readiness signals at its end.

use super::TpTool;
use crate::answer::ToolError;
use crate::args::{self, ArgError};
use crate::context::ServerContext;
use crate::format;
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use tp_fitness::readiness::{self, Readiness};
use tp_model::{MetricDay, MetricKind};

pub struct GetMetrics;

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MetricsArgs {
    /// First day, YYYY-MM-DD (default: `days` before end_date).
    pub start_date: Option<String>,
    /// Last day, YYYY-MM-DD (default today).
    pub end_date: Option<String>,
    /// Days ending at end_date when start_date is not given (default 30).
    #[serde(default, deserialize_with = "args::lenient_int")]
    #[schemars(with = "Option<i64>")]
    pub days: Option<i64>,
    /// Only these metrics: hrv, resting_hr, sleep, weight, spo2, steps, rmr, injury (default all).
    pub metrics: Option<Vec<String>>,
}

/// One metric over the range.
#[derive(Debug, Serialize, JsonSchema)]
pub struct MetricSummary {
    pub metric: MetricKind,
    pub label: String,
    pub days: u32,
    pub mean: f64,
    pub min: f64,
    pub max: f64,
    pub latest: f64,
    pub latest_date: NaiveDate,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct MetricsOutput {
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    /// One row per day with any value, by date.
    pub days: Vec<MetricDay>,
    pub summary: Vec<MetricSummary>,
    /// HRV against its baseline, resting-HR trend and sleep at end_date.
    pub readiness: Readiness,
}

impl TpTool for GetMetrics {
    const NAME: &'static str = "tp_get_metrics";
    const TITLE: &'static str = "Health metrics and readiness";
    const DESCRIPTION: &'static str = "The athlete's health metrics from TrainingPeaks over any range (default the \
last 30 days): HRV (rMSSD, ms), resting HR (bpm), sleep (hours), weight (kg), SpO2 (%), steps, RMR, injury — per day, \
with each metric's mean, range and latest value, and readiness signals at the end of the range: HRV's 7-day mean \
against the athlete's own 60-day baseline (normal range ± 0.5 SD), the resting-HR trend, recent sleep. Signals for \
training decisions, not medical advice. Filter with metrics (e.g. [\"hrv\", \"resting_hr\"]).";
    type Args = MetricsArgs;
    type Output = MetricsOutput;

    async fn run(
        ctx: &ServerContext,
        a: MetricsArgs,
    ) -> Result<(MetricsOutput, String), ToolError> {
        let today = ctx.today();
        let days = args::days("days", a.days.unwrap_or(30), args::MAX_RANGE_DAYS)?;
        let (start, end) =
            args::range(a.start_date.as_deref(), a.end_date.as_deref(), today, days)?;
        let wanted: Option<Vec<MetricKind>> = match &a.metrics {
            None => None,
            Some(names) => Some(
                names
                    .iter()
                    .map(|n| {
                        MetricKind::parse(n).ok_or_else(|| {
                            let all: Vec<&str> = MetricKind::ALL.iter().map(|k| k.name()).collect();
                            ArgError::new(
                                "metrics",
                                format!("unknown metric {n:?}; use {}", all.join(", ")),
                            )
                        })
                    })
                    .collect::<Result<_, _>>()?,
            ),
        };
        // The readiness at the end needs the 60 days before it as well.
        let base_from = end - chrono::Days::new(readiness::BASELINE_DAYS as u64 - 1);
        let all = ctx.metrics(start.min(base_from), end).await?;
        let signals = readiness::readiness(&all, end);
        let mut rows: Vec<MetricDay> = all.into_iter().filter(|d| d.date >= start).collect();
        if let Some(w) = &wanted {
            for row in &mut rows {
                row.values.retain(|k, _| w.contains(k));
            }
            rows.retain(|d| !d.values.is_empty());
        }
        let out = MetricsOutput {
            start_date: start,
            end_date: end,
            summary: summarize(&rows),
            days: rows,
            readiness: signals,
        };
        let text = render(&out);
        Ok((out, text))
    }
}

fn summarize(days: &[MetricDay]) -> Vec<MetricSummary> {
    let mut by_kind: BTreeMap<MetricKind, Vec<(NaiveDate, f64)>> = BTreeMap::new();
    for d in days {
        for (k, v) in &d.values {
            by_kind.entry(*k).or_default().push((d.date, *v));
        }
    }
    MetricKind::ALL
        .iter()
        .filter_map(|k| {
            let vals = by_kind.get(k)?;
            let (latest_date, latest) = *vals.last()?;
            let xs: Vec<f64> = vals.iter().map(|(_, v)| *v).collect();
            Some(MetricSummary {
                metric: *k,
                label: k.label().to_string(),
                days: xs.len() as u32,
                mean: xs.iter().sum::<f64>() / xs.len() as f64,
                min: xs.iter().copied().fold(f64::INFINITY, f64::min),
                max: xs.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                latest,
                latest_date,
            })
        })
        .collect()
}

/// The readiness lines shared with tp_get_fitness and tp_team_overview.
pub fn readiness_text(r: &Readiness) -> String {
    let mut s = String::new();
    if let Some(h) = &r.hrv {
        s.push_str(&format!(
            "  HRV: 7-day mean {:.0} ms ({} days) — {} (baseline {:.0} ms over {} days; z {:+.1})\n",
            h.recent_ms,
            h.recent_days,
            h.status.label(),
            h.baseline_ms,
            h.baseline_days,
            h.z
        ));
    }
    if let Some(h) = &r.resting_hr {
        s.push_str(&format!(
            "  Resting HR: 7-day mean {:.1} bpm, {:+.1} against the 60-day mean {:.1}{}\n",
            h.recent_bpm,
            h.change_bpm,
            h.baseline_bpm,
            if h.elevated { " — elevated" } else { "" }
        ));
    }
    if let Some(sl) = &r.sleep {
        s.push_str(&format!(
            "  Sleep: {:.1} h a night over the last {} night(s)\n",
            sl.mean_hours, sl.nights
        ));
    }
    for m in &r.missing {
        s.push_str(&format!("  ({m})\n"));
    }
    s
}

fn render(out: &MetricsOutput) -> String {
    let mut s = format!(
        "Health metrics from {} to {}\n\n",
        out.start_date, out.end_date
    );
    if out.summary.is_empty() {
        s.push_str("No health metrics recorded in this range.\n");
    } else {
        let mut table = format::Table::new(["Metric", "Days", "Mean", "Min", "Max", "Latest"]);
        for m in &out.summary {
            let d = if m.metric == MetricKind::Steps { 0 } else { 1 };
            table.row([
                m.label.clone(),
                m.days.to_string(),
                format!("{:.*}", d, m.mean),
                format!("{:.*}", d, m.min),
                format!("{:.*}", d, m.max),
                format!("{:.*} ({})", d, m.latest, m.latest_date),
            ]);
        }
        s.push_str(&table.render());
    }
    s.push_str(&format!("\nReadiness on {}:\n", out.readiness.as_of));
    s.push_str(&readiness_text(&out.readiness));
    s.push_str(&format!("\nMethod: {}.\n", out.readiness.method));
    s
}

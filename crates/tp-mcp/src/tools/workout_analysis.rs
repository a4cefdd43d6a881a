//! `tp_workout_analysis`: derived metrics for one workout.

use super::TpTool;
use super::workout::{WorkoutIdArgs, fetch, render_texts};
use crate::answer::ToolError;
use crate::context::ServerContext;
use crate::format;
use schemars::JsonSchema;
use serde::Serialize;
use tp_fitness::WorkoutMetrics;

pub struct WorkoutAnalysis;

/// A workout's metrics, plan compliance and records.
#[derive(Debug, Serialize, JsonSchema)]
pub struct AnalysisOutput {
    pub metrics: WorkoutMetrics,
    /// FTP used for IF when TrainingPeaks sent none, W.
    pub ftp_w: Option<f64>,
    pub average_power_w: Option<f64>,
    pub normalized_power_w: Option<f64>,
    pub max_power_w: Option<f64>,
    pub average_hr_bpm: Option<f64>,
    pub max_hr_bpm: Option<f64>,
    /// Personal records set in this workout (count).
    pub personal_records: usize,
    pub personal_record_labels: Vec<String>,
}

impl TpTool for WorkoutAnalysis {
    const NAME: &'static str = "tp_workout_analysis";
    const TITLE: &'static str = "Workout analysis";
    const DESCRIPTION: &'static str = "Analyse one workout by id: duration, distance, TSS and TSS/hour, intensity \
factor, efficiency factor (NP/avg HR in W/bpm for rides; speed/HR for runs), variability index (NP/avg power), \
speed or pace, power and heart-rate profile, compliance with the plan (actual vs planned duration, distance, TSS \
in %), and the personal records it set.";
    type Args = WorkoutIdArgs;
    type Output = AnalysisOutput;

    async fn run(
        ctx: &ServerContext,
        a: WorkoutIdArgs,
    ) -> Result<(AnalysisOutput, String), ToolError> {
        let w = fetch(ctx, a.id()?).await?;
        let ftp = ctx.ftp_if_needed(std::iter::once(&w)).await;
        let records = if w.personal_record_count.unwrap_or(0) > 0 {
            ctx.workout_records(w.workout_id)
                .await
                .map(|r| r.personal_records)
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        let labels: Vec<String> = records
            .iter()
            .filter(|r| !r.invalid)
            .map(|r| {
                format!(
                    "{} {} ({}{})",
                    r.class.as_deref().unwrap_or("?"),
                    r.record_type.as_deref().unwrap_or("?"),
                    r.time_frame.as_deref().unwrap_or("?"),
                    r.rank.map(|n| format!(", rank {n}")).unwrap_or_default()
                )
            })
            .collect();
        let out = AnalysisOutput {
            metrics: tp_fitness::analyze_workout(&w, ftp),
            ftp_w: ftp,
            average_power_w: w.power_average,
            normalized_power_w: w.normalized_power_actual,
            max_power_w: w.power_maximum,
            average_hr_bpm: w.heart_rate_average,
            max_hr_bpm: w.heart_rate_maximum,
            personal_records: labels.len(),
            personal_record_labels: labels,
        };
        let mut text = render(&out);
        text.push_str(&render_texts(&w));
        Ok((out, text))
    }
}

fn render(out: &AnalysisOutput) -> String {
    let m = &out.metrics;
    let mut t = format!(
        "Analysis of workout {} — {} ({}, {})\n\n",
        m.workout_id,
        m.title,
        m.sport_name,
        m.date.map(format::day).unwrap_or_else(|| "no date".into())
    );
    if !m.completed {
        t.push_str("This workout is planned, not completed: only planned values exist.\n\n");
    }
    t.push_str(&format!(
        "  Duration: {}   Distance: {}\n",
        format::opt_duration(m.duration_hours),
        format::opt_distance(m.distance_m)
    ));
    t.push_str(&format!(
        "  TSS: {}{}   TSS/hour: {}\n",
        format::num(m.tss, 1),
        m.tss_method
            .as_ref()
            .map(|s| format!(" ({s})"))
            .unwrap_or_default(),
        format::num(m.tss_per_hour, 1)
    ));
    if let Some(i) = &m.intensity_factor {
        t.push_str(&format!("  Intensity factor: {:.2}\n", i.value));
    }
    if let Some(e) = &m.efficiency_factor {
        t.push_str(&format!("  Efficiency factor: {:.2} {}\n", e.value, e.unit));
    }
    if let Some(v) = &m.variability_index {
        t.push_str(&format!(
            "  Variability index: {:.2} ({})\n",
            v.value,
            v.label.label()
        ));
    }
    if let Some(sp) = &m.speed {
        let pace = match (sp.pace_min_per_km, sp.pace_min_per_100m) {
            (Some(_), _) => format!(" — {}", format::pace_per_km(sp.m_per_s)),
            (_, Some(_)) => format!(" — {}", format::pace_per_100m(sp.m_per_s)),
            _ => String::new(),
        };
        t.push_str(&format!("  Speed: {:.1} km/h{pace}\n", sp.km_per_h));
    }
    if out.normalized_power_w.is_some() || out.average_power_w.is_some() {
        t.push_str(&format!(
            "  Power: avg {}, NP {}, max {}\n",
            format::with_unit(out.average_power_w, 0, "W"),
            format::with_unit(out.normalized_power_w, 0, "W"),
            format::with_unit(out.max_power_w, 0, "W")
        ));
    }
    if out.average_hr_bpm.is_some() {
        t.push_str(&format!(
            "  Heart rate: avg {}, max {}\n",
            format::with_unit(out.average_hr_bpm, 0, "bpm"),
            format::with_unit(out.max_hr_bpm, 0, "bpm")
        ));
    }
    if let Some(c) = &m.compliance {
        t.push_str("\n  Compliance with the plan:\n");
        let mut item = |name: &str,
                        i: &Option<tp_fitness::workout::ComplianceItem>,
                        fmt: &dyn Fn(f64) -> String| {
            if let Some(i) = i {
                t.push_str(&format!(
                    "    {name:<9} {} of {} planned = {:.0}% ({})\n",
                    fmt(i.actual),
                    fmt(i.planned),
                    i.percent,
                    i.label.label()
                ));
            }
        };
        item("Duration", &c.duration, &format::duration);
        item("Distance", &c.distance, &format::distance);
        item("TSS", &c.tss, &|v| format!("{v:.0}"));
        if let Some(o) = c.overall {
            t.push_str(&format!("    Overall: {}\n", o.label()));
        }
    }
    if let Some(reason) = m.decoupling.reason {
        t.push_str(&format!(
            "\n  Aerobic decoupling: not available — {reason}\n"
        ));
    }
    if !out.personal_record_labels.is_empty() {
        t.push_str(&format!(
            "\n  Personal records set ({}):\n",
            out.personal_records
        ));
        for l in &out.personal_record_labels {
            t.push_str(&format!("    {l}\n"));
        }
    }
    t
}

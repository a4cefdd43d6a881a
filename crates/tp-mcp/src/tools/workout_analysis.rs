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
    /// The analysis of the second-by-second data, when the workout has a
    /// readable device file.
    pub streams: Option<StreamsView>,
    /// Why there is no stream analysis.
    pub streams_note: Option<String>,
}

/// The second-by-second analysis and how it compares with TrainingPeaks.
#[derive(Debug, Serialize, JsonSchema)]
pub struct StreamsView {
    pub analysis: tp_fitness::stream_analysis::StreamAnalysis,
    /// The threshold the analysis used and where it came from.
    pub threshold_note: String,
    /// NP (or NGS), IF and TSS from the stream against TrainingPeaks' own.
    pub versus_trainingpeaks: Vec<Comparison>,
    /// The device's laps.
    pub laps: Vec<tp_model::Lap>,
}

/// One number from the stream against TrainingPeaks'.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Comparison {
    pub metric: String,
    pub from_stream: f64,
    pub trainingpeaks: f64,
    pub difference_percent: f64,
    /// Why they differ, when by more than 2 %.
    pub explanation: Option<String>,
}

impl TpTool for WorkoutAnalysis {
    const NAME: &'static str = "tp_workout_analysis";
    const TITLE: &'static str = "Workout analysis";
    const DESCRIPTION: &'static str = "Analyse one workout by id: duration, distance, TSS and TSS/hour, intensity \
factor, efficiency factor (NP/avg HR in W/bpm for rides; speed/HR for runs), variability index (NP/avg power), \
speed or pace, power and heart-rate profile, compliance with the plan (actual vs planned duration, distance, TSS \
in %), and the personal records it set. From the device file (second by second): NP, IF and TSS recomputed \
and compared with TrainingPeaks', aerobic decoupling (Pw:HR, Pa:HR for runs) and when it means nothing, W′ \
balance (Skiba) with its lowest point, time in the athlete's zones, detected efforts (≥ 88 % of FTP for 2 min \
or more: duration, power, HR, cadence, decoupling, HR recovery) and sprints.";
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
        let (streams, streams_note) = stream_view(ctx, &w).await;
        let out = AnalysisOutput {
            streams,
            streams_note,
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
        text.push_str(&render_streams(&out));
        text.push_str(&render_texts(&w));
        Ok((out, text))
    }
}

/// The thresholds in force for a workout and where they came from.
pub(crate) struct Thresholds {
    pub ftp: Option<f64>,
    pub threshold_speed: Option<f64>,
    pub note: String,
}

/// The threshold in force on the workout's day, as TrainingPeaks' own IF
/// implies it (NP / IF for rides, NGS / IF for runs); else today's settings.
pub(crate) fn thresholds_for(
    w: &tp_model::Workout,
    settings: &tp_model::AthleteSettings,
) -> Thresholds {
    let type_id = w.workout_type_value_id.unwrap_or(0);
    let sport = w.sport();
    let implied = |value: Option<f64>| {
        value
            .zip(w.intensity_factor)
            .filter(|(v, i)| *v > 0.0 && *i > 0.0)
            .map(|(v, i)| v / i)
    };
    let is_run = matches!(sport, tp_model::Sport::Run | tp_model::Sport::Walk);
    if is_run || sport == tp_model::Sport::Swim {
        let speed = implied(w.normalized_speed_actual).filter(|_| is_run);
        let note = match speed {
            Some(s) => format!(
                "threshold speed {s:.2} m/s, implied by TrainingPeaks' NGS / IF for this workout"
            ),
            None => "threshold speed from the athlete's settings (today's)".into(),
        };
        Thresholds {
            ftp: settings.ftp(),
            threshold_speed: speed.or(settings.threshold_speed(type_id)),
            note,
        }
    } else {
        let implied_ftp = implied(w.normalized_power_actual);
        let note = match implied_ftp {
            Some(f) => format!(
                "FTP {f:.0} W, implied by TrainingPeaks' NP / IF for this workout (the FTP in force that day)"
            ),
            None => "FTP from the athlete's settings (today's)".into(),
        };
        Thresholds {
            ftp: implied_ftp.or(settings.ftp()),
            threshold_speed: settings.threshold_speed(type_id),
            note,
        }
    }
}

/// The stream analysis of a completed workout, or why there is none.
async fn stream_view(
    ctx: &ServerContext,
    w: &tp_model::Workout,
) -> (Option<StreamsView>, Option<String>) {
    use tp_fitness::critical_power::{self as cp, DurationWindow};
    use tp_fitness::stream_analysis::{AnalysisInputs, analyze_streams};
    if !w.is_completed() {
        return (None, Some("planned, not completed: no device file".into()));
    }
    let stored = match ctx.workout_streams(w).await {
        Ok(tp_store::StreamsOutcome::Stored(s)) => s,
        Ok(tp_store::StreamsOutcome::NoFile) => {
            return (
                None,
                Some("entered by hand: no device file, so no second-by-second analysis".into()),
            );
        }
        Ok(tp_store::StreamsOutcome::Unreadable(why)) => {
            return (
                None,
                Some(format!("the device file could not be read: {why}")),
            );
        }
        Err(e) => {
            return (
                None,
                Some(format!("the device file could not be fetched: {e}")),
            );
        }
    };
    let settings = ctx.settings().await.unwrap_or_default();
    let type_id = w.workout_type_value_id.unwrap_or(0);
    let sport = w.sport();
    let is_run = matches!(sport, tp_model::Sport::Run | tp_model::Sport::Walk);
    let Thresholds {
        ftp,
        threshold_speed,
        note: threshold_note,
    } = thresholds_for(w, &settings);
    // CP and W′ for W′ balance: fitted to the cached power curves of the 90
    // days before the workout, when they allow it (no request).
    let (mut cp_w, mut w_prime_j) = (None, None);
    if let Some(day) = w.workout_day {
        let from = day.checked_sub_days(chrono::Days::new(89)).unwrap_or(day);
        let curves = ctx
            .cached_curves_between(
                from,
                day,
                &[tp_model::Sport::Bike, tp_model::Sport::MountainBike],
                tp_model::ChannelKind::Power,
            )
            .await;
        let view: Vec<tp_fitness::range_curve::WorkoutCurve> = curves
            .iter()
            .map(|(id, d, c)| tp_fitness::range_curve::WorkoutCurve {
                workout_id: *id,
                date: *d,
                curve: c,
            })
            .collect();
        let durations: Vec<u32> = (120..=1200).collect();
        let points: Vec<(u32, f64)> = tp_fitness::range_curve::range_curve(&view, &durations)
            .into_iter()
            .flatten()
            .map(|p| (p.duration_s, p.value))
            .collect();
        if let Ok(fit) = cp::fit_two_parameter(&points, DurationWindow::TWO_PARAMETER) {
            cp_w = Some(fit.cp_w);
            w_prime_j = Some(fit.w_prime_j);
        }
    }
    let inputs = AnalysisInputs {
        streams: &stored.activity.streams,
        sport,
        ftp_w: ftp,
        threshold_speed_m_s: threshold_speed,
        lthr_bpm: settings.lthr(type_id),
        cp_w,
        w_prime_j,
        power_zones: settings
            .power_zones_for(type_id)
            .filter(|_| !is_run && sport != tp_model::Sport::Swim),
        hr_zones: settings.hr_zones_for(type_id),
        speed_zones: (is_run || sport == tp_model::Sport::Swim)
            .then(|| settings.speed_zones_for(type_id))
            .flatten(),
    };
    let analysis = analyze_streams(&inputs);
    let mut versus = Vec::new();
    let mut compare =
        |metric: &str, ours: Option<f64>, theirs: Option<f64>, why: &dyn Fn(f64) -> String| {
            if let (Some(a), Some(b)) = (ours, theirs)
                && b > 0.0
            {
                let diff = (a / b - 1.0) * 100.0;
                versus.push(Comparison {
                    metric: metric.into(),
                    from_stream: a,
                    trainingpeaks: b,
                    difference_percent: diff,
                    explanation: (diff.abs() > 2.0).then(|| why(diff)),
                });
            }
        };
    let load = &analysis.load;
    if let Some(p) = &load.power {
        compare(
            "normalized_power_w",
            p.normalized_power_w,
            w.normalized_power_actual,
            &|_| {
                "TrainingPeaks computes NP on its own copy of the samples (its handling of pauses, dropouts and zeros may differ); the stream NP here uses every recorded second in order."
                .into()
            },
        );
        compare(
            "average_power_w",
            Some(p.average_power_w),
            w.power_average,
            &|_| "TrainingPeaks may count pauses or coasting differently in its average.".into(),
        );
    }
    if let Some(g) = &load.graded_speed {
        compare(
            "normalized_graded_speed_m_s",
            g.normalized_graded_speed_m_s,
            w.normalized_speed_actual,
            &|_| {
                "TrainingPeaks' NGP uses its own grade model and smoothing; here grade comes from altitude and distance over 40 m and Minetti's cost of running."
                .into()
            },
        );
    }
    compare(
        "intensity_factor",
        load.intensity_factor,
        w.intensity_factor,
        &|_| format!("the threshold differs: this analysis used {threshold_note}"),
    );
    compare("tss", load.tss, w.tss_actual, &|_| {
        "TSS follows IF² × hours: a different IF or a different recorded time (TrainingPeaks may count elapsed rather than timer time) moves it."
            .into()
    });
    (
        Some(StreamsView {
            analysis,
            threshold_note,
            versus_trainingpeaks: versus,
            laps: stored.activity.laps.clone(),
        }),
        None,
    )
}

fn clock(s: u32) -> String {
    format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

fn render_streams(out: &AnalysisOutput) -> String {
    let Some(v) = &out.streams else {
        return out
            .streams_note
            .as_ref()
            .map(|n| format!("\n  From the seconds: none — {n}.\n"))
            .unwrap_or_default();
    };
    let a = &v.analysis;
    let mut t = format!(
        "\nFrom the seconds (device file, {} recorded of {} elapsed):\n",
        clock(a.recorded_s),
        clock(a.elapsed_s)
    );
    if let Some(p) = &a.load.power {
        t.push_str(&format!(
            "  Power: avg {:.0} W, NP {}\n",
            p.average_power_w,
            format::with_unit(p.normalized_power_w, 0, "W")
        ));
    }
    if let Some(g) = &a.load.graded_speed {
        t.push_str(&format!(
            "  Normalized graded speed: {}\n",
            g.normalized_graded_speed_m_s
                .map(format::pace_per_km)
                .unwrap_or_else(|| "-".into())
        ));
    }
    t.push_str(&format!(
        "  IF {} · TSS {} ({})\n",
        format::num(a.load.intensity_factor, 2),
        format::num(a.load.tss, 1),
        v.threshold_note
    ));
    for c in &v.versus_trainingpeaks {
        let label = match c.metric.as_str() {
            "normalized_power_w" => "NP (W)",
            "average_power_w" => "avg power (W)",
            "normalized_graded_speed_m_s" => "NGS (m/s)",
            "intensity_factor" => "IF",
            "tss" => "TSS",
            other => other,
        };
        t.push_str(&format!(
            "    {} {:.2} vs TrainingPeaks {:.2} ({:+.1} %){}\n",
            label,
            c.from_stream,
            c.trainingpeaks,
            c.difference_percent,
            c.explanation
                .as_ref()
                .map(|e| format!(" — {e}"))
                .unwrap_or_default()
        ));
    }
    let e = &a.efficiency;
    let _ = e;
    let d = &a.decoupling;
    match (d.percent, d.meaningful) {
        (Some(p), true) => t.push_str(&format!(
            "  Aerobic decoupling: {p:.1} % ({})\n",
            d.label
                .map(|l| format!("{l:?}").to_lowercase())
                .unwrap_or_default()
        )),
        (Some(p), false) => t.push_str(&format!(
            "  Aerobic decoupling: {p:.1} %, but it means little here — {}\n",
            d.reasons.join("; ")
        )),
        (None, _) => t.push_str(&format!(
            "  Aerobic decoupling: not computed — {}\n",
            d.reasons.join("; ")
        )),
    }
    if let Some(b) = &a.w_prime_balance.balance {
        t.push_str(&format!(
            "  W′ balance: lowest {:.1} kJ ({:.0} % of W′ {:.1} kJ, CP {:.0} W) at {}; {} s below 25 %\n",
            b.minimum_j / 1000.0,
            b.minimum_percent,
            b.w_prime_j / 1000.0,
            b.cp_w,
            clock(b.minimum_at_s),
            b.seconds_below_25_percent
        ));
    } else if !a.w_prime_balance.notes.is_empty() {
        t.push_str(&format!(
            "  W′ balance: {}\n",
            a.w_prime_balance.notes.join("; ")
        ));
    }
    for z in [
        &a.time_in_zones.power,
        &a.time_in_zones.heart_rate,
        &a.time_in_zones.speed,
    ]
    .into_iter()
    .flatten()
    {
        let parts: Vec<String> = z
            .zones
            .iter()
            .filter(|zs| zs.seconds > 0)
            .map(|zs| {
                format!(
                    "{} {}",
                    zs.label.clone().unwrap_or_else(|| format!("Z{}", zs.zone)),
                    format::percent(zs.share)
                )
            })
            .collect();
        t.push_str(&format!(
            "  Time in {} zones: {}\n",
            z.channel.replace('_', " "),
            parts.join(", ")
        ));
    }
    if !a.efforts.efforts.is_empty() {
        t.push_str(&format!("  Efforts ({}):\n", a.efforts.efforts.len()));
        let mut table = format::Table::new([
            "start",
            "duration",
            "avg",
            "NP",
            "% thr",
            "avg HR",
            "cadence",
            "HR recovery",
        ]);
        for ef in &a.efforts.efforts {
            table.row([
                clock(ef.start_s),
                clock(ef.duration_s),
                ef.average_power_w
                    .map(|p| format!("{p:.0} W"))
                    .or_else(|| ef.average_graded_speed_m_s.map(format::pace_per_km))
                    .unwrap_or_else(|| "-".into()),
                format::with_unit(ef.normalized_power_w, 0, "W"),
                format::num(ef.percent_of_ftp.or(ef.percent_of_threshold_speed), 0),
                format::num(ef.average_heart_rate_bpm, 0),
                format::num(ef.average_cadence_rpm, 0),
                ef.heart_rate_recovery_bpm
                    .map(|r| format!("−{r:.0} bpm in 60 s"))
                    .unwrap_or_else(|| "-".into()),
            ]);
        }
        t.push_str(&table.render());
    } else if let Some(why) = &a.efforts.reason {
        t.push_str(&format!("  Efforts: none found — {why}\n"));
    }
    if !a.efforts.sprints.is_empty() {
        t.push_str(&format!("  Sprints: {}\n", a.efforts.sprints.len()));
    }
    if !v.laps.is_empty() {
        t.push_str(&format!(
            "  Device laps: {} (tp_get_workout_streams lists them)\n",
            v.laps.len()
        ));
    }
    t
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
    if let (Some(reason), None) = (m.decoupling.reason, &out.streams) {
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

//! `tp_performance_summary`: volume, averages, consistency and bests for one sport.

use super::TpTool;
use crate::answer::ToolError;
use crate::args;
use crate::context::ServerContext;
use crate::format;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use tp_fitness::PerformanceSummary as Summary;
use tp_model::Sport;

pub struct PerformanceSummary;

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SummaryArgs {
    /// The sport (default Bike; "Bike" includes mountain-bike rides). Swim, Run, Strength, ... or "all".
    pub sport: Option<String>,
    /// Days to analyse, ending today (default 90).
    #[serde(default, deserialize_with = "args::lenient_int")]
    #[schemars(with = "Option<i64>")]
    pub days: Option<i64>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct SummaryOutput {
    /// The sport asked for ("all" for every sport).
    pub sport: String,
    pub summary: Summary,
    /// FTP used to classify rides without an IF, W.
    pub ftp_w: Option<f64>,
}

impl TpTool for PerformanceSummary {
    const NAME: &'static str = "tp_performance_summary";
    const TITLE: &'static str = "Performance summary by sport";
    const DESCRIPTION: &'static str = "Summarise one sport over the last N days (default Bike, 90 days): sessions, \
total and average duration (h), distance (km), TSS and elevation, average/min/max of IF, normalized power (W), \
average power, heart rate (bpm) and speed, consistency (share of weeks with training), sessions per week, IF \
distribution, personal records count, and the best values with the workouts they came from.";
    type Args = SummaryArgs;
    type Output = SummaryOutput;

    async fn run(
        ctx: &ServerContext,
        a: SummaryArgs,
    ) -> Result<(SummaryOutput, String), ToolError> {
        let raw = a.sport.as_deref().unwrap_or("Bike").trim().to_string();
        let sports: Vec<Sport> = if raw.eq_ignore_ascii_case("all") {
            Vec::new()
        } else {
            match args::sport("sport", &raw)? {
                Sport::Bike => vec![Sport::Bike, Sport::MountainBike],
                s => vec![s],
            }
        };
        let days = args::days("days", a.days.unwrap_or(90), args::MAX_RANGE_DAYS)?;
        let end = ctx.today();
        let start = args::first_of_last_days(end, days);
        let workouts = ctx.workouts(start, end).await?;
        let ftp = ctx.ftp_if_needed(&workouts).await;
        let summary = tp_fitness::performance_summary(&workouts, &sports, start, end, ftp);
        let sport = if sports.is_empty() {
            "all".to_string()
        } else {
            sports[0].to_string()
        };
        let out = SummaryOutput {
            sport,
            summary,
            ftp_w: ftp,
        };
        let text = render(&out);
        Ok((out, text))
    }
}

fn stats_line(
    name: &str,
    s: &Option<tp_fitness::summary::MetricStats>,
    unit: &str,
    decimals: usize,
) -> String {
    match s {
        Some(m) => format!(
            "  {name:<15} avg {:.d$}{unit}, min {:.d$}{unit}, max {:.d$}{unit} ({} workouts)\n",
            m.mean,
            m.min,
            m.max,
            m.count,
            d = decimals
        ),
        None => String::new(),
    }
}

fn render(out: &SummaryOutput) -> String {
    let s = &out.summary;
    let mut t = format!(
        "{} performance summary, {} to {}\n\n",
        out.sport, s.start, s.end
    );
    if s.sessions == 0 {
        t.push_str("No completed workouts of this sport in the period.\n");
        return t;
    }
    t.push_str(&format!(
        "  Volume: {} sessions, {} h, {}, {:.0} TSS, {:.0} m climbing\n",
        s.sessions,
        format::duration(s.total_hours),
        format::distance(s.total_distance_m),
        s.total_tss,
        s.total_elevation_gain_m
    ));
    t.push_str(&format!(
        "  Per session: {} h, {}, {} TSS\n",
        format::opt_duration(s.avg_hours),
        format::opt_distance(s.avg_distance_m),
        format::num(s.avg_tss, 0)
    ));
    t.push_str(&format!(
        "  Consistency: trained in {} of {} weeks ({}), {} sessions/week\n",
        s.active_weeks,
        s.weeks,
        s.consistency_pct.map_or("-".into(), |p| format!("{p:.0}%")),
        format::num(s.sessions_per_week, 1)
    ));
    t.push_str(&stats_line("IF:", &s.intensity_factor, "", 2));
    t.push_str(&stats_line("NP:", &s.normalized_power, " W", 0));
    t.push_str(&stats_line("Avg power:", &s.average_power, " W", 0));
    t.push_str(&stats_line("Avg HR:", &s.average_heart_rate, " bpm", 0));
    t.push_str(&stats_line("Max HR:", &s.max_heart_rate, " bpm", 0));
    if let Some(sp) = &s.average_speed {
        t.push_str(&format!(
            "  Avg speed:      avg {}, max {}\n",
            format::kmh(sp.mean),
            format::kmh(sp.max)
        ));
    }
    t.push_str(&format!("  Personal records set: {}\n", s.personal_records));
    let b = &s.best;
    let best = |name: &str,
                v: &Option<tp_fitness::summary::Best>,
                shown: &dyn Fn(f64) -> String|
     -> String {
        v.as_ref().map_or(String::new(), |b| {
            format!(
                "    {name:<18} {} — {} ({}, id {})\n",
                shown(b.value),
                b.title,
                b.date.map(|d| d.to_string()).unwrap_or_default(),
                b.workout_id
            )
        })
    };
    t.push_str("\n  Bests in the period:\n");
    t.push_str(&best("Normalized power", &b.max_normalized_power, &|v| {
        format!("{v:.0} W")
    }));
    t.push_str(&best("Average power", &b.max_average_power, &|v| {
        format!("{v:.0} W")
    }));
    t.push_str(&best("Longest", &b.longest, &format::duration));
    t.push_str(&best("Farthest", &b.farthest, &format::distance));
    t.push_str(&best(
        "Fastest average",
        &b.fastest_average_speed,
        &format::kmh,
    ));
    t.push_str(&best("Highest TSS", &b.highest_tss, &|v| format!("{v:.0}")));
    t
}

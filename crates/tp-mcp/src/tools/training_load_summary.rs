//! `tp_training_load_summary`: weekly and monthly load, ramp rate, monotony.

use super::TpTool;
use crate::answer::ToolError;
use crate::args;
use crate::context::ServerContext;
use crate::format;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use tp_fitness::form::FormStatus;
use tp_fitness::{LoadSummary, PmcParams};

pub struct TrainingLoadSummary;

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LoadArgs {
    /// Days to analyse, ending today (default 90).
    #[serde(default, deserialize_with = "args::lenient_int")]
    #[schemars(with = "Option<i64>")]
    pub days: Option<i64>,
}

/// Training load over the window.
#[derive(Debug, Serialize, JsonSchema)]
pub struct LoadOutput {
    pub summary: LoadSummary,
    /// Today's fitness, with the real ramp rate (CTL change over 7 days).
    pub fitness: Option<FormStatus>,
}

impl TpTool for TrainingLoadSummary {
    const NAME: &'static str = "tp_training_load_summary";
    const TITLE: &'static str = "Training load summary";
    const DESCRIPTION: &'static str = "How much the athlete trained: TSS, hours and sessions per ISO week \
(Mon–Sun) and per calendar month, averages over full weeks, training vs rest days, TSS per hour, Foster \
monotony and strain for the last 7 days, the last 4 full weeks vs the 4 before, and the ramp rate (CTL change \
per week) from the whole-history PMC. Default: last 90 days.";
    type Args = LoadArgs;
    type Output = LoadOutput;

    async fn run(ctx: &ServerContext, a: LoadArgs) -> Result<(LoadOutput, String), ToolError> {
        let days = args::days("days", a.days.unwrap_or(90), args::MAX_RANGE_DAYS)?;
        let end = ctx.today();
        let start = args::first_of_last_days(end, days);
        let workouts = ctx.workouts(start, end).await?;
        let summary = tp_fitness::training_load_summary(&workouts, start, end);
        let history = ctx.fitness_history(&PmcParams::default(), 0).await?;
        let fitness = FormStatus::latest(&history.series);
        let out = LoadOutput { summary, fitness };
        let text = render(&out);
        Ok((out, text))
    }
}

fn render(out: &LoadOutput) -> String {
    let s = &out.summary;
    let mut t = format!(
        "Training load {} to {} ({} days)\n\n",
        s.start, s.end, s.days
    );
    t.push_str(&format!(
        "  Total: {:.0} TSS, {} h, {} sessions; {} training days, {} rest days\n",
        s.total_tss,
        format::duration(s.total_hours),
        s.sessions,
        s.training_days,
        s.rest_days
    ));
    t.push_str(&format!(
        "  Average: {} TSS/day, {} TSS/week over {} full weeks ({} h/week); {} TSS/hour\n",
        format::num(s.avg_daily_tss, 0),
        format::num(s.avg_weekly_tss_full_weeks, 0),
        s.full_weeks,
        format::num(s.avg_weekly_hours_full_weeks, 1),
        format::num(s.tss_per_hour, 0)
    ));
    if let Some(f) = &out.fitness {
        t.push_str(&format!(
            "  Fitness today: CTL {:.1}, ATL {:.1}, TSB {:+.1} ({})\n",
            f.ctl,
            f.atl,
            f.tsb,
            f.form.label()
        ));
        if let (Some(r), Some(l)) = (f.ramp_rate, f.ramp_level) {
            t.push_str(&format!(
                "  Ramp rate: {:+.1} CTL/week — {}\n",
                r,
                l.label()
            ));
        }
    }
    if let Some(b) = &s.block_comparison {
        t.push_str(&format!(
            "  Last 4 full weeks (from {}): {:.0} TSS/week vs {:.0} in the 4 before{}\n",
            b.recent_from,
            b.recent_avg_weekly_tss,
            b.previous_avg_weekly_tss,
            b.change_pct
                .map(|p| format!(" ({p:+.0}%)"))
                .unwrap_or_default()
        ));
    }
    if let Some(m) = &s.monotony {
        t.push_str(&format!(
            "  Last 7 days: {:.0} TSS, monotony {}, strain {}{}\n",
            m.weekly_tss,
            format::num(m.monotony, 2),
            format::num(m.strain, 0),
            if m.high {
                " — high monotony (> 2.0): vary hard and easy days"
            } else {
                ""
            }
        ));
    }
    t.push_str("\nBy ISO week:\n");
    let mut table = format::Table::new([
        "Week",
        "Monday",
        "TSS",
        "Hours",
        "Sessions",
        "Training days",
    ]);
    for w in &s.weeks {
        table.row([
            format!(
                "{}-W{:02}{}",
                w.iso_year,
                w.iso_week,
                if w.partial { "*" } else { "" }
            ),
            w.monday.to_string(),
            format!("{:.0}", w.tss),
            format!("{:.1}", w.hours),
            w.sessions.to_string(),
            w.training_days.to_string(),
        ]);
    }
    t.push_str(&table.render());
    if s.weeks.iter().any(|w| w.partial) {
        t.push_str("* partial week (only part of it is in the window; left out of averages)\n");
    }
    t.push_str("\nBy month:\n");
    let mut table = format::Table::new(["Month", "TSS", "Hours", "Sessions", "Training days"]);
    for m in &s.months {
        table.row([
            format!(
                "{}-{:02}{}",
                m.year,
                m.month,
                if m.partial { "*" } else { "" }
            ),
            format!("{:.0}", m.tss),
            format!("{:.1}", m.hours),
            m.sessions.to_string(),
            m.training_days.to_string(),
        ]);
    }
    t.push_str(&table.render());
    t
}

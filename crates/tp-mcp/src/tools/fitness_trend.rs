//! `tp_fitness_trend`: where fitness is heading, and a projection from the planned calendar.

use super::TpTool;
use super::pmc_args::PmcOptions;
use crate::answer::ToolError;
use crate::args::{self, ArgError};
use crate::context::ServerContext;
use crate::format;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use tp_fitness::{Projection, ProjectionSource, Trend};

pub struct FitnessTrend;

#[derive(Debug, Default, Deserialize, JsonSchema)]
pub struct TrendArgs {
    /// Days of history to analyse, ending today (default 90).
    #[serde(default, deserialize_with = "args::lenient_int")]
    #[schemars(with = "Option<i64>")]
    pub days: Option<i64>,
    /// Days to project ahead from the planned workouts on the calendar (default 7, up to 180).
    #[serde(default, deserialize_with = "args::lenient_int")]
    #[schemars(with = "Option<i64>")]
    pub projection_days: Option<i64>,
    #[serde(flatten)]
    pub pmc: PmcOptions,
}

/// Trend and projection.
#[derive(Debug, Serialize, JsonSchema)]
pub struct TrendOutput {
    pub trend: Trend,
    pub projection: Projection,
    /// Direction thresholds used.
    pub direction_rule: String,
}

impl TpTool for FitnessTrend {
    const NAME: &'static str = "tp_fitness_trend";
    const TITLE: &'static str = "Fitness trend and projection";
    const DESCRIPTION: &'static str = "Is the athlete building, maintaining or losing fitness? Current CTL/ATL/TSB, \
their 7- and 30-day changes, ramp rate (CTL/week) with warning level, peak fitness and deepest fatigue dates in \
the window (default 90 days), and a projection of CTL/ATL/TSB for the next days (default 7, up to 180) from the \
planned workouts' TSS on the calendar (an empty day inside the planned period is a rest day); only after the last \
planned workout does it use the last 28 days' average, and the answer says which days used which. Use it for 'how will I be on race day' questions.";
    type Args = TrendArgs;
    type Output = TrendOutput;

    async fn run(ctx: &ServerContext, a: TrendArgs) -> Result<(TrendOutput, String), ToolError> {
        let params = a.pmc.params()?;
        let days = args::days("days", a.days.unwrap_or(90), args::MAX_RANGE_DAYS)?;
        let horizon = args::days("projection_days", a.projection_days.unwrap_or(7), 180)?;
        let history = ctx.fitness_history(&params, horizon).await?;
        let today = history.today;
        let start = args::first_of_last_days(today, days);
        let trend = tp_fitness::fitness_trend(&history.series, start, today)
            .ok_or_else(|| ArgError::new("days", "no fitness data in that window"))?;
        let projection = tp_fitness::projection::project_from_loads(
            &history.series,
            &history.loads,
            horizon as u32,
        )
        .map_err(|e| ArgError::new("projection_days", e.to_string()))?;
        let out = TrendOutput {
            trend,
            projection,
            direction_rule: tp_fitness::trend::DIRECTION_RULE.to_string(),
        };
        let text = render(&out, days);
        Ok((out, text))
    }
}

fn render(out: &TrendOutput, days: u64) -> String {
    let t = &out.trend;
    let mut s = format!("Fitness trend, last {days} days (to {})\n\n", t.as_of);
    s.push_str(&format!(
        "  CTL {:.1}   ATL {:.1}   TSB {:+.1} ({})\n",
        t.ctl,
        t.atl,
        t.tsb,
        t.form.label()
    ));
    let change = |v: Option<f64>| v.map_or("-".to_string(), |x| format::signed(x, 1));
    s.push_str(&format!(
        "  CTL change: 7 days {}, 30 days {}   ATL 7 days {}   TSB 7 days {}\n",
        change(t.ctl_change_7d),
        change(t.ctl_change_30d),
        change(t.atl_change_7d),
        change(t.tsb_change_7d)
    ));
    if let Some(level) = t.ramp_level {
        s.push_str(&format!(
            "  Ramp rate: {} CTL/week — {}\n",
            change(t.ctl_change_7d),
            level.label()
        ));
    }
    if let Some(d) = t.direction {
        let label = match d {
            tp_fitness::Direction::Building => "building fitness",
            tp_fitness::Direction::Maintaining => "maintaining fitness",
            tp_fitness::Direction::Detraining => "detraining (fitness falling)",
        };
        s.push_str(&format!("  Direction: {label}\n"));
    }
    s.push_str(&format!(
        "  Peak fitness: CTL {:.1} on {}   Deepest fatigue: TSB {:+.1} on {}   Freshest: TSB {:+.1} on {}\n",
        t.peak_fitness.value, t.peak_fitness.date, t.deepest_fatigue.value, t.deepest_fatigue.date, t.freshest.value, t.freshest.date
    ));
    let p = &out.projection;
    s.push_str(&format!(
        "\nProjection, next {} days ({} from the planned calendar, rest days included; {} past the plan at the recent average of {:.0} TSS/day):\n",
        p.horizon_days, p.planned_days, p.fallback_days, p.fallback_daily_tss
    ));
    let mut table = format::Table::new(["Date", "TSS", "Source", "CTL", "ATL", "TSB", "Form"]);
    for d in &p.days {
        table.row([
            format::day(d.date),
            format!("{:.0}", d.tss),
            match d.source {
                ProjectionSource::Planned if d.tss == 0.0 => "rest (plan)".to_string(),
                ProjectionSource::Planned => "planned".to_string(),
                ProjectionSource::Fallback => "average".to_string(),
            },
            format!("{:.1}", d.ctl),
            format!("{:.1}", d.atl),
            format!("{:+.1}", d.tsb),
            d.form.label().to_string(),
        ]);
    }
    s.push_str(&table.render());
    s.push_str(&format!("\n{}.\n", t.convention));
    s
}

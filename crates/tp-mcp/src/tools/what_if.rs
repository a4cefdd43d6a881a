//! `tp_what_if`: the PMC path of a hypothetical load from tomorrow — a list
//! of daily TSS or a weekly pattern — beside the calendar's own projection.

use super::TpTool;
use super::plan_race::{AsPlannedDay, RaceDayOut};
use super::pmc_args::PmcOptions;
use crate::answer::ToolError;
use crate::args::{self, ArgError};
use crate::context::ServerContext;
use crate::format;
use chrono::{Datelike, Days, NaiveDate};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use tp_fitness::form::FormLabel;
use tp_fitness::projection::{self, MAX_LONG_HORIZON_DAYS, Projection};
use tp_fitness::race_plan::{self, PlanWeek};

pub struct WhatIf;

#[derive(Debug, Default, Deserialize, JsonSchema)]
pub struct WhatIfArgs {
    /// TSS for each day from tomorrow, in order, e.g. [80, 0, 120, 60]. Give this or weekly_tss.
    pub daily_tss: Option<Vec<f64>>,
    /// A weekly pattern, Monday first: 7 numbers, e.g. [0, 90, 60, 110, 0, 180, 120]. Repeated from tomorrow.
    pub weekly_tss: Option<Vec<f64>>,
    /// Days to follow (default: the daily_tss list's length, or 28 for a weekly pattern; up to 366).
    #[serde(default, deserialize_with = "args::lenient_int")]
    #[schemars(with = "Option<i64>")]
    pub days: Option<i64>,
    #[serde(flatten)]
    pub pmc: PmcOptions,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct WhatIfOutput {
    pub today: NaiveDate,
    pub start_ctl: f64,
    pub start_atl: f64,
    /// The hypothetical path, tomorrow first.
    pub days: Vec<AsPlannedDay>,
    /// The state at the end of the last day (TSB: coming into the day after).
    pub end: RaceDayOut,
    pub weeks: Vec<PlanWeek>,
    /// The highest 7-day CTL change on the path, and its day.
    pub max_ramp: f64,
    pub max_ramp_date: NaiveDate,
    /// The lowest TSB on the path, and its day.
    pub min_tsb: f64,
    pub min_tsb_date: NaiveDate,
    /// The same days as the calendar has them (planned workouts, then the recent average).
    pub as_planned_end: RaceDayOut,
    pub convention: String,
}

impl TpTool for WhatIf {
    const NAME: &'static str = "tp_what_if";
    const TITLE: &'static str = "What-if load path";
    const DESCRIPTION: &'static str = "What happens to fitness (CTL), fatigue (ATL) and form (TSB) if the athlete \
trains a given load from tomorrow? Give daily_tss (a list, tomorrow first) or weekly_tss (7 numbers, Monday first, \
repeated) and optionally days (up to 366). Returns the day-by-day PMC path in the athlete's own convention, weekly \
totals, the steepest ramp and the deepest TSB, and where the calendar's own plan would end on the same day. Use \
tp_plan_race for the optimal load toward a race.";
    type Args = WhatIfArgs;
    type Output = WhatIfOutput;

    async fn run(ctx: &ServerContext, a: WhatIfArgs) -> Result<(WhatIfOutput, String), ToolError> {
        let params = a.pmc.params()?;
        let (argument, loads) = match (&a.daily_tss, &a.weekly_tss) {
            (Some(d), None) => ("daily_tss", d.clone()),
            (None, Some(w)) => ("weekly_tss", w.clone()),
            (Some(_), Some(_)) => {
                return Err(
                    ArgError::new("daily_tss", "give daily_tss or weekly_tss, not both").into(),
                );
            }
            (None, None) => {
                return Err(ArgError::new(
                    "daily_tss",
                    "give daily_tss (a list of daily TSS from tomorrow) or weekly_tss (7 numbers, Monday first)",
                )
                .into());
            }
        };
        if let Some((i, bad)) = loads
            .iter()
            .enumerate()
            .find(|(_, x)| !x.is_finite() || **x < 0.0 || **x > 1500.0)
        {
            return Err(ArgError::new(
                argument,
                format!(
                    "expected TSS from 0 to 1500 per day; item {} is {bad}",
                    i + 1
                ),
            )
            .into());
        }
        let weekly = argument == "weekly_tss";
        if weekly && loads.len() != 7 {
            return Err(ArgError::new(
                "weekly_tss",
                format!("expected 7 numbers, Monday to Sunday; got {}", loads.len()),
            )
            .into());
        }
        if !weekly && loads.is_empty() {
            return Err(ArgError::new("daily_tss", "expected at least one day's TSS").into());
        }
        let default_days = if weekly { 28 } else { loads.len() as i64 };
        let days = args::days(
            "days",
            a.days.unwrap_or(default_days),
            i64::from(MAX_LONG_HORIZON_DAYS),
        )? as u32;

        let history = ctx.fitness_history(&params, u64::from(days)).await?;
        let today = history.today;
        let plan: Vec<(NaiveDate, f64)> = (1..=u64::from(days))
            .map(|i| {
                let date = today + Days::new(i);
                let tss = if weekly {
                    loads[date.weekday().num_days_from_monday() as usize]
                } else {
                    loads.get(i as usize - 1).copied().unwrap_or(0.0)
                };
                (date, tss)
            })
            .collect();
        let path = projection::project_long(&history.series, &plan, days)
            .map_err(|e| ArgError::new("days", e.to_string()))?;
        let calendar =
            projection::project_long(&history.series, &history.loads.planned_after(today), days)
                .map_err(|e| ArgError::new("days", e.to_string()))?;
        let out = output(&history.series, today, &path, &calendar);
        let mut text = render(&out, weekly, &loads);
        if !weekly && days as usize > loads.len() {
            text.push_str(&format!(
                "\nNote: daily_tss has {} day(s); the {} day(s) after it count as rest.\n",
                loads.len(),
                days as usize - loads.len()
            ));
        }
        Ok((out, text))
    }
}

fn end_of(p: &Projection, today: NaiveDate) -> RaceDayOut {
    let (date, ctl, atl) = p
        .days
        .last()
        .map_or((today, p.start_ctl, p.start_atl), |d| {
            (d.date, d.ctl, d.atl)
        });
    RaceDayOut {
        date: date + Days::new(1),
        ctl,
        atl,
        tsb: ctl - atl,
        form: FormLabel::from_tsb(ctl - atl),
    }
}

fn output(
    series: &tp_fitness::FitnessSeries,
    today: NaiveDate,
    path: &Projection,
    calendar: &Projection,
) -> WhatIfOutput {
    // CTL by day, the week before tomorrow from history, for the ramp.
    let mut ctl: Vec<f64> = (0..7)
        .map(|back| {
            let date = today - Days::new(6 - back);
            series.on(date).map_or(path.start_ctl, |d| d.ctl)
        })
        .collect();
    let (mut max_ramp, mut max_ramp_date) = (f64::NEG_INFINITY, today);
    let (mut min_tsb, mut min_tsb_date) = (f64::INFINITY, today);
    for d in &path.days {
        let ramp = d.ctl - ctl[ctl.len() - 7];
        ctl.push(d.ctl);
        if ramp > max_ramp {
            (max_ramp, max_ramp_date) = (ramp, d.date);
        }
        if d.tsb < min_tsb {
            (min_tsb, min_tsb_date) = (d.tsb, d.date);
        }
    }
    WhatIfOutput {
        today,
        start_ctl: path.start_ctl,
        start_atl: path.start_atl,
        days: path.days.iter().map(AsPlannedDay::from).collect(),
        end: end_of(path, today),
        weeks: race_plan::weeks_of(path.days.iter().map(|d| (d.date, d.tss, d.ctl, d.tsb))),
        max_ramp,
        max_ramp_date,
        min_tsb,
        min_tsb_date,
        as_planned_end: end_of(calendar, today),
        convention: path.convention.clone(),
    }
}

fn render(out: &WhatIfOutput, weekly: bool, loads: &[f64]) -> String {
    let n = out.days.len();
    let what = if weekly {
        let names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
        let pattern: Vec<String> = names
            .iter()
            .zip(loads)
            .map(|(d, t)| format!("{d} {t:.0}"))
            .collect();
        format!(
            "the weekly pattern {} ({:.0} TSS/week)",
            pattern.join(" · "),
            loads.iter().sum::<f64>()
        )
    } else {
        format!(
            "{} day(s) of given TSS ({:.0} in all)",
            loads.len(),
            loads.iter().sum::<f64>()
        )
    };
    let mut s = format!(
        "What if: {what}, for {n} days from {}\n\n",
        out.days.first().map_or(out.today, |d| d.date)
    );
    s.push_str(&format!(
        "  Today: CTL {:.1}, ATL {:.1}, TSB {:+.1}\n  After {n} days: CTL {:.1} ({:+.1}), ATL {:.1}, TSB {:+.1} ({}) coming into {}\n",
        out.start_ctl,
        out.start_atl,
        out.start_ctl - out.start_atl,
        out.end.ctl,
        out.end.ctl - out.start_ctl,
        out.end.atl,
        out.end.tsb,
        out.end.form.label(),
        format::day(out.end.date)
    ));
    s.push_str(&format!(
        "  As the calendar stands (planned workouts, then the recent average): CTL {:.1}, TSB {:+.1} on the same day\n",
        out.as_planned_end.ctl, out.as_planned_end.tsb
    ));
    s.push_str(&format!(
        "  Steepest ramp {:+.1} CTL/week (on {}); deepest TSB {:+.1} (on {})\n\n",
        out.max_ramp,
        format::day(out.max_ramp_date),
        out.min_tsb,
        format::day(out.min_tsb_date)
    ));
    let mut table = format::Table::new(["Week of", "Days", "TSS", "CTL end", "TSB end"]);
    for w in &out.weeks {
        table.row([
            format::day(w.week_start),
            w.days.to_string(),
            format!("{:.0}", w.tss),
            format!("{:.1}", w.ctl_end),
            format!("{:+.1}", w.tsb_end),
        ]);
    }
    s.push_str(&table.render());
    s.push_str(&format!("\n{}.\n", out.convention));
    s
}

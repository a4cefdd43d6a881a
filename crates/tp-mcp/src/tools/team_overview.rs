//! `tp_team_overview`: every athlete a coach login can see, in one table —
//! fitness, form, ramp, days since the last workout, this week's load
//! against the plan, readiness — with flags, worst first.

use super::TpTool;
use super::metrics::readiness_text;
use crate::answer::ToolError;
use crate::athletes::{self, VisibleAthlete};
use crate::context::ServerContext;
use crate::format;
use chrono::{Datelike, Days, NaiveDate};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use tp_fitness::PmcParams;
use tp_fitness::form::FormStatus;
use tp_fitness::readiness::{HrvStatus, Readiness};

pub struct TeamOverview;

/// How many athletes are read at once (the client also spaces requests).
const CONCURRENT_ATHLETES: usize = 2;

/// Flag thresholds.
pub const FLAG_TSB_BELOW: f64 = -30.0;
pub const FLAG_RAMP_ABOVE: f64 = 8.0;
pub const FLAG_IDLE_DAYS: i64 = 7;

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OverviewArgs {}

/// Why an athlete needs a look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    /// The athlete's data could not be read.
    Unreadable,
    /// TSB below −30.
    DeepFatigue,
    /// CTL up more than 8 in 7 days.
    SteepRamp,
    /// Nothing completed in 7 days.
    NoTraining,
    /// HRV's 7-day mean under baseline − 1 SD.
    HrvWellBelow,
}

impl Flag {
    pub fn label(self) -> &'static str {
        match self {
            Flag::Unreadable => "could not be read",
            Flag::DeepFatigue => "TSB below −30",
            Flag::SteepRamp => "ramp above 8 CTL/week",
            Flag::NoTraining => "nothing in 7 days",
            Flag::HrvWellBelow => "HRV well below baseline",
        }
    }
}

/// One athlete's line.
#[derive(Debug, Serialize, JsonSchema)]
pub struct AthleteRow {
    pub athlete_id: i64,
    pub name: String,
    pub status: Option<FormStatus>,
    /// Days since the last day with completed TSS (`None`: never trained).
    pub days_since_last_workout: Option<i64>,
    /// This week (Monday to Sunday): TSS completed so far, TSS planned for the whole week.
    pub week_completed_tss: f64,
    pub week_planned_tss: f64,
    pub readiness: Option<Readiness>,
    pub flags: Vec<Flag>,
    /// What went wrong reading this athlete.
    pub error: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct OverviewOutput {
    pub today: NaiveDate,
    pub week_start: NaiveDate,
    /// Worst first: most flags, then lowest TSB.
    pub athletes: Vec<AthleteRow>,
    pub flag_rules: String,
    pub convention: String,
}

impl TpTool for TeamOverview {
    const NAME: &'static str = "tp_team_overview";
    const TITLE: &'static str = "Team overview (coach)";
    const DESCRIPTION: &'static str = "For coaches: every athlete this login can see in one table — CTL, ATL, TSB \
and form, ramp rate, days since the last workout, this week's completed TSS against the week's plan, HRV and resting \
HR readiness — with flags (TSB < −30, ramp > 8 CTL/week, nothing in 7 days, HRV well below baseline), worst first. \
Read from the local cache where fresh; athletes are fetched a few at a time. Then ask any tool with `athlete` for detail.";
    const READS_HISTORY: bool = false;
    type Args = OverviewArgs;
    type Output = OverviewOutput;

    async fn run(
        ctx: &ServerContext,
        _a: OverviewArgs,
    ) -> Result<(OverviewOutput, String), ToolError> {
        let today = ctx.today();
        let user = ctx.profile().await?;
        let list = athletes::visible(&user);
        let week_start = today - Days::new(u64::from(today.weekday().num_days_from_monday()));
        let permits = Arc::new(tokio::sync::Semaphore::new(CONCURRENT_ATHLETES));
        let mut tasks = tokio::task::JoinSet::new();
        for (i, a) in list.into_iter().enumerate() {
            let ctx = ctx.for_athlete(a.athlete_id);
            let permits = permits.clone();
            tasks.spawn(async move {
                let _permit = permits.acquire_owned().await;
                (i, row(&ctx, a, today, week_start).await)
            });
        }
        let mut rows: Vec<(usize, AthleteRow)> = Vec::new();
        while let Some(done) = tasks.join_next().await {
            match done {
                Ok(r) => rows.push(r),
                Err(e) => tracing::warn!(error = %e, "an athlete's overview task failed"),
            }
        }
        rows.sort_by(|(ia, a), (ib, b)| {
            b.flags
                .len()
                .cmp(&a.flags.len())
                .then(tsb(a).total_cmp(&tsb(b)))
                .then(ia.cmp(ib))
        });
        let out = OverviewOutput {
            today,
            week_start,
            athletes: rows.into_iter().map(|(_, r)| r).collect(),
            flag_rules: format!(
                "TSB < {FLAG_TSB_BELOW}; ramp (CTL change over 7 days) > {FLAG_RAMP_ABOVE}; no completed TSS in {FLAG_IDLE_DAYS} days; \
HRV 7-day mean under the 60-day baseline − 1 SD"
            ),
            convention: PmcParams::default().describe(),
        };
        let text = render(&out);
        Ok((out, text))
    }
}

fn tsb(r: &AthleteRow) -> f64 {
    r.status.as_ref().map_or(f64::INFINITY, |s| s.tsb)
}

async fn row(
    ctx: &ServerContext,
    a: VisibleAthlete,
    today: NaiveDate,
    week_start: NaiveDate,
) -> AthleteRow {
    let days_to_sunday = 6 - u64::from(today.weekday().num_days_from_monday());
    let base_from = today - Days::new(tp_fitness::readiness::BASELINE_DAYS as u64 - 1);
    let params = PmcParams::default();
    let (history, metrics) = tokio::join!(
        ctx.fitness_history(&params, days_to_sunday),
        ctx.metrics(base_from, today)
    );
    let mut out = AthleteRow {
        athlete_id: a.athlete_id,
        name: a.name,
        status: None,
        days_since_last_workout: None,
        week_completed_tss: 0.0,
        week_planned_tss: 0.0,
        readiness: None,
        flags: Vec::new(),
        error: None,
    };
    let history = match history {
        Ok(h) => h,
        Err(e) => {
            out.error = Some(e.to_string());
            out.flags.push(Flag::Unreadable);
            return out;
        }
    };
    out.status = FormStatus::at(&history.series, today);
    out.days_since_last_workout = history
        .series
        .days
        .iter()
        .rev()
        .find(|d| d.tss > 0.0)
        .map(|d| (today - d.date).num_days());
    for d in history.loads.days().filter(|d| d.date >= week_start) {
        if d.date <= today {
            out.week_completed_tss += d.tss;
        }
        out.week_planned_tss += d.planned_tss;
    }
    out.readiness = metrics
        .ok()
        .map(|days| tp_fitness::readiness::readiness(&days, today));
    if let Some(s) = &out.status {
        if s.tsb < FLAG_TSB_BELOW {
            out.flags.push(Flag::DeepFatigue);
        }
        if s.ramp_rate.is_some_and(|r| r > FLAG_RAMP_ABOVE) {
            out.flags.push(Flag::SteepRamp);
        }
    }
    if out
        .days_since_last_workout
        .is_none_or(|d| d >= FLAG_IDLE_DAYS)
    {
        out.flags.push(Flag::NoTraining);
    }
    if out
        .readiness
        .as_ref()
        .and_then(|r| r.hrv.as_ref())
        .is_some_and(|h| h.status == HrvStatus::WellBelow)
    {
        out.flags.push(Flag::HrvWellBelow);
    }
    out
}

fn render(out: &OverviewOutput) -> String {
    let mut s = format!(
        "Team overview on {} ({} athlete(s); week from {})\n\n",
        format::day(out.today),
        out.athletes.len(),
        out.week_start
    );
    let mut table = format::Table::new([
        "Athlete", "CTL", "ATL", "TSB", "Ramp", "Last", "Week TSS", "HRV", "Flags",
    ]);
    for r in &out.athletes {
        let st = r.status.as_ref();
        table.row([
            r.name.clone(),
            st.map_or("-".into(), |s| format!("{:.1}", s.ctl)),
            st.map_or("-".into(), |s| format!("{:.1}", s.atl)),
            st.map_or("-".into(), |s| format!("{:+.1}", s.tsb)),
            st.and_then(|s| s.ramp_rate)
                .map_or("-".into(), |v| format!("{v:+.1}")),
            r.days_since_last_workout
                .map_or("never".into(), |d| format!("{d} d ago")),
            format!("{:.0} / {:.0}", r.week_completed_tss, r.week_planned_tss),
            r.readiness
                .as_ref()
                .and_then(|x| x.hrv.as_ref())
                .map_or("-".into(), |h| {
                    format!("{:.0} ms ({:+.1} SD)", h.recent_ms, h.z)
                }),
            if r.flags.is_empty() {
                "ok".into()
            } else {
                r.flags
                    .iter()
                    .map(|f| f.label())
                    .collect::<Vec<_>>()
                    .join("; ")
            },
        ]);
    }
    s.push_str(&table.render());
    for r in &out.athletes {
        if let Some(e) = &r.error {
            s.push_str(&format!("\n{}: {e}\n", r.name));
        } else if let Some(x) = &r.readiness
            && (x.hrv.is_some() || x.resting_hr.is_some())
        {
            s.push_str(&format!("\n{} — readiness:\n{}", r.name, readiness_text(x)));
        }
    }
    s.push_str(&format!(
        "\nWeek TSS = completed so far / planned for the whole week. Flags: {}. {}. Readiness: signals, not medical advice.\n",
        out.flag_rules, out.convention
    ));
    s
}

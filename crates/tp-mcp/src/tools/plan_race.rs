//! `tp_plan_race`: the daily load from tomorrow to the race that maximises
//! race-day fitness within TSB, ramp and daily limits (an exact linear
//! program, `tp_fitness::race_plan`), beside the athlete's own plan.

use super::TpTool;
use super::events::EventView;
use super::pmc_args::PmcOptions;
use crate::answer::ToolError;
use crate::args::{self, ArgError};
use crate::context::ServerContext;
use crate::format;
use chrono::{Datelike, Days, NaiveDate, Weekday};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use tp_fitness::form::FormLabel;
use tp_fitness::race_plan::{
    self, BindingLimit, DailyCap, FixedDay, FixedReason, LimitKind, LoadLevel, PlanDay, PlanError,
    PlanWeek, RaceGoal, RacePriority,
};
use tp_fitness::{ProjectionSource, projection};
use tp_model::Sport;

pub struct PlanRace;

/// One weekday or several: `"Mon"` or `["Mon", "Fri"]`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Weekdays {
    One(String),
    Many(Vec<String>),
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
pub struct PlanRaceArgs {
    /// Race day, YYYY-MM-DD (at least 2 days ahead). Default: TrainingPeaks' focus event, else the next A or B event.
    pub race_date: Option<String>,
    /// Lowest race-day TSB (form coming into race day). Default by the race's priority: A +15, B +5, C −10.
    pub tsb_min: Option<f64>,
    /// Highest race-day TSB. Default by priority: A +25, B +15, C none.
    pub tsb_max: Option<f64>,
    /// Most CTL gained in any 7 days (default 5 CTL points per week).
    pub max_ramp: Option<f64>,
    /// Most TSS on one day (default: the athlete's own 95th-percentile daily TSS of the last 180 days × 1.2).
    pub max_daily_tss: Option<f64>,
    /// Weekdays with no training, e.g. ["Mon"] or "Mon, Fri".
    pub rest_weekdays: Option<Weekdays>,
    /// Keep the planned workouts already on the calendar at their planned TSS (default false).
    pub keep_planned: Option<bool>,
    #[serde(flatten)]
    pub pmc: PmcOptions,
}

/// The race the plan is for.
#[derive(Debug, Serialize, JsonSchema)]
pub struct RaceTarget {
    pub date: NaiveDate,
    /// The TrainingPeaks event on that date, when there is one.
    pub event: Option<EventView>,
    pub priority: RacePriority,
    /// How the race was chosen: "race_date argument", "focus event", "next A/B event".
    pub chosen_by: String,
}

/// A day of the plan as the output lists it.
#[derive(Debug, Serialize, JsonSchema)]
pub struct DayOut {
    pub date: NaiveDate,
    pub tss: f64,
    /// CTL and ATL at the end of the day.
    pub ctl: f64,
    pub atl: f64,
    /// Form coming into the day (yesterday's CTL − ATL).
    pub tsb: f64,
    pub level: LoadLevel,
    /// `optimised`, `rest_weekday`, `day_off` or `planned` (kept).
    pub kind: race_plan::PlanDayKind,
}

/// Race day on one path.
#[derive(Debug, Serialize, JsonSchema)]
pub struct RaceDayOut {
    pub date: NaiveDate,
    /// CTL and ATL coming into race day (end of the day before).
    pub ctl: f64,
    pub atl: f64,
    pub tsb: f64,
    pub form: FormLabel,
}

/// The athlete's own calendar projected to race day, for comparison.
#[derive(Debug, Serialize, JsonSchema)]
pub struct AsPlanned {
    pub race_day: RaceDayOut,
    /// Days taken from planned workouts (rest days inside the plan included).
    pub planned_days: u32,
    /// Days past the last planned workout, at the recent average.
    pub average_days: u32,
    pub average_daily_tss: f64,
    pub days: Vec<AsPlannedDay>,
    pub weeks: Vec<PlanWeek>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct AsPlannedDay {
    pub date: NaiveDate,
    pub tss: f64,
    pub ctl: f64,
    pub atl: f64,
    pub tsb: f64,
    pub source: ProjectionSource,
}

impl From<&tp_fitness::ProjectedDay> for AsPlannedDay {
    fn from(d: &tp_fitness::ProjectedDay) -> AsPlannedDay {
        AsPlannedDay {
            date: d.date,
            tss: d.tss,
            ctl: d.ctl,
            atl: d.atl,
            tsb: d.tsb,
            source: d.source,
        }
    }
}

/// The limits the plan was solved under.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Limits {
    pub tsb_min: f64,
    pub tsb_max: Option<f64>,
    pub max_ramp: f64,
    pub max_daily_tss: f64,
    /// How max_daily_tss was made when it was not given.
    pub daily_cap_basis: Option<DailyCap>,
    pub rest_weekdays: Vec<String>,
    pub days_off: Vec<NaiveDate>,
    pub kept_planned_days: u32,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct PlanRaceOutput {
    pub race: RaceTarget,
    pub today: NaiveDate,
    pub start_ctl: f64,
    pub start_atl: f64,
    /// Tomorrow through the day before the race.
    pub days: Vec<DayOut>,
    pub race_day: RaceDayOut,
    pub weeks: Vec<PlanWeek>,
    /// The limits the optimum sits on.
    pub binding: Vec<BindingLimit>,
    /// CTL gained per point of race-day TSB given up below tsb_min (its shadow price).
    pub ctl_per_tsb_point: Option<f64>,
    pub as_planned: AsPlanned,
    pub limits: Limits,
    pub notes: Vec<String>,
    /// The problem and how it was solved.
    pub method: String,
    pub convention: String,
}

/// What the method line says.
const METHOD: &str = "Linear program: maximise CTL coming into race day over the daily TSS from tomorrow, \
subject to race-day TSB = CTL − ATL of the day before within [tsb_min, tsb_max], CTL(d) − CTL(d−7) ≤ max_ramp on \
every planned day, 0 ≤ TSS ≤ max_daily_tss, 0 on rest weekdays and days off (planned TSS on kept days); solved \
exactly with the simplex method (microlp), the PMC then re-run day by day";

impl TpTool for PlanRace {
    const NAME: &'static str = "tp_plan_race";
    const TITLE: &'static str = "Race plan (optimised load and taper)";
    const DESCRIPTION: &'static str = "How should the athlete load and taper for a race? Solves exactly (a linear \
program over the PMC) the daily TSS from tomorrow to the day before the race that gives the highest CTL on race \
day while race-day TSB lands in a window (by the race's A/B/C priority unless given), CTL ramps at most max_ramp a \
week, no day exceeds max_daily_tss, rest_weekdays and TrainingPeaks days off stay at 0 (and, with keep_planned, \
planned workouts keep their TSS). Returns the daily path (TSS, CTL, ATL, TSB), weekly totals, the limits that \
bind, and the athlete's current calendar projected side by side. Default race: the focus event, else the next A/B \
event. Loads are TSS per day, not workouts. When no plan meets the limits it says which limit and what would work.";
    type Args = PlanRaceArgs;
    type Output = PlanRaceOutput;

    async fn run(
        ctx: &ServerContext,
        a: PlanRaceArgs,
    ) -> Result<(PlanRaceOutput, String), ToolError> {
        let params = a.pmc.params()?;
        let today = ctx.today();
        let mut notes = Vec::new();
        let tomorrow = today + Days::new(1);
        let asked = args::opt_date("race_date", a.race_date.as_deref())?;
        let race_date = match asked {
            Some(date) => Some(check_race_date(date, today, &mut notes)?),
            None => None,
        };
        let rest = rest_weekdays(a.rest_weekdays.as_ref())?;
        let max_ramp = bounded("max_ramp", a.max_ramp, 0.0, 30.0, "CTL points per week")?;
        let max_daily = bounded("max_daily_tss", a.max_daily_tss, 1.0, 1500.0, "TSS per day")?;
        for (name, v) in [("tsb_min", a.tsb_min), ("tsb_max", a.tsb_max)] {
            bounded(name, v, -100.0, 100.0, "TSB points")?;
        }
        if let (Some(lo), Some(hi)) = (a.tsb_min, a.tsb_max)
            && lo > hi
        {
            return Err(ArgError::new(
                "tsb_min",
                format!("tsb_min {lo} is above tsb_max {hi}: the race-day window would be empty"),
            )
            .into());
        }

        let calendar = ctx.upcoming_events().await?;
        let race = choose_race(race_date, &calendar, today)?;
        let days_to_plan = (race.date - today).num_days() as u64 - 1;
        let history = ctx.fitness_history(&params, days_to_plan + 1).await?;
        let last_planned = race.date - Days::new(1);
        let workouts = ctx.workouts(tomorrow, last_planned).await?;

        let (default_min, default_max) = race.priority.default_tsb_window();
        let (tsb_min, tsb_max) = match (a.tsb_min, a.tsb_max) {
            (Some(lo), Some(hi)) => (lo, Some(hi)),
            (Some(lo), None) => (lo, default_max.filter(|&m| m >= lo)),
            (None, Some(hi)) => (default_min.min(hi), Some(hi)),
            (None, None) => (default_min, default_max),
        };
        let daily_cap = race_plan::default_daily_cap(&history.series, today);
        let max_daily_tss = match (max_daily, daily_cap) {
            (Some(v), _) => v,
            (None, Some(cap)) => cap.max_daily_tss,
            (None, None) => {
                notes.push(format!(
                    "No training in the last {} days to base a daily cap on: {NEW_ATHLETE_CAP} TSS/day is used; give max_daily_tss to change it.",
                    race_plan::DAILY_CAP_BASIS_DAYS
                ));
                NEW_ATHLETE_CAP
            }
        };
        let goal = RaceGoal {
            race_date: race.date,
            tsb_min,
            tsb_max,
            max_ramp: max_ramp.unwrap_or(race_plan::DEFAULT_MAX_RAMP),
            max_daily_tss,
        };

        // The days whose TSS is given rather than chosen.
        let mut fixed: BTreeMap<NaiveDate, FixedDay> = BTreeMap::new();
        let keep = a.keep_planned.unwrap_or(false);
        if keep {
            for day in history
                .loads
                .days()
                .filter(|d| d.date > today && d.date < race.date && d.planned_tss > 0.0)
            {
                fixed.insert(
                    day.date,
                    FixedDay {
                        tss: day.planned_tss,
                        reason: FixedReason::Planned,
                    },
                );
            }
        }
        let mut days_off: Vec<NaiveDate> = workouts
            .iter()
            .filter(|w| w.sport() == Sport::DayOff && !w.is_completed())
            .filter_map(|w| w.workout_day)
            .filter(|d| fixed.get(d).is_none_or(|f| f.tss == 0.0))
            .collect();
        days_off.dedup();
        for &d in &days_off {
            fixed.insert(
                d,
                FixedDay {
                    tss: 0.0,
                    reason: FixedReason::DayOff,
                },
            );
        }
        let mut dropped = 0;
        for d in tomorrow.iter_days().take_while(|d| *d < race.date) {
            if rest.contains(&d.weekday()) {
                dropped += u32::from(
                    fixed
                        .get(&d)
                        .is_some_and(|f| f.reason == FixedReason::Planned),
                );
                fixed.insert(
                    d,
                    FixedDay {
                        tss: 0.0,
                        reason: FixedReason::RestWeekday,
                    },
                );
            }
        }
        if dropped > 0 {
            notes.push(format!(
                "{dropped} planned day(s) fall on rest weekdays and are planned as rest (rest_weekdays wins over keep_planned)."
            ));
        }
        let kept = fixed
            .values()
            .filter(|f| f.reason == FixedReason::Planned)
            .count() as u32;

        let plan =
            race_plan::plan_race(&history.series, today, &goal, &fixed).map_err(plan_error)?;
        if plan.relaxed_ramp_days > 0 {
            notes.push(format!(
                "Today's ramp is already above max_ramp: the first {} day(s) are held to what complete rest allows until it falls back under {:.1} CTL/week.",
                plan.relaxed_ramp_days, goal.max_ramp
            ));
        }
        let as_planned = as_planned(&history, today, days_to_plan as u32)?;
        let out = PlanRaceOutput {
            today,
            start_ctl: plan.start_ctl,
            start_atl: plan.start_atl,
            days: plan
                .days
                .iter()
                .map(|d| day_out(d, plan.start_ctl))
                .collect(),
            race_day: RaceDayOut {
                date: plan.race_day.date,
                ctl: plan.race_day.ctl,
                atl: plan.race_day.atl,
                tsb: plan.race_day.tsb,
                form: plan.race_day.form,
            },
            weeks: plan.weeks.clone(),
            binding: plan.binding.clone(),
            ctl_per_tsb_point: plan.ctl_per_tsb_point,
            as_planned,
            limits: Limits {
                tsb_min,
                tsb_max,
                max_ramp: goal.max_ramp,
                max_daily_tss,
                daily_cap_basis: if max_daily.is_none() { daily_cap } else { None },
                rest_weekdays: rest.iter().map(|d| weekday_name(*d).to_string()).collect(),
                days_off,
                kept_planned_days: kept,
            },
            race,
            notes,
            method: METHOD.to_string(),
            convention: plan.convention.clone(),
        };
        let text = render(&out);
        Ok((out, text))
    }
}

/// The daily cap for an athlete with no recent training (Coggan's upper
/// bound of a "low" TSS day).
const NEW_ATHLETE_CAP: f64 = 150.0;

fn day_out(d: &PlanDay, start_ctl: f64) -> DayOut {
    DayOut {
        date: d.date,
        tss: d.tss,
        ctl: d.ctl,
        atl: d.atl,
        tsb: d.tsb,
        level: LoadLevel::of(d.tss, start_ctl),
        kind: d.kind,
    }
}

/// A race date at least 2 days ahead; past a year it is capped, saying so.
fn check_race_date(
    date: NaiveDate,
    today: NaiveDate,
    notes: &mut Vec<String>,
) -> Result<NaiveDate, ArgError> {
    let away = (date - today).num_days();
    let problem = match away {
        ..0 => Some(format!("{date} is in the past (today is {today})")),
        0 => Some(format!("{date} is today: there is no day left to plan")),
        1 => Some(format!(
            "{date} is tomorrow: there is no day left to plan (only today's training remains)"
        )),
        _ => None,
    };
    if let Some(p) = problem {
        return Err(ArgError::new(
            "race_date",
            format!("expected a race date at least 2 days from today, YYYY-MM-DD; {p}"),
        ));
    }
    let max = i64::from(race_plan::MAX_PLAN_DAYS) + 1;
    if away > max {
        let capped = today + Days::new(max as u64);
        notes.push(format!(
            "race_date {date} is {away} days away; plans reach at most {} days, so this plan targets {capped} instead. Ask again within a year of the race.",
            race_plan::MAX_PLAN_DAYS
        ));
        return Ok(capped);
    }
    Ok(date)
}

fn choose_race(
    asked: Option<NaiveDate>,
    calendar: &crate::data::EventCalendar,
    today: NaiveDate,
) -> Result<RaceTarget, ArgError> {
    let priority_of = |e: &tp_model::Event| {
        e.priority()
            .and_then(|p| RacePriority::parse(&p.to_string()))
    };
    if let Some(date) = asked {
        let event = calendar
            .events
            .iter()
            .filter(|e| e.event_date == Some(date))
            .min_by_key(|e| e.priority().unwrap_or('Z'));
        return Ok(RaceTarget {
            date,
            priority: event.and_then(priority_of).unwrap_or(RacePriority::A),
            event: event.and_then(|e| EventView::of(e, today)),
            chosen_by: "race_date argument".into(),
        });
    }
    let ahead = |e: &&tp_model::Event| e.event_date.is_some_and(|d| (d - today).num_days() >= 2);
    let (event, chosen_by) = match calendar.focus.as_ref().filter(ahead) {
        Some(focus) => (focus, "focus event"),
        None => match calendar
            .events
            .iter()
            .filter(ahead)
            .find(|e| matches!(e.priority(), Some('A' | 'B')))
        {
            Some(e) => (e, "next A/B event"),
            None => {
                return Err(ArgError::new(
                    "race_date",
                    "no race_date given, and TrainingPeaks has no focus event or A/B event from 2 days to a year ahead: give race_date as YYYY-MM-DD",
                ));
            }
        },
    };
    let date = event.event_date.unwrap_or(today);
    Ok(RaceTarget {
        date,
        priority: priority_of(event).unwrap_or(RacePriority::A),
        event: EventView::of(event, today),
        chosen_by: chosen_by.into(),
    })
}

fn rest_weekdays(value: Option<&Weekdays>) -> Result<Vec<Weekday>, ArgError> {
    let names: Vec<String> = match value {
        None => return Ok(Vec::new()),
        Some(Weekdays::One(s)) => s
            .split([',', ' ', ';'])
            .filter(|t| !t.trim().is_empty())
            .map(String::from)
            .collect(),
        Some(Weekdays::Many(v)) => v.clone(),
    };
    let mut days = Vec::new();
    for name in &names {
        let day = race_plan::parse_weekday(name).ok_or_else(|| {
            ArgError::new(
                "rest_weekdays",
                format!("unknown weekday {name:?}; expected names like \"Mon\", \"Tuesday\" (Mon Tue Wed Thu Fri Sat Sun)"),
            )
        })?;
        if !days.contains(&day) {
            days.push(day);
        }
    }
    if days.len() == 7 {
        return Err(ArgError::new(
            "rest_weekdays",
            "every weekday is a rest day: nothing could be trained; leave at least one day free",
        ));
    }
    days.sort_by_key(|d| d.num_days_from_monday());
    Ok(days)
}

fn bounded(
    name: &str,
    v: Option<f64>,
    lo: f64,
    hi: f64,
    unit: &str,
) -> Result<Option<f64>, ArgError> {
    match v {
        Some(x) if !x.is_finite() || x < lo || x > hi => Err(ArgError::new(
            name,
            format!("expected {unit} from {lo} to {hi}, got {x}"),
        )),
        other => Ok(other),
    }
}

fn weekday_name(d: Weekday) -> &'static str {
    ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][d.num_days_from_monday() as usize]
}

/// No plan: the error names the argument to change.
fn plan_error(e: PlanError) -> ToolError {
    match e {
        PlanError::TooSoon(_) | PlanError::TooFar(_) => {
            ArgError::new("race_date", e.to_string()).into()
        }
        PlanError::Infeasible(why) => {
            let argument = match why.limit {
                LimitKind::TsbMin => "tsb_min",
                LimitKind::TsbMax => "tsb_max",
                LimitKind::MaxRamp => "max_ramp",
                LimitKind::MaxDailyTss => "max_daily_tss",
            };
            ArgError::new(
                argument,
                format!("no plan meets the limits: {}", why.message),
            )
            .into()
        }
        PlanError::Solver(m) => ToolError::Cache(format!(
            "The plan could not be solved ({m}). Try slightly different limits."
        )),
    }
}

fn as_planned(
    history: &crate::data::FitnessHistory,
    today: NaiveDate,
    days: u32,
) -> Result<AsPlanned, ToolError> {
    let plan = history.loads.planned_after(today);
    let p = projection::project_long(&history.series, &plan, days)
        .map_err(|e| ArgError::new("race_date", e.to_string()))?;
    let last = p.days.last();
    let (ctl, atl) = last.map_or((p.start_ctl, p.start_atl), |d| (d.ctl, d.atl));
    let race_date = today + Days::new(u64::from(days) + 1);
    Ok(AsPlanned {
        race_day: RaceDayOut {
            date: race_date,
            ctl,
            atl,
            tsb: ctl - atl,
            form: FormLabel::from_tsb(ctl - atl),
        },
        planned_days: p.planned_days,
        average_days: p.fallback_days,
        average_daily_tss: p.fallback_daily_tss,
        weeks: race_plan::weeks_of(p.days.iter().map(|d| (d.date, d.tss, d.ctl, d.tsb))),
        days: p.days.iter().map(AsPlannedDay::from).collect(),
    })
}

fn render(out: &PlanRaceOutput) -> String {
    let race_name = out
        .race
        .event
        .as_ref()
        .and_then(|e| e.name.clone())
        .unwrap_or_else(|| "the race".into());
    let n = out.days.len();
    let mut s = format!(
        "Race plan for {race_name} ({:?} priority) on {} — {n} days to plan ({} to {}); race chosen by {}.\n\n",
        out.race.priority,
        format::day(out.race.date),
        out.days
            .first()
            .map_or(String::new(), |d| d.date.to_string()),
        out.days
            .last()
            .map_or(String::new(), |d| d.date.to_string()),
        out.race.chosen_by,
    );
    let ap = &out.as_planned;
    s.push_str(&format!(
        "Race day: as planned CTL {:.1}, TSB {:+.1} ({}); optimised CTL {:.1}, TSB {:+.1} ({}) — {:+.1} CTL.\n",
        ap.race_day.ctl,
        ap.race_day.tsb,
        ap.race_day.form.label(),
        out.race_day.ctl,
        out.race_day.tsb,
        out.race_day.form.label(),
        out.race_day.ctl - ap.race_day.ctl
    ));
    s.push_str(&format!(
        "  Today: CTL {:.1}, ATL {:.1}, TSB {:+.1}. \"As planned\" uses {} day(s) of your calendar{}.\n",
        out.start_ctl,
        out.start_atl,
        out.start_ctl - out.start_atl,
        ap.planned_days,
        if ap.average_days > 0 {
            format!(" and your recent average of {:.0} TSS/day for the {} day(s) after it", ap.average_daily_tss, ap.average_days)
        } else {
            String::new()
        }
    ));
    let l = &out.limits;
    let window = match l.tsb_max {
        Some(max) => format!("{:+.0} to {:+.0}", l.tsb_min, max),
        None => format!("at least {:+.0}", l.tsb_min),
    };
    let cap = match &l.daily_cap_basis {
        Some(c) => format!(
            "{:.0} TSS/day (your 95th-percentile day of the last {} days, {:.0}, × 1.2)",
            c.max_daily_tss, c.basis_days, c.percentile_95
        ),
        None => format!("{:.0} TSS/day", l.max_daily_tss),
    };
    s.push_str(&format!(
        "\nLimits: race-day TSB {window}; ramp ≤ {:.1} CTL/week; ≤ {cap}",
        l.max_ramp
    ));
    if !l.rest_weekdays.is_empty() {
        s.push_str(&format!("; rest on {}", l.rest_weekdays.join(", ")));
    }
    if !l.days_off.is_empty() {
        s.push_str(&format!(
            "; {} day(s) off from TrainingPeaks kept",
            l.days_off.len()
        ));
    }
    if l.kept_planned_days > 0 {
        s.push_str(&format!(
            "; {} planned day(s) kept at their planned TSS",
            l.kept_planned_days
        ));
    }
    s.push_str(".\n");
    if !out.binding.is_empty() {
        s.push_str("Binding (what holds the race-day CTL back):\n");
        for b in &out.binding {
            let line = match b.limit {
                LimitKind::MaxRamp => format!(
                    "  - ramp limit {:.1} CTL/week on {} day(s), {} to {}",
                    b.value, b.days, b.from, b.to
                ),
                LimitKind::MaxDailyTss => format!(
                    "  - daily cap {:.0} TSS on {} day(s), {} to {}",
                    b.value, b.days, b.from, b.to
                ),
                LimitKind::TsbMin => match out.ctl_per_tsb_point {
                    Some(v) => format!(
                        "  - race-day TSB minimum {:+.0}: each point of TSB given up would add {:.2} CTL",
                        b.value, v
                    ),
                    None => format!("  - race-day TSB minimum {:+.0}", b.value),
                },
                LimitKind::TsbMax => format!("  - race-day TSB maximum {:+.0}", b.value),
            };
            s.push_str(&line);
            s.push('\n');
        }
    }
    s.push_str(&format!("\n{}\n", shape(out)));
    s.push_str("\nWeek by week (Mon–Sun; TSS optimised vs as planned):\n");
    let mut table = format::Table::new([
        "Week of",
        "Days",
        "TSS",
        "As planned",
        "CTL end",
        "TSB end",
        "Days by load",
    ]);
    for w in &out.weeks {
        let planned = ap
            .weeks
            .iter()
            .find(|p| p.week_start == w.week_start)
            .map(|p| p.tss);
        table.row([
            format::day(w.week_start),
            w.days.to_string(),
            format!("{:.0}", w.tss),
            format::num(planned, 0),
            format!("{:.1}", w.ctl_end),
            format!("{:+.1}", w.tsb_end),
            levels_of_week(out, w.week_start),
        ]);
    }
    s.push_str(&table.render());
    let tail = n.min(14);
    s.push_str(&format!("\nThe last {tail} days:\n"));
    let mut table = format::Table::new(["Date", "TSS", "Load", "CTL", "ATL", "TSB"]);
    for d in &out.days[n - tail..] {
        table.row([
            format::day(d.date),
            format!("{:.0}", d.tss),
            match d.kind {
                race_plan::PlanDayKind::RestWeekday => "rest (weekday)".to_string(),
                race_plan::PlanDayKind::DayOff => "day off (TrainingPeaks)".to_string(),
                race_plan::PlanDayKind::Planned => format!("{} (planned)", d.level.label()),
                race_plan::PlanDayKind::Optimised => d.level.label().to_string(),
            },
            format!("{:.1}", d.ctl),
            format!("{:.1}", d.atl),
            format!("{:+.1}", d.tsb),
        ]);
    }
    s.push_str(&table.render());
    for note in &out.notes {
        s.push_str(&format!("\nNote: {note}"));
    }
    s.push_str(&format!(
        "\n\nMethod: {}. Load levels are relative to today's CTL (rest 0; easy < 0.5×; moderate < 1×; hard < 1.5×; very hard ≥ 1.5×). {}.\n",
        out.method, out.convention
    ));
    s
}

/// The plan's shape in words: the build, its weekly load, and the taper.
fn shape(out: &PlanRaceOutput) -> String {
    let days = &out.days;
    // The taper: the trailing days below today's CTL (a day at CTL holds fitness).
    let hold = out.start_ctl.max(1.0);
    let taper = days.iter().rev().take_while(|d| d.tss < hold).count();
    let build = &days[..days.len() - taper];
    let mut s = String::new();
    if !build.is_empty() {
        let total: f64 = build.iter().map(|d| d.tss).sum();
        let weeks = build.len() as f64 / 7.0;
        let ctl_gain = build.last().map_or(0.0, |d| d.ctl) - out.start_ctl;
        s.push_str(&format!(
            "Shape: {} day(s) of build at about {:.0} TSS a week (CTL {:+.1} to {:.1})",
            build.len(),
            total / weeks.max(1.0 / 7.0),
            ctl_gain,
            build.last().map_or(out.start_ctl, |d| d.ctl)
        ));
    } else {
        s.push_str("Shape: no build — every day until the race stays below today's CTL");
    }
    if taper > 0 {
        let t = &days[days.len() - taper..];
        let total: f64 = t.iter().map(|d| d.tss).sum();
        let rest = t.iter().filter(|d| d.tss < 0.5).count();
        s.push_str(&format!(
            ", then a {taper}-day taper of {:.0} TSS in all ({} rest day(s)), TSB rising from {:+.1} to {:+.1} on race day.",
            total,
            rest,
            t[0].tsb,
            out.race_day.tsb
        ));
    } else {
        s.push('.');
    }
    s
}

fn levels_of_week(out: &PlanRaceOutput, monday: NaiveDate) -> String {
    let mut counts: BTreeMap<u8, (usize, &str)> = BTreeMap::new();
    for d in out
        .days
        .iter()
        .filter(|d| d.date >= monday && d.date < monday + Days::new(7))
    {
        let key = d.level as u8;
        counts.entry(key).or_insert((0, d.level.label())).0 += 1;
    }
    counts
        .values()
        .map(|(n, label)| format!("{n} {label}"))
        .collect::<Vec<_>>()
        .join(", ")
}

//! The race plan that provably maximises race-day fitness: a linear program.
//!
//! The unknowns are the daily TSS `x_1 … x_n` from tomorrow through the day
//! before the race. The PMC recurrence ([`crate::pmc`]) is linear, so with
//! `kc`, `ka` the convention's decay factors and `(C₀, A₀)` today's CTL and
//! ATL, every planned day `i` (1-based) has
//!
//! ```text
//! CTL_i = (1−kc)^i · C₀ + Σ_{j≤i} kc (1−kc)^(i−j) · x_j
//! ATL_i = (1−ka)^i · A₀ + Σ_{j≤i} ka (1−ka)^(i−j) · x_j
//! ```
//!
//! and the problem solved is exactly:
//!
//! ```text
//! maximise   CTL_n                                  fitness brought to the start line
//! subject to tsb_min ≤ CTL_n − ATL_n ≤ tsb_max      race-day TSB (form coming into race day)
//!            CTL_i − CTL_{i−7} ≤ max_ramp           every planned day i (CTL_{i−7} from history when i ≤ 7)
//!            0 ≤ x_i ≤ max_daily_tss
//!            x_i = 0 on rest weekdays and TrainingPeaks days off
//!            x_i = planned TSS on planned days      (only with keep_planned)
//! ```
//!
//! It is solved with `microlp`'s simplex (a pure-Rust, maintained fork of
//! `minilp`; see `docs/analytics.md` for why not `good_lp`, `clarabel` or
//! `minilp`) in the dense form above: `n` variables, `n + 2` rows. The
//! sparse form with CTL as variables (2n variables, banded rows) was 5–20×
//! slower in microlp on 120- and 365-day plans.
//!
//! When no plan meets the limits, two more programs (lowest and highest
//! reachable race-day TSB under the other limits) say which limit binds and
//! what would make the problem feasible.
//!
//! Ramp rows whose historical reference already makes them unreachable
//! (today's ramp above `max_ramp`, so even a week of rest ramps more) are
//! relaxed to what complete rest gives, and the plan says so: the first
//! days are then held to rest until the ramp falls.

use crate::form::FormLabel;
use crate::pmc::{FitnessSeries, PmcParams};
use chrono::{Datelike, NaiveDate, Weekday};
use microlp::{ComparisonOp, OptimizationDirection, Problem, Variable};
use serde::Serialize;
use std::collections::BTreeMap;
use std::time::Duration;

/// The longest plan, in days from tomorrow (a year).
pub const MAX_PLAN_DAYS: u32 = 365;

/// How much slack still counts as a limit being met exactly (TSS, CTL and
/// TSB points): the solver's own tolerance is about 1e-9.
const BINDING_TOLERANCE: f64 = 1e-6;

/// How long one solve may run before it is abandoned (a plan takes
/// milliseconds; this only guards against a solver that cycles).
const SOLVE_TIME_LIMIT: Duration = Duration::from_secs(3);

/// A race's priority, as TrainingPeaks' annual plan marks events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
pub enum RacePriority {
    A,
    B,
    C,
}

impl RacePriority {
    /// From TrainingPeaks' `atpPriority` ("A", "b", …).
    pub fn parse(text: &str) -> Option<RacePriority> {
        match text.trim().to_ascii_uppercase().as_str() {
            "A" => Some(RacePriority::A),
            "B" => Some(RacePriority::B),
            "C" => Some(RacePriority::C),
            _ => None,
        }
    }

    /// The default race-day TSB window `(tsb_min, tsb_max)`; `None` is no
    /// upper limit. A: +15…+25 (Friel's peak for the A race; TrainingPeaks'
    /// coaching articles), B: +5…+15 (a short taper), C: ≥ −10 (trained
    /// through). Sources in `docs/analytics.md`.
    pub fn default_tsb_window(self) -> (f64, Option<f64>) {
        match self {
            RacePriority::A => (15.0, Some(25.0)),
            RacePriority::B => (5.0, Some(15.0)),
            RacePriority::C => (-10.0, None),
        }
    }
}

/// The default ramp limit: 5 CTL points per week (Allen & Coggan's
/// sustainable build; coaches flag 5–8 and above).
pub const DEFAULT_MAX_RAMP: f64 = 5.0;

/// What the default daily cap is made of.
pub const DAILY_CAP_PERCENTILE: f64 = 95.0;
/// Days of history the default daily cap looks at.
pub const DAILY_CAP_BASIS_DAYS: usize = 180;
/// The factor on the 95th percentile.
pub const DAILY_CAP_FACTOR: f64 = 1.2;

/// The default `max_daily_tss`: the athlete's own 95th-percentile daily TSS
/// over the last 180 days (rest days included, linear interpolation between
/// order statistics as numpy's default) × 1.2.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, schemars::JsonSchema)]
pub struct DailyCap {
    pub max_daily_tss: f64,
    /// The 95th percentile it was made from.
    pub percentile_95: f64,
    /// How many days it covers (180, fewer for a short history).
    pub basis_days: u32,
}

/// The default daily cap from the last 180 days of `series` ending `today`;
/// `None` when there are no such days or the percentile is 0 (no training).
pub fn default_daily_cap(series: &FitnessSeries, today: NaiveDate) -> Option<DailyCap> {
    let start = today.checked_sub_days(chrono::Days::new(DAILY_CAP_BASIS_DAYS as u64 - 1))?;
    let mut loads: Vec<f64> = series.window(start, today).iter().map(|d| d.tss).collect();
    let p = percentile(&mut loads, DAILY_CAP_PERCENTILE)?;
    (p > 0.0).then_some(DailyCap {
        max_daily_tss: p * DAILY_CAP_FACTOR,
        percentile_95: p,
        basis_days: loads.len() as u32,
    })
}

/// The `q`-th percentile with linear interpolation between the closest
/// ranks (numpy's default, "type 7" of Hyndman & Fan).
pub fn percentile(values: &mut [f64], q: f64) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let pos = q / 100.0 * (values.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    Some(values[lo] + (values[hi] - values[lo]) * (pos - lo as f64))
}

/// What the plan is asked to reach.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct RaceGoal {
    pub race_date: NaiveDate,
    pub tsb_min: f64,
    /// `None`: no upper limit.
    pub tsb_max: Option<f64>,
    /// CTL points per week, ≥ 0.
    pub max_ramp: f64,
    /// TSS per day, > 0.
    pub max_daily_tss: f64,
}

/// Why a day's TSS is fixed rather than chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FixedReason {
    /// One of the `rest_weekdays`.
    RestWeekday,
    /// TrainingPeaks has a "Day Off" on the calendar.
    DayOff,
    /// Planned workouts kept at their planned TSS (`keep_planned`).
    Planned,
}

/// A day whose TSS is given.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, schemars::JsonSchema)]
pub struct FixedDay {
    pub tss: f64,
    pub reason: FixedReason,
}

/// How a planned day's TSS was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlanDayKind {
    /// Chosen by the optimiser.
    Optimised,
    RestWeekday,
    DayOff,
    Planned,
}

impl From<FixedReason> for PlanDayKind {
    fn from(r: FixedReason) -> PlanDayKind {
        match r {
            FixedReason::RestWeekday => PlanDayKind::RestWeekday,
            FixedReason::DayOff => PlanDayKind::DayOff,
            FixedReason::Planned => PlanDayKind::Planned,
        }
    }
}

/// One day of the optimised plan.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct PlanDay {
    pub date: NaiveDate,
    pub tss: f64,
    /// CTL, ATL at the end of the day.
    pub ctl: f64,
    pub atl: f64,
    /// Form coming into the day (yesterday's CTL − ATL), as in history.
    pub tsb: f64,
    /// CTL(d) − CTL(d − 7).
    pub ramp: f64,
    pub kind: PlanDayKind,
}

/// Race day as the plan brings the athlete to it.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct RaceDay {
    pub date: NaiveDate,
    /// CTL and ATL coming into race day (the end of the day before).
    pub ctl: f64,
    pub atl: f64,
    /// CTL − ATL coming into race day.
    pub tsb: f64,
    pub form: FormLabel,
}

/// A calendar week (Monday to Sunday) of a plan; the first and last may be partial.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct PlanWeek {
    /// The Monday.
    pub week_start: NaiveDate,
    /// Days of the week inside the plan (7 but for the first and last week).
    pub days: u32,
    pub tss: f64,
    /// CTL at the end of the week's last planned day.
    pub ctl_end: f64,
    /// TSB coming into the week's last planned day.
    pub tsb_end: f64,
}

/// Which limit a binding constraint is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum LimitKind {
    TsbMin,
    TsbMax,
    MaxRamp,
    MaxDailyTss,
}

/// A limit the optimum sits on (removing or loosening it would improve the
/// race-day CTL, or it is at least exactly met).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct BindingLimit {
    pub limit: LimitKind,
    /// The first and last day it binds on, and on how many days.
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub days: u32,
    /// The limit's value.
    pub value: f64,
}

/// The optimised plan.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct RacePlan {
    pub goal: RaceGoal,
    /// Today: the last day of history; the plan starts the day after.
    pub today: NaiveDate,
    pub start_ctl: f64,
    pub start_atl: f64,
    pub days: Vec<PlanDay>,
    pub race_day: RaceDay,
    pub weeks: Vec<PlanWeek>,
    pub binding: Vec<BindingLimit>,
    /// Days whose ramp limit had to be relaxed because today's ramp already
    /// exceeds `max_ramp` (they get what complete rest gives).
    pub relaxed_ramp_days: u32,
    /// CTL gained on race day per point of race-day TSB given up below
    /// `tsb_min` (the limit's shadow price, measured by solving again with
    /// `tsb_min − 1`); `None` when `tsb_min` does not bind.
    pub ctl_per_tsb_point: Option<f64>,
    /// The solver's objective (race-day CTL) before the PMC was re-run.
    pub objective_ctl: f64,
    /// e.g. "TrainingPeaks (step 1/T), CTL 42 d, ATL 7 d".
    pub convention: String,
}

/// Why no plan could be made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PlanError {
    #[error("the race must be at least 2 days away (a day to plan), it is {0} day(s) away")]
    TooSoon(i64),
    #[error("plans reach at most {MAX_PLAN_DAYS} days; the race is {0} days away")]
    TooFar(i64),
    #[error("{0}")]
    Infeasible(Infeasibility),
    #[error("the solver failed: {0}")]
    Solver(String),
}

/// A limit that cannot be met, what can be reached instead and what to change.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema, thiserror::Error)]
#[error("{message}")]
pub struct Infeasibility {
    /// The limit at fault.
    pub limit: LimitKind,
    /// The lowest and highest race-day TSB any plan within the other limits
    /// reaches (`None` when the other limits already conflict).
    pub reachable_tsb: Option<(f64, f64)>,
    /// For people: the conflict and the way out.
    pub message: String,
}

/// The decay coefficients of the problem: `pc[m] = (1−kc)^m`, `pa[m] = (1−ka)^m`.
struct Model<'a> {
    params: &'a PmcParams,
    today: NaiveDate,
    n: usize,
    c0: f64,
    a0: f64,
    pc: Vec<f64>,
    pa: Vec<f64>,
    /// CTL of day i−7 when it is history (i = 1..=7), by i.
    hist_ctl: [f64; 8],
    upper: Vec<f64>,
    lower: Vec<f64>,
    kinds: Vec<PlanDayKind>,
}

#[derive(Clone, Copy)]
enum Goal {
    MaxCtl { tsb_min: f64, tsb_max: Option<f64> },
    MaxTsb,
    MinTsb,
}

impl<'a> Model<'a> {
    fn new(
        series: &'a FitnessSeries,
        today: NaiveDate,
        goal: &RaceGoal,
        fixed: &BTreeMap<NaiveDate, FixedDay>,
    ) -> Result<Model<'a>, PlanError> {
        let away = (goal.race_date - today).num_days();
        if away < 2 {
            return Err(PlanError::TooSoon(away));
        }
        if away > MAX_PLAN_DAYS as i64 + 1 {
            return Err(PlanError::TooFar(away));
        }
        let n = (away - 1) as usize;
        let params = &series.params;
        let (c0, a0) = state_at_end_of(series, today);
        let kc = params.ctl_factor();
        let ka = params.atl_factor();
        let pc: Vec<f64> = (0..=n).map(|m| (1.0 - kc).powi(m as i32)).collect();
        let pa: Vec<f64> = (0..=n).map(|m| (1.0 - ka).powi(m as i32)).collect();
        let mut hist_ctl = [0.0; 8];
        for (i, slot) in hist_ctl.iter_mut().enumerate().skip(1) {
            // planned day i is today + i; its week-ago day is today + i − 7
            let day = today - chrono::Days::new(7 - i as u64);
            *slot = state_at_end_of(series, day).0;
        }
        let (mut upper, mut lower, mut kinds) = (
            vec![goal.max_daily_tss; n],
            vec![0.0; n],
            vec![PlanDayKind::Optimised; n],
        );
        for i in 0..n {
            let date = today + chrono::Days::new(i as u64 + 1);
            if let Some(f) = fixed.get(&date) {
                let tss = if f.tss.is_finite() {
                    f.tss.max(0.0)
                } else {
                    0.0
                };
                upper[i] = tss;
                lower[i] = tss;
                kinds[i] = f.reason.into();
            }
        }
        Ok(Model {
            params,
            today,
            n,
            c0,
            a0,
            pc,
            pa,
            hist_ctl,
            upper,
            lower,
            kinds,
        })
    }

    fn date(&self, i: usize) -> NaiveDate {
        self.today + chrono::Days::new(i as u64 + 1)
    }

    /// Coefficients of CTL at the end of planned day `i` (0-based) on
    /// `x_0..=x_i`, and its constant.
    fn ctl_row(&self, i: usize) -> (Vec<f64>, f64) {
        let kc = self.params.ctl_factor();
        let coef = (0..=i).map(|j| kc * self.pc[i - j]).collect();
        (coef, self.pc[i + 1] * self.c0)
    }

    /// Coefficients and constant of race-day TSB = CTL_n − ATL_n (n = last planned day).
    fn tsb_row(&self) -> (Vec<f64>, f64) {
        let (kc, ka) = (self.params.ctl_factor(), self.params.atl_factor());
        let last = self.n - 1;
        let coef = (0..self.n)
            .map(|j| kc * self.pc[last - j] - ka * self.pa[last - j])
            .collect();
        (coef, self.pc[self.n] * self.c0 - self.pa[self.n] * self.a0)
    }

    /// The ramp row of planned day `i` (0-based): coefficients, constant and
    /// the right-hand side `max_ramp` (relaxed to what rest gives when the
    /// history alone exceeds it; the flag says so).
    fn ramp_row(&self, i: usize, max_ramp: f64) -> (Vec<f64>, f64, f64, bool) {
        let (mut coef, mut constant) = self.ctl_row(i);
        if i >= 7 {
            let (back, back_const) = self.ctl_row(i - 7);
            for (c, b) in coef.iter_mut().zip(back) {
                *c -= b;
            }
            constant -= back_const;
            (coef, constant, max_ramp, false)
        } else {
            constant -= self.hist_ctl[i + 1];
            // The least this ramp can be: fixed days at their value, free days at 0.
            let least: f64 = constant
                + coef
                    .iter()
                    .zip(&self.lower)
                    .map(|(c, l)| c * l)
                    .sum::<f64>();
            if least > max_ramp {
                (coef, constant, least, true)
            } else {
                (coef, constant, max_ramp, false)
            }
        }
    }

    fn solve(&self, goal: Goal, max_ramp: f64) -> Result<(Vec<f64>, f64), microlp::Error> {
        let direction = match goal {
            Goal::MinTsb => OptimizationDirection::Minimize,
            _ => OptimizationDirection::Maximize,
        };
        let mut problem = Problem::new(direction);
        problem.set_time_limit(SOLVE_TIME_LIMIT);
        let (tsb_coef, tsb_const) = self.tsb_row();
        let (ctl_coef, ctl_const) = self.ctl_row(self.n - 1);
        let (objective, constant) = match goal {
            Goal::MaxCtl { .. } => (&ctl_coef, ctl_const),
            Goal::MaxTsb | Goal::MinTsb => (&tsb_coef, tsb_const),
        };
        let x: Vec<Variable> = (0..self.n)
            .map(|i| problem.add_var(objective[i], (self.lower[i], self.upper[i])))
            .collect();
        for i in 0..self.n {
            let (coef, constant, rhs, _) = self.ramp_row(i, max_ramp);
            let row: Vec<(Variable, f64)> = x.iter().copied().zip(coef).collect();
            problem.add_constraint(&row[..], ComparisonOp::Le, rhs - constant);
        }
        if let Goal::MaxCtl { tsb_min, tsb_max } = goal {
            let row: Vec<(Variable, f64)> =
                x.iter().copied().zip(tsb_coef.iter().copied()).collect();
            problem.add_constraint(&row[..], ComparisonOp::Ge, tsb_min - tsb_const);
            if let Some(max) = tsb_max {
                problem.add_constraint(&row[..], ComparisonOp::Le, max - tsb_const);
            }
        }
        let outcome = problem.solve()?;
        let solution = outcome
            .solution()
            .ok_or_else(|| microlp::Error::InternalError("the solver ran out of time".into()))?;
        let values = x
            .iter()
            .enumerate()
            .map(|(i, v)| solution.var_value(*v).clamp(self.lower[i], self.upper[i]))
            .collect();
        Ok((values, solution.objective() + constant))
    }
}

/// CTL and ATL at the end of `date`: the series' value, its start values
/// before its first day (or when it is empty), its last day's after it.
fn state_at_end_of(series: &FitnessSeries, date: NaiveDate) -> (f64, f64) {
    match (series.first(), series.last()) {
        (Some(first), Some(last)) if date >= first.date => {
            if date >= last.date {
                (last.ctl, last.atl)
            } else {
                series
                    .on(date)
                    .map_or((last.ctl, last.atl), |d| (d.ctl, d.atl))
            }
        }
        _ => (series.params.ctl_start, series.params.atl_start),
    }
}

/// The plan from tomorrow (`today` + 1) through the day before
/// `goal.race_date` that maximises CTL coming into race day within the
/// limits. `series` is the PMC through `today` (its parameters are used);
/// `fixed` gives the days whose TSS is not chosen.
pub fn plan_race(
    series: &FitnessSeries,
    today: NaiveDate,
    goal: &RaceGoal,
    fixed: &BTreeMap<NaiveDate, FixedDay>,
) -> Result<RacePlan, PlanError> {
    let model = Model::new(series, today, goal, fixed)?;
    let tsb_goal = Goal::MaxCtl {
        tsb_min: goal.tsb_min,
        tsb_max: goal.tsb_max,
    };
    let (tss, objective) = match model.solve(tsb_goal, goal.max_ramp) {
        Ok(found) => found,
        Err(microlp::Error::Infeasible) => {
            return Err(PlanError::Infeasible(diagnose(&model, goal)));
        }
        Err(e) => return Err(PlanError::Solver(e.to_string())),
    };
    let ctl_per_tsb_point = {
        let (coef, constant) = model.tsb_row();
        let tsb = constant + dot(&coef, &tss);
        if (tsb - goal.tsb_min).abs() <= BINDING_TOLERANCE {
            let looser = Goal::MaxCtl {
                tsb_min: goal.tsb_min - 1.0,
                tsb_max: goal.tsb_max,
            };
            model
                .solve(looser, goal.max_ramp)
                .ok()
                .map(|(_, better)| better - objective)
        } else {
            None
        }
    };
    Ok(assemble(&model, goal, tss, objective, ctl_per_tsb_point))
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Says which limit makes the problem infeasible and what would not be.
fn diagnose(model: &Model, goal: &RaceGoal) -> Infeasibility {
    let low = model.solve(Goal::MinTsb, goal.max_ramp);
    let high = model.solve(Goal::MaxTsb, goal.max_ramp);
    let away = model.n + 1;
    let today_tsb = model.c0 - model.a0;
    match (low, high) {
        (Ok((_, lo)), Ok((_, hi))) => {
            let range = format!(
                "with these limits race-day TSB can only be {} to {} (today's TSB {}, {} days before the race)",
                signed(lo),
                signed(hi),
                signed(today_tsb),
                away
            );
            if hi < goal.tsb_min {
                Infeasibility {
                    limit: LimitKind::TsbMin,
                    reachable_tsb: Some((lo, hi)),
                    message: format!(
                        "tsb_min {} cannot be reached: {range}. Lower tsb_min to {} or less, or plan for a later race{}.",
                        signed(goal.tsb_min),
                        signed(floor1(hi)),
                        if model.kinds.contains(&PlanDayKind::Planned) {
                            " (or drop keep_planned)"
                        } else {
                            ""
                        }
                    ),
                }
            } else {
                let max = goal.tsb_max.unwrap_or(f64::INFINITY);
                Infeasibility {
                    limit: LimitKind::TsbMax,
                    reachable_tsb: Some((lo, hi)),
                    message: format!(
                        "tsb_max {} is below the lowest reachable form: {range}. Raise tsb_max to {} or more, or raise max_daily_tss / max_ramp.",
                        signed(max),
                        signed(ceil1(lo))
                    ),
                }
            }
        }
        _ => {
            // The ramp limit alone conflicts with the fixed days.
            let first = (0..model.n).find(|&i| {
                let (coef, constant, rhs, _) = model.ramp_row(i, goal.max_ramp);
                constant + dot(&coef, &model.lower) > rhs + BINDING_TOLERANCE
            });
            let when = first.map_or(String::new(), |i| format!(" (first on {})", model.date(i)));
            Infeasibility {
                limit: LimitKind::MaxRamp,
                reachable_tsb: None,
                message: format!(
                    "the planned workouts kept with keep_planned raise CTL by more than max_ramp {} a week{when}, \
whatever the other days hold. Raise max_ramp or drop keep_planned.",
                    fmt1(goal.max_ramp)
                ),
            }
        }
    }
}

fn signed(x: f64) -> String {
    format!("{:+.1}", x)
}
fn fmt1(x: f64) -> String {
    format!("{:.1}", x)
}
fn floor1(x: f64) -> f64 {
    (x * 10.0).floor() / 10.0
}
fn ceil1(x: f64) -> f64 {
    (x * 10.0).ceil() / 10.0
}

/// Runs the PMC over the solved TSS, finds the binding limits and the weeks.
fn assemble(
    model: &Model,
    goal: &RaceGoal,
    tss: Vec<f64>,
    objective: f64,
    ctl_per_tsb_point: Option<f64>,
) -> RacePlan {
    let params = model.params;
    let (mut ctl, mut atl) = (model.c0, model.a0);
    let mut ctl_by_day = Vec::with_capacity(model.n);
    let mut days = Vec::with_capacity(model.n);
    let mut relaxed = 0;
    let mut binding: BTreeMap<LimitKind, Vec<NaiveDate>> = BTreeMap::new();
    for (i, &load) in tss.iter().enumerate() {
        let tsb = ctl - atl;
        (ctl, atl) = params.step(ctl, atl, load);
        ctl_by_day.push(ctl);
        let week_ago = if i >= 7 {
            ctl_by_day[i - 7]
        } else {
            model.hist_ctl[i + 1]
        };
        let (_, _, rhs, was_relaxed) = model.ramp_row(i, goal.max_ramp);
        relaxed += u32::from(was_relaxed);
        let date = model.date(i);
        if !was_relaxed && ctl - week_ago >= rhs - BINDING_TOLERANCE {
            binding.entry(LimitKind::MaxRamp).or_default().push(date);
        }
        if model.kinds[i] == PlanDayKind::Optimised
            && load >= goal.max_daily_tss - BINDING_TOLERANCE
        {
            binding
                .entry(LimitKind::MaxDailyTss)
                .or_default()
                .push(date);
        }
        days.push(PlanDay {
            date,
            tss: load,
            ctl,
            atl,
            tsb,
            ramp: ctl - week_ago,
            kind: model.kinds[i],
        });
    }
    let race_tsb = ctl - atl;
    if (race_tsb - goal.tsb_min).abs() <= BINDING_TOLERANCE {
        binding
            .entry(LimitKind::TsbMin)
            .or_default()
            .push(goal.race_date);
    }
    if goal
        .tsb_max
        .is_some_and(|m| (race_tsb - m).abs() <= BINDING_TOLERANCE)
    {
        binding
            .entry(LimitKind::TsbMax)
            .or_default()
            .push(goal.race_date);
    }
    let binding = binding
        .into_iter()
        .map(|(limit, dates)| BindingLimit {
            limit,
            from: dates[0],
            to: *dates.last().unwrap_or(&dates[0]),
            days: dates.len() as u32,
            value: match limit {
                LimitKind::TsbMin => goal.tsb_min,
                LimitKind::TsbMax => goal.tsb_max.unwrap_or(f64::INFINITY),
                LimitKind::MaxRamp => goal.max_ramp,
                LimitKind::MaxDailyTss => goal.max_daily_tss,
            },
        })
        .collect();
    RacePlan {
        goal: goal.clone(),
        today: model.today,
        start_ctl: model.c0,
        start_atl: model.a0,
        weeks: weeks_of(days.iter().map(|d| (d.date, d.tss, d.ctl, d.tsb))),
        race_day: RaceDay {
            date: goal.race_date,
            ctl,
            atl,
            tsb: race_tsb,
            form: FormLabel::from_tsb(race_tsb),
        },
        days,
        binding,
        relaxed_ramp_days: relaxed,
        ctl_per_tsb_point,
        objective_ctl: objective,
        convention: params.describe(),
    }
}

/// Monday-to-Sunday weeks of a daily path given as `(date, tss, ctl, tsb)`.
pub fn weeks_of(days: impl IntoIterator<Item = (NaiveDate, f64, f64, f64)>) -> Vec<PlanWeek> {
    let mut weeks: Vec<PlanWeek> = Vec::new();
    for (date, tss, ctl, tsb) in days {
        let monday = date - chrono::Days::new(date.weekday().num_days_from_monday() as u64);
        match weeks.last_mut() {
            Some(w) if w.week_start == monday => {
                w.days += 1;
                w.tss += tss;
                w.ctl_end = ctl;
                w.tsb_end = tsb;
            }
            _ => weeks.push(PlanWeek {
                week_start: monday,
                days: 1,
                tss,
                ctl_end: ctl,
                tsb_end: tsb,
            }),
        }
    }
    weeks
}

/// Parses a weekday as people write it: "Mon", "monday", "MO", "tue"…
pub fn parse_weekday(text: &str) -> Option<Weekday> {
    let t = text.trim().to_ascii_lowercase();
    const NAMES: [(&str, Weekday); 7] = [
        ("monday", Weekday::Mon),
        ("tuesday", Weekday::Tue),
        ("wednesday", Weekday::Wed),
        ("thursday", Weekday::Thu),
        ("friday", Weekday::Fri),
        ("saturday", Weekday::Sat),
        ("sunday", Weekday::Sun),
    ];
    if t.len() < 2 {
        return None;
    }
    NAMES
        .iter()
        .find(|(name, _)| name.starts_with(&t))
        .map(|&(_, day)| day)
}

/// How hard a day of a plan is, relative to the athlete's fitness: CTL is
/// the average daily TSS, so a day at CTL holds fitness where it is.
/// tp-mcp's own bands (docs/analytics.md): rest 0; easy < 0.5 × CTL;
/// moderate < 1.0 ×; hard < 1.5 ×; very hard ≥ 1.5 ×.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LoadLevel {
    Rest,
    Easy,
    Moderate,
    Hard,
    VeryHard,
}

impl LoadLevel {
    /// The level of `tss` for an athlete whose CTL is `ctl`.
    pub fn of(tss: f64, ctl: f64) -> LoadLevel {
        if tss < 0.5 {
            return LoadLevel::Rest;
        }
        let r = tss / ctl.max(1.0);
        if r < 0.5 {
            LoadLevel::Easy
        } else if r < 1.0 {
            LoadLevel::Moderate
        } else if r < 1.5 {
            LoadLevel::Hard
        } else {
            LoadLevel::VeryHard
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            LoadLevel::Rest => "rest",
            LoadLevel::Easy => "easy",
            LoadLevel::Moderate => "moderate",
            LoadLevel::Hard => "hard",
            LoadLevel::VeryHard => "very hard",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::series::LoadSeries;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// A steady history: 60 TSS a day for 200 days, ending today.
    fn history(today: NaiveDate, daily: f64) -> FitnessSeries {
        let start = today - chrono::Days::new(199);
        FitnessSeries::compute(
            &LoadSeries::from_daily(start, vec![daily; 200]),
            &PmcParams::default(),
        )
    }

    fn goal(today: NaiveDate, days: u64) -> RaceGoal {
        RaceGoal {
            race_date: today + chrono::Days::new(days),
            tsb_min: 15.0,
            tsb_max: Some(25.0),
            max_ramp: 5.0,
            max_daily_tss: 200.0,
        }
    }

    /// Every limit holds on the returned path, recomputed step by step.
    fn check_limits(plan: &RacePlan, series: &FitnessSeries) {
        let g = &plan.goal;
        let tol = 1e-6;
        assert!(
            (plan.race_day.tsb - g.tsb_min) >= -tol,
            "tsb {}",
            plan.race_day.tsb
        );
        if let Some(max) = g.tsb_max {
            assert!(plan.race_day.tsb <= max + tol);
        }
        let mut ctls: Vec<f64> = (1..=7)
            .map(|i| state_at_end_of(series, plan.today - chrono::Days::new(7 - i)).0)
            .collect();
        let (mut c, mut a) = (plan.start_ctl, plan.start_atl);
        for day in &plan.days {
            assert!(day.tss >= -tol && day.tss <= g.max_daily_tss + tol);
            (c, a) = series.params.step(c, a, day.tss);
            assert!((c - day.ctl).abs() < 1e-9 && (a - day.atl).abs() < 1e-9);
            let week_ago = ctls[ctls.len() - 7];
            if plan.relaxed_ramp_days == 0 {
                assert!(
                    c - week_ago <= g.max_ramp + tol,
                    "ramp {} on {}",
                    c - week_ago,
                    day.date
                );
            }
            ctls.push(c);
        }
        assert!((plan.race_day.ctl - plan.objective_ctl).abs() < 1e-6);
    }

    #[test]
    fn the_optimum_meets_every_limit_and_beats_simple_plans() {
        let today = d(2026, 11, 30);
        let series = history(today, 60.0);
        let g = goal(today, 70);
        let plan = plan_race(&series, today, &g, &BTreeMap::new()).unwrap();
        check_limits(&plan, &series);
        assert_eq!(plan.days.len(), 69);
        assert_eq!(plan.days[0].date, d(2026, 12, 1));
        assert_eq!(plan.days.last().unwrap().date, d(2027, 2, 7));
        // It builds (ramp binding) and tapers into the TSB window.
        assert!(
            plan.race_day.ctl > 60.0 + 5.0 * 5.0,
            "CTL {}",
            plan.race_day.ctl
        );
        assert!(plan.binding.iter().any(|b| b.limit == LimitKind::MaxRamp));
        assert!(plan.binding.iter().any(|b| b.limit == LimitKind::TsbMin));
        assert!(plan.ctl_per_tsb_point.unwrap() > 0.0);
        // A feasible hand-made plan: a flat 80 and a 10-day rest taper,
        // scaled so that it also meets the limits, never beats it.
        for flat in [60.0, 70.0, 80.0] {
            let (mut c, mut a) = (plan.start_ctl, plan.start_atl);
            for i in 0..69 {
                let t = if i >= 59 { 0.0 } else { flat };
                (c, a) = series.params.step(c, a, t);
            }
            if c - a >= 15.0 {
                assert!(c <= plan.race_day.ctl + 1e-9);
            }
        }
    }

    #[test]
    fn fixed_days_are_kept() {
        let today = d(2026, 11, 30); // a Monday
        let series = history(today, 60.0);
        let g = goal(today, 30);
        let mut fixed = BTreeMap::new();
        for i in 1..30 {
            let date = today + chrono::Days::new(i);
            if date.weekday() == Weekday::Mon {
                fixed.insert(
                    date,
                    FixedDay {
                        tss: 0.0,
                        reason: FixedReason::RestWeekday,
                    },
                );
            }
        }
        fixed.insert(
            d(2026, 12, 3),
            FixedDay {
                tss: 123.0,
                reason: FixedReason::Planned,
            },
        );
        let plan = plan_race(&series, today, &g, &fixed).unwrap();
        check_limits(&plan, &series);
        for day in &plan.days {
            if day.date.weekday() == Weekday::Mon {
                assert_eq!(day.tss, 0.0);
                assert_eq!(day.kind, PlanDayKind::RestWeekday);
            }
        }
        let kept = plan.days.iter().find(|p| p.date == d(2026, 12, 3)).unwrap();
        assert_eq!((kept.tss, kept.kind), (123.0, PlanDayKind::Planned));
    }

    #[test]
    fn an_unreachable_tsb_says_what_is_reachable() {
        let today = d(2026, 11, 30);
        // Deep fatigue: a hard last week.
        let start = today - chrono::Days::new(199);
        let mut loads = vec![60.0; 200];
        for l in loads.iter_mut().skip(193) {
            *l = 250.0;
        }
        let series =
            FitnessSeries::compute(&LoadSeries::from_daily(start, loads), &PmcParams::default());
        let mut g = goal(today, 3);
        g.tsb_min = 40.0;
        g.tsb_max = Some(50.0);
        let Err(PlanError::Infeasible(why)) = plan_race(&series, today, &g, &BTreeMap::new())
        else {
            panic!("expected infeasible");
        };
        assert_eq!(why.limit, LimitKind::TsbMin);
        let (lo, hi) = why.reachable_tsb.unwrap();
        assert!(lo <= hi && hi < 40.0, "{lo} {hi}");
        // Complete rest is the freshest plan two days out here: check it.
        let (mut c, mut a) = (series.last().unwrap().ctl, series.last().unwrap().atl);
        for _ in 0..2 {
            (c, a) = series.params.step(c, a, 0.0);
        }
        assert!((hi - (c - a)).abs() < 1e-6, "{hi} vs {}", c - a);
        assert!(
            why.message.contains("tsb_min +40.0 cannot be reached"),
            "{}",
            why.message
        );
    }

    #[test]
    fn dates_are_checked() {
        let today = d(2026, 11, 30);
        let series = history(today, 60.0);
        let none = BTreeMap::new();
        assert_eq!(
            plan_race(&series, today, &goal(today, 1), &none),
            Err(PlanError::TooSoon(1))
        );
        assert_eq!(
            plan_race(&series, today, &goal(today, 0), &none),
            Err(PlanError::TooSoon(0))
        );
        assert!(matches!(
            plan_race(&series, today, &goal(today, 367), &none),
            Err(PlanError::TooFar(367))
        ));
        assert!(plan_race(&series, today, &goal(today, 366), &none).is_ok());
    }

    #[test]
    fn an_empty_history_plans_from_zero() {
        let today = d(2026, 11, 30);
        let series = FitnessSeries::compute(
            &LoadSeries::from_daily(today, vec![]),
            &PmcParams::default(),
        );
        // From nothing, a ramp of 5/week cannot give TSB +15 in 40 days…
        let Err(PlanError::Infeasible(_)) =
            plan_race(&series, today, &goal(today, 40), &BTreeMap::new())
        else {
            panic!("TSB +15 from zero fitness");
        };
        // …but a C race (TSB ≥ −10) is planned.
        let mut c = goal(today, 40);
        (c.tsb_min, c.tsb_max) = (-10.0, None);
        let plan = plan_race(&series, today, &c, &BTreeMap::new()).unwrap();
        check_limits(&plan, &series);
        assert!(plan.race_day.ctl > 0.0);
    }

    #[test]
    fn a_ramp_already_too_steep_is_relaxed_not_infeasible() {
        let today = d(2026, 11, 30);
        let start = today - chrono::Days::new(199);
        let mut loads = vec![40.0; 200];
        for l in loads.iter_mut().skip(186) {
            *l = 200.0;
        }
        let series =
            FitnessSeries::compute(&LoadSeries::from_daily(start, loads), &PmcParams::default());
        assert!(series.ramp_rate(today).unwrap() > 5.0);
        let plan = plan_race(&series, today, &goal(today, 60), &BTreeMap::new()).unwrap();
        assert!(plan.relaxed_ramp_days > 0);
        assert_eq!(plan.days[0].tss, 0.0);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        /// Any history, any limits: an answer or a typed error, never a
        /// panic; every answer meets its limits when its PMC is re-run.
        #[test]
        fn any_input_gives_a_plan_that_meets_its_limits_or_a_reason(
            loads in proptest::collection::vec(0.0f64..400.0, 0..120),
            days in 0u64..70,
            tsb_min in -60.0f64..40.0,
            width in proptest::option::of(0.0f64..30.0),
            max_ramp in 0.0f64..12.0,
            max_daily in 1.0f64..400.0,
            rest_every in 0usize..8,
        ) {
            let today = d(2026, 11, 30);
            let start = today - chrono::Days::new(loads.len().saturating_sub(1) as u64);
            let series = FitnessSeries::compute(&LoadSeries::from_daily(start, loads), &PmcParams::default());
            let goal = RaceGoal {
                race_date: today + chrono::Days::new(days),
                tsb_min,
                tsb_max: width.map(|w| tsb_min + w),
                max_ramp,
                max_daily_tss: max_daily,
            };
            let fixed: BTreeMap<NaiveDate, FixedDay> = (1..days)
                .filter(|i| rest_every > 0 && (*i as usize).is_multiple_of(rest_every))
                .map(|i| (today + chrono::Days::new(i), FixedDay { tss: 0.0, reason: FixedReason::RestWeekday }))
                .collect();
            match plan_race(&series, today, &goal, &fixed) {
                Ok(plan) => check_limits(&plan, &series),
                Err(PlanError::TooSoon(n)) => proptest::prop_assert!(n < 2),
                Err(PlanError::Infeasible(why)) => proptest::prop_assert!(!why.message.is_empty()),
                Err(e) => proptest::prop_assert!(false, "{e}"),
            }
        }
    }

    #[test]
    fn percentile_is_numpys_linear() {
        // numpy.percentile([1, 2, 3, 4], 95) == 3.85
        assert!((percentile(&mut [4.0, 1.0, 3.0, 2.0], 95.0).unwrap() - 3.85).abs() < 1e-12);
        assert_eq!(percentile(&mut [], 95.0), None);
        assert_eq!(percentile(&mut [7.0], 95.0), Some(7.0));
    }

    #[test]
    fn weekdays_parse_as_people_write_them() {
        assert_eq!(parse_weekday("Mon"), Some(Weekday::Mon));
        assert_eq!(parse_weekday("thursday"), Some(Weekday::Thu));
        assert_eq!(parse_weekday("TU"), Some(Weekday::Tue));
        assert_eq!(parse_weekday("m"), None);
        assert_eq!(parse_weekday("Funday"), None);
    }
}

//! `tp_power_curve`: the best power (or heart rate, or pace) held for any
//! duration over a period, from the device files — with a second period to
//! compare, or for one workout.

use super::TpTool;
use crate::answer::ToolError;
use crate::args::{self, ArgError};
use crate::context::ServerContext;
use crate::format;
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use tp_fitness::range_curve::{self, CurvePoint, STANDARD_DURATIONS, WorkoutCurve};
use tp_model::{ChannelKind, Sport, Workout};

pub struct PowerCurve;

/// The most durations one question may ask for.
pub const MAX_DURATIONS: usize = 10_000;

/// The longest duration asked for (two days).
pub const MAX_DURATION_S: i64 = 172_800;

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PowerCurveArgs {
    /// Bike (default; includes mountain-bike rides), Run, Swim, or another sport.
    pub sport: Option<String>,
    /// First day, YYYY-MM-DD (default: `days` before end_date).
    pub start_date: Option<String>,
    /// Last day, YYYY-MM-DD (default: today).
    pub end_date: Option<String>,
    /// Days back from end_date when start_date is not given (default 90; any length).
    #[serde(default, deserialize_with = "args::lenient_int")]
    #[schemars(with = "Option<i64>")]
    pub days: Option<i64>,
    /// A second period to compare with ("this season vs last"): its first day.
    pub compare_start_date: Option<String>,
    /// The second period's last day.
    pub compare_end_date: Option<String>,
    /// Durations in whole seconds (default: 1 s to 2 h, 27 standard
    /// durations); any values, exact for each.
    pub durations_s: Option<Vec<serde_json::Value>>,
    /// power (default for Bike), pace (default for Run and Swim), or heart_rate.
    pub metric: Option<String>,
    /// One workout's curve instead of a period's (its id from tp_get_workouts).
    #[serde(default, deserialize_with = "args::lenient_int")]
    #[schemars(with = "Option<i64>")]
    pub workout_id: Option<i64>,
}

/// One duration's best.
#[derive(Debug, Serialize, JsonSchema)]
pub struct CurvePointOut {
    pub duration_s: u32,
    /// Power curves: the best average power, W.
    pub watts: Option<f64>,
    /// Power curves, when a body weight is known: W/kg.
    pub w_per_kg: Option<f64>,
    /// Heart-rate curves: the best average, bpm.
    pub heart_rate_bpm: Option<f64>,
    /// Pace curves: the best average speed, m/s.
    pub speed_m_s: Option<f64>,
    /// Pace curves: as the athlete reads it (min/km; min/100 m for swims).
    pub pace: Option<String>,
    /// The length of the effort that holds it (s): the duration itself,
    /// or a longer effort that averaged more.
    pub window_s: u32,
    pub date: NaiveDate,
    pub workout_id: i64,
}

/// Which of a period's workouts the curve is made of.
#[derive(Debug, Serialize, JsonSchema)]
pub struct CurveCoverage {
    /// Completed workouts of the sport in the period.
    pub workouts: usize,
    /// Of those, with second-by-second data in the cache.
    pub with_streams: usize,
    /// Entered by hand (no device file).
    pub entered_by_hand: usize,
    /// Device file unreadable.
    pub unreadable: usize,
    /// Not fetched yet (the time budget ran out, or TrainingPeaks failed).
    pub not_fetched: usize,
    /// Device files this answer fetched (for both periods when comparing:
    /// counted in `coverage` only, 0 in `compare_coverage`).
    pub fetched_now: usize,
    /// Workouts whose files hold this metric (e.g. rides with a power meter).
    pub with_metric: usize,
    /// How the rest get filled, when some are missing.
    pub how_to_fill: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct PowerCurveOutput {
    pub sport: String,
    /// power, pace or heart_rate.
    pub metric: String,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub workout_id: Option<i64>,
    /// One per duration asked for that some workout lasted (shortest first).
    pub points: Vec<CurvePointOut>,
    pub coverage: CurveCoverage,
    pub compare_start_date: Option<NaiveDate>,
    pub compare_end_date: Option<NaiveDate>,
    pub compare_points: Option<Vec<CurvePointOut>>,
    pub compare_coverage: Option<CurveCoverage>,
    /// Durations no workout of the period lasted.
    pub durations_without_data: Vec<u32>,
    /// Body weight used for W/kg, kg.
    pub weight_kg: Option<f64>,
    pub method: String,
}

/// What the curve is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Metric {
    Power,
    Pace,
    HeartRate,
}

impl Metric {
    fn key(self) -> &'static str {
        match self {
            Metric::Power => "power",
            Metric::Pace => "pace",
            Metric::HeartRate => "heart_rate",
        }
    }

    fn channel(self) -> ChannelKind {
        match self {
            Metric::Power => ChannelKind::Power,
            Metric::Pace => ChannelKind::Speed,
            Metric::HeartRate => ChannelKind::HeartRate,
        }
    }

    fn parse(text: &str) -> Option<Metric> {
        match text
            .trim()
            .to_ascii_lowercase()
            .replace([' ', '-'], "_")
            .as_str()
        {
            "power" | "watts" => Some(Metric::Power),
            "pace" | "speed" => Some(Metric::Pace),
            "heart_rate" | "hr" | "heartrate" => Some(Metric::HeartRate),
            _ => None,
        }
    }
}

/// The workout types a sport's curve is made of.
fn sport_members(sport: Sport) -> Vec<Sport> {
    match sport {
        Sport::Bike | Sport::MountainBike => vec![Sport::Bike, Sport::MountainBike],
        other => vec![other],
    }
}

fn parse_durations(raw: Option<&[serde_json::Value]>) -> Result<Vec<u32>, ArgError> {
    let Some(raw) = raw else {
        return Ok(STANDARD_DURATIONS.to_vec());
    };
    if raw.is_empty() || raw.len() > MAX_DURATIONS {
        return Err(ArgError::new(
            "durations_s",
            format!(
                "expected a list of 1 to {MAX_DURATIONS} durations in whole seconds, got {} items",
                raw.len()
            ),
        ));
    }
    let mut out = Vec::with_capacity(raw.len());
    for v in raw {
        let n = tp_model::lenient::integer(v).filter(|n| (1..=MAX_DURATION_S).contains(n));
        match n {
            Some(n) => out.push(n as u32),
            None => {
                return Err(ArgError::new(
                    "durations_s",
                    format!("expected whole seconds from 1 to {MAX_DURATION_S}, got {v}"),
                ));
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

impl TpTool for PowerCurve {
    const NAME: &'static str = "tp_power_curve";
    const TITLE: &'static str = "Power curve (best efforts for any duration)";
    const DESCRIPTION: &'static str = "The athlete's best power for any duration over a period — 1 s to 2 h by \
default, or any whole seconds in durations_s (exact for each, e.g. 480 for 'best 8 minutes') — computed from the \
second-by-second device files, with the date and workout of each best. Also pace curves for runs and swims \
(metric pace, the default for them) and heart-rate curves. Compare two periods ('this season vs last') with \
compare_start_date/compare_end_date, or ask for one workout's curve with workout_id. Says how many of the \
period's workouts the curve covers (device files not fetched yet are fetched first, within about 20 s).";
    type Args = PowerCurveArgs;
    type Output = PowerCurveOutput;

    async fn run(
        ctx: &ServerContext,
        a: PowerCurveArgs,
    ) -> Result<(PowerCurveOutput, String), ToolError> {
        let sport = args::sport("sport", a.sport.as_deref().unwrap_or("Bike"))?;
        let metric = match a.metric.as_deref() {
            Some(m) => Metric::parse(m).ok_or_else(|| {
                ArgError::new(
                    "metric",
                    format!("expected power, pace or heart_rate, got {m:?}"),
                )
            })?,
            None => match sport {
                Sport::Bike | Sport::MountainBike => Metric::Power,
                Sport::Run | Sport::Swim | Sport::Walk => Metric::Pace,
                _ => Metric::HeartRate,
            },
        };
        let durations = parse_durations(a.durations_s.as_deref())?;
        let days = args::days("days", a.days.unwrap_or(90), args::MAX_RANGE_DAYS)?;
        let (workouts, start, end) = match a.workout_id {
            Some(id) => {
                if id <= 0 {
                    return Err(ArgError::new(
                        "workout_id",
                        format!("expected a positive workout id, got {id}"),
                    )
                    .into());
                }
                let w = super::workout::fetch(ctx, id).await?;
                let day = w.workout_day.unwrap_or_else(|| ctx.today());
                (vec![w], day, day)
            }
            None => {
                let (start, end) = args::range(
                    a.start_date.as_deref(),
                    a.end_date.as_deref(),
                    ctx.today(),
                    days,
                )?;
                (of_sport(ctx.workouts(start, end).await?, sport), start, end)
            }
        };
        let compare = match (
            a.compare_start_date.as_deref(),
            a.compare_end_date.as_deref(),
        ) {
            (None, None) => None,
            (Some(s), Some(e)) => {
                let (cs, ce) = (
                    args::date("compare_start_date", s)?,
                    args::date("compare_end_date", e)?,
                );
                args::check_range(cs, ce)
                    .map_err(|e| ArgError::new("compare_start_date", e.message))?;
                Some((cs, ce))
            }
            _ => {
                return Err(ArgError::new(
                    "compare_start_date",
                    "give both compare_start_date and compare_end_date (YYYY-MM-DD), or neither",
                )
                .into());
            }
        };
        let compare_workouts = match compare {
            Some((cs, ce)) => of_sport(ctx.workouts(cs, ce).await?, sport),
            None => Vec::new(),
        };
        // One fetch for both periods, within one time budget.
        let mut all = workouts.clone();
        all.extend(compare_workouts.iter().cloned());
        let fetched = ctx.fetch_streams(&all).await?;
        let with_metric = fetched.with_curve(metric.channel())?;
        let weight = ctx.body_weight_kg().await;
        let members = sport_members(sport);
        let found = match a.workout_id {
            // One workout: its own curve only (not others of the day).
            Some(id) => {
                let curve = fetched.curve_of(id, metric.channel())?;
                let view: Vec<WorkoutCurve> = curve
                    .iter()
                    .map(|curve| WorkoutCurve {
                        workout_id: id,
                        date: start,
                        curve,
                    })
                    .collect();
                range_curve::range_curve(&view, &durations)
            }
            None => {
                ctx.period_curve(&fetched, metric.channel(), &members, start, end, &durations)?
            }
        };
        let (points, missing) = points_out(&durations, found, metric, sport, weight);
        let coverage = coverage_of(&workouts, &fetched, &with_metric);
        let (compare_points, compare_coverage) = match compare {
            Some((cs, ce)) => {
                let found =
                    ctx.period_curve(&fetched, metric.channel(), &members, cs, ce, &durations)?;
                let (p, _) = points_out(&durations, found, metric, sport, weight);
                let coverage = CurveCoverage {
                    fetched_now: 0,
                    ..coverage_of(&compare_workouts, &fetched, &with_metric)
                };
                (Some(p), Some(coverage))
            }
            None => (None, None),
        };
        let out = PowerCurveOutput {
            sport: sport.to_string(),
            metric: metric.key().to_string(),
            start_date: start,
            end_date: end,
            workout_id: a.workout_id,
            points,
            coverage,
            compare_start_date: compare.map(|c| c.0),
            compare_end_date: compare.map(|c| c.1),
            compare_points,
            compare_coverage,
            durations_without_data: missing,
            weight_kg: weight,
            method: "Exact mean-maximal values from the device files: for each duration, the highest average \
held for at least that long in any workout of the period (every window of every length, no interpolation; \
a window never spans a pause). Ties go to the earlier workout."
                .into(),
        };
        let text = render(&out);
        Ok((out, text))
    }
}

fn of_sport(workouts: Vec<Workout>, sport: Sport) -> Vec<Workout> {
    let members = sport_members(sport);
    workouts
        .into_iter()
        .filter(|w| w.is_completed() && members.contains(&w.sport()))
        .collect()
}

/// The found points as output, and the durations no workout lasted.
fn points_out(
    durations: &[u32],
    found: Vec<Option<CurvePoint>>,
    metric: Metric,
    sport: Sport,
    weight: Option<f64>,
) -> (Vec<CurvePointOut>, Vec<u32>) {
    let mut points = Vec::new();
    let mut missing = Vec::new();
    for (d, p) in durations.iter().zip(found) {
        match p {
            Some(p) => points.push(point_out(&p, metric, sport, weight)),
            None => missing.push(*d),
        }
    }
    (points, missing)
}

fn point_out(p: &CurvePoint, metric: Metric, sport: Sport, weight: Option<f64>) -> CurvePointOut {
    let mut out = CurvePointOut {
        duration_s: p.duration_s,
        watts: None,
        w_per_kg: None,
        heart_rate_bpm: None,
        speed_m_s: None,
        pace: None,
        window_s: p.window_s,
        date: p.date,
        workout_id: p.workout_id,
    };
    match metric {
        Metric::Power => {
            out.watts = Some(p.value);
            out.w_per_kg = weight.filter(|w| *w > 0.0).map(|w| p.value / w);
        }
        Metric::HeartRate => out.heart_rate_bpm = Some(p.value),
        Metric::Pace => {
            let speed = p.value * ChannelKind::Speed.scale();
            out.speed_m_s = Some(speed);
            out.pace = Some(if sport == Sport::Swim {
                format::pace_per_100m(speed)
            } else {
                format::pace_per_km(speed)
            });
        }
    }
    out
}

/// Which of `workouts` the fetched curves cover.
pub(crate) fn coverage_of(
    workouts: &[Workout],
    fetched: &crate::data::FetchedStreams,
    with_metric: &std::collections::HashSet<i64>,
) -> CurveCoverage {
    let with_metric = workouts
        .iter()
        .filter(|w| with_metric.contains(&w.workout_id))
        .count();
    let c = tp_store::StreamCoverage::count(
        workouts
            .iter()
            .filter_map(|w| fetched.states.get(&w.workout_id).copied()),
    );
    let report = &fetched.fill.report;
    let how_to_fill = (c.missing > 0).then(|| {
        let why = report
            .stopped
            .as_deref()
            .map(|s| format!(" ({s})"))
            .unwrap_or_default();
        format!(
            "{} of these workouts' device files are not in the local cache yet{why}. Each question fetches more \
(about {} s of fetching per answer); `tp-mcp sync --streams` fetches them all at once, and the tray app fills \
them while the computer is idle.",
            c.missing,
            crate::data::STREAM_BUDGET_SECS
        )
    });
    CurveCoverage {
        workouts: c.workouts,
        with_streams: c.stored,
        entered_by_hand: c.no_file,
        unreadable: c.unreadable,
        not_fetched: c.missing,
        fetched_now: report.stored,
        with_metric,
        how_to_fill,
    }
}

/// `1 h 30 min`, `8 min`, `45 s` for a duration in seconds.
fn span(seconds: u32) -> String {
    match seconds {
        s if s < 60 => format!("{s} s"),
        s if s < 3600 && s % 60 == 0 => format!("{} min", s / 60),
        s if s < 3600 => format!("{} min {} s", s / 60, s % 60),
        s if s % 3600 == 0 => format!("{} h", s / 3600),
        s if s % 60 == 0 => format!("{} h {} min", s / 3600, s % 3600 / 60),
        s => format!("{} h {} min {} s", s / 3600, s % 3600 / 60, s % 60),
    }
}

fn value(p: &CurvePointOut) -> String {
    if let Some(w) = p.watts {
        let per_kg = p
            .w_per_kg
            .map(|k| format!(" ({k:.2} W/kg)"))
            .unwrap_or_default();
        format!("{w:.0} W{per_kg}")
    } else if let Some(h) = p.heart_rate_bpm {
        format!("{h:.0} bpm")
    } else if let Some(pace) = &p.pace {
        pace.clone()
    } else {
        "-".into()
    }
}

fn coverage_line(label: &str, c: &CurveCoverage, metric: &str) -> String {
    let mut t = format!(
        "{label}: {} of {} workouts have second-by-second data",
        c.with_streams, c.workouts
    );
    if metric == "power" {
        t.push_str(&format!(" ({} with power)", c.with_metric));
    }
    let mut rest = Vec::new();
    if c.entered_by_hand > 0 {
        rest.push(format!("{} entered by hand", c.entered_by_hand));
    }
    if c.unreadable > 0 {
        rest.push(format!("{} with an unreadable file", c.unreadable));
    }
    if c.not_fetched > 0 {
        rest.push(format!("{} not fetched yet", c.not_fetched));
    }
    if !rest.is_empty() {
        t.push_str(&format!("; {}", rest.join(", ")));
    }
    if c.fetched_now > 0 {
        t.push_str(&format!(
            "; {} device files fetched for this answer",
            c.fetched_now
        ));
    }
    t.push_str(".\n");
    if let Some(how) = &c.how_to_fill {
        t.push_str(how);
        t.push('\n');
    }
    t
}

fn render(out: &PowerCurveOutput) -> String {
    let what = match out.metric.as_str() {
        "power" => "Power curve",
        "pace" => "Pace curve",
        _ => "Heart-rate curve",
    };
    let mut t = match out.workout_id {
        Some(id) => format!(
            "{what} of workout {id} ({}, {})\n\n",
            out.sport, out.start_date
        ),
        None => format!(
            "{what} — {}, {} to {}\n\n",
            out.sport, out.start_date, out.end_date
        ),
    };
    t.push_str(&coverage_line("Data", &out.coverage, &out.metric));
    if let (Some(cs), Some(ce), Some(cc)) = (
        out.compare_start_date,
        out.compare_end_date,
        &out.compare_coverage,
    ) {
        t.push_str(&coverage_line(
            &format!("Compared with {cs} to {ce}"),
            cc,
            &out.metric,
        ));
    }
    t.push('\n');
    if out.points.is_empty() {
        t.push_str("No workout of the period has this data, so there is no curve.\n");
        return t;
    }
    let compare: std::collections::HashMap<u32, &CurvePointOut> = out
        .compare_points
        .iter()
        .flatten()
        .map(|p| (p.duration_s, p))
        .collect();
    let mut headers = vec!["duration", "best", "date", "workout"];
    if out.compare_points.is_some() {
        headers.extend(["compared period", "date", "change"]);
    }
    let mut table = format::Table::new(headers);
    for p in &out.points {
        let held = if p.window_s > p.duration_s {
            format!(" (held {})", span(p.window_s))
        } else {
            String::new()
        };
        let mut row = vec![
            span(p.duration_s),
            format!("{}{held}", value(p)),
            p.date.to_string(),
            p.workout_id.to_string(),
        ];
        if out.compare_points.is_some() {
            match compare.get(&p.duration_s) {
                Some(c) => {
                    let change = match (
                        p.watts.or(p.heart_rate_bpm).or(p.speed_m_s),
                        c.watts.or(c.heart_rate_bpm).or(c.speed_m_s),
                    ) {
                        (Some(a), Some(b)) if b > 0.0 => format!("{:+.1} %", (a / b - 1.0) * 100.0),
                        _ => "-".into(),
                    };
                    row.extend([value(c), c.date.to_string(), change]);
                }
                None => row.extend(["-".into(), "-".into(), "-".into()]),
            }
        }
        table.row(row);
    }
    t.push_str(&table.render());
    if !out.durations_without_data.is_empty() {
        let shown: Vec<String> = out
            .durations_without_data
            .iter()
            .take(8)
            .map(|d| span(*d))
            .collect();
        t.push_str(&format!(
            "\nNo workout lasted {}{}.\n",
            shown.join(", "),
            if out.durations_without_data.len() > 8 {
                ", …"
            } else {
                ""
            }
        ));
    }
    if out.metric == "power" && out.weight_kg.is_none() {
        t.push_str("\nW/kg: TrainingPeaks has no body weight for this athlete.\n");
    }
    t.push_str(&format!("\nMethod: {}\n", out.method));
    t
}

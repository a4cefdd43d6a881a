//! What the chart window's "Power curve" view draws: the answers of the
//! `tp_power_curve` and `tp_critical_power` tools — the very JSON Claude
//! gets — laid out in columns for the chart (one row per duration). This
//! module decides which question to ask (the periods, the durations) and
//! reshapes the answers; it computes nothing: every watt, CP, W′ and eFTP
//! shown is a number the tools returned.

use chrono::{Datelike, Days, NaiveDate};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The sport of the view (the tools count mountain-bike rides in).
pub const SPORT: &str = "Bike";

/// The longest duration asked for: 4 h.
pub const LONGEST_S: u32 = 4 * 3600;

/// Which two periods the view compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Range {
    /// This season (1 January to today) against the whole previous year.
    #[serde(rename = "season")]
    Season,
    /// The last 90 days against the 90 days before them.
    #[serde(rename = "90d")]
    Last90,
}

impl Range {
    /// From the window's name for it (`season`, `90d`).
    pub fn parse(text: &str) -> Option<Range> {
        match text {
            "season" => Some(Range::Season),
            "90d" => Some(Range::Last90),
            _ => None,
        }
    }
}

/// A period: its days and how the window names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Period {
    pub start: NaiveDate,
    pub end: NaiveDate,
    /// "2023", "Last 90 days".
    pub label: String,
    /// "1 Jan – 30 Jun 2023".
    pub dates: String,
}

impl Period {
    fn new(start: NaiveDate, end: NaiveDate, label: String) -> Period {
        Period {
            start,
            end,
            label,
            dates: span_of_days(start, end),
        }
    }
}

/// The two periods of a range, as of `today`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Periods {
    pub range: Range,
    /// This season / the last 90 days (the solid curve; CP is fitted to it).
    pub this: Period,
    /// Last season / the 90 days before (the lighter, dashed curve).
    pub last: Period,
}

impl Periods {
    pub fn of(range: Range, today: NaiveDate) -> Periods {
        match range {
            Range::Season => {
                let year = today.year();
                let jan1 = |y: i32| NaiveDate::from_ymd_opt(y, 1, 1).expect("1 January exists");
                let dec31 =
                    |y: i32| NaiveDate::from_ymd_opt(y, 12, 31).expect("31 December exists");
                Periods {
                    range,
                    this: Period::new(jan1(year), today, year.to_string()),
                    last: Period::new(jan1(year - 1), dec31(year - 1), (year - 1).to_string()),
                }
            }
            Range::Last90 => {
                let back = |d: NaiveDate, n: u64| d.checked_sub_days(Days::new(n)).unwrap_or(d);
                let start = back(today, 89);
                let before_end = back(start, 1);
                Periods {
                    range,
                    this: Period::new(start, today, "Last 90 days".into()),
                    last: Period::new(back(before_end, 89), before_end, "The 90 before".into()),
                }
            }
        }
    }

    /// The `tp_power_curve` question: both periods at [`durations`].
    /// `refresh`: re-fetch recent days from TrainingPeaks first.
    pub fn curve_args(&self, refresh: bool) -> serde_json::Map<String, Value> {
        let mut args = json!({
            "sport": SPORT,
            "start_date": self.this.start.to_string(),
            "end_date": self.this.end.to_string(),
            "compare_start_date": self.last.start.to_string(),
            "compare_end_date": self.last.end.to_string(),
            "durations_s": durations(),
        });
        if refresh {
            args["refresh"] = Value::Bool(true);
        }
        match args {
            Value::Object(map) => map,
            _ => unreachable!("a JSON object"),
        }
    }

    /// The `tp_critical_power` question: the models of this period.
    pub fn cp_args(&self) -> serde_json::Map<String, Value> {
        match json!({
            "sport": SPORT,
            "start_date": self.this.start.to_string(),
            "end_date": self.this.end.to_string(),
        }) {
            Value::Object(map) => map,
            _ => unreachable!("a JSON object"),
        }
    }
}

/// The durations asked for, in seconds: every second to 1 min, then round
/// durations dense enough for a smooth curve on a log axis (12 to 25 per
/// doubling) up to [`LONGEST_S`] — and so every standard duration of
/// the tools (where the model curve has its points).
pub fn durations() -> Vec<u32> {
    // (up to, step)
    const STEPS: [(u32, u32); 7] = [
        (60, 1),
        (120, 5),
        (300, 10),
        (600, 15),
        (1200, 30),
        (3600, 60),
        (LONGEST_S, 300),
    ];
    let mut out = Vec::new();
    let mut last_up_to = 0;
    for (up_to, step) in STEPS {
        // Each stretch goes on from the last one's end, by its own step.
        let mut d = if last_up_to == 0 {
            1
        } else {
            last_up_to + step
        };
        while d <= up_to {
            out.push(d);
            d += step;
        }
        last_up_to = up_to;
    }
    out
}

/// Ticks on the duration axis: where, and the label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tick {
    pub duration_s: u32,
    pub label: String,
}

/// The axis' ticks (the window leaves out those that do not fit).
pub fn ticks() -> Vec<Tick> {
    [1, 5, 15, 30, 60, 120, 300, 600, 1200, 3600, 7200, 14_400]
        .into_iter()
        .map(|d| Tick {
            duration_s: d,
            label: duration_label(d),
        })
        .collect()
}

/// `45 s`, `8 min`, `7 min 30 s`, `1 h`, `1 h 15 min` for a duration in seconds.
pub fn duration_label(seconds: u32) -> String {
    let (h, m, s) = (seconds / 3600, seconds % 3600 / 60, seconds % 60);
    match (h, m, s) {
        (0, 0, s) => format!("{s} s"),
        (0, m, 0) => format!("{m} min"),
        (0, m, s) => format!("{m} min {s} s"),
        (h, 0, 0) => format!("{h} h"),
        (h, m, 0) => format!("{h} h {m} min"),
        (h, m, s) => format!("{h} h {m} min {s} s"),
    }
}

/// `1 Jan – 30 Jun 2023`, `17 Sep 2021 – 15 Dec 2021`.
fn span_of_days(start: NaiveDate, end: NaiveDate) -> String {
    if start.year() == end.year() {
        format!("{} – {}", start.format("%-d %b"), end.format("%-d %b %Y"))
    } else {
        format!(
            "{} – {}",
            start.format("%-d %b %Y"),
            end.format("%-d %b %Y")
        )
    }
}

// --- the tools' answers (the parts the view reads) ---------------------------

/// `tp_power_curve`'s structured output.
#[derive(Debug, Deserialize)]
pub struct CurveAnswer {
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub points: Vec<CurvePoint>,
    pub coverage: Coverage,
    pub compare_start_date: Option<NaiveDate>,
    pub compare_end_date: Option<NaiveDate>,
    pub compare_points: Option<Vec<CurvePoint>>,
    pub compare_coverage: Option<Coverage>,
    #[serde(default)]
    pub stale_data: Vec<StaleData>,
}

#[derive(Debug, Deserialize)]
pub struct CurvePoint {
    pub duration_s: u32,
    pub watts: Option<f64>,
    pub window_s: u32,
    pub date: NaiveDate,
    pub workout_id: i64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Coverage {
    pub workouts: usize,
    pub with_streams: usize,
    pub entered_by_hand: usize,
    pub unreadable: usize,
    pub not_fetched: usize,
    pub with_metric: usize,
}

/// `tp_critical_power`'s structured output.
#[derive(Debug, Deserialize)]
pub struct CpAnswer {
    pub two_parameter: Option<Fit>,
    pub two_parameter_note: Option<String>,
    pub three_parameter: Option<Fit>,
    pub three_parameter_note: Option<String>,
    pub estimated_ftp: Option<Eftp>,
    pub estimated_ftp_note: Option<String>,
    pub settings_ftp_w: Option<f64>,
    pub model_curve: Vec<ModelPoint>,
    #[serde(default)]
    pub stale_data: Vec<StaleData>,
}

#[derive(Debug, Deserialize)]
pub struct Fit {
    pub cp_w: f64,
    pub w_prime_j: f64,
    /// 3-parameter model only.
    pub pmax_w: Option<f64>,
    pub window: FitWindow,
    pub rmse_w: f64,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
pub struct FitWindow {
    pub min_s: u32,
    pub max_s: u32,
}

#[derive(Debug, Deserialize)]
pub struct Eftp {
    pub eftp_w: f64,
    pub method: String,
}

#[derive(Debug, Deserialize)]
pub struct ModelPoint {
    pub duration_s: u32,
    pub watts: f64,
}

/// What an answer from the local history says of itself.
#[derive(Debug, Deserialize)]
pub struct StaleData {
    pub what: String,
    pub last_fetched: Option<String>,
    pub problem: String,
}

// --- the view -----------------------------------------------------------------

/// The view's data: columns of equal length, one entry per duration that
/// either curve or the model has (shortest first); `None` where a series
/// has no value there.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PowerCurveView {
    pub range: Range,
    pub this: Period,
    pub last: Period,
    /// Seconds: the x axis.
    pub durations_s: Vec<u32>,
    /// "7 min 30 s" for each row.
    pub duration_labels: Vec<String>,
    /// This period's best power (W), its date, and "held 29 min" when a
    /// longer effort holds it.
    pub watts: Vec<Option<f64>>,
    pub dates: Vec<Option<NaiveDate>>,
    pub held: Vec<Option<String>>,
    /// The same for the period compared with.
    pub last_watts: Vec<Option<f64>>,
    pub last_dates: Vec<Option<NaiveDate>>,
    pub last_held: Vec<Option<String>>,
    /// The fitted model's power at the durations the tool gives it for,
    /// over the durations it was fitted to…
    pub model_watts: Vec<Option<f64>>,
    /// …and beyond them (extrapolated; from the longest one fitted).
    pub model_beyond_watts: Vec<Option<f64>>,
    /// The model drawn (3-parameter when fitted, else 2-parameter).
    pub model: Option<ModelView>,
    /// The other model, when both were fitted (its numbers, for the caption).
    pub other_model: Option<ModelView>,
    pub eftp_w: Option<f64>,
    /// The rule of the estimated FTP, in words.
    pub eftp_method: Option<String>,
    pub settings_ftp_w: Option<f64>,
    /// CP, W′, Pmax, eFTP and the rules, in words: the model drawn on the
    /// first line, the rest on the second.
    pub caption: String,
    /// "2023: power from 67 of 71 rides (4 entered by hand) · 2022: …".
    pub coverage: String,
    /// False while device files are still to be fetched (the curves grow
    /// as they fill).
    pub complete: bool,
    /// Said instead of a chart when there is nothing to draw.
    pub message: Option<String>,
    pub ticks: Vec<Tick>,
    /// Set when TrainingPeaks could not be asked and the answers came
    /// (partly) from the local history.
    pub not_fresh: Option<String>,
}

/// A fitted power-duration model, as the caption shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelView {
    /// "Morton's 3-parameter model", "2-parameter model".
    pub name: String,
    pub cp_w: f64,
    pub w_prime_j: f64,
    pub pmax_w: Option<f64>,
    pub rmse_w: f64,
    pub window: FitWindow,
    /// The longest duration fitted, "20 min" (the model is extrapolated after it).
    pub fitted_up_to: String,
}

impl ModelView {
    fn three(f: &Fit) -> ModelView {
        ModelView::of(f, "Morton's 3-parameter model")
    }

    fn two(f: &Fit) -> ModelView {
        ModelView::of(f, "2-parameter model")
    }

    fn of(f: &Fit, name: &str) -> ModelView {
        ModelView {
            name: name.into(),
            cp_w: f.cp_w,
            w_prime_j: f.w_prime_j,
            pmax_w: f.pmax_w,
            rmse_w: f.rmse_w,
            window: f.window,
            fitted_up_to: duration_label(f.window.max_s),
        }
    }

    /// "CP 247 W · W′ 19.4 kJ · Pmax 698 W (Morton's 3-parameter model, fitted 10 s – 20 min, error 23.2 W)".
    fn describe(&self) -> String {
        let pmax = self
            .pmax_w
            .map(|p| format!(" · Pmax {p:.0} W"))
            .unwrap_or_default();
        format!(
            "CP {:.0} W · W′ {:.1} kJ{pmax} ({}, fitted {} – {}, error {:.1} W)",
            self.cp_w,
            self.w_prime_j / 1000.0,
            self.name,
            duration_label(self.window.min_s),
            duration_label(self.window.max_s),
            self.rmse_w
        )
    }
}

/// Why the view could not be made from the answers.
#[derive(Debug, thiserror::Error)]
#[error("the {tool} answer was not understood: {source}")]
pub struct AnswerError {
    tool: &'static str,
    source: serde_json::Error,
}

impl PowerCurveView {
    /// From the tools' structured answers (their JSON).
    pub fn from_answers(
        periods: &Periods,
        curve: &Value,
        cp: &Value,
    ) -> Result<PowerCurveView, AnswerError> {
        let curve: CurveAnswer =
            serde_json::from_value(curve.clone()).map_err(|source| AnswerError {
                tool: "tp_power_curve",
                source,
            })?;
        let cp: CpAnswer = serde_json::from_value(cp.clone()).map_err(|source| AnswerError {
            tool: "tp_critical_power",
            source,
        })?;
        Ok(PowerCurveView::build(periods, &curve, &cp))
    }

    /// Lays the answers out.
    pub fn build(periods: &Periods, curve: &CurveAnswer, cp: &CpAnswer) -> PowerCurveView {
        let mut this = periods.this.clone();
        (this.start, this.end) = (curve.start_date, curve.end_date);
        let mut last = periods.last.clone();
        if let (Some(s), Some(e)) = (curve.compare_start_date, curve.compare_end_date) {
            (last.start, last.end) = (s, e);
        }
        let compare_points = curve.compare_points.as_deref().unwrap_or_default();

        // The model drawn is the one the tool drew model_curve from: the
        // 3-parameter one when fitted, else the 2-parameter one.
        let three = cp.three_parameter.as_ref().map(ModelView::three);
        let two = cp.two_parameter.as_ref().map(ModelView::two);
        let (model, other_model) = match (three, two) {
            (Some(three), two) => (Some(three), two),
            (None, two) => (two, None),
        };
        // Drawn from the shortest duration it was fitted to (below it the
        // 2-parameter model runs off to thousands of watts): as fitted up to
        // the longest, extrapolated (dotted) after it.
        let window = model.as_ref().map(|m| m.window);
        let model_points: Vec<&ModelPoint> = cp
            .model_curve
            .iter()
            .filter(|p| window.is_some_and(|w| p.duration_s >= w.min_s))
            .collect();

        // Every duration any series has, shortest first.
        let mut rows: BTreeMap<u32, usize> = BTreeMap::new();
        let all = curve
            .points
            .iter()
            .chain(compare_points)
            .map(|p| p.duration_s)
            .chain(model_points.iter().map(|p| p.duration_s));
        for d in all {
            rows.insert(d, 0);
        }
        for (i, row) in rows.values_mut().enumerate() {
            *row = i;
        }
        let n = rows.len();
        let durations_s: Vec<u32> = rows.keys().copied().collect();
        let mut view = PowerCurveView {
            range: periods.range,
            duration_labels: durations_s.iter().map(|d| duration_label(*d)).collect(),
            durations_s,
            watts: vec![None; n],
            dates: vec![None; n],
            held: vec![None; n],
            last_watts: vec![None; n],
            last_dates: vec![None; n],
            last_held: vec![None; n],
            model_watts: vec![None; n],
            model_beyond_watts: vec![None; n],
            model,
            other_model,
            eftp_w: cp.estimated_ftp.as_ref().map(|e| e.eftp_w),
            eftp_method: cp.estimated_ftp.as_ref().map(|e| e.method.clone()),
            settings_ftp_w: cp.settings_ftp_w,
            caption: String::new(),
            coverage: String::new(),
            complete: true,
            message: None,
            ticks: ticks(),
            not_fresh: None,
            this,
            last,
        };
        let held = |p: &CurvePoint| {
            (p.window_s > p.duration_s).then(|| format!("held {}", duration_label(p.window_s)))
        };
        for p in &curve.points {
            let i = rows[&p.duration_s];
            view.watts[i] = p.watts;
            view.dates[i] = Some(p.date);
            view.held[i] = held(p);
        }
        for p in compare_points {
            let i = rows[&p.duration_s];
            view.last_watts[i] = p.watts;
            view.last_dates[i] = Some(p.date);
            view.last_held[i] = held(p);
        }
        if let Some(w) = window {
            for p in model_points {
                let i = rows[&p.duration_s];
                if p.duration_s <= w.max_s {
                    view.model_watts[i] = Some(p.watts);
                }
                // (Both at the longest duration fitted: the lines join.)
                if p.duration_s >= w.max_s {
                    view.model_beyond_watts[i] = Some(p.watts);
                }
            }
        }
        view.caption = caption(&view, cp);

        let fill = "they fill while the computer is idle";
        let compare = curve.compare_coverage.as_ref();
        view.complete =
            curve.coverage.not_fetched == 0 && compare.is_none_or(|c| c.not_fetched == 0);
        let mut lines = vec![format!(
            "{}: {}",
            view.this.label,
            coverage_words(&curve.coverage)
        )];
        if let Some(c) = compare {
            lines.push(format!("{}: {}", view.last.label, coverage_words(c)));
        }
        view.coverage = lines.join(" · ");
        if !view.complete {
            view.coverage.push_str(&format!(" — {fill}."));
        }

        if curve.points.is_empty() && compare_points.is_empty() {
            let why = if view.complete {
                "No rides with a power meter in these periods.".to_string()
            } else {
                format!(
                    "No power data yet: the rides' device files are not fetched yet — {fill}, or ask again (Refresh)."
                )
            };
            view.message = Some(why);
        }
        view.not_fresh = not_fresh(curve.stale_data.iter().chain(&cp.stale_data));
        view
    }
}

/// "power from 67 of 71 rides (4 entered by hand; 28 not fetched yet)".
fn coverage_words(c: &Coverage) -> String {
    if c.workouts == 0 {
        return "no rides".into();
    }
    let rides = if c.workouts == 1 { "ride" } else { "rides" };
    let mut t = format!("power from {} of {} {rides}", c.with_metric, c.workouts);
    let mut rest = Vec::new();
    if c.entered_by_hand > 0 {
        rest.push(format!("{} entered by hand", c.entered_by_hand));
    }
    if c.unreadable > 0 {
        rest.push(format!("{} with an unreadable file", c.unreadable));
    }
    if c.with_streams > c.with_metric {
        rest.push(format!(
            "{} of {} with a device file have power",
            c.with_metric, c.with_streams
        ));
    }
    if c.not_fetched > 0 {
        rest.push(format!("{} not fetched yet", c.not_fetched));
    }
    if !rest.is_empty() {
        t.push_str(&format!(" ({})", rest.join("; ")));
    }
    t
}

/// The caption: the model drawn; then the other model, eFTP with its
/// rule, the FTP in the settings.
fn caption(view: &PowerCurveView, cp: &CpAnswer) -> String {
    let first = match &view.model {
        Some(m) => m.describe(),
        None => {
            let why = cp
                .three_parameter_note
                .as_deref()
                .or(cp.two_parameter_note.as_deref())
                .unwrap_or("no fit");
            format!("no CP model: {why}")
        }
    };
    let mut parts = Vec::new();
    if let Some(other) = &view.other_model {
        parts.push(format!(
            "{}: CP {:.0} W · W′ {:.1} kJ",
            other.name,
            other.cp_w,
            other.w_prime_j / 1000.0
        ));
    }
    match (view.eftp_w, &view.eftp_method, &cp.estimated_ftp_note) {
        (Some(w), Some(rule), _) => parts.push(format!("eFTP {w:.0} W ({rule})")),
        (None, _, Some(why)) if view.model.is_some() => parts.push(format!("eFTP: {why}")),
        _ => {}
    }
    if let Some(ftp) = view.settings_ftp_w {
        parts.push(format!("FTP in TrainingPeaks {ftp:.0} W"));
    }
    let mut caption = format!("{} — {first}", view.this.label);
    if !parts.is_empty() {
        caption.push('\n');
        caption.push_str(&parts.join(" · "));
    }
    caption
}

/// The window's note when (part of) an answer came from the local history.
fn not_fresh<'a>(reads: impl Iterator<Item = &'a StaleData>) -> Option<String> {
    let mut what: Vec<String> = Vec::new();
    let mut why: Vec<&str> = Vec::new();
    for r in reads {
        let when = r
            .last_fetched
            .as_deref()
            .map(|t| format!("{}, as last fetched {t}", r.what))
            .unwrap_or_else(|| r.what.clone());
        if !what.contains(&when) {
            what.push(when);
        }
        if !why.contains(&r.problem.as_str()) {
            why.push(&r.problem);
        }
    }
    if what.is_empty() {
        return None;
    }
    Some(format!(
        "Not fresh: TrainingPeaks could not be asked, so this is from the local history ({}). {}",
        what.join("; "),
        why.join(" ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// Real answers of `tp-mcp --demo call …` (fixtures/power_curve/README.md).
    fn fixture(name: &str) -> Value {
        let text = match name {
            "season-curve" => include_str!("../fixtures/power_curve/season-curve.json"),
            "season-cp" => include_str!("../fixtures/power_curve/season-cp.json"),
            "partial-curve" => include_str!("../fixtures/power_curve/partial-curve.json"),
            "partial-cp" => include_str!("../fixtures/power_curve/partial-cp.json"),
            "empty-curve" => include_str!("../fixtures/power_curve/empty-curve.json"),
            "empty-cp" => include_str!("../fixtures/power_curve/empty-cp.json"),
            other => panic!("no fixture {other}"),
        };
        serde_json::from_str(text).unwrap()
    }

    fn view(range: Range, today: NaiveDate, name: &str) -> (PowerCurveView, Value, Value) {
        let curve = fixture(&format!("{name}-curve"));
        let cp = fixture(&format!("{name}-cp"));
        let periods = Periods::of(range, today);
        let v = PowerCurveView::from_answers(&periods, &curve, &cp).unwrap();
        (v, curve, cp)
    }

    fn model_durations(cp: &Value) -> impl Iterator<Item = u32> + '_ {
        cp["model_curve"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["duration_s"].as_u64().unwrap() as u32)
    }

    fn row(v: &PowerCurveView, d: u32) -> usize {
        v.durations_s.iter().position(|x| *x == d).unwrap()
    }

    #[test]
    fn this_season_against_the_whole_of_last_year() {
        let p = Periods::of(Range::Season, day(2023, 6, 30));
        assert_eq!(
            (p.this.start, p.this.end),
            (day(2023, 1, 1), day(2023, 6, 30))
        );
        assert_eq!(
            (p.last.start, p.last.end),
            (day(2022, 1, 1), day(2022, 12, 31))
        );
        assert_eq!(
            (p.this.label.as_str(), p.last.label.as_str()),
            ("2023", "2022")
        );
        assert_eq!(p.this.dates, "1 Jan – 30 Jun 2023");
        // On New Year's Day this season is one day long.
        let p = Periods::of(Range::Season, day(2024, 1, 1));
        assert_eq!(
            (p.this.start, p.this.end),
            (day(2024, 1, 1), day(2024, 1, 1))
        );
        assert_eq!(p.last.end, day(2023, 12, 31));
    }

    #[test]
    fn the_last_90_days_against_the_90_before() {
        let p = Periods::of(Range::Last90, day(2023, 6, 30));
        assert_eq!(
            (p.this.start, p.this.end),
            (day(2023, 4, 2), day(2023, 6, 30))
        );
        assert_eq!(
            (p.last.start, p.last.end),
            (day(2023, 1, 2), day(2023, 4, 1))
        );
        for period in [&p.this, &p.last] {
            assert_eq!((period.end - period.start).num_days(), 89, "{period:?}");
        }
        // Across a leap day and a new year.
        let p = Periods::of(Range::Last90, day(2024, 3, 15));
        assert_eq!(p.this.start, day(2023, 12, 17));
        assert_eq!(p.last.end, day(2023, 12, 16));
        assert_eq!(p.this.dates, "17 Dec 2023 – 15 Mar 2024");
    }

    #[test]
    fn the_questions_asked() {
        let p = Periods::of(Range::Season, day(2023, 6, 30));
        let curve = p.curve_args(false);
        assert_eq!(curve["start_date"], "2023-01-01");
        assert_eq!(curve["compare_end_date"], "2022-12-31");
        assert_eq!(curve["sport"], "Bike");
        assert!(!curve.contains_key("refresh"));
        assert_eq!(p.curve_args(true)["refresh"], true);
        let cp = p.cp_args();
        assert_eq!(
            Value::Object(cp),
            json!({"sport": "Bike", "start_date": "2023-01-01", "end_date": "2023-06-30"})
        );
    }

    #[test]
    fn durations_are_dense_round_and_cover_the_standard_ones() {
        let d = durations();
        assert!(d.windows(2).all(|w| w[0] < w[1]), "{d:?}");
        assert_eq!(d.first(), Some(&1));
        assert_eq!(d.last(), Some(&LONGEST_S));
        assert_eq!(&d[..60], (1..=60).collect::<Vec<_>>().as_slice());
        for s in tp_fitness::range_curve::STANDARD_DURATIONS {
            assert!(d.contains(&s), "{s} s is not asked for");
        }
        // Round values only: 7 min 30 s, not 7 min 13 s.
        assert!(d.contains(&450) && d.contains(&4200) && !d.contains(&433));
        // Dense enough on a log axis: past 1 min, no step wider than 9 %.
        for w in d[59..].windows(2) {
            assert!(f64::from(w[1]) / f64::from(w[0]) <= 1.09, "{w:?}");
        }
        assert!(d.len() < 250, "{}", d.len());
    }

    #[test]
    fn labels_and_ticks() {
        assert_eq!(duration_label(5), "5 s");
        assert_eq!(duration_label(60), "1 min");
        assert_eq!(duration_label(450), "7 min 30 s");
        assert_eq!(duration_label(3600), "1 h");
        assert_eq!(duration_label(4500), "1 h 15 min");
        assert_eq!(duration_label(3601), "1 h 0 min 1 s");
        let t = ticks();
        let labels: Vec<&str> = t.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "1 s", "5 s", "15 s", "30 s", "1 min", "2 min", "5 min", "10 min", "20 min", "1 h",
                "2 h", "4 h"
            ]
        );
    }

    #[test]
    fn a_complete_season_is_laid_out_as_the_tools_answered() {
        let (v, curve, cp) = view(Range::Season, day(2023, 6, 30), "season");
        // One row for every duration of either curve or the model.
        let mut expected: Vec<u32> = curve["points"]
            .as_array()
            .unwrap()
            .iter()
            .chain(curve["compare_points"].as_array().unwrap())
            .map(|p| p["duration_s"].as_u64().unwrap() as u32)
            .chain(model_durations(&cp).filter(|d| *d >= 10))
            .collect();
        expected.sort_unstable();
        expected.dedup();
        assert_eq!(v.durations_s, expected);
        let n = v.durations_s.len();
        for col in [
            &v.watts,
            &v.last_watts,
            &v.model_watts,
            &v.model_beyond_watts,
        ] {
            assert_eq!(col.len(), n);
        }
        assert_eq!(v.duration_labels.len(), n);
        assert_eq!(v.dates.len(), n);
        assert_eq!(v.last_held.len(), n);

        // Each tool's numbers in their rows, untouched.
        for p in curve["points"].as_array().unwrap() {
            let i = row(&v, p["duration_s"].as_u64().unwrap() as u32);
            assert_eq!(v.watts[i], p["watts"].as_f64());
            assert_eq!(v.dates[i].unwrap().to_string(), p["date"].as_str().unwrap());
        }
        for p in curve["compare_points"].as_array().unwrap() {
            let i = row(&v, p["duration_s"].as_u64().unwrap() as u32);
            assert_eq!(v.last_watts[i], p["watts"].as_f64());
        }
        // The 3-parameter model, fitted over 10 s – 20 min: drawn as fitted
        // there, dotted after 20 min, not below 10 s.
        for p in cp["model_curve"].as_array().unwrap() {
            let d = p["duration_s"].as_u64().unwrap() as u32;
            let Some(i) = v.durations_s.iter().position(|x| *x == d) else {
                assert!(d < 10, "{d} s");
                continue;
            };
            let w = p["watts"].as_f64();
            assert_eq!(
                v.model_watts[i],
                w.filter(|_| (10..=1200).contains(&d)),
                "{d} s"
            );
            assert_eq!(v.model_beyond_watts[i], w.filter(|_| d >= 1200), "{d} s");
        }
        assert!(
            v.model_watts[row(&v, 1200)].is_some() && v.model_beyond_watts[row(&v, 7200)].is_some()
        );
        // 20 min: 250 W this season (held 25 min), 270 W in 2022.
        let i = row(&v, 1200);
        assert_eq!(v.duration_labels[i], "20 min");
        assert_eq!(v.watts[i], Some(249.90666666666667));
        assert_eq!(v.held[i].as_deref(), Some("held 25 min"));
        assert_eq!(v.last_watts[i], Some(270.1868131868132));
        assert_eq!(v.last_held[i].as_deref(), Some("held 21 min 14 s"));
        // 4 h: both seasons have a ride that long; the model stops at 2 h.
        let i = row(&v, 14_400);
        assert!(v.watts[i].is_some() && v.last_watts[i].is_some());
        assert_eq!(v.model_watts[i], None);
        // A duration only the model has (45 s): no curve value there.
        let i = row(&v, 45);
        assert_eq!((v.watts[i], v.last_watts[i]), (None, None));
        assert!(v.model_watts[i].is_some());
        // 5 s: the curves, no model.
        let i = row(&v, 5);
        assert!(v.watts[i].is_some());
        assert_eq!((v.model_watts[i], v.model_beyond_watts[i]), (None, None));

        // The model drawn is the 3-parameter one; the caption has both, and eFTP with its rule.
        let m = v.model.as_ref().unwrap();
        assert_eq!(m.cp_w, cp["three_parameter"]["cp_w"].as_f64().unwrap());
        assert_eq!(m.pmax_w, cp["three_parameter"]["pmax_w"].as_f64());
        assert_eq!(m.fitted_up_to, "20 min");
        assert_eq!(
            v.other_model.as_ref().unwrap().cp_w,
            cp["two_parameter"]["cp_w"].as_f64().unwrap()
        );
        assert_eq!(v.eftp_w, cp["estimated_ftp"]["eftp_w"].as_f64());
        assert_eq!(
            v.caption,
            "2023 — CP 247 W · W′ 19.4 kJ · Pmax 698 W (Morton's 3-parameter model, fitted 10 s – 20 min, error 23.2 W)\n\
             2-parameter model: CP 241 W · W′ 20.7 kJ · eFTP 237 W (95 % of the best 20-minute power (Allen & Coggan)) \
             · FTP in TrainingPeaks 267 W"
        );
        assert_eq!(
            v.coverage,
            "2023: power from 67 of 71 rides (4 entered by hand) · 2022: power from 147 of 151 rides (4 entered by hand)"
        );
        assert!(v.complete);
        assert_eq!((v.message.as_ref(), v.not_fresh.as_ref()), (None, None));
        assert_eq!(v.this.dates, "1 Jan – 30 Jun 2023");
        assert_eq!(v.last.dates, "1 Jan – 31 Dec 2022");
    }

    #[test]
    fn files_still_to_fetch_are_said_and_the_view_is_not_complete() {
        let (v, _, _) = view(Range::Last90, day(2023, 6, 30), "partial");
        assert!(!v.complete);
        assert_eq!(
            v.coverage,
            "Last 90 days: power from 9 of 39 rides (30 not fetched yet) · The 90 before: power from 0 of 32 rides \
             (32 not fetched yet) — they fill while the computer is idle."
        );
        // This period has a curve, the one before none yet: its column is empty.
        assert!(v.watts.iter().any(Option::is_some));
        assert!(v.last_watts.iter().all(Option::is_none));
        assert_eq!(v.message, None);
        assert!(
            v.caption.starts_with("Last 90 days — CP 233 W"),
            "{}",
            v.caption
        );
    }

    #[test]
    fn nothing_fetched_yet_says_so_instead_of_a_chart() {
        let (v, _, _) = view(Range::Last90, day(2022, 3, 15), "empty");
        assert!(!v.complete);
        assert!(v.durations_s.is_empty() && v.watts.is_empty());
        assert_eq!((v.model.as_ref(), v.eftp_w), (None, None));
        assert_eq!(
            v.message.as_deref(),
            Some(
                "No power data yet: the rides' device files are not fetched yet — they fill while the computer is idle, \
                 or ask again (Refresh)."
            )
        );
        assert_eq!(
            v.coverage,
            "Last 90 days: power from 0 of 29 rides (29 not fetched yet) · The 90 before: no rides — they fill while \
             the computer is idle."
        );
        assert_eq!(
            v.caption,
            "Last 90 days — no CP model: no maximal efforts between 10 s and 20 min: the curve has 0 usable duration(s) \
             there and the fit needs at least 4\nFTP in TrainingPeaks 239 W"
        );
    }

    #[test]
    fn without_the_3_parameter_fit_the_2_parameter_model_is_drawn() {
        let mut cp = fixture("season-cp");
        cp["three_parameter"] = Value::Null;
        cp["three_parameter_note"] = "the solver did not converge".into();
        let p = Periods::of(Range::Season, day(2023, 6, 30));
        let v = PowerCurveView::from_answers(&p, &fixture("season-curve"), &cp).unwrap();
        let m = v.model.as_ref().unwrap();
        assert_eq!(m.name, "2-parameter model");
        assert_eq!((m.cp_w.round(), m.pmax_w), (241.0, None));
        assert!(v.other_model.is_none());
        // Drawn over 2 – 20 min and (dotted) after: not at 1 min, where the
        // tool's curve (of the 3-parameter model here) still has a point.
        assert!(!v.durations_s.contains(&45));
        assert!(v.model_watts[row(&v, 120)].is_some() && v.model_watts[row(&v, 60)].is_none());
        assert!(
            v.caption.starts_with(
                "2023 — CP 241 W · W′ 20.7 kJ (2-parameter model, fitted 2 min – 20 min"
            )
        );
    }

    #[test]
    fn answers_from_the_local_history_are_marked_not_fresh() {
        let mut curve = fixture("season-curve");
        let stale = json!([{"what": "workouts", "last_fetched": "2023-06-29 10:00 UTC",
                            "problem": "TrainingPeaks answered HTTP 503. Try again in a few minutes."}]);
        curve["stale_data"] = stale.clone();
        let mut cp = fixture("season-cp");
        cp["stale_data"] = stale;
        let p = Periods::of(Range::Season, day(2023, 6, 30));
        let v = PowerCurveView::from_answers(&p, &curve, &cp).unwrap();
        assert_eq!(
            v.not_fresh.as_deref(),
            Some(
                "Not fresh: TrainingPeaks could not be asked, so this is from the local history (workouts, as last \
                 fetched 2023-06-29 10:00 UTC). TrainingPeaks answered HTTP 503. Try again in a few minutes."
            )
        );
    }

    #[test]
    fn an_answer_of_another_shape_is_an_error_not_a_panic() {
        let p = Periods::of(Range::Season, day(2023, 6, 30));
        let e = PowerCurveView::from_answers(&p, &json!({"points": 3}), &fixture("season-cp"))
            .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("the tp_power_curve answer was not understood"),
            "{e}"
        );
    }

    #[test]
    fn ranges_by_name() {
        assert_eq!(Range::parse("season"), Some(Range::Season));
        assert_eq!(Range::parse("90d"), Some(Range::Last90));
        assert_eq!(Range::parse("year"), None);
        assert_eq!(serde_json::to_value(Range::Last90).unwrap(), "90d");
    }
}

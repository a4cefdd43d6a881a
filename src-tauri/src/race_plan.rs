//! The race plan on the fitness chart: the answer of the `tp_plan_race`
//! tool — the very JSON Claude gets — laid out in the chart's columns (one
//! row per day). Race day is marked with the race's name and priority, the
//! optimised CTL/TSB path goes beside the planned projection, and the
//! tool's own "as planned" path carries that projection on to race day
//! where the chart's stops earlier (at the last planned workout). This
//! module computes nothing: every number drawn is one the tool returned.

use crate::chart::ChartData;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tp_fitness::form::FormLabel;

/// The tool the chart asks, with no arguments: it plans toward the
/// athlete's focus event, else the next A or B race (within a year), and
/// answers with an error when there is none.
pub const TOOL: &str = "tp_plan_race";

// --- the tool's answer (the parts the chart reads) ---------------------------

/// `tp_plan_race`'s structured output.
#[derive(Debug, Deserialize)]
pub struct PlanAnswer {
    pub race: RaceTarget,
    pub today: NaiveDate,
    /// Tomorrow through the day before the race.
    pub days: Vec<PlanDay>,
    /// Race day on the optimised path.
    pub race_day: RaceDay,
    pub as_planned: AsPlanned,
    pub limits: Limits,
    #[serde(default)]
    pub notes: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub struct RaceTarget {
    pub date: NaiveDate,
    pub event: Option<RaceEvent>,
    /// `A`, `B` or `C`.
    pub priority: String,
    /// "focus event", "next A/B event".
    pub chosen_by: String,
}

#[derive(Debug, Deserialize)]
pub struct RaceEvent {
    pub name: Option<String>,
    pub days_away: Option<i64>,
}

#[derive(Debug, Deserialize)]
pub struct PlanDay {
    pub date: NaiveDate,
    pub tss: f64,
    /// At the end of the day.
    pub ctl: f64,
    /// Form coming into the day.
    pub tsb: f64,
}

/// Race day: CTL and ATL coming into it (the end of the day before), and
/// the form that gives.
#[derive(Debug, Deserialize)]
pub struct RaceDay {
    pub date: NaiveDate,
    pub ctl: f64,
    pub atl: f64,
    pub tsb: f64,
    /// `fresh`, `neutral`, …
    pub form: String,
}

/// The athlete's own calendar projected to race day.
#[derive(Debug, Deserialize)]
pub struct AsPlanned {
    pub race_day: RaceDay,
    pub average_daily_tss: f64,
    pub days: Vec<AsPlannedDay>,
}

#[derive(Debug, Deserialize)]
pub struct AsPlannedDay {
    pub date: NaiveDate,
    pub tss: f64,
    pub ctl: f64,
    pub atl: f64,
    pub tsb: f64,
    /// `planned` or `fallback` (the recent average).
    pub source: String,
}

/// The race-day TSB window the plan was solved for.
#[derive(Debug, Deserialize)]
pub struct Limits {
    pub tsb_min: f64,
    pub tsb_max: Option<f64>,
}

// --- what the chart shows -------------------------------------------------------

/// The race on the chart.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RaceView {
    pub date: NaiveDate,
    /// The row of race day.
    pub index: usize,
    /// "Spring Classic Gran Fondo 2027" ("Race" when the event has no name).
    pub name: String,
    /// `A`, `B` or `C`.
    pub priority: String,
    /// The marker's label: "A · Spring Classic Gran Fondo 2027".
    pub label: String,
    /// The legend's entry: "optimised for Spring Classic Gran Fondo 2027".
    pub legend: String,
    /// Days from today to race day.
    pub days_away: i64,
    /// Why this race: "focus event", "next A/B event".
    pub chosen_by: String,
    /// Race day on the optimised path, and as planned.
    pub optimised: RaceDayView,
    pub as_planned: RaceDayView,
    /// The race-day TSB window the plan aims into (no upper end for a C race).
    pub tsb_min: f64,
    pub tsb_max: Option<f64>,
    /// The footer's line: the race, when, and both paths' race-day numbers.
    pub note: String,
    /// The tool's notes (a ramp already above the limit, …).
    pub notes: Vec<String>,
}

/// CTL and ATL coming into race day, and the form that gives.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RaceDayView {
    pub ctl: f64,
    pub atl: f64,
    pub tsb: f64,
    /// "Fresh".
    pub form: String,
    /// `fresh`: for styling.
    pub form_key: String,
}

impl RaceDayView {
    fn of(day: &RaceDay) -> RaceDayView {
        RaceDayView {
            ctl: day.ctl,
            atl: day.atl,
            tsb: day.tsb,
            form: form_label(&day.form),
            form_key: day.form.clone(),
        }
    }
}

/// Why a plan is not drawn.
#[derive(Debug, thiserror::Error)]
pub enum RacePlanError {
    #[error("the {TOOL} answer was not understood: {0}")]
    Answer(#[from] serde_json::Error),
    #[error("the {TOOL} answer is for {plan}, the chart for {chart}")]
    OtherDay { plan: NaiveDate, chart: NaiveDate },
    #[error("the {TOOL} answer has a day ({0}) before the chart's first")]
    BeforeTheChart(NaiveDate),
}

impl ChartData {
    /// Lays the `tp_plan_race` answer (its JSON) out on the chart: rows
    /// through race day, the optimised path, the planned projection carried
    /// on to race day, the race. On an error the chart is left as it was.
    pub fn add_race_plan(&mut self, answer: &Value) -> Result<(), RacePlanError> {
        let plan: PlanAnswer = serde_json::from_value(answer.clone())?;
        self.lay_out_race_plan(&plan)
    }

    /// [`add_race_plan`](Self::add_race_plan) on the parsed answer.
    pub fn lay_out_race_plan(&mut self, plan: &PlanAnswer) -> Result<(), RacePlanError> {
        if plan.today != self.today {
            return Err(RacePlanError::OtherDay {
                plan: plan.today,
                chart: self.today,
            });
        }
        let first = self.dates.first().copied().unwrap_or(self.today);
        if let Some(early) = plan
            .days
            .iter()
            .map(|d| d.date)
            .chain(plan.as_planned.days.iter().map(|d| d.date))
            .chain([plan.race.date])
            .find(|d| *d < first)
        {
            return Err(RacePlanError::BeforeTheChart(early));
        }
        self.extend_through(plan.race.date);
        let row = |chart: &ChartData, date: NaiveDate| {
            chart
                .row(date)
                .expect("every date of the plan is a row: checked and extended above")
        };

        // The optimised path, from today's values on.
        let t = self.today_index;
        self.opt_ctl[t] = self.ctl[t];
        self.opt_tsb[t] = self.tsb[t];
        for day in &plan.days {
            let i = row(self, day.date);
            self.opt_ctl[i] = Some(day.ctl);
            self.opt_tsb[i] = Some(day.tsb);
            self.opt_tss[i] = Some(day.tss);
        }
        // Race day: the form coming into it. (Its CTL coming in is the day
        // before's, already in place; the race's own load is not planned.)
        let race_index = row(self, plan.race.date);
        self.opt_tsb[race_index] = Some(plan.race_day.tsb);

        // The planned projection: the chart's own as far as it goes, then
        // the tool's "as planned" path (the same calendar, then the recent
        // average) to race day.
        let projected_to = self.proj_ctl.iter().rposition(Option::is_some).unwrap_or(t);
        let (mut planned, mut average) = (0, 0);
        for day in &plan.as_planned.days {
            let i = row(self, day.date);
            if i <= projected_to {
                continue;
            }
            self.proj_ctl[i] = Some(day.ctl);
            self.proj_atl[i] = Some(day.atl);
            self.proj_tsb[i] = Some(day.tsb);
            if day.source == "planned" {
                planned += 1;
                if day.tss > 0.0 {
                    self.planned_tss[i] = Some(day.tss);
                }
            } else {
                average += 1;
            }
        }
        if race_index > projected_to {
            self.proj_tsb[race_index] = Some(plan.as_planned.race_day.tsb);
        }
        if planned + average > 0 {
            let average_tss = plan.as_planned.average_daily_tss;
            let more = if planned == 0 {
                format!("{average} days at {average_tss:.0} TSS/day")
            } else {
                format!(
                    "{} days ({planned} planned, {average} at {average_tss:.0} TSS/day)",
                    planned + average
                )
            };
            self.projection_note
                .push_str(&format!("; then {more} to race day"));
        }

        let name = plan
            .race
            .event
            .as_ref()
            .and_then(|e| e.name.as_deref())
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .unwrap_or("Race")
            .to_string();
        let priority = plan.race.priority.clone();
        let days_away = plan
            .race
            .event
            .as_ref()
            .and_then(|e| e.days_away)
            .unwrap_or_else(|| (plan.race.date - plan.today).num_days());
        let optimised = RaceDayView::of(&plan.race_day);
        let as_planned = RaceDayView::of(&plan.as_planned.race_day);
        let label = format!("{priority} · {name}");
        let note = format!(
            "Race: {label} on {} ({}) — optimised CTL {:.1}, TSB {} ({}) · as planned CTL {:.1}, TSB {} ({})",
            plan.race.date.format("%a %-d %b %Y"),
            in_days(days_away),
            optimised.ctl,
            signed(optimised.tsb),
            optimised.form,
            as_planned.ctl,
            signed(as_planned.tsb),
            as_planned.form,
        );
        self.race = Some(RaceView {
            date: plan.race.date,
            index: race_index,
            legend: format!("optimised for {name}"),
            label,
            name,
            priority,
            days_away,
            chosen_by: plan.race.chosen_by.clone(),
            optimised,
            as_planned,
            tsb_min: plan.limits.tsb_min,
            tsb_max: plan.limits.tsb_max,
            note,
            notes: plan.notes.clone(),
        });
        Ok(())
    }
}

/// "in 75 days", "tomorrow".
fn in_days(days: i64) -> String {
    match days {
        0 => "today".into(),
        1 => "tomorrow".into(),
        d => format!("in {d} days"),
    }
}

/// "+15.0", "−6.4", "0.0": as the chart window shows TSB.
fn signed(v: f64) -> String {
    let text = format!("{v:+.1}");
    match text.as_str() {
        "+0.0" | "-0.0" => "0.0".into(),
        _ => text.replace('-', "\u{2212}"),
    }
}

/// The words of a form key (`fresh` → "Fresh"), as `tp-fitness` has them.
fn form_label(key: &str) -> String {
    [
        FormLabel::Transition,
        FormLabel::Fresh,
        FormLabel::Neutral,
        FormLabel::Tired,
        FormLabel::Overreaching,
    ]
    .into_iter()
    .find(|f| serde_json::to_value(f).is_ok_and(|v| v == key))
    .map_or_else(|| key.to_string(), |f| f.label().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tp_fitness::{FitnessSeries, LoadSeries, PmcParams};
    use tp_mcp::data::FitnessHistory;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// Real answers of `tp-mcp --demo call tp_plan_race …` (fixtures/race_plan/README.md).
    fn fixture(name: &str) -> Value {
        let text = match name {
            "focus-a" => include_str!("../fixtures/race_plan/focus-a.json"),
            "c-race" => include_str!("../fixtures/race_plan/c-race.json"),
            other => panic!("no fixture {other}"),
        };
        serde_json::from_str(text).unwrap()
    }

    /// 60 days of 50 TSS up to 2026-11-24 (the fixtures' today), then a plan
    /// of 100 TSS on each day in `planned`.
    fn chart(planned: &[NaiveDate]) -> ChartData {
        let start = d(2026, 9, 26);
        let today = d(2026, 11, 24);
        let past = LoadSeries::from_daily(start, vec![50.0; 60]);
        let mut loads = past.clone();
        let future = (d(2027, 3, 1) - today).num_days() as usize;
        loads.actual.extend(vec![0.0; future]);
        loads.planned = vec![0.0; loads.actual.len()];
        for p in planned {
            loads.planned[(*p - start).num_days() as usize] = 100.0;
        }
        let history = FitnessHistory {
            series: FitnessSeries::compute(&past, &PmcParams::default()),
            loads,
            first_training_day: Some(start),
            today,
        };
        ChartData::build("Alex".into(), true, &history)
    }

    fn num(v: &Value) -> Option<f64> {
        v.as_f64()
    }

    fn date(v: &Value) -> NaiveDate {
        v.as_str().unwrap().parse().unwrap()
    }

    #[test]
    fn the_focus_race_is_marked_and_its_optimised_path_laid_out_as_the_tool_answered() {
        let answer = fixture("focus-a");
        // The chart's own projection reaches the last planned workout, Dec 15
        // (as the demo's plan does).
        let mut c = chart(&[d(2026, 11, 26), d(2026, 12, 15)]);
        let before = c.clone();
        assert_eq!(c.dates.last(), Some(&d(2026, 12, 15)));
        c.add_race_plan(&answer).unwrap();

        // Rows through race day, every column as long.
        let race_date = d(2027, 2, 7);
        assert_eq!(c.dates.last(), Some(&race_date));
        assert_eq!(c.dates.len(), before.dates.len() + 54);
        for col in [
            &c.tss,
            &c.planned_tss,
            &c.ctl,
            &c.atl,
            &c.tsb,
            &c.proj_ctl,
            &c.proj_atl,
            &c.proj_tsb,
            &c.opt_ctl,
            &c.opt_tsb,
            &c.opt_tss,
        ] {
            assert_eq!(col.len(), c.dates.len());
        }
        // The history is untouched.
        assert_eq!(c.ctl[..before.dates.len()], before.ctl[..]);
        assert_eq!(c.today_index, before.today_index);

        // Each day of the optimised path in its row, untouched.
        let days = answer["days"].as_array().unwrap();
        assert_eq!(days.len(), 74);
        for day in days {
            let i = c.row(date(&day["date"])).unwrap();
            assert_eq!(c.opt_ctl[i], num(&day["ctl"]), "{day}");
            assert_eq!(c.opt_tsb[i], num(&day["tsb"]), "{day}");
            assert_eq!(c.opt_tss[i], num(&day["tss"]), "{day}");
        }
        // It starts at today's values and ends on race day with the form
        // coming into it; no CTL there (the race's own load is not planned).
        let t = c.today_index;
        assert_eq!((c.opt_ctl[t], c.opt_tsb[t]), (c.ctl[t], c.tsb[t]));
        assert_eq!(c.opt_ctl[t - 1], None);
        let r = c.row(race_date).unwrap();
        assert_eq!(c.opt_tsb[r], num(&answer["race_day"]["tsb"]));
        assert_eq!((c.opt_ctl[r], c.opt_tss[r]), (None, None));
        assert_eq!(c.opt_ctl[r - 1], num(&answer["race_day"]["ctl"]));

        // The projection: the chart's own to Dec 15, then the tool's "as
        // planned" path to race day.
        let dec15 = c.row(d(2026, 12, 15)).unwrap();
        assert_eq!(c.proj_ctl[..=dec15], before.proj_ctl[..]);
        assert_eq!(c.proj_tsb[..=dec15], before.proj_tsb[..]);
        for day in answer["as_planned"]["days"].as_array().unwrap() {
            let i = c.row(date(&day["date"])).unwrap();
            if i > dec15 {
                assert_eq!(c.proj_ctl[i], num(&day["ctl"]), "{day}");
                assert_eq!(c.proj_atl[i], num(&day["atl"]), "{day}");
                assert_eq!(c.proj_tsb[i], num(&day["tsb"]), "{day}");
                // At the average, not planned: no bars.
                assert_eq!(c.planned_tss[i], None, "{day}");
            }
        }
        assert_eq!(c.proj_tsb[r], num(&answer["as_planned"]["race_day"]["tsb"]));
        assert_eq!(c.proj_ctl[r], None);
        assert_eq!(
            c.projection_note,
            format!(
                "{}; then 53 days at 67 TSS/day to race day",
                before.projection_note
            )
        );

        // The race: its marker's label, the legend, the footer's line.
        let race = c.race.as_ref().unwrap();
        assert_eq!((race.date, race.index), (race_date, r));
        assert_eq!(race.label, "A · Spring Classic Gran Fondo 2027");
        assert_eq!(race.legend, "optimised for Spring Classic Gran Fondo 2027");
        assert_eq!(race.priority, "A");
        assert_eq!(
            (race.days_away, race.chosen_by.as_str()),
            (75, "focus event")
        );
        // (The fixture's numbers as serde_json reads them, which may be a
        // last bit off the text: the tray gets the tool's values, not text.)
        let race_day = &answer["race_day"];
        assert_eq!(
            (Some(race.optimised.ctl), Some(race.optimised.tsb)),
            (num(&race_day["ctl"]), num(&race_day["tsb"]))
        );
        assert_eq!(race.optimised.ctl.round(), 114.0);
        assert_eq!(
            (
                race.optimised.form.as_str(),
                race.optimised.form_key.as_str()
            ),
            ("Fresh", "fresh")
        );
        assert_eq!(
            Some(race.as_planned.ctl),
            num(&answer["as_planned"]["race_day"]["ctl"])
        );
        assert_eq!(race.as_planned.form, "Neutral");
        assert_eq!((race.tsb_min, race.tsb_max), (15.0, Some(25.0)));
        assert_eq!(
            race.note,
            "Race: A · Spring Classic Gran Fondo 2027 on Sun 7 Feb 2027 (in 75 days) — \
             optimised CTL 114.5, TSB +15.0 (Fresh) · as planned CTL 67.3, TSB +0.8 (Neutral)"
        );
        assert!(race.notes.is_empty());
    }

    #[test]
    fn a_race_inside_the_projection_adds_no_rows_and_keeps_the_charts_projection() {
        // A C race on Dec 13, asked for by date; the plan runs to Dec 20.
        let answer = fixture("c-race");
        let mut c = chart(&[d(2026, 11, 26), d(2026, 12, 20)]);
        let before = c.clone();
        c.add_race_plan(&answer).unwrap();
        assert_eq!(c.dates, before.dates);
        // The chart's projection stands as it was, race day included.
        assert_eq!(c.proj_ctl, before.proj_ctl);
        assert_eq!(c.proj_tsb, before.proj_tsb);
        assert_eq!(c.projection_note, before.projection_note);
        // The optimised path is the tool's.
        let r = c.row(d(2026, 12, 13)).unwrap();
        assert_eq!(c.opt_tsb[r], num(&answer["race_day"]["tsb"]));
        assert_eq!(c.opt_ctl[r + 1], None);
        let last = answer["days"].as_array().unwrap().last().unwrap();
        assert_eq!(c.opt_ctl[r - 1], num(&last["ctl"]));
        let race = c.race.as_ref().unwrap();
        assert_eq!(race.label, "C · Winter Duathlon 2026");
        assert_eq!(race.chosen_by, "race_date argument");
        // A C race has no upper end to its TSB window; TSB −10.0 is "Neutral".
        assert_eq!((race.tsb_min, race.tsb_max), (-10.0, None));
        assert!(
            race.note.contains(
                "optimised CTL 82.0, TSB −10.0 (Neutral) · as planned CTL 69.5, TSB −6.4 (Neutral)"
            ),
            "{}",
            race.note
        );
    }

    #[test]
    fn planned_days_past_the_charts_projection_are_said_and_drawn_as_bars() {
        // The chart projects to Dec 10; the tool's calendar has planned days
        // to Dec 15 (rest days at 0 TSS among them), then the average.
        let answer = fixture("focus-a");
        let mut c = chart(&[d(2026, 12, 10)]);
        let before = c.clone();
        c.add_race_plan(&answer).unwrap();
        assert!(
            c.projection_note
                .ends_with("; then 58 days (5 planned, 53 at 67 TSS/day) to race day"),
            "{}",
            c.projection_note
        );
        // Bars for the planned days with load: Dec 12, 13 and 15.
        let bars: Vec<NaiveDate> = c
            .dates
            .iter()
            .zip(&c.planned_tss)
            .skip(before.dates.len())
            .filter(|(_, tss)| tss.is_some())
            .map(|(date, _)| *date)
            .collect();
        assert_eq!(bars, [d(2026, 12, 12), d(2026, 12, 13), d(2026, 12, 15)]);
        assert_eq!(c.planned_tss[c.row(d(2026, 12, 15)).unwrap()], Some(134.0));
    }

    #[test]
    fn an_answer_for_another_day_or_of_another_shape_leaves_the_chart_alone() {
        let mut c = chart(&[d(2026, 12, 10)]);
        let before = c.clone();
        let mut other_day = fixture("focus-a");
        other_day["today"] = "2026-11-23".into();
        let e = c.add_race_plan(&other_day).unwrap_err();
        assert_eq!(
            e.to_string(),
            "the tp_plan_race answer is for 2026-11-23, the chart for 2026-11-24"
        );
        let e = c
            .add_race_plan(&serde_json::json!({"race": 3}))
            .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("the tp_plan_race answer was not understood"),
            "{e}"
        );
        assert_eq!(c, before);
        assert!(c.race.is_none());
        assert!(c.opt_ctl.iter().chain(&c.opt_tsb).all(Option::is_none));
    }

    #[test]
    fn an_unnamed_race_and_the_words_of_numbers() {
        let mut answer = fixture("focus-a");
        answer["race"]["event"] = Value::Null;
        let mut c = chart(&[]);
        c.add_race_plan(&answer).unwrap();
        let race = c.race.as_ref().unwrap();
        assert_eq!(race.label, "A · Race");
        assert_eq!(race.legend, "optimised for Race");
        // Without the event, the days to it are the dates'.
        assert_eq!(race.days_away, 75);
        assert_eq!(signed(-6.391), "\u{2212}6.4");
        assert_eq!(signed(-0.04), "0.0");
        assert_eq!(signed(0.8), "+0.8");
        assert_eq!(in_days(1), "tomorrow");
        assert_eq!(form_label("tired"), "Tired (optimal loading)");
        assert_eq!(form_label("transition"), "Transition (very fresh)");
        assert_eq!(form_label("unknown"), "unknown");
    }
}

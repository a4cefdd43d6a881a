//! MCP prompts: the questions a coach asks every week, written once with
//! the tools that answer them, so a client can offer them as one click.
//!
//! A prompt only composes a user message: the model then calls the tools.
//! Arguments are checked here and a bad one is an `invalid_params` error
//! naming it.

use chrono::NaiveDate;
use rmcp::model::{GetPromptResult, Prompt, PromptArgument, PromptMessage, Role};
use serde_json::Value;

/// Why a prompt could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PromptError {
    #[error(
        "no prompt {0:?}; the prompts are weekly_review, race_readiness, fitness_change, workout_debrief"
    )]
    Unknown(String),
    #[error("Invalid argument `{0}`: {1}")]
    Argument(&'static str, String),
}

fn argument(name: &str, description: &str, required: bool) -> PromptArgument {
    PromptArgument::new(name)
        .with_description(description)
        .with_required(required)
}

/// `prompts/list`.
pub fn list() -> Vec<Prompt> {
    vec![
        Prompt::new(
            "weekly_review",
            Some("Review a training week: load, fitness and form, intensity, what to change next week."),
            Some(vec![argument("week_start", "Monday of the week, YYYY-MM-DD (default: the last full week)", false)]),
        )
        .with_title("Weekly review"),
        Prompt::new(
            "race_readiness",
            Some("Am I ready for my race? Fitness and form now, the optimal load and taper to race day, and the gap to my current plan."),
            Some(vec![argument("race_date", "Race day, YYYY-MM-DD (default: the focus event, else the next A/B race)", false)]),
        )
        .with_title("Race readiness"),
        Prompt::new(
            "fitness_change",
            Some("What changed in my fitness over the last weeks: CTL trend, power curve and critical power against the period before."),
            Some(vec![argument("days", "Length of the period in days (default 30)", false)]),
        )
        .with_title("What changed in my fitness"),
        Prompt::new(
            "workout_debrief",
            Some("Debrief one workout from its second-by-second data: execution against the plan, pacing, decoupling, efforts, W′ balance."),
            Some(vec![argument("workout_id", "TrainingPeaks workout id (default: the latest completed workout)", false)]),
        )
        .with_title("Workout debrief"),
    ]
}

fn text_arg<'a>(args: &'a serde_json::Map<String, Value>, name: &str) -> Option<&'a str> {
    args.get(name)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

fn date_arg(
    args: &serde_json::Map<String, Value>,
    name: &'static str,
) -> Result<Option<NaiveDate>, PromptError> {
    text_arg(args, name)
        .map(|v| {
            NaiveDate::parse_from_str(v, "%Y-%m-%d")
                .map_err(|_| PromptError::Argument(name, format!("expected YYYY-MM-DD, got {v:?}")))
        })
        .transpose()
}

/// `prompts/get`.
pub fn get(
    name: &str,
    args: Option<serde_json::Map<String, Value>>,
) -> Result<GetPromptResult, PromptError> {
    let args = args.unwrap_or_default();
    let (description, text) = match name {
        "weekly_review" => {
            let week = match date_arg(&args, "week_start")? {
                Some(d) => format!("the week starting {d} (Monday to Sunday)"),
                None => "my last full week (Monday to Sunday)".to_string(),
            };
            (
                "Weekly review",
                format!(
                    "Review {week} of my training as my coach would.\n\n\
1. tp_get_workouts for the week, and tp_get_planned_workouts for what was planned: what was done, what was missed or changed.\n\
2. tp_training_load_summary (days 42): the week's TSS, hours and monotony against the weeks before.\n\
3. tp_get_fitness (days 42): CTL, ATL, TSB and the ramp rate at the end of the week.\n\
4. tp_training_zones_distribution for the week: time in my zones, polarized or not.\n\n\
Then tell me in a few short paragraphs: how the week went against the plan, whether the load and ramp are sustainable, \
what my form means for next week, and one or two concrete adjustments. Quote the numbers the tools give; say which method each uses."
                ),
            )
        }
        "race_readiness" => {
            let race = match date_arg(&args, "race_date")? {
                Some(d) => format!("my race on {d} (call tp_plan_race with race_date {d})"),
                None => "my next important race (tp_get_events shows it; tp_plan_race picks the focus event by default)".to_string(),
            };
            (
                "Race readiness",
                format!(
                    "Am I ready for {race}?\n\n\
1. tp_get_fitness: where my fitness (CTL), fatigue and form are today.\n\
2. tp_plan_race: the load from tomorrow that gives the highest race-day fitness within a sensible race-day form and ramp, \
and my current plan projected to race day side by side.\n\
3. tp_critical_power (days 90): my current CP and eFTP.\n\n\
Tell me: the race-day CTL and TSB as planned versus optimised, which limits hold the plan back, what the taper looks like \
week by week in plain words, and what I should change in my calendar. These are loads (TSS per day), not workouts: \
suggest sessions only as examples of such loads."
                ),
            )
        }
        "fitness_change" => {
            let days = match args.get("days") {
                None | Some(Value::Null) => 30,
                Some(v) => v
                    .as_i64()
                    .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
                    .filter(|d| (7..=365).contains(d))
                    .ok_or_else(|| {
                        PromptError::Argument(
                            "days",
                            format!("expected a whole number of days from 7 to 365, got {v}"),
                        )
                    })?,
            };
            (
                "What changed in my fitness",
                format!(
                    "What changed in my fitness over the last {days} days?\n\n\
1. tp_fitness_trend (days {days}): CTL, ATL and TSB changes, ramp rate, direction.\n\
2. tp_power_curve (days {days}) with compare_start_date/compare_end_date set to the {days} days before: which durations improved or fell.\n\
3. tp_critical_power for both periods: CP, W′ and eFTP.\n\n\
Summarise what got better, what got worse, and the likely reason from the training load. Quote the tools' numbers and methods."
                ),
            )
        }
        "workout_debrief" => {
            let which = match args.get("workout_id") {
                None | Some(Value::Null) => {
                    "my latest completed workout (find it with tp_get_workouts, limit 1)"
                        .to_string()
                }
                Some(v) => {
                    let id = v
                        .as_i64()
                        .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
                        .filter(|id| *id > 0)
                        .ok_or_else(|| PromptError::Argument("workout_id", format!("expected a TrainingPeaks workout id (a positive whole number), got {v}")))?;
                    format!("workout {id}")
                }
            };
            (
                "Workout debrief",
                format!(
                    "Debrief {which} from its second-by-second data.\n\n\
1. tp_get_workout: the plan, the description and the coach's comments.\n\
2. tp_workout_analysis: NP, IF and TSS from the device file against TrainingPeaks', aerobic decoupling, W′ balance, time in zones, detected efforts, HR recovery.\n\
3. tp_get_workout_streams (resolution_s 60) if pacing over time matters.\n\n\
Tell me how well it was executed against its purpose, how pacing and fatigue developed, and one thing to do differently next time."
                ),
            )
        }
        other => return Err(PromptError::Unknown(other.to_string())),
    };
    Ok(
        GetPromptResult::new(vec![PromptMessage::new_text(Role::User, text)])
            .with_description(description),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_prompt_renders_with_defaults_and_names_tools() {
        for p in list() {
            let r = get(&p.name, None).unwrap();
            let text = serde_json::to_string(&r.messages).unwrap();
            assert!(text.contains("tp_"), "{} names the tools", p.name);
        }
    }

    #[test]
    fn bad_arguments_name_the_argument() {
        let args = |k: &str, v: Value| Some(serde_json::Map::from_iter([(k.to_string(), v)]));
        let e = get("race_readiness", args("race_date", "next sunday".into())).unwrap_err();
        assert!(e.to_string().contains("`race_date`"));
        let e = get("fitness_change", args("days", 9999.into())).unwrap_err();
        assert!(e.to_string().contains("`days`"));
        let e = get("workout_debrief", args("workout_id", "abc".into())).unwrap_err();
        assert!(e.to_string().contains("`workout_id`"));
        assert!(get("nope", None).is_err());
        let ok = get("workout_debrief", args("workout_id", "42".into())).unwrap();
        assert!(
            serde_json::to_string(&ok.messages)
                .unwrap()
                .contains("workout 42")
        );
    }
}

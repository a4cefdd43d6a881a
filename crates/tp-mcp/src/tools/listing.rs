//! What `tp_get_workouts` and `tp_get_planned_workouts` share: arguments,
//! filtering, and the list rendering.

use crate::answer::ToolError;
use crate::args::{self, ArgError};
use crate::format;
use crate::views::WorkoutSummary;
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use tp_model::{Sport, Workout};

/// The most workouts a list returns.
pub const MAX_LIMIT: i64 = 500;

/// Arguments of both workout lists.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListArgs {
    /// First day, YYYY-MM-DD (inclusive). Any range length works.
    pub start_date: Option<String>,
    /// Last day, YYYY-MM-DD (inclusive).
    pub end_date: Option<String>,
    /// Only this sport: Swim, Bike, Run, Brick, Crosstrain, Race, Day Off, Mountain Bike, Strength, Custom, XC Ski, Rowing, Walk, Other (synonyms like "cycling" work).
    pub workout_type: Option<String>,
    /// Maximum number of workouts to list (default 20, at most 500). Totals always cover the whole range.
    #[serde(default, deserialize_with = "args::lenient_int")]
    #[schemars(with = "Option<i64>")]
    pub limit: Option<i64>,
}

/// A list of workouts with totals over everything that matched.
#[derive(Debug, Serialize, JsonSchema)]
pub struct WorkoutList {
    pub start_date: String,
    pub end_date: String,
    pub workout_type: Option<String>,
    /// Workouts matching, before the limit.
    pub total_found: usize,
    pub returned: usize,
    /// Sums over all matching workouts (completed values for completed lists, planned values for plans).
    pub totals: tp_fitness::summary::Volume,
    pub workouts: Vec<WorkoutSummary>,
}

/// Validated list arguments.
pub struct ListQuery {
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub sport: Option<Sport>,
    pub limit: usize,
}

impl ListArgs {
    /// Validates with the given default range.
    pub fn query(
        &self,
        default_end: NaiveDate,
        default_days: u64,
        default_start: Option<NaiveDate>,
    ) -> Result<ListQuery, ArgError> {
        let (start, end) = match (default_start, self.start_date.as_deref()) {
            (Some(s), None) => {
                let end =
                    args::opt_date("end_date", self.end_date.as_deref())?.unwrap_or(default_end);
                args::check_range(s, end)?;
                (s, end)
            }
            _ => args::range(
                self.start_date.as_deref(),
                self.end_date.as_deref(),
                default_end,
                default_days,
            )?,
        };
        let sport = self
            .workout_type
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(|s| args::sport("workout_type", s))
            .transpose()?;
        let limit = args::limit("limit", self.limit.unwrap_or(20), MAX_LIMIT)?;
        Ok(ListQuery {
            start,
            end,
            sport,
            limit,
        })
    }
}

/// Builds the list from already filtered and ordered workouts.
pub fn build(query: &ListQuery, workouts: &[&Workout], planned: bool) -> WorkoutList {
    let totals = tp_fitness::summary::volume(workouts.iter().copied(), planned);
    WorkoutList {
        start_date: query.start.to_string(),
        end_date: query.end.to_string(),
        workout_type: query.sport.map(|s| s.to_string()),
        total_found: workouts.len(),
        returned: workouts.len().min(query.limit),
        totals,
        workouts: workouts
            .iter()
            .take(query.limit)
            .map(|w| WorkoutSummary::from(*w))
            .collect(),
    }
}

/// True when `w` is of the requested sport (or no sport was requested).
pub fn sport_matches(w: &Workout, sport: Option<Sport>) -> bool {
    sport.is_none_or(|s| w.sport() == s)
}

/// Renders a list; `planned` switches to planned values and adds instructions.
pub fn render(list: &WorkoutList, source: &[&Workout], planned: bool) -> String {
    let kind = if planned {
        "Planned workouts"
    } else {
        "Workouts"
    };
    let filter = list
        .workout_type
        .as_ref()
        .map(|s| format!(" ({s})"))
        .unwrap_or_default();
    let mut text = format!(
        "{kind}{filter} {} to {}: {} found{}\n",
        list.start_date,
        list.end_date,
        list.total_found,
        if list.returned < list.total_found {
            format!(", showing {}", list.returned)
        } else {
            String::new()
        }
    );
    if list.total_found == 0 {
        text.push_str("\nNo workouts in this range.\n");
        return text;
    }
    text.push_str(&format!(
        "Totals: {} sessions, {} h, {}, {:.0} TSS{}\n\n",
        list.totals.sessions,
        format::duration(list.totals.duration_h),
        format::distance(list.totals.distance_m),
        list.totals.tss,
        if planned { " planned" } else { "" }
    ));
    let mut table = if planned {
        format::Table::new([
            "Date", "Sport", "Title", "ID", "Time", "Distance", "TSS", "IF",
        ])
    } else {
        format::Table::new([
            "Date", "Sport", "Title", "ID", "Time", "Distance", "TSS", "IF", "NP", "Avg HR",
        ])
    };
    for w in source.iter().take(list.returned) {
        let date = w.workout_day.map(format::day).unwrap_or_else(|| "-".into());
        let title: String = w.display_title().chars().take(34).collect();
        if planned {
            table.row([
                date,
                w.sport().to_string(),
                title,
                w.workout_id.to_string(),
                format::opt_duration(w.total_time_planned),
                format::opt_distance(w.distance_planned),
                format::num(w.tss_planned, 0),
                format::num(w.if_planned, 2),
            ]);
        } else {
            table.row([
                date,
                w.sport().to_string(),
                title,
                w.workout_id.to_string(),
                format::opt_duration(w.total_time),
                format::opt_distance(w.distance),
                format::num(w.tss_actual, 0),
                format::num(w.intensity_factor, 2),
                format::num(w.normalized_power_actual, 0),
                format::num(w.heart_rate_average, 0),
            ]);
        }
    }
    text.push_str(&table.render());
    if planned {
        for w in source.iter().take(list.returned) {
            let has_text = w.description.is_some() || w.coach_comments.is_some();
            if !has_text {
                continue;
            }
            text.push_str(&format!(
                "\n{} — {} (id {}):\n",
                w.workout_day.map(format::day).unwrap_or_default(),
                w.display_title(),
                w.workout_id
            ));
            if let Some(d) = &w.description {
                text.push_str(&format::quoted("Instructions", d));
            }
            if let Some(c) = &w.coach_comments {
                text.push_str(&format::quoted("Coach comments", c));
            }
        }
    }
    text
}

/// Runs a list query: fetch, filter, order, build, render.
pub async fn answer(
    ctx: &crate::context::ServerContext,
    query: ListQuery,
    planned: bool,
) -> Result<(WorkoutList, String), ToolError> {
    let all = ctx.workouts(query.start, query.end).await?;
    let mut chosen: Vec<&Workout> = all
        .iter()
        .filter(|w| w.is_completed() != planned)
        .filter(|w| sport_matches(w, query.sport))
        .collect();
    if planned {
        // soonest first (the data path returns oldest first)
    } else {
        chosen.reverse(); // newest first
    }
    let list = build(&query, &chosen, planned);
    let text = render(&list, &chosen, planned);
    Ok((list, text))
}

//! `tp_get_workouts`: completed workouts in a date range, newest first.

use super::TpTool;
use super::listing::{self, ListArgs, WorkoutList};
use crate::answer::ToolError;
use crate::context::ServerContext;

pub struct GetWorkouts;

impl TpTool for GetWorkouts {
    const NAME: &'static str = "tp_get_workouts";
    const TITLE: &'static str = "Completed workouts";
    const DESCRIPTION: &'static str = "List the athlete's completed workouts between two dates, newest first, \
with totals for the range. Default: the last 30 days. Any range length works (e.g. a whole year). Filter with \
workout_type (Bike, Run, Swim, Strength, ...). Per workout: date, sport, title, id (for tp_get_workout / \
tp_workout_analysis), duration (h:mm:ss; structured: hours), distance (km; structured: metres), TSS, IF, \
normalized power (W), average heart rate (bpm).";
    type Args = ListArgs;
    type Output = WorkoutList;

    async fn run(ctx: &ServerContext, args: ListArgs) -> Result<(WorkoutList, String), ToolError> {
        let query = args.query(ctx.today(), 30, None)?;
        listing::answer(ctx, query, false).await
    }
}

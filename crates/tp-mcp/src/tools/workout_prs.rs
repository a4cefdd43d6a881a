//! `tp_get_workout_prs`: the personal records one workout set.

use super::TpTool;
use super::workout::WorkoutIdArgs;
use crate::answer::ToolError;
use crate::context::ServerContext;
use crate::format;
use schemars::JsonSchema;
use serde::Serialize;
use tp_api::ApiError;
use tp_model::{PrClass, pr_types};

pub struct GetWorkoutPrs;

/// Records set in one workout.
#[derive(Debug, Serialize, JsonSchema)]
pub struct WorkoutPrsOutput {
    pub workout_id: i64,
    /// TrainingPeaks is still computing this workout's records.
    pub calcs_pending: bool,
    pub count: usize,
    pub records: Vec<RecordEntry>,
}

/// One record.
#[derive(Debug, Serialize, JsonSchema)]
pub struct RecordEntry {
    /// Power, HeartRate or Speed.
    pub class: String,
    /// TrainingPeaks' record type, e.g. Pr20Minutes.
    pub record_type: String,
    /// e.g. "20 min", "5 km".
    pub label: String,
    /// e.g. All-Time, This Year.
    pub time_frame: String,
    pub rank: Option<i64>,
    /// W, bpm or m/s (see unit).
    pub value: f64,
    pub unit: String,
    pub display: String,
}

fn unit(class: Option<PrClass>) -> &'static str {
    match class {
        Some(PrClass::Power) => "W",
        Some(PrClass::HeartRate) => "bpm",
        Some(PrClass::Speed) => "m/s",
        None => "",
    }
}

impl TpTool for GetWorkoutPrs {
    const NAME: &'static str = "tp_get_workout_prs";
    const TITLE: &'static str = "Personal records of a workout";
    const DESCRIPTION: &'static str = "The personal records (PRs) one workout set, by class (power W, heart \
rate bpm, speed/pace) and time frame (All-Time, This Year, ...), with rank. Use it to celebrate or check a \
specific workout; for the best values over a period use tp_get_peaks.";
    type Args = WorkoutIdArgs;
    type Output = WorkoutPrsOutput;

    async fn run(
        ctx: &ServerContext,
        args: WorkoutIdArgs,
    ) -> Result<(WorkoutPrsOutput, String), ToolError> {
        let id = args.id()?;
        let records = ctx.workout_records(id).await.map_err(|e| match e {
            tp_store::StoreError::Api(ApiError::NotFound { .. }) => ToolError::NotFound(format!(
                "No workout with id {id} in this athlete's TrainingPeaks calendar. Use tp_get_workouts to find workout ids."
            )),
            other => other.into(),
        })?;
        let mut entries: Vec<RecordEntry> = records
            .personal_records
            .iter()
            .filter(|r| !r.invalid)
            .filter_map(|r| {
                let value = r.value?;
                let class = r.class.as_deref().and_then(PrClass::parse);
                let record_type = r.record_type.clone().unwrap_or_default();
                let known = class.and_then(|c| pr_types::pr_type_by_record(c, &record_type));
                Some(RecordEntry {
                    class: r.class.clone().unwrap_or_else(|| "Other".into()),
                    label: known
                        .map(|k| k.label.to_string())
                        .unwrap_or_else(|| record_type.clone()),
                    record_type,
                    time_frame: r.time_frame.clone().unwrap_or_else(|| "-".into()),
                    rank: r.rank,
                    value,
                    unit: unit(class).into(),
                    display: match class {
                        Some(c) => format::record_value(c, value, known.map(|k| k.span)),
                        None => format!("{value}"),
                    },
                })
            })
            .collect();
        entries.sort_by(|a, b| {
            (&a.class, &a.time_frame, a.rank).cmp(&(&b.class, &b.time_frame, b.rank))
        });
        let out = WorkoutPrsOutput {
            workout_id: id,
            calcs_pending: records.calcs_pending,
            count: entries.len(),
            records: entries,
        };
        let mut text = format!("Personal records set in workout {id}: {}\n", out.count);
        if out.calcs_pending {
            text.push_str("TrainingPeaks is still calculating records for this workout; ask again in a few minutes.\n");
        }
        if !out.records.is_empty() {
            let mut table = format::Table::new(["Class", "Record", "Value", "Time frame", "Rank"]);
            for r in &out.records {
                table.row([
                    r.class.clone(),
                    r.label.clone(),
                    r.display.clone(),
                    r.time_frame.clone(),
                    r.rank.map_or("-".into(), |n| n.to_string()),
                ]);
            }
            text.push('\n');
            text.push_str(&table.render());
        }
        Ok((out, text))
    }
}

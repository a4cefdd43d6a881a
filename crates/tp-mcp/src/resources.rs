//! MCP resources: what a client can attach to a conversation without a
//! tool call — the athlete (profile, zones, thresholds), the whole PMC as
//! CSV, any workout by id, and the chart app ([`crate::mcp_app`]).
//!
//! Each is read through the same data path and tools as the answers
//! (`data`, `tools::call`), so a resource and a tool never disagree.

use crate::context::ServerContext;
use crate::mcp_app;
use crate::tools;
use rmcp::model::{Resource, ResourceContents, ResourceTemplate};
use serde_json::json;

/// The athlete: profile, zones and thresholds (JSON).
pub const ATHLETE_URI: &str = "tp://athlete";
/// The PMC from the first day of training through today (CSV).
pub const PMC_URI: &str = "tp://fitness/pmc.csv";
/// One workout in full (JSON), by TrainingPeaks id.
pub const WORKOUT_TEMPLATE: &str = "tp://workouts/{workout_id}";
const WORKOUT_PREFIX: &str = "tp://workouts/";

/// Why a resource could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error(
        "no resource {0}; the resources are {ATHLETE_URI}, {PMC_URI}, {WORKOUT_TEMPLATE} and {chart}",
        chart = mcp_app::CHART_URI
    )]
    Unknown(String),
    /// TrainingPeaks or the cache failed, or the workout does not exist.
    #[error("{0}")]
    Failed(String),
}

/// `resources/list`.
pub fn list() -> Vec<Resource> {
    vec![
        Resource::new(ATHLETE_URI, "athlete")
            .with_title("Athlete: profile, zones and thresholds")
            .with_description(
                "The athlete's TrainingPeaks profile and settings: FTP, threshold heart rate and \
paces, power/HR/speed zones per sport.",
            )
            .with_mime_type("application/json"),
        Resource::new(PMC_URI, "pmc.csv")
            .with_title("Fitness history (PMC) as CSV")
            .with_description(
                "date,tss,ctl,atl,tsb for every day from the first day of training through today: \
TrainingPeaks' convention (step 1/T), CTL 42 d, ATL 7 d; TSB is form coming into the day.",
            )
            .with_mime_type("text/csv"),
        mcp_app::resource(),
    ]
}

/// `resources/templates/list`.
pub fn templates() -> Vec<ResourceTemplate> {
    vec![
        ResourceTemplate::new(WORKOUT_TEMPLATE, "workout")
            .with_title("A workout by id")
            .with_description(
                "One workout in full, as tp_get_workout gives it: planned and completed values, \
description and coach comments (quoted data), device file status.",
            )
            .with_mime_type("application/json"),
    ]
}

/// `resources/read`.
pub async fn read(ctx: &ServerContext, uri: &str) -> Result<ResourceContents, ReadError> {
    match uri {
        ATHLETE_URI => {
            let profile = tool_json(ctx, "tp_get_profile", json!({})).await?;
            let settings = ctx
                .settings()
                .await
                .map_err(|e| ReadError::Failed(e.to_string()))?;
            let body = json!({ "profile": profile, "settings": settings });
            Ok(ResourceContents::text(pretty(&body), uri).with_mime_type("application/json"))
        }
        PMC_URI => {
            let history = ctx
                .fitness_history(&tp_fitness::PmcParams::default(), 0)
                .await
                .map_err(|e| ReadError::Failed(e.to_string()))?;
            Ok(ResourceContents::text(pmc_csv(&history.series), uri).with_mime_type("text/csv"))
        }
        _ if uri == mcp_app::CHART_URI => Ok(mcp_app::contents()),
        _ => {
            let Some(id) = uri.strip_prefix(WORKOUT_PREFIX) else {
                return Err(ReadError::Unknown(uri.to_string()));
            };
            let id: i64 = id.parse().map_err(|_| {
                ReadError::Failed(format!(
                    "{uri}: the workout id must be a whole number, e.g. tp://workouts/123456"
                ))
            })?;
            let workout = tool_json(ctx, "tp_get_workout", json!({ "workout_id": id })).await?;
            Ok(ResourceContents::text(pretty(&workout), uri).with_mime_type("application/json"))
        }
    }
}

/// A tool's structured answer, or its error message.
async fn tool_json(
    ctx: &ServerContext,
    tool: &str,
    args: serde_json::Value,
) -> Result<serde_json::Value, ReadError> {
    let args = args.as_object().cloned();
    match tools::call(ctx, tool, args).await {
        Some(Ok(answer)) => Ok(answer.structured),
        Some(Err(e)) => Err(ReadError::Failed(e.message())),
        None => Err(ReadError::Failed(format!("no tool {tool}"))),
    }
}

fn pretty(v: &serde_json::Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

/// The PMC as CSV, four decimals.
pub fn pmc_csv(series: &tp_fitness::FitnessSeries) -> String {
    let mut out = String::with_capacity(40 * series.days.len() + 32);
    out.push_str("date,tss,ctl,atl,tsb\n");
    for d in &series.days {
        out.push_str(&format!(
            "{},{:.4},{:.4},{:.4},{:.4}\n",
            d.date, d.tss, d.ctl, d.atl, d.tsb
        ));
    }
    out
}

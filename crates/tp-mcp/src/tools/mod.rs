//! The tools: one file each, all registered here.
//!
//! A tool is a type implementing [`TpTool`]: its name, title and description
//! (written for the model), an argument struct (its JSON schema is the
//! tool's `inputSchema`), an output struct (its schema is the
//! `outputSchema`, its value the `structuredContent`) and `run`, a thin
//! adapter: parse arguments → data path (`crate::data`) → `tp-fitness` for
//! numbers → render text. The MCP server and the CLI both call [`call`].

use crate::answer::{ToolAnswer, ToolError};
use crate::args::ArgError;
use crate::context::ServerContext;
use rmcp::model::{JsonObject, Tool, ToolAnnotations};
use schemars::JsonSchema;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::future::Future;
use std::sync::Arc;

pub mod auth_status;
pub mod compare_efforts;
pub mod critical_power;
pub mod events;
pub mod fitness;
pub mod fitness_trend;
pub mod list_athletes;
pub mod listing;
pub mod metrics;
pub mod peaks;
pub mod performance_summary;
pub mod plan_race;
pub mod planned_workouts;
pub mod pmc_args;
pub mod power_curve;
pub mod profile;
pub mod refresh_auth;
pub mod team_overview;
pub mod training_load_summary;
pub mod what_if;
pub mod workout;
pub mod workout_analysis;
pub mod workout_prs;
pub mod workout_streams;
pub mod workouts;
pub mod zones_distribution;

/// One MCP tool.
pub trait TpTool {
    /// The reference server's tool name (kept so existing prompts work).
    const NAME: &'static str;
    /// Short human title.
    const TITLE: &'static str;
    /// When to use it and what the units are — written for the model.
    const DESCRIPTION: &'static str;
    /// Reads the athlete's history (and so accepts `refresh`).
    const READS_HISTORY: bool = true;
    type Args: DeserializeOwned + JsonSchema + 'static;
    type Output: Serialize + JsonSchema + 'static;

    /// Answers: the structured output and its text rendering.
    fn run(
        ctx: &ServerContext,
        args: Self::Args,
    ) -> impl Future<Output = Result<(Self::Output, String), ToolError>> + Send;
}

/// Arguments of tools that take none.
#[derive(Debug, Default, serde::Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NoArgs {}

/// The argument every history-reading tool accepts on top of its own.
pub const REFRESH_ARG: &str = "refresh";

/// The `format` values JSON Schema (2020-12) defines; clients validate
/// these and warn about any other ("unknown format \"uint64\" ignored").
pub const STANDARD_FORMATS: &[&str] = &[
    "date-time",
    "date",
    "time",
    "duration",
    "email",
    "idn-email",
    "hostname",
    "idn-hostname",
    "ipv4",
    "ipv6",
    "uri",
    "uri-reference",
    "iri",
    "iri-reference",
    "uuid",
    "uri-template",
    "json-pointer",
    "relative-json-pointer",
    "regex",
];

/// Makes a schemars schema standard JSON Schema: Rust's number formats
/// (`uint64`, `int32`, `double`…) and chrono's `partial-date-time` are
/// removed; unsigned integers say `minimum: 0` instead (and `uint8` its
/// maximum), which every validator understands.
pub fn standardize_schema(schema: &mut serde_json::Value) {
    match schema {
        serde_json::Value::Object(map) => {
            if let Some(format) = map
                .get("format")
                .and_then(|f| f.as_str())
                .map(str::to_owned)
                && !STANDARD_FORMATS.contains(&format.as_str())
            {
                map.remove("format");
                if format.starts_with("uint") {
                    map.entry("minimum").or_insert(serde_json::json!(0));
                }
                if format == "uint8" {
                    map.entry("maximum").or_insert(serde_json::json!(255));
                }
            }
            map.values_mut().for_each(standardize_schema);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(standardize_schema),
        _ => {}
    }
}

/// A type's schema as MCP wants it: JSON Schema 2020-12 (for outputs, what
/// `Serialize` writes), without the wrapper's own title and description,
/// in standard formats ([`standardize_schema`]). Generated here rather than
/// by rmcp's helpers, which keep a copy per type in every thread that asks:
/// with ~25 tools that alone doubled the server's memory.
fn schema_object<T: JsonSchema>(for_output: bool) -> Arc<JsonObject> {
    let settings = schemars::generate::SchemaSettings::draft2020_12();
    let settings = if for_output {
        settings.for_serialize()
    } else {
        settings
    };
    let mut value = serde_json::to_value(settings.into_generator().into_root_schema_for::<T>())
        .unwrap_or_default();
    standardize_schema(&mut value);
    let mut object = match value {
        serde_json::Value::Object(map) => map,
        _ => JsonObject::new(),
    };
    object.remove("title");
    object.remove("description");
    Arc::new(object)
}

fn definition<T: TpTool>() -> Tool {
    let mut tool =
        Tool::new(T::NAME, T::DESCRIPTION, schema_object::<T::Args>(false)).with_title(T::TITLE);
    if T::READS_HISTORY {
        let mut schema = tool.input_schema.as_ref().clone();
        if let Some(props) = schema
            .entry("properties")
            .or_insert_with(|| serde_json::json!({}))
            .as_object_mut()
        {
            props.insert(
                crate::athletes::ATHLETE_ARG.into(),
                serde_json::json!({
                    "type": ["string", "integer"],
                    "description": "Which athlete (coach logins): an athlete id, or a name matched case-insensitively \
(tp_list_athletes lists them). Default: the account's own athlete."
                }),
            );
            props.insert(
                REFRESH_ARG.into(),
                serde_json::json!({
                    "type": "boolean",
                    "description": "Re-fetch recent days from TrainingPeaks before answering (default false: \
recent data is re-checked automatically after a few minutes; use this right after the athlete changed something)."
                }),
            );
        }
        tool.input_schema = std::sync::Arc::new(schema);
    }
    tool.output_schema = Some(schema_object::<T::Output>(true));
    if crate::mcp_app::CHART_TOOLS.contains(&T::NAME) {
        tool.meta = Some(crate::mcp_app::tool_meta());
    }
    tool.with_annotations(
        ToolAnnotations::with_title(T::TITLE)
            .read_only(true)
            .destructive(false)
            .idempotent(true)
            .open_world(true),
    )
}

/// The arguments a tool takes: its own, plus `athlete` and `refresh` for
/// the tools that read an athlete's history (the same as its input schema).
fn argument_names<T: TpTool>() -> Vec<String> {
    let schema = schema_object::<T::Args>(false);
    let mut names: Vec<String> = schema
        .get("properties")
        .and_then(|p| p.as_object())
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default();
    if T::READS_HISTORY {
        names.push(crate::athletes::ATHLETE_ARG.into());
        names.push(REFRESH_ARG.into());
    }
    names
}

/// Refuses arguments the tool does not declare, naming the ones it takes
/// (a misspelled `start_date` must not silently become the default range).
fn check_known_arguments(tool: &str, known: &[String], args: &JsonObject) -> Result<(), ArgError> {
    if let Some(unknown) = args.keys().find(|k| !known.contains(k)) {
        let takes = if known.is_empty() {
            "no arguments".to_string()
        } else {
            known.join(", ")
        };
        return Err(ArgError::new(
            argument_label(unknown),
            format!("{tool} does not take this argument; it takes: {takes}"),
        ));
    }
    Ok(())
}

/// An argument name as sent, made printable for an error message: plain
/// names as they are; an empty, odd or very long one quoted and escaped (a
/// fuzzer found `{"": …}` answered with "Invalid argument ``").
fn argument_label(name: &str) -> String {
    const MAX: usize = 64;
    let plain = |c: char| c.is_alphanumeric() || "_-.".contains(c);
    if !name.is_empty() && name.chars().count() <= MAX && name.chars().all(plain) {
        return name.to_string();
    }
    let mut shown: String = name.chars().take(MAX).collect();
    if shown.len() < name.len() {
        shown.push('…');
    }
    format!("{shown:?}")
}

async fn call_typed<T: TpTool>(
    ctx: &ServerContext,
    args: Option<JsonObject>,
) -> Result<ToolAnswer, ToolError> {
    let mut args = args.unwrap_or_default();
    check_known_arguments(T::NAME, known_arguments(T::NAME), &args)?;
    let chosen;
    let ctx = if T::READS_HISTORY {
        chosen = crate::athletes::choose(ctx, args.remove(crate::athletes::ATHLETE_ARG)).await?;
        &chosen
    } else {
        ctx
    };
    if let Some(refresh) = args.remove(REFRESH_ARG) {
        match tp_model::lenient::boolean(&refresh) {
            Some(true) => ctx.expire_recent().await?,
            Some(false) => {}
            None => {
                return Err(ArgError::new(
                    REFRESH_ARG,
                    format!("expected true or false, got {refresh}"),
                )
                .into());
            }
        }
    }
    let value = serde_json::Value::Object(args);
    let args: T::Args = serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let argument = if path == "." {
            "arguments".to_string()
        } else {
            path
        };
        ArgError::new(argument, e.into_inner().to_string())
    })?;
    if !T::READS_HISTORY {
        let (output, text) = T::run(ctx, args).await?;
        return Ok(ToolAnswer::new(&output, text));
    }
    // Questions about the training may be answered from the local history
    // when TrainingPeaks cannot be asked; the answer then says so.
    let (result, stale) = tp_store::fallback::collecting(T::run(ctx, args)).await;
    let (output, text) = result?;
    Ok(ToolAnswer::new(&output, text).with_stale_reads(&stale))
}

macro_rules! tool_set {
    ($($tool:ty),* $(,)?) => {
        /// Every tool's MCP definition, in a stable order. Built on each
        /// call and not kept: the schemas are ~300 KB of JSON, a quarter
        /// of the server's memory if they stayed resident; `tools/list`
        /// is asked once per session and takes a few milliseconds.
        pub fn definitions() -> Vec<Tool> {
            vec![$(definition::<$tool>()),*]
        }

        /// Each tool's argument names, built on its first call and kept:
        /// checked on every call, and a few hundred bytes, unlike the full
        /// schemas. Only the tool called pays for its input schema.
        fn known_arguments(tool: &str) -> &'static [String] {
            type Builder = (&'static str, fn() -> Vec<String>);
            const BUILDERS: &[Builder] = &[$((<$tool as TpTool>::NAME, argument_names::<$tool>)),*];
            static NAMES: [std::sync::OnceLock<Vec<String>>; BUILDERS.len()] =
                [const { std::sync::OnceLock::new() }; BUILDERS.len()];
            BUILDERS
                .iter()
                .zip(&NAMES)
                .find(|((name, _), _)| *name == tool)
                .map_or(&[], |((_, build), names)| names.get_or_init(*build).as_slice())
        }

        /// Every tool's name, in the same order.
        pub fn names() -> Vec<&'static str> {
            vec![$(<$tool as TpTool>::NAME),*]
        }

        /// Runs the tool called `name`; `None` when there is no such tool.
        pub async fn call(ctx: &ServerContext, name: &str, args: Option<JsonObject>) -> Option<Result<ToolAnswer, ToolError>> {
            $(
                if name == <$tool as TpTool>::NAME {
                    return Some(call_typed::<$tool>(ctx, args).await);
                }
            )*
            None
        }
    };
}

tool_set!(
    auth_status::AuthStatus,
    refresh_auth::RefreshAuth,
    list_athletes::ListAthletes,
    team_overview::TeamOverview,
    profile::GetProfile,
    workouts::GetWorkouts,
    workout::GetWorkout,
    planned_workouts::GetPlannedWorkouts,
    fitness::GetFitness,
    metrics::GetMetrics,
    peaks::GetPeaks,
    workout_prs::GetWorkoutPrs,
    training_load_summary::TrainingLoadSummary,
    fitness_trend::FitnessTrend,
    events::GetEvents,
    plan_race::PlanRace,
    what_if::WhatIf,
    workout_analysis::WorkoutAnalysis,
    workout_streams::GetWorkoutStreams,
    power_curve::PowerCurve,
    critical_power::CriticalPower,
    compare_efforts::CompareEfforts,
    performance_summary::PerformanceSummary,
    zones_distribution::TrainingZonesDistribution,
);

#[cfg(test)]
mod tests {
    use super::{STANDARD_FORMATS, argument_label, definitions};

    /// Every `format` in every schema is one JSON Schema defines: the
    /// official TypeScript client warns about each other one.
    #[test]
    fn schemas_carry_only_standard_formats() {
        fn walk(v: &serde_json::Value, path: &str, bad: &mut Vec<String>) {
            match v {
                serde_json::Value::Object(m) => {
                    if let Some(f) = m.get("format").and_then(|f| f.as_str())
                        && !STANDARD_FORMATS.contains(&f)
                    {
                        bad.push(format!("{path}: {f}"));
                    }
                    for (k, v) in m {
                        walk(v, &format!("{path}/{k}"), bad);
                    }
                }
                serde_json::Value::Array(a) => {
                    for (i, v) in a.iter().enumerate() {
                        walk(v, &format!("{path}/{i}"), bad);
                    }
                }
                _ => {}
            }
        }
        let mut bad = Vec::new();
        let mut unsigned = 0;
        for tool in definitions() {
            let json = serde_json::to_value(&tool).unwrap();
            walk(&json, &tool.name, &mut bad);
            unsigned += json.to_string().matches("\"minimum\":0").count();
        }
        assert!(bad.is_empty(), "non-standard formats: {bad:#?}");
        for tool in definitions() {
            // MCP: a tool's arguments are an object.
            assert_eq!(
                tool.input_schema.get("type"),
                Some(&serde_json::json!("object")),
                "{}",
                tool.name
            );
        }
        assert!(
            unsigned > 50,
            "unsigned integers keep minimum 0 ({unsigned})"
        );
    }

    #[test]
    fn argument_names_in_errors_are_always_visible_and_printable() {
        assert_eq!(argument_label("start_date"), "start_date");
        assert_eq!(argument_label(""), "\"\"");
        assert_eq!(argument_label("a\nb`c"), "\"a\\nb`c\"");
        let long = "x".repeat(100);
        assert_eq!(argument_label(&long), format!("\"{}…\"", "x".repeat(64)));
    }
}

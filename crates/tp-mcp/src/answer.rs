//! What a tool returns: human text plus structured content, or an error the
//! user (or the model) can act on.

use crate::args::ArgError;
use rmcp::model::{CallToolResult, ContentBlock};
use serde::Serialize;
use tp_api::ApiError;
use tp_api::secret::redact_live_secrets;
use tp_store::fallback::StaleRead;

/// A successful answer: compact text for people and models, and the same
/// facts as `structuredContent` matching the tool's `outputSchema`.
#[derive(Debug, Clone)]
pub struct ToolAnswer {
    pub text: String,
    pub structured: serde_json::Value,
}

impl ToolAnswer {
    /// Builds an answer from a serializable output and its rendering.
    pub fn new<T: Serialize>(output: &T, text: String) -> ToolAnswer {
        let structured = serde_json::to_value(output).unwrap_or_else(|e| {
            tracing::error!(error = %e, "structured output did not serialize");
            serde_json::Value::Object(Default::default())
        });
        ToolAnswer { text, structured }
    }

    /// Says which parts of the answer came from the local history because
    /// TrainingPeaks could not be asked: a paragraph after the text, and
    /// `stale_data` in the structured content.
    pub fn with_stale_reads(mut self, reads: &[StaleRead]) -> ToolAnswer {
        if reads.is_empty() {
            return self;
        }
        let when = |at: Option<i64>| {
            at.and_then(|s| chrono::DateTime::from_timestamp(s, 0))
                .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        };
        self.text.truncate(self.text.trim_end().len());
        self.text.push_str(
            "\n\nNot fresh: TrainingPeaks could not be asked just now, so this answer uses the local history:",
        );
        for r in reads {
            let at = when(r.fetched_at).map_or_else(
                || "as last fetched (time unknown)".to_string(),
                |t| format!("as last fetched {t}"),
            );
            self.text.push_str(&format!("\n- {}, {at}", r.what));
        }
        self.text.push_str(&format!(
            "\nWhy: {} Anything changed since may be missing; ask again later.",
            tp_store::fallback::distinct_problems(reads).join(" ")
        ));
        if let serde_json::Value::Object(map) = &mut self.structured {
            let list = reads
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "what": r.what,
                        "last_fetched": when(r.fetched_at),
                        "problem": r.problem,
                    })
                })
                .collect();
            map.insert("stale_data".into(), serde_json::Value::Array(list));
        }
        self
    }

    /// The MCP result, with any live secret cut out (a last line of
    /// defence: no answer is built from one).
    pub fn into_result(self) -> CallToolResult {
        let text = redact_live_secrets(&self.text).into_owned();
        let mut result = CallToolResult::success(vec![ContentBlock::text(text)]);
        let mut structured = self.structured;
        redact_strings(&mut structured);
        result.structured_content = Some(structured);
        result
    }
}

/// Cuts live secrets out of every string in a JSON value.
fn redact_strings(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::String(s) => {
            if let std::borrow::Cow::Owned(clean) = redact_live_secrets(s) {
                *s = clean;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_strings),
        Value::Object(map) => map.values_mut().for_each(redact_strings),
        _ => {}
    }
}

/// Why a tool could not answer.
#[derive(Debug, thiserror::Error)]
pub enum ToolError {
    /// The arguments were wrong: the message names the argument.
    #[error(transparent)]
    Argument(#[from] ArgError),
    /// TrainingPeaks (or the way to it) failed; the message says what to do.
    #[error(transparent)]
    Api(#[from] ApiError),
    /// Something asked for does not exist (e.g. an unknown workout id).
    #[error("{0}")]
    NotFound(String),
    /// The local history cache failed (TrainingPeaks itself was fine).
    #[error("{0}")]
    Cache(String),
}

impl From<tp_store::StoreError> for ToolError {
    fn from(e: tp_store::StoreError) -> Self {
        match e {
            tp_store::StoreError::Api(api) => ToolError::Api(api),
            other => ToolError::Cache(format!(
                "The local history cache failed: {other}. Try again; if it persists, start tp-mcp with --no-cache."
            )),
        }
    }
}

impl ToolError {
    /// The text shown to the user, with a short prefix naming the kind.
    pub fn message(&self) -> String {
        match self {
            ToolError::Argument(e) => format!("{e}"),
            ToolError::Api(e) => format!("TrainingPeaks request failed. {e}"),
            ToolError::NotFound(m) | ToolError::Cache(m) => m.clone(),
        }
    }

    /// The MCP error result (`isError`), with any live secret cut out.
    pub fn into_result(self) -> CallToolResult {
        let text = redact_live_secrets(&self.message()).into_owned();
        CallToolResult::error(vec![ContentBlock::text(text)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use tp_api::Secret;

    #[test]
    fn an_answer_from_the_cache_says_what_when_and_why() {
        let reads = [
            StaleRead {
                what: "workouts",
                fetched_at: Some(1_795_000_000),
                problem: "TrainingPeaks answered HTTP 503. Try again in a few minutes.".into(),
            },
            StaleRead {
                what: "daily training load",
                fetched_at: None,
                problem: "TrainingPeaks answered HTTP 503. Try again in a few minutes.".into(),
            },
        ];
        let a = ToolAnswer {
            text: "CTL 70.2".into(),
            structured: json!({"ctl": 70.2}),
        }
        .with_stale_reads(&reads);
        assert_eq!(
            a.text,
            "CTL 70.2\n\nNot fresh: TrainingPeaks could not be asked just now, so this answer uses the local history:\n\
             - workouts, as last fetched 2026-11-18 11:06 UTC\n\
             - daily training load, as last fetched (time unknown)\n\
             Why: TrainingPeaks answered HTTP 503. Try again in a few minutes. Anything changed since may be missing; ask again later."
        );
        assert_eq!(
            a.structured["stale_data"][0]["last_fetched"],
            "2026-11-18 11:06 UTC"
        );
        assert_eq!(a.structured["stale_data"][1]["what"], "daily training load");
        assert_eq!(a.structured["ctl"], 70.2);
        let fresh = ToolAnswer {
            text: "x".into(),
            structured: json!({}),
        }
        .with_stale_reads(&[]);
        assert_eq!((fresh.text.as_str(), fresh.structured), ("x", json!({})));
    }

    #[test]
    fn answers_and_errors_never_carry_a_live_secret() {
        let token = Secret::new("tpf_answer_redaction_test_token");
        let t = token.expose();
        let answer = ToolAnswer {
            text: format!("title: {t}"),
            structured: json!({"workouts": [{"title": format!("x {t}"), "tss": 50}]}),
        };
        let result = answer.into_result();
        let shown = serde_json::to_string(&result).unwrap();
        assert!(!shown.contains(t), "{shown}");
        assert!(shown.contains("title: [redacted]") && shown.contains("x [redacted]"));
        assert!(
            shown.contains("\"tss\":50"),
            "other values untouched: {shown}"
        );

        let error = ToolError::NotFound(format!("no workout for {t}")).into_result();
        let shown = serde_json::to_string(&error).unwrap();
        assert!(
            !shown.contains(t) && shown.contains("no workout for [redacted]"),
            "{shown}"
        );
    }
}

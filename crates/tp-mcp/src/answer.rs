//! What a tool returns: human text plus structured content, or an error the
//! user (or the model) can act on.

use crate::args::ArgError;
use rmcp::model::{CallToolResult, ContentBlock};
use serde::Serialize;
use tp_api::ApiError;

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

    pub fn into_result(self) -> CallToolResult {
        let mut result = CallToolResult::success(vec![ContentBlock::text(self.text)]);
        result.structured_content = Some(self.structured);
        result
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

    pub fn into_result(self) -> CallToolResult {
        CallToolResult::error(vec![ContentBlock::text(self.message())])
    }
}

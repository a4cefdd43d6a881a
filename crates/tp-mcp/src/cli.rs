//! The human command line: list tools, call one, print the answer.
//!
//! `tp-mcp call` runs exactly what an MCP `tools/call` runs ([`tools::call`]),
//! so what you see here is what Claude sees.

use crate::context::ServerContext;
use crate::tools;

/// Prints every tool's name, title and description.
pub fn print_tools(json: bool) -> String {
    let defs = tools::definitions();
    if json {
        return serde_json::to_string_pretty(&defs).unwrap_or_default();
    }
    let mut out = String::new();
    for t in defs {
        out.push_str(&format!(
            "{:<32} {}\n",
            t.name,
            t.title.clone().unwrap_or_default()
        ));
    }
    out
}

/// Outcome of a CLI call: the text to print and whether it was an error.
pub struct CallOutput {
    pub text: String,
    pub is_error: bool,
}

/// Calls `name` with `args_json` (a JSON object, or empty for none). Like
/// an MCP answer, the text has any live secret cut out.
pub async fn call(ctx: &ServerContext, name: &str, args_json: &str, json: bool) -> CallOutput {
    let out = call_tool(ctx, name, args_json, json).await;
    CallOutput {
        text: tp_api::secret::redact_live_secrets(&out.text).into_owned(),
        ..out
    }
}

async fn call_tool(ctx: &ServerContext, name: &str, args_json: &str, json: bool) -> CallOutput {
    let args = if args_json.trim().is_empty() {
        None
    } else {
        match serde_json::from_str::<serde_json::Value>(args_json) {
            Ok(serde_json::Value::Object(map)) => Some(map),
            Ok(other) => {
                return CallOutput {
                    text: format!(
                        "Arguments must be a JSON object like '{{\"days\": 42}}', got {other}"
                    ),
                    is_error: true,
                };
            }
            Err(e) => {
                return CallOutput {
                    text: format!(
                        "Arguments are not valid JSON ({e}); pass a JSON object like '{{\"days\": 42}}'"
                    ),
                    is_error: true,
                };
            }
        }
    };
    match tools::call(ctx, name, args).await {
        None => {
            let names: Vec<String> = tools::definitions()
                .into_iter()
                .map(|t| t.name.to_string())
                .collect();
            CallOutput {
                text: format!("Unknown tool {name:?}. Tools: {}", names.join(", ")),
                is_error: true,
            }
        }
        Some(Ok(answer)) if json => CallOutput {
            text: serde_json::to_string_pretty(&answer.structured).unwrap_or_default(),
            is_error: false,
        },
        Some(Ok(answer)) => CallOutput {
            text: answer.text,
            is_error: false,
        },
        Some(Err(e)) => CallOutput {
            text: e.message(),
            is_error: true,
        },
    }
}

//! What the tool-argument fuzzers check, in one place: the cargo-fuzz target
//! (`fuzz/fuzz_targets/tool_arguments.rs`, coverage-guided) and the proptest
//! suite (`tests/fuzz_tool_arguments.rs`, on every `cargo test`) both call
//! [`check_tool_call`].
//!
//! The context has no cookie, no cache and no browser import, so nothing
//! leaves the process:
//! arguments that pass validation end in the clear "no cookie" error. A
//! panic here is a finding.

use crate::context::CacheMode;
use crate::cookie::CookieOrigin;
use crate::{ServerContext, ToolError, tools};
use serde_json::{Map, Value};
use tp_api::{ClientConfig, TpClient};

/// A context that answers every tool without a network: no cookie, no
/// cache, an API address nothing listens on, no browser import (the
/// fuzzers must not read this machine's cookie stores or keychain).
pub fn offline_context() -> ServerContext {
    let config = ClientConfig::default().with_base_url("http://127.0.0.1:9");
    let client = TpClient::new(config, None).expect("a client without a cookie always builds");
    ServerContext::with_client(client, CookieOrigin::Missing, None, CacheMode::Disabled)
        .without_browser_import()
}

/// Calls tool number `tool` (modulo the tool count) with `args` and checks
/// the outcome: an answer with text, an argument error that names the
/// argument and says what to fix, or the "no cookie" error.
pub fn check_tool_call(
    runtime: &tokio::runtime::Runtime,
    ctx: &ServerContext,
    tool: usize,
    args: Map<String, Value>,
) {
    let definitions = tools::definitions();
    let name = definitions[tool % definitions.len()].name.to_string();
    let outcome = runtime
        .block_on(tools::call(ctx, &name, Some(args)))
        .expect("every listed tool is callable");
    match outcome {
        Ok(answer) => assert!(!answer.text.is_empty(), "{name}: an empty answer"),
        Err(ToolError::Argument(e)) => assert!(
            !e.argument.is_empty() && !e.message.is_empty(),
            "{name}: an argument error that names nothing"
        ),
        Err(e) => {
            let message = e.message();
            assert!(
                message.contains("cookie") || message.contains("TrainingPeaks"),
                "{name}: an unexpected error without a cookie: {message}"
            );
        }
    }
}

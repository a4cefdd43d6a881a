//! tp-mcp: an MCP server that answers questions about an athlete's
//! TrainingPeaks training.
//!
//! Claude Desktop (or any MCP client) launches the `tp-mcp` binary and talks
//! to it over stdio. Map of the crate:
//!
//! - [`server`] — [`TpServer`], rmcp's `ServerHandler`: `initialize`,
//!   `tools/list`, `tools/call` → [`tools::call`].
//! - [`resources`] — `resources/list|read`: the athlete, the PMC as CSV,
//!   workouts by id; [`mcp_app`] — the chart as an MCP App (`ui://`).
//! - [`prompts`] — `prompts/list|get`: coach questions naming the tools.
//! - [`tools`] — the tools, one file each, each a thin adapter:
//!   arguments → [`data`] → `tp-fitness` → text + structured output.
//! - [`data`] — the single data path every tool reads through.
//! - [`athletes`] — which athlete a question is about (a coach's `athlete` argument).
//! - [`context`] — [`ServerContext`]: client, cookie origin, today, demo mode.
//! - [`cookie`] — where the session cookie comes from (`tp-auth`).
//! - [`auth_cli`] — `tp-mcp auth import|status|set|clear`.
//! - [`args`] — argument parsing with errors that name the argument.
//! - [`answer`] — [`ToolAnswer`] / [`ToolError`] → MCP results (`isError`).
//! - [`views`] — structured views of workouts shared by several tools.
//! - [`format`] — units, tables, quoted user text.
//! - [`progress`] — MCP progress notifications for long fetches.
//! - [`logging`] — stderr logs and panic reports, live secrets cut out.
//! - [`cli`] — `tp-mcp tools` and `tp-mcp call`, on the same code path.
//! - [`memory`] — the allocator's settings (one malloc arena on glibc).
//!
//! Invariants: stdout carries only MCP protocol (logs go to stderr); the
//! cookie and token never appear in any output; tools only read.

pub mod answer;
pub mod args;
pub mod athletes;
pub mod auth_cli;
pub mod cli;
pub mod context;
pub mod cookie;
pub mod data;
pub mod format;
#[doc(hidden)]
pub mod fuzzing;
pub mod logging;
pub mod mcp_app;
pub mod memory;
pub mod progress;
pub mod prompts;
pub mod resources;
pub mod server;
pub mod tools;
pub mod views;

pub use answer::{ToolAnswer, ToolError};
pub use context::ServerContext;
pub use server::TpServer;

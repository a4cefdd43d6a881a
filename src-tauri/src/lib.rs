//! tp-tray: the desktop face of tp-mcp — a tray icon that shows whether
//! Claude can read your TrainingPeaks data, and a small fitness chart.
//!
//! Map of the crate:
//!
//! - [`app`] — the Tauri app: tray icon and menu, windows, the background
//!   login check, history sync and streams fill, notifications, start at
//!   login, one instance at a time.
//! - [`commands`] — the Tauri commands the `ui/` windows call.
//! - [`state`] — the tray's state machine (icon look, status lines, when
//!   to notify); pure.
//! - [`history_sync`] — when to sync the history the sidecar reads (after
//!   a wake, every few hours), so Claude's questions find it in the cache;
//!   pure.
//! - [`picker`] — the chart's athlete picker for coach logins: whom the
//!   chart shows; pure.
//! - [`streams_fill`] — when to fill workouts' device files into the cache
//!   (while the computer is idle) and the menu's streams line; pure.
//! - [`idle`] — how long keyboard and mouse have been left alone (one small
//!   call per OS).
//! - [`chart`] — the chart's columns, laid out from `tp-mcp`'s data path and
//!   `tp-fitness`' PMC and projection (the numbers the MCP tools give).
//! - [`race_plan`] — the chart's race day and optimised path, laid out from
//!   the `tp_plan_race` tool's answer; pure.
//! - [`power_curve`] — the chart window's power curve view, laid out from
//!   the `tp_power_curve` and `tp_critical_power` tools' answers; pure.
//! - [`backend`] — the [`tp_mcp::ServerContext`] the tray reads through, the
//!   login check, re-authentication, the history sync, the tools the
//!   chart's race plan and the power curve view ask, the chart's athlete.
//! - [`auth`] — re-authentication in one function (`tp-auth`'s browser import).
//! - [`claude_config`] — Claude Desktop's config path, merge and atomic
//!   write; snippets for Claude Code, Cursor, VS Code; pure.
//! - [`connect`] — "Connect Claude Desktop" with the bundled sidecar's path.
//!
//! The tray computes nothing itself: numbers come from `tp-fitness` through
//! `tp-mcp`'s data path and tools, exactly as the `tp-mcp` sidecar answers
//! Claude.

pub mod app;
pub mod auth;
pub mod backend;
pub mod chart;
pub mod claude_config;
pub mod commands;
pub mod connect;
pub mod history_sync;
pub mod idle;
pub mod picker;
pub mod power_curve;
pub mod race_plan;
pub mod state;
pub mod streams_fill;

pub use app::run;

/// Command-line options.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// `--demo`: the built-in demo athlete (no account, no network).
    pub demo: bool,
    /// `--open-chart`: open the chart window at start.
    pub open_chart: bool,
    /// `--sync-now`: check the login and sync the history now, as after the
    /// computer wakes — in the tp-tray already running, if one is.
    pub sync_now: bool,
}

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cli {
    Run(Options),
    Help,
    Version,
}

pub const USAGE: &str = "\
tp-tray: TrainingPeaks for Claude, in the system tray.

Usage: tp-tray [--demo] [--open-chart] [--sync-now]

  --demo        use the built-in demo athlete (no account, no network)
  --open-chart  open the fitness chart window at start
  --sync-now    check the login and sync the history now, as after the
                computer wakes (the running tp-tray does, if one runs)
  -h, --help    this help
  -V, --version the version

The tray menu shows today's fitness, re-authenticates from your browser,
connects Claude Desktop, and starts the app at login. One tp-tray runs at a
time: starting it again shows the running one's chart window. Logs go to
stderr (RUST_LOG=debug for more).";

/// Parses the arguments (without the program name). Unknown arguments are
/// ignored, so launchers that add their own (WebDriver's `--automation`,
/// the autostart entry) cannot stop the app.
pub fn parse_args<I: IntoIterator<Item = String>>(args: I) -> Cli {
    let mut options = Options::default();
    for arg in args {
        match arg.as_str() {
            "--demo" => options.demo = true,
            "--open-chart" | "--chart" => options.open_chart = true,
            "--sync-now" => options.sync_now = true,
            "-h" | "--help" => return Cli::Help,
            "-V" | "--version" => return Cli::Version,
            other => tracing::debug!("ignoring the argument {other:?}"),
        }
    }
    Cli::Run(options)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Cli {
        parse_args(a.iter().map(|s| s.to_string()))
    }

    #[test]
    fn arguments() {
        assert_eq!(args(&[]), Cli::Run(Options::default()));
        assert_eq!(
            args(&["--demo", "--automation", "--open-chart"]),
            Cli::Run(Options {
                demo: true,
                open_chart: true,
                sync_now: false,
            })
        );
        assert_eq!(
            args(&["--sync-now"]),
            Cli::Run(Options {
                sync_now: true,
                ..Options::default()
            })
        );
        assert_eq!(args(&["--demo", "--help"]), Cli::Help);
        assert_eq!(args(&["-V"]), Cli::Version);
    }
}

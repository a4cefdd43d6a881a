//! The Tauri commands the windows call (`window.__TAURI__.core.invoke`).
//! Each is a thin adapter over [`crate::app`].

use crate::app::{self, Page, TrayStatus};
use crate::chart::ChartData;
use crate::connect::ConnectView;
use crate::power_curve::{PowerCurveView, Range};
use tauri::{AppHandle, Manager};

/// The chart's data (reused for five minutes; loaded when needed).
#[tauri::command]
pub async fn chart_data(app: AppHandle) -> Result<ChartData, String> {
    app::load_chart(&app, false).await.map(|d| (*d).clone())
}

/// Loads the chart's data again now (the window's Refresh button).
#[tauri::command]
pub async fn refresh_chart(app: AppHandle) -> Result<ChartData, String> {
    app::load_chart(&app, true).await.map(|d| (*d).clone())
}

/// The power curve view: `range` is `season` (this season against last)
/// or `90d` (the last 90 days against the 90 before); `refresh` asks the
/// tools again, re-fetching recent days (the window's Refresh button).
/// The first load may fetch device files for up to the tools' time budget.
#[tauri::command]
pub async fn power_curve(
    app: AppHandle,
    range: String,
    refresh: Option<bool>,
) -> Result<PowerCurveView, String> {
    let range = Range::parse(&range)
        .ok_or_else(|| format!("unknown range {range:?}: expected season or 90d"))?;
    app::load_power_curve(&app, range, refresh.unwrap_or(false))
        .await
        .map(|v| (*v).clone())
}

/// The tray's status lines and icon state.
#[tauri::command]
pub fn tray_status(app: AppHandle) -> TrayStatus {
    app::tray_status(&app)
}

/// The last "Connect Claude Desktop" result, or the snippets alone.
#[tauri::command]
pub fn connect_view(app: AppHandle) -> ConnectView {
    let shared = app.state::<app::Shared>();
    let last = shared.last_connect.lock().unwrap().clone();
    last.unwrap_or_else(|| crate::connect::preview(shared.options.demo))
}

/// Connects Claude Desktop (the connect window's button).
#[tauri::command]
pub fn connect_claude_desktop(app: AppHandle) -> ConnectView {
    app::connect_claude_desktop(&app)
}

/// Opens the chart window (from the connect window).
#[tauri::command]
pub fn open_chart(app: AppHandle) {
    app::open_window(&app, Page::Chart);
}

/// The athlete picker (coach logins): shows `athlete` (an id from the
/// chart data's `picker`) and answers with the chart's data for it.
#[tauri::command]
pub async fn select_athlete(app: AppHandle, athlete: i64) -> Result<ChartData, String> {
    app::select_athlete(&app, athlete)
        .await
        .map(|d| (*d).clone())
}

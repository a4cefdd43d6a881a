//! The Tauri app: tray icon and menu, the chart and connect windows (the
//! chart window's fitness and power curve views, its athlete picker), the
//! background login check, the history sync, the idle-time fill of
//! workouts' device files, notifications, start at login, and one instance
//! at a time.
//!
//! Every change of state goes through [`TrayState::apply`] (or, for the
//! streams line, [`FillState`]; for the history sync, [`SyncState`]);
//! [`render`] then shows it (icon, tooltip, menu lines) and tells open
//! windows.
//!
//! The computer waking from sleep is seen by the background loop (the wall
//! clock jumps ahead of the monotonic one, [`state::woke_from_sleep`]).
//! `tp-tray --sync-now` asks for the same (the login checked, the history
//! synced) at once: started while tp-tray runs, it hands the request over
//! and exits. The GUI tests use it to stand for a wake (Xvfb cannot
//! sleep); a system sleep hook or a scheduler may. (Not a signal: WebKit
//! takes `SIGUSR1` for its own threads once a window is open.)

use crate::backend::Backend;
use crate::chart::ChartData;
use crate::connect::ConnectView;
use crate::history_sync::{self, LoginKnown, SyncState, Why};
use crate::power_curve::{PowerCurveView, Range};
use crate::state::{self, Effect, Event, IconKind, Login, TrayState};
use crate::streams_fill::{self, Decision, FillState, Outcome, StopWhy};
use crate::{Cli, Options};
use chrono::Local;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime};
use tauri::image::Image;
use tauri::menu::{CheckMenuItem, Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::{TrayIcon, TrayIconBuilder};
use tauri::{AppHandle, Emitter, Manager, RunEvent, WebviewUrl, WebviewWindowBuilder, Wry};
use tauri_plugin_autostart::{MacosLauncher, ManagerExt as _};
use tauri_plugin_notification::NotificationExt as _;

/// How long loaded chart data is reused before it is loaded again.
const CHART_FRESH_FOR: Duration = Duration::from_secs(300);

/// While streams fill, they are counted again at most this often (each
/// count is a query of the cache, no request).
const COUNT_STREAMS_EVERY: Duration = Duration::from_millis(300);

/// While streams fill, their menu line is logged at most this often.
const LOG_STREAMS_EVERY: Duration = Duration::from_secs(1);

/// A power curve view's athlete ([`Backend::athlete`]) and range.
type PowerKey = (Option<i64>, Range);

/// The app's shared state (managed by Tauri).
pub struct Shared {
    pub options: Options,
    /// `Err` says why the data source could not be set up.
    pub backend: Result<Arc<Backend>, String>,
    pub tray_state: Mutex<TrayState>,
    /// The last chart data, and when it was loaded.
    chart: Mutex<Option<(Arc<ChartData>, Instant)>>,
    /// One load at a time; callers arriving meanwhile reuse its result.
    load_lock: tokio::sync::Mutex<()>,
    /// The power curve views loaded, by athlete (see
    /// [`Backend::athlete`]) and range, and when.
    power_curves: Mutex<HashMap<PowerKey, (Arc<PowerCurveView>, Instant)>>,
    /// One power curve load at a time (each may fetch device files).
    power_lock: tokio::sync::Mutex<()>,
    pub last_connect: Mutex<Option<ConnectView>>,
    ui: OnceLock<TrayUi>,
    /// The icon now shown, so it is only replaced when it changes.
    shown_icon: Mutex<Option<IconKind>>,
    /// The status line last shown (logged when it changes).
    shown_status: Mutex<String>,
    /// The streams fill: counts, the running fill, the last one.
    pub streams: Mutex<FillState>,
    /// The streams line last logged, and when.
    logged_streams: Mutex<(String, Option<Instant>)>,
    /// The history sync: the running one, the last one, a wake pending.
    history: Mutex<SyncState>,
    /// Wakes the history sync's loop (the computer woke).
    history_due: tokio::sync::Notify,
    /// `tp-tray --sync-now` was started: do what a wake does.
    sync_now: tokio::sync::Notify,
}

/// The tray's widgets.
struct TrayUi {
    tray: TrayIcon<Wry>,
    status: MenuItem<Wry>,
    sync: MenuItem<Wry>,
    streams: MenuItem<Wry>,
    reauth: MenuItem<Wry>,
    autostart: CheckMenuItem<Wry>,
}

/// What the windows get with the `tray-state` event and `tray_status`.
#[derive(Debug, Clone, Serialize)]
pub struct TrayStatus {
    pub icon: IconKind,
    pub status_line: String,
    pub sync_line: String,
    /// How complete the cached device files are ("Streams: 412 of 1310 workouts …").
    pub streams_line: String,
    pub demo: bool,
    pub login: state::Login,
}

/// Runs the app (what `main` calls).
pub fn run() {
    init_logging();
    let options = match crate::parse_args(std::env::args().skip(1)) {
        Cli::Run(options) => options,
        Cli::Help => {
            println!("{}", crate::USAGE);
            return;
        }
        Cli::Version => {
            println!("tp-tray {}", env!("CARGO_PKG_VERSION"));
            return;
        }
    };
    let app = tauri::Builder::default()
        // First among the plugins, so a second launch hands over and exits
        // before anything else starts (a second tray icon, a second sync of
        // the same cache, a second notification). The running app shows its
        // chart window: whoever starts the app again is looking for it (on
        // a desktop without a tray, it is the only way in) — unless it was
        // started with --sync-now. Linux: over the D-Bus session bus
        // (without one, every launch runs on its own).
        .plugin(tauri_plugin_single_instance::init(|app, argv, _cwd| {
            handed_over(app, argv)
        }))
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_autostart::init(
            MacosLauncher::LaunchAgent,
            None,
        ))
        .invoke_handler(tauri::generate_handler![
            crate::commands::chart_data,
            crate::commands::refresh_chart,
            crate::commands::power_curve,
            crate::commands::tray_status,
            crate::commands::connect_view,
            crate::commands::connect_claude_desktop,
            crate::commands::open_chart,
            crate::commands::select_athlete,
        ])
        .setup(move |app| {
            setup(app.handle(), options.clone());
            Ok(())
        })
        .build(tauri::generate_context!())
        .unwrap_or_else(|e| {
            eprintln!("tp-tray could not start: {e}");
            std::process::exit(1);
        });
    app.run(|handle, event| {
        if let RunEvent::ExitRequested { api, code, .. } = event {
            // Closing the last window keeps the tray running (Quit exits).
            // Without a tray there is nothing left to show: let it exit.
            if code.is_none() && handle.state::<Shared>().ui.get().is_some() {
                api.prevent_exit();
            }
        }
    });
}

/// A second `tp-tray` was started and handed over its arguments (`argv`,
/// program name first) before exiting: `--sync-now` is done here, else the
/// chart window comes forward.
fn handed_over(app: &AppHandle, argv: Vec<String>) {
    let options = match crate::parse_args(argv.into_iter().skip(1)) {
        Cli::Run(options) => options,
        // (--help and --version never get this far.)
        Cli::Help | Cli::Version => return,
    };
    if options.sync_now {
        tracing::info!("another tp-tray was started with --sync-now: syncing here");
        if let Some(shared) = app.try_state::<Shared>() {
            shared.sync_now.notify_one();
        }
        return;
    }
    tracing::info!("another tp-tray was started: showing the chart window here instead");
    let handle = app.clone();
    let _ = app.run_on_main_thread(move || open_window(&handle, Page::Chart));
}

fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn,tp_tray=info"));
    // The sidecar's writer and panic report: stderr, live secrets cut out.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(tp_mcp::logging::RedactingStderr)
        .try_init();
    tp_mcp::logging::install_panic_hook("tp-tray");
}

fn setup(app: &AppHandle, options: Options) {
    let backend = tauri::async_runtime::block_on(Backend::start(options.demo))
        .map(Arc::new)
        .map_err(|e| e.to_string());
    if let Err(e) = &backend {
        tracing::error!("cannot read training data: {e}");
    }
    app.manage(Shared {
        tray_state: Mutex::new(TrayState::new(options.demo)),
        options: options.clone(),
        backend,
        chart: Mutex::new(None),
        load_lock: tokio::sync::Mutex::new(()),
        power_curves: Mutex::new(HashMap::new()),
        power_lock: tokio::sync::Mutex::new(()),
        last_connect: Mutex::new(None),
        ui: OnceLock::new(),
        shown_icon: Mutex::new(None),
        shown_status: Mutex::new(String::new()),
        streams: Mutex::new(FillState::new()),
        logged_streams: Mutex::new((String::new(), None)),
        history: Mutex::new(SyncState::new(Instant::now())),
        history_due: tokio::sync::Notify::new(),
        sync_now: tokio::sync::Notify::new(),
    });
    if options.sync_now {
        // Once the first check is done, as if the computer had just woken.
        app.state::<Shared>().sync_now.notify_one();
    }

    match build_tray(app) {
        Ok(ui) => {
            let _ = app.state::<Shared>().ui.set(ui);
            tracing::info!("tray icon created");
        }
        Err(e) => tracing::warn!("no tray icon ({e}); the chart window stays the way in"),
    }
    let has_tray = app.state::<Shared>().ui.get().is_some();
    if options.open_chart || !has_tray {
        open_window(app, Page::Chart);
    }
    render(app);

    if let Err(e) = &app.state::<Shared>().backend {
        // Say why in the status line (e.g. a bad ATHLETE_ID).
        dispatch(
            app,
            Event::CheckFinished(state::Login::Unreachable(e.clone())),
        );
        dispatch(app, Event::SyncStarted);
        dispatch(
            app,
            Event::SyncFinished {
                at: Local::now(),
                result: Err(e.clone()),
                stale: None,
            },
        );
    }

    let handle = app.clone();
    tauri::async_runtime::spawn(async move {
        run_check(&handle).await;
        // With no usable login the load would only fail the same way.
        if !handle
            .state::<Shared>()
            .tray_state
            .lock()
            .unwrap()
            .needs_login()
        {
            let _ = load_chart(&handle, false).await;
        }
        tauri::async_runtime::spawn(streams_loop(handle.clone()));
        tauri::async_runtime::spawn(history_loop(handle.clone()));
        background_loop(handle).await;
    });
}

/// The tray icon image for a state.
fn icon_image(kind: IconKind) -> Image<'static> {
    let bytes: &'static [u8] = match kind {
        IconKind::Connected => include_bytes!("../../icons/tray/connected.png"),
        IconKind::Expired => include_bytes!("../../icons/tray/expired.png"),
        IconKind::Syncing => include_bytes!("../../icons/tray/syncing.png"),
    };
    Image::from_bytes(bytes).expect("the tray icons are valid PNGs")
}

fn build_tray(app: &AppHandle) -> Result<TrayUi, String> {
    let st = app.state::<Shared>().tray_state.lock().unwrap().clone();
    let autostart_on = app.autolaunch().is_enabled().unwrap_or(false);
    let e = |e: tauri::Error| e.to_string();
    let status =
        MenuItem::with_id(app, "status", st.status_line(), false, None::<&str>).map_err(e)?;
    let sync = MenuItem::with_id(app, "sync", st.sync_line(Local::now()), false, None::<&str>)
        .map_err(e)?;
    let streams_line = app.state::<Shared>().streams.lock().unwrap().line();
    let streams =
        MenuItem::with_id(app, "streams", streams_line, false, None::<&str>).map_err(e)?;
    let reauth = MenuItem::with_id(
        app,
        "reauth",
        "Re-authenticate from browser",
        true,
        None::<&str>,
    )
    .map_err(e)?;
    let chart =
        MenuItem::with_id(app, "chart", "Open fitness chart", true, None::<&str>).map_err(e)?;
    let connect = MenuItem::with_id(app, "connect", "Connect Claude Desktop", true, None::<&str>)
        .map_err(e)?;
    let autostart = CheckMenuItem::with_id(
        app,
        "autostart",
        "Start at login",
        true,
        autostart_on,
        None::<&str>,
    )
    .map_err(e)?;
    let quit = MenuItem::with_id(app, "quit", "Quit", true, None::<&str>).map_err(e)?;
    let sep = || PredefinedMenuItem::separator(app).map_err(e);
    let menu = Menu::with_items(
        app,
        &[
            &status,
            &sync,
            &streams,
            &sep()?,
            &reauth,
            &chart,
            &connect,
            &sep()?,
            &autostart,
            &sep()?,
            &quit,
        ],
    )
    .map_err(e)?;

    // A missing appindicator library panics inside the tray crate on Linux:
    // the app goes on without a tray rather than dying.
    let builder = TrayIconBuilder::with_id("tp-tray")
        .icon(icon_image(st.icon()))
        .tooltip(st.tooltip())
        .menu(&menu)
        .show_menu_on_left_click(true)
        .on_menu_event(|app, event| on_menu(app, event.id.as_ref()));
    let tray = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| builder.build(app)))
        .map_err(|_| "the system tray library failed to load".to_string())?
        .map_err(e)?;
    *app.state::<Shared>().shown_icon.lock().unwrap() = Some(st.icon());
    Ok(TrayUi {
        tray,
        status,
        sync,
        streams,
        reauth,
        autostart,
    })
}

fn on_menu(app: &AppHandle, id: &str) {
    tracing::info!("menu: {id}");
    match id {
        "reauth" => {
            let app = app.clone();
            tauri::async_runtime::spawn(async move { reauthenticate(&app).await });
        }
        "chart" => open_window(app, Page::Chart),
        "connect" => {
            connect_claude_desktop(app);
            open_window(app, Page::Connect);
        }
        "autostart" => toggle_autostart(app),
        "quit" => app.exit(0),
        _ => {}
    }
}

/// Runs "Connect Claude Desktop", keeps the result for the connect window
/// and says how it went.
pub fn connect_claude_desktop(app: &AppHandle) -> ConnectView {
    let shared = app.state::<Shared>();
    let view = crate::connect::connect_claude_desktop(shared.options.demo);
    tracing::info!("connect Claude Desktop: {}", view.message);
    let title = if view.connected {
        "Claude Desktop connected"
    } else {
        "Claude Desktop not connected"
    };
    notify(app, title, &view.message);
    *shared.last_connect.lock().unwrap() = Some(view.clone());
    let _ = app.emit("connect-result", &view);
    view
}

fn toggle_autostart(app: &AppHandle) {
    let shared = app.state::<Shared>();
    let Some(ui) = shared.ui.get() else { return };
    let want = ui.autostart.is_checked().unwrap_or(false);
    let manager = app.autolaunch();
    // The autostart entry goes in ~/.config/autostart, which the library
    // does not create when ~/.config itself is missing.
    #[cfg(target_os = "linux")]
    if want && let Some(home) = std::env::var_os("HOME") {
        let _ = std::fs::create_dir_all(std::path::Path::new(&home).join(".config/autostart"));
    }
    let result = if want {
        manager.enable()
    } else {
        manager.disable()
    };
    let now = manager.is_enabled().unwrap_or(false);
    let _ = ui.autostart.set_checked(now);
    match result {
        Ok(()) => tracing::info!("start at login: {now}"),
        Err(e) => notify(
            app,
            "Start at login",
            &format!(
                "Could not {} starting at login: {e}",
                if want { "turn on" } else { "turn off" }
            ),
        ),
    }
}

/// The app's windows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    Chart,
    Connect,
}

/// Opens (or brings forward) a window.
pub fn open_window(app: &AppHandle, page: Page) {
    let (label, url, title, size, min) = match page {
        Page::Chart => (
            "chart",
            "index.html",
            "Fitness — tp-mcp",
            (960.0, 600.0),
            (520.0, 360.0),
        ),
        Page::Connect => (
            "connect",
            "connect.html",
            "Connect Claude — tp-mcp",
            (720.0, 640.0),
            (480.0, 400.0),
        ),
    };
    if let Some(window) = app.get_webview_window(label) {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
        return;
    }
    let built = WebviewWindowBuilder::new(app, label, WebviewUrl::App(url.into()))
        .title(title)
        .inner_size(size.0, size.1)
        .min_inner_size(min.0, min.1)
        .build();
    if let Err(e) = built {
        tracing::error!("cannot open the {label} window: {e}");
    }
}

/// Shows a desktop notification (and logs it: without a notification
/// service, the log is where it can be read).
pub fn notify(app: &AppHandle, title: &str, body: &str) {
    tracing::info!("notification: {title}: {body}");
    if let Err(e) = app.notification().builder().title(title).body(body).show() {
        tracing::warn!("cannot show a notification: {e}");
    }
}

/// Applies an event and carries out its effects.
fn dispatch(app: &AppHandle, event: Event) {
    let effects = app
        .state::<Shared>()
        .tray_state
        .lock()
        .unwrap()
        .apply(event);
    render(app);
    for effect in effects {
        match effect {
            Effect::Notify { title, body } => notify(app, &title, &body),
            Effect::RefreshData => {
                let app = app.clone();
                tauri::async_runtime::spawn(async move {
                    let _ = load_chart(&app, true).await;
                });
            }
        }
    }
}

/// The tray's current status.
pub fn tray_status(app: &AppHandle) -> TrayStatus {
    let shared = app.state::<Shared>();
    let st = shared.tray_state.lock().unwrap().clone();
    TrayStatus {
        icon: st.icon(),
        status_line: st.status_line(),
        sync_line: st.sync_line(Local::now()),
        streams_line: shared.streams.lock().unwrap().line(),
        demo: st.demo,
        login: st.login.clone(),
    }
}

/// Shows the state: tray icon, tooltip, menu lines; and tells the windows.
fn render(app: &AppHandle) {
    let shared = app.state::<Shared>();
    let status = tray_status(app);
    {
        let mut shown = shared.shown_status.lock().unwrap();
        if *shown != status.status_line {
            tracing::info!("status: {}", status.status_line);
            shown.clone_from(&status.status_line);
        }
    }
    log_streams_line(&shared, &status.streams_line);
    if let Some(ui) = shared.ui.get() {
        let _ = ui.status.set_text(&status.status_line);
        let _ = ui.sync.set_text(&status.sync_line);
        let _ = ui.streams.set_text(&status.streams_line);
        let reauthenticating = shared.tray_state.lock().unwrap().reauthenticating;
        let _ = ui.reauth.set_enabled(!reauthenticating);
        let _ = ui
            .tray
            .set_tooltip(Some(shared.tray_state.lock().unwrap().tooltip()));
        let mut shown = shared.shown_icon.lock().unwrap();
        if *shown != Some(status.icon) {
            match ui.tray.set_icon(Some(icon_image(status.icon))) {
                Ok(()) => *shown = Some(status.icon),
                Err(e) => tracing::warn!("cannot change the tray icon: {e}"),
            }
        }
    }
    let _ = app.emit("tray-state", &status);
}

/// Logs the streams line when it changes; while filling, at most every
/// [`LOG_STREAMS_EVERY`] (the count moves with every workout).
fn log_streams_line(shared: &Shared, line: &str) {
    let mut logged = shared.logged_streams.lock().unwrap();
    let (last, at) = &*logged;
    if last == line {
        return;
    }
    let filling = |l: &str| l.starts_with("Streams: filling");
    if filling(last) && filling(line) && at.is_some_and(|at| at.elapsed() < LOG_STREAMS_EVERY) {
        return;
    }
    tracing::info!("streams line: {line}");
    *logged = (line.to_string(), Some(Instant::now()));
}

/// Checks the login with TrainingPeaks.
async fn run_check(app: &AppHandle) {
    let backend = match &app.state::<Shared>().backend {
        Ok(b) => b.clone(),
        Err(_) => return,
    };
    let outcome = backend.check().await;
    tracing::info!("login check: {outcome:?}");
    dispatch(app, Event::CheckFinished(outcome));
}

/// The chart data: the last load if fresh (and not `force`), else a new
/// load through the data path (the tray shows "syncing" meanwhile).
pub async fn load_chart(app: &AppHandle, force: bool) -> Result<Arc<ChartData>, String> {
    let shared = app.state::<Shared>();
    let backend = shared.backend.clone()?;
    let requested = Instant::now();
    let _one_at_a_time = shared.load_lock.lock().await;
    if let Some((data, at)) = shared.chart.lock().unwrap().clone() {
        // Loaded while we waited, or fresh enough — of the athlete shown.
        let same_athlete = data.for_athlete == backend.athlete();
        if same_athlete && (at >= requested || (!force && at.elapsed() < CHART_FRESH_FOR)) {
            return Ok(data);
        }
    }
    dispatch(app, Event::SyncStarted);
    let started = Instant::now();
    let result = backend.chart_data().await.map(Arc::new);
    let at = Local::now();
    match &result {
        Ok(data) => {
            tracing::info!(
                "training data loaded: {} days in {} ms{}",
                data.dates.len(),
                started.elapsed().as_millis(),
                if data.not_fresh.is_some() {
                    " (not fresh: from the local history)"
                } else {
                    ""
                }
            );
            *shared.chart.lock().unwrap() = Some((data.clone(), Instant::now()));
            // An athlete who never trained has no numbers, but the sync worked.
            let summary = data.summary().unwrap_or_else(|| state::Summary {
                athlete: data.athlete.clone(),
                ctl: 0.0,
                atl: 0.0,
                tsb: 0.0,
                form: "no training yet".into(),
            });
            let stale = data.not_fresh.as_ref();
            dispatch(
                app,
                Event::SyncFinished {
                    at: stale.and_then(|s| s.last_fetched).unwrap_or(at),
                    result: Ok(summary),
                    stale: stale.map(|s| s.why.clone()),
                },
            );
            let _ = app.emit("chart-updated", ());
            // New workouts may have arrived: they lack their device file.
            count_streams(app, &backend).await;
        }
        Err(e) => {
            tracing::warn!("cannot load training data: {e}");
            dispatch(
                app,
                Event::SyncFinished {
                    at,
                    result: Err(e.clone()),
                    stale: None,
                },
            );
        }
    }
    result
}

/// The power curve view of `range`: the last load if fresh and complete
/// (and not `force`), else the tools asked again. A view with device files
/// still to fetch is never reused: each question fetches more of them.
pub async fn load_power_curve(
    app: &AppHandle,
    range: Range,
    force: bool,
) -> Result<Arc<PowerCurveView>, String> {
    let shared = app.state::<Shared>();
    let backend = shared.backend.clone()?;
    let requested = Instant::now();
    let _one_at_a_time = shared.power_lock.lock().await;
    let key = (backend.athlete(), range);
    let cached = shared.power_curves.lock().unwrap().get(&key).cloned();
    if let Some((view, at)) = cached
        && (at >= requested || (!force && view.complete && at.elapsed() < CHART_FRESH_FOR))
    {
        return Ok(view);
    }
    let started = Instant::now();
    let result = backend.power_curve(range, force).await.map(Arc::new);
    match &result {
        Ok(view) => {
            tracing::info!(
                "power curve loaded: {range:?}, {} durations in {} ms{}",
                view.durations_s.len(),
                started.elapsed().as_millis(),
                if view.complete {
                    ""
                } else {
                    " (device files still to fetch)"
                }
            );
            shared
                .power_curves
                .lock()
                .unwrap()
                .insert(key, (view.clone(), Instant::now()));
        }
        Err(e) => tracing::warn!("cannot load the power curve: {e}"),
    }
    result
}

/// The chart window's athlete picker: shows `athlete` (a coach's) in the
/// chart, the power curve view, the menu's numbers and the streams line;
/// answers with the chart's data.
pub async fn select_athlete(app: &AppHandle, athlete: i64) -> Result<Arc<ChartData>, String> {
    let backend = app.state::<Shared>().backend.clone()?;
    if backend.athlete() != Some(athlete) {
        tracing::info!("athlete picked in the chart window: {athlete}");
        backend.select_athlete(athlete);
    }
    let data = load_chart(app, false).await?;
    let _ = app.emit("athlete-changed", data.for_athlete);
    Ok(data)
}

/// "Re-authenticate from browser".
async fn reauthenticate(app: &AppHandle) {
    let backend = match &app.state::<Shared>().backend {
        Ok(b) => b.clone(),
        Err(e) => {
            notify(app, "Re-authentication failed", e);
            return;
        }
    };
    if app
        .state::<Shared>()
        .tray_state
        .lock()
        .unwrap()
        .reauthenticating
    {
        return;
    }
    dispatch(app, Event::ReauthStarted);
    let result = backend.reauthenticate().await;
    dispatch(app, Event::ReauthFinished(result));
}

/// Checks the login four times a day and after the computer wakes (then
/// the history is synced, see [`history_loop`]), or when asked to
/// (`--sync-now`); keeps the "last sync" line current.
async fn background_loop(app: AppHandle) {
    let mut last_check = SystemTime::now();
    loop {
        let (wall, mono) = (SystemTime::now(), Instant::now());
        let shared = app.state::<Shared>();
        let asked = tokio::select! {
            _ = tokio::time::sleep(state::TICK) => false,
            () = shared.sync_now.notified() => true,
        };
        let slept = state::woke_from_sleep(wall.elapsed().unwrap_or_default(), mono.elapsed());
        let woke = slept || asked;
        let since = last_check.elapsed().unwrap_or(Duration::MAX);
        if state::check_due(since, woke) {
            if slept {
                tracing::info!("the computer woke up: checking the login");
            } else if asked {
                tracing::info!("asked to sync now (tp-tray --sync-now): checking the login");
            }
            if woke {
                shared.streams.lock().unwrap().woke();
            }
            last_check = SystemTime::now();
            run_check(&app).await;
            if woke {
                // The history sync reloads the chart when it is done.
                shared.history.lock().unwrap().woke(slept);
                shared.history_due.notify_one();
            }
        }
        render(&app);
    }
}

/// Syncs the history the sidecar reads into the cache when
/// [`history_sync`] says it is due (after a wake, shortly after start,
/// every 3 hours; backing off after failures; never with a login known to
/// be unusable), then reloads the chart from it.
async fn history_loop(app: AppHandle) {
    let Ok(backend) = app.state::<Shared>().backend.clone() else {
        return;
    };
    loop {
        let login = match app.state::<Shared>().tray_state.lock().unwrap().login {
            Login::Valid | Login::Unreachable(_) => LoginKnown::Usable,
            Login::Expired | Login::Missing => LoginKnown::Unusable,
            Login::Unknown => LoginKnown::Unknown,
        };
        let why = app
            .state::<Shared>()
            .history
            .lock()
            .unwrap()
            .decide(Instant::now(), login);
        if let Some(why) = why {
            sync_history(&app, &backend, why).await;
        }
        let shared = app.state::<Shared>();
        let _ = tokio::time::timeout(history_sync::POLL_EVERY, shared.history_due.notified()).await;
    }
}

/// One history sync, logged; then the chart (and the menu's numbers) from
/// what it fetched.
async fn sync_history(app: &AppHandle, backend: &Backend, why: Why) {
    app.state::<Shared>().history.lock().unwrap().started();
    tracing::info!("history sync: starting ({})", why.describe());
    let started = Instant::now();
    let result = backend.sync_history().await;
    let secs = started.elapsed().as_secs_f64();
    let ok = result.is_ok();
    match &result {
        Ok(done) if done.no_cache => {
            tracing::info!("history sync: the cache is off; nothing to keep warm")
        }
        Ok(done) => tracing::info!(
            "history sync: done in {secs:.1} s: {} workout windows fetched, {} workouts stored{}",
            done.windows,
            done.workouts,
            if done.athletes > 1 {
                format!(" ({} athletes)", done.athletes)
            } else {
                String::new()
            }
        ),
        Err(e) => {
            let shared = app.state::<Shared>();
            let failures = shared.history.lock().unwrap().failures() + 1;
            tracing::warn!(
                "history sync: failed after {secs:.1} s ({failures} in a row; next try in {} min): {e}",
                history_sync::backoff(failures).as_secs() / 60
            );
        }
    }
    app.state::<Shared>()
        .history
        .lock()
        .unwrap()
        .finished(Instant::now(), ok);
    // After a wake or hours: the menu's numbers and the chart are old.
    // (After start, the chart loaded moments ago is reused.)
    let _ = load_chart(app, why != Why::Start).await;
    if !ok {
        // An expired login shows in the icon; an outage in the sync line.
        run_check(app).await;
    }
}

/// Fills workouts' device files into the cache while the computer is idle
/// ([`streams_fill`] has the rules), for as long as the app runs.
async fn streams_loop(app: AppHandle) {
    let Ok(backend) = app.state::<Shared>().backend.clone() else {
        return;
    };
    let idle_after =
        streams_fill::idle_after(std::env::var(streams_fill::IDLE_ENV).ok().as_deref());
    match current_idle(&app).await {
        Some(_) => tracing::info!(
            "streams: filled once keyboard and mouse are left alone for {} s",
            idle_after.as_secs()
        ),
        None => tracing::info!(
            "streams: this desktop does not tell how long it has been idle; filling slowly ({} s every {} min)",
            streams_fill::BLIND_SLICE.as_secs(),
            streams_fill::BLIND_PAUSE.as_secs() / 60
        ),
    }
    count_streams(&app, &backend).await;
    loop {
        let idle = current_idle(&app).await;
        let login_valid = app.state::<Shared>().tray_state.lock().unwrap().login == Login::Valid;
        let decision = app.state::<Shared>().streams.lock().unwrap().decide(
            Instant::now(),
            idle,
            idle_after,
            login_valid,
        );
        if decision == Decision::Start {
            fill_streams(&app, &backend, idle_after).await;
        }
        tokio::time::sleep(streams_fill::poll_every(idle_after, false)).await;
    }
}

/// Time since the last keyboard or mouse input (`None`: unknown), asked on
/// the main thread: Xlib is thread-safe only when `XInitThreads` ran
/// first, which the tray cannot ensure, so our X connection is used on the
/// thread GTK uses its own on. (One round trip to the X server.)
async fn current_idle(app: &AppHandle) -> Option<Duration> {
    let (answer, idle) = tokio::sync::oneshot::channel();
    app.run_on_main_thread(move || {
        let _ = answer.send(crate::idle::idle_time());
    })
    .ok()?;
    idle.await.ok().flatten()
}

/// Asks the running fill to stop (after the workout in hand) when the
/// policy says so: the user is back, or a blind slice is over.
async fn stop_fill_if_due(app: &AppHandle, cancel: &AtomicBool, idle_after: Duration) {
    let idle = current_idle(app).await;
    // (The login does not matter to a running fill: it fails on its own.)
    let decision = app.state::<Shared>().streams.lock().unwrap().decide(
        Instant::now(),
        idle,
        idle_after,
        true,
    );
    let Decision::Stop(why) = decision else {
        return;
    };
    if cancel.swap(true, Ordering::Relaxed) {
        return; // asked already
    }
    let why = match why {
        StopWhy::UserBack => "the user is back",
        StopWhy::SliceOver => "the slice is over (idle time unknown)",
    };
    tracing::info!("streams: {why}; stopping after the workout in hand");
}

/// Counts the cached device files (no request) and shows the count.
async fn count_streams(app: &AppHandle, backend: &Backend) {
    match backend.stream_completeness().await {
        Ok(coverage) => app
            .state::<Shared>()
            .streams
            .lock()
            .unwrap()
            .counted(coverage),
        // E.g. no login yet to say whose cache it is: counted later.
        Err(e) => tracing::debug!("cannot count the stored streams: {e}"),
    }
    render(app);
}

/// One fill: runs the core's backfill, counting as it goes and looking at
/// the idle time every few seconds; cancels it (after the workout in hand)
/// when the user is back. Errors are logged and shown in the menu line.
async fn fill_streams(app: &AppHandle, backend: &Backend, idle_after: Duration) {
    let shared = app.state::<Shared>();
    shared.streams.lock().unwrap().started(Instant::now());
    render(app);
    tracing::info!("streams: filling device files while the computer is idle");
    let started = Instant::now();
    let cancel = AtomicBool::new(false);
    let (stepped, mut steps) = tokio::sync::watch::channel(());
    let progress = move |_done: usize, _total: usize| {
        stepped.send_replace(());
    };
    let fill = backend.backfill_streams(&cancel, &progress);
    tokio::pin!(fill);
    let mut poll = tokio::time::interval(streams_fill::poll_every(idle_after, true));
    let mut counted_at = Instant::now();
    let result = loop {
        tokio::select! {
            result = &mut fill => break result,
            Ok(()) = steps.changed() => {
                if counted_at.elapsed() >= COUNT_STREAMS_EVERY {
                    count_streams(app, backend).await;
                    counted_at = Instant::now();
                }
            }
            _ = poll.tick() => stop_fill_if_due(app, &cancel, idle_after).await,
        }
    };
    let cancelled = cancel.load(Ordering::Relaxed);
    let mut stored = 0;
    let (outcome, coverage) = match result {
        Ok(None) => (Outcome::NoCache, None),
        Ok(Some((report, coverage))) => {
            stored = report.stored;
            tracing::info!(
                "streams: fill ended after {:.0} s: {} stored, {} without a file, {} unreadable, {} failed, {} left{}",
                started.elapsed().as_secs_f64(),
                report.stored,
                report.no_file,
                report.unreadable,
                report.failed,
                report.left,
                report
                    .stopped
                    .as_deref()
                    .map(|why| format!(" ({why})"))
                    .unwrap_or_default()
            );
            let outcome = Outcome::of_report(&report, cancelled);
            if let (Outcome::Failed(_), Some(why)) = (&outcome, &report.stopped) {
                tracing::warn!("streams: the fill stopped: {why}");
            }
            (outcome, Some(coverage))
        }
        Err(e) => {
            tracing::warn!("streams: the fill failed: {e}");
            let why = streams_fill::short_reason(&e.to_string());
            (Outcome::Failed(why), None)
        }
    };
    let failed = matches!(outcome, Outcome::Failed(_));
    shared
        .streams
        .lock()
        .unwrap()
        .finished(Instant::now(), outcome, coverage);
    if coverage.is_none() {
        count_streams(app, backend).await;
    }
    render(app);
    if stored > 0 {
        // The power curve view grows with them.
        let _ = app.emit("streams-updated", stored);
    }
    if failed {
        // An expired login shows in the icon; an outage in the sync line.
        run_check(app).await;
    }
}

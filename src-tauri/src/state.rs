//! The tray's state machine: what the icon shows, what the status lines
//! say, and when to notify — pure, so it is tested without a GUI.
//!
//! Events come from the background check ([`Event::CheckFinished`]), data
//! refreshes ([`Event::SyncStarted`]/[`Event::SyncFinished`]) and the
//! re-authenticate menu item ([`Event::ReauthStarted`]/[`Event::ReauthFinished`]).
//! [`TrayState::apply`] returns the [`Effect`]s the app carries out
//! (notifications, a data refresh). The icon has three looks
//! ([`IconKind`]): connected, login expired or missing, busy syncing.

use chrono::{DateTime, Local};
use serde::Serialize;
use std::time::Duration;

/// What TrainingPeaks said of the login at the last check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "detail", rename_all = "snake_case")]
pub enum Login {
    /// Not checked yet.
    Unknown,
    /// TrainingPeaks issued a token for the cookie.
    Valid,
    /// TrainingPeaks refused the cookie: it expired or was signed out.
    Expired,
    /// No cookie anywhere (environment, keychain).
    Missing,
    /// TrainingPeaks could not be reached; the login's validity is not known.
    Unreachable(String),
}

/// The outcome of one validity check.
pub type CheckOutcome = Login;

/// Today's numbers for the status line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub athlete: String,
    pub ctl: f64,
    pub atl: f64,
    pub tsb: f64,
    /// e.g. "Tired (optimal loading)".
    pub form: String,
}

/// Something that happened.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    CheckFinished(CheckOutcome),
    SyncStarted,
    /// A data load ended. `at`: when the data was fetched from
    /// TrainingPeaks; `stale`: why it came from the local history instead
    /// (then `at` is when it was last fetched).
    SyncFinished {
        at: DateTime<Local>,
        result: Result<Summary, String>,
        stale: Option<String>,
    },
    ReauthStarted,
    /// `Ok` names the browser the login came from.
    ReauthFinished(Result<String, String>),
}

/// What the app should do about an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    Notify {
        title: String,
        body: String,
    },
    /// Load the data again (the login changed).
    RefreshData,
}

/// The tray icon's look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IconKind {
    Connected,
    /// Cookie expired or missing.
    Expired,
    Syncing,
}

/// Everything the tray shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrayState {
    pub demo: bool,
    pub login: Login,
    /// Data loads under way.
    pub syncing: u32,
    pub reauthenticating: bool,
    pub summary: Option<Summary>,
    pub last_sync: Option<DateTime<Local>>,
    /// The last data load failed with this.
    pub sync_error: Option<String>,
    /// The user was told the login is unusable, and not since told it works.
    expiry_notified: bool,
}

impl TrayState {
    pub fn new(demo: bool) -> TrayState {
        TrayState {
            demo,
            login: Login::Unknown,
            syncing: 0,
            reauthenticating: false,
            summary: None,
            last_sync: None,
            sync_error: None,
            expiry_notified: false,
        }
    }

    /// True when the login is known to be unusable.
    pub fn needs_login(&self) -> bool {
        matches!(self.login, Login::Expired | Login::Missing)
    }

    /// Applies `event`, returning what to do about it.
    pub fn apply(&mut self, event: Event) -> Vec<Effect> {
        let mut effects = Vec::new();
        match event {
            Event::CheckFinished(outcome) => {
                match outcome {
                    // Unreachable says nothing about the login: keep what we knew.
                    Login::Unreachable(why) => {
                        if !self.needs_login() {
                            self.login = Login::Unreachable(why);
                        }
                    }
                    other => self.login = other,
                }
                if self.needs_login() && !self.expiry_notified {
                    effects.push(self.expiry_notice());
                    self.expiry_notified = true;
                }
                if !self.needs_login() {
                    if self.expiry_notified {
                        // Fixed outside the tray (e.g. `tp-mcp auth import`).
                        effects.push(Effect::RefreshData);
                    }
                    self.expiry_notified = false;
                }
            }
            Event::SyncStarted => self.syncing += 1,
            Event::SyncFinished { at, result, stale } => {
                self.syncing = self.syncing.saturating_sub(1);
                match result {
                    Ok(summary) => {
                        self.summary = Some(summary);
                        self.last_sync = Some(at);
                        // Numbers from the cache: shown, with why they are not fresh.
                        let fresh = stale.is_none();
                        self.sync_error = stale;
                        if fresh && matches!(self.login, Login::Unknown | Login::Unreachable(_)) {
                            self.login = Login::Valid;
                        }
                    }
                    Err(e) => self.sync_error = Some(e),
                }
            }
            Event::ReauthStarted => self.reauthenticating = true,
            Event::ReauthFinished(result) => {
                self.reauthenticating = false;
                match result {
                    Ok(browser) => {
                        self.login = Login::Valid;
                        self.expiry_notified = false;
                        effects.push(Effect::Notify {
                            title: "Signed in to TrainingPeaks".into(),
                            body: format!(
                                "Your login was taken from {browser}, checked with TrainingPeaks and saved in the system keychain. Claude's TrainingPeaks tools use it from now on."
                            ),
                        });
                        effects.push(Effect::RefreshData);
                    }
                    Err(why) => effects.push(Effect::Notify {
                        title: "Re-authentication failed".into(),
                        body: why,
                    }),
                }
            }
        }
        effects
    }

    fn expiry_notice(&self) -> Effect {
        let (title, lead) = match self.login {
            Login::Missing => (
                "No TrainingPeaks login",
                "No TrainingPeaks login was found on this computer.",
            ),
            _ => (
                "TrainingPeaks login expired",
                "TrainingPeaks no longer accepts the saved login.",
            ),
        };
        Effect::Notify {
            title: title.into(),
            body: format!(
                "{lead} Log in at app.trainingpeaks.com in your browser, then choose \"Re-authenticate from browser\" in the tray menu."
            ),
        }
    }

    /// The icon's look: busy wins, then an unusable login, else connected.
    pub fn icon(&self) -> IconKind {
        if self.syncing > 0 || self.reauthenticating || self.login == Login::Unknown {
            IconKind::Syncing
        } else if self.needs_login() {
            IconKind::Expired
        } else {
            IconKind::Connected
        }
    }

    /// The first status line: who, and today's numbers.
    pub fn status_line(&self) -> String {
        let prefix = if self.demo { "Demo · " } else { "" };
        match (&self.summary, &self.login) {
            (_, Login::Missing) => "Not signed in to TrainingPeaks".into(),
            (_, Login::Expired) => "TrainingPeaks login expired".into(),
            (Some(s), _) => format!(
                "{prefix}{} · CTL {:.0} · ATL {:.0} · TSB {} · {}",
                s.athlete,
                s.ctl,
                s.atl,
                signed(s.tsb),
                s.form
            ),
            (None, _) => match &self.sync_error {
                Some(e) if self.syncing == 0 => {
                    format!("Could not load your training: {}", first_line(e))
                }
                _ => format!("{prefix}Loading your training…"),
            },
        }
    }

    /// The second status line: the last sync, and trouble if any.
    pub fn sync_line(&self, now: DateTime<Local>) -> String {
        let mut line = match self.last_sync {
            Some(at) => format!("Last sync {}", when(at, now)),
            None if self.syncing > 0 => "Syncing…".to_string(),
            None => "Not synced yet".to_string(),
        };
        if self.syncing > 0 && self.last_sync.is_some() {
            line.push_str(" · syncing…");
        }
        if let Login::Unreachable(_) = self.login {
            line.push_str(" · TrainingPeaks unreachable");
        } else if self.sync_error.is_some() && self.summary.is_some() {
            line.push_str(" · last refresh failed");
        }
        line
    }

    /// The tray icon's tooltip.
    pub fn tooltip(&self) -> String {
        let what = match self.icon() {
            IconKind::Connected => "connected",
            IconKind::Expired => "login needed",
            IconKind::Syncing => "syncing",
        };
        format!("tp-mcp: {what}\n{}", self.status_line())
    }
}

/// `+5.2` / `−10.4` (a real minus sign), one decimal.
pub fn signed(x: f64) -> String {
    let r = (x * 10.0).round() / 10.0;
    if r > 0.0 {
        format!("+{r:.1}")
    } else if r < 0.0 {
        format!("\u{2212}{:.1}", -r)
    } else {
        "0.0".into()
    }
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or("")
}

/// "just now", "at 14:05", "yesterday at 14:05", "on 2026-11-20".
fn when(at: DateTime<Local>, now: DateTime<Local>) -> String {
    let age = now.signed_duration_since(at);
    if age < chrono::TimeDelta::minutes(1) {
        "just now".into()
    } else if at.date_naive() == now.date_naive() {
        format!("at {}", at.format("%H:%M"))
    } else if now.date_naive().pred_opt() == Some(at.date_naive()) {
        format!("yesterday at {}", at.format("%H:%M"))
    } else {
        format!("on {}", at.format("%Y-%m-%d"))
    }
}

/// How often the background check runs (four times a day).
pub const CHECK_EVERY: Duration = Duration::from_secs(6 * 3600);

/// How often the background loop wakes to look at the clocks.
pub const TICK: Duration = Duration::from_secs(60);

/// True when the computer slept between two ticks: the wall clock moved on
/// much more than the monotonic clock, which stands still during sleep.
pub fn woke_from_sleep(wall_elapsed: Duration, monotonic_elapsed: Duration) -> bool {
    wall_elapsed > monotonic_elapsed + Duration::from_secs(120)
}

/// True when a validity check is due: every [`CHECK_EVERY`], and on wake.
pub fn check_due(since_last_check: Duration, woke: bool) -> bool {
    woke || since_last_check >= CHECK_EVERY
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(h: u32, m: u32) -> DateTime<Local> {
        Local.with_ymd_and_hms(2026, 11, 24, h, m, 0).unwrap()
    }

    fn summary() -> Summary {
        Summary {
            athlete: "Alex Demo".into(),
            ctl: 70.24,
            atl: 80.6,
            tsb: -10.36,
            form: "Tired (optimal loading)".into(),
        }
    }

    fn notifications(effects: &[Effect]) -> Vec<&str> {
        effects
            .iter()
            .filter_map(|e| match e {
                Effect::Notify { title, .. } => Some(title.as_str()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn starts_busy_then_connected_after_a_good_check_and_sync() {
        let mut s = TrayState::new(false);
        assert_eq!(s.icon(), IconKind::Syncing);
        assert_eq!(s.status_line(), "Loading your training…");
        assert!(s.apply(Event::CheckFinished(Login::Valid)).is_empty());
        s.apply(Event::SyncStarted);
        assert_eq!(s.icon(), IconKind::Syncing);
        assert_eq!(s.sync_line(t(9, 0)), "Syncing…");
        let effects = s.apply(Event::SyncFinished {
            at: t(9, 0),
            result: Ok(summary()),
            stale: None,
        });
        assert!(effects.is_empty());
        assert_eq!(s.icon(), IconKind::Connected);
        assert_eq!(
            s.status_line(),
            "Alex Demo · CTL 70 · ATL 81 · TSB \u{2212}10.4 · Tired (optimal loading)"
        );
        assert_eq!(s.sync_line(t(9, 0)), "Last sync just now");
        assert_eq!(s.sync_line(t(14, 30)), "Last sync at 09:00");
        assert!(s.tooltip().starts_with("tp-mcp: connected\n"));
    }

    #[test]
    fn expiry_changes_the_icon_and_notifies_once() {
        let mut s = TrayState::new(false);
        s.apply(Event::CheckFinished(Login::Valid));
        let effects = s.apply(Event::CheckFinished(Login::Expired));
        assert_eq!(notifications(&effects), ["TrainingPeaks login expired"]);
        assert!(
            matches!(&effects[0], Effect::Notify { body, .. } if body.contains("Re-authenticate from browser"))
        );
        assert_eq!(s.icon(), IconKind::Expired);
        assert_eq!(s.status_line(), "TrainingPeaks login expired");
        // The next checks (four a day) do not nag again.
        assert!(s.apply(Event::CheckFinished(Login::Expired)).is_empty());
        // An unreachable TrainingPeaks does not hide the expiry.
        assert!(
            s.apply(Event::CheckFinished(Login::Unreachable("offline".into())))
                .is_empty()
        );
        assert_eq!(s.icon(), IconKind::Expired);
    }

    #[test]
    fn missing_cookie_at_start_notifies() {
        let mut s = TrayState::new(false);
        let effects = s.apply(Event::CheckFinished(Login::Missing));
        assert_eq!(notifications(&effects), ["No TrainingPeaks login"]);
        assert_eq!(s.icon(), IconKind::Expired);
        assert_eq!(s.status_line(), "Not signed in to TrainingPeaks");
    }

    #[test]
    fn reauth_shows_busy_then_reports_the_browser_and_refreshes() {
        let mut s = TrayState::new(false);
        s.apply(Event::CheckFinished(Login::Expired));
        s.apply(Event::ReauthStarted);
        assert_eq!(s.icon(), IconKind::Syncing);
        let effects = s.apply(Event::ReauthFinished(
            Ok("Firefox (profile default)".into()),
        ));
        assert_eq!(notifications(&effects), ["Signed in to TrainingPeaks"]);
        assert!(
            matches!(&effects[0], Effect::Notify { body, .. } if body.contains("Firefox (profile default)"))
        );
        assert!(effects.contains(&Effect::RefreshData));
        assert_eq!(s.icon(), IconKind::Connected);
        // Expiring again notifies again.
        let effects = s.apply(Event::CheckFinished(Login::Expired));
        assert_eq!(notifications(&effects), ["TrainingPeaks login expired"]);
    }

    #[test]
    fn failed_reauth_says_why_and_keeps_the_expired_look() {
        let mut s = TrayState::new(false);
        s.apply(Event::CheckFinished(Login::Expired));
        s.apply(Event::ReauthStarted);
        let effects = s.apply(Event::ReauthFinished(Err(
            "No usable TrainingPeaks login was found".into(),
        )));
        assert_eq!(
            effects,
            [Effect::Notify {
                title: "Re-authentication failed".into(),
                body: "No usable TrainingPeaks login was found".into()
            }]
        );
        assert_eq!(s.icon(), IconKind::Expired);
    }

    #[test]
    fn login_fixed_elsewhere_refreshes_the_data() {
        let mut s = TrayState::new(false);
        s.apply(Event::CheckFinished(Login::Expired));
        let effects = s.apply(Event::CheckFinished(Login::Valid));
        assert_eq!(effects, [Effect::RefreshData]);
        assert_eq!(s.icon(), IconKind::Connected);
    }

    #[test]
    fn unreachable_and_failed_syncs_keep_the_last_numbers() {
        let mut s = TrayState::new(true);
        s.apply(Event::SyncStarted);
        s.apply(Event::SyncFinished {
            at: t(8, 0),
            result: Ok(summary()),
            stale: None,
        });
        s.apply(Event::CheckFinished(Login::Unreachable("timed out".into())));
        assert_eq!(s.icon(), IconKind::Connected);
        assert!(s.status_line().starts_with("Demo · Alex Demo · CTL 70"));
        assert_eq!(
            s.sync_line(t(9, 0)),
            "Last sync at 08:00 · TrainingPeaks unreachable"
        );
        s.apply(Event::CheckFinished(Login::Valid));
        s.apply(Event::SyncStarted);
        assert_eq!(s.sync_line(t(9, 0)), "Last sync at 08:00 · syncing…");
        s.apply(Event::SyncFinished {
            at: t(9, 0),
            result: Err("HTTP 503".into()),
            stale: None,
        });
        assert_eq!(
            s.sync_line(t(9, 1)),
            "Last sync at 08:00 · last refresh failed"
        );
        assert!(s.status_line().contains("CTL 70"));
        assert_eq!(s.syncing, 0);
    }

    #[test]
    fn numbers_from_the_cache_are_shown_with_when_they_were_fetched() {
        // Started during an outage: the first load comes from the cache.
        let mut s = TrayState::new(false);
        s.apply(Event::SyncStarted);
        s.apply(Event::SyncFinished {
            at: t(7, 30),
            result: Ok(summary()),
            stale: Some("HTTP 503 from TrainingPeaks".into()),
        });
        assert!(
            s.status_line().starts_with("Alex Demo · CTL 70"),
            "{}",
            s.status_line()
        );
        assert_eq!(
            s.sync_line(t(9, 0)),
            "Last sync at 07:30 · last refresh failed"
        );
        assert_eq!(
            s.login,
            Login::Unknown,
            "the cache says nothing about the login"
        );
        assert_eq!(s.sync_error.as_deref(), Some("HTTP 503 from TrainingPeaks"));
        // TrainingPeaks back: fresh again.
        s.apply(Event::SyncStarted);
        s.apply(Event::SyncFinished {
            at: t(9, 5),
            result: Ok(summary()),
            stale: None,
        });
        assert_eq!(s.sync_line(t(9, 5)), "Last sync just now");
        assert_eq!(s.login, Login::Valid);
    }

    #[test]
    fn first_sync_failure_is_shown() {
        let mut s = TrayState::new(false);
        s.apply(Event::CheckFinished(Login::Valid));
        s.apply(Event::SyncStarted);
        s.apply(Event::SyncFinished {
            at: t(8, 0),
            result: Err("HTTP 500\nmore".into()),
            stale: None,
        });
        assert_eq!(s.status_line(), "Could not load your training: HTTP 500");
        assert_eq!(s.sync_line(t(8, 0)), "Not synced yet");
    }

    #[test]
    fn signed_numbers_and_dates() {
        assert_eq!(signed(5.04), "+5.0");
        assert_eq!(signed(-0.04), "0.0");
        assert_eq!(signed(-12.34), "\u{2212}12.3");
        let yesterday = Local.with_ymd_and_hms(2026, 11, 23, 22, 15, 0).unwrap();
        assert_eq!(when(yesterday, t(9, 0)), "yesterday at 22:15");
        let older = Local.with_ymd_and_hms(2026, 11, 2, 22, 15, 0).unwrap();
        assert_eq!(when(older, t(9, 0)), "on 2026-11-02");
    }

    #[test]
    fn checks_run_four_times_a_day_and_on_wake() {
        let min = Duration::from_secs(60);
        assert!(!check_due(Duration::from_secs(3600), false));
        assert!(check_due(CHECK_EVERY, false));
        assert!(check_due(min, true));
        // A normal tick: both clocks moved about a minute.
        assert!(!woke_from_sleep(min + Duration::from_secs(2), min));
        // The lid was closed for an hour: the wall clock jumped.
        assert!(woke_from_sleep(Duration::from_secs(3660), min));
    }
}

//! Filling the local cache with every workout's device file (its
//! second-by-second "streams") while the computer is idle, and the menu
//! line that says how complete they are — pure, so it is tested without a
//! GUI or a clock.
//!
//! Why: a whole history of device files is thousands of downloads at a
//! polite pace (`tp-mcp sync --streams` does it by hand). The tray does it
//! in the background, only while nobody uses the computer, so it never
//! competes with the user for the network or the CPU, and Claude's stream
//! questions are then answered from the cache.
//!
//! [`FillState`] remembers the last fill and the current counts;
//! [`FillState::decide`] is the policy ([`Decision`]); [`FillState::line`]
//! the menu text. `app` does the IO: it asks [`crate::idle::idle_time`],
//! runs `ServerContext::backfill_streams` with a cancel flag, and counts
//! with `stream_completeness` (no request).
//!
//! The rules, in order:
//! - **While a fill runs**, it is stopped (after the workout in hand) as soon
//!   as the user is back: idle less than the idle threshold. When idle time
//!   cannot be known (see [`crate::idle`]), it is stopped after
//!   [`BLIND_SLICE`] instead.
//! - **A fill starts** only with a login TrainingPeaks accepted, when the
//!   user has been idle for the threshold ([`DEFAULT_IDLE_AFTER`], or
//!   `TP_TRAY_IDLE_SECS`) and:
//!   - not within [`FAILURE_BACKOFF`] of a failed fill (an outage, an
//!     expired login, a cache error);
//!   - after a complete fill, only when [`REFILL_EVERY`] has passed, the
//!     computer woke from sleep, or more workouts lack their file than the
//!     last fill left (new or changed workouts arrived with a sync);
//!   - with idle time unknown, not within [`BLIND_PAUSE`] of the last
//!     slice: filling slowly, a slice now and then, rather than never.
//!
//! A fill that was stopped goes on where it stopped (the core's backfill is
//! resumable), so stopping costs nothing but time.

use std::time::{Duration, Instant};
use tp_store::{FillReport, StreamCoverage};

/// How long without keyboard or mouse counts as idle, by default.
pub const DEFAULT_IDLE_AFTER: Duration = Duration::from_secs(5 * 60);

/// The environment variable that overrides [`DEFAULT_IDLE_AFTER`] (whole
/// seconds; tests use a few).
pub const IDLE_ENV: &str = "TP_TRAY_IDLE_SECS";

/// A complete fill is run again after this long (edits, re-uploads).
pub const REFILL_EVERY: Duration = Duration::from_secs(4 * 3600);

/// After a failed fill, the next waits this long.
pub const FAILURE_BACKOFF: Duration = Duration::from_secs(30 * 60);

/// With idle time unknown: fill for this long…
pub const BLIND_SLICE: Duration = Duration::from_secs(60);

/// …then pause this long.
pub const BLIND_PAUSE: Duration = Duration::from_secs(15 * 60);

/// The idle threshold: `TP_TRAY_IDLE_SECS` when it is a whole number of
/// seconds, else [`DEFAULT_IDLE_AFTER`].
pub fn idle_after(env_value: Option<&str>) -> Duration {
    env_value
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs)
        .unwrap_or(DEFAULT_IDLE_AFTER)
}

/// How often to look at the idle time: every few seconds while a fill
/// runs (the user gets the computer back quickly), less often otherwise;
/// never slower than a quarter of the threshold, so a short threshold (in
/// tests) is noticed in time.
pub fn poll_every(idle_after: Duration, running: bool) -> Duration {
    let (floor, ceiling) = if running {
        (Duration::from_millis(500), Duration::from_secs(3))
    } else {
        (Duration::from_millis(500), Duration::from_secs(30))
    };
    (idle_after / 4).clamp(floor, ceiling)
}

/// How a fill ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Every workout that needed its file was asked for (single failures
    /// are asked again by the next fill).
    Complete,
    /// Stopped by the tray: the user came back, or a blind slice ended.
    Stopped,
    /// TrainingPeaks could not be asked (outage, login refused) or the
    /// cache failed; a short reason for the menu.
    Failed(String),
    /// The cache is off: there is nowhere to keep streams.
    NoCache,
}

impl Outcome {
    /// How a fill that returned `report` ended; `cancelled`: the tray asked
    /// it to stop.
    pub fn of_report(report: &FillReport, cancelled: bool) -> Outcome {
        match &report.stopped {
            None => Outcome::Complete,
            // The only other early stop without a deadline is an outage or
            // a refused login (the core stops at the first one).
            Some(_) if cancelled => Outcome::Stopped,
            Some(why) => Outcome::Failed(short_reason(why)),
        }
    }
}

/// What to do now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Start a fill.
    Start,
    /// Cancel the running fill.
    Stop(StopWhy),
    /// Nothing (let the running fill go on, or keep waiting).
    Wait,
}

/// Why a running fill is stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopWhy {
    /// The user touched keyboard or mouse.
    UserBack,
    /// Idle time is unknown and the slice is over.
    SliceOver,
}

/// The last fill: how it ended, when, and how many workouts still lacked
/// their file then.
#[derive(Debug, Clone, PartialEq)]
struct LastFill {
    outcome: Outcome,
    at: Instant,
    missing_after: Option<usize>,
}

/// The fill's state: counts, the running fill, the last one.
#[derive(Debug, Clone, Default)]
pub struct FillState {
    /// The last count (`None`: not counted yet).
    coverage: Option<StreamCoverage>,
    /// When the running fill started.
    running_since: Option<Instant>,
    last: Option<LastFill>,
    /// The computer woke since the last fill started.
    woke: bool,
    /// The cache is off: no fill, ever.
    cache_off: bool,
}

impl FillState {
    pub fn new() -> FillState {
        FillState::default()
    }

    pub fn is_running(&self) -> bool {
        self.running_since.is_some()
    }

    /// The policy (see the module doc). `idle`: time since the last input,
    /// `None` when unknown; `login_valid`: TrainingPeaks accepted the login
    /// at the last check.
    pub fn decide(
        &self,
        now: Instant,
        idle: Option<Duration>,
        idle_after: Duration,
        login_valid: bool,
    ) -> Decision {
        let user_active = idle.is_some_and(|i| i < idle_after);
        if let Some(since) = self.running_since {
            return if user_active {
                Decision::Stop(StopWhy::UserBack)
            } else if idle.is_none() && now.saturating_duration_since(since) >= BLIND_SLICE {
                Decision::Stop(StopWhy::SliceOver)
            } else {
                Decision::Wait
            };
        }
        if !login_valid || user_active || self.cache_off {
            return Decision::Wait;
        }
        let Some(last) = &self.last else {
            return Decision::Start;
        };
        let since = now.saturating_duration_since(last.at);
        let due = match &last.outcome {
            Outcome::NoCache => false, // nowhere to keep them
            Outcome::Failed(_) => since >= FAILURE_BACKOFF,
            Outcome::Stopped => idle.is_some() || since >= BLIND_PAUSE,
            Outcome::Complete => {
                let more_missing = match (self.coverage, last.missing_after) {
                    (Some(c), Some(before)) => c.missing > before,
                    _ => false,
                };
                since >= REFILL_EVERY || self.woke || more_missing
            }
        };
        if due { Decision::Start } else { Decision::Wait }
    }

    /// A fill started.
    pub fn started(&mut self, now: Instant) {
        self.running_since = Some(now);
        self.woke = false;
    }

    /// A new count (`None`: the cache is off).
    pub fn counted(&mut self, coverage: Option<StreamCoverage>) {
        self.coverage = coverage;
        self.cache_off = coverage.is_none();
    }

    /// The running fill ended; `coverage`: the count it ended with, if any.
    pub fn finished(&mut self, now: Instant, outcome: Outcome, coverage: Option<StreamCoverage>) {
        self.running_since = None;
        if let Some(c) = coverage {
            self.coverage = Some(c);
        }
        if outcome == Outcome::NoCache {
            self.counted(None);
        }
        self.last = Some(LastFill {
            outcome,
            at: now,
            missing_after: self.coverage.map(|c| c.missing),
        });
    }

    /// The computer woke from sleep: a complete fill may run again.
    pub fn woke(&mut self) {
        self.woke = true;
    }

    /// The menu line.
    pub fn line(&self) -> String {
        if self.cache_off {
            return "Streams: not kept (no local cache)".into();
        }
        if self.is_running() {
            // Until the fill has synced the history, there is nothing to count.
            return match self.coverage {
                Some(c) if c.workouts > 0 => {
                    format!("Streams: filling… {} of {}", c.stored, c.workouts)
                }
                _ => "Streams: filling…".into(),
            };
        }
        if let Some(LastFill {
            outcome: Outcome::Failed(why),
            ..
        }) = &self.last
        {
            return format!("Streams: last fill failed — {why}");
        }
        let Some(c) = self.coverage else {
            return "Streams: not counted yet".into();
        };
        if c.workouts == 0 {
            // The count is of the cached workouts: before a first fill (which
            // syncs the whole history) none may be cached yet.
            return match self.last {
                Some(LastFill {
                    outcome: Outcome::Complete,
                    ..
                }) => "Streams: no workouts yet".into(),
                _ => "Streams: not filled yet".into(),
            };
        }
        if c.stored == c.workouts {
            return format!("Streams: all {} workouts", c.workouts);
        }
        let mut without = Vec::new();
        if c.no_file > 0 {
            without.push(format!("{} entered by hand", c.no_file));
        }
        if c.unreadable > 0 {
            without.push(format!("{} unreadable", c.unreadable));
        }
        let without = if without.is_empty() {
            String::new()
        } else {
            format!(" ({})", without.join(", "))
        };
        let counts = format!("{} of {} workouts{without}", c.stored, c.workouts);
        if c.missing == 0 {
            format!("Streams: complete — {counts}")
        } else {
            format!("Streams: {counts}")
        }
    }
}

/// A reason short enough for a menu: its first line, at most
/// [`REASON_CHARS`] characters.
pub fn short_reason(why: &str) -> String {
    let line = why.lines().next().unwrap_or("").trim();
    if line.chars().count() <= REASON_CHARS {
        return line.to_string();
    }
    let cut: String = line.chars().take(REASON_CHARS - 1).collect();
    format!("{}…", cut.trim_end())
}

/// The longest reason shown in the menu.
pub const REASON_CHARS: usize = 60;

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: Duration = Duration::from_secs(60);
    const IDLE_AFTER: Duration = Duration::from_secs(5 * 60);
    const IDLE: Option<Duration> = Some(Duration::from_secs(10 * 60));
    const ACTIVE: Option<Duration> = Some(Duration::from_secs(2));

    /// A base instant with room before it.
    fn t0() -> Instant {
        Instant::now() + Duration::from_secs(3600)
    }

    fn coverage(workouts: usize, stored: usize, no_file: usize, missing: usize) -> StreamCoverage {
        StreamCoverage {
            workouts,
            stored,
            no_file,
            unreadable: workouts - stored - no_file - missing,
            missing,
        }
    }

    /// A state whose last fill ended with `outcome` at `t0`.
    fn after(outcome: Outcome, t0: Instant, c: StreamCoverage) -> FillState {
        let mut s = FillState::new();
        s.counted(Some(c));
        s.started(t0 - MIN);
        s.finished(t0, outcome, Some(c));
        s
    }

    #[test]
    fn the_threshold_comes_from_the_environment_or_is_five_minutes() {
        assert_eq!(idle_after(None), DEFAULT_IDLE_AFTER);
        assert_eq!(idle_after(Some("3")), Duration::from_secs(3));
        assert_eq!(idle_after(Some(" 600 ")), Duration::from_secs(600));
        assert_eq!(idle_after(Some("soon")), DEFAULT_IDLE_AFTER);
        assert_eq!(idle_after(Some("-1")), DEFAULT_IDLE_AFTER);
    }

    #[test]
    fn idle_is_looked_at_every_few_seconds_while_filling() {
        assert_eq!(poll_every(IDLE_AFTER, true), Duration::from_secs(3));
        assert_eq!(poll_every(IDLE_AFTER, false), Duration::from_secs(30));
        assert_eq!(
            poll_every(Duration::from_secs(3), false),
            Duration::from_millis(750)
        );
        assert_eq!(
            poll_every(Duration::from_secs(1), true),
            Duration::from_millis(500)
        );
    }

    #[test]
    fn a_first_fill_starts_once_idle_with_a_valid_login() {
        let s = FillState::new();
        let now = t0();
        assert_eq!(s.decide(now, IDLE, IDLE_AFTER, true), Decision::Start);
        assert_eq!(s.decide(now, ACTIVE, IDLE_AFTER, true), Decision::Wait);
        // Idle just short of the threshold is not idle yet.
        let almost = Some(IDLE_AFTER - Duration::from_secs(1));
        assert_eq!(s.decide(now, almost, IDLE_AFTER, true), Decision::Wait);
        assert_eq!(
            s.decide(now, Some(IDLE_AFTER), IDLE_AFTER, true),
            Decision::Start
        );
    }

    #[test]
    fn no_fill_without_a_valid_login() {
        let s = FillState::new();
        assert_eq!(
            s.decide(Instant::now(), IDLE, IDLE_AFTER, false),
            Decision::Wait
        );
        assert_eq!(
            s.decide(Instant::now(), None, IDLE_AFTER, false),
            Decision::Wait
        );
    }

    #[test]
    fn a_running_fill_stops_when_the_user_comes_back() {
        let mut s = FillState::new();
        let t0 = t0();
        s.started(t0);
        assert!(s.is_running());
        assert_eq!(
            s.decide(t0 + MIN, IDLE, IDLE_AFTER, true),
            Decision::Wait,
            "goes on while idle"
        );
        assert_eq!(
            s.decide(t0 + 30 * MIN, IDLE, IDLE_AFTER, true),
            Decision::Wait,
            "however long it takes"
        );
        assert_eq!(
            s.decide(t0 + MIN, ACTIVE, IDLE_AFTER, true),
            Decision::Stop(StopWhy::UserBack)
        );
        // Stopped: it starts again (where it stopped) once idle again.
        s.finished(t0 + MIN, Outcome::Stopped, Some(coverage(100, 40, 5, 55)));
        assert!(!s.is_running());
        assert_eq!(
            s.decide(t0 + 2 * MIN, ACTIVE, IDLE_AFTER, true),
            Decision::Wait
        );
        assert_eq!(
            s.decide(t0 + 2 * MIN, IDLE, IDLE_AFTER, true),
            Decision::Start
        );
    }

    #[test]
    fn with_idle_unknown_it_fills_in_slices() {
        let mut s = FillState::new();
        let t0 = t0();
        assert_eq!(s.decide(t0, None, IDLE_AFTER, true), Decision::Start);
        s.started(t0);
        assert_eq!(
            s.decide(t0 + BLIND_SLICE / 2, None, IDLE_AFTER, true),
            Decision::Wait
        );
        let end = t0 + BLIND_SLICE;
        assert_eq!(
            s.decide(end, None, IDLE_AFTER, true),
            Decision::Stop(StopWhy::SliceOver)
        );
        s.finished(end, Outcome::Stopped, Some(coverage(100, 40, 5, 55)));
        assert_eq!(s.decide(end + MIN, None, IDLE_AFTER, true), Decision::Wait);
        assert_eq!(
            s.decide(end + BLIND_PAUSE, None, IDLE_AFTER, true),
            Decision::Start
        );
    }

    #[test]
    fn a_complete_fill_runs_again_after_hours_on_wake_or_for_new_workouts() {
        let t0 = t0();
        let done = coverage(100, 90, 10, 0);
        let s = after(Outcome::Complete, t0, done);
        assert_eq!(
            s.decide(t0 + 10 * MIN, IDLE, IDLE_AFTER, true),
            Decision::Wait
        );
        assert_eq!(
            s.decide(t0 + REFILL_EVERY - MIN, IDLE, IDLE_AFTER, true),
            Decision::Wait
        );
        assert_eq!(
            s.decide(t0 + REFILL_EVERY, IDLE, IDLE_AFTER, true),
            Decision::Start
        );
        // … but only when idle.
        assert_eq!(
            s.decide(t0 + REFILL_EVERY, ACTIVE, IDLE_AFTER, true),
            Decision::Wait
        );

        let mut woke = s.clone();
        woke.woke();
        assert_eq!(
            woke.decide(t0 + 10 * MIN, IDLE, IDLE_AFTER, true),
            Decision::Start
        );
        woke.started(t0 + 10 * MIN);
        woke.finished(t0 + 11 * MIN, Outcome::Complete, Some(done));
        assert_eq!(
            woke.decide(t0 + 12 * MIN, IDLE, IDLE_AFTER, true),
            Decision::Wait,
            "one wake, one fill"
        );

        let mut synced = s.clone();
        synced.counted(Some(coverage(102, 90, 10, 2)));
        assert_eq!(
            synced.decide(t0 + 10 * MIN, IDLE, IDLE_AFTER, true),
            Decision::Start
        );
    }

    #[test]
    fn single_failures_left_by_a_complete_fill_do_not_start_another() {
        // Two files failed (a 404, say): they are missing, but no more than
        // the fill left, so they wait for the next regular fill.
        let t0 = t0();
        let mut s = after(Outcome::Complete, t0, coverage(100, 88, 10, 2));
        s.counted(Some(coverage(100, 88, 10, 2)));
        assert_eq!(
            s.decide(t0 + 10 * MIN, IDLE, IDLE_AFTER, true),
            Decision::Wait
        );
    }

    #[test]
    fn a_failure_backs_off_half_an_hour() {
        let t0 = t0();
        let s = after(
            Outcome::Failed("HTTP 503".into()),
            t0,
            coverage(100, 40, 5, 55),
        );
        assert_eq!(
            s.decide(t0 + FAILURE_BACKOFF - MIN, IDLE, IDLE_AFTER, true),
            Decision::Wait
        );
        assert_eq!(
            s.decide(t0 + FAILURE_BACKOFF, IDLE, IDLE_AFTER, true),
            Decision::Start
        );
        // Also when idle time is unknown, and even after a wake.
        let mut woke = s.clone();
        woke.woke();
        assert_eq!(
            woke.decide(t0 + 10 * MIN, None, IDLE_AFTER, true),
            Decision::Wait
        );
    }

    #[test]
    fn no_cache_means_never() {
        let mut s = FillState::new();
        s.counted(None);
        let later = Instant::now() + 100 * REFILL_EVERY;
        assert_eq!(s.decide(later, IDLE, IDLE_AFTER, true), Decision::Wait);
        assert_eq!(s.line(), "Streams: not kept (no local cache)");
        let mut s = FillState::new();
        s.started(Instant::now());
        s.finished(Instant::now(), Outcome::NoCache, None);
        assert_eq!(s.decide(later, IDLE, IDLE_AFTER, true), Decision::Wait);
        assert_eq!(s.line(), "Streams: not kept (no local cache)");
    }

    #[test]
    fn how_a_fill_ended() {
        let done = FillReport {
            needed: 3,
            stored: 2,
            no_file: 1,
            ..FillReport::default()
        };
        assert_eq!(Outcome::of_report(&done, false), Outcome::Complete);
        // Cancelled after the last workout: nothing was left, so complete.
        assert_eq!(Outcome::of_report(&done, true), Outcome::Complete);
        let stopped = FillReport {
            needed: 3,
            stored: 1,
            left: 2,
            stopped: Some("stopped on request".into()),
            ..FillReport::default()
        };
        assert_eq!(Outcome::of_report(&stopped, true), Outcome::Stopped);
        let outage = FillReport {
            needed: 3,
            failed: 1,
            left: 2,
            stopped: Some("TrainingPeaks answered HTTP 503 (server error)\ntry later".into()),
            ..FillReport::default()
        };
        assert_eq!(
            Outcome::of_report(&outage, false),
            Outcome::Failed("TrainingPeaks answered HTTP 503 (server error)".into())
        );
    }

    #[test]
    fn reasons_are_cut_for_the_menu() {
        assert_eq!(short_reason("HTTP 503\nmore"), "HTTP 503");
        let long = "x".repeat(100);
        let cut = short_reason(&long);
        assert_eq!(cut.chars().count(), REASON_CHARS);
        assert!(cut.ends_with('…'));
        assert_eq!(short_reason(""), "");
    }

    #[test]
    fn menu_lines() {
        let mut s = FillState::new();
        assert_eq!(s.line(), "Streams: not counted yet");
        // Nothing cached yet: the first fill syncs the history first.
        s.counted(Some(coverage(0, 0, 0, 0)));
        assert_eq!(s.line(), "Streams: not filled yet");
        let t0 = t0();
        s.started(t0 - 2 * MIN);
        assert_eq!(s.line(), "Streams: filling…");
        s.finished(t0 - MIN, Outcome::Complete, Some(coverage(0, 0, 0, 0)));
        assert_eq!(s.line(), "Streams: no workouts yet");
        s.counted(Some(coverage(1310, 412, 73, 825)));
        assert_eq!(
            s.line(),
            "Streams: 412 of 1310 workouts (73 entered by hand)"
        );
        s.started(t0);
        assert_eq!(s.line(), "Streams: filling… 412 of 1310");
        s.counted(Some(coverage(1310, 413, 73, 824)));
        assert_eq!(s.line(), "Streams: filling… 413 of 1310");
        s.finished(
            t0 + MIN,
            Outcome::Stopped,
            Some(coverage(1310, 500, 73, 737)),
        );
        assert_eq!(
            s.line(),
            "Streams: 500 of 1310 workouts (73 entered by hand)"
        );
        s.started(t0 + 2 * MIN);
        s.finished(
            t0 + 3 * MIN,
            Outcome::Failed("HTTP 503 from TrainingPeaks".into()),
            Some(coverage(1310, 510, 73, 727)),
        );
        assert_eq!(
            s.line(),
            "Streams: last fill failed — HTTP 503 from TrainingPeaks"
        );
        s.started(t0 + 40 * MIN);
        assert_eq!(
            s.line(),
            "Streams: filling… 510 of 1310",
            "a new fill hides the old failure"
        );
        s.finished(
            t0 + 50 * MIN,
            Outcome::Complete,
            Some(coverage(1310, 1235, 73, 0)),
        );
        assert_eq!(
            s.line(),
            "Streams: complete — 1235 of 1310 workouts (73 entered by hand, 2 unreadable)"
        );
        s.counted(Some(coverage(1310, 1310, 0, 0)));
        assert_eq!(s.line(), "Streams: all 1310 workouts");
        s.counted(Some(coverage(1311, 1310, 0, 1)));
        assert_eq!(s.line(), "Streams: 1310 of 1311 workouts");
    }
}

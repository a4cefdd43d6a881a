//! Keeping the local history warm, so Claude's first question of the day
//! is answered from the cache — pure, so it is tested without a GUI or a
//! clock.
//!
//! Why: the `tp-mcp` sidecar fetches from TrainingPeaks whatever its cache
//! lacks or holds stale, at a polite pace. After a night asleep, the first
//! question would wait for that. The tray syncs the same history the
//! sidecar reads (`Backend::sync_history`: `tp-mcp sync`'s backfill, the
//! PMC history with the planned calendar, the 60 days of health metrics
//! `tp_get_fitness` reads for readiness, the coming year's events and the
//! focus event `tp_plan_race` plans toward, the profile and settings), into
//! the same store, so the sidecar finds it there. (The sidecar still
//! re-checks the last two weeks once they are older than its
//! `TP_MCP_STALE_SECS`, 5 minutes by default: a question soon after a sync
//! costs nothing, a later one only that re-check.)
//!
//! [`SyncState::decide`] is the policy; `app` does the IO. The rules:
//! - **Never with a login known to be unusable** (expired or missing) or
//!   not checked yet: it could only fail. TrainingPeaks unreachable at the
//!   last check is not a reason to skip — right after a wake the network
//!   often is not up yet; a failed sync backs off and tries again.
//! - **One at a time.**
//! - **After the computer wakes** (or when asked, `tp-tray --sync-now`):
//!   at once, whatever the backoff said — the failure is from before.
//! - **Shortly after start** ([`START_DELAY`]): the tray starts with the
//!   desktop, which is busy then; the chart's own load has synced the PMC.
//! - **Every [`SYNC_EVERY`]** after a sync that worked (awake time: the
//!   monotonic clock stands still in sleep, and a wake syncs anyway).
//! - **After a failure**, [`FIRST_BACKOFF`], doubling with each failure in
//!   a row, at most [`SYNC_EVERY`].

use std::time::{Duration, Instant};

/// How often the history is synced while the computer is awake.
pub const SYNC_EVERY: Duration = Duration::from_secs(3 * 3600);

/// How long after start the first sync waits.
pub const START_DELAY: Duration = Duration::from_secs(2 * 60);

/// The wait after a first failure (doubled after each further one).
pub const FIRST_BACKOFF: Duration = Duration::from_secs(5 * 60);

/// How often the loop looks whether a sync is due.
pub const POLL_EVERY: Duration = Duration::from_secs(30);

/// Why a sync runs (for the log).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    /// The first since the app started.
    Start,
    /// The computer woke from sleep.
    Woke,
    /// Asked for (`tp-tray --sync-now`).
    Asked,
    /// [`SYNC_EVERY`] passed since the last good sync.
    Every,
    /// A failed sync is tried again.
    Retry,
}

impl Why {
    pub fn describe(self) -> &'static str {
        match self {
            Why::Start => "after start",
            Why::Woke => "the computer woke up",
            Why::Asked => "asked with tp-tray --sync-now",
            Why::Every => "every 3 hours",
            Why::Retry => "trying again after a failure",
        }
    }
}

/// What the login is known to be, as far as syncing cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginKnown {
    /// Accepted at the last check, or TrainingPeaks could not be asked.
    Usable,
    /// Expired or missing: a sync could only fail.
    Unusable,
    /// Not checked yet.
    Unknown,
}

/// The last sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Last {
    at: Instant,
    ok: bool,
}

/// The sync's state: when the app started, the running sync, the last one.
#[derive(Debug, Clone)]
pub struct SyncState {
    started_app: Instant,
    running: bool,
    last: Option<Last>,
    /// Failed syncs in a row.
    failures: u32,
    /// The computer woke (or a sync was asked for) since the last sync
    /// started: why.
    woke: Option<Why>,
}

impl SyncState {
    /// `now`: when the app started.
    pub fn new(now: Instant) -> SyncState {
        SyncState {
            started_app: now,
            running: false,
            last: None,
            failures: 0,
            woke: None,
        }
    }

    pub fn is_running(&self) -> bool {
        self.running
    }

    /// Failed syncs in a row.
    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// The policy (see the module doc): `Some(why)` when a sync is due now.
    pub fn decide(&self, now: Instant, login: LoginKnown) -> Option<Why> {
        if self.running || login != LoginKnown::Usable {
            return None;
        }
        if let Some(why) = self.woke {
            return Some(why);
        }
        match self.last {
            None => (now.saturating_duration_since(self.started_app) >= START_DELAY)
                .then_some(Why::Start),
            Some(Last { at, ok: true }) => {
                (now.saturating_duration_since(at) >= SYNC_EVERY).then_some(Why::Every)
            }
            Some(Last { at, ok: false }) => {
                (now.saturating_duration_since(at) >= backoff(self.failures)).then_some(Why::Retry)
            }
        }
    }

    /// The computer woke from sleep (`slept`), or a sync was asked for: a
    /// sync is due (with a usable login).
    pub fn woke(&mut self, slept: bool) {
        self.woke = Some(if slept { Why::Woke } else { Why::Asked });
    }

    /// A sync started.
    pub fn started(&mut self) {
        self.running = true;
        self.woke = None;
    }

    /// The running sync ended.
    pub fn finished(&mut self, now: Instant, ok: bool) {
        self.running = false;
        self.failures = if ok { 0 } else { self.failures + 1 };
        self.last = Some(Last { at: now, ok });
    }
}

/// The wait after `failures` failed syncs in a row: [`FIRST_BACKOFF`],
/// doubled with each further one, at most [`SYNC_EVERY`].
pub fn backoff(failures: u32) -> Duration {
    let doublings = failures.saturating_sub(1).min(16);
    FIRST_BACKOFF.saturating_mul(1 << doublings).min(SYNC_EVERY)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: Duration = Duration::from_secs(60);

    fn t0() -> Instant {
        Instant::now()
    }

    #[test]
    fn the_first_sync_waits_for_the_start_delay_and_a_usable_login() {
        let t = t0();
        let s = SyncState::new(t);
        assert_eq!(s.decide(t, LoginKnown::Usable), None);
        assert_eq!(s.decide(t + MIN, LoginKnown::Usable), None);
        assert_eq!(
            s.decide(t + START_DELAY, LoginKnown::Usable),
            Some(Why::Start)
        );
        assert_eq!(s.decide(t + START_DELAY, LoginKnown::Unknown), None);
        assert_eq!(s.decide(t + START_DELAY, LoginKnown::Unusable), None);
    }

    #[test]
    fn a_good_sync_runs_again_every_three_hours_one_at_a_time() {
        let t = t0();
        let mut s = SyncState::new(t);
        s.started();
        assert!(s.is_running());
        assert_eq!(s.decide(t + SYNC_EVERY * 2, LoginKnown::Usable), None);
        let done = t + START_DELAY;
        s.finished(done, true);
        assert_eq!(
            s.decide(done + Duration::from_secs(2 * 3600), LoginKnown::Usable),
            None
        );
        assert_eq!(s.decide(done + SYNC_EVERY - MIN, LoginKnown::Usable), None);
        assert_eq!(
            s.decide(done + SYNC_EVERY, LoginKnown::Usable),
            Some(Why::Every)
        );
        // An expired login is never synced, however long it has been.
        assert_eq!(s.decide(done + SYNC_EVERY * 5, LoginKnown::Unusable), None);
    }

    #[test]
    fn waking_syncs_at_once_but_not_with_an_unusable_login() {
        let t = t0();
        let mut s = SyncState::new(t);
        s.started();
        s.finished(t, true);
        s.woke(true);
        assert_eq!(s.decide(t + MIN, LoginKnown::Usable), Some(Why::Woke));
        // Login expired: nothing; the wake is kept for when it is fixed.
        assert_eq!(s.decide(t + MIN, LoginKnown::Unusable), None);
        assert_eq!(s.decide(t + 2 * MIN, LoginKnown::Usable), Some(Why::Woke));
        s.started();
        s.finished(t + 3 * MIN, true);
        assert_eq!(s.decide(t + 4 * MIN, LoginKnown::Usable), None);
        // Before the start delay too; asked for (`--sync-now`) alike.
        let mut fresh = SyncState::new(t);
        fresh.woke(false);
        assert_eq!(fresh.decide(t, LoginKnown::Usable), Some(Why::Asked));
    }

    #[test]
    fn failures_back_off_doubling_up_to_the_period_and_a_wake_cuts_it_short() {
        assert_eq!(backoff(1), FIRST_BACKOFF);
        assert_eq!(backoff(2), FIRST_BACKOFF * 2);
        assert_eq!(backoff(3), FIRST_BACKOFF * 4);
        assert_eq!(backoff(6), Duration::from_secs(160 * 60));
        assert_eq!(backoff(7), SYNC_EVERY, "320 min, capped at 3 h");
        assert_eq!(backoff(1000), SYNC_EVERY);

        let t = t0();
        let mut s = SyncState::new(t);
        let mut at = t;
        for n in 1..=4u32 {
            s.started();
            s.finished(at, false);
            assert_eq!(s.failures(), n);
            let wait = backoff(n);
            assert_eq!(
                s.decide(at + wait - Duration::from_secs(1), LoginKnown::Usable),
                None
            );
            assert_eq!(s.decide(at + wait, LoginKnown::Usable), Some(Why::Retry));
            at += wait;
        }
        // Woken meanwhile: at once.
        s.woke(true);
        assert_eq!(s.decide(at + MIN, LoginKnown::Usable), Some(Why::Woke));
        // A success resets the count.
        s.started();
        s.finished(at + MIN, true);
        assert_eq!(s.failures(), 0);
        assert_eq!(s.decide(at + 2 * MIN, LoginKnown::Usable), None);
    }
}

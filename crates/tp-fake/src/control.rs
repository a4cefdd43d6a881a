//! [`FakeControl`]: the handle tests (and the `/_fake/` admin routes) use to
//! flip fault switches, read counters and change the served data while the
//! server runs. Cheap to clone; every clone drives the same server.

use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError, RwLock};
use std::time::{Duration, Instant};

use chrono::NaiveDate;

use crate::athlete::DemoAthlete;
use crate::auth::{Login, TokenStore};
use crate::coach::{self, COACHED_ATHLETE_IDS};
use crate::config::FakeConfig;
use crate::faults::{Action, Endpoint, FaultState, RequestCounts};
use crate::workout::FakeWorkout;

/// One of the coach's athletes, generated on first request.
#[derive(Debug)]
struct CoachedSlot {
    id: i64,
    athlete: OnceLock<Arc<DemoAthlete>>,
}

#[derive(Debug)]
struct Shared {
    /// Replaced copy-on-write on data changes, so a request in flight keeps
    /// the snapshot it started with.
    athlete: RwLock<Arc<DemoAthlete>>,
    /// The coach's athletes, in [`COACHED_ATHLETE_IDS`] order.
    coached: Vec<CoachedSlot>,
    /// What the coached athletes are generated from.
    seed: u64,
    today: NaiveDate,
    faults: Mutex<FaultState>,
    counts: Mutex<RequestCounts>,
    tokens: Mutex<TokenStore>,
}

/// Fault switches, counters and data of one running fake.
#[derive(Debug, Clone)]
pub struct FakeControl {
    shared: Arc<Shared>,
}

/// A poisoned lock only means another request panicked; the data is still
/// usable, and a test double should keep answering.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl FakeControl {
    /// Generates the athlete for `config` and sets the initial switches.
    pub(crate) fn new(config: &FakeConfig) -> FakeControl {
        let athlete = if config.new_account {
            DemoAthlete::new_account(config.seed, config.today)
        } else {
            DemoAthlete::new(config.seed, config.today)
        };
        let mut faults = FaultState::default();
        faults.latency = config.latency;
        let coached = COACHED_ATHLETE_IDS
            .iter()
            .map(|&id| CoachedSlot {
                id,
                athlete: OnceLock::new(),
            })
            .collect();
        let tokens = TokenStore::new(
            config.cookie.clone(),
            config.coach_cookie.clone(),
            config.token_ttl,
        );
        FakeControl {
            shared: Arc::new(Shared {
                athlete: RwLock::new(Arc::new(athlete)),
                coached,
                seed: config.seed,
                today: config.today,
                faults: Mutex::new(faults),
                counts: Mutex::new(RequestCounts::default()),
                tokens: Mutex::new(tokens),
            }),
        }
    }

    /// Every bearer token issued so far (for leak audits).
    pub fn issued_tokens(&self) -> Vec<String> {
        lock(&self.shared.tokens).issued_tokens()
    }

    /// Every bearer token issued so far becomes invalid (401 on use), the
    /// coach's as well as the demo athlete's.
    pub fn expire_tokens(&self) {
        lock(&self.shared.tokens).expire_all();
    }

    /// The token exchange refuses every cookie (401), the coach's as well,
    /// until [`accept_cookie`](Self::accept_cookie) (the demo athlete's
    /// login) or [`accept_coach_cookie`](Self::accept_coach_cookie).
    pub fn revoke_cookie(&self) {
        let mut tokens = lock(&self.shared.tokens);
        tokens.set_cookie(Login::Athlete, None);
        tokens.set_cookie(Login::Coach, None);
    }

    /// The token exchange accepts this cookie value (and only this one) for
    /// the demo athlete's login; the coach's cookie is left as it is.
    pub fn accept_cookie(&self, cookie: impl Into<String>) {
        lock(&self.shared.tokens).set_cookie(Login::Athlete, Some(cookie.into()));
    }

    /// The token exchange accepts this cookie value (and only this one) for
    /// the coach's login; the demo athlete's cookie is left as it is.
    pub fn accept_coach_cookie(&self, cookie: impl Into<String>) {
        lock(&self.shared.tokens).set_cookie(Login::Coach, Some(cookie.into()));
    }

    /// Lifetime of tokens issued from now on.
    pub fn set_token_ttl(&self, ttl: Duration) {
        lock(&self.shared.tokens).ttl = ttl;
    }

    /// The next `n` API requests answer `status` with a small non-JSON body
    /// (replaces any pending global failures; `n = 0` clears).
    pub fn fail_next(&self, n: u32, status: u16) {
        lock(&self.shared.faults).fail_next(n, status);
    }

    /// Like [`fail_next`](Self::fail_next) for requests to one endpoint only;
    /// these are consumed before global failures.
    pub fn fail_next_on(&self, endpoint: Endpoint, n: u32, status: u16) {
        lock(&self.shared.faults).fail_next_on(endpoint, n, status);
    }

    /// `Retry-After` seconds sent with every 429 (injected or rate limit);
    /// `None` sends no header.
    pub fn set_retry_after(&self, seconds: Option<u64>) {
        lock(&self.shared.faults).retry_after = seconds;
    }

    /// The next `n` API responses: status 200 with a truncated JSON body.
    pub fn malformed_next(&self, n: u32) {
        lock(&self.shared.faults).malformed_next(n);
    }

    /// The next `n` API responses: status 200 and headers sent, part of the
    /// body, then the connection is dropped.
    pub fn drop_next(&self, n: u32) {
        lock(&self.shared.faults).drop_next(n);
    }

    /// Delay added to every API request before it is answered.
    pub fn set_latency(&self, latency: Duration) {
        lock(&self.shared.faults).latency = latency;
    }

    /// Answer 429 to an API request arriving less than `interval` after the
    /// last request let through; `None` switches the limiter off.
    pub fn set_rate_limit(&self, interval: Option<Duration>) {
        lock(&self.shared.faults).rate_limit = interval;
    }

    /// Whether the token exchange is exempt from the rate limit (default:
    /// it counts like any request).
    pub fn set_rate_limit_skips_token(&self, skips: bool) {
        lock(&self.shared.faults).rate_limit_skips_token = skips;
    }

    /// What the device-file endpoints serve from now on (every workout).
    pub fn set_device_file_mode(&self, mode: crate::device::DeviceFileMode) {
        lock(&self.shared.faults).device_files = mode;
    }

    pub(crate) fn device_file_mode(&self) -> crate::device::DeviceFileMode {
        lock(&self.shared.faults).device_files
    }

    /// The workout's device file is uploaded again: a new file id.
    pub fn reupload(&self, workout_id: i64) -> bool {
        self.change_athlete(|a| a.reupload(workout_id))
    }

    /// Clears every pending fault, latency, rate limit and `Retry-After`.
    pub fn reset_faults(&self) {
        *lock(&self.shared.faults) = FaultState::default();
    }

    /// A snapshot of the counters.
    pub fn counts(&self) -> RequestCounts {
        lock(&self.shared.counts).clone()
    }

    pub fn reset_counts(&self) {
        *lock(&self.shared.counts) = RequestCounts::default();
    }

    /// One of the coach's athletes ([`COACHED_ATHLETE_IDS`]); `None` for
    /// any other id. The first call generates them (tens of milliseconds:
    /// call it off the async threads) and starts deriving their records
    /// in the background — on one thread, and only once the demo athlete's
    /// are derived — so the demo athlete's answers are not slowed.
    pub fn coached_athlete(&self, athlete_id: i64) -> Option<Arc<DemoAthlete>> {
        let slot = self.shared.coached.iter().find(|s| s.id == athlete_id)?;
        let athlete = slot.athlete.get_or_init(|| {
            let athlete = coach::generate(self.shared.seed, self.shared.today, athlete_id)
                .expect("a coached athlete's id");
            let athlete = Arc::new(athlete);
            let (mine, demo) = (athlete.clone(), self.athlete());
            std::thread::spawn(move || {
                demo.records();
                mine.records();
            });
            tracing::info!(athlete_id, "coached athlete generated");
            athlete
        });
        Some(athlete.clone())
    }

    /// Whether a coached athlete has been generated (asked about) yet.
    pub fn coached_generated(&self, athlete_id: i64) -> bool {
        self.shared
            .coached
            .iter()
            .any(|s| s.id == athlete_id && s.athlete.get().is_some())
    }

    /// The data currently served (a snapshot; later changes don't show in it).
    pub fn athlete(&self) -> Arc<DemoAthlete> {
        self.shared
            .athlete
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn change_athlete<R>(&self, change: impl FnOnce(&mut DemoAthlete) -> R) -> R {
        let mut guard = self
            .shared
            .athlete
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        change(Arc::make_mut(&mut guard))
    }

    /// Changes one workout in place (records are re-derived); `false` if the
    /// id is unknown.
    pub fn edit_workout(&self, workout_id: i64, f: impl FnOnce(&mut FakeWorkout)) -> bool {
        self.change_athlete(|a| a.edit_workout(workout_id, f))
    }

    /// Removes a workout; `false` if the id is unknown.
    pub fn delete_workout(&self, workout_id: i64) -> bool {
        self.change_athlete(|a| a.delete_workout(workout_id))
    }

    /// Adds a workout (replacing one with the same id).
    pub fn add_workout(&self, workout: FakeWorkout) {
        self.change_athlete(|a| a.add_workout(workout));
    }

    /// Counts an arriving API request and decides its fate. Returns the
    /// action, the latency to add and the `Retry-After` to send with a 429.
    pub(crate) fn admit(
        &self,
        endpoint: Endpoint,
        athlete_id: Option<i64>,
    ) -> (Action, Duration, Option<u64>) {
        {
            let mut counts = lock(&self.shared.counts);
            counts.total += 1;
            *counts.by_endpoint.entry(endpoint).or_default() += 1;
            if let Some(id) = athlete_id {
                *counts.by_athlete.entry(id).or_default() += 1;
            }
        }
        let mut faults = lock(&self.shared.faults);
        let action = faults.decide(endpoint, Instant::now());
        (action, faults.latency, faults.retry_after)
    }

    /// Counts a served response.
    pub(crate) fn record(&self, action: Action, status: u16) {
        let mut counts = lock(&self.shared.counts);
        *counts.by_status.entry(status).or_default() += 1;
        match action {
            Action::Fail { .. } => counts.faults += 1,
            Action::RateLimited => counts.rate_limited += 1,
            Action::Malformed => counts.malformed += 1,
            Action::Drop => counts.dropped += 1,
            Action::Pass if status == 401 => counts.unauthorized += 1,
            Action::Pass => {}
        }
    }

    /// Exchanges a session cookie for `(token, expires_in seconds)`, or
    /// `None` if the cookie is missing or not accepted.
    pub(crate) fn exchange_cookie(&self, cookie: Option<&str>) -> Option<(String, u64)> {
        let mut tokens = lock(&self.shared.tokens);
        let login = tokens.cookie_login(cookie?)?;
        let ttl = tokens.ttl.as_secs();
        Some((tokens.issue(login, Instant::now()), ttl))
    }

    /// The login of a valid bearer token; `None` if unknown or expired.
    pub(crate) fn token_login(&self, token: &str) -> Option<Login> {
        lock(&self.shared.tokens).login(token, Instant::now())
    }

    /// The day the served history ends.
    pub(crate) fn today(&self) -> NaiveDate {
        self.shared.today
    }
}

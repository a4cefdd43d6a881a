//! [`FakeConfig`]: what a fake server starts with.

use std::time::Duration;

use chrono::NaiveDate;

/// The seed of the standard demo athlete.
pub const DEMO_SEED: u64 = 20_220_103;

/// The `Production_tpAuth` cookie value the fake accepts by default.
pub const DEMO_COOKIE: &str = "demo-cookie";

/// The `Production_tpAuth` cookie value of the coach login by default.
pub const COACH_COOKIE: &str = "coach-demo-cookie";

/// Settings for [`crate::FakeServer::start`].
#[derive(Debug, Clone, PartialEq)]
pub struct FakeConfig {
    /// Seeds the synthetic history (same seed → same workouts).
    pub seed: u64,
    /// The last day of history; the 21 days after it hold planned workouts.
    pub today: NaiveDate,
    /// The accepted `Production_tpAuth` cookie value: the demo athlete's
    /// own login.
    pub cookie: String,
    /// The cookie value of the coach login (Casey Morgan, coaching three
    /// athletes: [`crate::coach`]). When it equals `cookie`, that cookie
    /// logs in as the demo athlete.
    pub coach_cookie: String,
    /// Lifetime of each issued bearer token (`expires_in`).
    pub token_ttl: Duration,
    /// Delay added to every API request before it is answered.
    pub latency: Duration,
    /// A brand-new account: the same athlete, with no workouts at all (the
    /// coach's athletes are not affected).
    pub new_account: bool,
}

impl Default for FakeConfig {
    fn default() -> Self {
        FakeConfig {
            seed: DEMO_SEED,
            today: chrono::Local::now().date_naive(),
            cookie: DEMO_COOKIE.to_string(),
            coach_cookie: COACH_COOKIE.to_string(),
            token_ttl: Duration::from_secs(3600),
            latency: Duration::ZERO,
            new_account: false,
        }
    }
}

//! A faithful fake of TrainingPeaks' internal web API, serving a
//! deterministic synthetic athlete, with fault switches and request counters
//! for testing clients against every failure the real service shows.
//!
//! Start one with [`FakeServer::start`] (ephemeral loopback port), point a
//! client at [`FakeServer::base_url`], log in with the cookie
//! `Production_tpAuth=`[`DEMO_COOKIE`] (the demo athlete) or
//! [`COACH_COOKIE`] (a coach with three athletes, [`COACHED_ATHLETE_IDS`]),
//! and steer it with [`FakeServer::control`]. The `tp-fake` binary does the
//! same from a shell; `/_fake/…` admin routes mirror [`FakeControl`] over
//! HTTP.
//!
//! The API (paths, methods, field names, units and quirks) follows
//! `tp-api.md`; the load numbers follow `pmc.md`.
//!
//! # Modules
//! - `config` — [`FakeConfig`] and the demo constants.
//! - `profile` — an athlete's physiology: FTP, LTHR and threshold speeds on
//!   any date ([`Profile`]).
//! - `generate` — one calendar day's workouts as a pure function of
//!   `(seed, date)`: the weekly template, periodisation, seasons, races,
//!   skipped sessions, and the numbers of each workout.
//! - `prose` — titles, coach instructions and coach comments.
//! - `workout` — [`FakeWorkout`], whose serde form is the wire form.
//! - `athlete` — [`DemoAthlete`]: all workouts, lookups, daily TSS, data
//!   changes that keep records consistent.
//! - `coach` — the coach login (Casey Morgan) and the three coached
//!   athletes: Jordan Lee (history, HRV and sleep), Sam Taylor (history, no
//!   health metrics), Sam Ortiz (a brand-new account); generated on first
//!   request.
//! - `health` — health metrics (HRV, resting HR, sleep, weight, SpO2,
//!   steps) per day from `(seed, date)` and the athlete's own load
//!   ([`MetricDay`]).
//! - `auth` — cookie → token exchange (which login) and bearer checks.
//! - `records` — per-workout peaks and the personal records derived from them.
//! - `performance` — the performance-data (PMC) rows.
//! - `json` — the JSON of the small endpoints (user, settings, types, PRs).
//! - `faults` — [`Endpoint`], [`RequestCounts`] and the fault decisions.
//! - `control` — [`FakeControl`], the switchboard handle.
//! - `inject` — the HTTP layer applying faults, latency and rate limits.
//! - `routes` — the TrainingPeaks routes; `admin` — the `/_fake/` routes.
//! - `server` — [`FakeServer`]: bind, serve, stop on drop.
//! - `events` — the races of the history and three ahead (C, B, the A focus race).
//! - `dates` — TrainingPeaks' date spellings.
//! - `fit` — [`fit::write_fit`]: a [`Recording`] as a FIT activity file.
//! - `tcx` — [`tcx::write_tcx`]: a [`Recording`] as a Garmin TCX document.
//!
//! # Determinism
//! Same seed and `today` → byte-identical responses. Each date's workouts
//! depend only on `(seed, date)` (not on `today`, except that future dates
//! are served as planned), each date's health metrics on `(seed, date)` and
//! the load up to it. Token values are the only random output.

mod admin;
mod athlete;
mod auth;
mod coach;
mod config;
mod control;
mod dates;
mod device;
mod events;
mod faults;
pub mod fit;
mod generate;
mod health;
mod inject;
mod json;
mod performance;
mod profile;
mod prose;
mod recorder;
mod recording;
mod records;
mod routes;
mod server;
pub mod tcx;
mod workout;

use chrono::NaiveDate;

pub use athlete::DemoAthlete;
pub use auth::AUTH_COOKIE;
pub use coach::{
    COACH_USER_ID, COACHED_ATHLETE_IDS, JORDAN_LEE_ID, SAM_ORTIZ_ID, SAM_TAYLOR_ID,
    coached_profile, coached_seed,
};
pub use config::{COACH_COOKIE, DEMO_COOKIE, DEMO_SEED, FakeConfig};
pub use control::FakeControl;
pub use dates::{parse_day, tp_day};
pub use device::{
    CORRUPT_FILE_DAY, DeviceFileMode, FileBody, FileInfo, FileKind, GZIP_BOMB_BYTES, TCX_FILE_DAY,
};
pub use faults::{Endpoint, RequestCounts, athlete_in_path};
pub use generate::{COACH_START, NO_TSS_DAYS, PLAN_HORIZON_DAYS, WORKOUT_ID_BASE, workout_id};
pub use health::{Health, MAX_METRICS_RANGE_DAYS, MetricDay, MetricType};
pub use performance::{PerfRow, PmcConstants};
pub use profile::Profile;
pub use recorder::{LONG_GAP_DAY, has_device_file};
pub use recording::{DeviceSport, DeviceTotals, Recording, Sample};
pub use records::{
    PR_KINDS, Peaks, PersonalRecord, PrClass, PrKind, RankedPeak, Records, Sport, TimeFrame,
    find_kind,
};
pub use routes::MAX_WORKOUT_RANGE_DAYS;
pub use server::FakeServer;
pub use workout::{FakeWorkout, WORKOUT_TYPES};

/// The demo athlete's id (`athletes[0].athleteId`, also userId/personId).
pub const DEMO_ATHLETE_ID: i64 = 1_234_567;

/// The first day of the synthetic history (a Monday).
pub const HISTORY_START: NaiveDate = match NaiveDate::from_ymd_opt(2022, 1, 3) {
    Some(d) => d,
    None => panic!("valid date"),
};

//! A client for TrainingPeaks' internal web API.
//!
//! TrainingPeaks has no public API; this speaks the one its web app uses
//! (documented field by field in `shared/reference/tp-api.md`).
//!
//! - [`client`] — [`TpClient`]: one per process, cheap to clone; owns the
//!   cookie, the token cache and the throttle; resolves the athlete id once.
//! - [`endpoints`] — one typed method per resource: user, workouts (any
//!   range, fetched in 90-day windows), workout detail, performance data,
//!   personal records (with the ranking endpoint's 500 → workout-scan
//!   fallback), settings.
//! - `transport` — sending one request: bearer token, spacing, retries,
//!   and HTTP status → [`ApiError`].
//! - [`device_files`] — a workout's device-file list and the download of
//!   one, gzip unpacked, bounded ([`MAX_FILE_BYTES`]).
//! - [`token`] — [`TokenCache`]: refresh 60 s before expiry, one refresh
//!   shared by concurrent callers, generation-safe invalidation on 401.
//! - [`throttle`] — at least 150 ms between requests.
//! - [`windows`] — splitting date ranges into windows TrainingPeaks accepts.
//! - [`secret`] — [`Secret`], the cookie/token wrapper that prints `[redacted]`.
//! - [`error`] — [`ApiError`], every message saying what the user can do.
//! - [`config`] — [`ClientConfig`]: base URL (`TP_API_BASE_URL`), spacing, timeouts, retries.
//!
//! The data types are in `tp-model`. This crate does not cache (that is
//! `tp-store`) and does not compute (that is `tp-fitness`).

pub mod client;
pub mod config;
pub mod device_files;
pub mod endpoints;
pub mod error;
#[doc(hidden)]
pub mod fuzzing;
pub mod secret;
pub mod throttle;
pub mod token;
mod transport;
pub mod windows;

pub use client::TpClient;
pub use config::{ClientConfig, RetryPolicy};
pub use device_files::{DownloadedFile, MAX_FILE_BYTES};
pub use endpoints::PeakSource;
pub use error::ApiError;
pub use secret::Secret;
pub use token::TokenCache;
pub use tp_model;

//! The local history cache: an athlete's TrainingPeaks data in SQLite.
//!
//! The reference server downloads history for every question; this keeps it
//! locally and asks TrainingPeaks only for what is missing or may have
//! changed.
//!
//! - [`db`] — [`Store`]: opening (WAL), versioned migrations, recovery from
//!   an unreadable file (moved aside, rebuilt).
//! - [`workouts`], [`daily`], [`cache`] — the tables: workouts (indexed day,
//!   sport, TSS + the raw JSON), daily load, personal records, small cached
//!   answers (profile, settings, rankings).
//! - [`streams`], [`codec`] — second-by-second data: each workout's device
//!   file state, its decoded streams (delta + varint + DEFLATE, about
//!   20 KB an hour) and the summaries derived from them, one transaction
//!   per workout.
//! - [`stream_sync`] — fetching device files: one workout when asked about
//!   (two requests at most), many against a time budget, resumable.
//! - [`coverage`] — which days are cached, as merged date spans.
//! - [`sync`] — [`History`]: fetch what is missing, in the fewest windows,
//!   one transaction per window; staleness; backfill with a stated stopping
//!   rule.
//! - [`fallback`] — answers from the cache, said to be so, when
//!   TrainingPeaks cannot be asked.
//! - [`lock`] — one syncing process per athlete (tray app and sidecars).
//! - [`logins`] — which athlete a login belongs to (by a fingerprint of the
//!   cookie), so the cache can answer when TrainingPeaks cannot say.
//! - [`paths`] — where the database lives (`TP_MCP_DATA_DIR`, one file per athlete).
//!
//! The store holds no secrets: no cookie, no token (a login is remembered by
//! a one-way fingerprint).

pub mod cache;
pub mod codec;
pub mod coverage;
pub mod daily;
pub mod db;
pub mod error;
pub mod fallback;
pub mod lock;
pub mod logins;
pub mod paths;
pub mod stream_sync;
pub mod streams;
pub mod sync;
pub mod workouts;

pub use db::Store;
pub use error::StoreError;
pub use stream_sync::{Deriver, FillReport, StreamState, StreamsOutcome};
pub use streams::{EnvelopePeriod, FileState, StreamCoverage};
pub use sync::{History, SyncPolicy, SyncReport};

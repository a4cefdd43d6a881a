//! TrainingPeaks data types.
//!
//! The shapes TrainingPeaks' internal web API sends, typed, with the units
//! documented on each field. Every field is optional and read through
//! [`lenient`], so `null`, `"NaN"`, numeric strings, missing and unknown
//! fields never make a response unreadable.
//!
//! - [`workout`] — a completed or planned workout ([`Workout`]).
//! - [`device_files`] — the device files uploaded for a workout ([`WorkoutDetails`]).
//! - [`activity`] — a device file decoded: second-by-second [`Streams`] on
//!   one time base, laps and session totals ([`Activity`]).
//! - [`stream_summary`] — what is derived once per workout from its streams
//!   (exact mean-maximal curves, histograms) and kept beside them.
//! - [`event`] — races and other dated goals ([`Event`]), with their A/B/C priority.
//! - [`metrics`] — health metrics (HRV, resting HR, sleep, weight…) by type id, per day ([`MetricDay`]).
//! - [`fitness`] — one day of performance data ([`FitnessDay`]) and its request body.
//! - [`records`] — personal records per workout and per-sport rankings.
//! - [`profile`] — the signed-in user and the athlete id ([`UserProfile`]).
//! - [`settings`] — thresholds and zones ([`AthleteSettings`]).
//! - [`pr_types`] — record types in both spellings (`power20min` ⇄ `Pr20Minutes`).
//! - [`sport`] — `workoutTypeValueId` ⇄ [`Sport`], and parsing what users type.
//!
//! This crate does no IO: `tp-api` fetches, `tp-store` keeps, `tp-fitness`
//! computes, all over these types.

pub mod activity;
pub mod device_files;
pub mod event;
pub mod fitness;
#[doc(hidden)]
pub mod fuzzing;
pub mod lenient;
pub mod metrics;
pub mod pr_types;
pub mod profile;
pub mod records;
pub mod settings;
pub mod sport;
pub mod stream_summary;
pub mod workout;

pub use activity::{Activity, Channel, ChannelKind, FileFormat, Lap, SessionTotals, Streams};
pub use device_files::{DeviceFileInfo, WorkoutDetails};
pub use event::Event;
pub use fitness::{FitnessDay, PerformanceDataRequest};
pub use metrics::{MetricDay, MetricEntry, MetricKind};
pub use pr_types::{PrClass, PrSport, PrType};
pub use profile::{AthleteRef, UserEnvelope, UserProfile};
pub use records::{PersonalRecord, RankedPeak, WorkoutRecords};
pub use settings::{AthleteSettings, Zone, ZoneGroup};
pub use sport::Sport;
pub use stream_summary::{CurveEnvelope, EnvelopeEntry, Histogram, MeanMaxCurve, StreamSummary};
pub use workout::Workout;

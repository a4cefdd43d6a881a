//! Fitness analytics over TrainingPeaks data — pure numbers.
//!
//! This crate does **no IO**: no network, no files, no clock, no async, no
//! printing. It takes [`tp_model`] values (workouts, performance-data days,
//! personal records) that `tp-api` fetched and `tp-store` kept, and returns
//! plain result structs (`Debug + Clone + PartialEq + serde::Serialize`, field
//! names in snake_case) that `tp-mcp` turns into structured tool output and
//! formats for people. "Today" is always a parameter.
//!
//! The science and conventions follow `shared/reference/pmc.md`; every module
//! says which source a number or a threshold comes from.
//!
//! - [`series`] — daily load: completed and planned TSS per calendar day
//!   ([`LoadSeries`]), built from workouts or performance-data rows.
//! - [`pmc`] — the Performance Management Chart: CTL (fitness), ATL (fatigue)
//!   and TSB (form) per day ([`FitnessSeries`]) in the TrainingPeaks (`1/T`)
//!   or the exponential (`1 − e^(−1/T)`) convention ([`Convention`]).
//! - [`form`] — what a TSB, a ramp rate and an acute:chronic ratio mean
//!   ([`FormLabel`], [`RampLevel`], [`AcwrLevel`]), with the bands used.
//! - [`load`] — training-load summary: ISO-week and calendar-month totals,
//!   averages over full weeks, training days, TSS per hour, Foster monotony
//!   and strain, a non-overlapping 4-week block comparison.
//! - [`trend`] — fitness trend over a window: current values, 7- and 30-day
//!   changes by date, direction, peak fitness and deepest fatigue.
//! - [`projection`] — CTL/ATL/TSB projected forward from the planned calendar,
//!   falling back to the recent daily average only on unplanned days.
//! - [`race_plan`] — the race plan that maximises race-day CTL within TSB,
//!   ramp and daily limits, solved exactly as a linear program (`microlp`).
//! - [`readiness`] — HRV against its 60-day baseline, resting-HR trend, sleep:
//!   signals beside TSB.
//! - [`workout`] — per-workout metrics: EF, VI, IF, TSS/h, speed and pace,
//!   compliance with the plan, (unavailable) decoupling.
//! - [`zones`] — intensity distribution by whole-workout IF or by time in
//!   zone, the polarized/pyramidal/threshold/base pattern, Coggan power zones.
//! - [`zone_distribution`] — time in the athlete's zones over a period,
//!   per second from the stored histograms, whole workouts by IF for the
//!   rest; the three-zone pattern and polarization index from the sum.
//! - [`summary`] — performance summary per sport over a window: volume,
//!   averages, consistency, best values with workout ids.
//! - [`mean_max`] — exact mean-maximal curves (best average of every
//!   duration) from second-by-second streams, gaps never bridged.
//! - [`simd`] — the mean-maximal curve's hot loop in explicit SIMD (the
//!   size-optimised binary would not vectorise it).
//! - [`range_curve`] — a range's power (or HR, speed) curve from its
//!   workouts' stored curves: the best average held for at least each
//!   duration, with the workout it came from.
//! - [`resample`] — a workout's streams averaged per step, gaps listed.
//! - [`stream_summary`] — what a workout's streams are summarised into once
//!   (curves, histograms), so range questions never re-read the seconds.
//! - [`critical_power`] — CP/W′ (2-parameter), Morton's 3-parameter model, eFTP, per 6-week block.
//! - [`peaks`] — best personal records per class and type, prType ⇄ record
//!   type names and human labels.
//!
//! # Example
//!
//! ```
//! use chrono::NaiveDate;
//! use tp_fitness::{FitnessSeries, LoadSeries, PmcParams, fitness_trend};
//! use tp_fitness::form::FormStatus;
//! use tp_fitness::projection::{plan_from_workouts, project};
//! use tp_model::Workout;
//!
//! let day = |d| NaiveDate::from_ymd_opt(2026, 5, d).unwrap();
//! let done = |id, d, tss| Workout {
//!     workout_id: id, workout_day: Some(day(d)), completed: Some(true), tss_actual: Some(tss),
//!     ..Workout::default()
//! };
//! let planned = Workout {
//!     workout_id: 3, workout_day: Some(day(6)), completed: Some(false), tss_planned: Some(90.0),
//!     ..Workout::default()
//! };
//! let workouts = vec![done(1, 1, 80.0), done(2, 3, 120.0), planned];
//! let today = day(4);
//! // the whole history up to today, then the PMC from its first day
//! let loads = LoadSeries::history(&workouts, today);
//! let pmc = FitnessSeries::compute(&loads, &PmcParams::default());
//! let now = FormStatus::latest(&pmc).unwrap();
//! assert_eq!(now.date, today);
//! assert_eq!(now.convention, "TrainingPeaks (step 1/T), CTL 42 d, ATL 7 d");
//! let trend = fitness_trend(&pmc, day(1), today).unwrap();
//! assert_eq!(trend.peak_fitness.date, day(3));
//! // a week ahead: the planned 90 on the 6th, the recent average elsewhere
//! let projection = project(&pmc, &plan_from_workouts(&workouts), 7).unwrap();
//! assert_eq!(projection.planned_days, 1);
//! assert_eq!(projection.fallback_days, 6);
//! ```
//!
//! No `f64` in any result is ever NaN or infinite: divisions are guarded and
//! an undefined value is `None`. Input TSS that is not finite counts as 0 and
//! is clamped to ±[`series::TSS_LIMIT`].

pub mod critical_power;
pub mod form;
pub mod load;
pub mod mean_max;
mod num;
pub mod peaks;
pub mod pmc;
pub mod projection;
pub mod race_plan;
pub mod range_curve;
pub mod readiness;
pub mod resample;
pub mod series;
pub mod simd;
pub mod stream_analysis;
pub mod stream_summary;
pub mod summary;
pub mod trend;
pub mod workout;
pub mod zone_distribution;
pub mod zones;

pub use form::{AcwrLevel, FormLabel, RampLevel, acute_chronic_ratio, ramp_warning};
pub use load::{LoadSummary, Monotony, MonthLoad, WeekLoad, training_load_summary};
pub use peaks::{BestRecord, PeakSummary, best_records};
pub use pmc::{Convention, FitnessSeries, PmcDay, PmcError, PmcParams};
pub use projection::{ProjectedDay, Projection, ProjectionError, ProjectionSource};
pub use series::{DailyLoad, LoadSeries};
pub use summary::{PerformanceSummary, performance_summary};
pub use trend::{Direction, Trend, fitness_trend};
pub use workout::{Compliance, ComplianceLabel, WorkoutMetrics, analyze_workout};
pub use zones::{
    IfBucket, IntensityPattern, ZoneBound, ZoneMethod, coggan_power_zones, if_distribution,
    time_in_zone_distribution,
};

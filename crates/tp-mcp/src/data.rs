//! The one data path every tool reads through.
//!
//! Tools never call the client directly: they ask this module for workouts,
//! daily load history, records, settings. Today it goes to TrainingPeaks
//! through `tp-api`; the local history cache (`tp-store`) slots in here
//! without any tool changing.

use crate::context::ServerContext;
use chrono::NaiveDate;
use tp_api::{ApiError, PeakSource};
use tp_model::{
    AthleteSettings, FitnessDay, PerformanceDataRequest, PrSport, PrType, RankedPeak, UserProfile,
    Workout, WorkoutRecords,
};

/// The earliest day asked for when loading the whole history. TrainingPeaks
/// launched in 1999; nothing older exists in an account except hand-entered
/// outliers, which would change today's CTL by far less than its rounding.
pub const HISTORY_FLOOR: NaiveDate = match NaiveDate::from_ymd_opt(2000, 1, 1) {
    Some(d) => d,
    None => unreachable!(),
};

impl ServerContext {
    pub async fn athlete_id(&self) -> Result<i64, ApiError> {
        self.client.athlete_id().await
    }

    pub async fn profile(&self) -> Result<UserProfile, ApiError> {
        self.client.user().await
    }

    /// Completed and planned workouts from `start` to `end` inclusive.
    pub async fn workouts(
        &self,
        start: NaiveDate,
        end: NaiveDate,
    ) -> Result<Vec<Workout>, ApiError> {
        let athlete = self.athlete_id().await?;
        self.client.workouts(athlete, start, end).await
    }

    pub async fn workout(&self, workout_id: i64) -> Result<Workout, ApiError> {
        let athlete = self.athlete_id().await?;
        self.client.workout(athlete, workout_id).await
    }

    pub async fn workout_records(&self, workout_id: i64) -> Result<WorkoutRecords, ApiError> {
        let athlete = self.athlete_id().await?;
        self.client.workout_records(athlete, workout_id).await
    }

    pub async fn sport_peaks(
        &self,
        sport: PrSport,
        pr_type: &PrType,
        start: NaiveDate,
        end: NaiveDate,
    ) -> Result<(Vec<RankedPeak>, PeakSource), ApiError> {
        let athlete = self.athlete_id().await?;
        self.client
            .sport_peaks_or_scan(athlete, sport, pr_type, start, end)
            .await
    }

    pub async fn settings(&self) -> Result<AthleteSettings, ApiError> {
        let athlete = self.athlete_id().await?;
        self.client.settings(athlete).await
    }

    /// Daily TSS (completed and planned) for the athlete's whole history up
    /// to `until`, starting at the first day with completed TSS. Days before
    /// that carry no load and cannot change any PMC value, so dropping them
    /// is exact. Empty when the athlete has never trained.
    pub async fn daily_history(&self, until: NaiveDate) -> Result<Vec<FitnessDay>, ApiError> {
        let athlete = self.athlete_id().await?;
        let mut days = self
            .client
            .performance_data(
                athlete,
                HISTORY_FLOOR,
                until,
                &PerformanceDataRequest::default(),
            )
            .await?;
        let first = days.iter().position(|d| d.tss_actual.unwrap_or(0.0) > 0.0);
        match first {
            Some(i) => {
                days.drain(..i);
            }
            None => days.clear(),
        }
        Ok(days)
    }
}

/// The athlete's whole load history and the PMC computed from it.
#[derive(Debug, Clone)]
pub struct FitnessHistory {
    /// Daily completed and planned TSS from the first training day through
    /// the planning horizon (future days carry planned TSS only).
    pub loads: tp_fitness::LoadSeries,
    /// CTL/ATL/TSB from the first training day through today.
    pub series: tp_fitness::FitnessSeries,
    /// The first day with completed TSS; `None` for an athlete who never trained.
    pub first_training_day: Option<NaiveDate>,
    pub today: NaiveDate,
}

impl ServerContext {
    /// Loads the whole history (plus `planned_days` of calendar) and computes
    /// the PMC with `params` from the first day of training, so today's
    /// values match what TrainingPeaks' web app shows.
    pub async fn fitness_history(
        &self,
        params: &tp_fitness::PmcParams,
        planned_days: u64,
    ) -> Result<FitnessHistory, ApiError> {
        let today = self.today();
        let until = today
            .checked_add_days(chrono::Days::new(planned_days))
            .unwrap_or(today);
        let days = self.daily_history(until).await?;
        let first = days
            .first()
            .and_then(|d| d.workout_day)
            .filter(|d| *d <= today);
        let start = first.unwrap_or(today);
        let loads = tp_fitness::LoadSeries::from_fitness_days(&days, start, until);
        let past = tp_fitness::LoadSeries::from_fitness_days(&days, start, today);
        let series = tp_fitness::FitnessSeries::compute(&past, params);
        Ok(FitnessHistory {
            loads,
            series,
            first_training_day: first,
            today,
        })
    }
}

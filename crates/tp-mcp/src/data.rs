//! The one data path every tool reads through.
//!
//! Tools never call the client directly: they ask this module for workouts,
//! daily load history, records, settings. Each method reads the local
//! history cache (`tp-store`), which fetches from TrainingPeaks only what is
//! missing or stale; with `--no-cache` (or if the cache cannot be opened)
//! the same methods go to TrainingPeaks directly.

use crate::context::ServerContext;
use crate::progress;
use chrono::NaiveDate;
use tp_api::PeakSource;
use tp_model::{
    AthleteSettings, FitnessDay, PerformanceDataRequest, PrSport, PrType, RankedPeak, UserProfile,
    Workout, WorkoutRecords,
};
use tp_store::StoreError;
use tp_store::sync::HISTORY_FLOOR;

/// What the data path returns: TrainingPeaks errors arrive as `StoreError::Api`.
pub type DataResult<T> = Result<T, StoreError>;

fn report_windows(done: usize, total: usize) {
    progress::report(done, total, "fetching workouts from TrainingPeaks");
}

impl ServerContext {
    pub async fn athlete_id(&self) -> DataResult<i64> {
        Ok(self.client.athlete_id().await?)
    }

    /// The signed-in user (cached for a day).
    pub async fn profile(&self) -> DataResult<UserProfile> {
        let Some(h) = self.history().await? else {
            return Ok(self.client.user().await?);
        };
        let raw = h
            .cached_json("user", h.policy().profile_ttl, || self.client.user_json())
            .await?;
        Ok(tp_api::endpoints::parse_user(raw)?)
    }

    /// Completed and planned workouts from `start` to `end` inclusive.
    pub async fn workouts(&self, start: NaiveDate, end: NaiveDate) -> DataResult<Vec<Workout>> {
        match self.history().await? {
            Some(h) => h.workouts(start, end, self.today(), &report_windows).await,
            None => {
                let athlete = self.athlete_id().await?;
                Ok(self
                    .client
                    .workouts_with_progress(athlete, start, end, &report_windows)
                    .await?)
            }
        }
    }

    pub async fn workout(&self, workout_id: i64) -> DataResult<Workout> {
        match self.history().await? {
            Some(h) => h.workout(workout_id, self.today()).await,
            None => Ok(self
                .client
                .workout(self.athlete_id().await?, workout_id)
                .await?),
        }
    }

    /// A workout's personal records (cached once TrainingPeaks computed them).
    pub async fn workout_records(&self, workout_id: i64) -> DataResult<WorkoutRecords> {
        match self.history().await? {
            Some(h) => h.records(workout_id).await,
            None => Ok(self
                .client
                .workout_records(self.athlete_id().await?, workout_id)
                .await?),
        }
    }

    /// A per-sport ranking (cached until the data goes stale).
    pub async fn sport_peaks(
        &self,
        sport: PrSport,
        pr_type: &PrType,
        start: NaiveDate,
        end: NaiveDate,
    ) -> DataResult<(Vec<RankedPeak>, PeakSource)> {
        let athlete = self.athlete_id().await?;
        let fetch = || {
            self.client
                .sport_peaks_or_scan(athlete, sport, pr_type, start, end)
        };
        let Some(h) = self.history().await? else {
            return Ok(fetch().await?);
        };
        let key = format!("peaks:{}:{}:{start}:{end}", sport.api_name(), pr_type.query);
        let ttl = h.policy().stale_after;
        let raw = h
            .cached_json(&key, ttl, || async {
                let (peaks, source) = fetch().await?;
                Ok(serde_json::json!({ "peaks": peaks, "source": source }))
            })
            .await?;
        let peaks: Vec<RankedPeak> =
            serde_json::from_value(raw["peaks"].clone()).unwrap_or_default();
        let source = if raw["source"] == "WorkoutScan" {
            PeakSource::WorkoutScan
        } else {
            PeakSource::RankingEndpoint
        };
        Ok((peaks, source))
    }

    /// Thresholds and zones (cached for a day).
    pub async fn settings(&self) -> DataResult<AthleteSettings> {
        let athlete = self.athlete_id().await?;
        let Some(h) = self.history().await? else {
            return Ok(self.client.settings(athlete).await?);
        };
        let ttl = h.policy().profile_ttl;
        let raw = h
            .cached_json("settings", ttl, || async {
                Ok(serde_json::to_value(self.client.settings(athlete).await?).unwrap_or_default())
            })
            .await?;
        Ok(serde_json::from_value(raw).unwrap_or_default())
    }

    /// The athlete's FTP, read from the settings only when one of `workouts`
    /// has Normalized Power but no IF (so IF must be derived as NP/FTP);
    /// `None` otherwise or when the settings cannot be read.
    pub async fn ftp_if_needed<'a>(
        &self,
        workouts: impl IntoIterator<Item = &'a Workout>,
    ) -> Option<f64> {
        let needed = workouts
            .into_iter()
            .any(|w| w.intensity_factor.is_none() && w.normalized_power_actual.is_some());
        if !needed {
            return None;
        }
        self.settings().await.ok().and_then(|s| s.ftp())
    }

    /// Daily TSS (completed and planned) for the athlete's history up to
    /// `until`, starting at the first day with completed TSS in the last
    /// [`PMC_HISTORY_DAYS`]. Days before that carry no load, and load older
    /// than ten years is worth `(41/42)^3653 ≈ 6·10⁻³⁹` of itself today —
    /// far below a double's precision — so the PMC computed from this is
    /// bit-for-bit the PMC of the whole history. Empty when the athlete has
    /// never trained.
    pub async fn daily_history(&self, until: NaiveDate) -> DataResult<Vec<FitnessDay>> {
        let from = self
            .today()
            .checked_sub_days(chrono::Days::new(PMC_HISTORY_DAYS))
            .unwrap_or(HISTORY_FLOOR)
            .max(HISTORY_FLOOR);
        let mut days = match self.history().await? {
            Some(h) => h.daily(from, until, self.today()).await?,
            None => {
                let athlete = self.athlete_id().await?;
                self.client
                    .performance_data(athlete, from, until, &PerformanceDataRequest::default())
                    .await?
            }
        };
        match days.iter().position(|d| d.tss_actual.unwrap_or(0.0) > 0.0) {
            Some(i) => {
                days.drain(..i);
            }
            None => days.clear(),
        }
        Ok(days)
    }

    /// Makes the next reads fetch recent data again (`refresh: true`).
    pub async fn expire_recent(&self) -> DataResult<()> {
        if let Some(h) = self.history().await? {
            h.expire_recent(self.today())?;
        }
        Ok(())
    }

    /// Fetches the whole workout history into the cache (`tp-mcp sync`).
    pub async fn backfill(&self) -> DataResult<Option<tp_store::SyncReport>> {
        match self.history().await? {
            Some(h) => Ok(Some(h.backfill(self.today(), &report_windows).await?)),
            None => Ok(None),
        }
    }
}

/// The whole load history and the PMC computed from it.
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
    ) -> DataResult<FitnessHistory> {
        let today = self.today();
        // Always load a fixed horizon, so questions with different projection
        // lengths share one cached span.
        let horizon = planned_days.max(PLAN_LOAD_DAYS);
        let until = today
            .checked_add_days(chrono::Days::new(horizon))
            .unwrap_or(today);
        let days = self.daily_history(until).await?;
        let first = days
            .first()
            .and_then(|d| d.workout_day)
            .filter(|d| *d <= today);
        let start = first.unwrap_or(today);
        let end = today
            .checked_add_days(chrono::Days::new(planned_days))
            .unwrap_or(today);
        let loads = tp_fitness::LoadSeries::from_fitness_days(&days, start, end);
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

/// How far back the PMC reads daily load: ten years (see [`ServerContext::daily_history`]).
pub const PMC_HISTORY_DAYS: u64 = 3653;

/// Days of planned calendar loaded with the history (the longest projection).
const PLAN_LOAD_DAYS: u64 = 180;

/// How the summary kept beside a workout's streams is computed
/// (tp-fitness' method; tp-store only keeps it).
pub const STREAM_DERIVER: tp_store::Deriver = tp_store::Deriver {
    version: tp_fitness::stream_summary::STREAM_SUMMARY_VERSION,
    summarize: tp_fitness::stream_summary::summarize,
};

/// Environment variable: seconds a question may spend fetching device
/// files before it answers with what it has (default
/// [`STREAM_BUDGET_SECS`]).
pub const STREAM_BUDGET_ENV: &str = "TP_MCP_STREAM_BUDGET_SECS";

/// The default time budget for fetching device files in one answer: the
/// answer comes within about 25 s even when hundreds are missing.
pub const STREAM_BUDGET_SECS: u64 = 20;

/// How the device files of a range of workouts stand after a question
/// fetched what its budget allowed.
#[derive(Debug, Clone, Default)]
pub struct StreamFill {
    pub coverage: tp_store::StreamCoverage,
    pub report: tp_store::FillReport,
}

fn stream_budget() -> std::time::Duration {
    let secs = std::env::var(STREAM_BUDGET_ENV)
        .ok()
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0)
        .unwrap_or(STREAM_BUDGET_SECS as f64);
    std::time::Duration::from_secs_f64(secs)
}

impl ServerContext {
    /// The history streams go through: the cache, or with `--no-cache` a
    /// throwaway in-memory one (the same fetching rules, nothing kept).
    async fn stream_history(&self) -> DataResult<std::sync::Arc<tp_store::History>> {
        if let Some(h) = self.history().await? {
            return Ok(h);
        }
        let store = tp_store::Store::open_in_memory()?;
        Ok(std::sync::Arc::new(tp_store::History::new(
            std::sync::Arc::new(store),
            self.client.clone(),
            self.athlete_id().await?,
            tp_store::SyncPolicy::default(),
        )))
    }

    /// One workout's second-by-second data: from the cache, or fetched
    /// (two requests: the file list and the file).
    pub async fn workout_streams(&self, workout: &Workout) -> DataResult<tp_store::StreamsOutcome> {
        self.stream_history()
            .await?
            .workout_streams(workout, &STREAM_DERIVER)
            .await
    }

    /// What the cache knows of a workout's device file (no request).
    pub async fn cached_file_status(
        &self,
        workout_id: i64,
    ) -> Option<tp_store::streams::FileStatus> {
        let history = self.history().await.ok().flatten()?;
        history.store().file_status(workout_id).ok().flatten()
    }

    /// Fetches the device files `workouts` still need, newest first, for at
    /// most the answer's time budget, reporting progress; then says how
    /// many of them have streams.
    pub async fn fill_streams(&self, workouts: &[Workout]) -> DataResult<StreamFill> {
        let history = self.stream_history().await?;
        let deadline = std::time::Instant::now() + stream_budget();
        let report = history
            .fill_streams(
                workouts,
                &STREAM_DERIVER,
                Some(deadline),
                &std::sync::atomic::AtomicBool::new(false),
                &|done, total| {
                    progress::report(done, total, "fetching device files from TrainingPeaks")
                },
            )
            .await?;
        let coverage = history.stream_coverage(workouts)?;
        Ok(StreamFill { coverage, report })
    }

    /// Fetches the device file of every completed workout of the history
    /// into the cache (`tp-mcp sync --streams`), newest first, until done
    /// or `cancel`; `None` when the cache is off.
    pub async fn backfill_streams(
        &self,
        cancel: &std::sync::atomic::AtomicBool,
        progress: &(dyn Fn(usize, usize) + Send + Sync),
    ) -> DataResult<Option<(tp_store::FillReport, tp_store::StreamCoverage)>> {
        let Some(h) = self.history().await? else {
            return Ok(None);
        };
        h.backfill(self.today(), &report_windows).await?;
        let first = h.store().first_workout_day()?.unwrap_or(self.today());
        let workouts = h.store().workouts_between(first, self.today())?;
        let report = h
            .fill_streams(&workouts, &STREAM_DERIVER, None, cancel, progress)
            .await?;
        let coverage = h.stream_coverage(&workouts)?;
        Ok(Some((report, coverage)))
    }
}

impl ServerContext {
    /// How many of the cached completed workouts have their device file in
    /// the cache (no request; `None` when the cache is off).
    pub async fn stream_completeness(&self) -> DataResult<Option<tp_store::StreamCoverage>> {
        let Some(h) = self.history().await? else {
            return Ok(None);
        };
        let Some(first) = h.store().first_workout_day()? else {
            return Ok(Some(tp_store::StreamCoverage::default()));
        };
        let workouts = h.store().workouts_between(first, self.today())?;
        Ok(Some(h.stream_coverage(&workouts)?))
    }
}

/// The curves of a set of workouts, after fetching what the budget allowed.
#[derive(Debug, Clone)]
pub struct WorkoutCurves {
    /// (workout id, day, curve), oldest first.
    pub curves: Vec<(i64, NaiveDate, tp_model::MeanMaxCurve)>,
    /// How the device files of the workouts asked about stand.
    pub fill: StreamFill,
    /// Each completed workout's state after the fetch.
    pub states: std::collections::HashMap<i64, tp_store::StreamState>,
}

impl ServerContext {
    /// The stored mean-maximal curves of `channel` of `workouts` (completed
    /// ones), fetching the device files still missing first (within the
    /// answer's time budget, with progress). Curves stored by another
    /// version of the method are derived again from their streams.
    pub async fn workout_curves(
        &self,
        workouts: &[Workout],
        channel: tp_model::ChannelKind,
    ) -> DataResult<WorkoutCurves> {
        let history = self.stream_history().await?;
        let completed: Vec<Workout> = workouts
            .iter()
            .filter(|w| w.is_completed())
            .cloned()
            .collect();
        // A throwaway history (--no-cache) must know the workouts too.
        if self.history().await?.is_none() {
            for w in &completed {
                if let Ok(raw) = serde_json::to_value(w) {
                    history.store().put_workout(&raw, 0)?;
                }
            }
        }
        let fill = {
            let deadline = std::time::Instant::now() + stream_budget();
            let report = history
                .fill_streams(
                    &completed,
                    &STREAM_DERIVER,
                    Some(deadline),
                    &std::sync::atomic::AtomicBool::new(false),
                    &|done, total| {
                        progress::report(done, total, "fetching device files from TrainingPeaks")
                    },
                )
                .await?;
            StreamFill {
                coverage: history.stream_coverage(&completed)?,
                report,
            }
        };
        let states = history.stream_states(&completed)?;
        let ids: std::collections::HashSet<i64> = completed.iter().map(|w| w.workout_id).collect();
        let (Some(first), Some(last)) = (
            completed.iter().filter_map(|w| w.workout_day).min(),
            completed.iter().filter_map(|w| w.workout_day).max(),
        ) else {
            return Ok(WorkoutCurves {
                curves: Vec::new(),
                fill,
                states,
            });
        };
        let mut curves = Vec::new();
        for stored in history.store().curves_between(first, last, &[], channel)? {
            if !ids.contains(&stored.workout_id) {
                continue;
            }
            if stored.version == STREAM_DERIVER.version {
                curves.push((stored.workout_id, stored.day, stored.curve));
            } else if let Some(summary) = history.summary_for(stored.workout_id, &STREAM_DERIVER)?
                && let Some(curve) = summary.curves.get(&channel)
            {
                curves.push((stored.workout_id, stored.day, curve.clone()));
            }
        }
        Ok(WorkoutCurves {
            curves,
            fill,
            states,
        })
    }

    /// The athlete's body weight (kg), when TrainingPeaks has one.
    pub async fn body_weight_kg(&self) -> Option<f64> {
        None
    }
}

impl ServerContext {
    /// The curves of `channel` the cache already holds for workouts of
    /// `sports` done from `start` to `end` (no request), oldest first.
    pub async fn cached_curves_between(
        &self,
        start: NaiveDate,
        end: NaiveDate,
        sports: &[tp_model::Sport],
        channel: tp_model::ChannelKind,
    ) -> Vec<(i64, NaiveDate, tp_model::MeanMaxCurve)> {
        let Ok(Some(history)) = self.history().await else {
            return Vec::new();
        };
        let ids: Vec<i64> = sports.iter().map(|s| s.id()).collect();
        history
            .store()
            .curves_between(start, end, &ids, channel)
            .unwrap_or_default()
            .into_iter()
            .filter(|c| c.version == STREAM_DERIVER.version)
            .map(|c| (c.workout_id, c.day, c.curve))
            .collect()
    }
}

/// The stored summaries of a set of workouts, after fetching what the
/// budget allowed.
#[derive(Debug, Clone)]
pub struct WorkoutSummaries {
    pub summaries: std::collections::HashMap<i64, tp_model::StreamSummary>,
    pub fill: StreamFill,
    pub states: std::collections::HashMap<i64, tp_store::StreamState>,
}

impl ServerContext {
    /// The summaries (curves, histograms) of `workouts` (completed ones),
    /// fetching the device files still missing first (within the answer's
    /// time budget). Summaries of another version are derived again.
    pub async fn workout_summaries(&self, workouts: &[Workout]) -> DataResult<WorkoutSummaries> {
        let history = self.stream_history().await?;
        let completed: Vec<Workout> = workouts
            .iter()
            .filter(|w| w.is_completed())
            .cloned()
            .collect();
        let deadline = std::time::Instant::now() + stream_budget();
        let report = history
            .fill_streams(
                &completed,
                &STREAM_DERIVER,
                Some(deadline),
                &std::sync::atomic::AtomicBool::new(false),
                &|done, total| {
                    progress::report(done, total, "fetching device files from TrainingPeaks")
                },
            )
            .await?;
        let fill = StreamFill {
            coverage: history.stream_coverage(&completed)?,
            report,
        };
        let states = history.stream_states(&completed)?;
        let mut summaries = std::collections::HashMap::new();
        for w in &completed {
            if states.get(&w.workout_id) == Some(&tp_store::StreamState::Stored)
                && let Some(s) = history.summary_for(w.workout_id, &STREAM_DERIVER)?
            {
                summaries.insert(w.workout_id, s);
            }
        }
        Ok(WorkoutSummaries {
            summaries,
            fill,
            states,
        })
    }
}

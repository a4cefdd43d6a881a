//! Keeping the cache in step with TrainingPeaks.
//!
//! The rules, in one place:
//! - **Coverage decides what to fetch.** A question about days not yet
//!   cached fetches exactly those days, in the fewest 90-day windows (the
//!   daily performance data in one request). Cached days cost nothing.
//! - **Each window is its own transaction** (workouts replaced, deletions
//!   applied, coverage extended), so a crash or kill mid-sync loses nothing
//!   already fetched and the next run resumes with what is missing.
//! - **Staleness.** Recent days can change (edits, deletions, new plans).
//!   When the last fetch of the recent part is older than `stale_after`,
//!   coverage from `recheck_days` before today onwards is forgotten, so the
//!   next question re-fetches that delta — through the planning horizon —
//!   and workouts deleted in TrainingPeaks disappear. Older history is kept.
//! - **Backfill** ([`History::backfill`]) walks back from today in 90-day
//!   windows, newest first, and stops at the window holding the athlete's
//!   first day with completed TSS (known from the performance data); if
//!   that is unknown, after [`EMPTY_WINDOWS_TO_STOP`] consecutive empty
//!   windows.
//! - One process syncs at a time ([`crate::lock`]); in-process callers are
//!   serialised too, and re-check coverage after waiting.
//! - **When TrainingPeaks fails**, days that were cached before they went
//!   stale (remembered as `known` spans) can still answer, for callers that
//!   say so to the user ([`crate::fallback`]).

use crate::coverage::{Dataset, Span, gaps, merge};
use crate::fallback;
use crate::lock::{SyncLock, lock_path_for};
use crate::{Store, StoreError};
use chrono::{Days, NaiveDate};
use serde_json::Value;
use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tp_api::TpClient;
use tp_api::windows::{MAX_WINDOW_DAYS, date_windows};
use tp_model::{FitnessDay, PerformanceDataRequest, Workout, WorkoutRecords};

/// The earliest day ever asked for (TrainingPeaks launched in 1999).
pub const HISTORY_FLOOR: NaiveDate = match NaiveDate::from_ymd_opt(2000, 1, 1) {
    Some(d) => d,
    None => unreachable!(),
};

/// Backfill gives up after this many consecutive empty 90-day windows when
/// the first training day is unknown (about a year without workouts).
pub const EMPTY_WINDOWS_TO_STOP: usize = 4;

/// Called after each fetched window: (done, total).
pub type Progress<'a> = &'a (dyn Fn(usize, usize) + Send + Sync);

/// How fresh the cache must be.
#[derive(Debug, Clone)]
pub struct SyncPolicy {
    /// Recent data older than this is fetched again before answering.
    pub stale_after: Duration,
    /// How far before today "recent" reaches (edits to older workouts are rare).
    pub recheck_days: u64,
    /// How far ahead planned workouts are kept in step.
    pub plan_horizon_days: u64,
    /// Cached profile and settings are re-read after this long.
    pub profile_ttl: Duration,
    /// Longest wait for another process's sync.
    pub lock_timeout: Duration,
}

impl Default for SyncPolicy {
    fn default() -> Self {
        SyncPolicy {
            stale_after: Duration::from_secs(300),
            recheck_days: 14,
            plan_horizon_days: 21,
            profile_ttl: Duration::from_secs(24 * 3600),
            lock_timeout: Duration::from_secs(120),
        }
    }
}

/// What a sync did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Requests made to TrainingPeaks (windows fetched).
    pub windows: usize,
    pub upserted: usize,
    pub deleted: usize,
}

/// An athlete's history: the store, kept in step with TrainingPeaks.
#[derive(Debug)]
pub struct History {
    store: Arc<Store>,
    client: TpClient,
    athlete_id: i64,
    policy: SyncPolicy,
    gate: tokio::sync::Mutex<()>,
    lock_path: Option<PathBuf>,
}

fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn fresh_key(dataset: Dataset) -> String {
    format!("fresh_at:{}", dataset.name())
}

/// What a small cached answer is, for the user ("the profile").
fn cached_what(key: &str) -> &'static str {
    match key.split(':').next() {
        Some("user") => "the profile",
        Some("settings") => "the zones and thresholds",
        Some("peaks") => "the peak rankings",
        Some("events") => "the events",
        Some("metrics") => "the health metrics",
        _ => "a cached answer",
    }
}

/// When the recent part was last fetched (kept when it goes stale).
fn fetched_key(dataset: Dataset) -> String {
    format!("fetched_at:{}", dataset.name())
}

/// Days that were cached before they went stale (JSON spans).
fn known_key(dataset: Dataset) -> String {
    format!("known:{}", dataset.name())
}

fn what(dataset: Dataset) -> &'static str {
    match dataset {
        Dataset::Workouts => "workouts",
        Dataset::Daily => "daily training load",
    }
}

impl History {
    pub fn new(
        store: Arc<Store>,
        client: TpClient,
        athlete_id: i64,
        policy: SyncPolicy,
    ) -> History {
        let lock_path = lock_path_for(store.path());
        History {
            store,
            client,
            athlete_id,
            policy,
            gate: tokio::sync::Mutex::new(()),
            lock_path,
        }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn athlete_id(&self) -> i64 {
        self.athlete_id
    }

    /// The TrainingPeaks client the history syncs with.
    pub fn client(&self) -> &TpClient {
        &self.client
    }

    pub(crate) async fn lock(
        &self,
    ) -> Result<(tokio::sync::MutexGuard<'_, ()>, SyncLock), StoreError> {
        let gate = self.gate.lock().await;
        let file = match &self.lock_path {
            Some(p) => SyncLock::acquire(p, self.policy.lock_timeout).await?,
            None => SyncLock::none(),
        };
        Ok((gate, file))
    }

    /// Forgets recent coverage of `dataset` when it is stale.
    fn expire_if_stale(&self, dataset: Dataset, today: NaiveDate) -> Result<(), StoreError> {
        let key = fresh_key(dataset);
        let Some(at) = self.store.meta(&key)?.and_then(|v| v.parse::<i64>().ok()) else {
            return Ok(());
        };
        if now_secs() - at >= self.policy.stale_after.as_secs() as i64 {
            let from = today
                .checked_sub_days(Days::new(self.policy.recheck_days))
                .unwrap_or(today);
            tracing::debug!(dataset = dataset.name(), %from, "recent data is stale; it will be fetched again");
            let mut known = self.known_spans(dataset)?;
            for (s, e) in self.store.coverage(dataset)? {
                if e >= from {
                    known = merge(&known, (s.max(from), e));
                }
            }
            let known = serde_json::to_string(&known).unwrap_or_default();
            self.store.set_meta(&known_key(dataset), &known)?;
            self.store.forget_from(dataset, from)?;
            self.store.with(|c| {
                c.execute("DELETE FROM meta WHERE key = ?1", [&key])
                    .map(|_| ())
            })?;
        }
        Ok(())
    }

    /// Marks the recent part of `dataset` as just fetched.
    fn mark_fresh(&self, dataset: Dataset) -> Result<(), StoreError> {
        let now = now_secs().to_string();
        self.store.set_meta(&fetched_key(dataset), &now)?;
        self.store.set_meta(&fresh_key(dataset), &now)
    }

    /// Spans that were cached before they went stale.
    fn known_spans(&self, dataset: Dataset) -> Result<Vec<Span>, StoreError> {
        Ok(self
            .store
            .meta(&known_key(dataset))?
            .and_then(|v| serde_json::from_str(&v).ok())
            .unwrap_or_default())
    }

    /// `failed` (a sync of `want`) becomes `Ok` when the cache may answer
    /// instead: the caller collects stale reads, TrainingPeaks had an
    /// outage, and every day of `want` was cached, if only before it went
    /// stale. The rows of stale days are kept until they are fetched again.
    fn answer_from_cache(
        &self,
        dataset: Dataset,
        want: Span,
        failed: StoreError,
    ) -> Result<(), StoreError> {
        let Some(problem) = fallback::cache_may_answer(&failed) else {
            return Err(failed);
        };
        let mut cached = self.store.coverage(dataset)?;
        for span in self.known_spans(dataset)? {
            cached = merge(&cached, span);
        }
        if !gaps(&cached, want).is_empty() {
            return Err(failed);
        }
        let fetched_at = self
            .store
            .meta(&fetched_key(dataset))?
            .and_then(|v| v.parse().ok());
        tracing::warn!(dataset = dataset.name(), error = %problem, "TrainingPeaks failed; answering from the cache");
        fallback::note(what(dataset), fetched_at, problem);
        Ok(())
    }

    /// Forces the next question to re-fetch recent data (`refresh: true`),
    /// and to list recent workouts' device files again (a re-upload shows).
    pub fn expire_recent(&self, today: NaiveDate) -> Result<(), StoreError> {
        for dataset in [Dataset::Workouts, Dataset::Daily] {
            self.store.set_meta(&fresh_key(dataset), "0")?;
            self.expire_if_stale(dataset, today)?;
        }
        let from = today
            .checked_sub_days(Days::new(self.policy.recheck_days))
            .unwrap_or(today);
        self.recheck_streams_from(from)
    }

    /// Makes sure `start..=end` of the workouts is cached and fresh.
    pub async fn sync_workouts(
        &self,
        start: NaiveDate,
        end: NaiveDate,
        today: NaiveDate,
        progress: Progress<'_>,
    ) -> Result<SyncReport, StoreError> {
        self.expire_if_stale(Dataset::Workouts, today)?;
        if gaps(&self.store.coverage(Dataset::Workouts)?, (start, end)).is_empty() {
            return Ok(SyncReport::default());
        }
        let _held = self.lock().await?;
        // Another caller or process may have fetched while we waited.
        let windows: Vec<(NaiveDate, NaiveDate)> =
            gaps(&self.store.coverage(Dataset::Workouts)?, (start, end))
                .into_iter()
                .flat_map(|(s, e)| date_windows(s, e, MAX_WINDOW_DAYS))
                .collect();
        self.fetch_workout_windows(&windows, today, progress).await
    }

    async fn fetch_workout_windows(
        &self,
        windows: &[(NaiveDate, NaiveDate)],
        today: NaiveDate,
        progress: Progress<'_>,
    ) -> Result<SyncReport, StoreError> {
        let mut report = SyncReport::default();
        for (i, (s, e)) in windows.iter().enumerate() {
            let items = self
                .client
                .workouts_window_json(self.athlete_id, *s, *e)
                .await?;
            let change = self
                .store
                .apply_workout_window(*s, *e, &items, now_secs())?;
            report.windows += 1;
            report.upserted += change.upserted;
            report.deleted += change.deleted;
            if *e >= today {
                self.mark_fresh(Dataset::Workouts)?;
            }
            progress(i + 1, windows.len());
        }
        if report.windows > 0 {
            tracing::info!(
                windows = report.windows,
                upserted = report.upserted,
                deleted = report.deleted,
                "workouts synced"
            );
        }
        Ok(report)
    }

    /// Cached workouts from `start` to `end`, fetching what is missing.
    pub async fn workouts(
        &self,
        start: NaiveDate,
        end: NaiveDate,
        today: NaiveDate,
        progress: Progress<'_>,
    ) -> Result<Vec<Workout>, StoreError> {
        if let Err(e) = self.sync_workouts(start, end, today, progress).await {
            self.answer_from_cache(Dataset::Workouts, (start, end), e)?;
        }
        self.store.workouts_between(start, end)
    }

    /// One workout: from the cache when its day is cached and fresh (or it
    /// was itself fetched less than `stale_after` ago), else fetched and cached.
    pub async fn workout(&self, workout_id: i64, today: NaiveDate) -> Result<Workout, StoreError> {
        self.expire_if_stale(Dataset::Workouts, today)?;
        let cached = self.store.workout_fetched_at(workout_id)?;
        if let Some((w, fetched_at)) = &cached {
            let recent = now_secs() - fetched_at < self.policy.stale_after.as_secs() as i64;
            let covered = match w.workout_day {
                Some(day) => gaps(&self.store.coverage(Dataset::Workouts)?, (day, day)).is_empty(),
                None => false,
            };
            if recent || covered {
                return Ok(w.clone());
            }
        }
        let raw = match self.client.workout_json(self.athlete_id, workout_id).await {
            Ok(raw) => raw,
            Err(e) => return fallback::or_cached(e, cached, "the workout"),
        };
        self.store.put_workout(&raw, now_secs())?;
        Workout::from_json(raw)
            .filter(|w| w.workout_id != 0)
            .ok_or_else(|| StoreError::Corrupt {
                what: "workout",
                detail: "TrainingPeaks sent no workout object".into(),
            })
    }

    /// Daily load from `from` through `until` (days without load are
    /// absent), fetching what is missing in one request.
    pub async fn daily(
        &self,
        from: NaiveDate,
        until: NaiveDate,
        today: NaiveDate,
    ) -> Result<Vec<FitnessDay>, StoreError> {
        self.expire_if_stale(Dataset::Daily, today)?;
        let want = (from, until);
        if let Err(e) = self.sync_daily(want, today).await {
            self.answer_from_cache(Dataset::Daily, want, e)?;
        }
        self.store.daily_between(from, until)
    }

    /// Fetches the days of `want` the daily load does not cover.
    async fn sync_daily(&self, want: Span, today: NaiveDate) -> Result<(), StoreError> {
        if gaps(&self.store.coverage(Dataset::Daily)?, want).is_empty() {
            return Ok(());
        }
        let _held = self.lock().await?;
        for (s, e) in gaps(&self.store.coverage(Dataset::Daily)?, want) {
            let days = self
                .client
                .performance_data(self.athlete_id, s, e, &PerformanceDataRequest::default())
                .await?;
            self.store.apply_daily(s, e, &days)?;
            if e >= today {
                self.mark_fresh(Dataset::Daily)?;
            }
        }
        Ok(())
    }

    /// A workout's personal records: cached for good once TrainingPeaks has
    /// finished computing them.
    pub async fn records(&self, workout_id: i64) -> Result<WorkoutRecords, StoreError> {
        if let Some(v) = self.store.records(workout_id)?
            && let Ok(r) = serde_json::from_value::<WorkoutRecords>(v)
        {
            return Ok(r);
        }
        let raw = self
            .client
            .workout_records_json(self.athlete_id, workout_id)
            .await?;
        let records: WorkoutRecords = serde_json::from_value(raw.clone()).unwrap_or_default();
        if !records.calcs_pending {
            self.store.put_records(workout_id, &raw, now_secs())?;
        }
        Ok(records)
    }

    /// A cached JSON answer younger than `ttl`, else `fetch`ed and cached.
    pub async fn cached_json<F, Fut>(
        &self,
        key: &str,
        ttl: Duration,
        fetch: F,
    ) -> Result<Value, StoreError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Value, tp_api::ApiError>>,
    {
        let cached = self.store.cached(key)?;
        if let Some((value, at)) = &cached
            && now_secs() - at < ttl.as_secs() as i64
        {
            return Ok(value.clone());
        }
        match fetch().await {
            Ok(value) => {
                self.store.put_cached(key, &value, now_secs())?;
                Ok(value)
            }
            Err(e) => fallback::or_cached(e, cached, cached_what(key)),
        }
    }

    pub fn policy(&self) -> &SyncPolicy {
        &self.policy
    }

    /// Fetches the athlete's whole workout history into the cache, newest
    /// window first, through the planning horizon (see the module doc for
    /// the stopping rule). Resumes where an interrupted backfill stopped.
    pub async fn backfill(
        &self,
        today: NaiveDate,
        progress: Progress<'_>,
    ) -> Result<SyncReport, StoreError> {
        let horizon = today
            .checked_add_days(Days::new(self.policy.plan_horizon_days))
            .unwrap_or(today);
        let first = self
            .daily(HISTORY_FLOOR, today, today)
            .await?
            .into_iter()
            .find(|d| d.tss_actual.unwrap_or(0.0) > 0.0)
            .and_then(|d| d.workout_day);
        self.expire_if_stale(Dataset::Workouts, today)?;
        let _held = self.lock().await?;
        let floor = first.unwrap_or(HISTORY_FLOOR);
        let mut windows: Vec<(NaiveDate, NaiveDate)> =
            gaps(&self.store.coverage(Dataset::Workouts)?, (floor, horizon))
                .into_iter()
                .flat_map(|(s, e)| date_windows(s, e, MAX_WINDOW_DAYS))
                .collect();
        windows.reverse(); // newest first: the useful part arrives first
        if first.is_some() {
            return self.fetch_workout_windows(&windows, today, progress).await;
        }
        // Unknown first day: stop after a run of empty windows.
        let mut report = SyncReport::default();
        let mut empty_run = 0;
        for (i, w) in windows.iter().enumerate() {
            let r = self
                .fetch_workout_windows(std::slice::from_ref(w), today, &|_, _| {})
                .await?;
            progress(i + 1, windows.len());
            report.windows += r.windows;
            report.upserted += r.upserted;
            report.deleted += r.deleted;
            empty_run = if r.upserted == 0 { empty_run + 1 } else { 0 };
            if empty_run >= EMPTY_WINDOWS_TO_STOP {
                break;
            }
        }
        Ok(report)
    }
}

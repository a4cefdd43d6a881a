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
    /// The athlete this call is about: the one chosen with the tools'
    /// `athlete` argument, else the account's own.
    pub async fn athlete_id(&self) -> DataResult<i64> {
        match self.chosen_athlete() {
            Some(id) => Ok(id),
            None => Ok(self.client.athlete_id().await?),
        }
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

/// How far ahead "upcoming" events reach: a year and a day (the longest race plan).
pub const UPCOMING_EVENT_DAYS: u64 = 366;

/// What the events endpoints say, together.
#[derive(Debug, Clone, Default)]
pub struct EventCalendar {
    /// The events of the range asked for, by date.
    pub events: Vec<tp_model::Event>,
    /// TrainingPeaks' focus event (the A race the season builds toward).
    pub focus: Option<tp_model::Event>,
}

impl ServerContext {
    /// A small JSON answer kept like recent data: from the cache while
    /// fresh, else fetched (directly with `--no-cache`).
    async fn recent_json<F, Fut>(&self, key: &str, fetch: F) -> DataResult<serde_json::Value>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<serde_json::Value, tp_api::ApiError>>,
    {
        match self.history().await? {
            Some(h) => {
                let ttl = h.policy().stale_after;
                h.cached_json(key, ttl, fetch).await
            }
            None => Ok(fetch().await?),
        }
    }

    /// Events from `start` to `end` inclusive (cached like recent data).
    pub async fn events(
        &self,
        start: NaiveDate,
        end: NaiveDate,
    ) -> DataResult<Vec<tp_model::Event>> {
        let athlete = self.athlete_id().await?;
        let raw = self
            .recent_json(&format!("events:{start}:{end}"), || {
                self.client.events_json(athlete, start, end)
            })
            .await?;
        Ok(tp_api::endpoints::parse_events(&raw))
    }

    /// The focus event, when the athlete has one (cached like recent data).
    pub async fn focus_event(&self) -> DataResult<Option<tp_model::Event>> {
        let athlete = self.athlete_id().await?;
        let raw = self
            .recent_json("events:focus", || self.client.focus_event_json(athlete))
            .await?;
        Ok(tp_api::endpoints::parse_event(&raw))
    }

    /// The next planned event after today, when there is one (cached like recent data).
    pub async fn next_planned_event(&self) -> DataResult<Option<tp_model::Event>> {
        let athlete = self.athlete_id().await?;
        let raw = self
            .recent_json("events:next", || {
                self.client.next_planned_event_json(athlete)
            })
            .await?;
        Ok(tp_api::endpoints::parse_event(&raw))
    }

    /// The events of the coming year (today to [`UPCOMING_EVENT_DAYS`] ahead)
    /// and the focus event — what the planner and the events tool share.
    pub async fn upcoming_events(&self) -> DataResult<EventCalendar> {
        let today = self.today();
        let end = today + chrono::Days::new(UPCOMING_EVENT_DAYS);
        self.event_calendar(today, end).await
    }

    /// The first event after today: from the coming year's list, or asked
    /// of TrainingPeaks when that list has none.
    pub async fn next_event(&self) -> DataResult<Option<tp_model::Event>> {
        let today = self.today();
        let upcoming = self.upcoming_events().await?;
        match upcoming
            .events
            .into_iter()
            .find(|e| e.event_date.is_some_and(|d| d > today))
        {
            Some(e) => Ok(Some(e)),
            None => self.next_planned_event().await,
        }
    }

    /// The events of a range and the focus event: two requests cold, none warm.
    pub async fn event_calendar(
        &self,
        start: NaiveDate,
        end: NaiveDate,
    ) -> DataResult<EventCalendar> {
        let (events, focus) = tokio::join!(self.events(start, end), self.focus_event());
        Ok(EventCalendar {
            events: events?,
            focus: focus?,
        })
    }
}

/// Health metrics are fetched in windows of this many days: the last ones
/// ending today (one request answers readiness and the default questions),
/// older ones in fixed windows aligned on 2000-01-01, so questions over
/// overlapping ranges share them.
pub const METRICS_WINDOW_DAYS: i64 = 90;

impl ServerContext {
    /// Health metrics per day from `start` to `end` inclusive. The recent
    /// window is cached like recent data; older windows for a day.
    pub async fn metrics(
        &self,
        start: NaiveDate,
        end: NaiveDate,
    ) -> DataResult<Vec<tp_model::MetricDay>> {
        let athlete = self.athlete_id().await?;
        let today = self.today();
        let recent_from = today - chrono::Days::new(METRICS_WINDOW_DAYS as u64 - 1);
        let mut entries = Vec::new();
        if end >= recent_from && start <= today {
            let raw = self
                .recent_json(&format!("metrics:{recent_from}:{today}"), || {
                    self.client.metrics_json(athlete, recent_from, today)
                })
                .await?;
            entries.extend(tp_api::endpoints::parse_metrics(&raw));
        }
        if start < recent_from {
            let history = self.history().await?;
            let epoch = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or(start);
            let last = end.min(recent_from - chrono::Days::new(1));
            let mut index = (start - epoch).num_days().div_euclid(METRICS_WINDOW_DAYS);
            loop {
                let from = epoch + chrono::Days::new((index * METRICS_WINDOW_DAYS) as u64);
                if from > last {
                    break;
                }
                let to = from + chrono::Days::new(METRICS_WINDOW_DAYS as u64 - 1);
                let fetch = || self.client.metrics_json(athlete, from, to);
                let raw = match &history {
                    Some(h) => {
                        let recent = to >= today - chrono::Days::new(h.policy().recheck_days);
                        let ttl = if recent {
                            h.policy().stale_after
                        } else {
                            h.policy().profile_ttl
                        };
                        h.cached_json(&format!("metrics:{from}:{to}"), ttl, fetch)
                            .await?
                    }
                    None => fetch().await?,
                };
                // Days from `recent_from` on come from the recent window.
                entries.extend(
                    tp_api::endpoints::parse_metrics(&raw)
                        .into_iter()
                        .filter(|e| e.time_stamp.is_some_and(|t| t.date() < recent_from)),
                );
                index += 1;
            }
        }
        let mut days = tp_model::metrics::by_day(&entries);
        days.retain(|d| d.date >= start && d.date <= end);
        Ok(days)
    }

    /// Readiness on `today` from the last 60 days of metrics.
    pub async fn readiness(&self) -> DataResult<tp_fitness::readiness::Readiness> {
        let today = self.today();
        let from = today - chrono::Days::new(tp_fitness::readiness::BASELINE_DAYS as u64 - 1);
        let days = self.metrics(from, today).await?;
        Ok(tp_fitness::readiness::readiness(&days, today))
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

impl ServerContext {
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

/// The device files of a set of workouts after a fetch within the answer's
/// budget: how they stand, and the history to read their curves from.
pub struct FetchedStreams {
    pub fill: StreamFill,
    pub states: std::collections::HashMap<i64, tp_store::StreamState>,
    history: std::sync::Arc<tp_store::History>,
    /// Each completed workout's day (the curves' dates).
    days: std::collections::HashMap<i64, NaiveDate>,
}

impl FetchedStreams {
    /// The workouts with a stored curve of `channel` (e.g. rides with power).
    pub fn with_curve(
        &self,
        channel: tp_model::ChannelKind,
    ) -> DataResult<std::collections::HashSet<i64>> {
        self.history.store().workouts_with_curve(channel)
    }

    /// One workout's stored curve of `channel` (by the current method).
    pub fn curve_of(
        &self,
        workout_id: i64,
        channel: tp_model::ChannelKind,
    ) -> DataResult<Option<tp_model::MeanMaxCurve>> {
        let Some(day) = self.days.get(&workout_id).copied() else {
            return Ok(None);
        };
        Ok(self
            .history
            .store()
            .curves_between(day, day, &[], channel)?
            .into_iter()
            .find(|c| c.workout_id == workout_id && c.version == STREAM_DERIVER.version)
            .map(|c| c.curve))
    }

    /// The stored summaries of the workouts asked about (those with
    /// streams), with only the parts whose kind starts with one of `parts`
    /// (e.g. `hist:` for the histograms).
    pub fn summaries(
        &self,
        parts: &[&str],
    ) -> DataResult<std::collections::HashMap<i64, tp_model::StreamSummary>> {
        let (Some(first), Some(last)) = (self.days.values().min(), self.days.values().max()) else {
            return Ok(Default::default());
        };
        Ok(self
            .history
            .store()
            .stream_summaries_between(*first, *last, parts)?
            .into_iter()
            .filter(|(id, s)| {
                s.version == STREAM_DERIVER.version
                    && self.states.get(id) == Some(&tp_store::StreamState::Stored)
            })
            .collect())
    }

    /// The day of a workout: from the workouts asked about, else the store.
    fn day_of(&self, workout_id: i64) -> Option<NaiveDate> {
        self.days.get(&workout_id).copied().or_else(|| {
            self.history
                .store()
                .workout(workout_id)
                .ok()
                .flatten()
                .and_then(|w| w.workout_day)
        })
    }
}

impl ServerContext {
    /// Fetches the device files `workouts` (completed ones) still need,
    /// within the answer's time budget and with progress, and says how they
    /// stand.
    pub async fn fetch_streams(&self, workouts: &[Workout]) -> DataResult<FetchedStreams> {
        let history = self.stream_history().await?;
        let completed: Vec<Workout> = workouts
            .iter()
            .filter(|w| w.is_completed())
            .cloned()
            .collect();
        if self.history().await?.is_none() {
            for w in &completed {
                if let Ok(raw) = serde_json::to_value(w) {
                    history.store().put_workout(&raw, 0)?;
                }
            }
        }
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
        // Summaries kept by another version of the method are derived again
        // from their streams (none, usually: one query).
        for id in history
            .store()
            .summaries_not_of_version(STREAM_DERIVER.version)?
        {
            history.summary_for(id, &STREAM_DERIVER)?;
        }
        let states = history.stream_states(&completed)?;
        let coverage = tp_store::StreamCoverage::count(states.values().copied());
        Ok(FetchedStreams {
            fill: StreamFill { coverage, report },
            states,
            history,
            days: completed
                .iter()
                .filter_map(|w| Some((w.workout_id, w.workout_day?)))
                .collect(),
        })
    }

    /// A period's curve of `channel` over the workouts of `sports` at
    /// `durations`: see [`ServerContext::period_curves`].
    pub fn period_curve(
        &self,
        fetched: &FetchedStreams,
        channel: tp_model::ChannelKind,
        sports: &[tp_model::Sport],
        start: NaiveDate,
        end: NaiveDate,
        durations: &[u32],
    ) -> DataResult<Vec<Option<tp_fitness::range_curve::CurvePoint>>> {
        let mut curves =
            self.period_curves(fetched, channel, sports, &[(start, end)], durations)?;
        Ok(curves.pop().unwrap_or_default())
    }

    /// Each period's curve of `channel` over the workouts of `sports` at
    /// `durations`. Whole calendar years and months come from the envelopes
    /// the store keeps (built on first need), the days left at a period's
    /// ends from their workouts' curves (read once for all the periods).
    pub fn period_curves(
        &self,
        fetched: &FetchedStreams,
        channel: tp_model::ChannelKind,
        sports: &[tp_model::Sport],
        periods: &[(NaiveDate, NaiveDate)],
        durations: &[u32],
    ) -> DataResult<Vec<Vec<Option<tp_fitness::range_curve::CurvePoint>>>> {
        use tp_fitness::range_curve::{CurveSource, WorkoutCurve, envelope, range_curve_from};
        let store = fetched.history.store();
        let mut ids: Vec<i64> = sports.iter().map(|s| s.id()).collect();
        ids.sort_unstable();
        ids.dedup();
        let key = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
        let version = STREAM_DERIVER.version;
        let max_d = durations.iter().copied().max().unwrap_or(0) as usize;
        let fold = |curves: &[tp_store::streams::StoredCurve]| {
            let view: Vec<WorkoutCurve> = curves
                .iter()
                .map(|c| WorkoutCurve {
                    workout_id: c.workout_id,
                    date: c.day,
                    curve: &c.curve,
                })
                .collect();
            envelope(&view)
        };
        let spans: Vec<Vec<CalendarSpan>> = periods
            .iter()
            .map(|(start, end)| calendar_spans(*start, *end))
            .collect();
        // The kept envelopes, each read once.
        let mut envelopes = std::collections::HashMap::new();
        for span in spans.iter().flatten() {
            if let CalendarSpan::Whole(period) = span
                && !envelopes.contains_key(&period.key())
            {
                let env = match store.curve_envelope(channel, &key, *period, version, max_d)? {
                    Some(env) => env,
                    None => {
                        store.build_curve_envelope(channel, &key, &ids, *period, version, &fold)?
                    }
                };
                envelopes.insert(period.key(), env);
            }
        }
        // The workouts' curves of every period's loose days, in one read.
        let loose = spans.iter().flatten().filter_map(|span| match span {
            CalendarSpan::Days(first, last) => Some((*first, *last)),
            CalendarSpan::Whole(_) => None,
        });
        let curves = match (loose.clone().map(|d| d.0).min(), loose.map(|d| d.1).max()) {
            (Some(first), Some(last)) => {
                // Whole curves: a duration's best may be held over a
                // longer window than any asked (bests are not monotone).
                let mut curves = store.curves_between(first, last, &ids, channel)?;
                curves.retain(|c| c.version == version);
                curves
            }
            _ => Vec::new(),
        };
        let date_of = |id: i64| fetched.day_of(id);
        Ok(spans
            .iter()
            .map(|spans| {
                // In time order, as the spans come.
                let mut sources: Vec<CurveSource> = Vec::new();
                for span in spans {
                    match span {
                        CalendarSpan::Whole(period) => {
                            if let Some(env) = envelopes.get(&period.key()) {
                                sources.push(CurveSource::Envelope {
                                    envelope: env,
                                    date_of: &date_of,
                                });
                            }
                        }
                        CalendarSpan::Days(first, last) => {
                            let from = curves.partition_point(|c| c.day < *first);
                            let to = curves.partition_point(|c| c.day <= *last);
                            sources.extend(curves[from..to].iter().map(|c| {
                                CurveSource::Workout(WorkoutCurve {
                                    workout_id: c.workout_id,
                                    date: c.day,
                                    curve: &c.curve,
                                })
                            }));
                        }
                    }
                }
                range_curve_from(&sources, durations)
            })
            .collect())
    }
}

/// A stretch of a period: a whole calendar year or month (an envelope is
/// kept for it), or days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CalendarSpan {
    Whole(tp_store::EnvelopePeriod),
    Days(NaiveDate, NaiveDate),
}

/// `start..=end` cut into whole calendar years, whole months and the days
/// left at either end, in time order.
fn calendar_spans(start: NaiveDate, end: NaiveDate) -> Vec<CalendarSpan> {
    use chrono::Datelike;
    use tp_store::EnvelopePeriod;
    let mut spans = Vec::new();
    let mut from = start;
    while from <= end {
        let whole = [
            EnvelopePeriod::Year(from.year()),
            EnvelopePeriod::Month(from),
        ]
        .into_iter()
        .find_map(|p| {
            let (first, last) = p.days()?;
            (first == from && last <= end).then_some((p, last))
        });
        let last = match whole {
            Some((period, last)) => {
                spans.push(CalendarSpan::Whole(period));
                last
            }
            None => {
                // Days up to the next month's start (or the end).
                let month_last = EnvelopePeriod::Month(from).days().map_or(end, |d| d.1);
                let last = month_last.min(end);
                spans.push(CalendarSpan::Days(from, last));
                last
            }
        };
        match last.succ_opt() {
            Some(next) => from = next,
            None => break,
        }
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;
    use tp_store::EnvelopePeriod;

    fn days_of(span: CalendarSpan) -> (NaiveDate, NaiveDate) {
        match span {
            CalendarSpan::Whole(p) => p.days().unwrap(),
            CalendarSpan::Days(a, b) => (a, b),
        }
    }

    // Proves the spans cover every day of the period exactly once, in
    // order, and use the largest kept period wherever one fits: a year when
    // the whole year is inside, else a month, days only at the ends.
    #[test]
    fn periods_are_cut_into_whole_years_months_and_end_days() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let mut start = d("2023-11-28");
        while start <= d("2024-03-02") {
            for len in [0_i64, 1, 3, 30, 31, 59, 365, 366, 400, 800, 3650] {
                let end = start + chrono::Duration::days(len);
                let spans = calendar_spans(start, end);
                let mut next = start;
                for (i, span) in spans.iter().enumerate() {
                    let (a, b) = days_of(*span);
                    assert_eq!(a, next, "{start}..{end}: gap or overlap at {span:?}");
                    assert!(b <= end);
                    match span {
                        CalendarSpan::Whole(EnvelopePeriod::Month(m)) => {
                            let (y0, y1) = EnvelopePeriod::Year(chrono::Datelike::year(m))
                                .days()
                                .unwrap();
                            assert!(
                                y0 < start || y1 > end,
                                "{span:?} should be within a whole year"
                            );
                        }
                        CalendarSpan::Days(a, b) => {
                            let (m0, m1) = EnvelopePeriod::Month(*a).days().unwrap();
                            assert!(m0 < start || m1 > end, "{span:?} should be a whole month");
                            assert!(i == 0 || i == spans.len() - 1, "days only at the ends");
                            assert_eq!(m0.max(start), *a);
                            assert!(*b == m1 || *b == end);
                        }
                        CalendarSpan::Whole(EnvelopePeriod::Year(_)) => {}
                    }
                    next = b.succ_opt().unwrap();
                }
                assert_eq!(next, end.succ_opt().unwrap());
            }
            start = start.succ_opt().unwrap();
        }
        let ten_years = calendar_spans(d("2016-12-01"), d("2026-11-30"));
        assert_eq!(ten_years.len(), 1 + 9 + 10 + 1);
    }
}

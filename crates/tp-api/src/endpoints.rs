//! Typed endpoints: one method per TrainingPeaks resource the tools read.

use crate::client::TpClient;
use crate::error::ApiError;
use crate::transport::ApiRequest;
use crate::windows::{MAX_WINDOW_DAYS, date_windows};
use chrono::NaiveDate;
use reqwest::Method;
use serde_json::Value;
use std::collections::HashSet;
use tp_model::{
    AthleteSettings, Event, FitnessDay, PerformanceDataRequest, PrSport, PrType, RankedPeak,
    UserEnvelope, UserProfile, Workout, WorkoutRecords,
};

/// Called after each window of a chunked fetch: (windows done, windows in all).
pub type Progress<'a> = &'a (dyn Fn(usize, usize) + Send + Sync);

impl TpClient {
    /// Checks that the cookie is accepted by exchanging it (or reusing a
    /// fresh token). Returns the time left on the token.
    pub async fn validate(&self) -> Result<std::time::Duration, ApiError> {
        self.inner
            .tokens
            .get_or_refresh(|| self.exchange_cookie())
            .await?;
        Ok(self.token_remaining().await.unwrap_or_default())
    }

    /// The signed-in user (`GET /users/v3/user`).
    pub async fn user(&self) -> Result<UserProfile, ApiError> {
        let raw = self.user_json().await?;
        parse_user(raw)
    }

    /// The raw JSON of the user endpoint.
    pub async fn user_json(&self) -> Result<Value, ApiError> {
        let req = ApiRequest::get("/users/v3/user".into(), "the user profile");
        self.send_json(&req).await
    }

    /// Raw workout objects in one window of at most 90 days.
    pub async fn workouts_window_json(
        &self,
        athlete_id: i64,
        start: NaiveDate,
        end: NaiveDate,
    ) -> Result<Vec<Value>, ApiError> {
        let req = ApiRequest::get(
            format!("/fitness/v6/athletes/{athlete_id}/workouts/{start}/{end}"),
            format!("the workouts from {start} to {end}"),
        );
        let value: Value = self.send_json(&req).await?;
        match value {
            Value::Array(items) => Ok(items),
            Value::Null => Ok(Vec::new()),
            _ => Err(ApiError::Malformed {
                endpoint: req.what,
                detail: "expected a list of workouts".into(),
            }),
        }
    }

    /// Completed and planned workouts from `start` to `end` inclusive, any
    /// length: fetched in 90-day windows, oldest first, merged, de-duplicated
    /// by workout id and sorted by day, start time and id.
    pub async fn workouts(
        &self,
        athlete_id: i64,
        start: NaiveDate,
        end: NaiveDate,
    ) -> Result<Vec<Workout>, ApiError> {
        self.workouts_with_progress(athlete_id, start, end, &|_, _| {})
            .await
    }

    /// [`TpClient::workouts`], reporting each finished window.
    pub async fn workouts_with_progress(
        &self,
        athlete_id: i64,
        start: NaiveDate,
        end: NaiveDate,
        progress: Progress<'_>,
    ) -> Result<Vec<Workout>, ApiError> {
        if start > end {
            return Err(ApiError::InvalidRequest(format!(
                "start date {start} is after end date {end}"
            )));
        }
        let windows = date_windows(start, end, MAX_WINDOW_DAYS);
        let mut seen = HashSet::new();
        let mut workouts = Vec::new();
        for (i, (from, to)) in windows.iter().enumerate() {
            for item in self.workouts_window_json(athlete_id, *from, *to).await? {
                let Some(w) = Workout::from_json(item) else {
                    continue;
                };
                if w.workout_id == 0 {
                    tracing::warn!("skipping a workout without workoutId");
                    continue;
                }
                if seen.insert(w.workout_id) {
                    workouts.push(w);
                }
            }
            progress(i + 1, windows.len());
        }
        sort_workouts(&mut workouts);
        Ok(workouts)
    }

    /// One workout in full (`GET /fitness/v6/athletes/{id}/workouts/{workoutId}`).
    pub async fn workout(&self, athlete_id: i64, workout_id: i64) -> Result<Workout, ApiError> {
        let value = self.workout_json(athlete_id, workout_id).await?;
        Workout::from_json(value)
            .filter(|w| w.workout_id != 0)
            .ok_or_else(|| ApiError::Malformed {
                endpoint: format!("workout {workout_id}"),
                detail: "not a workout object".into(),
            })
    }

    /// One workout's raw JSON object.
    pub async fn workout_json(&self, athlete_id: i64, workout_id: i64) -> Result<Value, ApiError> {
        let req = ApiRequest::get(
            format!("/fitness/v6/athletes/{athlete_id}/workouts/{workout_id}"),
            format!("workout {workout_id}"),
        );
        let value: Value = self.send_json(&req).await?;
        if value.is_object() {
            Ok(value)
        } else {
            Err(ApiError::Malformed {
                endpoint: req.what,
                detail: "not a workout object".into(),
            })
        }
    }

    /// Daily performance data (TSS per day, and TrainingPeaks' own CTL/ATL/TSB)
    /// from `start` to `end`, in windows of `performance_window_days`.
    pub async fn performance_data(
        &self,
        athlete_id: i64,
        start: NaiveDate,
        end: NaiveDate,
        body: &PerformanceDataRequest,
    ) -> Result<Vec<FitnessDay>, ApiError> {
        if start > end {
            return Err(ApiError::InvalidRequest(format!(
                "start date {start} is after end date {end}"
            )));
        }
        let mut days: Vec<FitnessDay> = Vec::new();
        for (from, to) in date_windows(start, end, self.inner.config.performance_window_days) {
            let mut req = ApiRequest::get(
                format!("/fitness/v1/athletes/{athlete_id}/reporting/performancedata/{from}/{to}"),
                format!("the performance data from {from} to {to}"),
            );
            req.method = Method::POST;
            req.body = Some(serde_json::to_value(body).unwrap_or_default());
            // Typed, row by row: a whole history is ~10 000 rows, and a
            // generic JSON tree of it would take ten times the memory.
            let rows: tp_model::lenient::SkipBad<FitnessDay> = self.send_json(&req).await?;
            days.extend(rows.0);
        }
        days.retain(|d| d.workout_day.is_some());
        days.shrink_to_fit();
        days.sort_by_key(|d| d.workout_day);
        days.dedup_by_key(|d| d.workout_day);
        Ok(days)
    }

    /// The personal records one workout set.
    pub async fn workout_records(
        &self,
        athlete_id: i64,
        workout_id: i64,
    ) -> Result<WorkoutRecords, ApiError> {
        let raw = self.workout_records_json(athlete_id, workout_id).await?;
        serde_json::from_value(raw).map_err(|e| ApiError::Malformed {
            endpoint: format!("the personal records of workout {workout_id}"),
            detail: e.to_string(),
        })
    }

    /// The raw JSON of a workout's personal records.
    pub async fn workout_records_json(
        &self,
        athlete_id: i64,
        workout_id: i64,
    ) -> Result<Value, ApiError> {
        let req = ApiRequest::get(
            format!("/personalrecord/v2/athletes/{athlete_id}/workouts/{workout_id}"),
            format!("the personal records of workout {workout_id}"),
        );
        self.send_json(&req).await
    }

    /// The ranking of one record type for a sport between two days. This
    /// endpoint answers 500 for some parameter combinations; see
    /// [`TpClient::sport_peaks_or_scan`] for the fallback.
    pub async fn sport_peaks(
        &self,
        athlete_id: i64,
        sport: PrSport,
        pr_type: &PrType,
        start: NaiveDate,
        end: NaiveDate,
    ) -> Result<Vec<RankedPeak>, ApiError> {
        let mut req = ApiRequest::get(
            format!(
                "/personalrecord/v2/athletes/{athlete_id}/{}",
                sport.api_name()
            ),
            format!("the {} {} ranking", sport.api_name(), pr_type.query),
        );
        req.query = vec![
            ("prType", pr_type.query.to_string()),
            ("startDate", format!("{start}T00:00:00")),
            ("endDate", format!("{end}T00:00:00")),
        ];
        let value: Value = self.send_json(&req).await?;
        match value {
            Value::Array(items) => Ok(items
                .into_iter()
                .filter_map(|i| serde_json::from_value(i).ok())
                .collect()),
            _ => Err(ApiError::Malformed {
                endpoint: req.what,
                detail: "expected a ranked list".into(),
            }),
        }
    }

    /// The ranking endpoint, or — when it answers 5xx — the same ranking
    /// aggregated from the per-workout records of the sport's workouts in the
    /// range that report personal records (what the reference server does).
    pub async fn sport_peaks_or_scan(
        &self,
        athlete_id: i64,
        sport: PrSport,
        pr_type: &PrType,
        start: NaiveDate,
        end: NaiveDate,
    ) -> Result<(Vec<RankedPeak>, PeakSource), ApiError> {
        match self
            .sport_peaks(athlete_id, sport, pr_type, start, end)
            .await
        {
            Ok(peaks) => Ok((peaks, PeakSource::RankingEndpoint)),
            Err(ApiError::Server { status, .. }) => {
                tracing::warn!(
                    status,
                    "ranking endpoint failed; aggregating from workout records"
                );
                let workouts = self.workouts(athlete_id, start, end).await?;
                let wanted = match sport {
                    PrSport::Bike => [tp_model::Sport::Bike, tp_model::Sport::MountainBike],
                    PrSport::Run => [tp_model::Sport::Run, tp_model::Sport::Run],
                };
                let mut peaks = Vec::new();
                for w in workouts.iter().filter(|w| {
                    wanted.contains(&w.sport()) && w.personal_record_count.unwrap_or(0) > 0
                }) {
                    let records = self.workout_records(athlete_id, w.workout_id).await?;
                    if let Some(best) = records
                        .personal_records
                        .iter()
                        .filter(|r| {
                            !r.invalid && r.class.as_deref() == Some(pr_type.class.api_name())
                        })
                        .filter(|r| {
                            r.record_type
                                .as_deref()
                                .is_some_and(|t| t.eq_ignore_ascii_case(pr_type.record_type))
                        })
                        .filter_map(|r| r.value)
                        .max_by(f64::total_cmp)
                    {
                        peaks.push(RankedPeak {
                            rank: None,
                            value: Some(best),
                            workout_id: Some(w.workout_id),
                            workout_title: w.title.clone(),
                            workout_date: w.workout_day,
                        });
                    }
                }
                peaks.sort_by(|a, b| b.value.unwrap_or(0.0).total_cmp(&a.value.unwrap_or(0.0)));
                for (i, p) in peaks.iter_mut().enumerate() {
                    p.rank = Some(i as i64 + 1);
                }
                Ok((peaks, PeakSource::WorkoutScan))
            }
            Err(e) => Err(e),
        }
    }

    /// Thresholds and zones (`GET /fitness/v1/athletes/{id}/settings`).
    pub async fn settings(&self, athlete_id: i64) -> Result<AthleteSettings, ApiError> {
        let req = ApiRequest::get(
            format!("/fitness/v1/athletes/{athlete_id}/settings"),
            "the athlete settings",
        );
        self.send_json(&req).await
    }
}

impl TpClient {
    /// The raw events from `start` to `end` inclusive
    /// (`GET /fitness/v6/athletes/{id}/events/{start}/{end}`): a list.
    pub async fn events_json(
        &self,
        athlete_id: i64,
        start: NaiveDate,
        end: NaiveDate,
    ) -> Result<Value, ApiError> {
        let req = ApiRequest::get(
            format!("/fitness/v6/athletes/{athlete_id}/events/{start}/{end}"),
            format!("the events from {start} to {end}"),
        );
        self.send_optional_json(&req).await
    }

    /// The raw focus event (`…/events/focusevent`, the A-priority race the
    /// athlete builds toward); `Null` when there is none (an empty body, or 404).
    pub async fn focus_event_json(&self, athlete_id: i64) -> Result<Value, ApiError> {
        self.one_event_json(athlete_id, "focusevent", "the focus event")
            .await
    }

    /// The raw next planned event (`…/events/nextplannedevent`); `Null` when none.
    pub async fn next_planned_event_json(&self, athlete_id: i64) -> Result<Value, ApiError> {
        self.one_event_json(athlete_id, "nextplannedevent", "the next planned event")
            .await
    }

    async fn one_event_json(
        &self,
        athlete_id: i64,
        which: &str,
        what: &str,
    ) -> Result<Value, ApiError> {
        let req = ApiRequest::get(
            format!("/fitness/v6/athletes/{athlete_id}/events/{which}"),
            what.to_string(),
        );
        self.send_optional_json(&req).await
    }

    /// JSON where "nothing" may come as an empty body, `null` or a 404.
    async fn send_optional_json(&self, req: &ApiRequest) -> Result<Value, ApiError> {
        let body = match self.send(req).await {
            Ok(body) => body,
            Err(ApiError::NotFound { .. }) => return Ok(Value::Null),
            Err(e) => return Err(e),
        };
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Value::Null);
        }
        serde_json::from_slice(&body).map_err(|e| ApiError::Malformed {
            endpoint: req.what.clone(),
            detail: e.to_string(),
        })
    }
}

impl TpClient {
    /// The raw health metrics from `start` to `end` inclusive
    /// (`GET /metrics/v3/athletes/{id}/consolidatedtimedmetrics/{start}/{end}`):
    /// a list of timed entries; `Null` when none.
    pub async fn metrics_json(
        &self,
        athlete_id: i64,
        start: NaiveDate,
        end: NaiveDate,
    ) -> Result<Value, ApiError> {
        let req = ApiRequest::get(
            format!("/metrics/v3/athletes/{athlete_id}/consolidatedtimedmetrics/{start}/{end}"),
            format!("the health metrics from {start} to {end}"),
        );
        self.send_optional_json(&req).await
    }
}

/// Metric entries from a list answer (unreadable entries skipped).
pub fn parse_metrics(raw: &Value) -> Vec<tp_model::MetricEntry> {
    match raw {
        Value::Array(items) => items
            .iter()
            .filter_map(|v| serde_json::from_value(v.clone()).ok())
            .collect(),
        _ => Vec::new(),
    }
}

/// Events from a list answer (entries that are not objects, or have no
/// date, are skipped), by date.
pub fn parse_events(raw: &Value) -> Vec<Event> {
    let mut events: Vec<Event> = match raw {
        Value::Array(items) => items.iter().filter_map(parse_event).collect(),
        _ => Vec::new(),
    };
    events.sort_by_key(|e| (e.event_date, e.id()));
    events
}

/// One event from an object answer; `None` for null, `{}` or an entry without a date.
pub fn parse_event(raw: &Value) -> Option<Event> {
    if !raw.is_object() {
        return None;
    }
    let event: Event = serde_json::from_value(raw.clone()).ok()?;
    event.event_date.is_some().then_some(event)
}

/// Where a ranking came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum PeakSource {
    /// TrainingPeaks' per-sport ranking endpoint.
    RankingEndpoint,
    /// Aggregated from per-workout records after the ranking endpoint failed.
    WorkoutScan,
}

/// Reads `{"user": {...}}`.
pub fn parse_user(raw: Value) -> Result<UserProfile, ApiError> {
    let malformed = |detail: &str| ApiError::Malformed {
        endpoint: "the user profile".into(),
        detail: detail.into(),
    };
    let env: UserEnvelope = serde_json::from_value(raw).map_err(|e| malformed(&e.to_string()))?;
    env.user.ok_or_else(|| malformed("no `user` object"))
}

/// Orders workouts by day, then start time, then id.
pub fn sort_workouts(workouts: &mut [Workout]) {
    workouts.sort_by(|a, b| {
        (a.workout_day, a.start_time, a.workout_id).cmp(&(
            b.workout_day,
            b.start_time,
            b.workout_id,
        ))
    });
}

//! Fetching device files into the cache: one workout when it is asked
//! about, many against a time budget, or the whole history.
//!
//! The rules, in one place:
//! - **Twice at most per workout.** A workout costs the file list
//!   (`…/details`) and, when it lists a file not yet stored, the download.
//!   What was decided is kept ([`FileState`]) with the workout's
//!   fingerprint: a workout entered by hand, or whose file could not be
//!   read, is not asked about again until it changes (or the user asks
//!   with `refresh`); a failed attempt is retried next time.
//! - **A re-upload replaces.** When the list names another file id than
//!   the one stored, the new file is fetched and replaces the streams and
//!   their summary in one transaction.
//! - **Decoding is `tp-device`'s, the summary the caller's** ([`Deriver`]:
//!   tp-mcp passes tp-fitness' method, so this crate does no analytics).
//!   Both run off the async threads.
//! - **Budgets and stopping.** [`History::fill_streams`] works newest
//!   first, stops at a deadline, on a cancel flag (Ctrl-C) or at the first
//!   outage, and reports exactly what it did and what is left.

use crate::streams::{FileState, FileStatus, StoredStreams, StreamCoverage};
use crate::sync::History;
use crate::{Store, StoreError};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;
use tp_api::ApiError;
use tp_model::{Activity, StreamSummary, Streams, Workout};

/// How the summary kept beside the streams is computed (tp-fitness'
/// method, passed in by the caller).
#[derive(Clone, Copy)]
pub struct Deriver {
    /// The method's version; stored summaries of another version are
    /// derived again.
    pub version: u32,
    pub summarize: fn(&Streams) -> StreamSummary,
}

impl std::fmt::Debug for Deriver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Deriver")
            .field("version", &self.version)
            .finish()
    }
}

/// A workout's second-by-second data, as far as it exists.
#[derive(Debug, Clone, PartialEq)]
pub enum StreamsOutcome {
    /// Stored (the activity's `problems` say what did not decode).
    Stored(Box<StoredStreams>),
    /// TrainingPeaks has no device file for the workout (entered by hand,
    /// or planned).
    NoFile,
    /// There is a file, but it cannot be read; why, in words.
    Unreadable(String),
}

/// Where one workout's second-by-second data stands, as far as the cache
/// knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamState {
    Stored,
    NoFile,
    Unreadable,
    /// Not fetched yet, changed since, or the last attempt failed.
    Missing,
}

impl StreamCoverage {
    /// Counts states.
    pub fn count(states: impl IntoIterator<Item = StreamState>) -> StreamCoverage {
        let mut c = StreamCoverage::default();
        for s in states {
            c.workouts += 1;
            match s {
                StreamState::Stored => c.stored += 1,
                StreamState::NoFile => c.no_file += 1,
                StreamState::Unreadable => c.unreadable += 1,
                StreamState::Missing => c.missing += 1,
            }
        }
        c
    }
}

/// What [`History::fill_streams`] did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FillReport {
    /// Workouts that still needed asking when it started.
    pub needed: usize,
    /// Of those: now stored, without a file, unreadable, failed.
    pub stored: usize,
    pub no_file: usize,
    pub unreadable: usize,
    pub failed: usize,
    /// Not reached (deadline, cancel or outage).
    pub left: usize,
    /// Why it stopped early, in words.
    pub stopped: Option<String>,
}

/// What identifies a workout's recorded content: a change means the file
/// may have changed too (a re-upload recomputes the summary).
pub fn fingerprint(w: &Workout) -> String {
    format!(
        "{:?}|{:?}|{:?}|{:?}|{:?}|{:?}",
        w.total_time, w.distance, w.tss_actual, w.power_average, w.heart_rate_average, w.start_time
    )
}

fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Whether the cache already knows enough about the workout's file.
fn settled(status: Option<&FileStatus>, fp: &str) -> bool {
    status.is_some_and(|s| s.fingerprint == fp && s.state != FileState::Failed)
}

impl History {
    /// One workout's streams: from the cache when settled, else fetched
    /// (the file list, then the file when it is new).
    pub async fn workout_streams(
        &self,
        workout: &Workout,
        deriver: &Deriver,
    ) -> Result<StreamsOutcome, StoreError> {
        if !workout.is_completed() {
            return Ok(StreamsOutcome::NoFile);
        }
        let fp = fingerprint(workout);
        let status = self.store().file_status(workout.workout_id)?;
        if settled(status.as_ref(), &fp) {
            return self.cached_outcome(workout.workout_id, status);
        }
        let _held = self.lock().await?;
        // Another caller or process may have fetched it while we waited.
        let status = self.store().file_status(workout.workout_id)?;
        if settled(status.as_ref(), &fp) {
            return self.cached_outcome(workout.workout_id, status);
        }
        self.fetch_streams(workout, &fp, deriver).await
    }

    /// What the cache says, for a settled workout.
    fn cached_outcome(
        &self,
        workout_id: i64,
        status: Option<FileStatus>,
    ) -> Result<StreamsOutcome, StoreError> {
        let status = status.expect("settled means known");
        Ok(match status.state {
            FileState::Stored => match self.store().streams(workout_id)? {
                Some(s) => StreamsOutcome::Stored(Box::new(s)),
                None => StreamsOutcome::Unreadable(
                    "the stored streams are missing; ask again with refresh".into(),
                ),
            },
            FileState::NoFile => StreamsOutcome::NoFile,
            FileState::Unreadable | FileState::Failed => {
                StreamsOutcome::Unreadable(status.note.unwrap_or_default())
            }
        })
    }

    /// Asks TrainingPeaks (caller holds the lock).
    async fn fetch_streams(
        &self,
        workout: &Workout,
        fp: &str,
        deriver: &Deriver,
    ) -> Result<StreamsOutcome, StoreError> {
        let id = workout.workout_id;
        let client = self.client();
        let status =
            |state, file: Option<&tp_model::DeviceFileInfo>, note: Option<String>| FileStatus {
                state,
                file_id: file.and_then(|f| f.file_id.clone()),
                file_name: file.and_then(|f| f.file_name.clone()),
                note,
                fingerprint: fp.to_string(),
                checked_at: now_secs(),
            };
        let details = match client.workout_details(self.athlete_id(), id).await {
            Ok(d) => d,
            Err(e) => return Err(self.record_failure(id, e, None)),
        };
        let Some(file) = details.device_file().cloned() else {
            self.store()
                .set_file_status(id, &status(FileState::NoFile, None, None))?;
            return Ok(StreamsOutcome::NoFile);
        };
        // The same file as stored: nothing to download.
        if let Some(stored) = self.store().streams(id)?
            && Some(&stored.file_id) == file.file_id.as_ref()
        {
            self.store().confirm_stored(id, fp, now_secs())?;
            return Ok(StreamsOutcome::Stored(Box::new(stored)));
        }
        let downloaded = match client.device_file(self.athlete_id(), id, &file).await {
            Ok(d) => d,
            Err(e) if matches!(e, ApiError::BadFile { .. } | ApiError::TooLarge { .. }) => {
                let note = e.to_string();
                self.store().set_file_status(
                    id,
                    &status(FileState::Unreadable, Some(&file), Some(note.clone())),
                )?;
                return Ok(StreamsOutcome::Unreadable(note));
            }
            Err(e) => return Err(self.record_failure(id, e, Some(&file))),
        };
        let name = file.file_name.clone();
        let deriver = *deriver;
        let decoded = tokio::task::spawn_blocking(move || {
            let activity = tp_device::decode(&downloaded.bytes, name.as_deref());
            // The file is not needed for the summary: freed before it.
            drop(downloaded);
            activity.map(|activity| {
                let summary =
                    (!activity.streams.is_empty()).then(|| (deriver.summarize)(&activity.streams));
                (activity, summary)
            })
        })
        .await
        .map_err(|e| StoreError::Corrupt {
            what: "device file",
            detail: format!("decoding stopped: {e}"),
        })?;
        match decoded {
            Ok((activity, Some(summary))) => {
                let stored_status =
                    status(FileState::Stored, Some(&file), problems_note(&activity));
                let bytes =
                    self.store()
                        .put_streams(id, &stored_status, &activity, Some(&summary))?;
                tracing::debug!(
                    workout = id,
                    samples = activity.streams.len(),
                    bytes,
                    "streams stored"
                );
                Ok(StreamsOutcome::Stored(Box::new(StoredStreams {
                    workout_id: id,
                    file_id: file.file_id.clone().unwrap_or_default(),
                    file_name: file.file_name.clone(),
                    activity,
                    stored_bytes: bytes,
                })))
            }
            Ok((activity, None)) => {
                let mut note = "the device file holds no second-by-second records".to_string();
                if let Some(p) = problems_note(&activity) {
                    note.push_str(&format!(" ({p})"));
                }
                self.store().set_file_status(
                    id,
                    &status(FileState::Unreadable, Some(&file), Some(note.clone())),
                )?;
                Ok(StreamsOutcome::Unreadable(note))
            }
            Err(e) => {
                let note = e.to_string();
                self.store().set_file_status(
                    id,
                    &status(FileState::Unreadable, Some(&file), Some(note.clone())),
                )?;
                Ok(StreamsOutcome::Unreadable(note))
            }
        }
    }

    /// Records a failed attempt (retried next time; stored streams kept)
    /// and returns the error.
    fn record_failure(
        &self,
        workout_id: i64,
        e: ApiError,
        file: Option<&tp_model::DeviceFileInfo>,
    ) -> StoreError {
        let failed = FileStatus {
            state: FileState::Failed,
            file_id: file.and_then(|f| f.file_id.clone()),
            file_name: file.and_then(|f| f.file_name.clone()),
            note: Some(e.to_string()),
            fingerprint: String::new(),
            checked_at: now_secs(),
        };
        if let Err(store_error) = self.store().set_file_status(workout_id, &failed) {
            tracing::warn!(error = %store_error, "could not record a failed device-file fetch");
        }
        StoreError::Api(e)
    }

    /// The completed workouts of `workouts` whose device file the cache
    /// does not know yet (or must check again), newest first.
    pub fn streams_needed<'a>(
        &self,
        workouts: &'a [Workout],
    ) -> Result<Vec<&'a Workout>, StoreError> {
        let ids: Vec<i64> = workouts.iter().map(|w| w.workout_id).collect();
        let statuses = self.store().file_statuses(&ids)?;
        let mut needed: Vec<&Workout> = workouts
            .iter()
            .filter(|w| w.is_completed())
            .filter(|w| !settled(statuses.get(&w.workout_id), &fingerprint(w)))
            .collect();
        needed.sort_by(|a, b| {
            (b.workout_day, b.start_time, b.workout_id).cmp(&(
                a.workout_day,
                a.start_time,
                a.workout_id,
            ))
        });
        Ok(needed)
    }

    /// What the cache knows of each completed workout's device file.
    pub fn stream_states(
        &self,
        workouts: &[Workout],
    ) -> Result<std::collections::HashMap<i64, StreamState>, StoreError> {
        let completed: Vec<&Workout> = workouts.iter().filter(|w| w.is_completed()).collect();
        let ids: Vec<i64> = completed.iter().map(|w| w.workout_id).collect();
        let statuses = self.store().file_statuses(&ids)?;
        Ok(completed
            .into_iter()
            .map(|w| {
                let state = match statuses.get(&w.workout_id) {
                    Some(s) if s.state == FileState::Stored => StreamState::Stored,
                    Some(s)
                        if s.state == FileState::NoFile && settled(Some(s), &fingerprint(w)) =>
                    {
                        StreamState::NoFile
                    }
                    Some(s)
                        if s.state == FileState::Unreadable
                            && settled(Some(s), &fingerprint(w)) =>
                    {
                        StreamState::Unreadable
                    }
                    _ => StreamState::Missing,
                };
                (w.workout_id, state)
            })
            .collect())
    }

    /// How the device files of `workouts` (completed ones) stand.
    pub fn stream_coverage(&self, workouts: &[Workout]) -> Result<StreamCoverage, StoreError> {
        Ok(StreamCoverage::count(
            self.stream_states(workouts)?.values().copied(),
        ))
    }

    /// Fetches the device files `workouts` still need, newest first, until
    /// `deadline`, `cancel` or an outage; `progress(done, total)` after each.
    pub async fn fill_streams(
        &self,
        workouts: &[Workout],
        deriver: &Deriver,
        deadline: Option<Instant>,
        cancel: &AtomicBool,
        progress: &(dyn Fn(usize, usize) + Send + Sync),
    ) -> Result<FillReport, StoreError> {
        let needed = self.streams_needed(workouts)?;
        let mut report = FillReport {
            needed: needed.len(),
            ..FillReport::default()
        };
        for (i, w) in needed.iter().enumerate() {
            if cancel.load(Ordering::Relaxed) {
                report.stopped = Some("stopped on request".into());
            } else if deadline.is_some_and(|d| Instant::now() >= d) {
                report.stopped = Some("the time budget for this answer ran out".into());
            }
            if report.stopped.is_some() {
                report.left = needed.len() - i;
                break;
            }
            match self.workout_streams(w, deriver).await {
                Ok(StreamsOutcome::Stored(_)) => report.stored += 1,
                Ok(StreamsOutcome::NoFile) => report.no_file += 1,
                Ok(StreamsOutcome::Unreadable(_)) => report.unreadable += 1,
                Err(StoreError::Api(e)) if e.is_outage() || e.needs_reauth() => {
                    report.failed += 1;
                    report.left = needed.len() - i - 1;
                    report.stopped = Some(e.to_string());
                    break;
                }
                Err(StoreError::Api(e)) => {
                    tracing::warn!(workout = w.workout_id, error = %e, "device file not fetched");
                    report.failed += 1;
                }
                Err(e) => return Err(e),
            }
            progress(i + 1, needed.len());
        }
        Ok(report)
    }

    /// A workout's summary, derived again from its stored streams when the
    /// stored one is of another version (or damaged).
    pub fn summary_for(
        &self,
        workout_id: i64,
        deriver: &Deriver,
    ) -> Result<Option<StreamSummary>, StoreError> {
        if let Some(s) = self.store().stream_summary(workout_id)?
            && s.version == deriver.version
        {
            return Ok(Some(s));
        }
        let Some(stored) = self.store().streams(workout_id)? else {
            return Ok(None);
        };
        let summary = (deriver.summarize)(&stored.activity.streams);
        self.store().put_stream_summary(workout_id, &summary)?;
        Ok(Some(summary))
    }

    /// Makes the device files of workouts done on or after `from` be
    /// listed again on the next question (`refresh: true`).
    pub fn recheck_streams_from(&self, from: chrono::NaiveDate) -> Result<(), StoreError> {
        self.store().recheck_files_from(from)
    }
}

impl Store {
    /// The stored streams are still the listed file: the state is settled
    /// again for the workout as it is now.
    pub fn confirm_stored(
        &self,
        workout_id: i64,
        fingerprint: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        self.with(|c| {
            c.execute(
                "UPDATE device_files SET state = 'stored', fingerprint = ?2, checked_at = ?3 WHERE workout_id = ?1",
                (workout_id, fingerprint, now),
            )
            .map(|_| ())
        })
    }

    /// Forgets the fingerprints of the device files of workouts done on or
    /// after `from`, so they are listed again (streams are kept).
    pub fn recheck_files_from(&self, from: chrono::NaiveDate) -> Result<(), StoreError> {
        self.with(|c| {
            c.execute(
                "UPDATE device_files SET fingerprint = '' WHERE workout_id IN
                   (SELECT workout_id FROM workouts WHERE day >= ?1)",
                [from.to_string()],
            )
            .map(|_| ())
        })
    }
}

/// What did not decode, in one line.
fn problems_note(activity: &Activity) -> Option<String> {
    (!activity.problems.is_empty()).then(|| activity.problems.join("; "))
}

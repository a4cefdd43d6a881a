//! Cached workouts: written a window at a time, read by day range or id.

use crate::coverage::{Dataset, add_span};
use crate::{Store, StoreError};
use chrono::NaiveDate;
use rusqlite::OptionalExtension;
use serde_json::Value;
use std::collections::HashSet;
use tp_model::Workout;

/// What one window changed in the cache.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WindowChange {
    pub upserted: usize,
    /// Cached workouts of the window TrainingPeaks no longer lists.
    pub deleted: usize,
}

impl Store {
    /// Replaces the cached workouts of `start..=end` with `items` (the raw
    /// JSON TrainingPeaks sent for that window) and marks the window covered,
    /// all in one transaction: a crash leaves either the old window or the
    /// new one, never half. Workouts of the window that are not in `items`
    /// were deleted in TrainingPeaks and are deleted here.
    pub fn apply_workout_window(
        &self,
        start: NaiveDate,
        end: NaiveDate,
        items: &[Value],
        now: i64,
    ) -> Result<WindowChange, StoreError> {
        let parsed: Vec<(Workout, &Value)> = items
            .iter()
            .filter_map(|v| Workout::from_json(v.clone()).map(|w| (w, v)))
            .filter(|(w, _)| w.workout_id != 0)
            .collect();
        self.write(|tx| {
            let keep: HashSet<i64> = parsed.iter().map(|(w, _)| w.workout_id).collect();
            let mut deleted = 0;
            {
                let mut ids = tx.prepare("SELECT workout_id FROM workouts WHERE day BETWEEN ?1 AND ?2")?;
                let stale: Vec<i64> = ids
                    .query_map((start.to_string(), end.to_string()), |r| r.get(0))?
                    .collect::<Result<_, _>>()?;
                let mut del = tx.prepare("DELETE FROM workouts WHERE workout_id = ?1")?;
                for id in stale.into_iter().filter(|id| !keep.contains(id)) {
                    deleted += del.execute([id])?;
                    crate::streams::delete_stream_rows(tx, id)?;
                }
            }
            {
                let mut up = tx.prepare(
                    "INSERT INTO workouts (workout_id, day, sport_id, completed, tss, raw, fetched_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                     ON CONFLICT(workout_id) DO UPDATE SET day = excluded.day, sport_id = excluded.sport_id,
                       completed = excluded.completed, tss = excluded.tss, raw = excluded.raw,
                       fetched_at = excluded.fetched_at",
                )?;
                for (w, raw) in &parsed {
                    up.execute((
                        w.workout_id,
                        w.workout_day.map(|d| d.to_string()),
                        w.workout_type_value_id,
                        w.is_completed(),
                        w.tss_actual,
                        raw.to_string(),
                        now,
                    ))?;
                }
            }
            // Workouts added, moved or deleted change their months' bests.
            crate::streams::invalidate_months_between(tx, start, end)?;
            add_span(tx, Dataset::Workouts, (start, end))?;
            Ok(WindowChange { upserted: parsed.len(), deleted })
        })
    }

    /// Cached workouts from `start` to `end`, by day, start time and id.
    pub fn workouts_between(
        &self,
        start: NaiveDate,
        end: NaiveDate,
    ) -> Result<Vec<Workout>, StoreError> {
        let raws: Vec<String> = self.with(|c| {
            let mut stmt =
                c.prepare_cached("SELECT raw FROM workouts WHERE day BETWEEN ?1 AND ?2")?;
            stmt.query_map((start.to_string(), end.to_string()), |r| r.get(0))?
                .collect()
        })?;
        let mut out: Vec<Workout> = raws.iter().filter_map(|raw| parse_workout(raw)).collect();
        tp_api::endpoints::sort_workouts(&mut out);
        Ok(out)
    }

    /// One cached workout.
    pub fn workout(&self, workout_id: i64) -> Result<Option<Workout>, StoreError> {
        Ok(self.workout_fetched_at(workout_id)?.map(|(w, _)| w))
    }

    /// One cached workout and when it was fetched (unix seconds).
    pub fn workout_fetched_at(
        &self,
        workout_id: i64,
    ) -> Result<Option<(Workout, i64)>, StoreError> {
        let row: Option<(String, i64)> = self.with(|c| {
            c.query_row(
                "SELECT raw, fetched_at FROM workouts WHERE workout_id = ?1",
                [workout_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
        })?;
        Ok(row.and_then(|(raw, at)| parse_workout(&raw).map(|w| (w, at))))
    }

    /// Stores one workout fetched by id (outside any window).
    pub fn put_workout(&self, raw: &Value, now: i64) -> Result<(), StoreError> {
        let Some(w) = Workout::from_json(raw.clone()).filter(|w| w.workout_id != 0) else {
            return Ok(());
        };
        self.write(|tx| {
            // The months it was and is in may both change their bests.
            crate::streams::invalidate_month_of(tx, w.workout_id)?;
            tx.execute(
                "INSERT INTO workouts (workout_id, day, sport_id, completed, tss, raw, fetched_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT(workout_id) DO UPDATE SET day = excluded.day, sport_id = excluded.sport_id,
                   completed = excluded.completed, tss = excluded.tss, raw = excluded.raw, fetched_at = excluded.fetched_at",
                (w.workout_id, w.workout_day.map(|d| d.to_string()), w.workout_type_value_id, w.is_completed(), w.tss_actual, raw.to_string(), now),
            )?;
            crate::streams::invalidate_month_of(tx, w.workout_id)?;
            Ok(())
        })
    }

    /// How many workouts are cached.
    pub fn workout_count(&self) -> Result<usize, StoreError> {
        self.with(|c| c.query_row("SELECT COUNT(*) FROM workouts", [], |r| r.get::<_, i64>(0)))
            .map(|n| n as usize)
    }

    /// The earliest cached workout day.
    pub fn first_workout_day(&self) -> Result<Option<NaiveDate>, StoreError> {
        let day: Option<String> =
            self.with(|c| c.query_row("SELECT MIN(day) FROM workouts", [], |r| r.get(0)))?;
        Ok(day.and_then(|d| d.parse().ok()))
    }
}

fn parse_workout(raw: &str) -> Option<Workout> {
    // Straight from the text: no intermediate `Value` tree (a decade of
    // workouts parses in half the time).
    serde_json::from_str::<Workout>(raw).ok()
}

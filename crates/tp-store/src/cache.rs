//! Small cached answers: profile, settings, rankings, and per-workout records.

use crate::{Store, StoreError};
use rusqlite::OptionalExtension;
use serde_json::Value;

impl Store {
    /// A cached JSON answer and when it was fetched (unix seconds).
    pub fn cached(&self, key: &str) -> Result<Option<(Value, i64)>, StoreError> {
        let row: Option<(String, i64)> = self.with(|c| {
            c.query_row(
                "SELECT raw, fetched_at FROM cache WHERE key = ?1",
                [key],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
        })?;
        Ok(row.and_then(|(raw, at)| serde_json::from_str(&raw).ok().map(|v| (v, at))))
    }

    pub fn put_cached(&self, key: &str, value: &Value, now: i64) -> Result<(), StoreError> {
        self.with(|c| {
            c.execute(
                "INSERT INTO cache (key, raw, fetched_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT(key) DO UPDATE SET raw = excluded.raw, fetched_at = excluded.fetched_at",
                (key, value.to_string(), now),
            )
            .map(|_| ())
        })
    }

    /// A workout's cached personal records.
    pub fn records(&self, workout_id: i64) -> Result<Option<Value>, StoreError> {
        let raw: Option<String> = self.with(|c| {
            c.query_row(
                "SELECT raw FROM records WHERE workout_id = ?1",
                [workout_id],
                |r| r.get(0),
            )
            .optional()
        })?;
        Ok(raw.and_then(|r| serde_json::from_str(&r).ok()))
    }

    pub fn put_records(&self, workout_id: i64, value: &Value, now: i64) -> Result<(), StoreError> {
        self.with(|c| {
            c.execute(
                "INSERT INTO records (workout_id, raw, fetched_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT(workout_id) DO UPDATE SET raw = excluded.raw, fetched_at = excluded.fetched_at",
                (workout_id, value.to_string(), now),
            )
            .map(|_| ())
        })
    }
}

//! Cached daily performance data: TSS per day for the whole history.

use crate::coverage::{Dataset, add_span};
use crate::{Store, StoreError};
use chrono::NaiveDate;
use tp_model::FitnessDay;

impl Store {
    /// Replaces the cached days of `start..=end` with `days` and marks the
    /// span covered, in one transaction.
    pub fn apply_daily(
        &self,
        start: NaiveDate,
        end: NaiveDate,
        days: &[FitnessDay],
    ) -> Result<usize, StoreError> {
        self.write(|tx| {
            tx.execute("DELETE FROM daily WHERE day BETWEEN ?1 AND ?2", (start.to_string(), end.to_string()))?;
            let mut n = 0;
            {
                let mut ins = tx.prepare(
                    "INSERT OR REPLACE INTO daily (day, tss_actual, tss_planned, raw) VALUES (?1, ?2, ?3, ?4)",
                )?;
                for d in days {
                    let Some(day) = d.workout_day.filter(|day| *day >= start && *day <= end) else { continue };
                    // Rest days far from any training are not worth a row: an
                    // absent day reads as 0 TSS.
                    if d.tss_actual.unwrap_or(0.0) == 0.0 && d.tss_planned.unwrap_or(0.0) == 0.0 {
                        continue;
                    }
                    let raw = serde_json::to_string(d).unwrap_or_default();
                    ins.execute((day.to_string(), d.tss_actual, d.tss_planned, raw))?;
                    n += 1;
                }
            }
            add_span(tx, Dataset::Daily, (start, end))?;
            Ok(n)
        })
    }

    /// Cached days with any load from `start` to `end` (days absent had none).
    pub fn daily_between(
        &self,
        start: NaiveDate,
        end: NaiveDate,
    ) -> Result<Vec<FitnessDay>, StoreError> {
        let rows: Vec<(String, Option<f64>, Option<f64>)> = self.with(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT day, tss_actual, tss_planned FROM daily WHERE day BETWEEN ?1 AND ?2 ORDER BY day",
            )?;
            stmt.query_map((start.to_string(), end.to_string()), |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect()
        })?;
        Ok(rows
            .into_iter()
            .filter_map(|(day, actual, planned)| {
                Some(FitnessDay {
                    workout_day: Some(day.parse().ok()?),
                    tss_actual: actual,
                    tss_planned: planned,
                    ..FitnessDay::default()
                })
            })
            .collect())
    }
}

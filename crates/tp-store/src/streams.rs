//! Second-by-second data in the cache: what is known of each workout's
//! device file, the decoded streams (compact, [`crate::codec`]), and the
//! per-workout summaries derived from them.
//!
//! Invariants:
//! - **One transaction per workout**: streams, their derived summary and the
//!   file's state are written together ([`Store::put_streams`]); a kill
//!   leaves the old workout or the new one, never half.
//! - **Derived data goes with its streams**: replacing or dropping a
//!   workout's streams (a re-upload, a file that disappeared, a workout
//!   deleted in TrainingPeaks) drops its summary in the same transaction.

use crate::codec;
use crate::{Store, StoreError};
use chrono::NaiveDate;
use rusqlite::{OptionalExtension, Transaction};
use std::collections::BTreeMap;
use tp_model::{
    Activity, ChannelKind, CurveEnvelope, FileFormat, Histogram, Lap, MeanMaxCurve, SessionTotals,
    StreamSummary,
};

/// What is known of a workout's device file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileState {
    /// TrainingPeaks lists no device file (entered by hand).
    NoFile,
    /// The streams are stored (the note says what, if anything, did not decode).
    Stored,
    /// The file cannot be read (a format not read, nothing decodable, too
    /// large); not fetched again until it changes.
    Unreadable,
    /// The last attempt failed (network, server): fetched again when asked.
    Failed,
}

impl FileState {
    fn key(self) -> &'static str {
        match self {
            FileState::NoFile => "none",
            FileState::Stored => "stored",
            FileState::Unreadable => "unreadable",
            FileState::Failed => "failed",
        }
    }

    fn from_key(key: &str) -> FileState {
        match key {
            "none" => FileState::NoFile,
            "stored" => FileState::Stored,
            "unreadable" => FileState::Unreadable,
            _ => FileState::Failed,
        }
    }
}

/// A workout's device-file state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileStatus {
    pub state: FileState,
    pub file_id: Option<String>,
    pub file_name: Option<String>,
    /// In words: what did not decode, or why nothing could be read.
    pub note: Option<String>,
    /// The workout's summary fingerprint when this was decided (a changed
    /// workout is checked again).
    pub fingerprint: String,
    /// When the file list was read (unix seconds).
    pub checked_at: i64,
}

/// Streams as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredStreams {
    pub workout_id: i64,
    pub file_id: String,
    pub file_name: Option<String>,
    pub activity: Activity,
    /// Bytes the streams take in the cache.
    pub stored_bytes: usize,
}

/// How the device files of a set of workouts stand.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StreamCoverage {
    /// Completed workouts considered.
    pub workouts: usize,
    pub stored: usize,
    pub no_file: usize,
    pub unreadable: usize,
    /// Not fetched yet, or the last attempt failed.
    pub missing: usize,
}

fn derived_key(prefix: &str, kind: ChannelKind) -> String {
    format!("{prefix}:{}", kind.key())
}

/// Drops the envelopes of the month and year the workout is done in (their
/// best may have changed).
pub(crate) fn invalidate_month_of(tx: &Transaction, workout_id: i64) -> rusqlite::Result<()> {
    tx.execute(
        "DELETE FROM curve_envelopes WHERE period IN
           (SELECT substr(day, 1, 7) FROM workouts WHERE workout_id = ?1
            UNION SELECT substr(day, 1, 4) FROM workouts WHERE workout_id = ?1)",
        [workout_id],
    )?;
    Ok(())
}

/// Drops the envelopes of every month and year from `start` to `end`.
pub(crate) fn invalidate_months_between(
    tx: &Transaction,
    start: NaiveDate,
    end: NaiveDate,
) -> rusqlite::Result<()> {
    tx.execute(
        "DELETE FROM curve_envelopes WHERE period BETWEEN ?1 AND ?2 OR period BETWEEN ?3 AND ?4",
        (
            start.format("%Y-%m").to_string(),
            end.format("%Y-%m").to_string(),
            start.format("%Y").to_string(),
            end.format("%Y").to_string(),
        ),
    )?;
    Ok(())
}

/// Removes a workout's streams, derived data and file state (`tx` open).
pub(crate) fn delete_stream_rows(tx: &Transaction, workout_id: i64) -> rusqlite::Result<()> {
    invalidate_month_of(tx, workout_id)?;
    tx.execute("DELETE FROM streams WHERE workout_id = ?1", [workout_id])?;
    tx.execute(
        "DELETE FROM stream_derived WHERE workout_id = ?1",
        [workout_id],
    )?;
    tx.execute(
        "DELETE FROM device_files WHERE workout_id = ?1",
        [workout_id],
    )?;
    Ok(())
}

fn put_status(tx: &Transaction, workout_id: i64, s: &FileStatus) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO device_files (workout_id, state, file_id, file_name, note, fingerprint, checked_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT(workout_id) DO UPDATE SET state = excluded.state, file_id = excluded.file_id,
           file_name = excluded.file_name, note = excluded.note, fingerprint = excluded.fingerprint,
           checked_at = excluded.checked_at",
        (
            workout_id,
            s.state.key(),
            &s.file_id,
            &s.file_name,
            &s.note,
            &s.fingerprint,
            s.checked_at,
        ),
    )?;
    Ok(())
}

fn put_summary(tx: &Transaction, workout_id: i64, summary: &StreamSummary) -> rusqlite::Result<()> {
    tx.execute(
        "DELETE FROM stream_derived WHERE workout_id = ?1",
        [workout_id],
    )?;
    let mut insert = tx.prepare(
        "INSERT INTO stream_derived (workout_id, kind, version, data) VALUES (?1, ?2, ?3, ?4)",
    )?;
    let mut meta = Vec::new();
    codec::put_bytes(&mut meta, &summary.recorded_s.to_le_bytes());
    insert.execute((workout_id, "meta", summary.version, meta))?;
    for (kind, curve) in &summary.curves {
        let key = derived_key("curve", *kind);
        insert.execute((
            workout_id,
            key,
            summary.version,
            codec::encode_series(&curve.best_sums),
        ))?;
    }
    for (kind, hist) in &summary.histograms {
        let pairs: Vec<(i64, u64)> = hist
            .seconds_at
            .iter()
            .map(|(v, s)| (i64::from(*v), u64::from(*s)))
            .collect();
        let key = derived_key("hist", *kind);
        insert.execute((
            workout_id,
            key,
            summary.version,
            codec::encode_pairs(&pairs),
        ))?;
    }
    Ok(())
}

/// Reads the derived rows of one workout back into a summary; `None`
/// when there are none or one is damaged (then it is derived again).
fn read_summary(rows: Vec<(String, u32, Vec<u8>)>) -> Option<StreamSummary> {
    let mut summary = StreamSummary::default();
    let mut has_meta = false;
    for (kind, version, data) in rows {
        summary.version = version;
        if kind == "meta" {
            let mut at = 0;
            let raw = codec::get_bytes(&data, &mut at).ok()?;
            summary.recorded_s = u32::from_le_bytes(raw.try_into().ok()?);
            has_meta = true;
        } else if let Some(channel) = kind.strip_prefix("curve:") {
            let channel = ChannelKind::from_key(channel)?;
            let best_sums = codec::decode_series(&data).ok()?;
            summary.curves.insert(channel, MeanMaxCurve { best_sums });
        } else if let Some(channel) = kind.strip_prefix("hist:") {
            let channel = ChannelKind::from_key(channel)?;
            let pairs = codec::decode_pairs(&data).ok()?;
            let seconds_at = pairs
                .into_iter()
                .map(|(v, s)| Some((i32::try_from(v).ok()?, u32::try_from(s).ok()?)))
                .collect::<Option<Vec<_>>>()?;
            summary.histograms.insert(channel, Histogram { seconds_at });
        }
    }
    has_meta.then_some(summary)
}

impl Store {
    /// What is known of a workout's device file.
    pub fn file_status(&self, workout_id: i64) -> Result<Option<FileStatus>, StoreError> {
        self.with(|c| {
            c.query_row(
                "SELECT state, file_id, file_name, note, fingerprint, checked_at
                 FROM device_files WHERE workout_id = ?1",
                [workout_id],
                |r| {
                    Ok(FileStatus {
                        state: FileState::from_key(&r.get::<_, String>(0)?),
                        file_id: r.get(1)?,
                        file_name: r.get(2)?,
                        note: r.get(3)?,
                        fingerprint: r.get(4)?,
                        checked_at: r.get(5)?,
                    })
                },
            )
            .optional()
        })
    }

    /// Records a state without streams (no file, unreadable, failed). For
    /// every state but `Failed` any stored streams of the workout go (the
    /// file is gone or changed); a failure keeps what is stored.
    pub fn set_file_status(&self, workout_id: i64, status: &FileStatus) -> Result<(), StoreError> {
        self.write(|tx| {
            if status.state != FileState::Failed {
                invalidate_month_of(tx, workout_id)?;
                tx.execute("DELETE FROM streams WHERE workout_id = ?1", [workout_id])?;
                tx.execute(
                    "DELETE FROM stream_derived WHERE workout_id = ?1",
                    [workout_id],
                )?;
            }
            put_status(tx, workout_id, status)?;
            Ok(())
        })
    }

    /// Stores a workout's decoded file, its derived summary and its state
    /// (`Stored`), replacing whatever was there, in one transaction.
    pub fn put_streams(
        &self,
        workout_id: i64,
        status: &FileStatus,
        activity: &Activity,
        summary: Option<&StreamSummary>,
    ) -> Result<usize, StoreError> {
        let data = codec::encode_streams(&activity.streams);
        let laps = serde_json::to_string(&activity.laps).unwrap_or_else(|_| "[]".into());
        let session = activity
            .session
            .as_ref()
            .and_then(|s| serde_json::to_string(s).ok());
        let problems = serde_json::to_string(&activity.problems).unwrap_or_else(|_| "[]".into());
        let size = data.len();
        let file_id = status.file_id.clone().unwrap_or_default();
        self.write(|tx| {
            invalidate_month_of(tx, workout_id)?;
            tx.execute(
                "INSERT INTO streams (workout_id, file_id, format, start_utc, samples, data, laps, session, problems, stored_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                 ON CONFLICT(workout_id) DO UPDATE SET file_id = excluded.file_id, format = excluded.format,
                   start_utc = excluded.start_utc, samples = excluded.samples, data = excluded.data,
                   laps = excluded.laps, session = excluded.session, problems = excluded.problems,
                   stored_at = excluded.stored_at",
                (
                    workout_id,
                    &file_id,
                    activity.format.key(),
                    activity.start_utc.map(|t| t.format("%Y-%m-%dT%H:%M:%S").to_string()),
                    activity.streams.len() as i64,
                    &data,
                    &laps,
                    &session,
                    &problems,
                    status.checked_at,
                ),
            )?;
            match summary {
                Some(summary) => put_summary(tx, workout_id, summary)?,
                None => {
                    tx.execute("DELETE FROM stream_derived WHERE workout_id = ?1", [workout_id])?;
                }
            }
            put_status(
                tx,
                workout_id,
                &FileStatus {
                    state: FileState::Stored,
                    ..status.clone()
                },
            )?;
            Ok(())
        })?;
        Ok(size)
    }

    /// A workout's stored streams, decoded.
    pub fn streams(&self, workout_id: i64) -> Result<Option<StoredStreams>, StoreError> {
        type Row = (
            String,
            String,
            Option<String>,
            Vec<u8>,
            String,
            Option<String>,
            String,
            Option<String>,
        );
        let row: Option<Row> = self.with(|c| {
            c.query_row(
                "SELECT s.file_id, s.format, s.start_utc, s.data, s.laps, s.session, s.problems, d.file_name
                 FROM streams s LEFT JOIN device_files d ON d.workout_id = s.workout_id
                 WHERE s.workout_id = ?1",
                [workout_id],
                |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                        r.get(7)?,
                    ))
                },
            )
            .optional()
        })?;
        let Some((file_id, format, start, data, laps, session, problems, file_name)) = row else {
            return Ok(None);
        };
        let corrupt = |detail: String| StoreError::Corrupt {
            what: "streams",
            detail,
        };
        let streams = codec::decode_streams(&data).map_err(|e| corrupt(e.to_string()))?;
        let laps: Vec<Lap> = serde_json::from_str(&laps).unwrap_or_default();
        let session: Option<SessionTotals> = session.and_then(|s| serde_json::from_str(&s).ok());
        let problems: Vec<String> = serde_json::from_str(&problems).unwrap_or_default();
        let activity = Activity {
            format: FileFormat::from_key(&format).unwrap_or(FileFormat::Fit),
            start_utc: start
                .and_then(|s| chrono::NaiveDateTime::parse_from_str(&s, "%Y-%m-%dT%H:%M:%S").ok()),
            streams,
            laps,
            session,
            problems,
        };
        Ok(Some(StoredStreams {
            workout_id,
            file_id,
            file_name,
            activity,
            stored_bytes: data.len(),
        }))
    }

    /// A workout's derived summary (of whatever version is stored).
    pub fn stream_summary(&self, workout_id: i64) -> Result<Option<StreamSummary>, StoreError> {
        let rows: Vec<(String, u32, Vec<u8>)> = self.with(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT kind, version, data FROM stream_derived WHERE workout_id = ?1",
            )?;
            stmt.query_map([workout_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect()
        })?;
        Ok(read_summary(rows))
    }

    /// Replaces a workout's derived summary (derived again from its
    /// stored streams after the method changed).
    pub fn put_stream_summary(
        &self,
        workout_id: i64,
        summary: &StreamSummary,
    ) -> Result<(), StoreError> {
        self.write(|tx| {
            // Only beside streams that are still there.
            let present: Option<i64> = tx
                .query_row(
                    "SELECT 1 FROM streams WHERE workout_id = ?1",
                    [workout_id],
                    |r| r.get(0),
                )
                .optional()?;
            if present.is_some() {
                invalidate_month_of(tx, workout_id)?;
                put_summary(tx, workout_id, summary)?;
            }
            Ok(())
        })
    }

    /// The summaries of the cached workouts done from `start` to `end`
    /// (by workout id), reading only the derived rows whose kind starts with
    /// one of `prefixes` (e.g. `hist:`), plus `meta`: a year's time in zones
    /// never decodes a curve.
    pub fn stream_summaries_between(
        &self,
        start: NaiveDate,
        end: NaiveDate,
        prefixes: &[&str],
    ) -> Result<BTreeMap<i64, StreamSummary>, StoreError> {
        let rows: Vec<(i64, String, u32, Vec<u8>)> = self.with(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT d.workout_id, d.kind, d.version, d.data FROM stream_derived d
                 JOIN workouts w ON w.workout_id = d.workout_id
                 WHERE w.day BETWEEN ?1 AND ?2",
            )?;
            // The kind is read first and the blob only for the kinds asked.
            let mut rows = stmt.query((start.to_string(), end.to_string()))?;
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                let kind: String = r.get(1)?;
                if kind == "meta" || prefixes.iter().any(|p| kind.starts_with(p)) {
                    out.push((r.get(0)?, kind, r.get(2)?, r.get(3)?));
                }
            }
            Ok(out)
        })?;
        let mut grouped: BTreeMap<i64, Vec<(String, u32, Vec<u8>)>> = BTreeMap::new();
        for (id, kind, version, data) in rows {
            grouped.entry(id).or_default().push((kind, version, data));
        }
        Ok(grouped
            .into_iter()
            .filter_map(|(id, rows)| Some((id, read_summary(rows)?)))
            .collect())
    }

    /// The device-file state of each of `workout_ids` (absent: never checked).
    pub fn file_statuses(
        &self,
        workout_ids: &[i64],
    ) -> Result<BTreeMap<i64, FileStatus>, StoreError> {
        // One query for a few, one scan for many (a decade's question).
        if workout_ids.len() <= 16 {
            let mut out = BTreeMap::new();
            for id in workout_ids {
                if let Some(s) = self.file_status(*id)? {
                    out.insert(*id, s);
                }
            }
            return Ok(out);
        }
        let wanted: std::collections::HashSet<i64> = workout_ids.iter().copied().collect();
        let rows: Vec<(i64, FileStatus)> = self.with(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT workout_id, state, file_id, file_name, note, fingerprint, checked_at FROM device_files",
            )?;
            stmt.query_map([], |r| {
                Ok((
                    r.get(0)?,
                    FileStatus {
                        state: FileState::from_key(&r.get::<_, String>(1)?),
                        file_id: r.get(2)?,
                        file_name: r.get(3)?,
                        note: r.get(4)?,
                        fingerprint: r.get(5)?,
                        checked_at: r.get(6)?,
                    },
                ))
            })?
            .collect()
        })?;
        Ok(rows
            .into_iter()
            .filter(|(id, _)| wanted.contains(id))
            .collect())
    }

    /// Bytes and workouts the stored streams take.
    pub fn streams_size(&self) -> Result<(usize, usize), StoreError> {
        self.with(|c| {
            c.query_row(
                "SELECT COUNT(*), COALESCE(SUM(LENGTH(data)), 0) FROM streams",
                [],
                |r| Ok((r.get::<_, i64>(0)? as usize, r.get::<_, i64>(1)? as usize)),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tp_model::Streams;

    fn activity(n: u32) -> Activity {
        let mut channels = BTreeMap::new();
        channels.insert(
            ChannelKind::Power,
            (0..n).map(|i| Some(200 + (i % 9) as i32)).collect(),
        );
        Activity {
            format: FileFormat::Fit,
            start_utc: chrono::NaiveDate::from_ymd_opt(2026, 5, 1)
                .unwrap()
                .and_hms_opt(7, 0, 0),
            streams: Streams::from_parts((0..n).collect(), channels).unwrap(),
            laps: vec![Lap {
                start_s: 0.0,
                timer_s: Some(f64::from(n)),
                ..Lap::default()
            }],
            session: Some(SessionTotals {
                avg_power_w: Some(204.0),
                ..SessionTotals::default()
            }),
            problems: vec!["one record was out of order".into()],
        }
    }

    fn status(file_id: &str) -> FileStatus {
        FileStatus {
            state: FileState::Stored,
            file_id: Some(file_id.into()),
            file_name: Some("a.fit".into()),
            note: None,
            fingerprint: "fp".into(),
            checked_at: 1,
        }
    }

    fn summary(version: u32) -> StreamSummary {
        let mut s = StreamSummary {
            version,
            recorded_s: 600,
            ..StreamSummary::default()
        };
        s.curves.insert(
            ChannelKind::Power,
            MeanMaxCurve {
                best_sums: vec![208, 416, 623],
            },
        );
        s.histograms.insert(
            ChannelKind::Power,
            Histogram {
                seconds_at: vec![(200, 67), (208, 66)],
            },
        );
        s
    }

    // Proves streams, laps, session, problems and the summary come back as
    // stored, and that the state says Stored.
    #[test]
    fn streams_and_summary_round_trip() {
        let store = Store::open_in_memory().unwrap();
        let a = activity(600);
        store
            .put_streams(42, &status("f-1"), &a, Some(&summary(3)))
            .unwrap();
        let back = store.streams(42).unwrap().unwrap();
        assert_eq!(back.activity, a);
        assert_eq!(back.file_id, "f-1");
        assert_eq!(back.file_name.as_deref(), Some("a.fit"));
        assert_eq!(store.stream_summary(42).unwrap().unwrap(), summary(3));
        // Listed for a new derivation only when its version differs.
        assert!(store.summaries_not_of_version(3).unwrap().is_empty());
        assert_eq!(store.summaries_not_of_version(4).unwrap(), vec![42]);
        assert_eq!(store.summaries_not_of_version(2).unwrap(), vec![42]);
        assert_eq!(
            store.file_status(42).unwrap().unwrap().state,
            FileState::Stored
        );
        assert_eq!(store.streams_size().unwrap().0, 1);
    }

    // Proves a new state without streams drops the old streams and their
    // summary, except a failure, which keeps them.
    #[test]
    fn derived_data_goes_with_its_streams() {
        let store = Store::open_in_memory().unwrap();
        store
            .put_streams(7, &status("f-1"), &activity(60), Some(&summary(1)))
            .unwrap();
        let failed = FileStatus {
            state: FileState::Failed,
            ..status("f-1")
        };
        store.set_file_status(7, &failed).unwrap();
        assert!(store.streams(7).unwrap().is_some());
        assert!(store.stream_summary(7).unwrap().is_some());
        let none = FileStatus {
            state: FileState::NoFile,
            file_id: None,
            ..status("")
        };
        store.set_file_status(7, &none).unwrap();
        assert!(store.streams(7).unwrap().is_none());
        assert!(store.stream_summary(7).unwrap().is_none());
        // A summary is not kept without streams.
        store.put_stream_summary(7, &summary(2)).unwrap();
        assert!(store.stream_summary(7).unwrap().is_none());
    }

    // Proves a month's kept envelope goes whenever a curve of that month can
    // change (new streams, a new summary, a lost file, a new or deleted
    // workout), and only then: a change in another month keeps it.
    #[test]
    fn envelopes_go_when_their_month_or_year_changes() {
        use tp_model::{CurveEnvelope, EnvelopeEntry};
        let store = Store::open_in_memory().unwrap();
        let ride = |id: i64, day: &str| {
            serde_json::json!({"workoutId": id, "workoutDay": format!("{day}T00:00:00"),
                "workoutTypeValueId": 2, "totalTime": 1.0})
        };
        let day = |d: &str| d.parse::<NaiveDate>().unwrap();
        store.put_workout(&ride(1, "2026-05-03"), 0).unwrap();
        store.put_workout(&ride(2, "2026-06-03"), 0).unwrap();
        store
            .put_streams(1, &status("f-1"), &activity(60), Some(&summary(1)))
            .unwrap();
        let fold = |curves: &[StoredCurve]| CurveEnvelope {
            entries: curves
                .iter()
                .map(|c| EnvelopeEntry {
                    sum: c.curve.best_sums[0],
                    window_s: 1,
                    workout_id: c.workout_id,
                })
                .collect(),
        };
        let may = EnvelopePeriod::Month(day("2026-05-17"));
        let year = EnvelopePeriod::Year(2026);
        let build_in = |period| {
            store
                .build_curve_envelope(ChannelKind::Power, "2", &[2], period, 1, &fold)
                .unwrap()
        };
        let build = || {
            build_in(year);
            build_in(may)
        };
        let kept_in = |period| {
            store
                .curve_envelope(ChannelKind::Power, "2", period, 1, 10)
                .unwrap()
        };
        let kept = || {
            let (m, y) = (kept_in(may), kept_in(year));
            assert_eq!(m.is_some(), y.is_some(), "a month and its year go together");
            m
        };
        let built = build();
        assert_eq!(built.entries.len(), 1);
        assert_eq!(built.entries[0].workout_id, 1);
        assert_eq!(kept(), Some(built.clone()));
        // Another version is not this envelope.
        assert_eq!(
            store
                .curve_envelope(ChannelKind::Power, "2", may, 2, 10)
                .unwrap(),
            None
        );
        // 2025's streams leave 2026 alone; June's drop the year, not May.
        store.put_workout(&ride(4, "2025-05-03"), 0).unwrap();
        store
            .put_streams(4, &status("f-4"), &activity(60), Some(&summary(1)))
            .unwrap();
        assert_eq!(kept(), Some(built.clone()));
        store
            .put_streams(2, &status("f-2"), &activity(60), Some(&summary(1)))
            .unwrap();
        assert_eq!(kept_in(may), Some(built));
        assert_eq!(kept_in(year), None);
        assert_eq!(build_in(year).entries.len(), 2);
        // A new May workout drops it.
        store.put_workout(&ride(3, "2026-05-20"), 0).unwrap();
        assert_eq!(kept(), None);
        build();
        store.put_stream_summary(1, &summary(1)).unwrap();
        assert_eq!(kept(), None);
        build();
        store
            .put_streams(3, &status("f-3"), &activity(30), Some(&summary(1)))
            .unwrap();
        assert_eq!(kept(), None);
        assert_eq!(build().entries.len(), 2);
        let none = FileStatus {
            state: FileState::NoFile,
            file_id: None,
            ..status("")
        };
        store.set_file_status(3, &none).unwrap();
        assert_eq!(kept(), None);
        assert_eq!(build().entries.len(), 1);
        // TrainingPeaks' May without ride 1: it is deleted, and so is May's envelope.
        store
            .apply_workout_window(
                day("2026-05-01"),
                day("2026-05-31"),
                &[ride(3, "2026-05-20")],
                0,
            )
            .unwrap();
        assert_eq!(kept(), None);
        assert!(build().entries.is_empty());
    }
}

/// One workout's stored mean-maximal curve for a channel.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredCurve {
    pub workout_id: i64,
    pub day: NaiveDate,
    /// The derivation version it was stored with.
    pub version: u32,
    pub curve: MeanMaxCurve,
}

impl Store {
    /// The stored curves of `channel` of the workouts done from `start` to
    /// `end` whose sport is one of `sport_ids` (all sports when empty),
    /// oldest first. A damaged curve is left out (its workout is derived
    /// again when asked about).
    pub fn curves_between(
        &self,
        start: NaiveDate,
        end: NaiveDate,
        sport_ids: &[i64],
        channel: ChannelKind,
    ) -> Result<Vec<StoredCurve>, StoreError> {
        self.with(|c| curves_in(c, start, end, sport_ids, channel))
    }

    /// The stored histograms of `channel` of the workouts done from
    /// `start` to `end` whose sport is one of `sport_ids` (all when empty).
    pub fn histograms_between(
        &self,
        start: NaiveDate,
        end: NaiveDate,
        sport_ids: &[i64],
        channel: ChannelKind,
    ) -> Result<Vec<(i64, Histogram)>, StoreError> {
        let kind = derived_key("hist", channel);
        let rows: Vec<(i64, Option<i64>, Vec<u8>)> = self.with(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT d.workout_id, w.sport_id, d.data FROM stream_derived d
                 JOIN workouts w ON w.workout_id = d.workout_id
                 WHERE d.kind = ?1 AND w.day BETWEEN ?2 AND ?3",
            )?;
            stmt.query_map((kind, start.to_string(), end.to_string()), |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?
            .collect()
        })?;
        Ok(rows
            .into_iter()
            .filter(|(_, sport, _)| {
                sport_ids.is_empty() || sport.is_some_and(|s| sport_ids.contains(&s))
            })
            .filter_map(|(id, _, data)| {
                let pairs = codec::decode_pairs(&data).ok()?;
                let seconds_at = pairs
                    .into_iter()
                    .map(|(v, s)| Some((i32::try_from(v).ok()?, u32::try_from(s).ok()?)))
                    .collect::<Option<Vec<_>>>()?;
                Some((id, Histogram { seconds_at }))
            })
            .collect())
    }
}

/// The curves of `channel` stored for workouts of `sport_ids` (all when
/// empty) done from `start` to `end`, oldest first; damaged ones left out.
fn curves_in(
    c: &rusqlite::Connection,
    start: NaiveDate,
    end: NaiveDate,
    sport_ids: &[i64],
    channel: ChannelKind,
) -> rusqlite::Result<Vec<StoredCurve>> {
    type Row = (i64, String, Option<i64>, u32, Vec<u8>);
    let mut stmt = c.prepare_cached(
        "SELECT d.workout_id, w.day, w.sport_id, d.version, d.data FROM stream_derived d
         JOIN workouts w ON w.workout_id = d.workout_id
         WHERE d.kind = ?1 AND w.day BETWEEN ?2 AND ?3
         ORDER BY w.day, d.workout_id",
    )?;
    let rows: Vec<Row> = stmt
        .query_map(
            (
                derived_key("curve", channel),
                start.to_string(),
                end.to_string(),
            ),
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )?
        .collect::<Result<_, _>>()?;
    Ok(rows
        .into_iter()
        .filter(|(_, _, sport, _, _)| {
            sport_ids.is_empty() || sport.is_some_and(|s| sport_ids.contains(&s))
        })
        .filter_map(|(workout_id, day, _, version, data)| {
            Some(StoredCurve {
                workout_id,
                day: day.parse().ok()?,
                version,
                curve: MeanMaxCurve {
                    best_sums: codec::decode_series(&data).ok()?,
                },
            })
        })
        .collect())
}

/// A calendar period an envelope is kept for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnvelopePeriod {
    /// A calendar month (any day of it).
    Month(NaiveDate),
    /// A calendar year.
    Year(i32),
}

impl EnvelopePeriod {
    /// Its key: `2024-05` or `2024`.
    pub fn key(self) -> String {
        match self {
            EnvelopePeriod::Month(d) => d.format("%Y-%m").to_string(),
            EnvelopePeriod::Year(y) => format!("{y:04}"),
        }
    }

    /// Its first and last day.
    pub fn days(self) -> Option<(NaiveDate, NaiveDate)> {
        use chrono::Datelike;
        let (first, next) = match self {
            EnvelopePeriod::Month(d) => {
                let first = d.with_day(1)?;
                (first, first.checked_add_months(chrono::Months::new(1))?)
            }
            EnvelopePeriod::Year(y) => (
                NaiveDate::from_ymd_opt(y, 1, 1)?,
                NaiveDate::from_ymd_opt(y + 1, 1, 1)?,
            ),
        };
        Some((first, next.pred_opt()?))
    }
}

impl Store {
    /// A period's envelope of `channel` for the sport group `sports` (e.g.
    /// "2,8"), its first `max_entries` durations, if kept with `version`.
    pub fn curve_envelope(
        &self,
        channel: ChannelKind,
        sports: &str,
        period: EnvelopePeriod,
        version: u32,
        max_entries: usize,
    ) -> Result<Option<CurveEnvelope>, StoreError> {
        let row: Option<(u32, Vec<u8>)> = self.with(|c| {
            c.query_row(
                "SELECT version, data FROM curve_envelopes WHERE channel = ?1 AND sports = ?2 AND period = ?3",
                (channel.key(), sports, period.key()),
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
        })?;
        Ok(row
            .filter(|(v, _)| *v == version)
            .and_then(|(_, data)| codec::decode_envelope_prefix(&data, max_entries).ok()))
    }

    /// Builds and keeps a period's envelope: reads the period's stored
    /// curves of the group (of `version`) and writes what `fold` makes of
    /// them in one transaction, so a workout stored meanwhile (by another
    /// process) can never be missed by a kept envelope.
    pub fn build_curve_envelope(
        &self,
        channel: ChannelKind,
        sports: &str,
        sport_ids: &[i64],
        period: EnvelopePeriod,
        version: u32,
        fold: &dyn Fn(&[StoredCurve]) -> CurveEnvelope,
    ) -> Result<CurveEnvelope, StoreError> {
        let Some((first, last)) = period.days() else {
            return Ok(CurveEnvelope::default());
        };
        self.write(|tx| {
            let mut curves = curves_in(tx, first, last, sport_ids, channel)?;
            curves.retain(|c| c.version == version);
            let envelope = fold(&curves);
            tx.execute(
                "INSERT INTO curve_envelopes (channel, sports, period, version, data) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT(channel, sports, period) DO UPDATE SET version = excluded.version, data = excluded.data",
                (channel.key(), sports, period.key(), version, codec::encode_envelope(&envelope)),
            )?;
            Ok(envelope)
        })
    }
}

impl Store {
    /// The workouts with a stored curve of `channel` (no decoding).
    pub fn workouts_with_curve(
        &self,
        channel: ChannelKind,
    ) -> Result<std::collections::HashSet<i64>, StoreError> {
        let kind = derived_key("curve", channel);
        self.with(|c| {
            let mut stmt =
                c.prepare_cached("SELECT workout_id FROM stream_derived WHERE kind = ?1")?;
            stmt.query_map([kind], |r| r.get(0))?.collect()
        })
    }

    /// The workouts whose stored summary is of another version than
    /// `version` (to derive again).
    pub fn summaries_not_of_version(&self, version: u32) -> Result<Vec<i64>, StoreError> {
        let mut ids: Vec<i64> = self.with(|c| {
            let mut stmt = c.prepare_cached(
                // Two ranges of the version index: `!=` or DISTINCT would
                // make SQLite scan the whole table.
                "SELECT workout_id FROM stream_derived WHERE version < ?1 OR version > ?1",
            )?;
            stmt.query_map([version], |r| r.get(0))?.collect()
        })?;
        ids.sort_unstable();
        ids.dedup();
        Ok(ids)
    }
}

//! The SQLite database: opening, migrations, and recovery from corruption.

use crate::error::StoreError;
use rusqlite::Connection;
use rusqlite::OptionalExtension;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

/// SQLite's page cache per connection, in KiB (as `PRAGMA cache_size = -N`).
const PAGE_CACHE_KIB: i64 = -128;

/// Schema migrations, applied in order; `PRAGMA user_version` records how
/// many have run. Append only: never edit a released migration.
const MIGRATIONS: &[&str] = &[
    // v1: workouts (indexed columns + the raw JSON so nothing is lost),
    // daily performance rows, personal records, a small response cache,
    // which days are cached (coverage) and sync state (meta).
    r#"
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE workouts (
        workout_id INTEGER PRIMARY KEY,
        day        TEXT,
        sport_id   INTEGER,
        completed  INTEGER NOT NULL,
        tss        REAL,
        raw        TEXT NOT NULL,
        fetched_at INTEGER NOT NULL
    );
    CREATE INDEX workouts_by_day ON workouts(day);
    CREATE INDEX workouts_by_sport_day ON workouts(sport_id, day);
    CREATE TABLE daily (
        day         TEXT PRIMARY KEY,
        tss_actual  REAL,
        tss_planned REAL,
        raw         TEXT NOT NULL
    );
    CREATE TABLE records (
        workout_id INTEGER PRIMARY KEY,
        raw        TEXT NOT NULL,
        fetched_at INTEGER NOT NULL
    );
    CREATE TABLE cache (
        key        TEXT PRIMARY KEY,
        raw        TEXT NOT NULL,
        fetched_at INTEGER NOT NULL
    );
    CREATE TABLE coverage (
        dataset    TEXT NOT NULL,
        start_day  TEXT NOT NULL,
        end_day    TEXT NOT NULL,
        PRIMARY KEY (dataset, start_day)
    );
    "#,
    // v2: second-by-second data. What is known of each workout's device
    // file; the decoded streams (crate::codec); what is derived from them
    // per workout (mean-maximal curves, histograms), dropped with them.
    r#"
    CREATE TABLE device_files (
        workout_id  INTEGER PRIMARY KEY,
        state       TEXT NOT NULL,
        file_id     TEXT,
        file_name   TEXT,
        note        TEXT,
        fingerprint TEXT NOT NULL,
        checked_at  INTEGER NOT NULL
    );
    CREATE TABLE streams (
        workout_id INTEGER PRIMARY KEY,
        file_id    TEXT NOT NULL,
        format     TEXT NOT NULL,
        start_utc  TEXT,
        samples    INTEGER NOT NULL,
        data       BLOB NOT NULL,
        laps       TEXT NOT NULL,
        session    TEXT,
        problems   TEXT NOT NULL,
        stored_at  INTEGER NOT NULL
    );
    CREATE TABLE stream_derived (
        workout_id INTEGER NOT NULL,
        kind       TEXT NOT NULL,
        version    INTEGER NOT NULL,
        data       BLOB NOT NULL,
        PRIMARY KEY (workout_id, kind)
    );
    "#,
    // v3: per calendar month or year and sport group, the best held for at
    // least every duration over that period's stored curves (a decade's
    // curve reads ten years and a few months of these); dropped whenever a
    // workout of the period changes. Indexes let the derived data's
    // versions and channels be listed without reading its blobs.
    r#"
    CREATE TABLE curve_envelopes (
        channel TEXT NOT NULL,
        sports  TEXT NOT NULL,
        period  TEXT NOT NULL,
        version INTEGER NOT NULL,
        data    BLOB NOT NULL,
        PRIMARY KEY (channel, sports, period)
    );
    CREATE INDEX stream_derived_by_version ON stream_derived (version, workout_id);
    CREATE INDEX stream_derived_by_kind ON stream_derived (kind, workout_id);
    "#,
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: usize = MIGRATIONS.len();

/// An athlete's local history. Cheap to share behind an `Arc`; every
/// operation takes the connection briefly.
#[derive(Debug)]
pub struct Store {
    pub(crate) conn: Mutex<Connection>,
    path: Option<PathBuf>,
}

impl Store {
    /// Opens (creating if needed) the database at `path`. A file that is not
    /// a readable database of ours is moved aside (`…corrupt-<unix time>`)
    /// and a new one is built, with a warning in the log: the cache is only
    /// a copy of TrainingPeaks, so rebuilding loses nothing.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::Io {
                path: dir.display().to_string(),
                source,
            })?;
        }
        let mut attempt = 0;
        loop {
            attempt += 1;
            match Self::try_open(path) {
                Ok(store) => return Ok(store),
                Err(e) if is_corruption(&e) && path.exists() => {
                    let aside = move_aside(path)?;
                    tracing::warn!(
                        error = %e,
                        moved_to = %aside.display(),
                        "the local history database was unreadable; moved it aside and rebuilding it from TrainingPeaks"
                    );
                    return Self::try_open(path);
                }
                // Another process is creating or migrating the file: wait for it.
                Err(e) if is_busy(&e) && attempt < 50 => {
                    std::thread::sleep(Duration::from_millis(100))
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// A private in-memory store (demo mode and tests).
    pub fn open_in_memory() -> Result<Store, StoreError> {
        let conn = Connection::open_in_memory()?;
        migrate(&conn)?;
        Ok(Store {
            conn: Mutex::new(conn),
            path: None,
        })
    }

    fn try_open(path: &Path) -> Result<Store, StoreError> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(15))?;
        let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::debug!(mode, "WAL not available; using the default journal");
        }
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        // A small page cache (SQLite's default is 2 MB): the questions read
        // a few hundred KB, the operating system caches the file anyway, and
        // the quick check below would otherwise fill it on every start —
        // the largest part of the server's memory.
        conn.pragma_update(None, "cache_size", PAGE_CACHE_KIB)?;
        let check: String = conn.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
        if check != "ok" {
            return Err(StoreError::Corrupt {
                what: "database",
                detail: check,
            });
        }
        migrate(&conn)?;
        Ok(Store {
            conn: Mutex::new(conn),
            path: Some(path.to_path_buf()),
        })
    }

    /// The database file, `None` in memory.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Runs `f` with the connection.
    pub(crate) fn with<R>(
        &self,
        f: impl FnOnce(&mut Connection) -> rusqlite::Result<R>,
    ) -> Result<R, StoreError> {
        let mut conn = self.conn.lock().unwrap_or_else(|e| e.into_inner());
        Ok(f(&mut conn)?)
    }

    /// Runs `f` in one write transaction that takes SQLite's write lock when
    /// it begins (`BEGIN IMMEDIATE`), waiting for other writers (the busy
    /// timeout) there. A deferred transaction would take it at its first
    /// write, after its reads, and fail with "database is locked" at once
    /// whenever another connection — the tray, another tp-mcp — committed
    /// in between: SQLite cannot wait at that point. Every write that is
    /// more than one statement goes through here.
    pub(crate) fn write<R>(
        &self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> rusqlite::Result<R>,
    ) -> Result<R, StoreError> {
        self.with(|c| {
            let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let out = f(&tx)?;
            tx.commit()?;
            Ok(out)
        })
    }

    /// A sync-state value.
    pub fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.with(|c| {
            c.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
                .optional()
        })
    }

    pub fn set_meta(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.with(|c| {
            c.execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [key, value],
            )
            .map(|_| ())
        })
    }
}

fn migrate(conn: &Connection) -> Result<(), StoreError> {
    let read_version = |c: &Connection| -> Result<usize, StoreError> {
        Ok(c.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))? as usize)
    };
    let version = read_version(conn)?;
    if version > SCHEMA_VERSION {
        return Err(StoreError::Corrupt {
            what: "schema",
            detail: format!(
                "schema version {version} is newer than this tp-mcp ({SCHEMA_VERSION}); update tp-mcp"
            ),
        });
    }
    if version == SCHEMA_VERSION {
        return Ok(());
    }
    // IMMEDIATE takes the write lock first, so two processes creating the
    // database at once run the migrations one after the other; the version
    // is read again under the lock.
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let result = (|| {
        let version = read_version(conn)?;
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version) {
            conn.execute_batch(sql)?;
            conn.execute_batch(&format!("PRAGMA user_version = {}", i + 1))?;
        }
        Ok::<(), StoreError>(())
    })();
    match result {
        Ok(()) => Ok(conn.execute_batch("COMMIT")?),
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e)
        }
    }
}

/// The file is not a database of ours (garbage, truncated, corrupted pages).
fn is_corruption(e: &StoreError) -> bool {
    match e {
        StoreError::Sqlite(rusqlite::Error::SqliteFailure(f, _)) => {
            matches!(
                f.code,
                rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt
            )
        }
        StoreError::Corrupt { what, .. } => *what == "database",
        _ => false,
    }
}

/// Another connection holds a lock (it is creating or migrating the file).
fn is_busy(e: &StoreError) -> bool {
    matches!(
        e,
        StoreError::Sqlite(rusqlite::Error::SqliteFailure(f, _))
            if matches!(f.code, rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

/// Renames the database (and its WAL/SHM files) to `<name>.corrupt-<unix time>`.
fn move_aside(path: &Path) -> Result<PathBuf, StoreError> {
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let mut target = path.as_os_str().to_os_string();
    target.push(format!(".corrupt-{stamp}"));
    let target = PathBuf::from(target);
    std::fs::rename(path, &target).map_err(|source| StoreError::Io {
        path: path.display().to_string(),
        source,
    })?;
    for suffix in ["-wal", "-shm"] {
        let mut side = path.as_os_str().to_os_string();
        side.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(side));
    }
    Ok(target)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creates_and_migrates_then_reopens() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a").join("athlete-1.sqlite3");
        let store = Store::open(&path).unwrap();
        store.set_meta("k", "v").unwrap();
        drop(store);
        let store = Store::open(&path).unwrap();
        assert_eq!(store.meta("k").unwrap().as_deref(), Some("v"));
        let v: i64 = store
            .with(|c| c.query_row("PRAGMA user_version", [], |r| r.get(0)))
            .unwrap();
        assert_eq!(v as usize, SCHEMA_VERSION);
    }

    /// Connections that write the same file at once (the tray and one
    /// tp-mcp per Claude conversation) wait for each other: no write may
    /// fail with "database is locked". A deferred transaction that reads
    /// before it writes would, whenever another connection commits between
    /// its read and its write (SQLite cannot wait there: SQLITE_BUSY at once).
    #[test]
    fn connections_writing_one_file_at_once_wait_for_each_other() {
        use crate::coverage::Dataset;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("athlete-1.sqlite3");
        Store::open(&path).unwrap();
        let day = |d: u32| chrono::NaiveDate::from_ymd_opt(2026, 1, d).unwrap();
        let handles: Vec<_> = (0..4)
            .map(|i| {
                let path = path.clone();
                std::thread::spawn(move || {
                    let store = Store::open(&path).unwrap();
                    for n in 0..150 {
                        let w = serde_json::json!([{
                            "workoutId": 1000 + i * 1000 + n, "athleteId": 1,
                            "workoutDay": format!("2026-01-{:02}T00:00:00", 1 + n % 28),
                            "workoutTypeValueId": 2, "tssActual": 50.0, "totalTime": 1.0,
                        }]);
                        let items = w.as_array().unwrap();
                        store
                            .apply_workout_window(day(1), day(28), items, n as i64)
                            .unwrap_or_else(|e| panic!("writer {i}, round {n}: {e}"));
                        store
                            .forget_from(Dataset::Workouts, day(1 + (n % 28) as u32))
                            .unwrap_or_else(|e| panic!("writer {i}, round {n}: {e}"));
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
    }

    #[test]
    fn many_processes_worth_of_connections_create_one_database_together() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("athlete-1.sqlite3");
        let handles: Vec<_> = (0..8)
            .map(|i| {
                let path = path.clone();
                std::thread::spawn(move || {
                    let store = Store::open(&path).unwrap();
                    store.set_meta(&format!("k{i}"), "v").unwrap();
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        let store = Store::open(&path).unwrap();
        for i in 0..8 {
            assert_eq!(store.meta(&format!("k{i}")).unwrap().as_deref(), Some("v"));
        }
        let moved = std::fs::read_dir(dir.path())
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .contains("corrupt")
            })
            .count();
        assert_eq!(
            moved, 0,
            "a busy database is never mistaken for a corrupt one"
        );
    }

    #[test]
    fn a_newer_schema_is_refused_not_moved_aside() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("athlete-1.sqlite3");
        drop(Store::open(&path).unwrap());
        let c = Connection::open(&path).unwrap();
        c.execute_batch("PRAGMA user_version = 999").unwrap();
        drop(c);
        let err = Store::open(&path).unwrap_err();
        assert!(err.to_string().contains("newer"), "{err}");
        assert!(path.exists());
    }

    #[test]
    fn a_garbage_file_is_moved_aside_and_rebuilt() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("athlete-1.sqlite3");
        std::fs::write(
            &path,
            b"this is not a database, it is a shopping list\n".repeat(200),
        )
        .unwrap();
        let store = Store::open(&path).unwrap();
        store.set_meta("k", "v").unwrap();
        let aside: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().contains(".corrupt-"))
            .collect();
        assert_eq!(aside.len(), 1, "the unreadable file is kept, renamed");
        assert!(
            std::fs::read(aside[0].path())
                .unwrap()
                .starts_with(b"this is not a database")
        );
    }
}

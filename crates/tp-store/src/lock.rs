//! One syncing process per athlete.
//!
//! The tray app and one or more sidecars may run at once. They all read the
//! database freely (SQLite WAL), but only the holder of the sync lock — an
//! OS file lock on `<db>.sync-lock`, released automatically if the process
//! dies — fetches from TrainingPeaks. The others wait for it and then read
//! what it wrote.

use crate::StoreError;
use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// A held sync lock; dropping it releases the lock.
#[derive(Debug)]
pub struct SyncLock {
    _file: Option<File>,
}

impl SyncLock {
    /// A lock for an in-memory store (nothing to share).
    pub fn none() -> SyncLock {
        SyncLock { _file: None }
    }

    /// Waits up to `timeout` for the lock at `path`.
    pub async fn acquire(path: &Path, timeout: Duration) -> Result<SyncLock, StoreError> {
        let io = |source| StoreError::Io {
            path: path.display().to_string(),
            source,
        };
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)
            .map_err(io)?;
        let started = Instant::now();
        let mut announced = false;
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(SyncLock { _file: Some(file) }),
                Err(TryLockError::WouldBlock) => {
                    if !announced {
                        tracing::info!(lock = %path.display(), "another tp-mcp process is syncing this athlete; waiting for it");
                        announced = true;
                    }
                    if started.elapsed() > timeout {
                        return Err(StoreError::Io {
                            path: path.display().to_string(),
                            source: std::io::Error::new(
                                std::io::ErrorKind::WouldBlock,
                                "another tp-mcp process has been syncing for too long; try again in a minute",
                            ),
                        });
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(TryLockError::Error(e)) => return Err(io(e)),
            }
        }
    }
}

/// The lock file of a database, if it has one.
pub fn lock_path_for(db: Option<&Path>) -> Option<PathBuf> {
    db.map(crate::paths::sync_lock_path)
}

//! Store and sync errors.

use tp_api::ApiError;

/// What can go wrong keeping the local history.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite refused an operation.
    #[error("local history database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The data directory or database file could not be used.
    #[error("cannot use the local history at {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    /// TrainingPeaks failed while syncing (the cache keeps what it had).
    #[error(transparent)]
    Api(#[from] ApiError),
    /// A stored row could not be read back.
    #[error("the cached {what} could not be read ({detail})")]
    Corrupt { what: &'static str, detail: String },
}

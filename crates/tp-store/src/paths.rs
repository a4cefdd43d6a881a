//! Where the history lives on disk.
//!
//! One database per athlete under the data directory: `TP_MCP_DATA_DIR` if
//! set, else the OS data directory (`~/.local/share/tp-mcp` on Linux,
//! `~/Library/Application Support/tp-mcp` on macOS, `%APPDATA%\tp-mcp` on
//! Windows).

use std::path::{Path, PathBuf};

/// Environment variable overriding the data directory.
pub const DATA_DIR_ENV: &str = "TP_MCP_DATA_DIR";

/// The data directory: [`DATA_DIR_ENV`], else `<OS data dir>/tp-mcp`, else
/// `./tp-mcp-data` when the OS has none.
pub fn data_dir() -> PathBuf {
    match std::env::var_os(DATA_DIR_ENV) {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => dirs::data_dir()
            .map(|d| d.join("tp-mcp"))
            .unwrap_or_else(|| PathBuf::from("tp-mcp-data")),
    }
}

/// The database file of one athlete.
pub fn athlete_db_path(dir: &Path, athlete_id: i64) -> PathBuf {
    dir.join(format!("athlete-{athlete_id}.sqlite3"))
}

/// The lock file that lets one process at a time sync an athlete.
pub fn sync_lock_path(db: &Path) -> PathBuf {
    let mut name = db.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".sync-lock");
    db.with_file_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_athlete_files() {
        let dir = Path::new("/data");
        let db = athlete_db_path(dir, 42);
        assert_eq!(db, Path::new("/data/athlete-42.sqlite3"));
        assert_eq!(
            sync_lock_path(&db),
            Path::new("/data/athlete-42.sqlite3.sync-lock")
        );
    }
}

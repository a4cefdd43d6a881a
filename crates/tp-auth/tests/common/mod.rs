//! Shared by the tp-auth integration tests: skipping (or failing, under
//! `TP_AUTH_REAL_TESTS=1`) when the real thing is missing, temporary
//! directories, the fake TrainingPeaks, and cookie databases in the
//! browsers' real layouts.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tp_api::{ClientConfig, RetryPolicy};
use tp_auth::Keychain;
use tp_fake::{FakeConfig, FakeServer};

/// Set by `scripts/test-auth`: a missing prerequisite fails the test instead
/// of skipping it.
pub fn real_tests_required() -> bool {
    std::env::var("TP_AUTH_REAL_TESTS").is_ok_and(|v| v == "1")
}

/// Skips the calling test with `reason` — or fails it under `TP_AUTH_REAL_TESTS=1`.
#[track_caller]
pub fn skip(reason: &str) {
    if real_tests_required() {
        panic!("TP_AUTH_REAL_TESTS=1 but this test cannot run for real: {reason}");
    }
    eprintln!("SKIPPED (run scripts/test-auth for the real thing): {reason}");
}

/// `Ok` when a Secret Service answers on the D-Bus session bus (and is unlocked).
pub fn secret_service() -> Result<(), String> {
    if cfg!(target_os = "linux") && std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        return Err("no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)".into());
    }
    Keychain::available().map_err(|e| e.to_string())?;
    // A read of an entry nobody stores proves the service answers and is unlocked.
    Keychain::new(unique("tp-auth-probe"), "probe")
        .read()
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Whether `program` runs (`program --version`; `openssl version`).
pub fn have(program: &str) -> bool {
    let arg = if program == "openssl" {
        "version"
    } else {
        "--version"
    };
    Command::new(program)
        .arg(arg)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// A name no other test (or run) uses.
pub fn unique(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "{prefix}-{}-{nanos}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// A temporary directory, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(prefix: &str) -> TempDir {
        let dir = std::env::temp_dir().join(unique(prefix));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// The fake TrainingPeaks accepting `cookie`.
pub async fn fake_accepting(cookie: &str) -> FakeServer {
    FakeServer::start(FakeConfig {
        cookie: cookie.into(),
        ..FakeConfig::default()
    })
    .await
    .expect("the fake starts")
}

/// A client configuration for the fake: no spacing, quick retries.
pub fn config_for(base_url: &str) -> ClientConfig {
    let mut config = ClientConfig::default().with_base_url(base_url);
    config.min_request_spacing = Duration::ZERO;
    config.request_timeout = Duration::from_secs(10);
    config.retry = RetryPolicy {
        max_attempts: 1,
        base_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(10),
        max_retry_after: Duration::from_secs(1),
    };
    config
}

/// Firefox's `moz_cookies` table exactly as Firefox 153 ESR (Debian's
/// firefox-esr) creates it: schema version 17, `expiry` in milliseconds,
/// the times in microseconds.
pub const FIREFOX_SCHEMA: &str = "
PRAGMA user_version = 17;
CREATE TABLE moz_cookies (id INTEGER PRIMARY KEY, originAttributes TEXT NOT NULL DEFAULT '', \
name TEXT, value TEXT, host TEXT, path TEXT, expiry INTEGER, lastAccessed INTEGER, \
creationTime INTEGER, isSecure INTEGER, isHttpOnly INTEGER, inBrowserElement INTEGER DEFAULT 0, \
sameSite INTEGER DEFAULT 0, schemeMap INTEGER DEFAULT 0, isPartitionedAttributeSet INTEGER DEFAULT 0, \
updateTime INTEGER, CONSTRAINT moz_uniqueid UNIQUE (name, host, path, originAttributes));
";

/// The same table as Firefox 115–128 ESR wrote it (schema 13, `expiry` in seconds).
pub const FIREFOX_SCHEMA_V13: &str = "
PRAGMA user_version = 13;
CREATE TABLE moz_cookies (id INTEGER PRIMARY KEY, originAttributes TEXT NOT NULL DEFAULT '', \
name TEXT, value TEXT, host TEXT, path TEXT, expiry INTEGER, lastAccessed INTEGER, \
creationTime INTEGER, isSecure INTEGER, isHttpOnly INTEGER, inBrowserElement INTEGER DEFAULT 0, \
sameSite INTEGER DEFAULT 0, rawSameSite INTEGER DEFAULT 0, schemeMap INTEGER DEFAULT 0, \
isPartitionedAttributeSet INTEGER DEFAULT 0, \
CONSTRAINT moz_uniqueid UNIQUE (name, host, path, originAttributes));
";

/// One row of a Firefox cookie jar.
pub struct FirefoxCookie<'a> {
    pub host: &'a str,
    pub name: &'a str,
    pub value: &'a str,
    /// Unix seconds.
    pub expiry: i64,
}

impl<'a> FirefoxCookie<'a> {
    pub fn tp(value: &'a str, expiry: i64) -> FirefoxCookie<'a> {
        FirefoxCookie {
            host: ".trainingpeaks.com",
            name: "Production_tpAuth",
            value,
            expiry,
        }
    }
}

/// Inserts `cookies` into an open Firefox 153 cookie jar, filling the row as
/// Firefox does for a secure cookie set over HTTPS.
pub fn insert_firefox(conn: &rusqlite::Connection, cookies: &[FirefoxCookie]) {
    let now_us = now_unix() * 1_000_000;
    for c in cookies {
        conn.execute(
            "INSERT INTO moz_cookies (originAttributes, name, value, host, path, expiry, \
             lastAccessed, creationTime, isSecure, isHttpOnly, inBrowserElement, sameSite, \
             schemeMap, isPartitionedAttributeSet, updateTime) \
             VALUES ('', ?1, ?2, ?3, '/', ?4, ?5, ?5, 1, 1, 0, 1, 2, 0, ?5)",
            rusqlite::params![c.name, c.value, c.host, c.expiry * 1000, now_us],
        )
        .unwrap();
    }
}

/// A Firefox profile directory `<root>/<profile>/cookies.sqlite` holding `cookies`.
pub fn firefox_profile(root: &Path, profile: &str, cookies: &[FirefoxCookie]) -> PathBuf {
    let dir = root.join(profile);
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("cookies.sqlite");
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch(FIREFOX_SCHEMA).unwrap();
    insert_firefox(&conn, cookies);
    db
}

/// Chromium's `cookies` table and `meta` as Chromium 156 writes them
/// (database version 24).
pub const CHROMIUM_SCHEMA: &str = "
CREATE TABLE meta(key LONGVARCHAR NOT NULL UNIQUE PRIMARY KEY, value LONGVARCHAR);
INSERT INTO meta VALUES ('mmap_status', '-1'), ('version', '24'), ('last_compatible_version', '24');
CREATE TABLE cookies(creation_utc INTEGER NOT NULL, host_key TEXT NOT NULL, top_frame_site_key TEXT NOT NULL,
  name TEXT NOT NULL, value TEXT NOT NULL, encrypted_value BLOB NOT NULL, path TEXT NOT NULL,
  expires_utc INTEGER NOT NULL, is_secure INTEGER NOT NULL, is_httponly INTEGER NOT NULL,
  last_access_utc INTEGER NOT NULL, has_expires INTEGER NOT NULL, is_persistent INTEGER NOT NULL,
  priority INTEGER NOT NULL, samesite INTEGER NOT NULL, source_scheme INTEGER NOT NULL,
  source_port INTEGER NOT NULL, last_update_utc INTEGER NOT NULL, source_type INTEGER NOT NULL,
  has_cross_site_ancestor INTEGER NOT NULL);
";

//! Which athlete a login belongs to, remembered on disk.
//!
//! The athlete id, and so which cache to open, comes from TrainingPeaks'
//! user endpoint. When TrainingPeaks cannot be reached as `tp-mcp` starts
//! (an outage, a laptop on a plane), the cache could still answer, if only
//! we knew whose it is. So each login is remembered by a fingerprint of its
//! session cookie: SHA-256 over a fixed label and the cookie. The file holds
//! nothing that can sign in or be turned back into the cookie, and a
//! different login (another account, or a new sign-in) never opens a cache
//! it was not seen with.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tp_api::Secret;

/// The file, in the data directory.
pub const LOGINS_FILE: &str = "logins.json";

/// How many logins are remembered (the newest first); cookies change at
/// each sign-in, so old ones are only clutter.
const KEEP: usize = 16;

/// Separates these fingerprints from any other SHA-256 of the cookie.
const LABEL: &[u8] = b"tp-mcp login fingerprint v1\0";

#[derive(Debug, Default, Serialize, Deserialize)]
struct LoginsFile {
    logins: Vec<Login>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Login {
    fingerprint: String,
    athlete_id: i64,
}

/// The fingerprint of a session cookie (64 hex digits).
pub fn fingerprint(cookie: &Secret) -> String {
    let digest = Sha256::new()
        .chain_update(LABEL)
        .chain_update(cookie.expose().as_bytes())
        .finalize();
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn logins_path(dir: &Path) -> PathBuf {
    dir.join(LOGINS_FILE)
}

/// What the file holds; missing or unreadable reads as nothing remembered.
fn read(dir: &Path) -> LoginsFile {
    fs::read(logins_path(dir))
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default()
}

/// Remembers that `cookie` signs in as `athlete_id`. Written to a temporary
/// file and renamed, so a reader (another process) sees the old file or the
/// new one, never half of one.
pub fn remember(dir: &Path, cookie: &Secret, athlete_id: i64) -> io::Result<()> {
    let fingerprint = fingerprint(cookie);
    let mut file = read(dir);
    if file
        .logins
        .first()
        .is_some_and(|l| l.fingerprint == fingerprint && l.athlete_id == athlete_id)
    {
        return Ok(());
    }
    file.logins.retain(|l| l.fingerprint != fingerprint);
    file.logins.insert(
        0,
        Login {
            fingerprint,
            athlete_id,
        },
    );
    file.logins.truncate(KEEP);
    fs::create_dir_all(dir)?;
    let temporary = dir.join(format!("{LOGINS_FILE}.{}.tmp", std::process::id()));
    let json = serde_json::to_vec_pretty(&file).map_err(io::Error::other)?;
    fs::write(&temporary, json)?;
    fs::rename(&temporary, logins_path(dir)).inspect_err(|_| {
        let _ = fs::remove_file(&temporary);
    })
}

/// The athlete `cookie` was last seen signing in as, if remembered.
pub fn recall(dir: &Path, cookie: &Secret) -> Option<i64> {
    let fingerprint = fingerprint(cookie);
    read(dir)
        .logins
        .into_iter()
        .find(|l| l.fingerprint == fingerprint)
        .map(|l| l.athlete_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(s: &str) -> Secret {
        Secret::new(s.to_string())
    }

    #[test]
    fn a_remembered_login_is_recalled_and_no_other() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(recall(dir.path(), &secret("cookie-a")), None);
        remember(dir.path(), &secret("cookie-a"), 101).unwrap();
        remember(dir.path(), &secret("cookie-b"), 202).unwrap();
        assert_eq!(recall(dir.path(), &secret("cookie-a")), Some(101));
        assert_eq!(recall(dir.path(), &secret("cookie-b")), Some(202));
        assert_eq!(recall(dir.path(), &secret("cookie-c")), None);
        assert_eq!(recall(dir.path(), &secret("cookie-")), None);
    }

    #[test]
    fn the_file_holds_fingerprints_never_the_cookie() {
        let dir = tempfile::tempdir().unwrap();
        let cookie = "a-recognisable-cookie-value-0123456789";
        remember(dir.path(), &secret(cookie), 7).unwrap();
        let text = fs::read_to_string(dir.path().join(LOGINS_FILE)).unwrap();
        assert!(!text.contains(cookie), "{text}");
        assert!(text.contains(&fingerprint(&secret(cookie))), "{text}");
        assert_eq!(fingerprint(&secret(cookie)).len(), 64);
        // Not the plain SHA-256 of the cookie: the label separates it.
        let plain: String = Sha256::digest(cookie.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_ne!(fingerprint(&secret(cookie)), plain);
        let leftovers: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(
            leftovers,
            vec![std::ffi::OsString::from(LOGINS_FILE)],
            "no temporary file left"
        );
    }

    #[test]
    fn a_login_seen_again_moves_first_and_the_oldest_are_forgotten() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..KEEP as i64 + 4 {
            remember(dir.path(), &secret(&format!("cookie-{i}")), i).unwrap();
        }
        remember(dir.path(), &secret("cookie-5"), 55).unwrap();
        let file = read(dir.path());
        assert_eq!(file.logins.len(), KEEP);
        assert_eq!(
            file.logins[0].athlete_id, 55,
            "re-seen login first, with its new athlete"
        );
        assert_eq!(recall(dir.path(), &secret("cookie-5")), Some(55));
        assert_eq!(
            recall(dir.path(), &secret("cookie-3")),
            None,
            "the oldest are forgotten"
        );
        assert_eq!(
            recall(dir.path(), &secret(&format!("cookie-{}", KEEP + 3))),
            Some(KEEP as i64 + 3)
        );
    }

    #[test]
    fn an_unreadable_file_is_nothing_remembered_and_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join(LOGINS_FILE), b"{ not json").unwrap();
        assert_eq!(recall(dir.path(), &secret("cookie-a")), None);
        remember(dir.path(), &secret("cookie-a"), 3).unwrap();
        assert_eq!(recall(dir.path(), &secret("cookie-a")), Some(3));
    }
}

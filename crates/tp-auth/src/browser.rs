//! The browsers' cookie databases, read with `rookie`.
//!
//! A [`BrowserSource`] is one browser profile: its name, its family (which
//! rookie reader applies) and the path of its cookie database. The default
//! list ([`default_sources`]) is built from rookie's own table of browsers
//! and paths for this OS, every profile of every browser rookie supports;
//! tests build sources pointing at a profile of their own.
//!
//! A database is never read in place: it is copied (with its write-ahead
//! log and, for Firefox, the session store) into a private temporary
//! directory first. Firefox keeps recent cookies in `cookies.sqlite-wal`
//! while it runs, and rookie opens databases as immutable, which ignores
//! the log — so the copy's log is folded in before rookie reads it. The copy
//! also leaves the running browser's files alone, and is deleted at once.

use crate::{COOKIE_DOMAIN, COOKIE_NAME};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};
use tp_api::Secret;

/// Which of rookie's readers a browser needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BrowserFamily {
    /// Chrome, Chromium, Brave, Edge, Opera, Vivaldi, Arc, …: `Cookies`
    /// (SQLite, values encrypted with a key from the OS keychain).
    Chromium,
    /// Firefox, LibreWolf, Zen, …: `cookies.sqlite` (plain values).
    Firefox,
    /// Safari (macOS): `Cookies.binarycookies`.
    Safari,
    /// Internet Explorer (Windows): `WebCacheV01.dat`.
    InternetExplorer,
}

/// One browser profile whose cookies can be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrowserSource {
    /// What the user calls the browser: "Google Chrome", "Firefox".
    pub name: String,
    /// rookie's name for it ("chrome", "firefox"); on Linux and macOS it
    /// names the keychain item holding a Chromium browser's key.
    pub key: String,
    pub family: BrowserFamily,
    /// The profile, when found on disk ("Default", "Profile 1", "x1y2.default-release").
    pub profile: Option<String>,
    /// The cookie database; `None` when the browser is not installed.
    pub cookie_db: Option<PathBuf>,
}

impl BrowserSource {
    /// A Chromium-family profile's `Cookies` database (keys as Chromium's).
    pub fn chromium(name: impl Into<String>, cookie_db: impl Into<PathBuf>) -> BrowserSource {
        let cookie_db = cookie_db.into();
        BrowserSource {
            name: name.into(),
            key: "chromium".into(),
            family: BrowserFamily::Chromium,
            profile: chromium_profile_name(&cookie_db),
            cookie_db: Some(cookie_db),
        }
    }

    /// A Firefox-family profile's `cookies.sqlite`.
    pub fn firefox(name: impl Into<String>, cookie_db: impl Into<PathBuf>) -> BrowserSource {
        let cookie_db = cookie_db.into();
        BrowserSource {
            name: name.into(),
            key: "firefox".into(),
            family: BrowserFamily::Firefox,
            profile: parent_name(&cookie_db),
            cookie_db: Some(cookie_db),
        }
    }

    /// "Google Chrome (profile Default)".
    pub fn label(&self) -> String {
        match &self.profile {
            Some(p) => format!("{} (profile {p})", self.name),
            None => self.name.clone(),
        }
    }

    /// Whether the user's `--browser NAME` means this browser: rookie's name
    /// or the display name, ignoring case, spaces and punctuation.
    pub fn matches(&self, wanted: &str) -> bool {
        let wanted = squash(wanted);
        !wanted.is_empty() && (squash(&self.key) == wanted || squash(&self.name) == wanted)
    }
}

fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// rookie's platform key for this OS.
fn platform() -> &'static str {
    if cfg!(windows) {
        "windows"
    } else if cfg!(target_os = "macos") {
        "macos"
    } else {
        "linux"
    }
}

/// The order browsers are listed in (most used first); any other browser
/// rookie knows for this OS follows, alphabetically.
const PREFERRED_ORDER: &[&str] = &[
    "chrome",
    "chromium",
    "brave",
    "edge",
    "opera",
    "opera_gx",
    "vivaldi",
    "arc",
    "firefox",
    "librewolf",
    "zen",
    "cachy",
    "safari",
    "ie",
    "octo_browser",
];

fn display_name(key: &str) -> String {
    match key {
        "chrome" => "Google Chrome",
        "chromium" => "Chromium",
        "brave" => "Brave",
        "edge" => "Microsoft Edge",
        "opera" => "Opera",
        "opera_gx" => "Opera GX",
        "vivaldi" => "Vivaldi",
        "arc" => "Arc",
        "firefox" => "Firefox",
        "librewolf" => "LibreWolf",
        "zen" => "Zen",
        "cachy" => "Cachy Browser",
        "safari" => "Safari",
        "ie" => "Internet Explorer",
        "octo_browser" => "Octo Browser",
        other => other,
    }
    .to_string()
}

fn family_of(key: &str) -> BrowserFamily {
    match key {
        "firefox" | "librewolf" | "zen" | "cachy" => BrowserFamily::Firefox,
        "safari" => BrowserFamily::Safari,
        "ie" => BrowserFamily::InternetExplorer,
        _ => BrowserFamily::Chromium,
    }
}

/// Every browser rookie supports on this OS, one source per profile found
/// (or one with no database for a browser that is not installed).
pub fn default_sources() -> Vec<BrowserSource> {
    discover(&expand_from_env)
}

/// The default list as it would be for a user whose home is `home` (Linux
/// and macOS paths all live under it).
#[cfg(unix)]
pub fn sources_in_home(home: &Path) -> Vec<BrowserSource> {
    let home = home.to_path_buf();
    discover(&move |template: &str| expand_home(template, Some(&home)))
}

fn discover(expand: &dyn Fn(&str) -> Option<String>) -> Vec<BrowserSource> {
    let Some(browsers) = rookie::config::CONFIG.platforms.get(platform()) else {
        return Vec::new();
    };
    let mut keys: Vec<&String> = browsers
        .iter()
        .filter(|(_, b)| !b.paths.is_empty())
        .map(|(k, _)| k)
        .collect();
    keys.sort_by_key(|k| {
        (
            PREFERRED_ORDER
                .iter()
                .position(|p| p == k)
                .unwrap_or(usize::MAX),
            k.to_string(),
        )
    });
    let mut out = Vec::new();
    for key in keys {
        let config = &browsers[key];
        let family = family_of(key);
        let mut dbs: Vec<PathBuf> = Vec::new();
        let channels = config
            .channels
            .clone()
            .unwrap_or_else(|| vec![String::new()]);
        for template in &config.paths {
            for channel in &channels {
                let Some(pattern) = expand(&template.replace("{channel}", channel)) else {
                    continue;
                };
                for found in glob_paths(&pattern) {
                    for db in cookie_dbs(family, &found) {
                        let canonical = db.canonicalize().unwrap_or(db);
                        if !dbs.contains(&canonical) {
                            dbs.push(canonical);
                        }
                    }
                }
            }
        }
        let name = display_name(key);
        if dbs.is_empty() {
            out.push(BrowserSource {
                name: name.clone(),
                key: key.clone(),
                family,
                profile: None,
                cookie_db: None,
            });
        }
        for db in dbs {
            let profile = match family {
                BrowserFamily::Chromium => chromium_profile_name(&db),
                BrowserFamily::Firefox => parent_name(&db),
                _ => None,
            };
            out.push(BrowserSource {
                name: name.clone(),
                key: key.clone(),
                family,
                profile,
                cookie_db: Some(db),
            });
        }
    }
    out
}

/// The cookie databases under one path of rookie's table: the path itself
/// for the browsers whose table names files; every profile's
/// `cookies.sqlite` under a Firefox-family directory.
fn cookie_dbs(family: BrowserFamily, found: &Path) -> Vec<PathBuf> {
    match family {
        BrowserFamily::Firefox => {
            let mut dbs = Vec::new();
            if found.is_dir() {
                for pattern in ["*/cookies.sqlite", "Profiles/*/cookies.sqlite"] {
                    let base = glob::Pattern::escape(&found.to_string_lossy());
                    dbs.extend(glob_paths(&format!("{base}/{pattern}")));
                }
            }
            dbs
        }
        _ if found.is_file() => vec![found.to_path_buf()],
        _ => Vec::new(),
    }
}

fn glob_paths(pattern: &str) -> Vec<PathBuf> {
    match glob::glob(pattern) {
        Ok(paths) => paths.filter_map(Result::ok).collect(),
        Err(_) => Vec::new(),
    }
}

fn expand_from_env(template: &str) -> Option<String> {
    if cfg!(windows) {
        expand_windows(template, &|name| std::env::var(name).ok())
    } else {
        let home = std::env::var_os("HOME").map(PathBuf::from);
        expand_home(template, home.as_deref())
    }
}

/// `~` and `$HOME` → the home directory (escaped for glob).
fn expand_home(template: &str, home: Option<&Path>) -> Option<String> {
    if !template.contains('~') && !template.contains("$HOME") {
        return Some(template.to_string());
    }
    let home = home.filter(|h| !h.as_os_str().is_empty())?;
    let home = glob::Pattern::escape(&home.to_string_lossy());
    Some(template.replace("$HOME", &home).replace('~', &home))
}

/// `%LOCALAPPDATA%` and the like → their values (escaped for glob).
fn expand_windows(template: &str, var: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find('%') {
        let after = &rest[start + 1..];
        let end = after.find('%')?;
        out.push_str(&rest[..start]);
        out.push_str(&glob::Pattern::escape(&var(&after[..end])?));
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Some(out)
}

fn parent_name(path: &Path) -> Option<String> {
    path.parent()
        .and_then(Path::file_name)
        .map(|n| n.to_string_lossy().into_owned())
}

/// `…/Default/Cookies` and `…/Default/Network/Cookies` → "Default".
fn chromium_profile_name(db: &Path) -> Option<String> {
    let parent = db.parent()?;
    let dir = if parent.file_name().is_some_and(|n| n == "Network") {
        parent.parent()?
    } else {
        parent
    };
    dir.file_name().map(|n| n.to_string_lossy().into_owned())
}

/// What one browser profile had, and in the end what became of its cookie.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BrowserFinding {
    /// No cookie database: the browser is not installed (or never ran).
    NotInstalled,
    /// The database has no `Production_tpAuth` for trainingpeaks.com.
    NoCookie,
    /// Only expired ones.
    Expired,
    /// The database could not be opened because the browser holds it.
    Locked { detail: String },
    /// The cookies are encrypted with a key that could not be obtained or did not fit.
    DecryptionRefused { detail: String },
    /// Any other failure to read the database.
    Unreadable { detail: String },
    /// It has a cookie, not tried: a newer one from another source was accepted.
    NotTried,
    /// It has a cookie, and TrainingPeaks refused it.
    Refused,
    /// Its cookie was accepted by TrainingPeaks: the one imported.
    Accepted,
}

impl BrowserFinding {
    /// What happened, in plain words (follows the browser's name).
    pub fn describe(&self) -> String {
        match self {
            BrowserFinding::NotInstalled => "not installed (no cookie database found)".into(),
            BrowserFinding::NoCookie => {
                "no TrainingPeaks login (not logged in to app.trainingpeaks.com in this browser)"
                    .into()
            }
            BrowserFinding::Expired => {
                "only an expired TrainingPeaks login; log in again in this browser".into()
            }
            BrowserFinding::Locked { detail } => format!(
                "its cookie database is locked by the running browser ({detail}); close the browser and try again"
            ),
            BrowserFinding::DecryptionRefused { detail } => {
                format!("its cookies could not be decrypted ({detail}); {DECRYPT_HINT}")
            }
            BrowserFinding::Unreadable { detail } => {
                format!("its cookie database could not be read ({detail})")
            }
            BrowserFinding::NotTried => {
                "has a TrainingPeaks login too (not needed: a newer one was used)".into()
            }
            BrowserFinding::Refused => {
                "has a TrainingPeaks login cookie, but TrainingPeaks refused it (signed out or expired); log in again in this browser".into()
            }
            BrowserFinding::Accepted => "has a valid TrainingPeaks login: imported".into(),
        }
    }

    /// True when the browser had a cookie at all.
    pub fn had_cookie(&self) -> bool {
        matches!(
            self,
            BrowserFinding::Expired
                | BrowserFinding::NotTried
                | BrowserFinding::Refused
                | BrowserFinding::Accepted
        )
    }
}

const DECRYPT_HINT: &str = if cfg!(target_os = "macos") {
    "allow access when macOS asks for the browser's \"Safe Storage\" key, or use another browser"
} else if cfg!(windows) {
    "recent Chrome and Edge encrypt cookies with a key only the browser itself (or an administrator) can use: run from an administrator terminal, or use another browser"
} else {
    "the browser's key is kept in your desktop keyring: run this from your desktop session with the keyring unlocked, or use another browser"
};

/// A `Production_tpAuth` value read from a browser.
pub(crate) struct FoundValue {
    pub value: Secret,
    /// Unix seconds; `None` for a session cookie.
    pub expires: Option<u64>,
}

/// Reads one source: what it had, and its unexpired cookie values.
pub(crate) fn read_source(source: &BrowserSource) -> (BrowserFinding, Vec<FoundValue>) {
    let Some(db) = source.cookie_db.as_deref() else {
        return (BrowserFinding::NotInstalled, Vec::new());
    };
    if !db.exists() {
        return (BrowserFinding::NotInstalled, Vec::new());
    }
    let cookies = match read_cookies(source, db) {
        Ok(cookies) => cookies,
        Err(finding) => return (finding, Vec::new()),
    };
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let mut any = false;
    let mut found = Vec::new();
    for cookie in cookies {
        let domain = cookie.domain.trim_start_matches('.');
        let ours = domain == COOKIE_DOMAIN || domain.ends_with(&format!(".{COOKIE_DOMAIN}"));
        if cookie.name != COOKIE_NAME || !ours {
            continue;
        }
        let value = Secret::new(cookie.value);
        if value.is_empty() {
            continue;
        }
        any = true;
        let expires = cookie.expires.map(normalize_expiry);
        if expires.is_some_and(|e| e <= now) {
            continue;
        }
        found.push(FoundValue { value, expires });
    }
    let finding = match (any, found.is_empty()) {
        (false, _) => BrowserFinding::NoCookie,
        (true, true) => BrowserFinding::Expired,
        (true, false) => BrowserFinding::NotTried,
    };
    (finding, found)
}

/// Unix seconds from a browser's expiry (newer Firefox stores milliseconds).
fn normalize_expiry(expires: u64) -> u64 {
    if expires > 100_000_000_000 {
        expires / 1000
    } else {
        expires
    }
}

fn read_cookies(
    source: &BrowserSource,
    db: &Path,
) -> Result<Vec<rookie::enums::Cookie>, BrowserFinding> {
    let snapshot = Snapshot::of(source.family, db)?;
    let domains = Some(vec![COOKIE_DOMAIN.to_string()]);
    let copy = snapshot.db.clone();
    let result = match source.family {
        BrowserFamily::Firefox => rookie::firefox_based(copy, domains),
        BrowserFamily::Chromium => read_chromium(source, db, copy, domains),
        #[cfg(target_os = "macos")]
        BrowserFamily::Safari => rookie::safari_based(copy, domains),
        #[cfg(windows)]
        BrowserFamily::InternetExplorer => rookie::internet_explorer_based(copy, domains),
        #[allow(unreachable_patterns)]
        _ => {
            return Err(BrowserFinding::Unreadable {
                detail: "this browser is not supported on this operating system".into(),
            });
        }
    };
    result.map_err(|e| classify(&e))
}

#[cfg(unix)]
fn read_chromium(
    source: &BrowserSource,
    _original: &Path,
    copy: PathBuf,
    domains: Option<Vec<String>>,
) -> rookie::Result<Vec<rookie::enums::Cookie>> {
    // The keychain names of the browser's key come from rookie's table.
    let config = rookie::config::CONFIG
        .platforms
        .get(platform())
        .and_then(|b| b.get(&source.key).or_else(|| b.get("chromium")));
    match config {
        Some(config) => rookie::chromium_based(config, copy, domains),
        None => Err(rookie_error("no key settings for this browser")),
    }
}

#[cfg(windows)]
fn read_chromium(
    _source: &BrowserSource,
    original: &Path,
    copy: PathBuf,
    domains: Option<Vec<String>>,
) -> rookie::Result<Vec<rookie::enums::Cookie>> {
    // The key is in "Local State" at the top of the browser's user data.
    let parent = original.parent().unwrap_or(original);
    let key = ["../../Local State", "../Local State", "Local State"]
        .iter()
        .map(|p| parent.join(p))
        .find(|p| p.exists());
    match key {
        Some(key) => rookie::chromium_based(key, copy, domains),
        None => Err(rookie_error(
            "its \"Local State\" file (which holds the key) is missing",
        )),
    }
}

fn rookie_error(message: &'static str) -> eyre::Report {
    eyre::Report::msg(message)
}

/// A rookie failure → what it means for the user.
fn classify(err: &eyre::Report) -> BrowserFinding {
    let detail = short(&format!("{err:#}"));
    for cause in err.chain() {
        if let Some(sql) = cause.downcast_ref::<rusqlite::Error>() {
            use rusqlite::ErrorCode::*;
            return match sql.sqlite_error_code() {
                Some(DatabaseBusy | DatabaseLocked) => BrowserFinding::Locked { detail },
                Some(NotADatabase | DatabaseCorrupt) => BrowserFinding::Unreadable {
                    detail: "it is not a readable SQLite database".into(),
                },
                _ if detail.contains("no such table") || detail.contains("no such column") => {
                    BrowserFinding::Unreadable {
                        detail: format!("its layout is not one rookie knows: {detail}"),
                    }
                }
                _ => BrowserFinding::Unreadable { detail },
            };
        }
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            // Windows: ERROR_SHARING_VIOLATION / ERROR_LOCK_VIOLATION.
            if matches!(io.raw_os_error(), Some(32 | 33) if cfg!(windows)) {
                return BrowserFinding::Locked { detail };
            }
        }
    }
    let lower = detail.to_lowercase();
    if ["decrypt", "appbound", "admin", "dpapi", "keychain", "key "]
        .iter()
        .any(|w| lower.contains(w))
    {
        BrowserFinding::DecryptionRefused { detail }
    } else if lower.contains("locked") || lower.contains("another process") {
        BrowserFinding::Locked { detail }
    } else {
        BrowserFinding::Unreadable { detail }
    }
}

fn short(text: &str) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > 200 {
        one_line.chars().take(200).collect::<String>() + "…"
    } else {
        one_line
    }
}

/// A private copy of a cookie database, deleted on drop.
struct Snapshot {
    dir: PathBuf,
    db: PathBuf,
}

impl Snapshot {
    fn of(family: BrowserFamily, db: &Path) -> Result<Snapshot, BrowserFinding> {
        let dir = private_temp_dir().map_err(|e| BrowserFinding::Unreadable {
            detail: format!("no private temporary directory to copy it to: {e}"),
        })?;
        let name = db.file_name().unwrap_or(db.as_os_str());
        let snapshot = Snapshot {
            db: dir.join(name),
            dir,
        };
        copy_file(db, &snapshot.db)?;
        let mut wal = db.as_os_str().to_owned();
        wal.push("-wal");
        let wal = PathBuf::from(wal);
        if wal.is_file() {
            let mut copy = snapshot.db.as_os_str().to_owned();
            copy.push("-wal");
            copy_file(&wal, Path::new(&copy))?;
            fold_wal(&snapshot.db)?;
        }
        if family == BrowserFamily::Firefox
            && let Some(profile) = db.parent()
        {
            // Session cookies live in the session store, beside the database.
            for extra in ["sessionstore-backups/recovery.jsonlz4", "sessionstore.js"] {
                let from = profile.join(extra);
                if from.is_file() {
                    let to = snapshot.dir.join(extra);
                    if let Some(parent) = to.parent() {
                        let _ = std::fs::create_dir_all(parent);
                    }
                    let _ = std::fs::copy(&from, &to);
                }
            }
        }
        Ok(snapshot)
    }
}

impl Drop for Snapshot {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn copy_file(from: &Path, to: &Path) -> Result<(), BrowserFinding> {
    std::fs::copy(from, to).map(|_| ()).map_err(|e| {
        let locked = cfg!(windows) && matches!(e.raw_os_error(), Some(32 | 33));
        let detail = short(&e.to_string());
        if locked {
            BrowserFinding::Locked { detail }
        } else if e.kind() == std::io::ErrorKind::PermissionDenied {
            let hint = if cfg!(target_os = "macos") {
                "; give your terminal (or the app) Full Disk Access in System Settings → Privacy & Security"
            } else {
                ""
            };
            BrowserFinding::Unreadable {
                detail: format!("permission denied: {detail}{hint}"),
            }
        } else {
            BrowserFinding::Unreadable { detail }
        }
    })
}

/// Applies the copied write-ahead log to the copied database, so a reader
/// that ignores logs (rookie opens read-only and immutable) sees every cookie.
fn fold_wal(db: &Path) -> Result<(), BrowserFinding> {
    let fold = || -> rusqlite::Result<()> {
        let conn = rusqlite::Connection::open(db)?;
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        conn.execute_batch("PRAGMA journal_mode=DELETE")?;
        Ok(())
    };
    fold().map_err(|e| BrowserFinding::Unreadable {
        detail: format!(
            "its write-ahead log could not be applied: {}",
            short(&e.to_string())
        ),
    })
}

fn private_temp_dir() -> std::io::Result<PathBuf> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let dir = std::env::temp_dir().join(format!(
        "tp-auth-{}-{nanos}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    #[cfg_attr(not(unix), allow(unused_mut))]
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(&dir)?;
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_loosely() {
        let s = BrowserSource {
            name: "Google Chrome".into(),
            key: "chrome".into(),
            family: BrowserFamily::Chromium,
            profile: Some("Default".into()),
            cookie_db: None,
        };
        for wanted in ["chrome", "Chrome", "google chrome", "Google-Chrome"] {
            assert!(s.matches(wanted), "{wanted}");
        }
        assert!(!s.matches("chromium"));
        assert!(!s.matches(""));
        assert_eq!(s.label(), "Google Chrome (profile Default)");
    }

    #[test]
    fn profile_names() {
        assert_eq!(
            chromium_profile_name(Path::new("/h/.config/chromium/Profile 2/Cookies")).as_deref(),
            Some("Profile 2")
        );
        assert_eq!(
            chromium_profile_name(Path::new("C:/U/Chrome/User Data/Default/Network/Cookies"))
                .as_deref(),
            Some("Default")
        );
    }

    #[test]
    fn expansion() {
        assert_eq!(
            expand_home("~/.mozilla/firefox", Some(Path::new("/home/a"))).as_deref(),
            Some("/home/a/.mozilla/firefox")
        );
        assert_eq!(expand_home("~/.x", None), None);
        assert_eq!(
            expand_home("~/x", Some(Path::new("/home/[odd]"))).as_deref(),
            Some("/home/[[]odd[]]/x")
        );
        let var = |name: &str| (name == "LOCALAPPDATA").then(|| "C:/Users/a/AppData/Local".into());
        assert_eq!(
            expand_windows("%LOCALAPPDATA%/Google/Chrome/User Data", &var).as_deref(),
            Some("C:/Users/a/AppData/Local/Google/Chrome/User Data")
        );
        assert_eq!(expand_windows("%APPDATA%/x", &var), None);
    }

    #[test]
    fn expiry_in_milliseconds_is_understood() {
        assert_eq!(normalize_expiry(1_900_000_000), 1_900_000_000);
        assert_eq!(normalize_expiry(1_900_000_000_000), 1_900_000_000);
    }

    #[test]
    fn every_browser_rookie_knows_here_is_listed() {
        let sources = discover(&|_| None);
        let keys: Vec<&str> = sources.iter().map(|s| s.key.as_str()).collect();
        for key in ["chrome", "chromium", "brave", "edge", "firefox"] {
            assert!(keys.contains(&key), "{key} missing from {keys:?}");
        }
        assert!(sources.iter().all(|s| s.cookie_db.is_none()));
    }
}

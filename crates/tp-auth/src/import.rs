//! Import: the browsers' TrainingPeaks login → checked → the keychain.
//!
//! 1. Every source is read (on a blocking thread: SQLite, and on Linux the
//!    D-Bus keyring that holds a Chromium browser's key).
//! 2. The unexpired `Production_tpAuth` values are tried newest first (the
//!    latest expiry; a session cookie last), each with a real token exchange
//!    ([`TpClient::validate`]); the first TrainingPeaks accepts wins.
//! 3. Only then does it replace what the keychain holds.
//!
//! Nothing is stored when no candidate is accepted, and the error lists
//! what each browser had ([`ImportReport`]) and what the user can do.

use crate::browser::{BrowserFinding, BrowserSource, FoundValue, default_sources, read_source};
use crate::keychain::{Keychain, KeychainError};
use std::fmt;
use tp_api::{ClientConfig, Secret, TpClient};

/// What each browser had, in the order they were checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub browsers: Vec<BrowserReport>,
}

/// One browser profile's line in an [`ImportReport`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrowserReport {
    /// "Chromium (profile Default)".
    pub browser: String,
    pub finding: BrowserFinding,
}

impl fmt::Display for ImportReport {
    /// One line per browser that has a profile; the browsers that are not
    /// installed share a line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.browsers.is_empty() {
            return writeln!(
                f,
                "  (no browser this program can read is known on this system)"
            );
        }
        let mut absent: Vec<&str> = Vec::new();
        for line in &self.browsers {
            if line.finding == BrowserFinding::NotInstalled {
                if !absent.contains(&line.browser.as_str()) {
                    absent.push(&line.browser);
                }
            } else {
                writeln!(f, "  - {}: {}", line.browser, line.finding.describe())?;
            }
        }
        if !absent.is_empty() {
            writeln!(
                f,
                "  - not installed (no cookie database found): {}",
                absent.join(", ")
            )?;
        }
        Ok(())
    }
}

/// A cookie a browser had and TrainingPeaks accepted. `Debug` hides the value.
#[derive(Debug)]
pub struct FoundCookie {
    pub secret: Secret,
    /// Where it came from: "Chromium (profile Default)".
    pub browser: String,
    /// When the browser will drop it (Unix seconds); `None` for a session cookie.
    pub expires: Option<u64>,
    pub report: ImportReport,
}

/// What the keychain held before an import.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    /// Nothing: the cookie is new there.
    New,
    /// Another cookie, now replaced.
    Replaced,
    /// This very cookie already.
    Unchanged,
}

/// A successful import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    pub browser: String,
    pub expires: Option<u64>,
    pub stored: Stored,
    pub report: ImportReport,
}

/// Why nothing was imported. Never contains a cookie value.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(
        "No browser called {name:?} is supported here. Browsers this program can read on this system: {}.",
        known.join(", ")
    )]
    UnknownBrowser { name: String, known: Vec<String> },

    #[error(
        "No usable TrainingPeaks login was found in your browsers. What each one had:\n{report}\n{NOTHING_HINT}"
    )]
    NothingUsable { report: ImportReport },

    #[error(
        "Found a TrainingPeaks login in {browser}, but could not check it with TrainingPeaks: {detail}\nNothing was changed; try again when TrainingPeaks can be reached."
    )]
    CannotCheck {
        browser: String,
        detail: String,
        report: ImportReport,
    },

    #[error("Found a valid TrainingPeaks login in {browser}, but could not store it: {error}")]
    Keychain {
        browser: String,
        error: KeychainError,
        report: ImportReport,
    },
}

const NOTHING_HINT: &str = "What you can do: log in at https://app.trainingpeaks.com in one of \
these browsers, then run `tp-mcp auth import` again (`--browser NAME` reads only that one). \
If no browser can be read, copy the value of the Production_tpAuth cookie from the browser's \
developer tools (Application/Storage → Cookies → trainingpeaks.com) and run `tp-mcp auth set`, \
which reads it from standard input; or set TP_AUTH_COOKIE in the MCP server's configuration.";

impl ImportError {
    /// What each browser had, when the browsers were read.
    pub fn report(&self) -> Option<&ImportReport> {
        match self {
            ImportError::UnknownBrowser { .. } => None,
            ImportError::NothingUsable { report }
            | ImportError::CannotCheck { report, .. }
            | ImportError::Keychain { report, .. } => Some(report),
        }
    }
}

struct Candidate {
    source: usize,
    found: FoundValue,
}

/// Reads `sources` and returns the newest unexpired cookie TrainingPeaks
/// accepts (checked against `config`'s API), without storing it.
pub async fn find_valid_cookie(
    sources: &[BrowserSource],
    config: &ClientConfig,
) -> Result<FoundCookie, ImportError> {
    let owned = sources.to_vec();
    let reads = tokio::task::spawn_blocking(move || owned.iter().map(read_source).collect())
        .await
        .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()));
    let reads: Vec<(BrowserFinding, Vec<FoundValue>)> = reads;

    let mut report = ImportReport {
        browsers: sources
            .iter()
            .zip(&reads)
            .map(|(s, (finding, _))| BrowserReport {
                browser: s.label(),
                finding: finding.clone(),
            })
            .collect(),
    };
    let mut candidates: Vec<Candidate> = reads
        .into_iter()
        .enumerate()
        .flat_map(|(source, (_, values))| {
            values
                .into_iter()
                .map(move |found| Candidate { source, found })
        })
        .collect();
    // Newest first: the latest expiry; a session cookie (no expiry) last.
    candidates.sort_by_key(|c| std::cmp::Reverse(c.found.expires.unwrap_or(0)));
    let mut tried: Vec<Secret> = Vec::new();
    // A source's final word: accepted beats not tried beats refused.
    let mut refused = vec![false; sources.len()];

    for candidate in candidates {
        let label = sources[candidate.source].label();
        let secret = candidate.found.value;
        if tried.contains(&secret) {
            continue;
        }
        tried.push(secret.clone());
        tracing::info!(browser = %label, "checking a TrainingPeaks cookie from the browser");
        let verdict = match TpClient::new(config.clone(), Some(secret.clone())) {
            Ok(client) => client.validate().await.map(|_| ()),
            Err(e) => Err(e),
        };
        match verdict {
            Ok(()) => {
                for (i, line) in report.browsers.iter_mut().enumerate() {
                    if i == candidate.source {
                        line.finding = BrowserFinding::Accepted;
                    } else if refused[i] && line.finding == BrowserFinding::NotTried {
                        line.finding = BrowserFinding::Refused;
                    }
                }
                return Ok(FoundCookie {
                    secret,
                    browser: label,
                    expires: candidate.found.expires,
                    report,
                });
            }
            Err(e) if e.needs_reauth() => {
                tracing::info!(browser = %label, "TrainingPeaks refused that cookie");
                refused[candidate.source] = true;
            }
            Err(e) => {
                return Err(ImportError::CannotCheck {
                    browser: label,
                    detail: e.to_string(),
                    report,
                });
            }
        }
    }
    for (i, line) in report.browsers.iter_mut().enumerate() {
        if refused[i] {
            line.finding = BrowserFinding::Refused;
        }
    }
    Err(ImportError::NothingUsable { report })
}

/// Imports from `sources`: the newest cookie TrainingPeaks accepts replaces
/// what `keychain` holds. Nothing is stored otherwise.
pub async fn import_from(
    sources: &[BrowserSource],
    config: &ClientConfig,
    keychain: &Keychain,
) -> Result<Imported, ImportError> {
    let found = find_valid_cookie(sources, config).await?;
    let keychain = keychain.clone();
    let secret = found.secret.clone();
    let stored = tokio::task::spawn_blocking(move || {
        let before = keychain.read();
        keychain.store(&secret)?;
        Ok::<_, KeychainError>(match before {
            Ok(Some(old)) if old == secret => Stored::Unchanged,
            Ok(Some(_)) => Stored::Replaced,
            _ => Stored::New,
        })
    })
    .await
    .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()));
    match stored {
        Ok(stored) => Ok(Imported {
            browser: found.browser,
            expires: found.expires,
            stored,
            report: found.report,
        }),
        Err(error) => Err(ImportError::Keychain {
            browser: found.browser,
            error,
            report: found.report,
        }),
    }
}

/// [`import_from`] the browsers of [`default_sources`], or only those that
/// [match](BrowserSource::matches) `browser`, into `keychain`.
pub async fn import(
    browser: Option<&str>,
    config: &ClientConfig,
    keychain: &Keychain,
) -> Result<Imported, ImportError> {
    let all = default_sources();
    let sources: Vec<BrowserSource> = match browser {
        None => all,
        Some(name) => {
            let chosen: Vec<BrowserSource> =
                all.iter().filter(|s| s.matches(name)).cloned().collect();
            if chosen.is_empty() {
                let mut known: Vec<String> = Vec::new();
                for s in &all {
                    if !known.contains(&s.name) {
                        known.push(s.name.clone());
                    }
                }
                return Err(ImportError::UnknownBrowser {
                    name: name.to_string(),
                    known,
                });
            }
            chosen
        }
    };
    import_from(&sources, config, keychain).await
}

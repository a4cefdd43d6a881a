//! Where the TrainingPeaks session cookie comes from, and how it gets there.
//!
//! TrainingPeaks' web API is reached with the browser session cookie
//! `Production_tpAuth` (see `tp-api`). This crate finds it for every binary
//! of the project — the MCP server (`tp-mcp`, also run as the tray app's
//! sidecar), its CLI and the tray app — so they all agree:
//!
//! - [`find_cookie`] — the sources, in order: the `TP_AUTH_COOKIE`
//!   environment variable, then the OS keychain ([`Keychain::shared`]),
//!   then nothing.
//! - [`keychain`] — [`Keychain`]: store, read, replace and clear the cookie
//!   in the Secret Service (Linux), the macOS Keychain or the Windows
//!   Credential Manager, under one service/account name every binary uses.
//! - [`browser`] — [`BrowserSource`]: one browser profile's cookie database,
//!   read with `rookie`; [`default_sources`] lists every browser rookie
//!   supports on this OS (tests pass their own list).
//! - [`import`] — [`import_from`]: the newest unexpired `Production_tpAuth`
//!   from the browsers, checked with a token exchange before it replaces
//!   what the keychain holds; when nothing usable is found, the error says
//!   what each browser had and what the user can do.
//!
//! Secrets are [`tp_api::Secret`] from the moment they are read: redacted in
//! `Debug`/`Display`, zeroed on drop, and never part of an error message or
//! a log line.

pub mod browser;
pub mod import;
pub mod keychain;

#[cfg(unix)]
pub use browser::sources_in_home;
pub use browser::{BrowserFamily, BrowserFinding, BrowserSource, default_sources};
pub use import::{
    BrowserReport, FoundCookie, ImportError, ImportReport, Imported, Stored, find_valid_cookie,
    import, import_from,
};
pub use keychain::{KEYCHAIN_ACCOUNT, KEYCHAIN_SERVICE, Keychain, KeychainError};
pub use tp_api::Secret;

/// The environment variable holding a `Production_tpAuth` cookie value; it
/// wins over the keychain.
pub const COOKIE_ENV: &str = "TP_AUTH_COOKIE";

/// The name of TrainingPeaks' session cookie.
pub const COOKIE_NAME: &str = "Production_tpAuth";

/// The domain the cookie belongs to (it is set on `.trainingpeaks.com`).
pub const COOKIE_DOMAIN: &str = "trainingpeaks.com";

/// Where a cookie was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CookieOrigin {
    /// The `TP_AUTH_COOKIE` environment variable.
    Environment,
    /// The OS keychain (stored by `tp-mcp auth import`/`set` or the tray app).
    Keychain,
    /// Nowhere.
    Missing,
}

/// The outcome of [`find_cookie`]. Its `Debug` never shows the cookie.
#[derive(Debug)]
pub struct CookieLookup {
    pub secret: Option<Secret>,
    pub origin: CookieOrigin,
    /// Why the keychain could not be read, when it could not (the lookup
    /// then goes on as if it were empty).
    pub keychain_error: Option<KeychainError>,
}

/// Looks the cookie up: `TP_AUTH_COOKIE`, then the shared keychain entry.
pub fn find_cookie() -> CookieLookup {
    let env = std::env::var(COOKIE_ENV).ok().map(Secret::new);
    find_cookie_with(env, &Keychain::shared())
}

/// How long [`find_cookie`] waits for the keychain (a locked keyring may be
/// waiting for its user; a server starting in the background goes on without).
pub const KEYCHAIN_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// [`find_cookie`] with the environment value and the keychain entry given.
pub fn find_cookie_with(env: Option<Secret>, keychain: &Keychain) -> CookieLookup {
    if let Some(secret) = env.filter(|s| !s.is_empty()) {
        return CookieLookup {
            secret: Some(secret),
            origin: CookieOrigin::Environment,
            keychain_error: None,
        };
    }
    match keychain.read_within(KEYCHAIN_WAIT) {
        Ok(Some(secret)) => CookieLookup {
            secret: Some(secret),
            origin: CookieOrigin::Keychain,
            keychain_error: None,
        },
        Ok(None) => CookieLookup {
            secret: None,
            origin: CookieOrigin::Missing,
            keychain_error: None,
        },
        Err(e) => {
            tracing::debug!(error = %e, "the keychain could not be read; no cookie from it");
            CookieLookup {
                secret: None,
                origin: CookieOrigin::Missing,
                keychain_error: Some(e),
            }
        }
    }
}

/// Why a pasted text is not a cookie value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasteError {
    #[error("Nothing was entered. Paste the value of the Production_tpAuth cookie.")]
    Empty,
    #[error(
        "That does not look like a cookie value (it contains spaces or several lines). Paste only the value of the Production_tpAuth cookie, or a whole `Cookie:` header that contains it."
    )]
    NotAValue,
}

/// The cookie value in what a user pasted: the bare value, `Production_tpAuth=value`,
/// or a whole `Cookie:` header containing it. Quotes around it are dropped.
pub fn cookie_from_pasted(text: &str) -> Result<Secret, PasteError> {
    let text = text.trim();
    let text = text
        .strip_prefix("Cookie:")
        .or_else(|| text.strip_prefix("cookie:"))
        .unwrap_or(text)
        .trim();
    let prefix = format!("{COOKIE_NAME}=");
    let value = match text
        .split(';')
        .map(str::trim)
        .find(|p| p.starts_with(&prefix))
    {
        Some(pair) => &pair[prefix.len()..],
        None => text,
    };
    let value = value.trim().trim_matches('"').trim_matches('\'');
    if value.is_empty() {
        return Err(PasteError::Empty);
    }
    if value.chars().any(|c| c.is_whitespace() || c == ';') {
        return Err(PasteError::NotAValue);
    }
    Ok(Secret::new(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pasted_forms_give_the_value() {
        for text in [
            "abc=def",
            "  abc=def\n",
            "\"abc=def\"",
            "Production_tpAuth=abc=def",
            "Cookie: a=1; Production_tpAuth=abc=def; b=2",
            "a=1;Production_tpAuth=abc=def",
        ] {
            assert_eq!(
                cookie_from_pasted(text).unwrap().expose(),
                "abc=def",
                "{text}"
            );
        }
        assert_eq!(cookie_from_pasted(" \n"), Err(PasteError::Empty));
        assert_eq!(
            cookie_from_pasted("Production_tpAuth="),
            Err(PasteError::Empty)
        );
        assert_eq!(cookie_from_pasted("two words"), Err(PasteError::NotAValue));
    }

    #[test]
    fn environment_wins_and_blank_is_ignored() {
        // A keychain entry no store has: the lookup must not need it.
        let keychain = Keychain::new("tp-auth-unit-test-never-stored", "nobody");
        let found = find_cookie_with(Some(Secret::new("from-env")), &keychain);
        assert_eq!(found.origin, CookieOrigin::Environment);
        assert_eq!(found.secret.unwrap().expose(), "from-env");
        let found = find_cookie_with(Some(Secret::new("  ")), &keychain);
        assert_ne!(found.origin, CookieOrigin::Environment);
        assert!(!format!("{found:?}").contains("from-env"));
    }
}

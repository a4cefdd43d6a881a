//! Where the session cookie comes from.
//!
//! One function, [`find_cookie`], delegating to `tp-auth` so every binary
//! agrees. Sources, in order: `TP_AUTH_COOKIE`, then the OS keychain entry
//! that `tp-mcp auth import`/`set` (and the tray app) write, then nothing —
//! so a server started with an empty environment (the tray's sidecar) still
//! finds the cookie.

use serde::Serialize;
use tp_api::Secret;

/// The environment variable holding a `Production_tpAuth` cookie value.
pub const COOKIE_ENV: &str = tp_auth::COOKIE_ENV;

/// Where the cookie in use came from (said by `tp_auth_status`, never the value).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CookieOrigin {
    /// The `TP_AUTH_COOKIE` environment variable.
    Environment,
    /// The OS keychain (stored by `tp-mcp auth import`/`set` or the tray app).
    Keychain,
    /// The built-in demo athlete (`--demo`).
    Demo,
    /// No cookie was found.
    Missing,
}

impl CookieOrigin {
    pub fn describe(self) -> &'static str {
        match self {
            CookieOrigin::Environment => "the TP_AUTH_COOKIE environment variable",
            CookieOrigin::Keychain => {
                if cfg!(target_os = "macos") {
                    "the macOS Keychain (stored by `tp-mcp auth import` or `tp-mcp auth set`)"
                } else if cfg!(windows) {
                    "the Windows Credential Manager (stored by `tp-mcp auth import` or `tp-mcp auth set`)"
                } else {
                    "the system keychain (stored by `tp-mcp auth import` or `tp-mcp auth set`)"
                }
            }
            CookieOrigin::Demo => "the built-in demo athlete (no TrainingPeaks account involved)",
            CookieOrigin::Missing => "nowhere: no cookie is configured",
        }
    }
}

impl From<tp_auth::CookieOrigin> for CookieOrigin {
    fn from(origin: tp_auth::CookieOrigin) -> Self {
        match origin {
            tp_auth::CookieOrigin::Environment => CookieOrigin::Environment,
            tp_auth::CookieOrigin::Keychain => CookieOrigin::Keychain,
            tp_auth::CookieOrigin::Missing => CookieOrigin::Missing,
        }
    }
}

/// Looks the cookie up in the configured sources, in order.
pub fn find_cookie() -> (Option<Secret>, CookieOrigin) {
    let found = tp_auth::find_cookie();
    if let Some(e) = &found.keychain_error {
        tracing::warn!("no cookie from the keychain: {e}");
    }
    (found.secret, found.origin.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_serialize_as_snake_case_and_say_where() {
        for (origin, name) in [
            (CookieOrigin::Environment, "environment"),
            (CookieOrigin::Keychain, "keychain"),
            (CookieOrigin::Demo, "demo"),
            (CookieOrigin::Missing, "missing"),
        ] {
            assert_eq!(serde_json::to_value(origin).unwrap(), name);
        }
        assert!(
            CookieOrigin::Keychain
                .describe()
                .contains("tp-mcp auth import")
        );
        assert_eq!(
            CookieOrigin::from(tp_auth::CookieOrigin::Keychain),
            CookieOrigin::Keychain
        );
    }
}

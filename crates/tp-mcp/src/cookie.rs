//! Where the session cookie comes from.
//!
//! One function, [`find_cookie`], so the keychain (tp-auth) slots in without
//! touching any tool. Sources, in order: `TP_AUTH_COOKIE`, then nothing.

use serde::Serialize;
use tp_api::Secret;

/// The environment variable holding a `Production_tpAuth` cookie value.
pub const COOKIE_ENV: &str = "TP_AUTH_COOKIE";

/// Where the cookie in use came from (said by `tp_auth_status`, never the value).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CookieOrigin {
    /// The `TP_AUTH_COOKIE` environment variable.
    Environment,
    /// The built-in demo athlete (`--demo`).
    Demo,
    /// No cookie was found.
    Missing,
}

impl CookieOrigin {
    pub fn describe(self) -> &'static str {
        match self {
            CookieOrigin::Environment => "the TP_AUTH_COOKIE environment variable",
            CookieOrigin::Demo => "the built-in demo athlete (no TrainingPeaks account involved)",
            CookieOrigin::Missing => "nowhere: no cookie is configured",
        }
    }
}

/// Looks the cookie up in the configured sources, in order.
pub fn find_cookie() -> (Option<Secret>, CookieOrigin) {
    match std::env::var(COOKIE_ENV) {
        Ok(v) if !v.trim().is_empty() => (Some(Secret::new(v)), CookieOrigin::Environment),
        _ => (None, CookieOrigin::Missing),
    }
}

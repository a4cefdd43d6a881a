//! What can go wrong talking to TrainingPeaks, in words a user can act on.
//!
//! Every message says what happened and what to do. None contains the cookie
//! or the bearer token: they live in [`crate::Secret`], which cannot be
//! formatted, and response bodies are quoted only in short, trimmed snippets.

use std::time::Duration;

/// The re-authentication hint shared by the auth errors: the browser import
/// first (`tp-mcp auth import`, or the `tp_refresh_auth` tool, which runs it),
/// the hand-copied cookie in `TP_AUTH_COOKIE` as the fallback.
pub const REAUTH_HINT: &str = "Log in to app.trainingpeaks.com in your browser, then run \
`tp-mcp auth import` (it copies your login from the browser into the system keychain, where \
the server finds it), click \"Re-authenticate from browser\" in the tp-tray menu, or call the \
tp_refresh_auth tool, which does the same. If your browser \
cannot be read: copy the value of its Production_tpAuth cookie, set TP_AUTH_COOKIE to it in \
the MCP server's configuration, and restart the server.";

/// An error from the TrainingPeaks client.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No cookie is configured at all.
    #[error("No TrainingPeaks session cookie is configured. {REAUTH_HINT}")]
    NoCookie,

    /// The token exchange refused the cookie: the browser session expired or was signed out.
    #[error(
        "TrainingPeaks refused the session cookie (HTTP {status}): it has expired or was signed out. {REAUTH_HINT}"
    )]
    CookieExpired { status: u16 },

    /// A fresh token was refused too: something other than expiry is wrong.
    #[error(
        "TrainingPeaks refused a freshly issued access token for {endpoint}. The session may have been revoked. {REAUTH_HINT}"
    )]
    Unauthorized { endpoint: String },

    /// 403: the account may not see this data.
    #[error(
        "TrainingPeaks denied access to {endpoint} (HTTP 403). This account may not have permission for that athlete or feature; check ATHLETE_ID, or that the account is premium where the feature needs it."
    )]
    Forbidden { endpoint: String },

    /// 404: an unknown id.
    #[error("TrainingPeaks has no {endpoint} (HTTP 404). Check the id.")]
    NotFound { endpoint: String },

    /// 429 that outlasted the retries or asked for a longer wait than we allow.
    #[error("TrainingPeaks is rate limiting requests{}. Wait a minute and ask again.", retry_after.map(|d| format!(" (it asked to wait {} s)", d.as_secs())).unwrap_or_default())]
    RateLimited { retry_after: Option<Duration> },

    /// 5xx after the retries.
    #[error(
        "TrainingPeaks answered HTTP {status} for {endpoint} after {attempts} attempt(s). Its servers may be down or in maintenance; try again in a few minutes."
    )]
    Server {
        status: u16,
        endpoint: String,
        attempts: u32,
    },

    /// Any other unexpected status.
    #[error("TrainingPeaks answered HTTP {status} for {endpoint}: {snippet}")]
    Status {
        status: u16,
        endpoint: String,
        snippet: String,
    },

    /// No answer within the request timeout, after the retries.
    #[error(
        "TrainingPeaks did not answer {endpoint} within {timeout_s} s after {attempts} attempt(s). Check your connection and try again."
    )]
    Timeout {
        endpoint: String,
        timeout_s: u64,
        attempts: u32,
    },

    /// The connection failed or broke, after the retries.
    #[error(
        "Could not reach TrainingPeaks for {endpoint} after {attempts} attempt(s): {detail}. Check your internet connection."
    )]
    Network {
        endpoint: String,
        detail: String,
        attempts: u32,
    },

    /// The body was not the JSON we expected.
    #[error(
        "TrainingPeaks sent a response for {endpoint} that could not be read ({detail}). The API may have changed or the response was cut off; try again, and report it if it persists."
    )]
    Malformed { endpoint: String, detail: String },

    /// The answer was larger than the client accepts.
    #[error(
        "TrainingPeaks sent more than {limit_mib} MiB for {endpoint}; tp-mcp stopped reading it. \
This is not a workout file a device writes; if it is yours, report it."
    )]
    TooLarge { endpoint: String, limit_mib: usize },

    /// A device file arrived but is not readable as what it says it is.
    #[error("The device file of {endpoint} could not be unpacked: {detail}.")]
    BadFile { endpoint: String, detail: String },

    /// A request the client refuses to send (bad arguments).
    #[error("Invalid request: {0}")]
    InvalidRequest(String),

    /// A coach login with no athlete of its own: a question must say which athlete.
    #[error(
        "This TrainingPeaks login is a coach account with no athlete of its own: say which athlete \
(the tools' `athlete` argument; tp_list_athletes lists them)."
    )]
    NoOwnAthlete,
}

impl ApiError {
    /// True when the user must re-authenticate to go on.
    pub fn needs_reauth(&self) -> bool {
        matches!(
            self,
            ApiError::NoCookie | ApiError::CookieExpired { .. } | ApiError::Unauthorized { .. }
        )
    }

    /// True when TrainingPeaks could not give an answer at all (no
    /// connection, a timeout, a 5xx, rate limiting, an unreadable body):
    /// an outage says nothing about the login or the data, unlike a 401,
    /// 403 or 404.
    pub fn is_outage(&self) -> bool {
        matches!(
            self,
            ApiError::Network { .. }
                | ApiError::Timeout { .. }
                | ApiError::Server { .. }
                | ApiError::RateLimited { .. }
                | ApiError::Malformed { .. }
        )
    }
}

/// A short single-line excerpt of a response body for error messages.
pub(crate) fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut cut: String = one_line.chars().take(160).collect();
    if cut.len() < one_line.len() {
        cut.push('…');
    }
    if cut.is_empty() {
        "(empty body)".into()
    } else {
        cut
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_outage_is_neither_a_login_problem_nor_an_answer() {
        let endpoint = || "the workouts".to_string();
        let outages = [
            ApiError::Network {
                endpoint: endpoint(),
                detail: "refused".into(),
                attempts: 3,
            },
            ApiError::Timeout {
                endpoint: endpoint(),
                timeout_s: 2,
                attempts: 3,
            },
            ApiError::Server {
                status: 503,
                endpoint: endpoint(),
                attempts: 3,
            },
            ApiError::RateLimited { retry_after: None },
            ApiError::Malformed {
                endpoint: endpoint(),
                detail: "EOF".into(),
            },
        ];
        for e in &outages {
            assert!(e.is_outage() && !e.needs_reauth(), "{e}");
        }
        let answers = [
            ApiError::NoCookie,
            ApiError::CookieExpired { status: 401 },
            ApiError::Unauthorized {
                endpoint: endpoint(),
            },
            ApiError::Forbidden {
                endpoint: endpoint(),
            },
            ApiError::NotFound {
                endpoint: endpoint(),
            },
            ApiError::Status {
                status: 418,
                endpoint: endpoint(),
                snippet: "teapot".into(),
            },
            ApiError::InvalidRequest("a 100-year range".into()),
        ];
        for e in &answers {
            assert!(!e.is_outage(), "{e}");
        }
    }
}

//! Client settings: where TrainingPeaks is and how politely to talk to it.

use std::time::Duration;

/// The production API.
pub const DEFAULT_BASE_URL: &str = "https://tpapi.trainingpeaks.com";

/// A desktop-browser User-Agent, as the web app sends (see tp-api.md).
pub const BROWSER_USER_AGENT: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) \
AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

/// How the client behaves. `Default` is what production uses; tests shorten
/// the waits.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Without a trailing slash.
    pub base_url: String,
    pub user_agent: String,
    /// Minimum spacing between two requests (TrainingPeaks politeness: ≥ 150 ms).
    pub min_request_spacing: Duration,
    /// Per-request timeout.
    pub request_timeout: Duration,
    /// How early before expiry the bearer token is refreshed.
    pub token_refresh_margin: Duration,
    pub retry: RetryPolicy,
    /// Longest range the performance-data endpoint is asked for in one
    /// request. The reference server asks 180 days at once and the web app's
    /// PMC chart spans an athlete's whole history, so the default (40 years)
    /// gets any history in one request.
    pub performance_window_days: u64,
}

/// Retries for transient failures.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Attempts in total for one request (1 = no retry).
    pub max_attempts: u32,
    /// First backoff after a 5xx or timeout; doubles each time.
    pub base_backoff: Duration,
    pub max_backoff: Duration,
    /// A 429's `Retry-After` is honoured up to this long; a longer demand is
    /// reported to the user instead of blocking the answer.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            base_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// The wait before retry number `retry` (1-based): base · 2^(retry−1), capped.
    pub fn backoff(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.saturating_sub(1));
        self.base_backoff
            .saturating_mul(factor)
            .min(self.max_backoff)
    }
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            base_url: DEFAULT_BASE_URL.to_string(),
            user_agent: BROWSER_USER_AGENT.to_string(),
            min_request_spacing: Duration::from_millis(150),
            request_timeout: Duration::from_secs(30),
            token_refresh_margin: Duration::from_secs(60),
            retry: RetryPolicy::default(),
            performance_window_days: 14_610,
        }
    }
}

impl ClientConfig {
    /// Defaults, with the base URL from `TP_API_BASE_URL` and the request
    /// timeout from `TP_API_TIMEOUT_SECS` when set.
    pub fn from_env() -> ClientConfig {
        let mut config = ClientConfig::default();
        if let Some(secs) = std::env::var("TP_API_TIMEOUT_SECS")
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok())
            .filter(|s| *s > 0)
        {
            config.request_timeout = Duration::from_secs(secs);
        }
        if let Ok(url) = std::env::var("TP_API_BASE_URL")
            && !url.trim().is_empty()
        {
            config.base_url = url.trim().trim_end_matches('/').to_string();
        }
        config
    }

    /// Same settings against another base URL.
    pub fn with_base_url(mut self, url: impl Into<String>) -> ClientConfig {
        self.base_url = url.into().trim_end_matches('/').to_string();
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        let p = RetryPolicy::default();
        assert_eq!(p.backoff(1), Duration::from_millis(500));
        assert_eq!(p.backoff(2), Duration::from_millis(1000));
        assert_eq!(p.backoff(3), Duration::from_millis(2000));
        assert_eq!(p.backoff(40), Duration::from_secs(8));
    }
}

//! The client: one per process, cheap to clone, shared by every tool.

use crate::config::ClientConfig;
use crate::error::ApiError;
use crate::secret::Secret;
use crate::throttle::Throttle;
use crate::token::TokenCache;
use std::fmt;
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tokio::sync::OnceCell;

/// A TrainingPeaks API client.
///
/// It owns the session cookie, exchanges it for bearer tokens
/// ([`TokenCache`]), spaces requests ([`Throttle`]) and retries what is worth
/// retrying (see `transport`). Endpoints are in `endpoints`.
#[derive(Clone)]
pub struct TpClient {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) http: reqwest::Client,
    pub(crate) config: ClientConfig,
    pub(crate) cookie: RwLock<Option<Secret>>,
    pub(crate) tokens: TokenCache,
    pub(crate) throttle: Throttle,
    /// Whose login this is, resolved once from the user endpoint.
    pub(crate) account: OnceCell<Account>,
}

impl TpClient {
    /// A client with `config`, holding `cookie` (if any).
    pub fn new(config: ClientConfig, cookie: Option<Secret>) -> Result<TpClient, ApiError> {
        // reqwest is built without a default crypto provider (ring is
        // smaller and faster to build than aws-lc); install ring once.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .timeout(config.request_timeout)
            .connect_timeout(config.request_timeout.min(Duration::from_secs(10)))
            .user_agent(config.user_agent.clone())
            .build()
            .map_err(|e| ApiError::InvalidRequest(format!("cannot build the HTTP client: {e}")))?;
        Ok(TpClient {
            inner: Arc::new(Inner {
                tokens: TokenCache::new(config.token_refresh_margin),
                throttle: Throttle::new(config.min_request_spacing),
                http,
                config,
                cookie: RwLock::new(cookie.filter(|c| !c.is_empty())),
                account: OnceCell::new(),
            }),
        })
    }

    pub fn config(&self) -> &ClientConfig {
        &self.inner.config
    }

    /// Replaces the session cookie (after a re-import) and drops the token
    /// issued for the old one.
    pub async fn set_cookie(&self, cookie: Option<Secret>) {
        *self.inner.cookie.write().unwrap_or_else(|e| e.into_inner()) =
            cookie.filter(|c| !c.is_empty());
        self.inner.tokens.clear().await;
    }

    pub fn has_cookie(&self) -> bool {
        self.inner
            .cookie
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .is_some()
    }

    /// The session cookie in use (a [`Secret`]: it prints `[redacted]`).
    pub fn cookie(&self) -> Option<Secret> {
        self.inner
            .cookie
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Drops the cached bearer token; the next request exchanges the cookie again.
    pub async fn clear_token(&self) {
        self.inner.tokens.clear().await;
    }

    /// Time left on the cached token, if any.
    pub async fn token_remaining(&self) -> Option<Duration> {
        self.inner.tokens.remaining().await
    }

    /// Fixes the athlete id (from `ATHLETE_ID`) so it is never looked up.
    pub fn set_athlete_id(&self, athlete_id: i64) {
        let _ = self.inner.account.set(Account {
            own_athlete: Some(athlete_id),
            id: athlete_id,
        });
    }

    /// The login's own athlete and id, resolved once and remembered (a
    /// coach's "no own athlete" too, so it is not asked again).
    async fn account(&self) -> Result<Account, ApiError> {
        self.inner
            .account
            .get_or_try_init(|| async {
                let user = self.user().await?;
                let own_athlete = user.athlete_id();
                let id = own_athlete
                    .or(user.user_id)
                    .or(user.person_id)
                    .ok_or_else(|| ApiError::Malformed {
                        endpoint: "the user profile".into(),
                        detail: "it lists no athlete or user id".into(),
                    })?;
                Ok(Account { own_athlete, id })
            })
            .await
            .copied()
    }

    /// The account's own athlete id: the one set, else resolved once from
    /// the user endpoint. A coach login with none: [`ApiError::NoOwnAthlete`].
    pub async fn athlete_id(&self) -> Result<i64, ApiError> {
        self.account()
            .await?
            .own_athlete
            .ok_or(ApiError::NoOwnAthlete)
    }

    /// Whose login this is, for keeping its caches apart: the account's own
    /// athlete, or for a coach with none, the coach's user id.
    pub async fn account_id(&self) -> Result<i64, ApiError> {
        Ok(self.account().await?.id)
    }
}

/// Whose login a client is.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Account {
    own_athlete: Option<i64>,
    id: i64,
}

impl fmt::Debug for TpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TpClient")
            .field("base_url", &self.inner.config.base_url)
            .field("cookie", &self.cookie())
            .field("account", &self.inner.account.get())
            .finish_non_exhaustive()
    }
}

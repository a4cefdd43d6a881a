//! Everything a tool call needs: the client, where the cookie came from,
//! today's date, the local history cache, and (in demo mode) the
//! in-process fake it talks to.

use crate::cookie::{self, CookieOrigin};
use chrono::NaiveDate;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::OnceCell;
use tp_api::{ClientConfig, Secret, TpClient};
use tp_store::{History, Store, SyncPolicy};

/// Where the history cache lives.
#[derive(Debug, Clone)]
pub enum CacheMode {
    /// `--no-cache`: every question goes to TrainingPeaks.
    Disabled,
    /// A private in-memory cache (demo mode).
    InMemory,
    /// One SQLite file per athlete in this directory.
    Dir(PathBuf),
}

/// Environment variable: seconds after which recent cached data is fetched
/// again (default 300).
pub const STALE_ENV: &str = "TP_MCP_STALE_SECS";

/// Environment variable that pins "today" (`YYYY-MM-DD`), for reproducible
/// answers and tests. Unset, today is the local calendar date.
pub const TODAY_ENV: &str = "TP_MCP_TODAY";

type HistoryCell = Arc<OnceCell<Option<Arc<History>>>>;

/// Shared by every tool call of a server (cheap to clone).
#[derive(Clone)]
pub struct ServerContext {
    pub client: TpClient,
    /// Where the cookie in use came from; changes when `tp_refresh_auth` re-imports one.
    cookie_origin: Arc<std::sync::RwLock<CookieOrigin>>,
    today_override: Option<NaiveDate>,
    cache: CacheMode,
    /// The athlete this call is about; `None`: the account's own.
    athlete: Option<i64>,
    /// One history cache per athlete, each opened on first need.
    histories: Arc<std::sync::Mutex<HashMap<i64, HistoryCell>>>,
    /// Whether `tp_refresh_auth` may look in the user's browsers (off in
    /// the fuzzers, which must not read anyone's cookie stores).
    browser_import: bool,
    /// Keeps the demo fake running for as long as the server lives.
    _demo: Option<Arc<tp_fake::FakeServer>>,
}

/// A failure to set the server up (bad environment), reported at start.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("{name} must be {expected}, got {value:?}")]
    BadEnv {
        name: &'static str,
        expected: &'static str,
        value: String,
    },
    #[error(transparent)]
    Api(#[from] tp_api::ApiError),
    #[error("could not start the demo athlete's server: {0}")]
    Demo(std::io::Error),
}

impl ServerContext {
    /// The real thing: TrainingPeaks (or `TP_API_BASE_URL`) with the cookie
    /// from [`cookie::find_cookie`] and `ATHLETE_ID` if set.
    pub fn from_env() -> Result<ServerContext, SetupError> {
        let (cookie, origin) = cookie::find_cookie();
        let client = TpClient::new(ClientConfig::from_env(), cookie)?;
        if let Ok(raw) = std::env::var("ATHLETE_ID")
            && !raw.trim().is_empty()
        {
            let id = raw.trim().parse::<i64>().map_err(|_| SetupError::BadEnv {
                name: "ATHLETE_ID",
                expected: "a whole number (your TrainingPeaks athlete id)",
                value: raw.clone(),
            })?;
            client.set_athlete_id(id);
        }
        Ok(ServerContext::assemble(
            client,
            origin,
            today_from_env()?,
            CacheMode::Dir(tp_store::paths::data_dir()),
            None,
        ))
    }

    /// The built-in demo athlete: starts the fake TrainingPeaks on loopback
    /// in this process and talks to it. No account, no network.
    pub async fn demo() -> Result<ServerContext, SetupError> {
        let today = today_from_env()?;
        let mut config = tp_fake::FakeConfig::default();
        if let Some(day) = today {
            config.today = day;
        }
        let cookie = config.cookie.clone();
        let fake = tp_fake::FakeServer::start(config)
            .await
            .map_err(SetupError::Demo)?;
        let mut client_config = ClientConfig::default().with_base_url(fake.base_url());
        // The fake is local: no need to be polite to it.
        client_config.min_request_spacing = std::time::Duration::ZERO;
        let client = TpClient::new(client_config, Some(Secret::new(cookie)))?;
        let cache = match std::env::var_os(tp_store::paths::DATA_DIR_ENV) {
            Some(dir) if !dir.is_empty() => CacheMode::Dir(PathBuf::from(dir)),
            _ => CacheMode::InMemory,
        };
        Ok(ServerContext::assemble(
            client,
            CookieOrigin::Demo,
            today,
            cache,
            Some(Arc::new(fake)),
        ))
    }

    /// A context over an existing client (tests).
    pub fn with_client(
        client: TpClient,
        origin: CookieOrigin,
        today: Option<NaiveDate>,
        cache: CacheMode,
    ) -> ServerContext {
        ServerContext::assemble(client, origin, today, cache, None)
    }

    fn assemble(
        client: TpClient,
        cookie_origin: CookieOrigin,
        today_override: Option<NaiveDate>,
        cache: CacheMode,
        demo: Option<Arc<tp_fake::FakeServer>>,
    ) -> ServerContext {
        ServerContext {
            client,
            cookie_origin: Arc::new(std::sync::RwLock::new(cookie_origin)),
            today_override,
            cache,
            athlete: None,
            histories: Arc::default(),
            browser_import: true,
            _demo: demo,
        }
    }

    /// `tp_refresh_auth` will not look in the browsers (it reports that none
    /// was found), so nothing reads the cookie stores or writes the keychain.
    pub fn without_browser_import(mut self) -> ServerContext {
        self.browser_import = false;
        self
    }

    /// The browsers `tp_refresh_auth` may import a login from.
    pub fn browser_sources(&self) -> Vec<tp_auth::BrowserSource> {
        if self.browser_import {
            tp_auth::default_sources()
        } else {
            Vec::new()
        }
    }

    /// Turns the history cache off (`--no-cache`).
    pub fn without_cache(mut self) -> ServerContext {
        self.cache = CacheMode::Disabled;
        self.histories = Arc::default();
        self
    }

    /// The same server, asking about `athlete` (a coach's athlete) instead
    /// of the account's own; caches are shared, one per athlete.
    pub fn for_athlete(&self, athlete: i64) -> ServerContext {
        let mut ctx = self.clone();
        ctx.athlete = Some(athlete);
        ctx
    }

    /// The athlete chosen for this call, if one was (see [`Self::for_athlete`]).
    pub fn chosen_athlete(&self) -> Option<i64> {
        self.athlete
    }

    /// The athlete's history cache, opened on first use; `None` when the
    /// cache is disabled or cannot be opened (then tools read TrainingPeaks
    /// directly, and the log says why).
    pub async fn history(&self) -> Result<Option<Arc<History>>, tp_api::ApiError> {
        if matches!(self.cache, CacheMode::Disabled) {
            return Ok(None);
        }
        let athlete = match self.athlete {
            Some(id) => id,
            None => self.athlete_for_cache().await?,
        };
        let cell = self
            .histories
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(athlete)
            .or_default()
            .clone();
        let history = cell
            .get_or_init(|| async {
                let store = match &self.cache {
                    CacheMode::Disabled => return None,
                    CacheMode::InMemory => Store::open_in_memory(),
                    CacheMode::Dir(dir) => Store::open(&tp_store::paths::athlete_db_path(dir, athlete)),
                };
                match store {
                    Ok(store) => Some(Arc::new(History::new(Arc::new(store), self.client.clone(), athlete, sync_policy()))),
                    Err(e) => {
                        tracing::warn!(error = %e, "the history cache is unavailable; answering from TrainingPeaks directly");
                        None
                    }
                }
            })
            .await;
        Ok(history.clone())
    }

    /// Whose cache to open: the athlete TrainingPeaks says this login is
    /// (remembered, see [`tp_store::logins`]); or, when TrainingPeaks cannot
    /// be asked and the cache may answer instead, the athlete this login was
    /// last seen as, if its cache exists. Never another login's cache.
    async fn athlete_for_cache(&self) -> Result<i64, tp_api::ApiError> {
        let CacheMode::Dir(dir) = &self.cache else {
            return self.client.account_id().await;
        };
        let cookie = self.client.cookie();
        match self.client.account_id().await {
            Ok(athlete) => {
                if let Some(cookie) = &cookie
                    && let Err(e) = tp_store::logins::remember(dir, cookie, athlete)
                {
                    tracing::warn!(error = %e, "could not remember which athlete this login is");
                }
                Ok(athlete)
            }
            Err(e) if tp_store::fallback::may_answer_instead(&e) => {
                let remembered = cookie
                    .as_ref()
                    .and_then(|cookie| tp_store::logins::recall(dir, cookie))
                    .filter(|&athlete| tp_store::paths::athlete_db_path(dir, athlete).exists());
                match remembered {
                    Some(athlete) => {
                        tracing::warn!(athlete, error = %e, "TrainingPeaks cannot say who this login is; opening the cache it was last seen with");
                        Ok(athlete)
                    }
                    None => Err(e),
                }
            }
            Err(e) => Err(e),
        }
    }

    /// Where the cookie in use came from.
    pub fn cookie_origin(&self) -> CookieOrigin {
        *self.cookie_origin.read().unwrap_or_else(|e| e.into_inner())
    }

    /// Records a new cookie source (after a browser re-import).
    pub fn set_cookie_origin(&self, origin: CookieOrigin) {
        *self
            .cookie_origin
            .write()
            .unwrap_or_else(|e| e.into_inner()) = origin;
    }

    /// The athlete's "today": [`TODAY_ENV`] if set, else the local date.
    pub fn today(&self) -> NaiveDate {
        self.today_override
            .unwrap_or_else(|| chrono::Local::now().date_naive())
    }

    pub fn is_demo(&self) -> bool {
        self.cookie_origin() == CookieOrigin::Demo
    }
}

/// The sync policy, with `TP_MCP_STALE_SECS` applied.
fn sync_policy() -> SyncPolicy {
    let mut policy = SyncPolicy::default();
    if let Some(secs) = std::env::var(STALE_ENV)
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
    {
        policy.stale_after = std::time::Duration::from_secs(secs);
    }
    policy
}

fn today_from_env() -> Result<Option<NaiveDate>, SetupError> {
    match std::env::var(TODAY_ENV) {
        Ok(v) if !v.trim().is_empty() => NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d")
            .map(Some)
            .map_err(|_| SetupError::BadEnv {
                name: TODAY_ENV,
                expected: "a date YYYY-MM-DD",
                value: v,
            }),
        _ => Ok(None),
    }
}

//! Everything a tool call needs: the client, where the cookie came from,
//! today's date, and (in demo mode) the in-process fake it talks to.

use crate::cookie::{self, CookieOrigin};
use chrono::NaiveDate;
use std::sync::Arc;
use tp_api::{ClientConfig, Secret, TpClient};

/// Environment variable that pins "today" (`YYYY-MM-DD`), for reproducible
/// answers and tests. Unset, today is the local calendar date.
pub const TODAY_ENV: &str = "TP_MCP_TODAY";

/// Shared by every tool call of a server (cheap to clone).
#[derive(Clone)]
pub struct ServerContext {
    pub client: TpClient,
    pub cookie_origin: CookieOrigin,
    today_override: Option<NaiveDate>,
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
        Ok(ServerContext {
            client,
            cookie_origin: origin,
            today_override: today_from_env()?,
            _demo: None,
        })
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
        Ok(ServerContext {
            client,
            cookie_origin: CookieOrigin::Demo,
            today_override: today,
            _demo: Some(Arc::new(fake)),
        })
    }

    /// A context over an existing client (tests).
    pub fn with_client(
        client: TpClient,
        origin: CookieOrigin,
        today: Option<NaiveDate>,
    ) -> ServerContext {
        ServerContext {
            client,
            cookie_origin: origin,
            today_override: today,
            _demo: None,
        }
    }

    /// The athlete's "today": [`TODAY_ENV`] if set, else the local date.
    pub fn today(&self) -> NaiveDate {
        self.today_override
            .unwrap_or_else(|| chrono::Local::now().date_naive())
    }

    pub fn is_demo(&self) -> bool {
        self.cookie_origin == CookieOrigin::Demo
    }
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

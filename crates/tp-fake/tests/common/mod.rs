//! Shared helpers: start a fake on a loopback port and talk plain HTTP to it.

#![allow(dead_code)]

use chrono::NaiveDate;
use reqwest::{Client, Response, StatusCode};
use serde_json::Value;
use tp_fake::{DEMO_ATHLETE_ID, DEMO_COOKIE, FakeConfig, FakeServer};

/// A fixed "today" so assertions don't drift with the calendar.
pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
}

pub fn config() -> FakeConfig {
    FakeConfig {
        today: today(),
        ..FakeConfig::default()
    }
}

pub struct Harness {
    pub server: FakeServer,
    pub http: Client,
    pub token: String,
}

/// A plain-http client. reqwest is built with `rustls-no-provider`, and
/// refuses to build any client before a crypto provider is installed, even
/// one that only speaks http://.
pub fn client() -> Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    Client::builder().build().expect("plain-http client")
}

pub async fn start_with(config: FakeConfig) -> Harness {
    let server = FakeServer::start(config).await.expect("fake starts");
    let http = client();
    let token = exchange(&http, &server.base_url(), DEMO_COOKIE)
        .await
        .expect("token");
    Harness {
        server,
        http,
        token,
    }
}

pub async fn start() -> Harness {
    start_with(config()).await
}

/// Cookie → token; `Err(status)` if refused.
pub async fn exchange(http: &Client, base: &str, cookie: &str) -> Result<String, StatusCode> {
    let resp = http
        .get(format!("{base}/users/v3/token"))
        .header(
            "Cookie",
            format!("_ga=GA1.2; Production_tpAuth={cookie}; other=x"),
        )
        .header("Accept", "application/json")
        .send()
        .await
        .expect("request");
    if resp.status() != StatusCode::OK {
        return Err(resp.status());
    }
    let body: Value = resp.json().await.expect("json");
    Ok(body["token"]["access_token"]
        .as_str()
        .expect("access_token")
        .to_string())
}

impl Harness {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.base_url())
    }

    /// `/fitness/v6/athletes/{demo}/…` style paths: `{a}` is replaced by the
    /// demo athlete id.
    pub fn athlete_path(path: &str) -> String {
        path.replace("{a}", &DEMO_ATHLETE_ID.to_string())
    }

    pub async fn get(&self, path: &str) -> Response {
        self.http
            .get(self.url(&Self::athlete_path(path)))
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("request")
    }

    pub async fn post(&self, path: &str, body: &str) -> Response {
        self.http
            .post(self.url(&Self::athlete_path(path)))
            .bearer_auth(&self.token)
            .header("Content-Type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .expect("request")
    }

    /// Another login's token (`Err(status)` if its cookie is refused).
    pub async fn login(&self, cookie: &str) -> Result<String, StatusCode> {
        exchange(&self.http, &self.server.base_url(), cookie).await
    }

    /// GET with another login's token.
    pub async fn get_with(&self, token: &str, path: &str) -> Response {
        self.http
            .get(self.url(&Self::athlete_path(path)))
            .bearer_auth(token)
            .send()
            .await
            .expect("request")
    }

    /// GET with another login's token that must answer 200 with JSON.
    pub async fn get_json_with(&self, token: &str, path: &str) -> Value {
        let resp = self.get_with(token, path).await;
        assert_eq!(resp.status(), StatusCode::OK, "GET {path}");
        resp.json().await.expect("json")
    }

    /// GET of an admin route.
    pub async fn admin_get(&self, path: &str) -> Value {
        let resp = self.http.get(self.url(path)).send().await.expect("request");
        assert_eq!(resp.status(), StatusCode::OK, "GET {path}");
        resp.json().await.expect("json")
    }

    /// GET that must answer 200 with JSON.
    pub async fn get_json(&self, path: &str) -> Value {
        let resp = self.get(path).await;
        assert_eq!(resp.status(), StatusCode::OK, "GET {path}");
        resp.json().await.expect("json")
    }

    /// POST to an admin route.
    pub async fn admin(&self, path: &str, body: &str) -> Value {
        let resp = self
            .http
            .post(self.url(path))
            .body(body.to_string())
            .send()
            .await
            .expect("request");
        assert_eq!(resp.status(), StatusCode::OK, "POST {path} {body}");
        resp.json().await.expect("json")
    }
}

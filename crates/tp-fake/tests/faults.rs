//! Auth flow, fault switches, counters and the `/_fake/` admin mirror, over
//! real HTTP.

mod common;

use std::time::{Duration, Instant};

use common::{client, config, exchange, start, start_with};
use reqwest::StatusCode;
use serde_json::Value;
use tp_fake::{DEMO_ATHLETE_ID, DEMO_COOKIE, Endpoint, FakeConfig};

const USER: &str = "/users/v3/user";
const SETTINGS: &str = "/fitness/v1/athletes/{a}/settings";

// Proves the token exchange: refused without/with a wrong cookie, accepted
// among other cookies, with the documented body shape; API calls need the
// bearer token.
#[tokio::test]
async fn token_exchange_and_bearer_checks() {
    let h = start().await;
    let base = h.server.base_url();
    let none = h
        .http
        .get(format!("{base}/users/v3/token"))
        .send()
        .await
        .unwrap();
    assert_eq!(none.status(), StatusCode::UNAUTHORIZED);
    assert!(
        serde_json::from_str::<Value>(&none.text().await.unwrap()).is_err(),
        "401 body is not JSON"
    );
    assert_eq!(
        exchange(&h.http, &base, "wrong").await,
        Err(StatusCode::UNAUTHORIZED)
    );

    let body: Value = h
        .http
        .get(format!("{base}/users/v3/token"))
        .header("Cookie", format!("Production_tpAuth={DEMO_COOKIE}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["success"], true);
    assert_eq!(body["token"]["expires_in"], 3600);
    assert_eq!(body["token"]["token_type"], "bearer");
    assert!(body["token"]["access_token"].as_str().unwrap().len() > 16);

    assert_eq!(h.get(USER).await.status(), StatusCode::OK);
    let anonymous = h.http.get(h.url(USER)).send().await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let forged = h
        .http
        .get(h.url(USER))
        .bearer_auth("tpf_forged")
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::UNAUTHORIZED);
}

// Proves expire_tokens invalidates every issued token (a fresh exchange
// works again), and revoke/accept_cookie control the exchange.
#[tokio::test]
async fn expire_tokens_and_cookie_switches() {
    let h = start().await;
    let base = h.server.base_url();
    let control = h.server.control();
    let second = exchange(&h.http, &base, DEMO_COOKIE).await.unwrap();
    control.expire_tokens();
    assert_eq!(h.get(USER).await.status(), StatusCode::UNAUTHORIZED);
    let old = h
        .http
        .get(h.url(USER))
        .bearer_auth(&second)
        .send()
        .await
        .unwrap();
    assert_eq!(old.status(), StatusCode::UNAUTHORIZED);
    let fresh = exchange(&h.http, &base, DEMO_COOKIE).await.unwrap();
    let ok = h
        .http
        .get(h.url(USER))
        .bearer_auth(&fresh)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);

    control.revoke_cookie();
    assert_eq!(
        exchange(&h.http, &base, DEMO_COOKIE).await,
        Err(StatusCode::UNAUTHORIZED)
    );
    control.accept_cookie("rotated".to_string());
    assert_eq!(
        exchange(&h.http, &base, DEMO_COOKIE).await,
        Err(StatusCode::UNAUTHORIZED)
    );
    assert!(exchange(&h.http, &base, "rotated").await.is_ok());
    // expired token, old token, revoked cookie, and the no-longer-accepted one.
    assert_eq!(control.counts().unauthorized, 4);
}

// Proves tokens die when their TTL elapses and expires_in reports the TTL.
#[tokio::test]
async fn tokens_expire_after_their_ttl() {
    let h = start_with(FakeConfig {
        token_ttl: Duration::from_millis(800),
        ..config()
    })
    .await;
    assert_eq!(h.get(USER).await.status(), StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(900)).await;
    assert_eq!(h.get(USER).await.status(), StatusCode::UNAUTHORIZED);

    h.server.control().set_token_ttl(Duration::from_secs(120));
    let body: Value = h
        .http
        .get(h.url("/users/v3/token"))
        .header("Cookie", format!("Production_tpAuth={DEMO_COOKIE}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["token"]["expires_in"], 120);
}

// Proves fail_next answers n requests with the status and a non-JSON body,
// then recovers; fail_next_on touches only its endpoint and goes first.
#[tokio::test]
async fn injected_failures() {
    let h = start().await;
    let control = h.server.control();
    control.fail_next(2, 503);
    for _ in 0..2 {
        let resp = h.get(USER).await;
        assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(resp.json::<Value>().await.is_err());
    }
    assert_eq!(h.get(USER).await.status(), StatusCode::OK);

    control.fail_next_on(Endpoint::Settings, 1, 500);
    assert_eq!(h.get(USER).await.status(), StatusCode::OK);
    assert_eq!(
        h.get(SETTINGS).await.status(),
        StatusCode::INTERNAL_SERVER_ERROR
    );
    assert_eq!(h.get(SETTINGS).await.status(), StatusCode::OK);

    let counts = control.counts();
    assert_eq!(counts.faults, 3);
    assert_eq!(counts.status(503), 2);
    assert_eq!(counts.status(500), 1);
}

// Proves 429s carry Retry-After when configured, and not otherwise.
#[tokio::test]
async fn too_many_requests_and_retry_after() {
    let h = start().await;
    let control = h.server.control();
    control.fail_next(1, 429);
    let plain = h.get(USER).await;
    assert_eq!(plain.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(plain.headers().get("retry-after").is_none());

    control.set_retry_after(Some(7));
    control.fail_next(1, 429);
    let told = h.get(USER).await;
    assert_eq!(told.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(told.headers()["retry-after"], "7");
}

// Proves the rate limiter: a request closer than the interval to the last
// accepted one gets 429 (with Retry-After), one spaced by it passes.
#[tokio::test]
async fn rate_limit() {
    let h = start().await;
    let control = h.server.control();
    control.set_retry_after(Some(1));
    control.set_rate_limit(Some(Duration::from_millis(300)));
    // The harness's token exchange was the last accepted request.
    tokio::time::sleep(Duration::from_millis(320)).await;
    assert_eq!(h.get(USER).await.status(), StatusCode::OK);
    let refused = h.get(USER).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(refused.headers()["retry-after"], "1");
    tokio::time::sleep(Duration::from_millis(320)).await;
    assert_eq!(h.get(USER).await.status(), StatusCode::OK);
    control.set_rate_limit(None);
    assert_eq!(h.get(USER).await.status(), StatusCode::OK);
    assert_eq!(control.counts().rate_limited, 1);
}

// Proves malformed_next: 200 with a body that is not valid JSON.
#[tokio::test]
async fn malformed_bodies() {
    let h = start().await;
    h.server.control().malformed_next(2);
    for path in [
        USER,
        "/fitness/v6/athletes/{a}/workouts/2025-01-01/2025-01-31",
    ] {
        let resp = h.get(path).await;
        assert_eq!(resp.status(), StatusCode::OK);
        let text = resp.text().await.unwrap();
        assert!(!text.is_empty());
        assert!(
            serde_json::from_str::<Value>(&text).is_err(),
            "{path}: {text}"
        );
    }
    assert_eq!(
        h.get(USER).await.json::<Value>().await.unwrap()["user"]["firstName"],
        "Alex"
    );
    assert_eq!(h.server.control().counts().malformed, 2);
}

// Proves drop_next: status 200 and headers arrive, then reading the body
// fails because the connection goes away; the next request is fine.
#[tokio::test]
async fn dropped_connections() {
    let h = start().await;
    h.server.control().drop_next(1);
    let resp = h
        .get("/fitness/v6/athletes/{a}/workouts/2025-01-01/2025-01-31")
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.bytes().await.is_err(), "body must fail mid-way");
    assert_eq!(h.get(USER).await.status(), StatusCode::OK);
    assert_eq!(h.server.control().counts().dropped, 1);
}

// Proves latency is added to API requests but not to admin ones.
#[tokio::test]
async fn latency_is_added() {
    let h = start().await;
    h.server.control().set_latency(Duration::from_millis(150));
    let t = Instant::now();
    assert_eq!(h.get(USER).await.status(), StatusCode::OK);
    assert!(t.elapsed() >= Duration::from_millis(150));
    let t = Instant::now();
    h.http.get(h.url("/_fake/stats")).send().await.unwrap();
    assert!(t.elapsed() < Duration::from_millis(150));
}

// Proves the counters: per endpoint, total, statuses; admin routes not
// counted; reset.
#[tokio::test]
async fn counters_by_endpoint() {
    let h = start().await;
    let control = h.server.control();
    h.get(USER).await;
    h.get(SETTINGS).await;
    h.get(SETTINGS).await;
    h.get("/fitness/v6/athletes/{a}/workouts/2025-01-01/2025-01-02")
        .await;
    h.get("/fitness/v6/athletes/{a}/workouts/1").await;
    h.post(
        "/fitness/v1/athletes/{a}/reporting/performancedata/2025-01-01/2025-01-02",
        "{}",
    )
    .await;
    h.get("/personalrecord/v2/athletes/{a}/Bike?prType=power5min")
        .await;
    h.get("/fitness/v6/workouttypes").await;
    h.get("/elsewhere").await;
    h.http.get(h.url("/_fake/stats")).send().await.unwrap();
    let c = control.counts();
    assert_eq!(c.get(Endpoint::Token), 1);
    assert_eq!(c.get(Endpoint::User), 1);
    assert_eq!(c.get(Endpoint::Settings), 2);
    assert_eq!(c.get(Endpoint::Workouts), 1);
    assert_eq!(c.get(Endpoint::WorkoutDetail), 1);
    assert_eq!(c.get(Endpoint::PerformanceData), 1);
    assert_eq!(c.get(Endpoint::SportPrs), 1);
    assert_eq!(c.get(Endpoint::WorkoutTypes), 1);
    assert_eq!(c.get(Endpoint::Other), 1);
    assert_eq!(c.total, 10);
    assert_eq!(
        c.athlete(DEMO_ATHLETE_ID),
        6,
        "by the athlete id in the path"
    );
    assert_eq!(c.by_athlete.len(), 1);
    assert_eq!(c.status(404), 2);
    assert_eq!(c.status(200), 8);

    let stats: Value = h
        .http
        .get(h.url("/_fake/stats"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stats["total"], 10);
    assert_eq!(stats["by_endpoint"]["settings"], 2);
    assert_eq!(stats["by_endpoint"]["workout_prs"], 0);
    assert_eq!(stats["by_status"]["404"], 2);
    assert_eq!(stats["by_athlete"][DEMO_ATHLETE_ID.to_string()], 6);

    control.reset_counts();
    assert_eq!(control.counts().total, 0);
}

// Proves the admin HTTP mirror drives the same switches and data.
#[tokio::test]
async fn admin_routes_mirror_the_control() {
    let h = start().await;
    h.admin(
        "/_fake/fail",
        r#"{"n": 1, "status": 502, "endpoint": "user"}"#,
    )
    .await;
    assert_eq!(h.get(SETTINGS).await.status(), StatusCode::OK);
    assert_eq!(h.get(USER).await.status(), StatusCode::BAD_GATEWAY);
    h.admin("/_fake/fail", r#"{"n": 1, "status": 429}"#).await;
    h.admin("/_fake/retry_after", r#"{"seconds": 3}"#).await;
    assert_eq!(h.get(USER).await.headers()["retry-after"], "3");
    h.admin("/_fake/malformed", r#"{"n": 1}"#).await;
    assert!(h.get(USER).await.json::<Value>().await.is_err());
    h.admin("/_fake/drop", r#"{"n": 1}"#).await;
    assert!(h.get(USER).await.bytes().await.is_err());
    // The previous request was let through moments ago: both are refused.
    h.admin("/_fake/rate_limit", r#"{"ms": 10000}"#).await;
    assert_eq!(h.get(USER).await.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(h.get(USER).await.status(), StatusCode::TOO_MANY_REQUESTS);
    h.admin("/_fake/rate_limit", r#"{"ms": null}"#).await;
    h.admin("/_fake/latency", r#"{"ms": 0}"#).await;
    assert_eq!(h.get(USER).await.status(), StatusCode::OK);

    h.admin("/_fake/expire_tokens", "").await;
    assert_eq!(h.get(USER).await.status(), StatusCode::UNAUTHORIZED);
    h.admin("/_fake/revoke_cookie", "").await;
    assert!(
        exchange(&h.http, &h.server.base_url(), DEMO_COOKIE)
            .await
            .is_err()
    );
    h.admin("/_fake/accept_cookie", r#"{"cookie": "fresh"}"#)
        .await;
    h.admin("/_fake/token_ttl", r#"{"seconds": 60}"#).await;
    let token = exchange(&h.http, &h.server.base_url(), "fresh")
        .await
        .unwrap();

    let stats: Value = h
        .http
        .get(h.url("/_fake/stats"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(stats["faults"].as_u64().unwrap() >= 2);
    assert_eq!(stats["rate_limited"], 2);
    h.admin("/_fake/reset_stats", "").await;
    assert_eq!(h.server.control().counts().total, 0);

    // Data changes through the mirror.
    let get = |path: String| {
        let http = client();
        let token = token.clone();
        let url = h.url(&path.replace("{a}", "1234567"));
        async move { http.get(url).bearer_auth(token).send().await.unwrap() }
    };
    let list: Value = get("/fitness/v6/athletes/{a}/workouts/2025-06-02/2025-06-08".into())
        .await
        .json()
        .await
        .unwrap();
    let id = list[0]["workoutId"].as_i64().unwrap();
    let detail = format!("/fitness/v6/athletes/{{a}}/workouts/{id}");
    h.admin(
        "/_fake/edit_workout",
        &format!(r#"{{"workoutId": {id}, "fields": {{"title": "Renamed", "tssActual": 123.4}}}}"#),
    )
    .await;
    let edited: Value = get(detail.clone()).await.json().await.unwrap();
    assert_eq!(edited["title"], "Renamed");
    assert_eq!(edited["tssActual"], 123.4);
    let bad = h
        .http
        .post(h.url("/_fake/edit_workout"))
        .body(format!(
            r#"{{"workoutId": {id}, "fields": {{"title": 5}}}}"#
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    h.admin(
        "/_fake/delete_workout",
        &format!(r#"{{"workoutId": {id}}}"#),
    )
    .await;
    assert_eq!(get(detail).await.status(), StatusCode::NOT_FOUND);
    let missing = h
        .http
        .post(h.url("/_fake/delete_workout"))
        .body(format!(r#"{{"workoutId": {id}}}"#))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

// Proves the Rust-side data mutation used by cache-sync tests.
#[tokio::test]
async fn control_edits_and_adds_workouts() {
    let h = start().await;
    let control = h.server.control();
    let first = h.server.athlete().workouts()[0].clone();
    assert!(control.edit_workout(first.workout_id, |w| w.title = "Changed".into()));
    assert!(!control.edit_workout(1, |w| w.title = "x".into()));
    let detail: Value = h
        .get_json(&format!(
            "/fitness/v6/athletes/{{a}}/workouts/{}",
            first.workout_id
        ))
        .await;
    assert_eq!(detail["title"], "Changed");

    let mut added = first.clone();
    added.workout_id = 77;
    added.title = "Added".into();
    control.add_workout(added);
    let day = first.workout_day.format("%Y-%m-%d");
    let list = h
        .get_json(&format!("/fitness/v6/athletes/{{a}}/workouts/{day}/{day}"))
        .await;
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .any(|w| w["workoutId"] == 77 && w["title"] == "Added")
    );
    assert!(control.delete_workout(77));
    assert!(!control.delete_workout(77));
}

// Proves dropping the server stops it.
#[tokio::test]
async fn dropping_the_server_stops_it() {
    let h = start().await;
    let url = h.url(USER);
    let http = h.http.clone();
    drop(h);
    tokio::time::sleep(Duration::from_millis(50)).await;
    let fresh = client();
    assert!(fresh.get(&url).send().await.is_err());
    drop(http);
}

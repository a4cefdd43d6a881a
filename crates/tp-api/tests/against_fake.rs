//! The client against the fake TrainingPeaks: auth, politeness, retries,
//! chunking, and errors. Each test starts its own fake on an ephemeral
//! loopback port so fault switches never leak between tests.

use chrono::{Days, NaiveDate};
use std::collections::HashSet;
use std::time::{Duration, Instant};
use tp_api::{ApiError, ClientConfig, RetryPolicy, Secret, TpClient};
use tp_fake::{DEMO_ATHLETE_ID, Endpoint, FakeConfig, FakeControl, FakeServer};

const COOKIE: &str = "cookie-value-7f3a9c1e-should-never-print";

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
}

async fn fake_with(f: impl FnOnce(&mut FakeConfig)) -> FakeServer {
    let mut config = FakeConfig {
        cookie: COOKIE.into(),
        today: today(),
        ..FakeConfig::default()
    };
    f(&mut config);
    FakeServer::start(config).await.expect("fake starts")
}

async fn fake() -> FakeServer {
    fake_with(|_| {}).await
}

/// A client with quick retries and no spacing (unless a test sets it).
fn client_for(fake: &FakeServer, tweak: impl FnOnce(&mut ClientConfig)) -> TpClient {
    let mut config = ClientConfig::default().with_base_url(fake.base_url());
    config.min_request_spacing = Duration::ZERO;
    config.retry = RetryPolicy {
        max_attempts: 3,
        base_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(40),
        max_retry_after: Duration::from_secs(5),
    };
    tweak(&mut config);
    TpClient::new(config, Some(Secret::new(COOKIE))).unwrap()
}

fn count(control: &FakeControl, endpoint: Endpoint) -> u64 {
    control.counts().get(endpoint)
}

/// The cookie is exchanged once, the token reused, and refreshed when it
/// comes within the refresh margin of expiry.
#[tokio::test]
async fn token_is_exchanged_once_and_refreshed_before_expiry() {
    let fake = fake_with(|c| c.token_ttl = Duration::from_secs(2)).await;
    let ctl = fake.control();
    let client = client_for(&fake, |c| {
        c.token_refresh_margin = Duration::from_millis(1000)
    });
    let user = client.user().await.unwrap();
    assert_eq!(user.athlete_id(), Some(DEMO_ATHLETE_ID));
    client.user().await.unwrap();
    assert_eq!(count(&ctl, Endpoint::Token), 1, "token reused while fresh");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    client.user().await.unwrap();
    assert_eq!(
        count(&ctl, Endpoint::Token),
        2,
        "refreshed inside the margin"
    );
    assert_eq!(count(&ctl, Endpoint::User), 3);
}

/// Concurrent callers with no token share a single exchange.
#[tokio::test]
async fn concurrent_requests_share_one_exchange() {
    let fake = fake().await;
    let client = client_for(&fake, |_| {});
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let c = client.clone();
        tasks.push(tokio::spawn(async move {
            c.user().await.map(|u| u.athlete_id())
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap().unwrap(), Some(DEMO_ATHLETE_ID));
    }
    assert_eq!(count(&fake.control(), Endpoint::Token), 1);
}

/// A 401 on a call drops the token, exchanges again and retries once.
#[tokio::test]
async fn expired_token_is_replaced_and_the_call_retried_once() {
    let fake = fake().await;
    let ctl = fake.control();
    let client = client_for(&fake, |_| {});
    client.user().await.unwrap();
    ctl.expire_tokens();
    let user = client.user().await.expect("recovers from the 401");
    assert_eq!(user.first_name.as_deref(), Some("Alex"));
    assert_eq!(count(&ctl, Endpoint::Token), 2);
    assert_eq!(
        count(&ctl, Endpoint::User),
        3,
        "first call, refused call, retried call"
    );
}

/// When even a fresh token is refused, the client stops after one retry.
#[tokio::test]
async fn repeated_401_stops_after_one_retry() {
    let fake = fake().await;
    let ctl = fake.control();
    let client = client_for(&fake, |_| {});
    client.user().await.unwrap();
    ctl.fail_next_on(Endpoint::User, 5, 401);
    let err = client.user().await.unwrap_err();
    assert!(matches!(err, ApiError::Unauthorized { .. }), "{err:?}");
    assert!(err.needs_reauth());
    assert_eq!(count(&ctl, Endpoint::User), 3);
}

/// A refused cookie is a typed CookieExpired that says how to re-authenticate.
#[tokio::test]
async fn refused_cookie_is_cookie_expired() {
    let fake = fake().await;
    fake.control().revoke_cookie();
    let client = client_for(&fake, |_| {});
    let err = client.user().await.unwrap_err();
    assert!(
        matches!(err, ApiError::CookieExpired { status: 401 }),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(
        msg.contains("Production_tpAuth") && msg.contains("TP_AUTH_COOKIE"),
        "{msg}"
    );
    // The browser import is recommended first, the hand-copied cookie after.
    let import = msg
        .find("tp-mcp auth import")
        .expect("recommends the import");
    assert!(import < msg.find("TP_AUTH_COOKIE").unwrap(), "{msg}");
    assert_eq!(
        count(&fake.control(), Endpoint::User),
        0,
        "nothing sent without a token"
    );
}

#[tokio::test]
async fn no_cookie_is_reported_without_a_request() {
    let fake = fake().await;
    let config = ClientConfig::default().with_base_url(fake.base_url());
    let client = TpClient::new(config, None).unwrap();
    assert!(matches!(client.user().await, Err(ApiError::NoCookie)));
    assert_eq!(fake.control().counts().total, 0);
}

/// 429 with Retry-After: the client waits as asked, then succeeds.
#[tokio::test]
async fn rate_limit_with_retry_after_is_honoured() {
    let fake = fake().await;
    let ctl = fake.control();
    let client = client_for(&fake, |_| {});
    client.user().await.unwrap();
    ctl.set_retry_after(Some(1));
    ctl.fail_next(1, 429);
    let started = Instant::now();
    client.user().await.expect("succeeds after waiting");
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "waited {:?}",
        started.elapsed()
    );
    assert_eq!(count(&ctl, Endpoint::User), 3);
}

/// 429 asking for longer than we allow is reported, not slept through.
#[tokio::test]
async fn rate_limit_longer_than_the_bound_is_reported() {
    let fake = fake().await;
    let ctl = fake.control();
    let client = client_for(&fake, |_| {});
    client.user().await.unwrap();
    ctl.set_retry_after(Some(600));
    ctl.fail_next(1, 429);
    let started = Instant::now();
    let err = client.user().await.unwrap_err();
    assert!(
        matches!(err, ApiError::RateLimited { retry_after: Some(d) } if d == Duration::from_secs(600)),
        "{err:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(err.to_string().contains("600 s"));
}

/// 5xx: retried with backoff; persistent 5xx becomes a clear error.
#[tokio::test]
async fn server_errors_are_retried_then_reported() {
    let fake = fake().await;
    let ctl = fake.control();
    let client = client_for(&fake, |_| {});
    client.user().await.unwrap();

    ctl.fail_next(2, 502);
    client.user().await.expect("third attempt succeeds");
    assert_eq!(count(&ctl, Endpoint::User), 4);

    ctl.fail_next(10, 503);
    let err = client.user().await.unwrap_err();
    assert!(
        matches!(
            err,
            ApiError::Server {
                status: 503,
                attempts: 3,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("try again in a few minutes"));
    assert_eq!(count(&ctl, Endpoint::User), 7);
}

/// A timeout is retried, then reported as a Timeout.
#[tokio::test]
async fn timeouts_are_retried_then_reported() {
    let fake = fake().await;
    let ctl = fake.control();
    let client = client_for(&fake, |c| c.request_timeout = Duration::from_millis(300));
    client.user().await.unwrap();
    ctl.set_latency(Duration::from_millis(800));
    let err = client.user().await.unwrap_err();
    assert!(
        matches!(err, ApiError::Timeout { attempts: 3, .. }),
        "{err:?}"
    );
    ctl.set_latency(Duration::ZERO);
    client
        .user()
        .await
        .expect("fine again once the latency is gone");
}

/// Malformed JSON is a typed error, never a panic.
#[tokio::test]
async fn malformed_json_is_a_typed_error() {
    let fake = fake().await;
    let ctl = fake.control();
    let client = client_for(&fake, |_| {});
    client.user().await.unwrap();
    ctl.malformed_next(1);
    let err = client.user().await.unwrap_err();
    assert!(matches!(err, ApiError::Malformed { .. }), "{err:?}");
    client.user().await.expect("next answer is fine");
}

/// A connection dropped mid-body is retried (reads are idempotent).
#[tokio::test]
async fn dropped_connection_is_retried() {
    let fake = fake().await;
    let ctl = fake.control();
    let client = client_for(&fake, |_| {});
    let athlete = client.athlete_id().await.unwrap();
    ctl.drop_next(1);
    let w = client
        .workouts(athlete, today() - Days::new(20), today())
        .await
        .expect("retried");
    assert!(!w.is_empty());
    ctl.drop_next(10);
    let err = client
        .workouts(athlete, today() - Days::new(20), today())
        .await
        .unwrap_err();
    assert!(
        matches!(err, ApiError::Network { attempts: 3, .. }),
        "{err:?}"
    );
}

/// 404 and 403 are reported at once, with what was asked.
#[tokio::test]
async fn not_found_and_forbidden() {
    let fake = fake().await;
    let client = client_for(&fake, |_| {});
    let err = client.workout(DEMO_ATHLETE_ID, 999).await.unwrap_err();
    assert!(matches!(err, ApiError::NotFound { .. }), "{err:?}");
    assert!(err.to_string().contains("workout 999"));
    let err = client
        .user()
        .await
        .and(client.settings(DEMO_ATHLETE_ID + 1).await)
        .unwrap_err();
    assert!(matches!(err, ApiError::Forbidden { .. }), "{err:?}");
}

/// A 400-day range is fetched as five 90-day windows, merged without
/// duplicates, and equals the athlete's workouts in that range.
#[tokio::test]
async fn a_400_day_range_is_five_windows_without_duplicates() {
    let fake = fake().await;
    let ctl = fake.control();
    let client = client_for(&fake, |_| {});
    let end = today();
    let start = end - Days::new(399);
    let athlete = client.athlete_id().await.unwrap();
    ctl.reset_counts();
    let workouts = client.workouts(athlete, start, end).await.unwrap();
    assert_eq!(count(&ctl, Endpoint::Workouts), 5);
    let ids: HashSet<i64> = workouts.iter().map(|w| w.workout_id).collect();
    assert_eq!(ids.len(), workouts.len(), "no duplicates");
    let expected: HashSet<i64> = fake
        .athlete()
        .workouts_between(start, end)
        .iter()
        .map(|w| w.workout_id)
        .collect();
    assert_eq!(ids, expected);
    assert!(
        workouts
            .windows(2)
            .all(|p| p[0].workout_day <= p[1].workout_day),
        "sorted by day"
    );
    assert!(
        workouts.len() > 300,
        "a year of training: {}",
        workouts.len()
    );
}

/// Requests are spaced by at least the configured interval.
#[tokio::test]
async fn requests_are_spaced() {
    let fake = fake().await;
    let client = client_for(&fake, |c| {
        c.min_request_spacing = Duration::from_millis(150)
    });
    let started = Instant::now();
    for _ in 0..4 {
        client.user().await.unwrap();
    }
    // token + 4 calls = 5 requests → at least 4 gaps of 150 ms
    assert!(
        started.elapsed() >= Duration::from_millis(600),
        "{:?}",
        started.elapsed()
    );
}

/// Performance data: "NaN" fitness values are read as absent, TSS is kept.
#[tokio::test]
async fn performance_data_reads_nan_as_absent() {
    let fake = fake().await;
    let client = client_for(&fake, |_| {});
    let athlete = client.athlete_id().await.unwrap();
    let days = client
        .performance_data(
            athlete,
            today() - Days::new(29),
            today(),
            &Default::default(),
        )
        .await
        .unwrap();
    assert_eq!(days.len(), 30);
    for d in &days {
        let date = d.workout_day.unwrap();
        let expected = fake.athlete().daily_tss(date);
        assert!(
            (d.tss_actual.unwrap_or(0.0) - expected).abs() < 1e-6,
            "{date}"
        );
    }
}

/// The sport ranking: a 500 falls back to scanning workout records, and the
/// fallback finds the same best value as the ranking endpoint.
#[tokio::test]
async fn sport_ranking_falls_back_to_workout_scan_on_500() {
    let fake = fake().await;
    let ctl = fake.control();
    let client = client_for(&fake, |_| {});
    let athlete = client.athlete_id().await.unwrap();
    let t = tp_api::tp_model::pr_types::pr_type_by_query("power20min").unwrap();
    let (start, end) = (today() - Days::new(179), today());
    let (ranked, source) = client
        .sport_peaks_or_scan(athlete, tp_api::tp_model::PrSport::Bike, &t, start, end)
        .await
        .unwrap();
    assert_eq!(source, tp_api::PeakSource::RankingEndpoint);
    ctl.fail_next_on(Endpoint::SportPrs, 3, 500);
    let (scanned, source) = client
        .sport_peaks_or_scan(athlete, tp_api::tp_model::PrSport::Bike, &t, start, end)
        .await
        .unwrap();
    assert_eq!(source, tp_api::PeakSource::WorkoutScan);
    assert!(!ranked.is_empty());
    let best_ranked = ranked
        .iter()
        .filter_map(|p| p.value)
        .fold(f64::MIN, f64::max);
    // The scan sees only records a workout set at the time, whose best is the period's best
    // whenever the period's best was a record when it happened.
    let best_scanned = scanned.first().and_then(|p| p.value).unwrap_or(0.0);
    assert!(best_scanned <= best_ranked + 1e-9);
}

/// Neither the cookie nor any token appears in any error or Debug output.
#[tokio::test]
async fn secrets_never_appear_in_errors_or_debug() {
    let fake = fake().await;
    let ctl = fake.control();
    let client = client_for(&fake, |_| {});
    let mut printed = Vec::new();
    client.user().await.unwrap();
    printed.push(format!("{client:?}"));
    for status in [401u16, 403, 404, 429, 500, 503, 418] {
        ctl.set_retry_after(None);
        ctl.fail_next(10, status);
        if let Err(e) = client.user().await {
            printed.push(format!("{e}"));
            printed.push(format!("{e:?}"));
        }
        ctl.fail_next(0, 200);
    }
    ctl.malformed_next(1);
    if let Err(e) = client.user().await {
        printed.push(format!("{e} {e:?}"));
    }
    ctl.revoke_cookie();
    ctl.expire_tokens();
    let e = client.user().await.unwrap_err();
    printed.push(format!("{e} {e:?} {client:?}"));
    let tokens = ctl.issued_tokens();
    assert!(!tokens.is_empty());
    let all = printed.join("\n");
    assert!(!all.contains(COOKIE), "cookie leaked");
    for t in tokens {
        assert!(!all.contains(&t), "token leaked");
    }
    assert!(
        all.contains("[redacted]"),
        "Debug shows that a cookie is held, redacted"
    );
}

/// A completed ride (with power) and its listed device file.
async fn ride_with_file(client: &TpClient) -> (i64, tp_api::tp_model::DeviceFileInfo) {
    let from = today() - Days::new(40);
    let workouts = client
        .workouts(DEMO_ATHLETE_ID, from, today())
        .await
        .unwrap();
    for w in workouts.iter().rev().filter(|w| w.power_average.is_some()) {
        let details = client
            .workout_details(DEMO_ATHLETE_ID, w.workout_id)
            .await
            .unwrap();
        if let Some(file) = details.device_file() {
            return (w.workout_id, file.clone());
        }
    }
    panic!("no ride with a file in 40 days");
}

/// The device-file list and the download: a FIT file arrives whole and
/// unpacked (`.fit` starts with the FIT header), at two requests.
#[tokio::test]
async fn device_file_list_and_download() {
    let fake = fake().await;
    let ctl = fake.control();
    let client = client_for(&fake, |_| {});
    let (id, file) = ride_with_file(&client).await;
    ctl.reset_counts();
    let got = client
        .device_file(DEMO_ATHLETE_ID, id, &file)
        .await
        .unwrap();
    assert_eq!(&got.bytes[8..12], b".FIT");
    assert_eq!(
        got.was_gzip,
        file.file_name.as_deref().unwrap().ends_with(".gz")
    );
    assert_eq!(count(&ctl, Endpoint::DeviceFile), 1);
    // A planned workout lists none.
    let planned = client
        .workouts(
            DEMO_ATHLETE_ID,
            today() + Days::new(1),
            today() + Days::new(7),
        )
        .await
        .unwrap();
    let details = client
        .workout_details(DEMO_ATHLETE_ID, planned[0].workout_id)
        .await
        .unwrap();
    assert!(details.device_file().is_none());
}

/// Every failure of the new endpoints is a typed error in words: 404, 500
/// after retries, a truncated body (retried, then reported), gzip garbage,
/// a gzip bomb and an endless body (both stopped at the bound).
#[tokio::test]
async fn device_file_failures_are_bounded_and_typed() {
    let fake = fake().await;
    let ctl = fake.control();
    let client = client_for(&fake, |_| {});
    let (id, file) = ride_with_file(&client).await;

    ctl.fail_next_on(Endpoint::DeviceFile, 1, 404);
    let e = client
        .device_file(DEMO_ATHLETE_ID, id, &file)
        .await
        .unwrap_err();
    assert!(matches!(e, ApiError::NotFound { .. }), "{e}");

    ctl.fail_next_on(Endpoint::DeviceFile, 3, 500);
    let e = client
        .device_file(DEMO_ATHLETE_ID, id, &file)
        .await
        .unwrap_err();
    assert!(matches!(e, ApiError::Server { attempts: 3, .. }), "{e}");

    ctl.drop_next(1);
    let ok = client
        .device_file(DEMO_ATHLETE_ID, id, &file)
        .await
        .unwrap();
    assert_eq!(&ok.bytes[8..12], b".FIT", "a dropped download is retried");

    ctl.set_device_file_mode(tp_fake::DeviceFileMode::GzipGarbage);
    let listed = client.workout_details(DEMO_ATHLETE_ID, id).await.unwrap();
    let gz = listed.device_file().unwrap().clone();
    let e = client
        .device_file(DEMO_ATHLETE_ID, id, &gz)
        .await
        .unwrap_err();
    assert!(matches!(e, ApiError::BadFile { .. }), "{e}");

    ctl.set_device_file_mode(tp_fake::DeviceFileMode::GzipBomb);
    let e = client
        .device_file(DEMO_ATHLETE_ID, id, &gz)
        .await
        .unwrap_err();
    assert!(matches!(e, ApiError::TooLarge { .. }), "{e}");

    ctl.set_device_file_mode(tp_fake::DeviceFileMode::Endless);
    let started = Instant::now();
    let e = client
        .device_file(DEMO_ATHLETE_ID, id, &gz)
        .await
        .unwrap_err();
    assert!(matches!(e, ApiError::TooLarge { .. }), "{e}");
    assert!(started.elapsed() < Duration::from_secs(20));
    assert!(!e.is_outage(), "a bad file is not an outage");
}

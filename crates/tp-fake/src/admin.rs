//! `/_fake/…`: HTTP mirrors of [`FakeControl`] so tests and benchmarks in
//! other languages can drive a running fake. Not counted, never delayed or
//! failed. Bodies are JSON (an empty body reads as `{}`); the
//! `Content-Type` header is not required.

use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use crate::auth::Login;
use crate::coach::{COACH_USER_ID, COACHED_ATHLETE_IDS, coached_profile, coached_seed};
use crate::control::FakeControl;
use crate::faults::Endpoint;
use crate::workout::FakeWorkout;

pub fn admin_router() -> Router<FakeControl> {
    Router::new()
        .route("/_fake/expire_tokens", post(expire_tokens))
        .route("/_fake/revoke_cookie", post(revoke_cookie))
        .route("/_fake/accept_cookie", post(accept_cookie))
        .route("/_fake/token_ttl", post(token_ttl))
        .route("/_fake/fail", post(fail))
        .route("/_fake/malformed", post(malformed))
        .route("/_fake/drop", post(drop_next))
        .route("/_fake/latency", post(latency))
        .route("/_fake/rate_limit", post(rate_limit))
        .route("/_fake/retry_after", post(retry_after))
        .route("/_fake/reset_faults", post(reset_faults))
        .route("/_fake/stats", get(stats))
        .route("/_fake/tokens", get(tokens))
        .route("/_fake/reset_stats", post(reset_stats))
        .route("/_fake/delete_workout", post(delete_workout))
        .route("/_fake/edit_workout", post(edit_workout))
        .route("/_fake/add_workout", post(add_workout))
        .route("/_fake/athlete", get(athlete_summary))
        .route("/_fake/coach", get(coach_summary))
        .route("/_fake/device_files", post(device_files))
        .route("/_fake/reupload", post(reupload))
}

fn ok() -> Response {
    Json(json!({"ok": true})).into_response()
}

/// An admin failure: `{"ok": false, "error": …}` with a 4xx status.
struct AdminError(StatusCode, String);

impl IntoResponse for AdminError {
    fn into_response(self) -> Response {
        (self.0, Json(json!({"ok": false, "error": self.1}))).into_response()
    }
}

fn error(status: StatusCode, message: impl Into<String>) -> AdminError {
    AdminError(status, message.into())
}

fn parse<T: DeserializeOwned>(body: &Bytes) -> Result<T, AdminError> {
    let body: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        body
    };
    serde_json::from_slice(body)
        .map_err(|e| error(StatusCode::BAD_REQUEST, format!("bad body: {e}")))
}

async fn expire_tokens(State(c): State<FakeControl>) -> Response {
    c.expire_tokens();
    ok()
}

async fn revoke_cookie(State(c): State<FakeControl>) -> Response {
    c.revoke_cookie();
    ok()
}

#[derive(Deserialize)]
struct CookieBody {
    cookie: String,
    /// `"demo"` (the default) or `"coach"`.
    login: Option<String>,
}

/// `{"cookie": "…", "login": "demo" | "coach"}`: the login's cookie from
/// now on (the other login's is left as it is).
async fn accept_cookie(State(c): State<FakeControl>, body: Bytes) -> Result<Response, AdminError> {
    let body: CookieBody = parse(&body)?;
    match body
        .login
        .as_deref()
        .map_or(Some(Login::Athlete), Login::parse)
    {
        Some(Login::Athlete) => c.accept_cookie(body.cookie),
        Some(Login::Coach) => c.accept_coach_cookie(body.cookie),
        None => {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "login must be \"demo\" or \"coach\"",
            ));
        }
    }
    Ok(ok())
}

#[derive(Deserialize)]
struct SecondsBody {
    seconds: Option<u64>,
}

async fn token_ttl(State(c): State<FakeControl>, body: Bytes) -> Result<Response, AdminError> {
    let body: SecondsBody = parse(&body)?;
    let seconds = body
        .seconds
        .ok_or_else(|| error(StatusCode::BAD_REQUEST, "seconds is required"))?;
    c.set_token_ttl(Duration::from_secs(seconds));
    Ok(ok())
}

async fn retry_after(State(c): State<FakeControl>, body: Bytes) -> Result<Response, AdminError> {
    let body: SecondsBody = parse(&body)?;
    c.set_retry_after(body.seconds);
    Ok(ok())
}

#[derive(Deserialize)]
struct FailBody {
    n: u32,
    status: u16,
    endpoint: Option<String>,
}

async fn fail(State(c): State<FakeControl>, body: Bytes) -> Result<Response, AdminError> {
    let body: FailBody = parse(&body)?;
    if !(100..=999).contains(&body.status) {
        return Err(error(StatusCode::BAD_REQUEST, "status must be 100..=999"));
    }
    match body.endpoint {
        Some(name) => {
            let endpoint: Endpoint = name
                .parse()
                .map_err(|e: String| error(StatusCode::BAD_REQUEST, e))?;
            c.fail_next_on(endpoint, body.n, body.status);
        }
        None => c.fail_next(body.n, body.status),
    }
    Ok(ok())
}

#[derive(Deserialize)]
struct CountBody {
    n: u32,
}

async fn malformed(State(c): State<FakeControl>, body: Bytes) -> Result<Response, AdminError> {
    let body: CountBody = parse(&body)?;
    c.malformed_next(body.n);
    Ok(ok())
}

async fn drop_next(State(c): State<FakeControl>, body: Bytes) -> Result<Response, AdminError> {
    let body: CountBody = parse(&body)?;
    c.drop_next(body.n);
    Ok(ok())
}

#[derive(Deserialize)]
struct MillisBody {
    ms: Option<u64>,
}

async fn latency(State(c): State<FakeControl>, body: Bytes) -> Result<Response, AdminError> {
    let body: MillisBody = parse(&body)?;
    c.set_latency(Duration::from_millis(body.ms.unwrap_or(0)));
    Ok(ok())
}

async fn rate_limit(State(c): State<FakeControl>, body: Bytes) -> Result<Response, AdminError> {
    let body: MillisBody = parse(&body)?;
    c.set_rate_limit(body.ms.map(Duration::from_millis));
    Ok(ok())
}

async fn reset_faults(State(c): State<FakeControl>) -> Response {
    c.reset_faults();
    ok()
}

async fn stats(State(c): State<FakeControl>) -> Response {
    Json(c.counts().to_json()).into_response()
}

/// Every bearer token issued so far, so leak audits can look for them.
async fn tokens(State(c): State<FakeControl>) -> Response {
    Json(c.issued_tokens()).into_response()
}

async fn reset_stats(State(c): State<FakeControl>) -> Response {
    c.reset_counts();
    ok()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WorkoutBody {
    workout_id: i64,
    #[serde(default)]
    fields: Map<String, Value>,
}

async fn delete_workout(State(c): State<FakeControl>, body: Bytes) -> Result<Response, AdminError> {
    let body: WorkoutBody = parse(&body)?;
    if !c.delete_workout(body.workout_id) {
        return Err(error(StatusCode::NOT_FOUND, "no such workout"));
    }
    Ok(ok())
}

/// Overwrites the given JSON fields of a workout (TrainingPeaks names).
async fn edit_workout(State(c): State<FakeControl>, body: Bytes) -> Result<Response, AdminError> {
    let body: WorkoutBody = parse(&body)?;
    let mut outcome = Ok(());
    if !c.edit_workout(body.workout_id, |w| outcome = w.merge_json(&body.fields)) {
        return Err(error(StatusCode::NOT_FOUND, "no such workout"));
    }
    outcome.map_err(|e| error(StatusCode::BAD_REQUEST, format!("bad fields: {e}")))?;
    Ok(ok())
}

/// Adds (or replaces) a workout given as TrainingPeaks JSON.
async fn add_workout(State(c): State<FakeControl>, body: Bytes) -> Result<Response, AdminError> {
    let workout: FakeWorkout = parse(&body)?;
    c.add_workout(workout);
    Ok(ok())
}

#[derive(Deserialize)]
struct ModeBody {
    mode: String,
}

/// `{"mode": "normal" | "no_files" | "gzip_garbage" | "gzip_bomb" | "endless" | "truncated"}`:
/// what every device-file request gets from now on.
async fn device_files(State(c): State<FakeControl>, body: Bytes) -> Result<Response, AdminError> {
    let body: ModeBody = parse(&body)?;
    let mode = crate::device::DeviceFileMode::parse(&body.mode).ok_or_else(|| {
        error(
            StatusCode::BAD_REQUEST,
            format!("unknown mode {:?}", body.mode),
        )
    })?;
    c.set_device_file_mode(mode);
    Ok(ok())
}

/// `{"workoutId": N}`: the workout's device file is uploaded again (new id).
async fn reupload(State(c): State<FakeControl>, body: Bytes) -> Result<Response, AdminError> {
    let body: WorkoutBody = parse(&body)?;
    if !c.reupload(body.workout_id) {
        return Err(error(
            StatusCode::NOT_FOUND,
            "no such workout with a device file",
        ));
    }
    Ok(ok())
}

/// A summary of the data served, for scripts that need ids and dates.
async fn athlete_summary(State(c): State<FakeControl>) -> Response {
    let a = c.athlete();
    let today = a.today();
    let (ctl, atl, tsb) = a.fitness_on(today);
    let workouts = a.workouts();
    Json(json!({
        "athleteId": a.profile().athlete_id,
        "seed": a.seed(),
        "today": today.to_string(),
        "firstDay": workouts.first().map(|w| w.workout_day.to_string()),
        "lastDay": workouts.last().map(|w| w.workout_day.to_string()),
        "workouts": workouts.len(),
        "completed": workouts.iter().filter(|w| w.is_completed()).count(),
        "ftp": a.ftp_on(today),
        "ctl": ctl,
        "atl": atl,
        "tsb": tsb,
    }))
    .into_response()
}

/// The coach login and their athletes, without generating anyone:
/// `{"userId", "athletes": [{"athleteId", "firstName", "lastName", "seed",
/// "generated"}]}` (`generated`: asked about since the server started).
async fn coach_summary(State(c): State<FakeControl>) -> Response {
    let seed = c.athlete().seed();
    let athletes: Vec<Value> = COACHED_ATHLETE_IDS
        .iter()
        .filter_map(|&id| coached_profile(id))
        .map(|p| {
            json!({
                "athleteId": p.athlete_id,
                "firstName": p.first_name,
                "lastName": p.last_name,
                "seed": coached_seed(seed, p.athlete_id),
                "generated": c.coached_generated(p.athlete_id),
            })
        })
        .collect();
    Json(json!({"userId": COACH_USER_ID, "athletes": athletes})).into_response()
}

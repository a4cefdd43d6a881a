//! The TrainingPeaks API routes: paths, methods and error behaviour as
//! `tp-api.md` describes them, including the quirks (90-day cap on the
//! workout list, `"NaN"` PMC values for an empty body, 500 for a sport
//! records request without `prType`).
//!
//! Extractors check auth and which athletes the login may see (the demo
//! athlete's login: that athlete; the coach's: the three coached athletes);
//! handlers parse the rest of the path and hand over to the data modules.
//! JSON shapes live in `json.rs`, `coach.rs` and the types that serialize
//! themselves.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::{get, post};
use chrono::NaiveDate;
use serde_json::{Value, json};

use crate::HISTORY_START;
use crate::athlete::DemoAthlete;
use crate::auth::{AUTH_COOKIE, Login, bearer_token, cookie_value};
use crate::coach::{self, COACHED_ATHLETE_IDS};
use crate::control::FakeControl;
use crate::dates::parse_day;
use crate::device::FileBody;
use crate::health::MAX_METRICS_RANGE_DAYS;
use crate::json;
use crate::performance::PmcConstants;
use crate::records::{self, Sport};

/// The list route refuses ranges longer than this many calendar days
/// (inclusive), i.e. `end - start` may be at most 89 days.
pub const MAX_WORKOUT_RANGE_DAYS: i64 = 90;

/// How many rows the per-sport records ranking returns.
const SPORT_RANKING_LIMIT: usize = 10;

pub fn api_router() -> Router<FakeControl> {
    Router::new()
        .route("/users/v3/token", get(token))
        .route("/users/v3/user", get(user))
        .route(
            "/fitness/v6/athletes/{athlete_id}/workouts/{start}/{end}",
            get(workouts),
        )
        .route(
            "/fitness/v6/athletes/{athlete_id}/workouts/{workout_id}",
            get(workout_detail),
        )
        .route(
            "/fitness/v6/athletes/{athlete_id}/workouts/{workout_id}/details",
            get(workout_files),
        )
        .route(
            "/fitness/v6/athletes/{athlete_id}/workouts/{workout_id}/rawfiledata/{file_id}",
            get(device_file),
        )
        .route(
            "/fitness/v1/athletes/{athlete_id}/reporting/performancedata/{start}/{end}",
            post(performance_data),
        )
        .route(
            "/personalrecord/v2/athletes/{athlete_id}/workouts/{workout_id}",
            get(workout_records),
        )
        .route(
            "/personalrecord/v2/athletes/{athlete_id}/{sport}",
            get(sport_records),
        )
        .route("/fitness/v1/athletes/{athlete_id}/settings", get(settings))
        .route("/fitness/v6/workouttypes", get(workout_types))
        .route(
            "/fitness/v6/athletes/{athlete_id}/events/focusevent",
            get(focus_event),
        )
        .route(
            "/fitness/v6/athletes/{athlete_id}/events/nextplannedevent",
            get(next_planned_event),
        )
        .route(
            "/fitness/v6/athletes/{athlete_id}/events/{start}/{end}",
            get(events),
        )
        .route(
            "/metrics/v3/athletes/{athlete_id}/consolidatedtimedmetrics/{start}/{end}",
            get(health_metrics),
        )
        .fallback(not_found)
}

/// An error answer: a status and a small body. TrainingPeaks' error bodies
/// are not reliably JSON; these are plain text unless a quirk says otherwise.
struct ApiError {
    status: StatusCode,
    content_type: &'static str,
    body: String,
}

impl ApiError {
    fn text(status: StatusCode, body: impl Into<String>) -> ApiError {
        ApiError {
            status,
            content_type: "text/plain; charset=utf-8",
            body: body.into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, [(CONTENT_TYPE, self.content_type)], self.body).into_response()
    }
}

fn bad_request(message: impl Into<String>) -> ApiError {
    ApiError::text(StatusCode::BAD_REQUEST, message)
}

/// TrainingPeaks' 401s are not JSON.
fn unauthorized() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        [(CONTENT_TYPE, "text/html; charset=utf-8")],
        "<html><head><title>401 Unauthorized</title></head><body>Unauthorized</body></html>",
    )
        .into_response()
}

async fn not_found() -> ApiError {
    ApiError::text(StatusCode::NOT_FOUND, "Not Found")
}

/// A request with a valid bearer token: who logged in. Rejects with 401
/// otherwise.
struct Authed(Login);

impl FromRequestParts<FakeControl> for Authed {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        control: &FakeControl,
    ) -> Result<Self, Response> {
        bearer_token(&parts.headers)
            .and_then(|token| control.token_login(token))
            .map(Authed)
            .ok_or_else(unauthorized)
    }
}

/// An athlete-scoped request (`…/athletes/{athlete_id}/…`) by a login that
/// may see that athlete; carries the athlete's data snapshot. 401 without a
/// valid token, 400 when the id is not a number, 403 for an athlete the
/// login may not see.
struct Scoped(Arc<DemoAthlete>);

impl FromRequestParts<FakeControl> for Scoped {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        control: &FakeControl,
    ) -> Result<Self, Response> {
        let Authed(login) = Authed::from_request_parts(parts, control).await?;
        let Path(params) = Path::<HashMap<String, String>>::from_request_parts(parts, control)
            .await
            .map_err(IntoResponse::into_response)?;
        let raw = params.get("athlete_id").map_or("", String::as_str);
        let id: i64 = raw.parse().map_err(|_| {
            bad_request(format!("athleteId must be an integer, got {raw:?}")).into_response()
        })?;
        athlete_for(control, login, id)
            .await
            .map(Scoped)
            .ok_or_else(|| {
                ApiError::text(
                    StatusCode::FORBIDDEN,
                    format!("Forbidden: no permission for athlete {id}"),
                )
                .into_response()
            })
    }
}

/// The athlete `id` as `login` may see them: the demo athlete for their own
/// login, a coached athlete for the coach (generated on first request, off
/// the async threads); `None` otherwise.
async fn athlete_for(control: &FakeControl, login: Login, id: i64) -> Option<Arc<DemoAthlete>> {
    match login {
        Login::Athlete => Some(control.athlete()).filter(|a| a.profile().athlete_id == id),
        Login::Coach if !COACHED_ATHLETE_IDS.contains(&id) => None,
        Login::Coach if control.coached_generated(id) => control.coached_athlete(id),
        Login::Coach => {
            let control = control.clone();
            tokio::task::spawn_blocking(move || control.coached_athlete(id))
                .await
                .ok()
                .flatten()
        }
    }
}

/// The athlete once their records are derived: waiting, if it must, off the
/// async threads (a coached athlete's first question may arrive while they
/// are still being derived).
async fn with_records(athlete: Arc<DemoAthlete>) -> Arc<DemoAthlete> {
    if athlete.records_ready() {
        return athlete;
    }
    let waiting = athlete.clone();
    let _ = tokio::task::spawn_blocking(move || {
        waiting.records();
    })
    .await;
    athlete
}

fn day(raw: &str, what: &str) -> Result<NaiveDate, ApiError> {
    parse_day(raw).ok_or_else(|| bad_request(format!("{what} is not a date (YYYY-MM-DD): {raw:?}")))
}

fn range(start: &str, end: &str) -> Result<(NaiveDate, NaiveDate), ApiError> {
    let (start, end) = (day(start, "startDate")?, day(end, "endDate")?);
    if start > end {
        return Err(bad_request("startDate must not be after endDate"));
    }
    Ok((start, end))
}

fn workout_id(raw: &str) -> Result<i64, ApiError> {
    raw.parse()
        .map_err(|_| bad_request(format!("workoutId must be an integer, got {raw:?}")))
}

/// `GET /users/v3/token`: cookie → bearer token.
async fn token(State(control): State<FakeControl>, headers: HeaderMap) -> Response {
    match control.exchange_cookie(cookie_value(&headers, AUTH_COOKIE)) {
        Some((access_token, expires_in)) => Json(json!({
            "success": true,
            "token": {
                "access_token": access_token,
                "expires_in": expires_in,
                "token_type": "bearer",
            },
        }))
        .into_response(),
        None => unauthorized(),
    }
}

/// `GET /users/v3/user`.
async fn user(State(control): State<FakeControl>, Authed(login): Authed) -> Response {
    match login {
        Login::Athlete => Json(json::user(&control.athlete())).into_response(),
        Login::Coach => Json(coach::user_json(control.today())).into_response(),
    }
}

/// `GET /fitness/v6/athletes/{id}/workouts/{start}/{end}`: completed and
/// planned workouts of the inclusive range, at most 90 days.
async fn workouts(
    Scoped(athlete): Scoped,
    Path((_, start, end)): Path<(String, String, String)>,
) -> Result<Response, ApiError> {
    let (start, end) = range(&start, &end)?;
    if (end - start).num_days() >= MAX_WORKOUT_RANGE_DAYS {
        return Err(bad_request(format!(
            "The date range cannot be more than {MAX_WORKOUT_RANGE_DAYS} days"
        )));
    }
    let athlete = with_records(athlete).await;
    let list: Vec<Value> = athlete
        .workouts_between(start, end)
        .iter()
        .map(|w| athlete.workout_json(w))
        .collect();
    Ok(Json(Value::Array(list)).into_response())
}

/// `GET /metrics/v3/athletes/{id}/consolidatedtimedmetrics/{start}/{end}`:
/// one entry per day of the inclusive range that has any health metric, at
/// most [`MAX_METRICS_RANGE_DAYS`] days.
async fn health_metrics(
    Scoped(athlete): Scoped,
    Path((_, start, end)): Path<(String, String, String)>,
) -> Result<Response, ApiError> {
    let (start, end) = range(&start, &end)?;
    if (end - start).num_days() >= MAX_METRICS_RANGE_DAYS {
        return Err(bad_request(format!(
            "The date range cannot be more than {MAX_METRICS_RANGE_DAYS} days"
        )));
    }
    let id = athlete.profile().athlete_id;
    let list: Vec<Value> = athlete
        .health_metrics(start, end)
        .iter()
        .map(|d| d.json(id))
        .collect();
    Ok(Json(Value::Array(list)).into_response())
}

/// `GET /fitness/v6/athletes/{id}/events/{start}/{end}`: the events of the
/// inclusive range.
async fn events(
    Scoped(athlete): Scoped,
    Path((_, start, end)): Path<(String, String, String)>,
) -> Result<Response, ApiError> {
    let (start, end) = range(&start, &end)?;
    let id = athlete.profile().athlete_id;
    let list: Vec<Value> = athlete
        .events()
        .iter()
        .filter(|e| (start..=end).contains(&e.date))
        .map(|e| e.json(id))
        .collect();
    Ok(Json(Value::Array(list)).into_response())
}

/// `GET …/events/focusevent`: the next A race; an empty 204 when there is none.
async fn focus_event(Scoped(athlete): Scoped, Path(_): Path<String>) -> Result<Response, ApiError> {
    let today = athlete.today();
    let id = athlete.profile().athlete_id;
    Ok(
        match athlete
            .events()
            .iter()
            .find(|e| e.date > today && e.priority == 'A')
        {
            Some(e) => Json(e.json(id)).into_response(),
            None => StatusCode::NO_CONTENT.into_response(),
        },
    )
}

/// `GET …/events/nextplannedevent`: the first event after today; 204 when none.
async fn next_planned_event(
    Scoped(athlete): Scoped,
    Path(_): Path<String>,
) -> Result<Response, ApiError> {
    let today = athlete.today();
    let id = athlete.profile().athlete_id;
    Ok(match athlete.events().iter().find(|e| e.date > today) {
        Some(e) => Json(e.json(id)).into_response(),
        None => StatusCode::NO_CONTENT.into_response(),
    })
}

/// `GET /fitness/v6/athletes/{id}/workouts/{workoutId}`.
async fn workout_detail(
    Scoped(athlete): Scoped,
    Path((_, raw_id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let id = workout_id(&raw_id)?;
    athlete.workout(id).ok_or_else(not_found_workout)?;
    let athlete = with_records(athlete).await;
    let workout = athlete.workout(id).ok_or_else(not_found_workout)?;
    Ok(Json(athlete.workout_json(workout)).into_response())
}

/// `GET /fitness/v6/athletes/{id}/workouts/{workoutId}/details`: the
/// device files uploaded for the workout (an empty list for a planned
/// workout or one entered by hand).
async fn workout_files(
    State(control): State<FakeControl>,
    Scoped(athlete): Scoped,
    Path((_, raw_id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let id = workout_id(&raw_id)?;
    athlete.workout(id).ok_or_else(not_found_workout)?;
    let files: Vec<Value> = athlete
        .device_file(id, control.device_file_mode())
        .map(|f| json!({"fileId": f.file_id, "fileName": f.file_name}))
        .into_iter()
        .collect();
    Ok(Json(json!({
        "workoutId": id,
        "workoutDeviceFileInfos": files,
        "attachmentFileInfos": [],
    }))
    .into_response())
}

/// `GET /fitness/v6/athletes/{id}/workouts/{workoutId}/rawfiledata/{fileId}`:
/// the file's bytes as uploaded (gzip when its name ends in `.gz`).
async fn device_file(
    State(control): State<FakeControl>,
    Scoped(athlete): Scoped,
    Path((_, raw_id, file_id)): Path<(String, String, String)>,
) -> Result<Response, ApiError> {
    let id = workout_id(&raw_id)?;
    athlete.workout(id).ok_or_else(not_found_workout)?;
    let mode = control.device_file_mode();
    // Writing a file means recording the workout: seconds of CPU for a
    // long ride in a debug build, so off the async threads.
    let body = tokio::task::spawn_blocking(move || athlete.device_file_body(id, &file_id, mode))
        .await
        .ok()
        .flatten()
        .ok_or_else(|| ApiError::text(StatusCode::NOT_FOUND, "File not found"))?;
    let octets = [(CONTENT_TYPE, "application/octet-stream")];
    Ok(match body {
        FileBody::Bytes(bytes) => (octets, bytes).into_response(),
        FileBody::Endless => {
            static ZEROS: [u8; 64 * 1024] = [0; 64 * 1024];
            let zeros = futures_util::stream::repeat_with(|| {
                Ok::<Bytes, std::io::Error>(Bytes::from_static(&ZEROS))
            });
            (octets, axum::body::Body::from_stream(zeros)).into_response()
        }
    })
}

fn not_found_workout() -> ApiError {
    ApiError::text(StatusCode::NOT_FOUND, "Workout not found")
}

/// `POST /fitness/v1/athletes/{id}/reporting/performancedata/{start}/{end}`.
/// An empty or `{}` body gives `"NaN"` for ctl/atl/tsb; `ctlConstant` /
/// `atlConstant` (+ optional starts) give numbers. No range cap.
async fn performance_data(
    Scoped(athlete): Scoped,
    Path((_, start, end)): Path<(String, String, String)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let (start, end) = range(&start, &end)?;
    let body: Value = if body.iter().all(u8::is_ascii_whitespace) {
        json!({})
    } else {
        serde_json::from_slice(&body).map_err(|e| bad_request(format!("invalid JSON body: {e}")))?
    };
    if !body.is_object() {
        return Err(bad_request("the body must be a JSON object"));
    }
    let constants = PmcConstants::from_body(&body).map_err(bad_request)?;
    let types: Vec<i32> = body
        .get("workoutTypes")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(Value::as_i64)
                .map(|t| t as i32)
                .collect()
        })
        .unwrap_or_default();
    let rows: Vec<Value> = athlete
        .performance(start, end, constants, &types)
        .iter()
        .map(|r| r.to_json())
        .collect();
    Ok(Json(Value::Array(rows)).into_response())
}

/// `GET /personalrecord/v2/athletes/{id}/workouts/{workoutId}`.
async fn workout_records(
    Scoped(athlete): Scoped,
    Path((_, raw_id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let id = workout_id(&raw_id)?;
    athlete.workout(id).ok_or_else(not_found_workout)?;
    let athlete = with_records(athlete).await;
    Ok(Json(json::workout_records(&athlete, id)).into_response())
}

/// A query parameter by name, case-insensitively (as ASP.NET binds them).
fn query_param<'a>(query: &'a HashMap<String, String>, name: &str) -> Option<&'a str> {
    query
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// `GET /personalrecord/v2/athletes/{id}/{Bike|Run}?prType=…&startDate=…&endDate=…`:
/// the top 10 peaks of that kind in the range. Without `prType` it answers
/// 500 (the quirk the references report); an unknown `prType` is 400; a
/// known one that the sport doesn't keep (power on Run, speed on Bike) is an
/// empty list. Missing dates mean unbounded.
async fn sport_records(
    Scoped(athlete): Scoped,
    Path((_, sport)): Path<(String, String)>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let sport =
        Sport::parse(&sport).ok_or_else(|| bad_request(format!("unknown sport {sport:?}")))?;
    let Some(pr_type) = query_param(&query, "prType") else {
        return Err(ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            content_type: "application/json; charset=utf-8",
            body: r#"{"Message":"An error has occurred."}"#.to_string(),
        });
    };
    let kind = records::find_kind(pr_type)
        .ok_or_else(|| bad_request(format!("unknown prType {pr_type:?}")))?;
    let start = match query_param(&query, "startDate") {
        Some(raw) => day(raw, "startDate")?,
        None => HISTORY_START,
    };
    let end = match query_param(&query, "endDate") {
        Some(raw) => day(raw, "endDate")?,
        None => NaiveDate::MAX,
    };
    if !records::kind_applies(sport, kind) {
        return Ok(Json(json!([])).into_response());
    }
    let athlete = with_records(athlete).await;
    let rows: Vec<Value> = athlete
        .records()
        .ranking(
            athlete.workouts(),
            sport,
            kind,
            start,
            end,
            SPORT_RANKING_LIMIT,
        )
        .iter()
        .map(|r| r.to_json())
        .collect();
    Ok(Json(Value::Array(rows)).into_response())
}

/// `GET /fitness/v1/athletes/{id}/settings`.
async fn settings(Scoped(athlete): Scoped, Path(_): Path<String>) -> Result<Response, ApiError> {
    Ok(Json(json::settings(&athlete)).into_response())
}

/// `GET /fitness/v6/workouttypes`.
async fn workout_types(Authed(_): Authed) -> Response {
    Json(json::workout_types()).into_response()
}

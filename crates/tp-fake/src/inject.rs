//! The HTTP layer that applies the fault switches to every API request.
//!
//! It runs before routing so that counters and faults cover every path
//! (unknown ones count as `other`; athlete-scoped ones also count by the
//! athlete id in the path), and lets `/_fake/` admin requests
//! through untouched: they are neither counted nor delayed nor failed.

use std::time::Duration;

use axum::body::{Body, Bytes, to_bytes};
use axum::extract::{Request, State};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::control::FakeControl;
use crate::faults::{Action, Endpoint, athlete_in_path};

/// How long a dropped response waits after its first bytes before the
/// connection goes, so the client surely sees headers and a partial body.
const DROP_PAUSE: Duration = Duration::from_millis(30);

pub async fn apply_faults(
    State(control): State<FakeControl>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    if path == "/_fake" || path.starts_with("/_fake/") {
        return next.run(request).await;
    }
    let endpoint = Endpoint::classify(path);
    tracing::debug!(method = %request.method(), path, %endpoint, "api request");
    let (action, latency, retry_after) = control.admit(endpoint, athlete_in_path(path));
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let response = match action {
        Action::Pass => next.run(request).await,
        Action::RateLimited => with_retry_after(
            (StatusCode::TOO_MANY_REQUESTS, "Too Many Requests").into_response(),
            retry_after,
        ),
        Action::Fail { status } => injected_failure(status, retry_after),
        Action::Malformed => malformed(next.run(request).await).await,
        Action::Drop => dropped(next.run(request).await).await,
    };
    if action != Action::Pass {
        tracing::info!(%endpoint, ?action, status = response.status().as_u16(), "fault served");
    }
    control.record(action, response.status().as_u16());
    response
}

fn with_retry_after(mut response: Response, retry_after: Option<u64>) -> Response {
    if let (StatusCode::TOO_MANY_REQUESTS, Some(seconds)) = (response.status(), retry_after) {
        response
            .headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

/// A small HTML page, like a proxy or an ASP.NET error page would send.
fn injected_failure(status: u16, retry_after: Option<u64>) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = format!(
        "<html><head><title>{status}</title></head><body><h1>{status}</h1>\
         <p>Injected by tp-fake.</p></body></html>"
    );
    let response = (status, [(CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response();
    with_retry_after(response, retry_after)
}

/// The first half of what the handler would have sent (never the whole of
/// it, never empty), so it cannot parse as JSON.
async fn partial_body(response: Response) -> Bytes {
    let full = to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap_or_default();
    if full.len() < 4 {
        return Bytes::from_static(b"{\"workoutId\": 30");
    }
    full.slice(..full.len() / 2)
}

async fn malformed(response: Response) -> Response {
    let body = partial_body(response).await;
    (
        StatusCode::OK,
        [(CONTENT_TYPE, "application/json; charset=utf-8")],
        body,
    )
        .into_response()
}

/// 200 and headers, a partial body, then an IO error: hyper aborts the
/// connection and the client sees the body end early.
async fn dropped(response: Response) -> Response {
    let part = partial_body(response).await;
    let announced = part.len() * 2 + 1;
    enum Phase {
        Part(Bytes),
        Fail,
        Done,
    }
    let stream = futures_util::stream::unfold(Phase::Part(part), |phase| async move {
        match phase {
            Phase::Part(part) => Some((Ok::<Bytes, std::io::Error>(part), Phase::Fail)),
            Phase::Fail => {
                tokio::time::sleep(DROP_PAUSE).await;
                let error = std::io::Error::new(
                    std::io::ErrorKind::ConnectionAborted,
                    "tp-fake dropped the connection mid-body",
                );
                Some((Err(error), Phase::Done))
            }
            Phase::Done => None,
        }
    });
    let mut response = Response::new(Body::from_stream(stream));
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    headers.insert(CONTENT_LENGTH, HeaderValue::from(announced));
    response
}

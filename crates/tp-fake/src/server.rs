//! [`FakeServer`]: binds, serves, and stops when dropped.

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::athlete::DemoAthlete;
use crate::config::FakeConfig;
use crate::control::FakeControl;
use crate::{admin, inject, routes};

/// A running fake. Dropping it stops accepting connections and closes idle
/// ones; requests in flight finish.
#[derive(Debug)]
pub struct FakeServer {
    addr: SocketAddr,
    control: FakeControl,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

/// The largest request body the fake accepts (admin bodies are a few
/// hundred bytes; so is the one API POST).
const MAX_REQUEST_BODY: usize = 1 << 20;

/// The whole app: API routes and admin routes behind the fault layer, all
/// behind [`read_whole_body`].
fn app(control: FakeControl) -> Router {
    routes::api_router()
        .merge(admin::admin_router())
        .layer(axum::middleware::from_fn_with_state(
            control.clone(),
            inject::apply_faults,
        ))
        .layer(axum::middleware::from_fn(read_whole_body))
        .with_state(control)
}

/// Reads every request body to the end before anything answers.
///
/// hyper closes a keep-alive connection after answering a request whose
/// body it has not read, and a body sent in its own packet (as Python's
/// httpx sends it) is still unread when a handler that ignores it (say
/// `/_fake/expire_tokens`, or an injected 500) has answered. A client that
/// sends its next request on that connection in the instant before the close
/// reaches it gets "server disconnected without sending a response": a flaky
/// test that no real TrainingPeaks behaviour explains.
async fn read_whole_body(request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    match to_bytes(body, MAX_REQUEST_BODY).await {
        Ok(bytes) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        Err(e) => (
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("tp-fake could not read the request body: {e}"),
        )
            .into_response(),
    }
}

impl FakeServer {
    /// Generates the demo athlete and serves it on `127.0.0.1` at an
    /// ephemeral port.
    pub async fn start(config: FakeConfig) -> io::Result<FakeServer> {
        FakeServer::start_on(config, SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await
    }

    /// Like [`start`](Self::start) on a chosen address (port 0 = ephemeral).
    pub async fn start_on(config: FakeConfig, addr: SocketAddr) -> io::Result<FakeServer> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let control = FakeControl::new(&config);
        // Derive the records (and the recordings behind them) now, off the
        // async threads, so the first question rarely waits for them.
        let athlete = control.athlete();
        std::thread::spawn(move || {
            athlete.records();
        });
        let (shutdown, stopped) = oneshot::channel::<()>();
        let router = app(control.clone());
        let task = tokio::spawn(async move {
            let served = axum::serve(listener, router)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
            if let Err(e) = served {
                tracing::error!("tp-fake server stopped: {e}");
            }
        });
        tracing::info!(%addr, seed = config.seed, today = %config.today, "tp-fake started");
        Ok(FakeServer {
            addr,
            control,
            shutdown: Some(shutdown),
            task: Some(task),
        })
    }

    /// `http://HOST:PORT`, no trailing slash (an unspecified bind address
    /// is reported as loopback, which is where clients can reach it).
    pub fn base_url(&self) -> String {
        let mut addr = self.addr;
        if addr.ip().is_unspecified() {
            addr.set_ip(Ipv4Addr::LOCALHOST.into());
        }
        format!("http://{addr}")
    }

    /// The bound address (with the real port).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// A handle to the fault switches, counters and data.
    pub fn control(&self) -> FakeControl {
        self.control.clone()
    }

    /// The data currently served (a snapshot).
    pub fn athlete(&self) -> Arc<DemoAthlete> {
        self.control.athlete()
    }

    /// Stops the server and waits until it has stopped.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

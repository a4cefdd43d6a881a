//! Progress of long fetches, reported to the MCP client when it asked.
//!
//! A tool call that must fetch many windows (a first question about years
//! of workouts) reports each finished window as an MCP progress
//! notification, if the client sent a progress token. The sink is a
//! task-local, so the data path reports progress without every function
//! carrying a parameter for it.

use std::future::Future;
use std::sync::Arc;

/// Receives (done, total, what).
pub type ProgressSink = Arc<dyn Fn(usize, usize, &str) + Send + Sync>;

tokio::task_local! {
    static SINK: ProgressSink;
}

/// Runs `f` with `sink` receiving its progress reports.
pub async fn with_sink<F: Future>(sink: Option<ProgressSink>, f: F) -> F::Output {
    match sink {
        Some(sink) => SINK.scope(sink, f).await,
        None => f.await,
    }
}

/// Reports progress to the current call's sink, if any.
pub fn report(done: usize, total: usize, what: &str) {
    let _ = SINK.try_with(|sink| sink(done, total, what));
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[tokio::test]
    async fn reports_reach_the_sink_of_the_call_only() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let s = seen.clone();
        let sink: ProgressSink =
            Arc::new(move |d, t, w: &str| s.lock().unwrap().push((d, t, w.to_string())));
        with_sink(Some(sink), async { report(1, 2, "workouts") }).await;
        report(9, 9, "outside: nobody listens");
        assert_eq!(*seen.lock().unwrap(), vec![(1, 2, "workouts".to_string())]);
    }
}

//! Answering from the cache when TrainingPeaks cannot be asked.
//!
//! A question that needs fresh data fails if TrainingPeaks is down, slow,
//! rate limiting or refusing the login — yet the cache often holds the
//! answer as it was last fetched. Callers that can tell the user so run the
//! question inside [`collecting`]: there, a failed refresh of data the cache
//! already holds is answered from the cache, and a [`StaleRead`] says what
//! came from where and why. Outside it, the error is returned as before:
//! nothing is ever stale without someone being told.
//!
//! Not every failure falls back: a 404 (the thing does not exist) and an
//! invalid request are answers, not outages.

use crate::StoreError;
use std::cell::RefCell;
use std::future::Future;
use tp_api::ApiError;

/// One part of an answer that came from the cache because TrainingPeaks
/// failed.
#[derive(Debug, Clone, PartialEq)]
pub struct StaleRead {
    /// What was read from the cache, e.g. "workouts", "daily training load".
    pub what: &'static str,
    /// When that data was last fetched from TrainingPeaks (Unix seconds),
    /// if known.
    pub fetched_at: Option<i64>,
    /// Why TrainingPeaks could not be asked (the error, saying what to do).
    pub problem: String,
}

tokio::task_local! {
    static NOTES: RefCell<Vec<StaleRead>>;
}

/// Runs `question` allowing answers from the cache when TrainingPeaks
/// fails; returns its output and what was read stale.
pub async fn collecting<F: Future>(question: F) -> (F::Output, Vec<StaleRead>) {
    NOTES
        .scope(RefCell::new(Vec::new()), async {
            let output = question.await;
            let notes = NOTES.with(|n| n.take());
            (output, notes)
        })
        .await
}

/// The TrainingPeaks error behind `e` when the cache may answer instead:
/// inside [`collecting`], and an outage or a refused login (not a 404).
pub(crate) fn cache_may_answer(e: &StoreError) -> Option<&ApiError> {
    match e {
        StoreError::Api(api) if may_answer_instead(api) => Some(api),
        _ => None,
    }
}

/// Whether the cache may answer instead of TrainingPeaks after `e`: inside
/// [`collecting`], for an outage or a refused login.
pub fn may_answer_instead(e: &ApiError) -> bool {
    NOTES.try_with(|_| ()).is_ok()
        && !matches!(e, ApiError::NotFound { .. } | ApiError::InvalidRequest(_))
}

/// A failed fetch of one cached value (`cached`: the value and when it was
/// fetched): the cached value, noted as `what`, when the cache may answer;
/// else the error.
pub(crate) fn or_cached<T>(
    failed: ApiError,
    cached: Option<(T, i64)>,
    what: &'static str,
) -> Result<T, StoreError> {
    let failed = StoreError::Api(failed);
    match (cache_may_answer(&failed), cached) {
        (Some(problem), Some((value, fetched_at))) => {
            note(what, Some(fetched_at), problem);
            Ok(value)
        }
        _ => Err(failed),
    }
}

/// The distinct problems behind `reads`, in the order first met: what to
/// tell the user (the same error usually stands behind every read).
pub fn distinct_problems(reads: &[StaleRead]) -> Vec<&str> {
    let mut problems: Vec<&str> = Vec::new();
    for r in reads {
        if !problems.contains(&r.problem.as_str()) {
            problems.push(&r.problem);
        }
    }
    problems
}

/// When the oldest of `reads` was last fetched (Unix seconds), if known.
pub fn oldest_fetch(reads: &[StaleRead]) -> Option<i64> {
    reads.iter().filter_map(|r| r.fetched_at).min()
}

/// Records that `what` was answered from the cache.
pub(crate) fn note(what: &'static str, fetched_at: Option<i64>, problem: &ApiError) {
    let read = StaleRead {
        what,
        fetched_at,
        problem: problem.to_string(),
    };
    let _ = NOTES.try_with(|n| {
        let mut notes = n.borrow_mut();
        if !notes.contains(&read) {
            notes.push(read);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_are_told_once_each_and_the_oldest_fetch_is_found() {
        let read = |what, fetched_at, problem: &str| StaleRead {
            what,
            fetched_at,
            problem: problem.into(),
        };
        let reads = [
            read("workouts", Some(200), "HTTP 503"),
            read("daily training load", None, "timed out"),
            read("the profile", Some(100), "HTTP 503"),
        ];
        assert_eq!(distinct_problems(&reads), ["HTTP 503", "timed out"]);
        assert_eq!(oldest_fetch(&reads), Some(100));
        assert_eq!(oldest_fetch(&reads[1..2]), None);
        assert!(distinct_problems(&[]).is_empty());
    }

    fn outage() -> StoreError {
        StoreError::Api(ApiError::Timeout {
            endpoint: "the workouts".into(),
            timeout_s: 30,
            attempts: 3,
        })
    }

    #[tokio::test]
    async fn only_a_collecting_caller_gets_answers_from_the_cache() {
        assert!(
            cache_may_answer(&outage()).is_none(),
            "nobody to tell: the error stands"
        );
        let ((), notes) = collecting(async {
            let e = outage();
            let api = cache_may_answer(&e).expect("an outage, while collecting");
            note("workouts", Some(1_700_000_000), api);
            note("workouts", Some(1_700_000_000), api);
            let missing = StoreError::Api(ApiError::NotFound {
                endpoint: "workout 7".into(),
            });
            assert!(cache_may_answer(&missing).is_none(), "a 404 is an answer");
        })
        .await;
        assert_eq!(notes.len(), 1, "the same note once");
        assert_eq!(notes[0].what, "workouts");
        assert!(
            notes[0].problem.contains("did not answer"),
            "{}",
            notes[0].problem
        );
    }
}

//! The history cache against the fake TrainingPeaks: what gets fetched,
//! how often, and that edits and deletions arrive.

use chrono::{Days, NaiveDate};
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;
use tp_api::{ClientConfig, Secret, TpClient};
use tp_fake::{DEMO_ATHLETE_ID, Endpoint, FakeConfig, FakeServer, HISTORY_START};
use tp_store::{History, Store, SyncPolicy};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
}

async fn setup(policy: SyncPolicy) -> (FakeServer, History, tempfile::TempDir) {
    let fake = FakeServer::start(FakeConfig {
        today: today(),
        ..FakeConfig::default()
    })
    .await
    .unwrap();
    let mut config = ClientConfig::default().with_base_url(fake.base_url());
    config.min_request_spacing = Duration::ZERO;
    let client = TpClient::new(config, Some(Secret::new(tp_fake::DEMO_COOKIE))).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(&dir.path().join("athlete.sqlite3")).unwrap());
    let history = History::new(store, client, DEMO_ATHLETE_ID, policy);
    (fake, history, dir)
}

fn ids(ws: &[tp_model::Workout]) -> BTreeSet<i64> {
    ws.iter().map(|w| w.workout_id).collect()
}

fn expected(fake: &FakeServer, start: NaiveDate, end: NaiveDate) -> BTreeSet<i64> {
    fake.athlete()
        .workouts_between(start, end)
        .iter()
        .map(|w| w.workout_id)
        .collect()
}

/// A cold question fetches the minimum windows; the same question again fetches nothing.
#[tokio::test]
async fn cached_ranges_cost_nothing_and_cold_ones_the_minimum() {
    let (fake, history, _dir) = setup(SyncPolicy::default()).await;
    let ctl = fake.control();
    let (start, end) = (today() - Days::new(29), today());
    let first = history
        .workouts(start, end, today(), &|_, _| {})
        .await
        .unwrap();
    assert_eq!(ids(&first), expected(&fake, start, end));
    assert_eq!(ctl.counts().get(Endpoint::Workouts), 1);
    let again = history
        .workouts(start, end, today(), &|_, _| {})
        .await
        .unwrap();
    assert_eq!(first, again);
    assert_eq!(ctl.counts().get(Endpoint::Workouts), 1, "warm: no request");

    // a year: 365 days, 30 of them cached → 335 days → 4 windows
    let year_start = today() - Days::new(364);
    let mut reported = Vec::new();
    let progress = std::sync::Mutex::new(&mut reported);
    let year = history
        .workouts(year_start, end, today(), &|done, total| {
            progress.lock().unwrap().push((done, total))
        })
        .await
        .unwrap();
    assert_eq!(ids(&year), expected(&fake, year_start, end));
    assert_eq!(ctl.counts().get(Endpoint::Workouts), 1 + 4);
    assert_eq!(reported, vec![(1, 4), (2, 4), (3, 4), (4, 4)]);
    // any sub-range of it is now free
    history
        .workouts(
            year_start + Days::new(100),
            end - Days::new(100),
            today(),
            &|_, _| {},
        )
        .await
        .unwrap();
    assert_eq!(ctl.counts().get(Endpoint::Workouts), 5);
}

/// The whole daily history is one request, then free.
#[tokio::test]
async fn daily_history_is_one_request() {
    let (fake, history, _dir) = setup(SyncPolicy::default()).await;
    let days = history
        .daily(tp_store::sync::HISTORY_FLOOR, today(), today())
        .await
        .unwrap();
    assert_eq!(fake.control().counts().get(Endpoint::PerformanceData), 1);
    let first = days
        .iter()
        .find(|d| d.tss_actual.unwrap_or(0.0) > 0.0)
        .unwrap();
    assert_eq!(first.workout_day, Some(HISTORY_START));
    let total: f64 = days.iter().filter_map(|d| d.tss_actual).sum();
    let mut expected = 0.0;
    let mut d = HISTORY_START;
    while d <= today() {
        expected += fake.athlete().daily_tss(d);
        d = d.succ_opt().unwrap();
    }
    assert!((total - expected).abs() < 1e-6);
    history
        .daily(tp_store::sync::HISTORY_FLOOR, today(), today())
        .await
        .unwrap();
    assert_eq!(fake.control().counts().get(Endpoint::PerformanceData), 1);
}

/// After the data goes stale, recent days are fetched again: an edited
/// workout shows its new values and a deleted one disappears; older cached
/// history is not fetched again.
#[tokio::test]
async fn a_delta_sync_brings_edits_and_deletions() {
    let policy = SyncPolicy {
        stale_after: Duration::from_secs(3600),
        ..SyncPolicy::default()
    };
    let (fake, history, _dir) = setup(policy).await;
    let ctl = fake.control();
    let (start, end) = (today() - Days::new(179), today());
    let before = history
        .workouts(start, end, today(), &|_, _| {})
        .await
        .unwrap();
    let recent: Vec<_> = before
        .iter()
        .filter(|w| w.is_completed() && w.workout_day >= Some(today() - Days::new(5)))
        .collect();
    let (edited, deleted) = (recent[0].workout_id, recent[1].workout_id);
    assert!(ctl.edit_workout(edited, |w| w.title = "Edited in TrainingPeaks".into()));
    assert!(ctl.delete_workout(deleted));

    // still fresh: the cache answers, unchanged
    let cached = history
        .workouts(start, end, today(), &|_, _| {})
        .await
        .unwrap();
    assert_eq!(cached, before);
    let windows_before = ctl.counts().get(Endpoint::Workouts);

    history.expire_recent(today()).unwrap();
    let after = history
        .workouts(start, end, today(), &|_, _| {})
        .await
        .unwrap();
    assert_eq!(
        ctl.counts().get(Endpoint::Workouts),
        windows_before + 1,
        "only the recent delta"
    );
    assert_eq!(ids(&after), expected(&fake, start, end));
    assert!(!ids(&after).contains(&deleted));
    let w = after.iter().find(|w| w.workout_id == edited).unwrap();
    assert_eq!(w.title.as_deref(), Some("Edited in TrainingPeaks"));
    assert_eq!(history.store().workout(deleted).unwrap(), None);
}

/// Backfill walks back to the first training day and no further, then the
/// whole history is cached.
#[tokio::test]
async fn backfill_stops_at_the_first_training_day() {
    let (fake, history, _dir) = setup(SyncPolicy::default()).await;
    let report = history.backfill(today(), &|_, _| {}).await.unwrap();
    let horizon = today() + Days::new(21);
    let days = (horizon - HISTORY_START).num_days() as usize + 1;
    assert_eq!(report.windows, days.div_ceil(90));
    assert_eq!(
        fake.control().counts().get(Endpoint::Workouts) as usize,
        days.div_ceil(90)
    );
    let all = history
        .store()
        .workouts_between(HISTORY_START, horizon)
        .unwrap();
    assert_eq!(ids(&all), expected(&fake, HISTORY_START, horizon));
    assert_eq!(
        history.store().first_workout_day().unwrap(),
        Some(HISTORY_START)
    );
    // a second backfill has nothing to do
    let again = history.backfill(today(), &|_, _| {}).await.unwrap();
    assert_eq!(again.windows, 0);
}

/// Records are cached once computed; the workout detail comes from the cache when covered.
#[tokio::test]
async fn records_and_details_are_cached() {
    let (fake, history, _dir) = setup(SyncPolicy::default()).await;
    let ctl = fake.control();
    let ws = history
        .workouts(today() - Days::new(60), today(), today(), &|_, _| {})
        .await
        .unwrap();
    let with_pr = ws
        .iter()
        .find(|w| w.personal_record_count.unwrap_or(0) > 0)
        .unwrap();
    let r1 = history.records(with_pr.workout_id).await.unwrap();
    let r2 = history.records(with_pr.workout_id).await.unwrap();
    assert_eq!(r1, r2);
    assert_eq!(ctl.counts().get(Endpoint::WorkoutPrs), 1);
    let w = history.workout(with_pr.workout_id, today()).await.unwrap();
    assert_eq!(&w, with_pr);
    assert_eq!(
        ctl.counts().get(Endpoint::WorkoutDetail),
        0,
        "served from the cache"
    );
    let old = fake
        .athlete()
        .workouts_between(HISTORY_START, HISTORY_START + Days::new(3))[0]
        .workout_id;
    history.workout(old, today()).await.unwrap();
    assert_eq!(
        ctl.counts().get(Endpoint::WorkoutDetail),
        1,
        "not cached: fetched"
    );
}

/// Two stores on one file (two processes' worth) do not double-fetch: the
/// second waits for the first's lock and then finds the data cached.
#[tokio::test]
async fn concurrent_syncs_fetch_once() {
    let (fake, history, dir) = setup(SyncPolicy::default()).await;
    let mut config = ClientConfig::default().with_base_url(fake.base_url());
    config.min_request_spacing = Duration::ZERO;
    let client = TpClient::new(config, Some(Secret::new(tp_fake::DEMO_COOKIE))).unwrap();
    let other_store = Arc::new(Store::open(&dir.path().join("athlete.sqlite3")).unwrap());
    let other = History::new(other_store, client, DEMO_ATHLETE_ID, SyncPolicy::default());
    let (start, end) = (today() - Days::new(199), today());
    let (a, b) = tokio::join!(
        history.workouts(start, end, today(), &|_, _| {}),
        other.workouts(start, end, today(), &|_, _| {})
    );
    assert_eq!(ids(&a.unwrap()), ids(&b.unwrap()));
    assert_eq!(
        fake.control().counts().get(Endpoint::Workouts),
        3,
        "one process fetched, the other read"
    );
}

/// TrainingPeaks down: a caller that tells the user gets the cached days
/// (workouts and daily load, stale or not) and a note of what and why; a
/// caller that does not gets the error; days never cached stay an error.
#[tokio::test]
async fn an_outage_is_answered_from_the_cache_only_for_callers_that_say_so() {
    let policy = SyncPolicy {
        stale_after: Duration::ZERO, // every question re-checks the recent days
        ..SyncPolicy::default()
    };
    let (fake, history, _dir) = setup(policy).await;
    let (start, end) = (today() - Days::new(59), today());
    let fresh = history
        .workouts(start, end, today(), &|_, _| {})
        .await
        .unwrap();
    let daily = history.daily(start, end, today()).await.unwrap();
    fake.control().fail_next(1000, 503);

    assert!(
        history
            .workouts(start, end, today(), &|_, _| {})
            .await
            .is_err()
    );
    let ((workouts, days), notes) = tp_store::fallback::collecting(async {
        (
            history.workouts(start, end, today(), &|_, _| {}).await,
            history.daily(start, end, today()).await,
        )
    })
    .await;
    assert_eq!(
        workouts.unwrap(),
        fresh,
        "the cached workouts, stale days included"
    );
    assert_eq!(days.unwrap(), daily);
    let what: Vec<&str> = notes.iter().map(|n| n.what).collect();
    assert_eq!(what, ["workouts", "daily training load"]);
    assert!(
        notes
            .iter()
            .all(|n| n.problem.contains("HTTP 503") && n.fetched_at.is_some())
    );

    // One workout, cached by the list but due for a re-check.
    let one = fresh.last().unwrap().clone();
    let (w, notes) = tp_store::fallback::collecting(history.workout(one.workout_id, today())).await;
    assert_eq!(w.unwrap(), one);
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0].what, "the workout");

    let never_cached = today() - Days::new(400);
    let (cold, _) = tp_store::fallback::collecting(history.workouts(
        never_cached,
        never_cached,
        today(),
        &|_, _| {},
    ))
    .await;
    assert!(
        cold.is_err(),
        "nothing cached for that day: the error stands"
    );

    fake.control().reset_faults();
    let (again, notes) =
        tp_store::fallback::collecting(history.workouts(start, end, today(), &|_, _| {})).await;
    assert_eq!(again.unwrap(), fresh);
    assert!(notes.is_empty(), "TrainingPeaks is back: fresh, no note");
}

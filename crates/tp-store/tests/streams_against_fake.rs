//! Device files into the cache, against the fake TrainingPeaks: what each
//! question costs, what is kept, re-uploads, budgets and failures.

use chrono::{Days, NaiveDate};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};
use tp_api::{ClientConfig, Secret, TpClient};
use tp_fake::{DEMO_ATHLETE_ID, DeviceFileMode, Endpoint, FakeConfig, FakeServer};
use tp_model::{ChannelKind, Workout};
use tp_store::{Deriver, FileState, History, Store, StreamsOutcome, SyncPolicy};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
}

const DERIVER: Deriver = Deriver {
    version: tp_fitness::stream_summary::STREAM_SUMMARY_VERSION,
    summarize: tp_fitness::stream_summary::summarize,
};

async fn setup() -> (FakeServer, History, tempfile::TempDir) {
    let fake = FakeServer::start(FakeConfig {
        today: today(),
        ..FakeConfig::default()
    })
    .await
    .unwrap();
    let mut config = ClientConfig::default().with_base_url(fake.base_url());
    config.min_request_spacing = Duration::ZERO;
    config.retry.base_backoff = Duration::from_millis(5);
    let client = TpClient::new(config, Some(Secret::new(tp_fake::DEMO_COOKIE))).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(&dir.path().join("athlete.sqlite3")).unwrap());
    let history = History::new(store, client, DEMO_ATHLETE_ID, SyncPolicy::default());
    (fake, history, dir)
}

async fn recent(history: &History, days: u64) -> Vec<Workout> {
    history
        .workouts(today() - Days::new(days), today(), today(), &|_, _| {})
        .await
        .unwrap()
}

fn file_requests(fake: &FakeServer) -> (u64, u64) {
    let c = fake.control().counts();
    (c.get(Endpoint::WorkoutFiles), c.get(Endpoint::DeviceFile))
}

/// A cold question about one ride costs the list and the file; asked again
/// it costs nothing; the streams match the fake's recording sample for
/// sample and the summary is stored beside them.
#[tokio::test]
async fn one_workout_costs_two_requests_cold_and_none_warm() {
    let (fake, history, _dir) = setup().await;
    let ride = recent(&history, 20)
        .await
        .into_iter()
        .rev()
        .find(|w| {
            w.power_average.is_some()
                && tp_fake::has_device_file(
                    tp_fake::DEMO_SEED,
                    &fake.athlete().workout(w.workout_id).unwrap().clone(),
                )
        })
        .expect("a ride with a file");
    let before = file_requests(&fake);
    let StreamsOutcome::Stored(stored) = history.workout_streams(&ride, &DERIVER).await.unwrap()
    else {
        panic!("streams expected");
    };
    let after = file_requests(&fake);
    assert_eq!((after.0 - before.0, after.1 - before.1), (1, 1));
    let recording = fake.athlete().recording(ride.workout_id).unwrap();
    let streams = &stored.activity.streams;
    assert_eq!(streams.len(), recording.samples.len());
    let t0 = recording.samples[0].t;
    for (i, s) in recording.samples.iter().enumerate() {
        assert_eq!(streams.time_s()[i], s.t - t0);
        assert_eq!(
            streams.channel(ChannelKind::Power).unwrap()[i],
            s.power_w.map(i32::from)
        );
    }
    let again = history.workout_streams(&ride, &DERIVER).await.unwrap();
    assert_eq!(file_requests(&fake), after, "warm: no request");
    assert!(matches!(again, StreamsOutcome::Stored(_)));
    let summary = history
        .summary_for(ride.workout_id, &DERIVER)
        .unwrap()
        .unwrap();
    let best_5s = summary.curves[&ChannelKind::Power].best_average(5).unwrap();
    let fake_peak = fake
        .athlete()
        .peaks(ride.workout_id)
        .unwrap()
        .get(0)
        .unwrap();
    assert_eq!(
        best_5s, fake_peak,
        "the stored curve is the fake's real best 5 s"
    );
}

/// A workout entered by hand costs the list once, then nothing; a
/// re-upload (after a refresh) replaces the streams.
#[tokio::test]
async fn manual_entries_and_reuploads() {
    let (fake, history, _dir) = setup().await;
    let workouts = history
        .workouts(today() - Days::new(400), today(), today(), &|_, _| {})
        .await
        .unwrap();
    let manual = workouts
        .iter()
        .find(|w| {
            w.is_completed()
                && !tp_fake::has_device_file(
                    tp_fake::DEMO_SEED,
                    fake.athlete().workout(w.workout_id).unwrap(),
                )
        })
        .expect("a manual entry");
    assert_eq!(
        history.workout_streams(manual, &DERIVER).await.unwrap(),
        StreamsOutcome::NoFile
    );
    let after = file_requests(&fake);
    assert_eq!(
        history.workout_streams(manual, &DERIVER).await.unwrap(),
        StreamsOutcome::NoFile
    );
    assert_eq!(file_requests(&fake), after);

    let run = workouts
        .iter()
        .rev()
        .find(|w| w.workout_type_value_id == Some(3) && w.is_completed())
        .unwrap();
    let StreamsOutcome::Stored(first) = history.workout_streams(run, &DERIVER).await.unwrap()
    else {
        panic!()
    };
    fake.control().reupload(run.workout_id);
    // Not noticed until asked to check again…
    let before = file_requests(&fake);
    history.workout_streams(run, &DERIVER).await.unwrap();
    assert_eq!(file_requests(&fake), before);
    // …then the new file replaces the old one.
    history
        .recheck_streams_from(run.workout_day.unwrap())
        .unwrap();
    let StreamsOutcome::Stored(second) = history.workout_streams(run, &DERIVER).await.unwrap()
    else {
        panic!()
    };
    assert_ne!(first.file_id, second.file_id);
    let after = file_requests(&fake);
    assert_eq!((after.0 - before.0, after.1 - before.1), (1, 1));
    assert_eq!(
        history
            .store()
            .streams(run.workout_id)
            .unwrap()
            .unwrap()
            .file_id,
        second.file_id
    );
}

/// Files that cannot be read are remembered as such with a reason, once;
/// an outage is retried next time and keeps nothing half-written.
#[tokio::test]
async fn unreadable_files_and_outages() {
    let (fake, history, _dir) = setup().await;
    let workouts = recent(&history, 30).await;
    let done: Vec<&Workout> = workouts.iter().filter(|w| w.is_completed()).collect();
    let ctl = fake.control();

    ctl.set_device_file_mode(DeviceFileMode::GzipGarbage);
    match history.workout_streams(done[0], &DERIVER).await.unwrap() {
        StreamsOutcome::Unreadable(why) => assert!(why.contains("gzip"), "{why}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        history
            .store()
            .file_status(done[0].workout_id)
            .unwrap()
            .unwrap()
            .state,
        FileState::Unreadable
    );
    ctl.set_device_file_mode(DeviceFileMode::GzipBomb);
    assert!(matches!(
        history.workout_streams(done[1], &DERIVER).await.unwrap(),
        StreamsOutcome::Unreadable(_)
    ));

    ctl.set_device_file_mode(DeviceFileMode::Normal);
    ctl.fail_next_on(Endpoint::DeviceFile, 3, 503);
    let e = history
        .workout_streams(done[2], &DERIVER)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("503"), "{e}");
    assert!(
        history
            .store()
            .streams(done[2].workout_id)
            .unwrap()
            .is_none()
    );
    // Retried on the next question, which now succeeds (if it has a file).
    let again = history.workout_streams(done[2], &DERIVER).await.unwrap();
    assert!(!matches!(again, StreamsOutcome::Unreadable(_)), "{again:?}");
}

/// Filling a range stops at its deadline or on cancel, reports what is
/// left, and a later fill finishes the rest; then nothing is fetched.
#[tokio::test]
async fn fills_against_a_budget_and_resume() {
    let (fake, history, _dir) = setup().await;
    let workouts = recent(&history, 45).await;
    let ctl = fake.control();
    ctl.set_latency(Duration::from_millis(40));
    let report = history
        .fill_streams(
            &workouts,
            &DERIVER,
            Some(Instant::now() + Duration::from_millis(600)),
            &AtomicBool::new(false),
            &|_, _| {},
        )
        .await
        .unwrap();
    assert!(report.left > 0, "{report:?}");
    assert!(report.stopped.as_deref().unwrap().contains("time budget"));
    ctl.set_latency(Duration::ZERO);
    let cancelled = history
        .fill_streams(
            &workouts,
            &DERIVER,
            None,
            &AtomicBool::new(true),
            &|_, _| {},
        )
        .await
        .unwrap();
    assert_eq!(cancelled.left, report.left);
    let rest = history
        .fill_streams(
            &workouts,
            &DERIVER,
            None,
            &AtomicBool::new(false),
            &|_, _| {},
        )
        .await
        .unwrap();
    assert_eq!(rest.left, 0);
    assert_eq!(rest.needed, report.left);
    let coverage = history.stream_coverage(&workouts).unwrap();
    assert_eq!(coverage.missing, 0, "{coverage:?}");
    assert_eq!(
        coverage.stored + coverage.no_file + coverage.unreadable,
        coverage.workouts
    );
    let before = file_requests(&fake);
    let again = history
        .fill_streams(
            &workouts,
            &DERIVER,
            None,
            &AtomicBool::new(false),
            &|_, _| {},
        )
        .await
        .unwrap();
    assert_eq!(again.needed, 0);
    assert_eq!(file_requests(&fake), before);
}

/// A workout deleted in TrainingPeaks takes its streams and summary with it.
#[tokio::test]
async fn deleted_workouts_take_their_streams() {
    let (fake, history, _dir) = setup().await;
    let old = today() - Days::new(60);
    let workouts = history
        .workouts(old - Days::new(10), old, today(), &|_, _| {})
        .await
        .unwrap();
    let ride = workouts.iter().find(|w| w.power_average.is_some()).unwrap();
    history.workout_streams(ride, &DERIVER).await.unwrap();
    assert!(
        history
            .store()
            .stream_summary(ride.workout_id)
            .unwrap()
            .is_some()
    );
    fake.control().delete_workout(ride.workout_id);
    let items = history
        .client()
        .workouts_window_json(DEMO_ATHLETE_ID, old - Days::new(10), old)
        .await
        .unwrap();
    history
        .store()
        .apply_workout_window(old - Days::new(10), old, &items, 0)
        .unwrap();
    assert!(history.store().streams(ride.workout_id).unwrap().is_none());
    assert!(
        history
            .store()
            .stream_summary(ride.workout_id)
            .unwrap()
            .is_none()
    );
    assert!(
        history
            .store()
            .file_status(ride.workout_id)
            .unwrap()
            .is_none()
    );
}

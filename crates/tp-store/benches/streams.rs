//! Device files into the cache: decode + store a 4-hour ride, the summary
//! kept beside it, and what an hour of streams costs on disk.
//!
//! Targets (issue 13): decode + store a 4-hour FIT ride under 30 ms;
//! under 100 KB per hour of 1 Hz data. Run with
//! `cargo bench -p tp-store --bench streams -- --quick`; the storage
//! numbers are written to `target/criterion/device_file_storage.json`
//! (bench/bench.py reports them).

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use tp_fake::{DEMO_SEED, DemoAthlete};
use tp_store::Store;
use tp_store::streams::{FileState, FileStatus};

fn athlete() -> DemoAthlete {
    DemoAthlete::new(
        DEMO_SEED,
        NaiveDate::from_ymd_opt(2026, 11, 24).expect("date"),
    )
}

/// The demo athlete's longest outdoor ride, recorded for four hours.
fn four_hour_fit() -> Vec<u8> {
    let mut a = athlete();
    let ride = a
        .workouts()
        .iter()
        .filter(|w| {
            w.workout_type_value_id == 2 && w.distance.is_some() && w.power_average.is_some()
        })
        .max_by(|x, y| x.total_time.partial_cmp(&y.total_time).expect("numbers"))
        .expect("a ride")
        .clone();
    let scale = 4.0 / ride.total_time.expect("duration");
    a.edit_workout(ride.workout_id, |w| {
        w.total_time = Some(4.0);
        w.distance = w.distance.map(|d| d * scale);
    });
    tp_fake::fit::write_fit(&a.recording(ride.workout_id).expect("recording"))
}

fn status() -> FileStatus {
    FileStatus {
        state: FileState::Stored,
        file_id: Some("f-1".into()),
        file_name: Some("ride.fit".into()),
        note: None,
        fingerprint: "fp".into(),
        checked_at: 0,
    }
}

fn bench(c: &mut Criterion) {
    let fit = four_hour_fit();
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(&dir.path().join("bench.sqlite3")).expect("store");
    c.bench_function("decode_and_store_4h_fit_ride", |b| {
        b.iter(|| {
            let activity = tp_device::decode(black_box(&fit), Some("ride.fit")).expect("decodes");
            store
                .put_streams(1, &status(), &activity, None)
                .expect("stored")
        })
    });
    let activity = tp_device::decode(&fit, Some("ride.fit")).expect("decodes");
    c.bench_function("decode_4h_fit_ride", |b| {
        b.iter(|| tp_device::decode(black_box(&fit), Some("ride.fit")).expect("decodes"))
    });
    c.bench_function("summarize_4h_ride_curves_and_histograms", |b| {
        b.iter(|| tp_fitness::stream_summary::summarize(black_box(&activity.streams)))
    });

    // Storage: the 4-hour ride, and the demo athlete's last 60 recordings.
    let hours = |n: usize| n as f64 / 3600.0;
    let four_h = tp_store::codec::encode_streams(&activity.streams).len() as f64
        / hours(activity.streams.len());
    let a = athlete();
    let (mut bytes, mut samples, mut five_plus) = (0usize, 0usize, 0usize);
    for w in a
        .workouts()
        .iter()
        .rev()
        .filter(|w| w.is_completed())
        .take(200)
    {
        let Some(rec) = a.recording(w.workout_id) else {
            continue;
        };
        let decoded = tp_device::decode(&tp_fake::fit::write_fit(&rec), None).expect("decodes");
        if decoded.streams.kinds().count() >= 5 {
            bytes += tp_store::codec::encode_streams(&decoded.streams).len();
            samples += decoded.streams.len();
            five_plus += 1;
        }
    }
    let report = serde_json::json!({
        "four_hour_ride_channels": activity.streams.kinds().count(),
        "four_hour_ride_bytes_per_hour": four_h.round(),
        "recent_workouts_with_5_or_more_channels": five_plus,
        "their_bytes_per_hour": (bytes as f64 / hours(samples)).round(),
        "fit_file_bytes_per_hour": (fit.len() as f64 / hours(activity.streams.len())).round(),
    });
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/criterion");
    let _ = std::fs::create_dir_all(&out);
    let _ = std::fs::write(out.join("device_file_storage.json"), report.to_string());
    eprintln!("storage: {report}");
}

criterion_group!(benches, bench);
criterion_main!(benches);
